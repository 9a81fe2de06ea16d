"""The form's text cleaned once (reportgen.evaluation.cleaning): empties, instruction text, hollow goals, names, operators."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from reportgen.evaluation.cleaning import (
    clean_text,
    display_name,
    hollow_goal,
    is_semantic_empty,
    prose_operators,
    quote,
    split_cause,
    strip_subheading,
    title_name,
    unit_name,
    unnumbered,
)
from reportgen.evaluation.model import EvaluationForm
from reportgen.evaluation.scoring import evaluate
from reportgen.loaders.clean import clean_text as clean_cell


@pytest.mark.parametrize("text", ["无", "—", "／", "0", "/", "1.无。", "总体分析为：无", "暂无。", " 无 ", "（一）无；"])
def test_semantic_empties(text: str) -> None:
    assert is_semantic_empty(text)
    assert clean_text(text) == (None, False)


@pytest.mark.parametrize("text", ["无偿提供服务", "0.5万元未支付", "资金到位较晚"])
def test_real_content_is_kept(text: str) -> None:
    assert clean_text(text) == (text, False)


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("结合自评情况,说明项目自评总分、等级及主要成效(200字以内)", None),
        ("请说明偏差原因及改进措施情况", None),
        ("对照年度目标,说明相关任务目标的完成情况(100字以内)", None),
        ("资金下达较晚，影响了进度。（200字以内）", "资金下达较晚，影响了进度。"),
        ("针对项目自评中发现的问题,提出下一步改进完善的意见及有关政策性建议。(200字以内)", None),
    ],
)
def test_instruction_text_is_removed(text: str, kept: str | None) -> None:
    assert clean_text(text) == (kept, True)


def test_hollow_goals() -> None:
    assert hollow_goal("社区养老服务", "社区养老服务")
    assert hollow_goal("2021年社区养老服务项目支出绩效自评表", "社区养老服务")
    assert hollow_goal("20210035", "社区养老服务")
    assert hollow_goal("项目支出绩效自评表", "社区养老服务")
    assert not hollow_goal("为辖区300名老人提供居家养老服务", "社区养老服务")


# a raw indicator name -> its display text, whether it is marked core (★), whether it was cut off (…)
DISPLAY_NAMES = [
    ("指标1:培训场次", "培训场次", False, False),
    ("指标6：举办健康教育讲座", "举办健康教育讲座", False, False),
    ("★受益人数", "受益人数", True, False),
    ("312004-道路养护里程", "道路养护里程", False, False),
    ("公众满…", "公众满", False, True),
    ("对推动基建项目（四项制度", "对推动基建项目（四项制度", False, True),
    ("0-6岁儿童健康管理数", "0-6岁儿童健康管理数", False, False),
]

# a cell's raw text -> the text kept, whether it held bidi controls, whether it was changed (a finding)
CONTROL_CHARACTERS = [
    ("a\x00b\x1bc\x7fd", "abcd", False, True),
    ("a\x0cb\x0bc\x85d\u2028e\u2029f", "a\nb\nc\nd\ne\nf", False, True),
    ("a\x9bb\x80c", "abc", False, True),
    ("付款\u202e0001\u202c元", "付款0001元", True, True),
    ("a\u2066b\u2069c\u200fd", "abcd", True, True),
    ("零\u200b宽\ufeff", "零宽", False, True),
    ("Windows\r\n行尾\r", "Windows\n行尾\n", False, False),  # line ends are no finding
    ("正常的文字\t制表符", "正常的文字\t制表符", False, False),
]


def _cases(cleaner: Callable[[str], Any], fields: tuple[str, ...], rows: list[tuple[str, str, bool, bool]]) -> list[Any]:
    return [pytest.param(cleaner, fields, raw, tuple(expected), id=f"{cleaner.__name__}-{i}")
            for i, (raw, *expected) in enumerate(rows)]


@pytest.mark.parametrize(
    ("cleaner", "fields", "raw", "expected"),
    [
        *_cases(display_name, ("text", "core", "cut_off"), DISPLAY_NAMES),
        *_cases(clean_cell, ("text", "bidi", "changed"), CONTROL_CHARACTERS),
    ],
)
def test_cleaners(cleaner: Callable[[str], Any], fields: tuple[str, ...], raw: str, expected: tuple[Any, ...]) -> None:
    result = cleaner(raw)
    assert tuple(getattr(result, field) for field in fields) == expected


def test_project_title_and_unit() -> None:
    assert title_name("2021年度2021年社区养老服务项目支出绩效自评表", 2021) == "社区养老服务"
    assert title_name("51000021R000000019951-工资性支出", 2023) == "工资性支出"
    assert title_name("2020年结转资金项目", 2021) == "2020年结转资金项目"
    assert unit_name("219001-某镇人民政府") == "某镇人民政府"


def test_operators_and_quotes() -> None:
    assert prose_operators("≧735人次，═100%，﹦3次，>=5个，≦2天") == "≥735人次，=100%，=3次，≥5个，≤2天"
    assert quote("推动“四项制度”落实") == "“推动‘四项制度’落实”"


def test_composite_cells_are_split() -> None:
    assert split_cause("原因：资金下达晚。改进措施：提前申请资金") == ("资金下达晚", "提前申请资金")
    assert split_cause("资金下达晚") == ("资金下达晚", None)
    assert strip_subheading("拟与预算安排相结合情况\n将自评结果作为下年度预算安排的依据。") == "将自评结果作为下年度预算安排的依据。"
    assert strip_subheading("加强预算执行管理，按月通报进度。") == "加强预算执行管理，按月通报进度。"
    # the heading set off by a space in the cell (the seed form's 改进措施) is dropped too
    assert strip_subheading("拟与预算安排相结合情况 加大社区便民设施的资金投入。") == "加大社区便民设施的资金投入。"
    assert strip_subheading("整改情况 良好") == "整改情况 良好"  # too short to be a heading and its measure


def test_the_form_is_cleaned_once_and_the_printed_one_kept() -> None:
    form = EvaluationForm.model_validate({
        "project": "2022年度2022年测试项目绩效自评表", "year": 2022, "unit": "测试单位",
        "goals": {"planned": "测试项目", "achieved": "对照年度目标,说明相关任务目标的完成情况(100字以内)"},
        "deviation_analysis": "1.无。2.无。",
        "improvement_measures": ["拟与预算安排相结合情况\n将结果用于下年预算。"],
        "other_notes": "无",
        "indicators": [
            {"name": "指标1:培训场次", "target": "≥10次", "actual": "8次", "weight": 100, "score": 80,
             "cause": "偏差原因：场地维修。改进措施：提前安排场地"},
        ],
    })
    ev = evaluate(form)
    assert ev.printed is form and ev.form is not form
    assert ev.form.project == "测试项目" and form.project.startswith("2022年度")
    assert ev.goal_hollow and ev.form.goals.planned is None and ev.form.goals.achieved is None
    assert ev.form.deviation_analysis == [] and ev.form.other_notes is None
    assert ev.form.improvement_measures == ["将结果用于下年预算。"]
    ind = ev.form.indicators[0]
    assert (ind.cause, ind.measure) == ("场地维修", "提前安排场地")
    assert ev.indicators[0].cause == "场地维修"
    assert ev.indicators[0].display_name == "培训场次" and ev.indicators[0].name == "指标1:培训场次"
    codes = [f.code for f in ev.findings]
    assert codes.count("instruction-text") == 1 and "goal-hollow" in codes


def test_implementer_is_never_the_department() -> None:
    base = {"project": "测试项目", "indicators": [{"name": "甲", "target": "1次", "actual": "1次", "weight": 100,
                                                  "score": 100}]}
    assert evaluate(EvaluationForm.model_validate({**base, "implementer": "甲中心", "unit": "乙局"})).implementer == "甲中心"
    assert evaluate(EvaluationForm.model_validate({**base, "unit": "乙局", "department": "丙局"})).implementer == "乙局"
    ev = evaluate(EvaluationForm.model_validate({**base, "department": "丙局"}))
    assert ev.implementer is None
    assert any(f.code == "implementer-missing" and "丙局" in f.message for f in ev.findings)
    ev = evaluate(EvaluationForm.model_validate({**base, "implementer": "甲中心"}))
    assert ev.form.unit == "甲中心" and any(f.code == "unit-from-implementer" for f in ev.findings)


def test_evaluating_leaves_the_printed_form_as_it_was() -> None:
    """The cleaned form shares what cleaning does not change with the printed one (no deep copy): it must not
    change the printed form — evaluating twice gives the same evaluation, and ev.printed is what was read."""
    from conftest import example_paths

    from reportgen import load

    form = EvaluationForm.model_validate({
        "project": "  社区养老服务补贴项目  ", "year": 2023, "implementer": "区民政局",
        "goals": {"planned": "社区养老服务补贴项目", "achieved": "（请填写）"},
        "indicators": [{"level1": "产出指标", "level2": "数量指标", "name": "补贴人数", "weight": 10,
                        "target": "≥100人", "actual": "90人", "score": 9,
                        "cause": "部分老人迁出", "measure": "请说明偏差原因及改进措施情况"}],
        "deviation_analysis": ["请说明偏差原因及改进措施情况"],
    })
    for printed in [form, *(load(p) for p in example_paths())]:
        before = printed.model_dump()
        first = evaluate(printed)
        assert printed.model_dump() == before
        again = evaluate(printed)
        assert again.form.model_dump() == first.form.model_dump()
        assert [f.code for f in again.findings] == [f.code for f in first.findings]
    cleaned = evaluate(form).form
    # what cleaning and evaluating change is changed in the copy only
    assert (form.unit, form.goals.planned, form.deviation_analysis) == (None, "社区养老服务补贴项目", ["请说明偏差原因及改进措施情况"])
    assert (cleaned.unit, cleaned.goals.planned, cleaned.deviation_analysis) == ("区民政局", None, [])
    assert (form.indicators[0].measure, cleaned.indicators[0].measure) == ("请说明偏差原因及改进措施情况", None)


@pytest.mark.parametrize(("printed", "shown"), [
    ("指标1工程完工率", "工程完工率"), ("指标 2 工程验收合格率", "工程验收合格率"), ("指标一：学生满意度", "学生满意度"),
    ("指标一致性", "指标一致性"), ("指标12个月完成率", "指标12个月完成率"), ("指标1", "指标1"),
    ("指标1项目完成及时率", "项目完成及时率"), ("指标3项完成率", "指标3项完成率"),
])
def test_the_template_s_numbering_is_cut_from_names_with_or_without_a_colon(printed: str, shown: str) -> None:
    assert display_name(printed).text == shown


@pytest.mark.parametrize(("cell", "cause", "measure"), [
    ("资金拨付较晚，影响进度。提高预算准确度。", "资金拨付较晚，影响进度。", "提高预算准确度。"),
    ("资金拨付较晚。下一步将加快支付进度，确保资金及时到位。", "资金拨付较晚。", "下一步将加快支付进度，确保资金及时到位。"),
    ("审批流程长。加强管理不到位导致延误。", "审批流程长。加强管理不到位导致延误。", None),  # still explains
    ("加强管理。提高效率。", "加强管理。提高效率。", None),  # measures only: no cause to split off
])
def test_a_cause_cell_ending_in_unlabelled_measures_is_split(cell: str, cause: str, measure: str | None) -> None:
    assert split_cause(cell, unlabelled=True) == (cause, measure)
    assert split_cause(cell) == (cell, None)  # the row has its own measure: the cell is left as written


@pytest.mark.parametrize(("item", "expected"), [
    ("一是加强预算管理。", "加强预算管理。"), ("（2）资金使用指导还需加强。", "资金使用指导还需加强。"),
    ("1、优化资金使用方向。", "优化资金使用方向。"), ("首先，加快进度。", "加快进度。"),
    ("1.5万元未支付。", "1.5万元未支付。"), ("一是加强管理；二是加快进度。", "一是加强管理；二是加快进度。"),
])
def test_an_item_loses_the_forms_own_numbering_unless_it_enumerates_itself(item: str, expected: str) -> None:
    assert unnumbered(item) == expected
