from __future__ import annotations

import pytest

from reportgen.checking import check, load_lexicon
from reportgen.checking.document import from_markdown, from_text, numbering
from reportgen.checking.sections import assign, kinds_of

DRAFT = """# 2021年度某某项目绩效自评报告

## 一、基本情况

项目由区民政局主管，年度目标是完成200户困难家庭帮扶。

## 二、自评结论

经单位自评，该项目综合得分92分，评价等级为优。

## 三、绩效目标完成情况

### （一）预算执行情况

全年预算数100.00万元，实际执行95.00万元，预算执行率95%。

### （二）产出指标

产出指标满分50分，得46分，帮扶户数未完成。

### （三）效益指标

效益指标满分30分，得28分，社会效益达到预期。

## {deviation}

帮扶户数未完成的原因是部分家庭搬迁。

## {measures}

加强入户摸底，完善帮扶台账。

## 七、结果应用

自评结果与下年度预算安排挂钩，并向社会公开。
"""

DEVIATION_HEADINGS = ["五、偏差原因分析", "五、存在的问题", "五、偏差原因", "五、原因分析", "五、主要问题及原因",
                      "五、存在的问题及原因分析", "五、偏离绩效目标的原因", "五、未完成绩效目标的原因",
                      "五、存在的不足"]
MEASURES_HEADINGS = ["六、改进措施", "六、下一步工作", "六、有关建议", "六、几点建议", "六、整改措施",
                     "六、下一步改进工作的意见及建议", "六、今后工作打算", "六、下一步工作思路"]


@pytest.mark.parametrize("heading", DEVIATION_HEADINGS)
def test_deviation_heading_variants(heading: str) -> None:
    result = check(DRAFT.format(deviation=heading, measures="六、改进措施"))
    assert result.ok, [p.message for p in result.problems]
    assert any("deviation" in s.kinds and s.heading == heading for s in result.sections)
    assert {p.group for p in result.present} >= {"deviation-causes", "measures"}


@pytest.mark.parametrize("heading", MEASURES_HEADINGS)
def test_measures_heading_variants(heading: str) -> None:
    result = check(DRAFT.format(deviation="五、偏差原因分析", measures=heading))
    assert result.ok, [p.message for p in result.problems]
    assert any(s.kinds == ("measures",) and s.heading == heading for s in result.sections)


def test_unrecognised_heading_is_a_missing_section() -> None:
    result = check(DRAFT.format(deviation="五、工作亮点", measures="六、改进措施"))
    assert [(p.kind, p.section) for p in result.errors] == [("missing-section", "deviation")]
    assert result.errors[0].line is None
    assert "偏差" in result.errors[0].suggestion


@pytest.mark.parametrize(
    ("heading", "kinds"),
    [
        ("三、偏离绩效目标的原因和下一步改进措施", {"deviation", "measures"}),
        ("七、绩效自评结果应用及公开", {"application"}),  # not the 自评结果 of a conclusion
        ("八、其他需要说明的问题", {"other"}),  # not a deviation section although it says 问题
        ("六、结果应用及其他需要说明的问题", {"application", "other"}),
        ("附表：绩效指标完成情况表", {"appendix"}),
        ("一、项目基本情况及自评结论", {"basic", "summary"}),
        ("二、项目资金使用及管理情况", {"budget"}),
        ("四、绩效目标完成情况分析", {"achievement"}),
        ("（三）满意度指标完成情况", {"achievement", "satisfaction"}),
        ("二、绩效自评工作开展情况", {"process"}),
    ],
)
def test_heading_words_map_to_kinds(heading: str, kinds: set[str]) -> None:
    assert kinds_of(numbering(heading)[1] or heading, load_lexicon().kinds) == kinds


def test_sub_heading_of_measures_does_not_open_a_budget_section() -> None:
    draft = from_markdown("## 六、改进措施\n\n### （一）加强预算执行管理\n\n按进度拨付资金。\n")
    named = assign(draft, load_lexicon().kinds)
    assert [h.kinds for h in named] == [frozenset({"measures"})]
    assert draft.lines[-1].kinds == frozenset({"measures"})


def test_sub_heading_of_a_container_names_its_kind() -> None:
    draft = from_markdown(
        "## 四、绩效目标完成情况分析\n\n### （一）预算执行情况\n\n执行率100%。\n\n## 五、改进措施\n\n加强。\n"
    )
    assign(draft, load_lexicon().kinds)
    assert [sorted(line.kinds) for line in draft.lines] == [
        ["achievement"], ["achievement", "budget"], ["achievement", "budget"], ["measures"], ["measures"]
    ]


def test_headings_in_plain_text_and_bold_markdown() -> None:
    text = from_text(
        "某项目绩效自评报告\n一、基本情况\n项目概况如下。\n（一）项目概况\n1. 资金来源\n1. 加强管理，提高效率。\n"
    )
    assert [(line.heading, line.title) for line in text.lines] == [
        (0, "某项目绩效自评报告"), (1, "基本情况"), (None, ""), (2, "项目概况"), (3, "资金来源"), (None, "")
    ]
    md = from_markdown("**五、存在的问题**\n\n一是资金到位晚。\n\n1. 加强管理\n")
    assert [line.heading for line in md.lines] == [1, None, None]  # "1." in Markdown is a list item


def test_one_paragraph_summary_is_checked_as_a_whole() -> None:
    text = (
        "2021年度某项目绩效自评综述：经单位自评，该项目综合得分92分，评价等级为优。"
        "全年预算数100万元，实际执行95万元，预算执行率95%。"
        "产出指标满分50分，得46分，帮扶户数未完成；效益指标满分30分，得28分，社会效益达到预期。"
        "主要问题及原因：部分家庭搬迁，帮扶户数未完成。下一步将加强入户摸底。"
        "自评结果与下年度预算安排挂钩，并向社会公开。"
    )
    result = check(text)
    assert not [p for p in result.problems if p.kind == "missing-section"]
    assert result.ok, [p.message for p in result.problems]
