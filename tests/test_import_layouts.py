"""Real-world form layouts, written as Excel workbooks and as Word tables, read back to the right model.

Each layout is data: title lines, then sheets of rows whose items are placed left to right
like an HTML table (``Span(text, cols, rows)`` merges). ``to_xlsx`` and ``to_docx`` write the
same layout with openpyxl and python-docx, merged cells and all; the tests read both files
and compare the form with the hand-written example it was drawn from, field by field.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES, SEED_EXAMPLE

from reportgen.evaluation.model import EvaluationForm
from reportgen.loaders import load, load_all
from reportgen.loaders.tabular import read_tabular


@dataclass(frozen=True)
class Span:
    text: Any
    cols: int = 1
    rows: int = 1


@dataclass(frozen=True)
class Num:
    """A number cell: its value and Excel format for xlsx, its printed form for Word."""

    value: float | int | dt.date
    shown: str
    fmt: str = "General"


@dataclass
class Sheet:
    name: str
    rows: list[list[Any]]
    title: list[str] | None = None
    hidden: bool = False
    workbook_only: bool = False  # an instructions or helper sheet: a Word document has no such thing


def place(rows: list[list[Any]]) -> list[tuple[int, int, Span]]:
    """Lay items out like an HTML table: each takes the next column not covered by a merge from above."""
    taken: set[tuple[int, int]] = set()
    out = []
    for r, row in enumerate(rows):
        c = 0
        for item in row:
            span = item if isinstance(item, Span) else Span(item)
            while (r, c) in taken:
                c += 1
            for dr in range(span.rows):
                for dc in range(span.cols):
                    taken.add((r + dr, c + dc))
            out.append((r, c, span))
            c += span.cols
    return out


def to_xlsx(sheets: list[Sheet], path: Path) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sheet in sheets:
        ws = wb.create_sheet(sheet.name)
        top = 1
        for line in sheet.title or []:
            ws.cell(top, 1, line)
            ws.merge_cells(start_row=top, start_column=1, end_row=top, end_column=8)
            top += 1
        for r, c, span in place(sheet.rows):
            value = span.text
            cell = ws.cell(top + r, c + 1, value.value if isinstance(value, Num) else (value if value != "" else None))
            if isinstance(value, Num):
                cell.number_format = value.fmt
            if span.rows > 1 or span.cols > 1:
                ws.merge_cells(
                    start_row=top + r, start_column=c + 1, end_row=top + r + span.rows - 1, end_column=c + span.cols
                )
        if sheet.hidden:
            ws.sheet_state = "hidden"
    wb.save(path)
    return path


def to_docx(sheets: list[Sheet], path: Path) -> Path:
    import docx

    doc = docx.Document()
    for sheet in sheets:
        if sheet.hidden or sheet.workbook_only:
            continue
        for line in sheet.title or []:
            doc.add_paragraph(line)
        placed = place(sheet.rows)
        n_rows = max(r + s.rows for r, _, s in placed)
        n_cols = max(c + s.cols for _, c, s in placed)
        table = doc.add_table(rows=n_rows, cols=n_cols)
        for r, c, span in placed:
            text = span.text.shown if isinstance(span.text, Num) else str(span.text)
            cell = table.cell(r, c)
            if span.rows > 1 or span.cols > 1:
                cell = cell.merge(table.cell(r + span.rows - 1, c + span.cols - 1))
            if text:
                cell.text = text
    doc.save(path)
    return path


# ---------------------------------------------------------------------------------------------
# Layouts, each drawn from one example


def _weight(value: Decimal | None) -> str:
    return "" if value is None else format(value.normalize(), "f")


def _level(name: str | None, form: EvaluationForm, bare: bool = False) -> str:
    weight = form.categories.get(name or "")
    if weight is None:
        return name or ""
    return f"{name}({_weight(weight)})" if bare else f"{name}({_weight(weight)}分)"


def _groups(form: EvaluationForm) -> list[tuple[str | None, list[tuple[str | None, list[Any]]]]]:
    """Group indicators by level 1, then level 2, in printed order."""
    out: list[tuple[str | None, list[tuple[str | None, list[Any]]]]] = []
    for ind in form.indicators:
        if not out or out[-1][0] != ind.level1:
            out.append((ind.level1, []))
        level2s = out[-1][1]
        if not level2s or level2s[-1][0] != ind.level2:
            level2s.append((ind.level2, []))
        level2s[-1][1].append(ind)
    return out


def _merged_rows(form: EvaluationForm, level2_cell: Any) -> Any:
    """Yield (leading cells, indicator): level labels as merged cells on the first row of their block only."""
    for level1, level2s in _groups(form):
        size1 = sum(len(items) for _, items in level2s)
        first1 = True
        for level2, items in level2s:
            for i, ind in enumerate(items):
                row: list[Any] = []
                if first1:
                    row.append(Span(_level(level1, form), 1, size1))
                    first1 = False
                if i == 0:
                    row.append(level2_cell(level2, len(items)))
                yield row, ind


def seed_layout() -> list[Sheet]:
    """The Hubei 2020 form as the seed's original most likely stood: 8 columns, weights in labels, ☑ boxes."""
    form = load(SEED_EXAMPLE)
    b = form.budget
    assert b is not None
    rows: list[list[Any]] = [
        [Span("项目名称", 2), Span(form.project, 6)],
        [Span("主管部门", 2), form.department, Span("项目实施单位", 2), Span(form.implementer, 3)],
        [Span("项目类别", 2), Span("1、部门预算项目 ☑ 2、区级专项 □ 3、转移支付项目 □", 6)],
        [Span("项目属性", 2), Span("1、持续性项目 ☑ 2、新增性项目 □", 6)],
        [Span("项目类型", 2), Span("1、常年性项目 ☑ 2、延续性项目 □ 3、一次性项目 □", 6)],
        [Span("预算执行情况(万)(20分)", 2, 2), "", "预算数(A)", "执行数(B)", "执行率(B/A)", Span("得分(20分*执行率)", 2)],
        ["年度财政资金总额", "2,440.91", "2,440.91", "100%", Span("20", 2)],
    ]
    n = len(form.indicators)
    header = [Span("项目年度绩效指标", 1, n + 1), "一级指标", Span("二级指标", 2), "三级指标(权重)"]
    rows.append([*header, "年初目标值(A)", "实际完成值(B)", "得分"])
    for row, ind in _merged_rows(form, lambda level2, n: Span(_level(level2, form, bare=level2 == "质量指标"), 2, n)):
        row += [f"{ind.name}({_weight(ind.weight)}分)", ind.target, ind.actual, _weight(ind.score)]
        rows.append(row)
    rows += [
        ["总分", Span(_weight(form.total_score), 7)],
        ["偏差大或目标未完成原因分析", Span(" ".join(f"{i}、{t}" for i, t in enumerate(form.deviation_analysis, 1)), 7)],
        ["改进措施及结果应用方案", Span(" ".join(f"{i}、{t}" for i, t in enumerate(form.improvement_measures, 1)), 7)],
    ]
    title = ["2020年度社会保障专项项目自评表", f"单位名称：{form.unit}", "填报日期：2021年6月30日"]
    return [Sheet("Sheet1", rows, title)]


