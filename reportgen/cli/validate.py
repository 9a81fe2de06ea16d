"""``reportgen validate``: scores, totals and findings of each form."""

from __future__ import annotations

import json
from pathlib import Path

import click

from reportgen import formatting as fmt
from reportgen.cli.base import Command
from reportgen.cli.output import console
from reportgen.errors import ReportgenError
from reportgen.evaluation.findings import SEVERITY_LABEL
from reportgen.evaluation.model import EvaluationForm, source_of
from reportgen.evaluation.scoring import Evaluation, evaluate
from reportgen.loaders import load_parts


def summary(ev: Evaluation) -> dict[str, object]:
    """The machine-readable summary of one evaluation (``--json``)."""
    b = ev.budget

    def num(value: object) -> str | None:
        return None if value is None else str(value)

    return {
        "kind": ev.form.kind,
        "project": ev.form.project,
        "subject": ev.form.subject,
        "unit": ev.form.unit,
        "year": ev.form.year,
        "budget": None
        if b is None
        else {
            "unit": b.unit,
            "adjusted": num(b.base),
            "executed": num(b.executed),
            "rate": num(b.rate),
            "rate_computed": num(b.rate_computed),
            "weight": num(b.weight),
            "score": num(b.score),
            "score_source": b.score_source,
        },
        "categories": [
            {
                "level1": c.level1,
                "level2": c.level2,
                "weight": num(c.weight),
                "printed_weight": num(c.printed_weight),
                "score": num(c.score),
                "indicators": len(c.indices),
            }
            for c in [*ev.level1, *ev.level2]
        ],
        "deducted": [
            {"name": r.name, "weight": num(r.weight), "score": num(r.score), "lost": num(r.lost)} for r in ev.deducted
        ],
        "core_short": [r.name for r in ev.core_short],
        "tasks": [{"name": t.name, "result": t.result, "source": t.source} for t in ev.tasks],
        "total": num(ev.total),
        "total_computed": num(ev.total_computed),
        "grade": ev.grade,
        "findings": [f.to_dict() for f in ev.findings],
    }


def _print(ev: Evaluation, where: str) -> None:
    from rich.markup import escape
    from rich.table import Table

    out = console()
    b = ev.budget
    form = ev.form
    out.print(f"[bold]{escape(form.subject or '（未填名称）')}[/bold]  [dim]{escape(where)}[/dim]")
    if form.is_department:
        _print_department(ev)
    if b is not None:
        out.print(
            f"  预算执行：预算数 {fmt.money(b.base, b.unit)}，执行数 {fmt.money(b.executed, b.unit)}，"
            f"执行率 {fmt.percent(b.rate)}，得分 {fmt.score(b.score)} / {fmt.score(b.weight)}"
        )
    table = Table(show_edge=False, pad_edge=False, box=None)
    for col in ("一级指标", "二级指标", "指标数", "分值", "标注分值", "得分"):
        table.add_column(col, justify="right" if col in ("指标数", "分值", "标注分值", "得分") else "left")
    # every text from the form is escaped: "[/x]" or "[link=…]" in a cell is data, not rich markup
    for c1 in ev.level1:
        table.add_row(escape(c1.level1), "", str(len(c1.indices)), fmt.score(c1.weight),
                      fmt.score(c1.printed_weight) if c1.printed_weight is not None else "", fmt.score(c1.score))
        for c2 in (c for c in ev.level2 if c.level1 == c1.level1):
            table.add_row("", escape(c2.level2 or ""), str(len(c2.indices)), fmt.score(c2.weight),
                          fmt.score(c2.printed_weight) if c2.printed_weight is not None else "", fmt.score(c2.score))
    out.print(table)
    out.print(f"  总分：{fmt.score(ev.total)}    等级：{escape(ev.grade or '—')}")
    for r in ev.deducted:
        out.print(
            f"  扣分指标：{escape(r.name)}  目标 {escape(r.indicator.target or '—')}，"
            f"实际 {escape(r.indicator.actual or '—')}，"
            f"得分 {fmt.score(r.score)} / {fmt.score(r.weight)}"
        )
    if ev.findings:
        out.print(f"  发现 {len(ev.findings)} 个问题：")
        style = {"error": "red", "warning": "yellow", "info": "dim"}
        for f in ev.findings:
            out.print(
                f"  [{style[f.severity]}]{SEVERITY_LABEL[f.severity]}[/] {escape(f'[{f.code}]')} {escape(f.message)}"
                f"  [dim]{escape(f.where)}[/dim]",
                highlight=False,
            )
    else:
        out.print("  未发现问题。")
    out.print()


