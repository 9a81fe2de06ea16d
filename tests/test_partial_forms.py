"""Forms published with columns or cells left blank: no 分值 column, no targets, no actual values.

The report says what the form lacks instead of turning blanks into figures (分值0分), claims (均得满分) or
findings (未出现偏离绩效目标的情况). Small forms in the spirit of real ones (a Hubei layout without a 分值
column; a page whose digits were lost), written for these tests.
"""

from __future__ import annotations

from pathlib import Path

import yaml

import reportgen
from reportgen.checking import check


def _render(tmp_path: Path, data: dict[str, object]) -> reportgen.Report:
    path = tmp_path / "表.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return reportgen.render(path)


NO_WEIGHTS = {
    "year": 2020,
    "unit": "某市水产技术推广站",
    "project": "渔业油价补贴",
    "budget": {"weight": 20, "adjusted": 10, "executed": 10, "score": 20},
    "indicators": [
        {"level1": "产出指标", "level2": "质量指标", "name": "补贴发放准确率", "target": "98%", "actual": "98%",
         "score": 19.6},
        {"level1": "产出指标", "level2": "质量指标", "name": "资料归档率", "target": "100%", "actual": "100%",
         "score": 60},
    ],
    "total_score": 99.6,
}


def test_a_form_without_weights_prints_no_0_and_claims_no_full_marks(tmp_path: Path) -> None:
    report = _render(tmp_path, NO_WEIGHTS)
    md = report.markdown
    assert "分值0分" not in md and "合计0分" not in md and "分值—分" not in md
    assert "得满分" not in md.replace("是否得满分", "").split("## 附表")[0]
    assert "产出指标共2项，共得79.6分（自评表未填写各项指标的分值）" in md
    assert "达到年度目标，自评得分19.6分" in md and "达到年度目标，自评得分60分" in md
    # the printed total (99.6 of 100) shows points were lost: never 全面完成
    conclusion = report.section("conclusion")
    assert conclusion is not None and "全面完成" not in conclusion.markdown
    assert "各项指标是否得满分无从判断" in conclusion.markdown
    assert not [e for e in report.figures if e.figure.path == "categories[产出指标].weight"]  # never stated
    assert report.evaluation is not None
    assert [p.message for p in check(md, data=report.evaluation).problems if p.kind == "fact-mismatch"] == []


BLANKS = {
    "project": "学生资助",
    "implementer": "某学院学生工作处",
    "indicators": [
        {"level1": "产出指标", "level2": "数量指标", "name": "国家奖学金人数", "cause": "因全校总人数减少，指标数相应减少"},
        {"level1": "效益指标", "level2": "社会效益指标", "name": "资助程序是否公正", "target": "是", "actual": "是"},
    ],
}


def test_blank_cells_are_asked_for_and_no_deviation_is_not_concluded(tmp_path: Path) -> None:
    report = _render(tmp_path, BLANKS)
    md = report.markdown
    assert "年度目标值为—" not in md and "为—，" not in md
    assert "为【待补充：“国家奖学金人数”指标的年度目标值】" in md
    deviation = report.section("deviation")
    assert deviation is not None
    assert "未出现偏离绩效目标的情况" not in deviation.markdown and "均已完成" not in deviation.markdown
    assert "有2项指标的实际完成值或得分未填写（或照抄目标值），未填写预算执行数，偏差情况需补填后分析" in deviation.markdown
    measures = report.section("measures")
    assert measures is not None and "未发现" not in measures.markdown
    # the cause the form prints for an indicator it leaves unscored is not dropped
    assert "自评表对指标“国家奖学金人数”的说明为：因全校总人数减少，指标数相应减少。" in md
    assert "项目较好完成" not in md and "全面完成" not in md


def test_an_implementer_printed_as_a_reference_is_named(tmp_path: Path) -> None:
    # "项目实施单位：本单位" (or 同上) refers to the 填报单位: the report names it, never "本单位负责…"
    report = _render(tmp_path, {**NO_WEIGHTS, "implementer": "本单位"})
    assert report.evaluation is not None and report.evaluation.implementer == "某市水产技术推广站"
    basic = report.section("basic")
    assert basic is not None and "本单位负责" not in basic.markdown and "某市水产技术推广站" in basic.markdown
    department = _render(tmp_path, {**NO_WEIGHTS, "department": "某市农业农村局", "implementer": "同主管部门"})
    assert department.evaluation is not None and department.evaluation.implementer == "某市农业农村局"


