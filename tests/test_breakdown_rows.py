"""Breakdown rows (其中……) under an indicator: parts of it, not indicators of their own.

Real forms print them with a target and an actual but no 分值 and no 得分 (an Anhui 到户 subsidy lists seven
under three scored rows). Counted as indicators they doubled the indicator count and asked for seven scores the
form never meant to give. A small form in that spirit, written for these tests.
"""

from __future__ import annotations

from pathlib import Path

import yaml

import reportgen
from reportgen.checking import check
from reportgen.evaluation.breakdown import part_name, parts_of
from reportgen.evaluation.model import Indicator


def _row(name: str, target: str, actual: str | None, weight: float | None = None, score: float | None = None,
         level2: str = "数量指标") -> dict[str, object]:
    row: dict[str, object] = {"level1": "产出指标", "level2": level2, "name": name, "target": target}
    row |= {k: v for k, v in (("actual", actual), ("weight", weight), ("score", score)) if v is not None}
    return row


FORM = {
    "year": 2023, "unit": "某县教育局", "project": "学生资助补助",
    "budget": {"weight": 10, "adjusted": 100, "executed": 100, "score": 10},
    "indicators": [
        _row("资助学生人数", "≥500人", "520人", 30, 30),
        _row("其中：建档立卡学生人数", "≥120人", "125人"),
        _row("其中残疾学生人数", "≥10人", "8人"),
        _row("资助资金发放及时率", "100%", "100%", 20, 20, "时效指标"),
        _row("其中：秋季学期发放及时率", "100%", "100%", 10, 10, "时效指标"),  # scored: an indicator
        {"level1": "效益指标", "level2": "社会效益指标", "name": "家庭经济困难学生失学率", "target": "0",
         "actual": "0", "weight": 20, "score": 20},
        {"level1": "满意度指标", "level2": "服务对象满意度指标", "name": "受助学生满意度", "target": "≥90%",
         "actual": "96%", "weight": 10, "score": 10},
    ],
    "total_score": 100,
}


def test_rows_opening_with_qizhong_without_points_are_parts_of_the_row_above() -> None:
    inds = [Indicator.model_validate(r) for r in FORM["indicators"]]  # type: ignore[union-attr]
    assert parts_of(inds) == {1: 0, 2: 0}
    assert part_name("其中：建档立卡学生人数") == "建档立卡学生人数" and part_name("其中残疾学生人数") == "残疾学生人数"
    # no parent in the same block above: an ordinary indicator
    lone = [Indicator.model_validate(_row("其中农村学生人数", "≥100人", "100人"))]
    assert parts_of(lone) == {}


def test_a_report_counts_parts_with_their_parent_and_says_them_after_it(tmp_path: Path) -> None:
    path = tmp_path / "表.yaml"
    path.write_text(yaml.safe_dump(FORM, allow_unicode=True), encoding="utf-8")
    report = reportgen.render(path)
    md = report.markdown
    ev = report.evaluation
    assert ev is not None and len(ev.counted) == 5
    assert "共设置三级绩效指标5项" in md
    assert not [f for f in ev.findings if f.code in ("weight-missing", "score-missing")]
    body = md.split("## 附表")[0]
    assert "指标的得分】" not in body  # no score asked for a part
    assert ("“资助学生人数”的分项完成情况为：建档立卡学生人数125人（目标≥120人）和残疾学生人数8人（目标≥10人），"
            "其中“残疾学生人数”未达到分项目标。") in body
    assert "“其中：秋季学期发放及时率”" in body or "“秋季学期发放及时率”" in body  # scored: said as an indicator
    # the part that fell short is a deviation of its own, and the project is not 全面完成
    deviation = report.section("deviation")
    assert deviation is not None
    assert "该项是“资助学生人数”的分项，“资助学生人数”自评得满分" in deviation.markdown
    assert "【待补充：“其中残疾学生人数”指标未达目标值的原因】" in deviation.markdown
    conclusion = report.section("conclusion")
    assert conclusion is not None and "全面完成" not in conclusion.markdown
    appendix = md.split("## 附表")[1]
    assert "| 其中：建档立卡学生人数 | — | ≥120人 | 125人 | — |" in appendix
    assert [p.message for p in check(md, data=ev).problems if p.kind in ("fact-mismatch", "ledger-mismatch")] == []


