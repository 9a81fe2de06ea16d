"""Every 【待补充】 the page offers is a field of the form; filling them all leaves none in the report."""

from __future__ import annotations

import re

import pytest
import yaml
from conftest import SEED_EXAMPLE

from reportgen.evaluation.model import SourceMap
from reportgen.loaders.structured import validate_data
from reportgen.serve.draft import Draft
from reportgen.testing import synthetic_form

ANSWERS = {
    "year": "2021",
    "unit": "东湖街道办事处",
    "total_score": "90",
    "grade": "优",
}


def answer(path: str) -> str:
    if path in ANSWERS:
        return ANSWERS[path]
    if path.startswith("deviation_analysis"):
        return "年底集中支付，部分合同尾款尚未结算"
    if path.startswith("improvement_measures"):
        return "加强与财政部门沟通，加快资金拨付进度\n提前谋划政府采购，合理安排采购时间"
    assert re.fullmatch(r"indicators\[\d+(?:,\d+)*\]\.cause", path), path
    return "受雨季影响，部分工程工期推迟"


def draft_of(data: dict) -> Draft:  # type: ignore[type-arg]
    return Draft(validate_data(data, SourceMap("表.yaml")), "表.yaml")


def stripped_seed() -> dict:  # type: ignore[type-arg]
    data = yaml.safe_load(SEED_EXAMPLE.read_text(encoding="utf-8"))
    for key in ("year", "unit", "total_score", "improvement_measures", "deviation_analysis"):
        data.pop(key, None)
    data["budget"]["executed"] = 1800  # under-executed, with no analysis on the form
    data["budget"].pop("rate", None)
    data["budget"].pop("score", None)
    for ind in data["indicators"]:
        ind.pop("measure", None)
    return data


@pytest.mark.parametrize("data", [stripped_seed(), *(synthetic_form(s) for s in range(0, 60, 7))],
                         ids=["seed-stripped", *(f"synthetic-{s}" for s in range(0, 60, 7))])
def test_filling_every_gap_leaves_no_placeholder(data: dict) -> None:  # type: ignore[type-arg]
    draft = draft_of(data)
    view = draft.run()
    assert view["gaps"] and view["placeholders"] >= len(view["gaps"])
    marks = {g["mark"] for g in view["gaps"]}
    assert set(draft.report.placeholders) <= marks, "a placeholder the page cannot fill"
    draft.fills = {g["id"]: answer(g["path"]) for g in view["gaps"]}
    after = draft.run()
    assert after["placeholders"] == 0, draft.report.placeholders
    # the answers are the form's data now, and the report says them
    for gap in view["gaps"]:
        if gap["path"].startswith("indicators"):
            assert "受雨季影响，部分工程工期推迟" in draft.report.markdown


def test_the_stripped_seed_asks_for_each_kind_of_gap() -> None:
    view = draft_of(stripped_seed()).run()
    paths = {g["path"] for g in view["gaps"]}
    assert {"year", "deviation_analysis[+]", "indicators[4].cause"} <= paths
    labels = {g["label"] for g in view["gaps"]}
    assert "评价年度" in labels and "预算执行率偏低的原因" in labels


def test_fills_become_form_fields() -> None:
    draft = draft_of(stripped_seed())
    draft.run()
    draft.fills = {"year": "2020", "improvement_measures[+]:针对上述偏差的改进措施": "甲措施\n乙措施",
                   "indicators[4].cause": "疫情防控要求暂停活动"}
    draft.run()
    form = draft.form
    assert form is not None
    assert form.year == 2020 and form.improvement_measures[-2:] == ["甲措施", "乙措施"]
    assert form.indicators[4].cause == "疫情防控要求暂停活动"
    assert draft.original.indicators[4].cause is None  # the upload itself is never changed