def link_fund_layout() -> list[Sheet]:
    """A 衔接资金-style form: 年初/全年(A)/执行(B) with fund-source rows, 分值 before 年度指标值,
    goals side by side, boxes before their options, ★ core marks, combined cause/measure column,
    every number typed as text."""
    form = load(EXAMPLES / "农村人居环境整治-2021.yaml")
    b = form.budget
    assert b is not None and form.goals is not None

    def money(value: Decimal | None) -> str:
        return "" if value is None else f"{value:,.2f}"

    rows: list[list[Any]] = [
        ["项目名称", Span(form.project, 7)],
        ["主管部门", Span(form.department, 3), "实施单位", Span(form.implementer, 3)],
        ["填报单位", Span(form.unit, 3), "填报日期", Span("2022年4月20日", 3)],
        ["项目类别", Span("□部门预算项目 □专项项目 ☑转移支付项目", 3), "项目属性", Span("☑持续性项目 □新增性项目", 3)],
        ["项目类型", Span("□常年性项目 ☑延续性项目 □一次性项目", 7)],
        ["项目概况", Span(form.overview, 7)],
        [Span("资金情况（万元）", 1, 2 + len(b.sources) + 1), "", "年初预算数", "全年预算数(A)", "全年执行数(B)"]
        + ["分值", "执行率(B/A)", "得分"],
        ["年度资金总额", money(b.initial), money(b.adjusted), money(b.executed), "10", "78.00%", "7.8"],
    ]
    for i, s in enumerate(b.sources):
        rows.append([("其中：" if i == 0 else "") + s.name, money(s.initial), money(s.adjusted), money(s.executed)])
    rows.append(["其他资金", "", "", "", "—", "—", "—"])
    rows += [
        [Span("年度总体目标", 1, 2), Span("年初设定目标", 3), Span("年度总体目标完成情况综述", 4)],
        [Span(form.goals.planned, 3), Span(form.goals.achieved, 4)],
        ["一级指标", "二级指标", "三级指标", "分值", "年度指标值", "全年实际值", "得分", "未完成原因及拟采取的改进措施"],
    ]
    for row, ind in _merged_rows(form, lambda level2, n: Span(level2, 1, n)):
        why = "\n".join(p for p in (ind.cause, f"改进措施：{ind.measure}" if ind.measure else None) if p)
        row += [("★" if ind.core else "") + ind.name, _weight(ind.weight), ind.target, ind.actual]
        row += [_weight(ind.score), why]
        rows.append(row)
    rows += [
        [Span("总分", 3), "100", "", "", _weight(form.total_score), form.grade],
        ["偏差原因分析", Span("\n".join(f"{i}、{t}" for i, t in enumerate(form.deviation_analysis, 1)), 7)],
        ["改进措施", Span("\n".join(f"{i}.{t}" for i, t in enumerate(form.improvement_measures, 1)), 7)],
        ["其他需要说明事项", Span(form.other_notes, 7)],
        [Span("项目负责人：刘国庆    财务负责人：陈晓梅", 8)],
    ]
    return [Sheet("自评表", rows, ["农村人居环境整治项目绩效目标自评表（2021年度）"])]