def test_points_lost_where_no_target_was_printed_are_not_called_a_missed_target(tmp_path: Path) -> None:
    # a 预算执行率 row with actual 100% and 9 of 10 points, no target printed: the row lost a point; that it
    # missed its target is not on the form
    report = _render(tmp_path, {
        "project": "公用经费", "implementer": "某中学",
        "indicators": [
            {"level1": "项目管理", "level2": "投入管理", "name": "预算执行率", "weight": 10, "actual": "100%", "score": 9},
            {"level1": "产出指标", "level2": "数量指标", "name": "保障人数", "weight": 90, "target": "1200人",
             "actual": "1200人", "score": 90},
        ],
    })
    for key in ("deviation", "measures"):
        section = report.section(key)
        assert section is not None and "“预算执行率”" in section.markdown
        assert "未完成年度目标" not in section.markdown and "未达预期" not in section.markdown
    deviation = report.section("deviation")
    assert deviation is not None and "扣1分" in deviation.markdown


def test_a_department_form_with_blanks_states_what_is_printed_and_asks_for_the_rest(tmp_path: Path) -> None:
    report = _render(tmp_path, {
        "type": "department", "year": 2018, "unit": "某县统计局",
        "budget": {"initial": 1922.76, "adjusted": 2690.62},
        "indicators": [
            {"name": "预算控制率", "weight": 8, "target": "=0"},
            {"name": "在职人员控制率", "weight": 8, "target": "≤100%", "actual": "95.10%", "score": 8},
        ],
    })
    md = report.markdown
    assert "年初预算数1,922.76万元，全年预算数2,690.62万元；全年执行数和预算执行率：【待补充：" in md
    assert "按填报得分计分" not in md  # 预算控制率 has no score to count
    assert "完成值为【待补充：“预算控制率”指标的实际完成值】，得分为【待补充：“预算控制率”指标的得分】" in md
    assert "已有得分的指标合计得8分" in md and "自评得8分" not in md
    assert "围绕上述" not in md  # no tasks are listed
    assert "未发现需要说明的问题" not in md and "存在的问题需补填后分析" in md


def test_a_latin_full_stop_after_chinese_text_does_not_double_the_punctuation() -> None:
    from reportgen.narrative import text

    assert text.clause("资金拨付不及时.") == "资金拨付不及时"
    assert text.sentence("偏差过大.；") == "偏差过大。"
    assert text.clause("完成率为98.5") == "完成率为98.5"  # a number's point stays


def test_a_share_over_100_percent_is_quoted_and_questioned_not_called_exceeded(tmp_path: Path) -> None:
    # OCR of "≥90%" or a typing slip: a satisfaction of 290 % is no over-achievement
    data = {**NO_WEIGHTS, "indicators": [
        {"level1": "产出指标", "level2": "数量指标", "name": "补贴发放户数", "weight": 80, "target": "≥100户",
         "actual": "120户", "score": 80},
        {"level1": "满意度指标", "level2": "服务对象满意度指标", "name": "渔民满意度", "weight": 10, "target": "≥90%",
         "actual": "290%"},
    ], "total_score": None}
    report = _render(tmp_path, data)
    md = report.markdown
    assert "实际完成值填报为“290%”，该类比例不应超过100%，疑为填报有误，未作完成程度比较" in md
    assert not [line for line in md.splitlines() if "渔民满意度" in line and "超额" in line]
    assert "高于目标200个百分点" not in md
    ev = report.evaluation
    assert ev is not None and "share-over-100" in {f.code for f in ev.findings}
    satisfaction = ev.indicators[1]
    assert satisfaction.ratio is None and satisfaction.score is None  # no score computed from an impossible rate


def test_the_appendix_total_marks_a_weight_sum_below_full_marks(tmp_path: Path) -> None:
    data = {**NO_WEIGHTS, "indicators": [
        {"level1": "产出指标", "level2": "数量指标", "name": "补贴发放户数", "weight": 20, "target": "≥100户",
         "actual": "120户", "score": 20},
    ], "total_score": 40}
    report = _render(tmp_path, data)
    appendix = report.section("appendix")
    assert appendix is not None
    assert "| 合计 | | | 40※ |" in appendix.markdown and "注：标“※”的数字" in appendix.markdown
    full = _render(tmp_path, {**data, "budget": {**NO_WEIGHTS["budget"], "weight": 80}, "total_score": 100})
    assert full.section("appendix") is not None and "| 合计 | | | 100 |" in full.section("appendix").markdown


def test_a_form_with_names_only_is_refused_for_what_it_lacks(tmp_path: Path) -> None:
    import pytest

    from reportgen.errors import InputError

    with pytest.raises(InputError, match="1项绩效指标都没有填写年度目标值、实际完成值和得分"):
        _render(tmp_path, {"project": "测试项目", "indicators": [{"level1": "产出指标", "name": "人数"}]})


