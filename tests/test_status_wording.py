"""The wording each honest status, budget case and cleaning rule gets in the report (forms built here)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from reportgen import render
from reportgen.evaluation.model import EvaluationForm
from reportgen.evaluation.scoring import evaluate

BUDGET = {"weight": 10, "initial": 100, "adjusted": 100, "executed": 100, "score": 10}


def ind(name: str, target: str | None, actual: str | None, weight: int = 10, score: float | None = 10,
        level1: str = "产出指标", level2: str = "数量指标", **extra: Any) -> dict[str, Any]:
    row = {"name": name, "level1": level1, "level2": level2, "weight": weight, "target": target, "actual": actual,
           "score": score, **extra}
    return {k: v for k, v in row.items() if v is not None}


def report(*indicators: dict[str, Any], outline: str = "default", **fields: Any) -> str:
    data = {"project": "测试项目", "year": 2022, "unit": "测试单位", "budget": BUDGET, "indicators": list(indicators)}
    data.update(fields)
    return render(evaluate(EvaluationForm.model_validate(data)), outline=outline).markdown


def body(md: str) -> str:
    return md.split("附表")[0]


def line_with(md: str, needle: str) -> str:
    hits = [line for line in body(md).splitlines() if needle in line]
    assert hits, f"no line with {needle!r}"
    return hits[0]


# a second indicator in a category of its own, so the indicator under test is worded alone
FILL = ind("群众满意度", "≥90%", "95%", weight=40, score=40, level1="满意度指标", level2="服务对象满意度指标")


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (ind("培训人数", "≥600人次", "600人次", weight=50, score=50), "600人次，达到年度目标"),
        (ind("宣传活动次数", "12次", "96次", weight=50, score=50), "超出目标84次（为目标值的800%）"),
        (ind("项目总成本", "≤150万元", "98.6万元", weight=50, score=50, level2="成本指标"),
         "实际98.6万元，控制在目标以内，比上限少51.40万元"),
        (ind("结转结余率", "2%", "0", weight=50, score=50), "实际0%，控制在目标以内，比上限低2个百分点"),
        (ind("道路硬化长度", "≥300米", "≥300米", weight=50, score=50),
         "≥300米，实际完成值为【待补充：“道路硬化长度”指标的实际完成值】"),
        (ind("培训场次", "≥10次", None, weight=50, score=50), "≥10次，实际完成值为【待补充：“培训场次”指标的实际完成值】"),
        (ind("应急送水", "≥50车", "没有停水", weight=50, score=50), "实际完成情况为“没有停水”，与目标值口径不同，未作完成程度比较"),
        (ind("验收结果", "合格", "合格", weight=50, score=50), "实际完成情况为“合格”，达成年度目标"),
        (ind("社会效益", "显著提升", "组织开展了系列宣传活动，群众参与热情较高，社区居民普遍认可并积极参与各项活动",
             weight=50, score=50, level1="效益指标", level2="社会效益指标"),
         "组织开展了系列宣传活动，群众参与热情较高，社区居民普遍认可并积极参与各项活动，该项得满分"),
        (ind("完成时限", "9月前", "7月", weight=50, score=50, level2="时效指标"), "提前完成"),
        (ind("完成时限", "9月底前", "9月", weight=50, score=50, level2="时效指标"), "按期完成"),
        (ind("验收结果", "合格", "基本合格", weight=50, score=None), "得分为【待补充：“验收结果”指标的得分】"),
        (ind("文体活动", "≥4次/年、其中体育活动≥2次", "文化活动97次、体育活动23次", weight=50, score=50),
         "合计120次（按各分项相加计算），比目标≥4次/年多116次；体育活动23次，比目标≥2次多21次"),
        (ind("学生受资助人数", "≧735人次", "735", weight=50, score=50), "735人次，达到年度目标"),
    ],
    ids=lambda x: x["name"] if isinstance(x, dict) else "",
)
def test_each_status_has_its_own_wording(row: dict[str, Any], expected: str) -> None:
    md = report(row, FILL)
    assert expected in body(md)
    assert "定性或描述性指标，自评表按满分计分" not in md
    # the body (before the deviation analysis) speaks as the unit: no remark on what the form fills in or scores;
    # the form's own gaps and contradictions are said in 其他需要说明的问题
    assert not re.search(r"自评表(?:填报|未填写|未打分|按满分|以文字)", body(md).split("## 四、")[0])


def test_rate_against_rate_is_in_percentage_points_and_a_cap_has_no_ratio() -> None:
    md = report(ind("政策知晓率", "═100%", "98%", weight=50, score=49), ind("项目总成本", "≤150万元", "98.6万元",
                weight=40, score=40, level2="成本指标"))
    assert "低于目标2个百分点" in body(md)
    assert "完成率98%" not in md and "完成率152" not in md
    # the appendix, too, prints the standard glyph (a 公文's table, not the form's typing)
    assert "═" not in md and "=100%" in md.split("附表")[1]


def test_deduction_on_a_met_target_asks_for_the_reason() -> None:
    md = report(ind("资金到位及时率", "≧100%", "100%", weight=50, score=35, level2="时效指标"), FILL)
    assert "【待补充：“资金到位及时率”指标扣分的理由】" in md


def test_late_deadline_is_overdue() -> None:
    md = report(ind("完成时限", "2022年9月前", "2022年11月", weight=50, score=30, level2="时效指标"), FILL)
    assert "逾期完成" in body(md)


def test_completion_word_never_contradicts_the_points() -> None:
    lost = report(ind("资金到位及时率", "≧100%", "100%", weight=50, score=35, level2="时效指标"), FILL)
    assert "全面完成" not in line_with(lost, "年度绩效目标")
    full = report(ind("培训人数", "≥600人次", "600人次", weight=50, score=50), FILL)
    assert "全面完成" in full and "未完成" not in body(full)


# --- budget ---------------------------------------------------------------------------------------------


def test_zero_total_row_narrates_the_source_row() -> None:
    budget = {"weight": 10, "initial": 0, "adjusted": 0, "executed": 0, "score": 0, "rate": "0",
              "sources": [{"name": "本年财政拨款", "initial": 90, "adjusted": 89.974, "executed": 89.974}]}
    md = report(ind("培训人数", "≥600人次", "600人次", weight=90, score=90), budget=budget)
    text = body(md)
    assert "“本年财政拨款”行" in text and "89.97万元" in text
    assert "【待补充：核实后的年度资金总额及预算执行得分】" in text
    assert "预算执行率0%" not in md


def test_adjustment_with_amount_share_and_cause_gap() -> None:
    budget = {"weight": 10, "initial": 200, "adjusted": 250, "executed": 250, "score": 10}
    md = report(ind("培训人数", "≥600人次", "600人次", weight=90, score=90), budget=budget)
    assert "200.00万元" in md and "调增50.00万元" in md and "占年初预算的25%" in md
    assert "【待补充：预算调整原因】" in md
    given = report(ind("培训人数", "≥600人次", "600人次", weight=90, score=90), budget=budget,
                   other_notes="年中追加预算资金50万元用于设备购置。")
    assert "【待补充：预算调整原因】" not in given and "年中追加预算资金50万元用于设备购置" in given


def test_money_arriving_during_the_year() -> None:
    budget = {"weight": 10, "initial": 0, "adjusted": 207.45, "executed": 207.45, "score": 10}
    md = report(ind("培训人数", "≥600人次", "600人次", weight=90, score=90), budget=budget)
    assert "年初未安排预算" in md and "年度中下达" in md


def test_over_spending_is_explained_not_praised() -> None:
    budget = {"weight": 10, "adjusted": 100, "executed": 120, "score": 10}
    md = report(ind("培训人数", "≥600人次", "600人次", weight=90, score=90), budget=budget)
    text = line_with(md, "执行数超过")
    assert "20.00万元" in text and "20%" in text and "【待补充：执行数超过预算数的原因】" in text
    assert not re.search(r"超额完成|成效显著|圆满", text)


def test_under_execution_reuses_the_cause_on_the_same_money() -> None:
    budget = {"weight": 10, "adjusted": 100, "executed": 80, "score": 8}
    md = report(ind("培训人数", "≥600人次", "600人次", weight=80, score=80),
                ind("资金支出", "100万元", "80万元", weight=2, score=2, level2="成本指标",
                    cause="部分工程款按合同约定次年支付"), budget=budget)
    dev = line_with(md, "预算执行率偏低")
    assert "部分工程款按合同约定次年支付" in dev and "【待补充：预算执行率偏低的原因】" not in md


# --- cleaning -------------------------------------------------------------------------------------------


def test_semantic_empties_and_instruction_text_never_reach_the_report() -> None:
    md = report(ind("培训人数", "≥600人次", "500人次", weight=90, score=75, cause="0"),
                deviation_analysis="1.无。", other_notes="无", improvement_measures="请说明改进措施情况（200字以内）",
                goals={"planned": "对照年度目标,说明相关任务目标的完成情况(100字以内)", "achieved": "—"})
    assert "1.无。" not in md and "总体分析为：无" not in md and "字以内" not in md and "请说明" not in md
    assert "【待补充：“培训人数”指标的偏差原因】" in md


def test_hollow_goal_is_asked_for() -> None:
    md = report(FILL, goals={"planned": "测试项目"})
    assert "【待补充：年度总体目标】" in md


def test_display_names_are_cleaned_for_prose_and_kept_in_the_appendix() -> None:
    md = report(ind("指标1:★培训人数", "≥600人次", "600人次", weight=50, score=50),
                ind("312004-群众满…", "≥90%", "95%", weight=40, score=40, level1="满意度指标", level2="满意度指标"),
                project="2022年度2022年测试项目支出绩效自评表")
    text, appendix = body(md), md.split("附表")[1]
    assert "指标1:" not in text and "312004" not in text and "2022年度2022年" not in md
    assert "（核心指标）" in text and "【待核实】" in text
    assert "指标1:★培训人数" in appendix


def test_nested_quotation_marks() -> None:
    md = report(ind("对推动“四项制度”落实的影响", "效果明显", "达成预期指标", weight=50, score=50,
                    level1="效益指标", level2="可持续影响指标"), FILL)
    assert "“对推动‘四项制度’落实的影响”" in body(md)


def test_implementer_is_never_the_department() -> None:
    as_implementer = ("实施单位为{}", "{}负责具体实施", "由{}组织实施")
    md = report(FILL, department="某某局", unit="某某中心")
    assert any(p.format("某某中心") in md for p in as_implementer)
    assert not any(p.format("某某局") in md for p in as_implementer)
    missing = report(FILL, department="某某局", unit=None)
    assert not any(p.format("某某局") in missing for p in as_implementer)
    assert any(p.format("【待补充：项目实施单位】") in missing for p in as_implementer)


def test_composite_cause_cell_is_split() -> None:
    md = report(ind("培训人数", "≥600人次", "500人次", weight=90, score=75,
                    cause="原因：场地维修停用两个月。改进措施：提前安排备用场地"))
    dev = line_with(md, "场地维修")
    assert "改进措施" not in dev
    assert "提前安排备用场地" in md


@pytest.mark.parametrize(
    ("target", "actual", "expected"),
    [
        ("≥36,000人次", "27,000人次", "少9,000人次"),  # the form groups its digits: so does the difference
        ("≥36000人次", "27000人次", "少9000人次"),  # it does not: neither does the report
        ("≥36000人次", "27,000人次", "少9,000人次"),  # grouped anywhere in the indicator's own cells
        ("≥1,200人", "1,150人", "少50人"),  # nothing to group
    ],
)
def test_a_computed_difference_groups_digits_as_the_form_does(target: str, actual: str, expected: str) -> None:
    md = report(ind("上门服务人次", target, actual, weight=50, score=40), FILL)
    assert expected in line_with(md, "比目标少")


def test_a_difference_takes_the_unit_the_name_or_the_unit_column_prints_when_the_values_carry_none() -> None:
    md = report(ind("培训农民人数（人次）", "≥43.2", "37.24", score=8),
                ind("户均增收", "≥2", "1.5", score=7, unit="万元"), ind("完成事项数", "≥10", "8", score=8))
    assert "比目标少5.96人次" in line_with(md, "培训农民人数")
    assert "比目标少0.50万元" in line_with(md, "户均增收")
    assert re.search(r"比目标少2(?![\d.万人个])", line_with(md, "完成事项数"))  # no unit anywhere: none invented


def test_a_descriptive_actual_told_as_a_result_prints_standard_glyphs() -> None:
    md = report(ind("社区走访", "开展社区走访", "完成全部社区的走访工作，做到≧全覆盖，群众反映良好", weight=50, score=50),
                FILL)
    assert "做到≥全覆盖" in md.split("附表")[0] and "≧" not in md
