"""The fill-in workbook: its layout, and the reader reading back exactly what was filled in."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import example_paths

from reportgen.evaluation.model import Budget, EvaluationForm, FundSource, Goals, Indicator
from reportgen.loaders import load
from reportgen.loaders.tabular import read_tabular
from reportgen.loaders.xlsx_template import build_workbook, write_template


@pytest.fixture(scope="module")
def blank(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "自评表.xlsx"
    write_template(path)
    return path


def test_blank_template_layout(blank: Path) -> None:
    wb = openpyxl.load_workbook(blank)
    assert wb.sheetnames == ["自评表", "填表说明"]
    ws = wb["自评表"]
    assert "A1:I1" in {str(r) for r in ws.merged_cells.ranges}
    assert [ws[f"{c}14"].value for c in "ABCDEFGHI"] == [
        "绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施",
    ]  # fmt: skip
    # the 10/50/30/10 default split
    assert ws["G8"].value == 10
    assert [ws[f"B{r}"].value for r in (15, 23, 31)] == ["产出指标（50分）", "效益指标（30分）", "满意度指标（10分）"]
    assert ws["C15"].value == "数量指标" and ws["C31"].value == "服务对象满意度指标"
    assert ws["H8"].value == '=IF(N(E8)>0,F8/E8,"")'
    assert ws["A33"].value == "总分" and ws["H33"].value.startswith("=IF(COUNT(H15:H32,I8)=0")
    numbers = next(dv for dv in ws.data_validations.dataValidation if dv.type == "decimal")
    assert numbers.operator == "greaterThanOrEqual" and numbers.formula1 == "0"
    assert {"G15:H32", "D8:G11", "I8"} <= {str(r) for r in numbers.sqref.ranges}
    lists = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"}
    assert lists["B34"] == '"优,良,中,差"' and "部门预算项目" in lists["B5"]
    assert "填表说明" == wb["填表说明"]["A1"].value


def test_blank_template_reads_without_warnings(blank: Path) -> None:
    from reportgen.loaders.reader import read_grid
    from reportgen.loaders.tabular import read_grids

    [grid] = read_grids(blank)
    data, _, warnings = read_grid(grid, str(blank))
    assert warnings == []
    assert data == {
        "budget": {"unit": "万元", "weight": "10"},
        "indicators": [],
        "categories": {"产出指标": "50", "效益指标": "30", "满意度指标": "10"},
    }


FILLED: dict[str, Any] = {
    "B2": 2024,
    "D2": "示例县民政局",
    "H2": dt.datetime(2025, 3, 31),
    "B3": "困难群众救助补助",
    "B4": "示例县民政局",
    "F4": "各乡镇人民政府",
    "B5": "转移支付项目",
    "F5": "持续性项目",
    "H5": "常年性项目",
    "B6": "保障城乡低保、特困人员基本生活。",
    "D8": 800,
    "E8": "850.50",  # typed as text, with the decimal point
    "F8": "816.48",
    "I8": 9.6,
    "D9": 800,
    "E9": 800,
    "F9": 766.48,
    "E10": "50.5",
    "F10": 50,
    "B13": "全年保障低保对象约3,000人。",
    "F13": "全年保障低保对象3,120人，\n特困人员420人。",
    "D15": "★城乡低保保障人数",
    "E15": "≥3,000人",
    "F15": "3,120人",
    "G15": 30,
    "H15": 30,
    "D17": "救助资金发放准确率",
    "E17": "=100%",  # an "=" target typed as text must stay text
    "F17": "98%",
    "G17": 20,
    "H17": "19.6",
    "I17": "个别对象信息变更未及时更新\n改进措施：每月比对民政与公安数据",
    "D23": "困难群众基本生活",
    "E23": "有效保障",
    "F23": "有效保障",
    "G23": 30,
    "H23": 30,
    "D31": "救助对象满意度",
    "E31": "≥90%",
    "F31": "94%",
    "G31": 10,
    "H31": 10,
    "B34": "优",
    "B35": "1、个别救助对象信息更新不及时。2、部分资金年底才拨付。",
    "B36": "建立数据比对机制。",
    "B37": "无。",
    "B38": "李明",
    "E38": "王芳",
    "H38": "0000-1234567",
}


def test_filled_template_reads_back_exactly(blank: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(blank)
    ws = wb["自评表"]
    for ref, value in FILLED.items():
        ws[ref] = value
    ws["E17"].data_type = "s"
    path = tmp_path / "filled.xlsx"
    wb.save(path)

    [(form, warnings)] = read_tabular(path)
    want = EvaluationForm(
        year=2024,
        unit="示例县民政局",
        filled_on=dt.date(2025, 3, 31),
        project="困难群众救助补助",
        department="示例县民政局",
        implementer="各乡镇人民政府",
        category="转移支付项目",
        attribute="持续性项目",
        type="常年性项目",
        overview="保障城乡低保、特困人员基本生活。",
        budget=Budget(
            unit="万元",
            weight=10,
            initial=800,
            adjusted=Decimal("850.5"),
            executed=Decimal("816.48"),
            rate=Decimal("0.96"),  # the 执行率 formula was never calculated: worked out from the amounts
            score=Decimal("9.6"),
            sources=[
                FundSource(name="本年财政拨款", initial=800, adjusted=800, executed=Decimal("766.48")),
                FundSource(name="上年结转资金", adjusted=Decimal("50.5"), executed=50),
            ],
        ),
        goals=Goals(planned="全年保障低保对象约3,000人。", achieved="全年保障低保对象3,120人，\n特困人员420人。"),
        categories={"产出指标": 50, "效益指标": 30, "满意度指标": 10},
        indicators=[
            Indicator(level1="产出指标", level2="数量指标", name="城乡低保保障人数", weight=30, target="≥3,000人",
                      actual="3,120人", score=30, core=True),
            Indicator(level1="产出指标", level2="质量指标", name="救助资金发放准确率", weight=20, target="=100%",
                      actual="98%", score=Decimal("19.6"), cause="个别对象信息变更未及时更新",
                      measure="每月比对民政与公安数据"),
            Indicator(level1="效益指标", level2="经济效益指标", name="困难群众基本生活", weight=30, target="有效保障",
                      actual="有效保障", score=30),
            Indicator(level1="满意度指标", level2="服务对象满意度指标", name="救助对象满意度", weight=10,
                      target="≥90%", actual="94%", score=10),
        ],  # fmt: skip
        total_score=None,  # a formula Excel never calculated is left empty, never read as its text
        grade="优",
        deviation_analysis=["个别救助对象信息更新不及时。", "部分资金年底才拨付。"],
        improvement_measures=["建立数据比对机制。"],
        other_notes="无。",
        contacts={"project_lead": "李明", "finance_lead": "王芳", "phone": "0000-1234567"},
    )
    assert form.model_dump() == want.model_dump()
    assert [(w.ref, w.message) for w in warnings] == [
        ("!自评表!B8", "执行率未填写（或公式未计算），已按执行数/预算数计算为 96%")
    ]


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_formula_text_never_reaches_the_model(blank: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(blank)
    ws = wb["自评表"]
    ws["B3"], ws["D15"], ws["E15"], ws["F15"], ws["G15"] = "甲", "指标一", "1", "1", 10
    ws["H15"] = "=G15"  # a formula in a score cell, never calculated
    path = tmp_path / "formula.xlsx"
    wb.save(path)
    form = load(path)
    assert form.indicators[0].score is None
    assert not [s for s in _strings(form.model_dump()) if s.startswith("=")]


@pytest.mark.parametrize("example", example_paths(), ids=lambda p: p.stem)
def test_every_example_survives_a_trip_through_the_workbook(example: Path, tmp_path: Path) -> None:
    form = load(example)
    path = tmp_path / "form.xlsx"
    build_workbook(form).save(path)
    [(back, warnings)] = read_tabular(path)
    assert back.model_dump() == form.model_dump()
    assert warnings == []