def test_a_department_form_s_account_of_its_self_evaluation_is_reported(tmp_path: Path) -> None:
    report = _render(tmp_path, {
        "type": "department", "year": 2017, "unit": "某县档案馆",
        "self_evaluation": "按照预算绩效管理要求，本部门成立自评小组，对2017年整体支出开展绩效自评",
        "indicators": [{"name": "在职人员控制率", "weight": 8, "target": "≤100%", "actual": "95%", "score": 8}],
    })
    basic = report.section("basic")
    assert basic is not None and "自评工作开展情况" in basic.markdown
    assert "本部门成立自评小组，对2017年整体支出开展绩效自评。" in basic.markdown


def test_an_evaluation_before_2019_is_not_based_on_the_2020_regulation(tmp_path: Path) -> None:
    old = _render(tmp_path, {**NO_WEIGHTS, "year": 2016})
    assert "财预〔2020〕10号" not in old.markdown and "财预〔2011〕285号" in old.markdown
    # terms all found; the gaps left are the form's (its 分值, the report's date)
    assert {p.kind for p in check(old.markdown, data=old.evaluation).problems} == {"placeholder"}
    new = _render(tmp_path, {**NO_WEIGHTS, "year": 2020})
    assert "《项目支出绩效评价管理办法》（财预〔2020〕10号）" in new.markdown


def test_a_form_printing_only_the_initial_budget_is_not_said_to_print_a_full_year_budget(tmp_path: Path) -> None:
    # Beijing's layout has 年初预算数(A) only: the report measures execution against it and names it so
    report = _render(tmp_path, {**NO_WEIGHTS, "budget": {"weight": 20, "initial": 310.2, "executed": 154.74,
                                                       "score": 10}})
    md = report.markdown
    assert "全年预算" not in md.split("## 附表")[0]
    assert "年初预算数310.20万元" in md


def test_a_copied_target_is_no_completion_and_a_benefit_target_no_spending_standard(tmp_path: Path) -> None:
    report = _render(tmp_path, {**NO_WEIGHTS, "indicators": [
        {"level1": "产出指标", "level2": "数量指标", "name": "安装水标尺", "weight": 40, "target": "≥266米",
         "actual": "≥266米", "score": 40},
        {"level1": "效益指标", "level2": "经济效益指标", "name": "带动农户增收", "weight": 40, "target": "≥11.376万元",
         "actual": "12万元", "score": 40},
    ], "total_score": 100})
    md = report.markdown
    deviation = report.section("deviation")
    assert deviation is not None and "未出现偏离" not in deviation.markdown and "需补填后分析" in deviation.markdown
    assert "使用标准" not in md and "成本标准" not in md  # 增收 is a benefit, not what the money pays for


def _partly_weighted() -> dict[str, object]:
    """Two of three output rows print a 分值 (20 and 10), the third none; the scores add to 48."""
    return {
        "year": 2022, "unit": "某县教育局", "project": "校舍维修",
        "budget": {"weight": 10, "adjusted": 100, "executed": 95, "score": 9.5},
        "indicators": [
            {"level1": "产出指标", "level2": "数量指标", "name": "维修校舍面积", "weight": 20, "target": "≥1000平方米",
             "actual": "1000平方米", "score": 20},
            {"level1": "产出指标", "level2": "数量指标", "name": "验收合格率", "target": "100%", "actual": "100%",
             "score": 20},
            {"level1": "产出指标", "level2": "数量指标", "name": "完工及时率", "weight": 10, "target": "100%",
             "actual": "90%", "score": 8},
            {"level1": "满意度指标", "level2": "服务对象满意度指标", "name": "师生满意度", "weight": 10,
             "target": "≥90%", "actual": "95%", "score": 10},
        ],
        "total_score": 67.5,
    }


def test_a_category_with_a_row_without_weight_states_no_partial_sum_as_its_weight(tmp_path: Path) -> None:
    for outline in ("default", "transfer"):
        path = tmp_path / "表.yaml"
        path.write_text(yaml.safe_dump(_partly_weighted(), allow_unicode=True), encoding="utf-8")
        report = reportgen.render(path, outline=outline)
        body = report.markdown.split("## 附表")[0]
        # 30 is the sum of the two printed 分值, not the category's: never "共得48分（分值30分）"
        assert "分值30分" not in body and "合计30分" not in body, outline
        assert "共得48分（自评表有1项指标未填写分值）" in body, outline
        if outline == "default":  # the conclusion's run of category points
            assert "产出指标得48分（自评表有1项指标未填写分值）" in body
        assert "满意度指标" in body and "分值10分" in body  # the fully weighted category keeps its 分值
        assert not [e for e in report.figures if e.figure.path == "categories[产出指标].weight"]
        assert report.evaluation is not None
        assert [p.message for p in check(report.markdown, data=report.evaluation).problems
                if p.kind == "fact-mismatch"] == []


