"""The fill-in workbook of a 部门整体支出绩效自评表 (``reportgen template-xlsx --type department``).

One sheet in the layout department-wide forms print (domain.md §2.2): the title that marks the form
as department-wide, 部门职能 and 机构和人员, the 部门预算执行情况 block with its 收入 and 支出 rows
(基本支出 / 项目支出), 当年绩效目标 (年初 / 全年调整 / 实际完成), the 年度工作任务 table, and a flat
indicator list with Chongqing's columns (计量单位, 指标性质, 年初/调整指标值, 得分系数, 指标权重, 是否核心指标)
plus optional 一级/二级指标 columns for hierarchical forms. The reader reads every cell written here
back to the same form (tests/test_department.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from reportgen.evaluation.model import FundSource, Indicator, Task
from reportgen.loaders.xlsx_project import ProjectWriter, numbered

COLUMNS = "ABCDEFGHIJKLM"
WIDTHS = {"A": 14, "B": 14, "C": 26, "D": 10, "E": 10, "F": 14, "G": 12, "H": 14, "I": 10, "J": 9, "K": 9, "L": 9,
          "M": 30}
#: the management indicators every department-wide form carries, pre-filled in the blank workbook
DEFAULT_INDICATORS: tuple[tuple[str, str, str], ...] = (
    ("预算调整率", "%", "定量指标"),
    ("结转结余率", "%", "定量指标"),
    ("三公经费控制率", "%", "定量指标"),
    ("政府采购执行率", "%", "定量指标"),
    ("资产管理规范性", "", "定性指标"),
    ("预决算信息公开", "", "定性指标"),
)
BLANK_OUTPUT_ROWS = 6
BLANK_TASK_ROWS = 5
DEFAULT_INCOME = ("财政拨款收入", "其他收入")
DEFAULT_SPENDING = ("基本支出", "项目支出")

INSTRUCTIONS = (
    "填表说明（部门整体支出绩效自评表）",
    "",
    "1. 本工作簿可直接交给 reportgen 读取：reportgen render 部门整体自评表.xlsx；表名须保留“部门整体”字样，"
    "reportgen 据此识别为部门整体支出自评表（无需填写项目名称）。",
    "2. 金额单位默认为万元；如以元填报，请把“部门预算执行情况（万元）”改为“（元）”。"
    "“其中”各行按收入性质（财政拨款收入、其他收入）和支出性质（基本支出、项目支出）填写，可增删行。",
    "3. 执行率由公式按“全年执行数 ÷ 全年预算数”计算；执行率得分请按“分值 × 执行率”（不超过分值）填写。",
    "4. 年度工作任务每行填一项：任务名称、主要内容、完成情况；没有完成的任务也请列出，完成情况如实填写。",
    "5. 绩效指标可不分一级、二级指标（留空即可）；指标得分 = 指标权重 × 得分系数。"
    "预算调整率、结转结余率、各类控制率等越低越好的指标，年初指标值填上限（如“≤5%”或“5%”）。",
    "6. 是否核心指标填“是”或“否”；核心指标未达目标的，请在“偏差原因分析及改进措施”中说明原因。",
    "7. 存在的问题、改进措施可分条填写，每条以“1、”“2、”开头。",
)


class DepartmentWriter(ProjectWriter):
    """Write the department-wide sheet, blank or filled with ``form``; shares cell helpers with the project one."""

    def box(self, first: int, last: int) -> None:
        for row in self.ws.iter_rows(min_row=first, max_row=last, min_col=1, max_col=len(COLUMNS)):
            for cell in row:
                cell.border = self.border

    def write(self) -> None:
        ws, form = self.ws, self.form
        for col, width in WIDTHS.items():
            ws.column_dimensions[col].width = width
        ws.merge_cells("A1:M1")
        year = f"{form.year}年度" if form and form.year else ""
        ws["A1"] = f"{year}部门整体支出绩效自评表"
        ws["A1"].font = type(self.bold)(bold=True, size=16)
        ws["A1"].alignment = self.center
        ws.row_dimensions[1].height = 30
        self.put("A2", "评价年度", label=True)
        self.put("B2", form.year if form else None)
        self.put("C2", "单位名称", label=True)
        self.merge("D2:H2")
        self.put("D2", form.unit if form else None)
        self.put("I2", "填报日期", label=True)
        self.merge("J2:M2")
        filled = form.filled_on if form else None
        self.put("J2", filled, fmt="yyyy-mm-dd" if isinstance(filled, dt.date) else None)
        for row, label, value in (
            (3, "部门职能", form.functions if form else None),
            (4, "机构和人员", form.organisation if form else None),
        ):
            self.put(f"A{row}", label, label=True)
            self.merge(f"B{row}:M{row}")
            self.put(f"B{row}", value)
            ws.row_dimensions[row].height = 40
        self.box(2, 4)
        row = self.write_budget(5)
        row = self.write_goals(row)
        row = self.write_tasks(row)
        row = self.write_indicators(row)
        self.write_summary(row)
        self.validations()
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1

    budget_label = "部门预算执行情况"

    def budget_rows(self) -> list[tuple[str, Any, Any, Any]]:
        """Source rows, then 收入/支出 by nature (blank defaults when the workbook is a template)."""
        budget = self.form.budget if self.form else None

        def rows(items: list[FundSource], defaults: tuple[str, ...]) -> list[tuple[str, Any, Any, Any]]:
            if budget:
                return [(s.name, s.initial, s.adjusted, s.executed) for s in items]
            return [(name, None, None, None) for name in defaults]

        return [
            *rows(budget.sources if budget else [], ()),
            *rows(budget.income if budget else [], DEFAULT_INCOME),
            *rows(budget.spending if budget else [], DEFAULT_SPENDING),
        ]

    def write_goals(self, top: int) -> int:
        goals = self.form.goals if self.form else None
        self.merge(f"A{top}:A{top + 1}")
        self.put(f"A{top}", "当年绩效目标", label=True)
        for area, label, value in (
            ("B{}:E{}", "年初绩效目标", goals.planned if goals else None),
            ("F{}:H{}", "全年（调整）绩效目标", goals.revised if goals else None),
            ("I{}:M{}", "全年目标实际完成情况", goals.achieved if goals else None),
        ):
            first = area.split(":")[0]
            self.merge(area.format(top, top))
            self.put(first.format(top), label, label=True)
            self.merge(area.format(top + 1, top + 1))
            self.put(first.format(top + 1), value)
        self.ws.row_dimensions[top + 1].height = 80
        self.box(top, top + 1)
        return top + 2

    def write_tasks(self, top: int) -> int:
        tasks: list[Task | None] = list(self.form.tasks) if self.form else [None] * BLANK_TASK_ROWS
        if self.form and not tasks:
            return top  # the tasks are the goal text's numbered items
        last = top + len(tasks)
        self.merge(f"A{top}:A{last}")
        self.put(f"A{top}", "年度工作任务完成情况", label=True)
        for area, label in (("B{0}:C{0}", "任务名称"), ("D{0}:H{0}", "主要内容"), ("I{0}:M{0}", "完成情况")):
            self.merge(area.format(top))
            self.put(area.split(":")[0].format(top), label, label=True)
        for i, task in enumerate(tasks, start=top + 1):
            for area, value in (
                ("B{0}:C{0}", task.name if task else None),
                ("D{0}:H{0}", task.planned if task else None),
                ("I{0}:M{0}", task.result if task else None),
            ):
                self.merge(area.format(i))
                self.put(area.split(":")[0].format(i), value)
        self.box(top, last)
        return last + 1

    def write_indicators(self, top: int) -> int:
        self.layout.indicator_header = top
        headers = ("一级指标", "二级指标", "指标名称", "计量单位", "指标性质", "年初指标值", "调整指标值", "全年完成值",
                   "得分系数(%)", "指标权重", "指标得分", "是否核心指标", "偏差原因分析及改进措施")
        for col, text in zip(COLUMNS, headers, strict=True):
            self.put(f"{col}{top}", text, label=True)
        if self.form is not None:
            items: list[Indicator | None] = list(self.form.indicators)
        else:
            items = [None] * (len(DEFAULT_INDICATORS) + BLANK_OUTPUT_ROWS)
        for row, ind in enumerate(items, start=top + 1):
            self.write_row(row, ind, row - top - 1)
        last = top + max(len(items), 1)
        self.layout.indicator_last = last
        self.box(top, last)
        return last + 1

    def write_row(self, row: int, ind: Indicator | None, n: int) -> None:
        if ind is None:
            name, unit, nature = DEFAULT_INDICATORS[n] if n < len(DEFAULT_INDICATORS) else (None, None, None)
            for col, value in zip("CDE", (name, unit or None, nature), strict=True):
                self.put(f"{col}{row}", value)
            self.put(f"L{row}", "否" if name else None)
            return
        parts = [p for p in (ind.cause, f"改进措施：{ind.measure}" if ind.measure else None) if p]
        cells = (ind.level1, ind.level2, ind.name, ind.unit, ind.nature, ind.target, ind.adjusted_target, ind.actual)
        for col, value in zip("ABCDEFGH", cells, strict=True):
            self.put(f"{col}{row}", value)
        if ind.coef is not None:
            self.put(f"I{row}", ind.coef, fmt="0%")
        self.put(f"J{row}", ind.weight)
        self.put(f"K{row}", ind.score)
        self.put(f"L{row}", "是" if ind.core else "否")
        self.put(f"M{row}", "\n".join(parts) or None)

    def validations(self) -> None:
        from openpyxl.worksheet.datavalidation import DataValidation

        lay = self.layout
        number = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                                showErrorMessage=True, errorTitle="请输入数字", error="这里只能填写不小于 0 的数字。")
        number.add(f"D{lay.budget_total}:G{lay.budget_last}")
        number.add(f"I{lay.budget_total}")
        number.add(f"J{lay.indicator_header + 1}:K{lay.indicator_last}")
        self.ws.add_data_validation(number)
        core = DataValidation(type="list", formula1='"是,否"', allow_blank=True, showErrorMessage=True,
                              error="是否核心指标填“是”或“否”。")
        core.add(f"L{lay.indicator_header + 1}:L{lay.indicator_last}")
        self.ws.add_data_validation(core)

    def write_summary(self, top: int) -> None:
        form, lay = self.form, self.layout
        first, last = lay.indicator_header + 1, lay.indicator_last
        t = lay.budget_total
        self.merge(f"A{top}:I{top}")
        self.put(f"A{top}", "自评总分", label=True)
        self.formula(f"J{top}", f'=IF(COUNT(J{first}:J{last},G{t})=0,"",SUM(J{first}:J{last})+N(G{t}))')
        if form and form.total_score is not None:
            self.put(f"K{top}", form.total_score)
        else:
            self.formula(f"K{top}", f'=IF(COUNT(K{first}:K{last},I{t})=0,"",SUM(K{first}:K{last})+N(I{t}))')
        rows = (
            ("自评等级", form.grade if form else None),
            ("存在的问题", numbered(form.deviation_analysis) if form else None),
            ("改进措施", numbered(form.improvement_measures) if form else None),
            ("其他需要说明的问题", form.other_notes if form else None),
        )
        for i, (label, value) in enumerate(rows, start=top + 1):
            self.put(f"A{i}", label, label=True)
            self.merge(f"B{i}:M{i}")
            self.put(f"B{i}", value)
            if i > top + 1:
                self.ws.row_dimensions[i].height = 60
        c = top + len(rows) + 1
        contacts = form.contacts if form else None
        for col, label, area, value in (
            ("A", "财务负责人", "B{0}:F{0}", contacts.finance_lead if contacts else None),
            ("G", "联系电话", "H{0}:M{0}", contacts.phone if contacts else None),
        ):
            self.put(f"{col}{c}", label, label=True)
            self.merge(area.format(c))
            self.put(area.split(":")[0].format(c), value)
        self.box(top, c)

