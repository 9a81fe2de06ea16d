"""The index of a batch: summary.xlsx, summary.md and the department overview (overview.md/.pdf)."""

from __future__ import annotations

import statistics
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reportgen import formatting as fmt
from reportgen.defaults import LOW_EXECUTION_RATE
from reportgen.evaluation.findings import CODES, SEVERITY_LABEL
from reportgen.fsutil import atomic_write
from reportgen.narrative.text import cell, md
from reportgen.overwrite import changed_files, write_files

if TYPE_CHECKING:
    from reportgen.batch.run import BatchOptions, BatchResult, Row

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
    # a figure the form does not print stays a number (to sum and sort) whose format says where it came from
    source = "（取自来源行）" if row.budget_from else ""
    unit = f'"{row.budget_unit}{source}"' if row.budget_unit or source else ""
    if attr == "budget" and row.budget_value is not None:
        return row.budget_value, f"#,##0.00{unit}"
    if attr == "executed" and row.executed_value is not None:
        return row.executed_value, f"#,##0.00{unit}"
    if attr == "rate" and row.rate_value is not None:
        return row.rate_value, '0.00%"（计算）"' if row.rate_computed else "0.00%"
    total = row.total_value if row.total_value is not None else row.total_sum
    if attr == "total" and total is not None:
        shape = "0.##" if total != int(total) else "0"
        return total, shape + ('"（计算）"' if row.total_value is None else "")
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
    atomic_write(path, summary_xlsx(rows, path.parent))


def summary_xlsx(rows: list[Row], outdir: Path) -> bytes:
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
            if attr == "outputs" and (target := _link(row, outdir)):
                c.hyperlink = target
                c.font = link_font
            cells.append(c)
        ws.append(cells)
    buffer = BytesIO()
    wb.properties.creator = "reportgen"
    wb.save(buffer)
    return buffer.getvalue()


#: the template of summary.md (a --templates folder may hold its own batch/summary.md.j2)
SUMMARY_TEMPLATE = "batch/summary.md.j2"


def summary_markdown(rows: list[Row], templates: str | None = None) -> str:
    """summary.md: the rows of summary.xlsx but the file names, as a Markdown table (``batch/summary.md.j2``)."""
    header = [c[0] for c in COLUMNS if c[1] not in ("outputs",)]
    attrs = [c[1] for c in COLUMNS if c[1] not in ("outputs",)]
    cells = [[cell(_value(row, a)) for a in attrs] for row in rows]
    return _render(SUMMARY_TEMPLATE, templates, header=header, rows=cells)


def _render(name: str, templates: str | None, **context: Any) -> str:
    from reportgen.narrative.env import build_environment, template_error

    env = build_environment(templates)
    try:
        return env.get_template(name).render(**context)
    except Exception as exc:  # a user's template: say which file and line, as for report templates
        template_error(exc, name)


#: the template that words the overview (a --templates folder may hold its own batch/overview.md.j2)
OVERVIEW_TEMPLATE = "batch/overview.md.j2"
LOW_EXECUTION = float(LOW_EXECUTION_RATE)  # below this execution rate a project is listed under 需要关注
_GRADE_ORDER = ("优", "良", "中", "差")


def overview_markdown(result: BatchResult, templates: str | None = None) -> str:
    """Word the department overview with ``batch/overview.md.j2`` from the facts of ``result``."""
    return _render(OVERVIEW_TEMPLATE, templates, o=overview_facts(result), md=md, cell=cell)


def overview_facts(result: BatchResult) -> dict[str, Any]:
    """Gather what the overview says: counts, grades, scores, money, causes, the projects to watch."""
    rows = result.rows
    # a project whose report the user edited (kept) still counts: its form, and so its figures, are unchanged
    done = [r for r in rows if r.status != "failed"]
    failed = [r for r in rows if r.status == "failed"]
    kept = [r for r in rows if r.status == "kept"]  # the user edited its report: kept, not replaced
    scores = [r.total_value for r in done if r.total_value is not None]
    grades = Counter(r.grade for r in done if r.grade and not r.grade_computed)
    grades_computed = Counter(_grade(r) for r in done if r.grade and r.grade_computed)
    units = {r.budget_unit for r in done if r.budget_unit}
    kinds = Counter(r.kind for r in rows if r.kind)
    # a department's whole budget contains its projects' money: the totals add up project forms only
    money = [r for r in done if r.kind != DEPARTMENT] if kinds.get(PROJECT) else done
    # the rate of the sums is over projects that print both amounts: a budget without its execution is left out
    incomplete = [r for r in money if (r.budget_value is None) != (r.executed_value is None)]
    money = [r for r in money if r.budget_value is not None and r.executed_value is not None]
    facts: dict[str, Any] = {
        "projects": len(rows),
        "reports": sum(1 for r in done if r.status != "kept"),
        "failed": len(failed),
        "skipped": result.skipped,
        "kinds": {"project": kinds.get(PROJECT, 0), "department": kinds[DEPARTMENT]} if kinds.get(DEPARTMENT) else None,
        "grades": _ordered(grades),
        "grades_computed": _ordered(grades_computed),
        "scores": None,
        "computed": sum(1 for r in done if r.total_computed),
        "budget": None,
        "causes": Counter(c for r in done for c in r.cause_categories).most_common(5),
        "signature": [x for x in (overview_unit(rows), overview_date(rows)) if x],
    }
    if scores:
        lowest = min((r for r in done if r.total_value is not None), key=lambda r: r.total_value or 0)
        facts["scores"] = {
            "mean": fmt.plain_number(statistics.fmean(scores)),
            "median": fmt.plain_number(statistics.median(scores)),
            "lowest": fmt.plain_number(min(scores)),
            "lowest_project": lowest.project,
        }
    if len(units) == 1 and money:
        unit = units.pop()
        budget = sum(r.budget_value or 0 for r in money)
        executed = sum(r.executed_value or 0 for r in money)
        rate = fmt.plain_number(executed / budget * 100) if budget else None
        facts["budget"] = {"total": f"{budget:,.2f}", "executed": f"{executed:,.2f}", "unit": unit, "rate": rate,
                           "count": len(money), "incomplete": len(incomplete),
                           "from_source": sum(1 for r in money if r.budget_from),
                           "departments": sum(1 for r in done if r.kind == DEPARTMENT) if kinds.get(PROJECT) else 0}
    elif units:
        facts["budget"] = "mixed"
    attention = [r for r in done if _grade(r) in ("中", "差") or r.errors or r.placeholders or r.status == "check-failed"
                 or _low_rate(r)]
    facts["attention"] = [_row_facts(r) for r in attention]
    facts["failures"] = [{"input": r.input, "message": r.message} for r in failed]
    facts["kept"] = [{"name": r.project or r.input, "message": r.message} for r in kept]
    facts["rows"] = [_row_facts(r) for r in rows]
    return facts


