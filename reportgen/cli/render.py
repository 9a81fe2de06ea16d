"""``reportgen render``: one report per project, in the formats asked for, each checked."""

from __future__ import annotations

from pathlib import Path

import click
from click.core import ParameterSource

from reportgen.cli.base import Command
from reportgen.cli.output import console, report_options
from reportgen.engine import FORMATS, Engine, Options, parse_formats, unique_stem
from reportgen.errors import DependencyError, InputError, ReportgenError, UsageError
from reportgen.evaluation.model import EvaluationForm

# suffixes of files that are not reports: `-o 表.yaml` is a mistake, not a folder to create
_NOT_REPORTS = (".txt", ".doc", ".json", ".yaml", ".yml", ".xlsx", ".xls", ".htm", ".markdown", ".csv", ".tsv")


def output_target(output: Path, formats: tuple[str, ...], formats_given: bool) -> tuple[Path, str | None, tuple[str, ...]]:
    """Read ``-o``: a folder, or one report's file name (``报告.md``) → (folder, stem or None, formats)."""
    suffix = output.suffix.lower()
    if output.is_dir() or not suffix:
        return output, None, formats
    if suffix.lstrip(".") in FORMATS:
        fmt = suffix.lstrip(".")
        if formats_given and formats != (fmt,):
            raise UsageError(
                f"-o 给的是一个 {suffix} 文件，--format 却是 {','.join(formats)}",
                where=str(output),
                hint="只要一种格式时两者应一致；要多种格式请用 -o 指定文件夹",
            )
        return output.parent, output.stem, (fmt,)
    if suffix in _NOT_REPORTS:
        raise UsageError(
            f"“{output.name}”不是报告的文件名",
            where=str(output),
            hint="报告文件名应以 .md、.html、.pdf 或 .docx 结尾；生成多份报告请用 -o 指定文件夹",
        )
    return output, None, formats


@click.command(cls=Command)
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", "output", type=click.Path(path_type=Path), default=Path("."), show_default=True,
              help="输出文件夹；只生成一份报告时也可以是文件名，如 报告.docx / output folder, or one report's file name.")
@click.option("--force", is_flag=True,
              help="覆盖修改过的（或不是 reportgen 生成的）同名报告 / overwrite reports changed since they were written.")
@report_options
@click.pass_context
def render(
    ctx: click.Context,
    files: tuple[Path, ...],
    output: Path,
    formats: str,
    outline: str,
    templates: Path | None,
    lexicon: Path | None,
    cover: bool,
    toc: bool,
    attach: tuple[str, ...],
    final: bool,
    font: Path | None,
    no_check: bool,
    force: bool,
) -> None:
    """根据自评表生成绩效自评报告（默认 Markdown），并检查用语完整性。

    Render the self-evaluation report of each form (Markdown by default; also
    html, pdf, docx) into the output folder, check it, and write
    <name>.check.json beside it. A file that cannot be read (or one bad sheet
    of a workbook) is reported and the others are still rendered. Exit 0 when
    every report passes its check, 1 when a check fails (e.g. a 【待补充】
    placeholder the data forced) or some input failed, 2 for unreadable input
    (a single file) or bad usage. A report edited since it was written (or a
    file of the same name reportgen did not write) is kept, not replaced,
    unless --force.
    """
    given = ctx.get_parameter_source("formats") not in (ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP)
    outdir, file_stem, fmts = output_target(output, parse_formats(formats), given)
    engine = Engine(Options(outline=outline, templates=templates, lexicon=lexicon, formats=fmts,
                            cover=cover, toc=toc, attach=attach, final=final, font=font, check=not no_check))
    out = console()
    forms: list[EvaluationForm] = []
    failures = 0
    for path in files:
        try:
            loaded = engine.load_parts(path)
        except ReportgenError as exc:
            if len(files) == 1:
                raise  # one file and it cannot be read: bad input, exit 2
            _fail(exc)
            failures += 1
            continue
        for failure in loaded.failures:  # the bad sheet is named; the good ones are still rendered
            _fail(failure)
            failures += 1
        forms.extend(loaded.forms)
    if file_stem is not None and len(forms) > 1:
        raise UsageError(
            f"共有 {len(forms)} 份报告，-o 只给了一个文件名",
            where=str(output),
            hint="生成多份报告请用 -o 指定文件夹",
        )
    failed_check = False
    used: set[str] = set()
    refused = 0
    for form in forms:
        try:
            outcome = engine.run(form)
            stem = unique_stem(file_stem or outcome.report.name, used)
            paths = engine.write(outcome, outdir, stem, force=force)
        except DependencyError:
            raise  # a package missing from the install fails every report alike: say it once, exit 2
        except ReportgenError as exc:  # this project failed (or was kept): the others go on
            _fail(exc, form.project)
            failures += 1
            refused += isinstance(exc, InputError)  # e.g. an unfilled form: bad input, not a failed check
            continue
        line = "、".join(p.name for k, p in paths.items() if k not in ("check", "sources"))
        if outcome.check is not None:
            line += f"  {outcome.check.summary_line()}"
            failed_check |= not outcome.ok
        out.print(line, markup=False)
    if used and "pdf" in fmts:
        from reportgen.renderers.pdf import body_font_note

        if (note := body_font_note(font)) is not None:
            click.echo(f"提示：{note}。", err=True)  # once per run, not per report
    if failures:
        rest = f"其余 {len(used)} 份已生成" if used else "没有生成任何报告"
        click.echo(f"有 {failures} 项未能生成报告（见上），{rest}。", err=True)
    if refused and refused == failures and not used:
        raise SystemExit(2)  # nothing rendered because the input cannot be narrated
    if failed_check or failures:
        raise SystemExit(1)


def _fail(exc: ReportgenError, project: str | None = None) -> None:
    about = f"“{project}”：" if project else ""
    click.echo(f"{exc.kind}：{about}{exc}", err=True)