def _render_form(tmp_path: Path, data: dict[str, object], outline: str = "default") -> reportgen.Report:
    path = tmp_path / f"{outline}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return reportgen.render(path, outline=outline)


def test_every_outline_renders_a_part_that_fell_short(tmp_path: Path) -> None:
    # the summary outline builds the department facts too: a part's deviation is in no indicator group there
    for outline in ("default", "mof", "transfer", "summary"):
        md = _render_form(tmp_path, FORM, outline).markdown
        assert "残疾学生人数" in md, outline


def test_a_part_under_a_parent_that_lost_points_is_said_with_it_not_as_full_marks(tmp_path: Path) -> None:
    data = {**FORM, "indicators": [dict(r) for r in FORM["indicators"]]}  # type: ignore[union-attr]
    inds = data["indicators"]
    assert isinstance(inds, list)
    inds[0].update(actual="450人", score=27)
    data["total_score"] = 97
    report = _render_form(tmp_path, data)
    md = report.markdown
    assert "自评得满分" not in md.split("## 附表")[0]
    assert "“资助学生人数”的分项完成情况为：" in md and "“资助学生人数”" in (report.section("deviation").markdown
                                                                     if report.section("deviation") else "")


def test_several_parts_short_under_full_parents_are_each_said_with_their_parent(tmp_path: Path) -> None:
    data = {**FORM, "indicators": [dict(r) for r in FORM["indicators"]]}  # type: ignore[union-attr]
    inds = data["indicators"]
    assert isinstance(inds, list)
    inds[1].update(actual="100人")  # both parts of 资助学生人数 now short
    deviation = _render_form(tmp_path, data).section("deviation")
    assert deviation is not None
    assert deviation.markdown.count("的分项，“资助学生人数”自评得满分") == 2
    assert "自评均按满分计分" not in deviation.markdown


DEPARTMENT = """\
type: department
year: 2023
unit: 某区文化馆
budget: {adjusted: 100, executed: 96, weight: 10, score: 9.6}
indicators:
  - {name: 预算调整率, target: ≤5%, actual: 3%, weight: 10, score: 10}
  - {name: 群众文化活动场次, target: ≥100场, actual: 120场, weight: 60, score: 60, coef: 100%, core: 是}
  - {name: 其中：线上活动场次, target: ≥30场, actual: 20场}
  - {name: 其中：线下活动场次, target: ≥70场}
  - {name: 群众满意度, target: ≥90%, actual: 95%, weight: 20, score: 20}
total_score: 99.6
"""


def test_a_department_form_with_parts_renders_them_after_their_parent_and_in_the_appendix(tmp_path: Path) -> None:
    path = tmp_path / "dept.yaml"
    path.write_text(DEPARTMENT, encoding="utf-8")
    report = reportgen.render(path)
    md = report.markdown
    assert "“群众文化活动场次（核心指标）”的分项完成情况为：线上活动场次20场（目标≥30场）" in md
    assert "| 其中：线上活动场次 | ≥30场 | 20场 | — | — | — | — |" in md  # no 核心指标 of its own
    assert "| 群众文化活动场次 | ≥100场 | 120场 | 60 | 100% | 60 | 是 |" in md
    assert report.evaluation is not None
    assert [p.message for p in check(md, data=report.evaluation).problems if p.kind == "fact-mismatch"] == []


def test_a_draft_may_count_the_indicators_with_or_without_their_breakdown_rows(tmp_path: Path) -> None:
    report = _render_form(tmp_path, FORM)
    ev = report.evaluation
    assert ev is not None and "共设置三级绩效指标5项" in report.markdown

    def mismatches(md: str) -> list[str]:
        return [p.message for p in check(md, data=ev).problems if p.kind == "fact-mismatch"]

    assert mismatches(report.markdown.replace("共设置三级绩效指标5项", "共设置三级绩效指标7项")) == []  # every row
    assert mismatches(report.markdown.replace("共设置三级绩效指标5项", "共设置三级绩效指标6项"))