def _print_department(ev: Evaluation) -> None:
    """Say what was checked on a department-wide form, beyond the project form's checks."""
    from rich.markup import escape

    out = console()
    form = ev.form
    out.print(f"  表式：{form.kind_label}（{escape(form.kind_basis)}），不要求项目名称")
    b = form.budget
    parts = []
    if b is not None and b.spending:
        parts.append("按支出性质（" + "、".join(escape(s.name) for s in b.spending) + "）")
    if b is not None and b.income:
        parts.append("按收入性质（" + "、".join(escape(s.name) for s in b.income) + "）")
    checked = ["预算执行" + (f"（含{'，'.join(parts)}）" if parts else "")]
    if ev.counted:
        core = sum(1 for r in ev.counted if r.core)
        coef = sum(1 for r in ev.counted if r.indicator.coef is not None)
        reverse = sum(1 for r in ev.counted if r.target.direction == "reverse")
        what = f"{len(ev.counted)}项绩效指标（核心指标{core}项"
        what += f"，按得分系数核对得分{coef}项" if coef else ""
        what += f"，越低越好的指标{reverse}项按上限判断）" if reverse else "）"
        checked.append(what)
    else:
        checked.append("无绩效指标行（指标完成情况将留出【待补充】）")
    if ev.tasks:
        done = sum(1 for t in ev.tasks if t.reported)
        checked.append(f"年度工作任务{len(ev.tasks)}项（已填报完成情况{done}项）")
    checked.append("总分与等级")
    out.print("  已检查：" + "、".join(checked))
    for t in ev.tasks:
        mark = "已填报" if t.reported else "[yellow]未填报完成情况[/]"
        out.print(f"  工作任务：{escape(t.name[:40])}  {mark}")


@click.command(cls=Command, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出 / machine-readable JSON output.")
def validate(files: tuple[Path, ...], as_json: bool) -> None:
    """校验自评表：预算执行、分类得分、总分、等级及全部问题。

    Validate forms: budget execution, category subtotals and scores, total,
    grade and findings. A sheet (or a form of a YAML/JSON file of several)
    that cannot be read is named and the others are still validated. Exit 0 without errors, 1 when a form has error-level
    findings, 2 when a file (or a sheet of it) cannot be read.
    """
    results: list[dict[str, object]] = []
    failed_input: ReportgenError | None = None
    has_errors = False
    for path in files:
        forms: list[EvaluationForm] = []
        try:
            loaded = load_parts(path)
        except ReportgenError as exc:
            if len(files) == 1:
                raise
            failures: list[ReportgenError] = [exc]
        else:
            forms, failures = loaded.forms, loaded.failures
        for failure in failures:  # a bad sheet is named; the good sheets of the workbook are still shown
            failed_input = failure
            results.append({"file": str(path), "error": failure.to_dict()})
            if not as_json:
                click.echo(f"{failure.kind}：{failure}", err=True)
        several = len(forms) + len(failures) > 1
        for form in forms:
            ev = evaluate(form)
            has_errors |= bool(ev.errors)
            # a file of several forms (sheets, list items, YAML documents): each is shown with its place in it
            where = source_of(form).locate("") if several else str(path)
            if as_json:
                results.append({"file": str(path), **({"where": where} if several else {}), **summary(ev)})
            else:
                _print(ev, where)
    if as_json:
        click.echo(json.dumps(results if len(results) != 1 else results[0], ensure_ascii=False, indent=2))
    if failed_input is not None:
        raise SystemExit(2)
    if has_errors:
        raise SystemExit(1)
