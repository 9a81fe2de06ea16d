"""The index of a batch: summary.xlsx, summary.md and the department overview (overview.md/.pdf)."""

from __future__ import annotations

import statistics
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from . import formatting as fmt
from .findings import CODES, SEVERITY_LABEL
from .fsutil import atomic_write
from .narrative.text import cell, md

if TYPE_CHECKING:
    from .batch import BatchOptions, BatchResult, Row

COLUMNS = (
    ("单位", "unit", 26),
    ("项目", "project", 30),
    ("类型", "kind", 10),
    ("年度", "year", 8),
    ("预算数", "budget", 16),
    ("执行数", "executed", 16),
    ("执行率", "rate", 10),
    ("总分", "total", 8),
    ("等级", "grade", 6),
    ("扣分指标", "deducted", 40),
    ("问题", "findings", 40),
    ("缺少的必备用语", "missing_terms", 30),
    ("输出文件", "outputs", 50),
    ("状态", "status", 10),
    ("说明", "message", 50),
)
STATUS = {"ok": "完成", "check-failed": "检查未通过", "failed": "失败", "kept": "未覆盖", "skipped": "跳过"}
#: the 类型 column: what kind of form a row was read from
PROJECT, DEPARTMENT = "项目支出", "部门整体"
KIND = {"project": PROJECT, "department": DEPARTMENT}


def problems(codes: list[str]) -> str:
    """Findings in words, each once with its count: “分类分值与所含指标分值之和不符（8处）”, errors marked."""
    counts: dict[str, int] = {}
    for item in codes:
        counts[item] = counts.get(item, 0) + 1
    parts = []
    for item, n in counts.items():
        severity, _, code = item.rpartition(":")
        title = CODES.get(code, (severity, code))[1]
        mark = f"【{SEVERITY_LABEL['error']}】" if severity == "error" else ""
        parts.append(f"{mark}{title}" + (f"（{n}处）" if n > 1 else ""))
    return "；".join(parts)


def _value(row: Row, attr: str) -> str:
    value = getattr(row, attr)
    if attr == "status":
        return STATUS.get(value, value)
    if attr == "findings":
        return problems(value)
    if attr == "outputs":
        return "；".join(Path(p).name for p in value)
    if attr == "message" and row.where and row.where not in row.message:
        return f"{row.where}：{value}"
    if isinstance(value, list):
        return "；".join(value)
    return str(value)


def _number(row: Row, attr: str) -> tuple[float | int, str] | None:
    """The cells that hold numbers (so the finance office can sum and sort them) and their display format."""
    unit = f'"{row.budget_unit}"' if row.budget_unit else ""
    if attr == "budget" and row.budget_value is not None:
        return row.budget_value, f"#,##0.00{unit}"
    if attr == "executed" and row.executed_value is not None:
        return row.executed_value, f"#,##0.00{unit}"
    if attr == "rate" and row.rate_value is not None:
        return row.rate_value, "0.00%"
    if attr == "total" and row.total_value is not None:
        return row.total_value, "0.##" if row.total_value != int(row.total_value) else "0"
    if attr == "year" and str(row.year).isdigit():
        return int(row.year), "0"
    return None


def _link(row: Row, outdir: Path) -> str | None:
    """The report a row's file cell opens: PDF, else Word, else HTML, else Markdown (relative, so the folder can move)."""
    by_suffix = {Path(p).suffix: Path(p) for p in row.outputs}
    for suffix in (".pdf", ".docx", ".html", ".md"):
        if suffix in by_suffix:
            try:
                return by_suffix[suffix].relative_to(outdir).as_posix()
            except ValueError:
                return by_suffix[suffix].as_posix()
    return None


