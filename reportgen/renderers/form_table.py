"""The 自评表 itself as an attachment (``--attach form``), laid out as the form's table.

The form's cells are printed as read (amounts with separators, rates as percentages, scores
without trailing zeros); empty cells print “—”. The tables are GFM pipe tables in Markdown, parsed
by the shared parser, so both renderers lay them out (widths, merged category cells) as they lay
out the report's own appendix.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from reportgen import formatting as fmt
from reportgen.narrative.text import cell
from reportgen.renderers import layout
from reportgen.renderers.layout import Attachment

if TYPE_CHECKING:
    from reportgen.report import Report

TITLE = "项目支出绩效自评表"
ATTACH_CHOICES = ("form",)


def _amount(value: Decimal | None) -> str:
    return "—" if value is None else fmt.plain_number(value, 2, grouping=True)


def form_markdown(report: Report) -> str | None:
    """The form's tables as Markdown; None when the report carries no form."""
    form = getattr(report.evaluation, "form", None)
    if form is None:
        return None
    year = f"{form.year}年度" if form.year else "—"
    lines = [
        f"| 项目名称 | {cell(form.project)} | 评价年度 | {cell(year)} |",
        "| --- | --- | --- | --- |",
        f"| 主管部门 | {cell(form.department)} | 实施单位 | {cell(form.implementer or form.unit)} |",
        "",
    ]
    budget = form.budget
    if budget is not None:
        unit = budget.unit or "万元"
        lines += [
            f"| 项目资金（{cell(unit)}） | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分 |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
            f"| 年度资金总额 | {_amount(budget.initial)} | {_amount(budget.adjusted)} | {_amount(budget.executed)} "
            f"| {fmt.score(budget.weight)} | {fmt.percent(budget.rate)} | {fmt.score(budget.score)} |",
        ]
        lines += [f"| {cell(s.name)} | {_amount(s.initial)} | {_amount(s.adjusted)} | {_amount(s.executed)} | — | — | — |"
                  for s in budget.sources]
        lines.append("")
    if form.goals is not None:
        lines += ["| 年度总体目标 | 预期目标 | 实际完成情况 |", "| --- | --- | --- |",
                  f"| 年度总体目标 | {cell(form.goals.planned)} | {cell(form.goals.achieved)} |", ""]
    lines += ["| 一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因分析及改进措施 |",
              "| --- | --- | --- | --- | --- | ---: | ---: | --- |"]
    previous: tuple[str, str] = ("", "")
    for ind in form.indicators:
        level1, level2 = ind.level1 or "", ind.level2 or ""
        # a group's label once, the cells under it left empty: the renderers merge them as on the form
        shown1 = "" if level1 and level1 == previous[0] else level1
        shown2 = "" if level2 and (level1, level2) == previous else level2
        previous = (level1, level2)
        remark = "；".join(t for t in (ind.cause, ind.measure) if t)
        lines.append(f"| {cell(shown1) if shown1 else ''} | {cell(shown2) if shown2 else ''} | {cell(ind.name)} "
                     f"| {cell(ind.target)} | {cell(ind.actual)} | {fmt.score(ind.weight)} | {fmt.score(ind.score)} "
                     f"| {cell(remark)} |")
    grade = f"（{form.grade}）" if form.grade else ""
    # the total as the form prints it; the 分值 column's sum is not on the form, so it is not printed either
    lines.append(f"| 总分 | | | | | | {fmt.score(form.total_score)}{cell(grade) if grade else ''} | |")
    return "\n".join(lines) + "\n"


def form_attachment(report: Report) -> Attachment | None:
    """The form as an attachment titled 项目支出绩效自评表; None when the report carries no form."""
    markdown = form_markdown(report)
    if markdown is None:
        return None
    return Attachment(TITLE, layout.parser().parse(markdown))


def attachments(report: Report, attach: tuple[str, ...] | list[str]) -> list[Attachment]:
    """The extra attachments ``--attach`` asks for, in order."""
    found = []
    if "form" in attach and (form := form_attachment(report)) is not None:
        found.append(form)
    return found