def _grade(r: Row) -> str:
    return r.grade.removesuffix("（计算）")


def _ordered(grades: Counter[str]) -> list[tuple[str, int]]:
    return [(g, grades[g]) for g in _GRADE_ORDER if grades.get(g)] + [(g, n) for g, n in grades.items()
                                                                      if g not in _GRADE_ORDER]


def _low_rate(r: Row) -> bool:
    """Execution below the threshold, by the printed rate or by the amounts where they disagree with it."""
    return any(v is not None and v < LOW_EXECUTION for v in (r.rate_value, r.rate_from_amounts))


def _row_facts(r: Row) -> dict[str, Any]:
    """One project for the overview: what it is, and why it needs attention (the template words the reasons)."""
    low_rate = _low_rate(r)
    return {
        "project": r.project,
        "unit": r.unit,
        "name": r.project or r.input,
        "total": r.total,
        "grade": r.grade,
        "rate": r.rate,
        "failed": r.status == "failed",
        "kept": r.status == "kept",
        "message": r.message,
        "low_grade": r.grade if _grade(r) in ("中", "差") else None,
        "low_rate": r.rate if low_rate else None,
        "amounts_rate": fmt.percent(Decimal(str(r.rate_from_amounts))) if r.rate_from_amounts is not None else None,
        "threshold": fmt.plain_number(LOW_EXECUTION * 100),
        "errors": r.errors,
        "placeholders": r.placeholders,
        "missing_terms": bool(r.missing_terms),
    }


def overview_unit(rows: list[Row]) -> str:
    """The unit that signs the overview: the one every project shares, else none is invented."""
    units = {r.unit for r in rows if r.unit}
    return units.pop() if len(units) == 1 else ""


def overview_date(rows: list[Row]) -> str:
    """The overview's date: the latest of its reports' dates (never the clock: same batch, same file)."""
    from reportgen.renderers.html import iso_date

    dated = [(iso, r.date) for r in rows if r.date and (iso := iso_date(r.date)) is not None]
    return max(dated)[1] if dated else ""


def _title(markdown: str) -> str:
    """The overview's title as its template words it: its first heading."""
    return next((line[2:].strip() for line in markdown.splitlines() if line.startswith("# ")), "")


def write_index(result: BatchResult, options: BatchOptions) -> list[tuple[str, str]]:
    """Write the index files; one the user edited since reportgen wrote it is kept and the new one is written
    beside it (``summary（新）.xlsx``). Returns (kept, written instead) name pairs."""
    out = options.outdir
    overview = overview_markdown(result, options.templates)
    files = {"summary.xlsx": summary_xlsx(result.rows, out),
             "summary.md": summary_markdown(result.rows, options.templates).encode("utf-8"),
             "overview.md": overview.encode("utf-8")}
    if "pdf" in options.formats:
        from reportgen.renderers.pdf import render_pdf
        from reportgen.report import Report

        rows = result.rows
        signature = tuple(x for x in (overview_unit(rows), overview_date(rows)) if x)
        report = Report(name="overview", title=_title(overview), markdown=overview,
                        unit=overview_unit(rows) or None, date=overview_date(rows) or None, signature=signature)
        files["overview.pdf"] = render_pdf(report, font=Path(options.font) if options.font else None)
    moved: list[tuple[str, str]] = []
    if not options.force:
        for path in changed_files(out, INDEX_RECORD, files):
            instead = f"{path.stem}（新）{path.suffix}"
            files[instead] = files.pop(path.name)
            moved.append((path.name, instead))
    write_files(out, INDEX_RECORD, files, force=True)
    return moved


#: the overwrite record of the index files (reportgen.overwrite: a user's edits are never replaced silently)
INDEX_RECORD = ".index"
