"""``reportgen render``: one report per project, in the formats asked for, each checked."""

from __future__ import annotations

from pathlib import Path

import click

from ..engine import Engine, Options, parse_formats, unique_stem
from . import main
from .output import console, report_options


@main.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", "outdir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="输出文件夹 / output folder.")
@report_options
def render(
    files: tuple[Path, ...],
    outdir: Path,
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
) -> None:
    """根据自评表生成绩效自评报告（默认 Markdown），并检查用语完整性。

    Render the self-evaluation report of each form (Markdown by default; also
    html, pdf, docx) into the output folder, check it, and write
    <name>.check.json beside it. Exit 0 when every report passes its check,
    1 when a check fails (e.g. a 【待补充】 placeholder the data forced),
    2 for unreadable input or bad usage.
    """
    engine = Engine(Options(outline=outline, templates=templates, lexicon=lexicon, formats=parse_formats(formats),
                            cover=cover, toc=toc, attach=attach, final=final, font=font, check=not no_check))
    out = console()
    failed_check = False
    used: set[str] = set()
    for path in files:
        forms = engine.load(path)  # unreadable input stops the run (exit 2); `reportgen batch` isolates failures
        for form in forms:
            outcome = engine.run(form)
            stem = unique_stem(outcome.report.name, used)
            paths = engine.write(outcome, outdir, stem)
            line = "、".join(p.name for k, p in paths.items() if k not in ("check", "sources"))
            if outcome.check is not None:
                line += f"  {outcome.check.summary_line()}"
                failed_check |= not outcome.ok
            out.print(line, markup=False)
    if failed_check:
        raise SystemExit(1)