def write_summary_xlsx(rows: list[Row], path: Path) -> None:
    from io import BytesIO

    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    # write-only mode streams rows: a 1,000-project index in a fraction of a second
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("汇总")
    columns = (("序号", "", 6), *COLUMNS)
    for i, (_, _, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"
    header = []
    for name, _, _ in columns:
        c = WriteOnlyCell(ws, value=name)
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor="DDDDDD")
        header.append(c)
    ws.append(header)
    wrap = Alignment(wrap_text=True, vertical="top")
    link_font = Font(color="0563C1", underline="single")
    for n, row in enumerate(rows, start=1):
        cells = [WriteOnlyCell(ws, value=n)]
        for _, attr, _ in COLUMNS:
            number = _number(row, attr)
            c = WriteOnlyCell(ws, value=number[0] if number else _value(row, attr))
            if number:
                c.number_format = number[1]
            c.alignment = wrap
            if attr == "outputs" and (target := _link(row, path.parent)):
                c.hyperlink = target
                c.font = link_font
            cells.append(c)
        ws.append(cells)
    buffer = BytesIO()
    wb.properties.creator = "reportgen"
    wb.save(buffer)
    atomic_write(path, buffer.getvalue())


def summary_markdown(rows: list[Row]) -> str:
    header = [c[0] for c in COLUMNS if c[1] not in ("outputs",)]
    attrs = [c[1] for c in COLUMNS if c[1] not in ("outputs",)]
    lines = ["# 批量生成汇总", "", "| 序号 | " + " | ".join(header) + " |", "| ---: |" + " --- |" * len(header)]
    for i, row in enumerate(rows, start=1):
        lines.append(f"| {i} | " + " | ".join(cell(_value(row, a)) for a in attrs) + " |")
    return "\n".join(lines) + "\n"


def overview_markdown(result: BatchResult) -> str:
    rows = result.rows
    done = [r for r in rows if r.status not in ("failed", "kept")]
    failed = [r for r in rows if r.status == "failed"]
    kept = [r for r in rows if r.status == "kept"]  # the user edited its report: kept, not replaced
    scores = [r.total_value for r in done if r.total_value is not None]
    grades = Counter(r.grade for r in done if r.grade)
    units = {r.budget_unit for r in done if r.budget_unit}
    lines = ["# 部门项目绩效自评概览", ""]
    lines.append(
        f"本批次共处理项目{len(rows)}个，其中生成报告{len(done)}个"
        + (f"，失败{len(failed)}个" if failed else "")
        + (f"，{len(kept)}个项目的报告在上次生成后被修改过，保留了修改后的文件、未重新生成" if kept else "")
        + (f"（另有{result.skipped}个输入文件的报告已是最新，未重新生成）" if result.skipped else "")
        + "。"
    )
    kinds = Counter(r.kind for r in rows if r.kind)
    if kinds.get(DEPARTMENT):
        lines[-1] += f"按表式分，项目支出自评表{kinds.get(PROJECT, 0)}份，部门整体支出自评表{kinds[DEPARTMENT]}份。"
    # a department's whole budget contains its projects' money: the totals add up project forms only
    money = [r for r in done if r.kind != DEPARTMENT] if kinds.get(PROJECT) else done
    if grades:
        order = ["优", "良", "中", "差"]
        parts = [f"“{g}”{grades[g]}个" for g in order if grades.get(g)] + [
            f"“{g}”{n}个" for g, n in grades.items() if g not in order
        ]
        lines += ["", "## 一、等级分布", "", "自评等级" + fmt.enumerate_cn(parts) + "。"]
    if scores:
        lowest = min((r for r in done if r.total_value is not None), key=lambda r: r.total_value or 0)
        lines += [
            "",
            "## 二、得分情况",
            "",
            f"平均得分{fmt.plain_number(statistics.fmean(scores))}分，中位数{fmt.plain_number(statistics.median(scores))}分，"
            f"最低得分{fmt.plain_number(min(scores))}分（{md(lowest.project)}）。",
        ]
    computed = [r for r in done if r.total_computed]
    if computed:
        if not scores:
            lines += ["", "## 二、得分情况"]
        lines += ["", f"另有{len(computed)}个项目的自评表未填写总分，汇总表中其按各项得分合计的分数标为“（计算）”，"
                      "未计入上述得分统计，也未评定等级。"]
    if len(units) == 1:
        unit = units.pop()
        budget = sum(r.budget_value or 0 for r in money)
        executed = sum(r.executed_value or 0 for r in money)
        rate = f"，总体预算执行率{fmt.plain_number(executed / budget * 100)}%" if budget else ""
        lines += ["", "## 三、预算执行", "", f"全年预算数合计{budget:,.2f}{unit}，执行数合计{executed:,.2f}{unit}{rate}。"]
    elif units:
        lines += ["", "## 三、预算执行", "", "各项目金额单位不一致（万元与元并存），未作合计，请见汇总表。"]
    causes = Counter(c for r in done for c in r.cause_categories)
    if causes:
        top = "、".join(f"{name}（{n}个项目）" for name, n in causes.most_common(5))
        lines += ["", "## 四、主要偏差原因", "", f"自评表中出现最多的偏差原因类别为：{top}。"]
    low = LOW_EXECUTION
    attention = [r for r in done if r.grade in ("中", "差") or r.errors or r.placeholders or r.status == "check-failed"
                 or (r.rate_value is not None and r.rate_value < low)]
    lines += ["", "## 五、需要关注的项目", ""]
    if attention or failed or kept:
        for r in attention:
            lines.append(f"- {md(r.project)}（{md(r.unit)}）：{'，'.join(_reasons(r)) or '检查未通过'}")
        for r in failed:
            lines.append(f"- {md(r.input)}：处理失败，{md(r.message)}")
        for r in kept:
            lines.append(f"- {md(r.project or r.input)}：未覆盖，{md(r.message)}")
    else:
        lines.append("无。")
    lines += ["", "## 附表：项目自评情况一览表", "",
              "| 序号 | 项目名称 | 总分 | 等级 | 执行率 | 问题 |", "| ---: | --- | ---: | --- | ---: | --- |"]
    for i, r in enumerate(rows, start=1):
        problems = {"failed": f"处理失败：{r.message}", "kept": f"未覆盖：{r.message}"}.get(r.status) or "；".join(_reasons(r))
        lines.append(f"| {i} | {cell(r.project or r.input)} | {cell(r.total)} | {cell(r.grade)} | {cell(r.rate)} "
                     f"| {cell(problems)} |")
    # the 落款 ends the Markdown, as in every report; the PDF prints it before the attached table
    lines += [line for x in (overview_unit(rows), overview_date(rows)) if x for line in ("", md(x))]
    return "\n".join(lines) + "\n"