def two_sheet_layout() -> list[Sheet]:
    """Basic data on one sheet, indicators on a second one with a separate 满意度 block; real numbers with
    Excel formats; an instructions sheet and a hidden helper sheet that must be skipped."""
    form = load(EXAMPLES / "义务教育学生资助-2022.yaml")
    b, goals, contacts = form.budget, form.goals, form.contacts
    assert b is not None and goals is not None and contacts is not None

    def amount(value: Decimal | None) -> Any:
        return "" if value is None else Num(float(value), f"{value:,.2f}", "#,##0.00")

    basic: list[list[Any]] = [
        ["评价年度", Num(2022, "2022"), "填报日期", Num(dt.date(2023, 3, 15), "2023-03-15", "yyyy-mm-dd")],
        ["单位名称", Span(form.unit, 3)],
        ["项目名称", Span(form.project, 3)],
        ["主管部门", form.department, "实施单位", form.implementer],
        ["项目类别", form.category, "项目属性", form.attribute],
        ["项目类型", Span(form.type, 3)],
        ["项目概况", Span(form.overview, 3)],
        [Span("项目资金（万元）", 4)],
        ["", "年初预算数", "全年预算数", "全年执行数"],
        ["年度资金总额", amount(b.initial), amount(b.adjusted), amount(b.executed)],
        ["其中：" + b.sources[0].name, amount(b.sources[0].initial), amount(b.sources[0].adjusted)]
        + [amount(b.sources[0].executed)],
        [b.sources[1].name, "", amount(b.sources[1].adjusted), amount(b.sources[1].executed)],
        ["分值", Num(10, "10"), "执行率", Num(0.9721, "97.21%", "0.00%")],
        ["得分", Num(9.72, "9.72")],
        [Span("年度总体目标", 4)],
        ["预期目标", Span(goals.planned, 3)],
        ["实际完成情况", Span(goals.achieved, 3)],
    ]
    main = [i for i in form.indicators if i.level1 != "满意度指标"]
    satisfied = [i for i in form.indicators if i.level1 == "满意度指标"]
    rows: list[list[Any]] = [["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "是否核心指标"]]
    level1 = level2 = None
    for ind in main:
        row: list[Any] = []
        if ind.level1 != level1:
            row.append(Span(_level(ind.level1, form), 1, sum(1 for i in main if i.level1 == ind.level1)))
            level1, level2 = ind.level1, None
        if ind.level2 != level2:
            row.append(Span(ind.level2, 1, sum(1 for i in main if (i.level1, i.level2) == (ind.level1, ind.level2))))
            level2 = ind.level2
        weight, score = Num(float(ind.weight or 0), _weight(ind.weight)), Num(float(ind.score or 0), _weight(ind.score))
        rows.append([*row, ind.name, ind.target, ind.actual, weight, score, "是" if ind.core else ""])
    rows.append([""])
    rows.append([_level("满意度指标", form), "二级指标", "指标名称", "年度指标值", "实际完成值", "分值", "得分"])
    for ind in satisfied:
        rows.append(["", ind.level2, ind.name, ind.target, ind.actual, _weight(ind.weight), _weight(ind.score)])
    rows += [
        [Span("总分", 5), "100", _weight(form.total_score)],
        [Span("自评等级", 5), Span(form.grade, 2)],
        [Span("偏差大或目标未完成原因分析", 2), Span("\n".join(f"（{i}）{t}" for i, t in enumerate(form.deviation_analysis, 1)), 6)],
        [Span("改进措施及结果应用方案", 2), Span("\n".join(f"{i}、{t}" for i, t in enumerate(form.improvement_measures, 1)), 6)],
        [Span("其他需要说明的问题", 2), Span(form.other_notes, 6)],
        ["项目负责人", contacts.project_lead, "财务负责人", contacts.finance_lead, "联系电话", contacts.phone],
    ]
    return [
        Sheet("填表说明", [["本表用于项目支出绩效自评。"], ["请在“基本信息”和“绩效指标”两个工作表中填写。"]], workbook_only=True),
        Sheet("基本信息", basic, ["义务教育学生资助项目支出绩效自评表"]),
        Sheet("绩效指标", rows),
        Sheet("下拉选项", [["优"], ["良"], ["中"], ["差"]], hidden=True),
    ]


LAYOUTS = {
    "seed": (seed_layout, SEED_EXAMPLE),
    "link-fund": (link_fund_layout, EXAMPLES / "农村人居环境整治-2021.yaml"),
    "two-sheets": (two_sheet_layout, EXAMPLES / "义务教育学生资助-2022.yaml"),
}
WRITERS = {"xlsx": to_xlsx, "docx": to_docx}


def assert_same_form(got: EvaluationForm, want: EvaluationForm) -> None:
    """Compare field by field so a failure names the field."""
    g, w = got.model_dump(), want.model_dump()
    for key in w:
        if key == "indicators":
            assert len(g[key]) == len(w[key])
            for i, (a, b) in enumerate(zip(g[key], w[key], strict=True)):
                assert a == b, f"indicators[{i}]"
        else:
            assert g[key] == w[key], key


@pytest.mark.parametrize("fmt", WRITERS)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_layout_reads_to_the_example(layout: str, fmt: str, tmp_path: Path) -> None:
    build, example = LAYOUTS[layout]
    path = WRITERS[fmt](build(), tmp_path / f"{layout}.{fmt}")
    [(form, warnings)] = read_tabular(path)
    assert_same_form(form, load(example))
    assert [w.format(path.name) for w in warnings] == []


def test_layout_places_point_at_cells(tmp_path: Path) -> None:
    path = to_xlsx(link_fund_layout(), tmp_path / "f.xlsx")
    from reportgen.evaluation.model import source_of

    form = load(path)
    where = source_of(form)
    assert where.locate("project").endswith("f.xlsx!自评表!B2")
    assert where.locate("budget.rate").endswith("!自评表!G9")
    assert where.locate("budget.sources[1].executed").endswith("!自评表!E11")
    assert where.locate("indicators[0].weight").endswith("!自评表!D16")
    assert where.locate("indicators[0].cause").endswith("!自评表!H16")


def test_docx_places_name_table_row_and_column(tmp_path: Path) -> None:
    from reportgen.evaluation.model import source_of

    form = load(to_docx(link_fund_layout(), tmp_path / "f.docx"))
    assert source_of(form).locate("project").endswith("f.docx!表1!第1行第2列")
    assert source_of(form).locate("year").endswith("f.docx!第1段")


def test_two_sheet_places_follow_each_sheet(tmp_path: Path) -> None:
    from reportgen.evaluation.model import source_of

    form = load(to_xlsx(two_sheet_layout(), tmp_path / "w.xlsx"))
    assert source_of(form).locate("project").endswith("!基本信息!B4")
    assert source_of(form).locate("indicators[0].score").endswith("!绩效指标!G2")


def test_workbook_with_a_project_per_sheet(tmp_path: Path) -> None:
    seed, link = seed_layout()[0], link_fund_layout()[0]
    seed.name, link.name = "社保", "人居"
    path = to_xlsx([seed, link], tmp_path / "two.xlsx")
    forms = load_all(path)
    assert [f.project for f in forms] == ["社会保障专项", "农村人居环境整治"]
    from reportgen.errors import InputError

    with pytest.raises(InputError, match="2 个项目"):
        load(path)


def test_word_document_with_two_forms_splits_at_the_title(tmp_path: Path) -> None:
    path = to_docx([*seed_layout(), *link_fund_layout()], tmp_path / "two.docx")
    first, second = load_all(path)
    assert_same_form(first, load(SEED_EXAMPLE))
    assert_same_form(second, load(EXAMPLES / "农村人居环境整治-2021.yaml"))


def test_standard_layout_as_a_word_table(tmp_path: Path) -> None:
    """The standard (10号) layout of the fill-in workbook, retyped as a Word table with the same merges."""
    import docx
    import openpyxl

    from reportgen.loaders.xlsx_template import build_workbook

    example = load(EXAMPLES / "社区养老服务补贴-2023.yaml")
    book = tmp_path / "standard.xlsx"
    build_workbook(example).save(book)
    ws = openpyxl.load_workbook(book)["自评表"]
    doc = docx.Document()
    table = doc.add_table(rows=ws.max_row, cols=ws.max_column)
    for area in ws.merged_cells.ranges:
        table.cell(area.min_row - 1, area.min_col - 1).merge(table.cell(area.max_row - 1, area.max_col - 1))
    for row in ws.iter_rows():
        for cell in row:
            value = cell.value
            if value is None or (isinstance(value, str) and value.startswith("=")):
                continue  # Word has no formulas: the printed form leaves them blank
            if "%" in cell.number_format:
                value = f"{Decimal(str(value)) * 100:.2f}%"
            elif isinstance(value, dt.datetime):
                value = value.date().isoformat()
            table.cell(cell.row - 1, cell.column - 1).text = str(value)
    path = tmp_path / "standard.docx"
    doc.save(path)
    [(form, warnings)] = read_tabular(path)
    assert_same_form(form, example)
    assert warnings == []
