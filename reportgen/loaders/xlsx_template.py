"""Write the fill-in workbook: the standard 项目支出绩效自评表 layout, ready for the reader.

``build_workbook()`` gives the blank form (财预〔2020〕10号 layout: merged headers, an
indicator block with the 10/50/30/10 default split, data validation on amounts, weights
and scores, formulas for 执行率 and the 总分 subtotals, and a 填表说明 sheet);
``build_workbook(form)`` fills it with a form, so any YAML can become a workbook.
The reader reads every cell written here back to the same form (tests/test_import_template.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from reportgen.errors import RenderError
from reportgen.evaluation.model import EvaluationForm
from reportgen.loaders.xlsx_department import INSTRUCTIONS as DEPARTMENT_INSTRUCTIONS
from reportgen.loaders.xlsx_department import DepartmentWriter
from reportgen.loaders.xlsx_project import DEFAULT_LEVELS, ProjectWriter

if TYPE_CHECKING:
    from openpyxl import Workbook

__all__ = ["DEFAULT_LEVELS", "INSTRUCTIONS", "SHEET", "build_workbook", "write_template"]

SHEET = "自评表"
INSTRUCTIONS = (
    "填表说明",
    "",
    "1. 本工作簿可直接交给 reportgen 读取：reportgen render 自评表.xlsx、reportgen import 自评表.xlsx -o form.yaml。",
    "2. 一个工作表填一个项目；多个项目可复制“自评表”工作表，各填一个项目，放在同一个工作簿里。",
    "3. 金额单位默认为万元；如以元填报，请把“项目资金（万元）”改为“项目资金（元）”。",
    "4. 执行率由公式按“全年执行数 ÷ 全年预算数”计算；预算执行得分请按“分值 × 执行率”（不超过分值）填写。",
    "5. 分值默认：预算执行率 10 分，产出指标 50 分，效益指标 30 分，满意度指标 10 分；"
    "如有调整，请直接修改一级指标格中括号里的分值。",
    "6. 每个二级指标预留了两行；指标多时，在该二级指标的两行之间插入整行，合并单元格会随之扩展。"
    "用不到的行留空即可，不会被读取。",
    "7. 三级指标的分值、得分只能填不小于 0 的数字；年度指标值、实际完成值照实填写，如“≥95%”“2,000户”“合格”。",
    "8. 核心指标可在三级指标名称前加“★”。",
    "9. “偏差原因分析及改进措施”一栏先写原因；改进措施另起一行，以“改进措施：”开头。",
    "10. 总分一行的分值、得分为公式合计（含预算执行），也可直接填写打印在表上的总分。",
    "11. 偏差大或目标未完成原因分析、改进措施及结果应用方案可分条填写，每条以“1、”“2、”开头。",
)


def write_template(path: str | Path, form: EvaluationForm | None = None, kind: str | None = None) -> None:
    """Write the fill-in workbook (filled with ``form`` when given) to ``path``.

    ``kind`` "department" (or a department-wide ``form``) writes the 部门整体支出绩效自评表 layout.
    """
    wb = build_workbook(form, kind)
    try:
        wb.save(path)
    except OSError as exc:
        raise RenderError(f"无法写入文件（{exc.strerror}）", where=str(path), hint="请检查目录是否存在、文件是否被占用") from exc


def build_workbook(form: EvaluationForm | None = None, kind: str | None = None) -> Workbook:
    """Return the 自评表 workbook, blank or filled with ``form`` (department-wide layout for such forms)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    instructions: tuple[str, ...] = INSTRUCTIONS
    if kind == "department" or (form is not None and form.is_department):
        DepartmentWriter(ws, form).write()
        instructions = DEPARTMENT_INSTRUCTIONS
    else:
        ProjectWriter(ws, form).write()
    notes = wb.create_sheet("填表说明")
    notes.column_dimensions["A"].width = 110
    for i, line in enumerate(instructions, start=1):
        notes.cell(i, 1, line)
    from openpyxl.styles import Font

    notes["A1"].font = Font(bold=True, size=14)
    return wb