LOW_EXECUTION = 0.9  # below this execution rate a project is listed under 需要关注


def _reasons(r: Row) -> list[str]:
    reasons = []
    if r.grade in ("中", "差"):
        reasons.append(f"等级为“{r.grade}”")
    if r.rate_value is not None and r.rate_value < LOW_EXECUTION:
        reasons.append(f"预算执行率{r.rate}，低于{fmt.plain_number(LOW_EXECUTION * 100)}%")
    if r.errors:
        reasons.append(f"自评表有{r.errors}处错误")
    if r.placeholders:
        reasons.append(f"报告有{r.placeholders}处待补充")
    if r.missing_terms:
        reasons.append("缺少必备用语")
    return reasons


def overview_unit(rows: list[Row]) -> str:
    """The unit that signs the overview: the one every project shares, else none is invented."""
    units = {r.unit for r in rows if r.unit}
    return units.pop() if len(units) == 1 else ""


def overview_date(rows: list[Row]) -> str:
    """The overview's date: the latest of its reports' dates (never the clock: same batch, same file)."""
    from .renderers.html import iso_date

    dated = [(iso, r.date) for r in rows if r.date and (iso := iso_date(r.date)) is not None]
    return max(dated)[1] if dated else ""


def write_index(result: BatchResult, options: BatchOptions) -> None:
    out = options.outdir
    write_summary_xlsx(result.rows, out / "summary.xlsx")
    atomic_write(out / "summary.md", summary_markdown(result.rows))
    overview = overview_markdown(result)
    atomic_write(out / "overview.md", overview)
    if "pdf" in options.formats:
        from .renderers.pdf import render_pdf
        from .report import Report

        rows = result.rows
        signature = tuple(x for x in (overview_unit(rows), overview_date(rows)) if x)
        report = Report(name="overview", title="部门项目绩效自评概览", markdown=overview,
                        unit=overview_unit(rows) or None, date=overview_date(rows) or None, signature=signature)
        atomic_write(out / "overview.pdf", render_pdf(report, font=Path(options.font) if options.font else None))
