"""The project sheet of the fill-in workbook (项目支出绩效自评表), cell by cell.

``ProjectWriter`` writes the standard layout; the department-wide writer (``xlsx_department.py``)
builds on its cell helpers. Both sit below ``xlsx_template.py``, which picks one for the workbook,
so neither imports the module that chooses it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from reportgen.evaluation import vocabulary
from reportgen.evaluation.model import EvaluationForm, Indicator

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

COLUMNS = "ABCDEFGHI"
WIDTHS = {"A": 14, "B": 14, "C": 16, "D": 30, "E": 18, "F": 18, "G": 9, "H": 9, "I": 30}

#: the default split (财预〔2020〕10号): 预算执行率 10, 产出 50, 效益 30, 满意度 10
DEFAULT_BUDGET_WEIGHT = 10
DEFAULT_LEVELS: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    ("产出指标", 50, ("数量指标", "质量指标", "时效指标", "成本指标")),
    ("效益指标", 30, ("经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标")),
    ("满意度指标", 10, ("服务对象满意度指标",)),
)
ROWS_PER_GROUP = 2
_BUDGET_COLUMNS = ("initial", "adjusted", "executed", "weight", "rate", "score")
label = vocabulary.label  # the printed label of a field: the first in lexicon/labels.yaml
DEFAULT_SOURCES = ("本年财政拨款", "上年结转资金", "其他资金")
CHOICES = {
    "category": "部门预算项目,专项项目,转移支付项目",
    "attribute": "持续性项目,新增性项目",
    "type": "常年性项目,延续性项目,一次性项目",
}


@dataclass
class _Layout:
    """Row numbers of the blocks, worked out as the sheet is written."""

    budget_header: int = 0
    budget_total: int = 0
    budget_last: int = 0
    indicator_header: int = 0
    indicator_last: int = 0
    total: int = 0


class ProjectWriter:
    """Write the project sheet, blank or filled with ``form``; its cell helpers serve the department sheet too."""

    def __init__(self, ws: Worksheet, form: EvaluationForm | None) -> None:
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        self.ws = ws
        self.form = form
        self.layout = _Layout()
        thin = Side(style="thin", color="000000")
        self.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.label_fill = PatternFill("solid", fgColor="F2F2F2")
        self.bold = Font(bold=True)
        self.center = Alignment(horizontal="center", vertical="center", wrap_text=True)
        self.left = Alignment(horizontal="left", vertical="center", wrap_text=True)

    # -- cell helpers ---------------------------------------------------------------------

    def put(self, ref: str, value: Any, *, label: bool = False, fmt: str | None = None) -> None:
        """Write one value (a label when ``label``); a text starting with ``=`` stays text."""
        cell = self.ws[ref]
        if isinstance(value, Decimal):
            value = int(value) if value == value.to_integral_value() else float(value)
        cell.value = value
        if isinstance(value, str) and value.startswith("="):
            cell.data_type = "s"  # "=100%" is a printed target, not a formula
        if fmt:
            cell.number_format = fmt
        if label:
            cell.fill = self.label_fill
            cell.font = self.bold
            cell.alignment = self.center
        else:
            cell.alignment = self.left

    def formula(self, ref: str, text: str, fmt: str | None = None) -> None:
        cell = self.ws[ref]
        cell.value = text
        cell.alignment = self.center
        if fmt:
            cell.number_format = fmt

    def merge(self, area: str) -> None:
        if ":" in area:
            self.ws.merge_cells(area)

    def box(self, first: int, last: int) -> None:
        for row in self.ws.iter_rows(min_row=first, max_row=last, min_col=1, max_col=len(COLUMNS)):
            for cell in row:
                cell.border = self.border

    # -- blocks -------------------------------------------------------------------------------

    def write(self) -> None:
        ws, form = self.ws, self.form
        for col, width in WIDTHS.items():
            ws.column_dimensions[col].width = width
        ws.merge_cells("A1:I1")
        ws["A1"] = "项目支出绩效自评表"
        ws["A1"].font = type(self.bold)(bold=True, size=16)
        ws["A1"].alignment = self.center
        ws.row_dimensions[1].height = 30
        self.put("A2", label("form", "year"), label=True)
        self.put("B2", form.year if form else None)
        self.put("C2", label("form", "unit"), label=True)
        self.merge("D2:F2")
        self.put("D2", form.unit if form else None)
        self.put("G2", label("form", "filled_on"), label=True)
        self.merge("H2:I2")
        filled = form.filled_on if form else None
        self.put("H2", filled, fmt="yyyy-mm-dd" if isinstance(filled, dt.date) else None)
        self.put("A3", label("form", "project"), label=True)
        self.merge("B3:I3")
        self.put("B3", form.project if form else None)
        self.put("A4", label("form", "department"), label=True)
        self.merge("B4:D4")
        self.put("B4", form.department if form else None)
        self.put("E4", label("form", "implementer"), label=True)
        self.merge("F4:I4")
        self.put("F4", form.implementer if form else None)
        self.put("A5", label("form", "category"), label=True)
        self.merge("B5:D5")
        self.put("B5", form.category if form else None)
        self.put("E5", label("form", "attribute"), label=True)
        self.put("F5", form.attribute if form else None)
        self.put("G5", label("form", "type"), label=True)
        self.merge("H5:I5")
        self.put("H5", form.type if form else None)
        self.put("A6", label("form", "overview"), label=True)
        self.merge("B6:I6")
        self.put("B6", form.overview if form else None)
        ws.row_dimensions[6].height = 45
        self.box(2, 6)
        row = self.write_budget(7)
        row = self.write_goals(row)
        row = self.write_indicators(row)
        self.write_summary(row)
        self.validations()
        ws.freeze_panes = None
        ws.print_options.horizontalCentered = True
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1

    #: the money block's label in column A (the department workbook says 部门预算执行情况)
    budget_label = "项目资金"

    def budget_rows(self) -> list[tuple[str, Any, Any, Any]]:
        """The rows under 年度资金总额: (name, 年初, 全年, 执行), the form's or blank defaults."""
        budget = self.form.budget if self.form else None
        if budget:
            return [(s.name, s.initial, s.adjusted, s.executed) for s in budget.sources]
        return [(name, None, None, None) for name in DEFAULT_SOURCES]

    def write_budget(self, top: int) -> int:
        budget = self.form.budget if self.form else None
        unit = budget.unit if budget else "万元"
        sources = self.budget_rows()
        last = top + 1 + len(sources)
        self.layout.budget_header, self.layout.budget_total, self.layout.budget_last = top, top + 1, last
        self.merge(f"A{top}:A{last}")
        self.put(f"A{top}", f"{self.budget_label}\n（{unit}）", label=True)
        self.merge(f"B{top}:C{top}")
        self.put(f"B{top}", None, label=True)
        for col, text in zip("DEFGHI", (label("budget", n) for n in _BUDGET_COLUMNS), strict=True):
            self.put(f"{col}{top}", text, label=True)
        t = top + 1
        self.merge(f"B{t}:C{t}")
        self.put(f"B{t}", "年度资金总额", label=True)
        if budget:
            self.put(f"D{t}", budget.initial, fmt="#,##0.00")
            self.put(f"E{t}", budget.adjusted, fmt="#,##0.00")
            self.put(f"F{t}", budget.executed, fmt="#,##0.00")
            self.put(f"G{t}", budget.weight)
            self.put(f"I{t}", budget.score)
        else:
            self.put(f"G{t}", None if self.form else DEFAULT_BUDGET_WEIGHT)
        if budget and budget.rate is not None:
            self.put(f"H{t}", budget.rate, fmt="0.00%")
        else:
            self.formula(f"H{t}", f'=IF(N(E{t})>0,F{t}/E{t},"")', fmt="0.00%")
        for i, (name, initial, adjusted, executed) in enumerate(sources, start=t + 1):
            self.merge(f"B{i}:C{i}")
            self.put(f"B{i}", ("其中：" if i == t + 1 else "") + name, label=True)
            self.put(f"D{i}", initial, fmt="#,##0.00")
            self.put(f"E{i}", adjusted, fmt="#,##0.00")
            self.put(f"F{i}", executed, fmt="#,##0.00")
        self.box(top, last)
        return last + 1

    def write_goals(self, top: int) -> int:
        goals = self.form.goals if self.form else None
        self.merge(f"A{top}:A{top + 1}")
        self.put(f"A{top}", vocabulary.block_titles("goals")[0], label=True)
        self.merge(f"B{top}:E{top}")
        self.put(f"B{top}", label("goals", "planned"), label=True)
        self.merge(f"F{top}:I{top}")
        self.put(f"F{top}", label("goals", "achieved"), label=True)
        self.merge(f"B{top + 1}:E{top + 1}")
        self.put(f"B{top + 1}", goals.planned if goals else None)
        self.merge(f"F{top + 1}:I{top + 1}")
        self.put(f"F{top + 1}", goals.achieved if goals else None)
        self.ws.row_dimensions[top + 1].height = 80
        self.box(top, top + 1)
        return top + 2

    def groups(self) -> list[tuple[str | None, str | None, list[Indicator | None]]]:
        """Return the indicator rows grouped by consecutive (level 1, level 2)."""
        if self.form is None:
            return [(l1, l2, [None] * ROWS_PER_GROUP) for l1, _, l2s in DEFAULT_LEVELS for l2 in l2s]
        groups: list[tuple[str | None, str | None, list[Indicator | None]]] = []
        for ind in self.form.indicators:
            if groups and (groups[-1][0], groups[-1][1]) == (ind.level1, ind.level2):
                groups[-1][2].append(ind)
            else:
                groups.append((ind.level1, ind.level2, [ind]))
        return groups

    def level_text(self, name: str | None) -> str | None:
        if name is None:
            return None
        weight: Decimal | int | None
        if self.form is None:
            weight = next((w for l1, w, _ in DEFAULT_LEVELS if l1 == name), None)
        else:
            weight = self.form.categories.get(name)
        if weight is None:
            return name
        shown = int(weight) if weight == int(weight) else weight
        return f"{name}（{shown}分）"

    def write_indicators(self, top: int) -> int:
        self.layout.indicator_header = top
        columns = ("level1", "level2", "name", "target", "actual", "weight", "score", "cause")
        headers = (vocabulary.block_titles("indicators")[0], *(label("indicator", c) for c in columns))
        for col, text in zip(COLUMNS, headers, strict=True):
            self.put(f"{col}{top}", text, label=True)
        row = top + 1
        level1_start: tuple[str | None, int] | None = None
        for level1, level2, items in self.groups():
            first, last = row, row + len(items) - 1
            if level1_start is None or level1_start[0] != level1:
                self.close_level1(level1_start, first - 1)
                level1_start = (level1, first)
            self.merge(f"C{first}:C{last}")
            self.put(f"C{first}", self.level_text(level2), label=True)
            for i, ind in enumerate(items, start=first):
                self.write_indicator(i, ind)
            row = last + 1
        self.close_level1(level1_start, row - 1)
        self.layout.indicator_last = row - 1
        self.merge(f"A{top}:A{row - 1}")
        self.box(top, row - 1)
        return row

    def close_level1(self, start: tuple[str | None, int] | None, last: int) -> None:
        if start is None:
            return
        self.merge(f"B{start[1]}:B{last}")
        self.put(f"B{start[1]}", self.level_text(start[0]), label=True)

    def write_indicator(self, row: int, ind: Indicator | None) -> None:
        if ind is None:
            for col in "DEFGHI":
                self.put(f"{col}{row}", None)
            return
        self.put(f"D{row}", ("★" if ind.core else "") + ind.name)
        self.put(f"E{row}", ind.target)
        self.put(f"F{row}", ind.actual)
        self.put(f"G{row}", ind.weight)
        self.put(f"H{row}", ind.score)
        parts = [p for p in (ind.cause, f"改进措施：{ind.measure}" if ind.measure else None) if p]
        self.put(f"I{row}", "\n".join(parts) or None)

    def write_summary(self, top: int) -> None:
        form, lay = self.form, self.layout
        first, last = lay.indicator_header + 1, lay.indicator_last
        lay.total = top
        self.merge(f"A{top}:F{top}")
        self.put(f"A{top}", label("form", "total_score"), label=True)
        t = lay.budget_total
        # blank until something is filled in, so an untouched form never reads as 0 points
        self.formula(f"G{top}", f'=IF(COUNT(G{first}:G{last},G{t})=0,"",SUM(G{first}:G{last})+N(G{t}))')
        if form and form.total_score is not None:
            self.put(f"H{top}", form.total_score)
        else:
            self.formula(f"H{top}", f'=IF(COUNT(H{first}:H{last},I{t})=0,"",SUM(H{first}:H{last})+N(I{t}))')
        self.put(f"I{top}", None)
        rows = (
            (label("form", "grade"), form.grade if form else None),
            (label("form", "deviation_analysis"), numbered(form.deviation_analysis) if form else None),
            (label("form", "improvement_measures"), numbered(form.improvement_measures) if form else None),
            (label("form", "other_notes"), form.other_notes if form else None),
        )
        for i, (text, value) in enumerate(rows, start=top + 1):
            self.put(f"A{i}", text, label=True)
            self.merge(f"B{i}:I{i}")
            self.put(f"B{i}", value)
            if i > top + 1:
                self.ws.row_dimensions[i].height = 60
        c = top + len(rows) + 1
        contacts = form.contacts if form else None
        for col, name, value_area, value in (
            ("A", "project_lead", "B{0}:C{0}", contacts.project_lead if contacts else None),
            ("D", "finance_lead", "E{0}:F{0}", contacts.finance_lead if contacts else None),
            ("G", "phone", "H{0}:I{0}", contacts.phone if contacts else None),
        ):
            self.put(f"{col}{c}", label("contacts", name), label=True)
            area = value_area.format(c)
            self.merge(area)
            self.put(area.split(":")[0], value)
        self.box(top, c)

    def validations(self) -> None:
        from openpyxl.worksheet.datavalidation import DataValidation

        lay = self.layout
        number = DataValidation(
            type="decimal",
            operator="greaterThanOrEqual",
            formula1="0",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="请输入数字",
            error="这里只能填写不小于 0 的数字。",
            showInputMessage=True,
            promptTitle="数字",
            prompt="填写不小于 0 的数字",
        )
        first, last = lay.indicator_header + 1, lay.indicator_last
        number.add(f"D{lay.budget_total}:G{lay.budget_last}")
        number.add(f"I{lay.budget_total}")
        number.add(f"G{first}:H{last}")
        self.ws.add_data_validation(number)
        for ref, key in (("B5", "category"), ("F5", "attribute"), ("H5", "type")):
            # a suggestion list: other wordings printed on real forms stay allowed
            choice = DataValidation(type="list", formula1=f'"{CHOICES[key]}"', allow_blank=True, showErrorMessage=False)
            choice.add(ref)
            self.ws.add_data_validation(choice)
        grade = DataValidation(
            type="list",
            formula1='"优,良,中,差"',
            allow_blank=True,
            showErrorMessage=True,
            error="等级为 优、良、中、差 之一。",
        )
        grade.add(f"B{lay.total + 1}")
        self.ws.add_data_validation(grade)


def numbered(items: list[str]) -> str | None:
    """Several items as one cell the reader splits again (1、… 2、…); one item as it is."""
    if not items:
        return None
    if len(items) == 1:
        return items[0]
    # model.split_numbered does not take "3、12个…" for a mark (it guards decimals): a space keeps it one
    return "\n".join(f"{i}、{' ' if item[:1].isdigit() else ''}{item}" for i, item in enumerate(items, start=1))
