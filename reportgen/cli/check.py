"""``reportgen check``: required terms, discouraged wording, placeholders and facts of one report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from reportgen.cli.base import Command
from reportgen.cli.output import console

if TYPE_CHECKING:
    from reportgen.checking import Checker, CheckResult

_KIND_STYLE = {"error": "red", "warning": "yellow"}


def _print(result: CheckResult, checker: Checker, report: Path, data: Path | None) -> None:
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    from reportgen.checking.result import KIND_LABEL

    out = console()
    lexicon = checker.lexicon
    against = f"（对照自评表 {data}）" if data else ""
    out.print(f"[bold]检查 {report}[/bold]{against}")

    unit = result.line_unit
    present = {(p.group, p.section): p for p in result.present}
    missing = {(p.group, p.section): p for p in result.problems if p.kind == "missing-term"}
    groups = Table(box=box.SIMPLE_HEAD, pad_edge=False, title="必备用语", title_justify="left")
    for col in ("章节", "用语", "结果"):
        groups.add_column(col, overflow="fold")
    for g in lexicon.groups:
        key = (g.id, g.section)
        if key in present:
            p = present[key]
            status = f"[green]✓[/green] “{escape(p.term)}”（第{p.line}{unit}）"
        elif key in missing:
            status = "[red]✗ 缺少[/red]" if g.level == "required" else "[yellow]△ 建议补充[/yellow]"
        else:
            status = "[dim]— 不适用[/dim]"
        groups.add_row(lexicon.label(g.section), g.name, status)
    out.print(groups)

    if result.problems:
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False, title="问题", title_justify="left")
        table.add_column(unit, justify="right", no_wrap=True)
        table.add_column("章节", no_wrap=True)
        table.add_column("说明及建议", overflow="fold")
        for problem in result.problems:
            style = _KIND_STYLE[problem.severity]
            label = KIND_LABEL[problem.kind] + ("（数据缺失）" if problem.forced else "")
            text = f"[{style}]{label}[/{style}] {escape(problem.message)}"
            if problem.suggestion:
                text += f"\n[dim]建议：{escape(problem.suggestion)}[/dim]"
            table.add_row(str(problem.line) if problem.line else "—", lexicon.label(problem.section) if problem.section else "—", text)
        out.print(table)
    if not result.facts_checked:
        out.print("[dim]未提供自评表（--data），未核对总分、等级、预算数字和扣分指标。[/dim]")
    out.print(f"[bold {'green' if result.ok else 'red'}]{result.summary_line()}[/]")


@click.command(cls=Command, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("report", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--data",
    type=click.Path(dir_okay=False, path_type=Path),
    help="自评表文件，用于核对报告中的总分、等级、预算数字和扣分指标 / the form to check the facts against.",
)
@click.option(
    "--lexicon",
    type=click.Path(file_okay=False, path_type=Path),
    help="用户词库目录，按文件覆盖内置词库 / a lexicon directory overlaid on the built-in one, file by file.",
)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出 / machine-readable JSON output.")
def check(report: Path, data: Path | None, lexicon: Path | None, as_json: bool) -> None:
    """检查报告用语：必备用语、不宜用语、待补充项，以及与自评表不符的数字。

    Check a report (Markdown, text or Word): required policy terms per section,
    discouraged wording, leftover placeholders and, with --data, the facts
    against the form. Exit 0 when it passes, 1 when something required is
    missing, a placeholder remains or a fact contradicts the form, 2 when a
    file cannot be read.
    """
    from reportgen.checking import checker as get_checker

    checker = get_checker(lexicon)
    result = checker.check(report, data=data)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print(result, checker, report, data)
    if not result.ok:
        raise SystemExit(1)
