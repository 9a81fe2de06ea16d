"""``reportgen batch``: all the projects of a department, in parallel, with progress and an index."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from reportgen.cli.base import Command
from reportgen.cli.output import console, report_options


@click.command(cls=Command, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=False, path_type=Path))
@click.option("-o", "--output", "outdir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="输出文件夹 / output folder.")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=0, show_default=True,
              help="并行进程数，0 表示按 CPU 核数 / worker processes (0: one per core).")
@click.option("--resume", is_flag=True, help="跳过输出已是最新的项目 / skip projects whose outputs are up to date.")
@click.option("--timeout", type=click.FloatRange(min=0), default=300, show_default=True,
              help="单个输入文件的处理时限（秒），超时的记为失败，0 表示不限 / per-input time limit in seconds (0: none).")
@click.option("--scheduler", metavar="ADDRESS",
              help="在 Dask 集群上运行：tcp://主机:8786，或 local[:N] 在本机启动 N 个 worker 进程 / run on a Dask cluster.")
@click.option("--write-on-workers", is_flag=True,
              help="Dask worker 与本机共享输出文件夹时，由 worker 直接读输入、写报告 / workers share the file system.")
@click.option("--force", is_flag=True,
              help="覆盖上次生成后被修改过的（或不是 reportgen 生成的）同名报告 / overwrite reports changed since they were written.")
@report_options
def batch(
    inputs: tuple[Path, ...],
    outdir: Path,
    formats: str,
    jobs: int,
    resume: bool,
    timeout: float,
    scheduler: str | None,
    write_on_workers: bool,
    force: bool,
    outline: str,
    templates: Path | None,
    lexicon: Path | None,
    cover: bool,
    toc: bool,
    attach: tuple[str, ...],
    final: bool,
    font: Path | None,
    no_check: bool,
) -> None:
    """批量生成：文件、文件夹（递归）或含多个项目的工作簿，输出报告和汇总表。

    Batch-produce reports for every form found in the inputs (files, folders
    searched recursively, workbooks holding several projects), in parallel on
    this machine or on a Dask cluster (--scheduler). Writes summary.xlsx,
    summary.md and overview.md beside the reports. A failed project never stops
    the others; exit 1 when any failed or failed its check. A report edited
    since the batch wrote it (or a file of that name reportgen did not write)
    is kept, not replaced, and its project is named (exit 1) unless --force.
    """
    from reportgen.batch.run import BatchOptions, require_dask, run_batch
    from reportgen.engine import parse_formats
    from reportgen.errors import UsageError

    if write_on_workers and not scheduler:
        raise UsageError("--write-on-workers 只用于 Dask 集群", hint="请同时给出 --scheduler")
    if scheduler:
        require_dask(scheduler)
    options = BatchOptions(
        outdir=outdir,
        formats=parse_formats(formats),
        outline=outline,
        templates=str(templates.resolve()) if templates else None,
        lexicon=str(lexicon.resolve()) if lexicon else None,
        cover=cover,
        toc=toc,
        attach=tuple(attach),
        final=final,
        font=str(font.resolve()) if font else None,
        check=not no_check,
        jobs=jobs,
        resume=resume,
        timeout=timeout,
        scheduler=scheduler,
        write_on_workers=write_on_workers,
        force=force,
    )
    out = console()
    if sys.stdout.isatty():
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        bar = Progress(TextColumn("生成报告"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]}"),
                       TimeRemainingColumn(), console=out, transient=True)
        task = bar.add_task("batch", total=None, rate="")
        started = time.perf_counter()

        def progress(done: int, total: int, row: object) -> None:
            rate = done / max(time.perf_counter() - started, 1e-9)
            bar.update(task, completed=done, total=total, rate=f"{rate:.1f} 个/秒")

        with bar:
            result = run_batch(list(inputs), options, progress)
    else:
        last = [0.0]

        def progress(done: int, total: int, row: object) -> None:
            # plain, periodic lines when the output is a log file, not a terminal
            now = time.monotonic()
            if done == total or now - last[0] >= 5:
                last[0] = now
                click.echo(f"进度 {done}/{total}", err=True)

        result = run_batch(list(inputs), options, progress)

    ok = sum(1 for r in result.rows if r.status == "ok")
    checked = sum(1 for r in result.rows if r.status == "check-failed")
    failed = result.failed
    rate = len(result.rows) / result.elapsed if result.elapsed else 0
    out.print(
        f"完成 {ok + checked} 个项目（其中 {checked} 个检查未通过），失败 {len(failed)} 个，"
        + (f"未覆盖 {len(result.kept)} 个（报告被修改过），" if result.kept else "")
        + f"跳过 {result.skipped} 个已是最新的输入；用时 {result.elapsed:.1f} 秒（{rate:.1f} 个/秒）。",
        markup=False,
    )
    for row in failed:
        place = "" if row.where and row.where in row.message else f"{row.where or row.input}："
        about = f"“{row.project}”：" if row.project else ""  # which project of a workbook
        out.print(f"失败：{place}{about}{row.message}", markup=False)
    for row in result.kept:
        out.print(f"未覆盖：“{row.project or row.input}”（{row.input}）：{row.message}", markup=False)
    if result.unread:
        unread = "、".join(p.name for p in result.unread[:5]) + ("等" if len(result.unread) > 5 else "")
        out.print(f"未读取 {len(result.unread)} 个不支持的文件（{unread}）：.xls、.doc 请另存为 .xlsx、.docx，"
                  "PDF 请先把其中的表格文字提取为 .txt 再读取。", markup=False)
    names = dict(result.index_kept)
    shown = [str(outdir / names.get(n, n)) for n in ("summary.xlsx", "summary.md")]
    views = [str(outdir / names.get(n, n)) for n in ("overview.md", "overview.pdf") if (outdir / names.get(n, n)).exists()]
    out.print(f"汇总表：{'、'.join(shown)}；概览：{'、'.join(views)}", markup=False)
    for name, instead in result.index_kept:
        out.print(f"{name} 在上次生成后被修改过，已保留；本次的新文件写入 {instead}（加 --force 则直接替换）。", markup=False)
    if result.interrupted:
        out.print("已中断：已完成的报告均已保留，可用 --resume 继续。", markup=False)
    raise SystemExit(result.exit_code)