def test_points_lost_where_no_actual_is_filled_are_grouped_as_unjudged(tmp_path: Path) -> None:
    data = _partly_weighted()
    inds = data["indicators"]
    assert isinstance(inds, list)
    inds[1] = {**inds[1], "weight": 20, "score": 16}
    inds[1].pop("actual")
    inds.insert(2, {"level1": "产出指标", "level2": "数量指标", "name": "维修宿舍间数", "weight": 10,
                    "target": "≥20间", "score": 7})
    inds.append({"level1": "效益指标", "level2": "社会效益指标", "name": "消除危房面积", "weight": 20,
                 "target": "≥500平方米", "actual": "400平方米", "score": 16})
    data["total_score"] = 86.5
    report = _render(tmp_path, data)
    md = report.markdown
    deviation = report.section("deviation")
    assert deviation is not None
    text = deviation.markdown
    assert "以上2项指标自评表未填写实际完成值或完成值无法与年度目标值比较，是否完成年度目标无从判断，但自评共扣7分" in text
    paragraph = next(x for x in text.splitlines() if "维修宿舍间数" in x)
    assert "验收合格率" in paragraph and "未达到年度目标" not in paragraph and "未完成" not in paragraph
    # the real shortfalls are still said to have fallen short
    assert "未达到年度目标" in text or "未完成年度目标" in text
    assert report.evaluation is not None
    assert [p.message for p in check(md, data=report.evaluation).problems if p.kind == "fact-mismatch"] == []


def test_a_partly_weighted_partly_unscored_category_says_only_the_scored_rows_sum(tmp_path: Path) -> None:
    data = _partly_weighted()
    inds = data["indicators"]
    assert isinstance(inds, list)
    inds[2] = {**inds[2]}
    inds[2].pop("score")  # 完工及时率: weighted, unscored (and not computable: 90% of a 100% target is scored by rule)
    inds[2]["actual"] = "基本按期"
    report = _render(tmp_path, data)
    body = report.markdown.split("## 附表")[0]
    assert "已有得分的指标共得40分（自评表有1项指标未填写分值）" in body
    assert "产出指标已有得分的指标合计得40分（自评表有1项指标未填写分值）" in body


def test_a_category_over_its_printed_weight_with_a_row_lacking_one_is_still_noted(tmp_path: Path) -> None:
    data = _partly_weighted()
    data["categories"] = {"产出指标": 25}  # rows print 20 + 10 = 30 > 25, a third prints none
    report = _render(tmp_path, data)
    notes = report.markdown.split("其他需要说明的问题")[-1]
    assert "“产出指标”标注25分，所含指标已填分值合计30分" in notes
    assert report.evaluation is not None
    assert [p.message for p in check(report.markdown, data=report.evaluation).problems
            if p.kind == "fact-mismatch"] == []


def test_a_group_with_neither_weights_nor_scores_is_said_unscored_not_dash(tmp_path: Path) -> None:
    # a Hubei layout: no 分值 column, and the 数量指标 rows' scores left blank too
    rows = [
        {"level1": "产出指标", "level2": "数量指标", "name": "资助人数", "target": "≥100人", "actual": "100人"},
        {"level1": "产出指标", "level2": "数量指标", "name": "资助金额", "target": "≥50万元", "actual": "50万元"},
        {"level1": "产出指标", "level2": "质量指标", "name": "资助准确率", "target": "100%", "actual": "100%",
         "score": 20},
        {"level1": "产出指标", "level2": "质量指标", "name": "资料归档率", "target": "100%", "actual": "100%",
         "score": 20},
    ]
    md = _render(tmp_path, {"year": 2020, "unit": "某学院", "project": "学生资助", "indicators": rows}).markdown
    assert "—分" not in md
    assert "数量指标共2项，得分未填写（自评表也未填写各项指标的分值）。" in md
    rows[3] = {**rows[3]}
    rows[3].pop("score")
    md = _render(tmp_path, {"year": 2020, "unit": "某学院", "project": "学生资助", "indicators": rows}).markdown
    assert "质量指标共2项，已有得分的指标共得20分（自评表未填写各项指标的分值）。" in md


def test_an_exceeded_row_without_weight_or_score_prints_no_dash_score(tmp_path: Path) -> None:
    rows = [
        {"level1": "产出指标", "level2": "数量指标", "name": "种植面积", "target": "≥1亩", "actual": "1.5亩"},
        {"level1": "产出指标", "level2": "数量指标", "name": "培训人次", "target": "≥10人次", "actual": "10人次",
         "weight": 10, "score": 10},
    ]
    md = _render(tmp_path, {"year": 2022, "unit": "某镇政府", "project": "产业补助", "indicators": rows}).markdown
    assert "—分" not in md
    assert "得分为【待补充：“种植面积”指标的得分】" in md
