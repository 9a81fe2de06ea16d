"""Every honest status of an indicator (reportgen.evaluation.status), decided on rows built here, not taken from real forms."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from reportgen.evaluation.model import EvaluationForm
from reportgen.evaluation.scoring import evaluate
from reportgen.evaluation.status import decide, display_actual, overall_completion
from reportgen.evaluation.values import parse_value

CASES = [
    # name, target, actual, weight, score, key, kind, gap, gap_unit
    ("培训人数", "≥600人次", "650", 10, 10, "exceeded", "exceeded", "50", "人次"),
    ("培训人数", "≥600人次", "600人次", 10, 10, "met", "met", "0", "人次"),
    ("宣传活动次数", "12次", "96次", 10, 10, "exceeded", "exceeded", "84", "次"),
    ("到位及时率", "≧100%", "100%", 10, 7, "deducted_met", "met", "0", "个百分点"),
    ("政策知晓率", "═100%", "98%", 10, 9, "short_deducted", "short", "2", "个百分点"),
    ("政府采购执行率", "100%", "72.74%", 10, 10, "short_full", "short", "27.26", "个百分点"),
    ("项目总成本", "≤150万元", "98.6万元", 10, 10, "within_cap", "met", "51.4", "万元"),
    ("结转结余率", "2%", "0", 10, 10, "within_cap", "met", "2", "个百分点"),  # no operator: the name says cap
    ("人均成本", "≤300元", "320元", 10, 8, "short_deducted", "short", "20", "元"),
    ("道路硬化长度", "≥300米", "≥300米", 10, 10, "copied", "copied", None, ""),
    ("资料种类", "不得少于3种", "不得少于3种", 10, 10, "copied", "copied", None, ""),
    ("应急送水", "≥50车", "没有停水", 10, 10, "not_comparable", "not_comparable", None, ""),
    ("资金规模", "≥50万元", "50个", 10, 10, "not_comparable", "not_comparable", None, ""),
    ("培训场次", "≥10次", None, 10, None, "missing", "missing", None, ""),
    ("培训场次", None, "10次", 10, 10, "target_missing", "target_missing", None, ""),
    ("培训场次", "≥10次", "8次", 10, None, "unscored", "short", "2", "次"),
    ("验收结果", "合格", "合格", 10, 10, "qualitative", "qualitative", None, ""),
    ("验收结果", "合格", "不合格", 10, 4, "short_deducted", "failed", None, ""),
    ("社会效益", "显著提升", "组织开展了系列宣传活动，群众参与热情较高，社区居民对服务项目普遍认可并积极参与", 10, 10,
     "descriptive", "descriptive", None, ""),
    ("完成时限", "9月前", "7月", 10, 10, "early", "early", None, ""),
    ("完成时限", "9月底前", "9月", 10, 10, "on_time", "on_time", None, ""),
    ("完成时限", "2022年9月前", "2022年11月", 10, 6, "short_deducted", "late", None, ""),
    ("完成时限", "年底前", "按期完成", 10, 10, "on_time", "on_time", None, ""),
]


@pytest.mark.parametrize(
    ("name", "target", "actual", "weight", "score", "key", "kind", "gap", "unit"), CASES,
    ids=[f"{c[5]}-{c[1]}-{c[2]}" for c in CASES],
)
def test_status(name, target, actual, weight, score, key, kind, gap, unit) -> None:
    status = decide(name, parse_value(target), parse_value(actual), D(weight), None if score is None else D(score))
    assert (status.key, status.kind) == (key, kind)
    assert status.gap == (None if gap is None else D(gap))
    assert status.gap_unit == unit


def test_no_completion_ratio_for_caps_or_rates() -> None:
    cap = decide("项目总成本", parse_value("≤150万元"), parse_value("98.6万元"), D(10), D(10))
    rate = decide("合格率", parse_value("≥95%"), parse_value("98%"), D(10), D(10))
    count = decide("培训人数", parse_value("≥600人"), parse_value("300人"), D(10), D(5))
    assert cap.ratio is None and rate.ratio is None
    assert count.ratio == D("0.5")
    assert cap.direction == "lower" and rate.direction == "higher"


def test_far_over_achievement_asks_for_analysis() -> None:
    assert decide("宣传活动次数", parse_value("12次"), parse_value("96次"), D(2), D(2)).far
    assert not decide("宣传活动次数", parse_value("12次"), parse_value("14次"), D(2), D(2)).far


def test_composite_target_is_compared_part_by_part() -> None:
    status = decide("文体活动", parse_value("≥4次/年、其中体育活动≥2次"), parse_value("文化活动97次、体育活动23次"),
                    D(5), D(5))
    assert status.key == "exceeded"
    total, sport = status.parts
    assert (total.kind, total.summed, total.actual_number) == ("exceeded", True, D(120))  # a computed sum
    assert (sport.label, sport.kind, sport.actual_number, sport.gap) == ("体育活动", "exceeded", D(23), D(21))
    short = decide("文体活动", parse_value("≥4次/年、其中体育活动≥2次"), parse_value("文化活动5次、体育活动1次"),
                   D(5), D(4))
    assert short.key == "short_deducted" and [p.kind for p in short.parts] == ["exceeded", "short"]


def test_contradicting_operator_still_decides() -> None:
    status = decide("开展培训次数", parse_value("≤4次"), parse_value("6次"), D(10), D(10))
    assert status.contradiction and status.direction == "lower" and status.key == "short_full"


@pytest.mark.parametrize(
    ("target", "actual", "shown"),
    [("≧735人次", "735", "735人次"), ("≥100百分比", "100", "100%"), ("3%", "0", "0%"), ("≥10次", "10次", "10次"),
     ("合格", "合格", "合格")],
)
def test_bare_actual_inherits_the_target_unit(target: str, actual: str, shown: str) -> None:
    assert display_actual(parse_value(target), parse_value(actual)) == shown


class _Wording:
    all_met = "全面完成"
    bands = ((D("0.9"), "较好完成"), (D("0.6"), "部分完成"), (D(0), "未完成"))


def _st(key_target: str, actual: str, score: int, weight: int = 10):
    return decide("培训人数", parse_value(key_target), parse_value(actual), D(weight), D(score))


def test_completion_word_follows_statuses_and_points() -> None:
    met = _st("≥10人", "10人", 10)
    deducted_met = _st("≥10人", "10人", 9)
    short = _st("≥10人", "2人", 2)
    assert overall_completion(_Wording, [met, met], D(20), D(20)) == "全面完成"
    # never 全面完成 next to a lost point, even when every target was met
    assert overall_completion(_Wording, [met, deducted_met], D(19), D(20)) == "较好完成"
    # never 未完成 next to full marks on a met target
    assert overall_completion(_Wording, [met, short, short, short], D(16), D(40)) == "部分完成"
    assert overall_completion(_Wording, [short, short], D(4), D(20)) == "未完成"
    missing = decide("培训人数", parse_value("≥10人"), parse_value(None), D(10), None)
    assert overall_completion(_Wording, [missing], None, D(10)) is None


def test_evaluation_carries_the_verdict_and_findings() -> None:
    form = EvaluationForm.model_validate({
        "project": "测试项目", "year": 2022, "unit": "测试单位",
        "indicators": [
            {"name": "道路硬化长度", "target": "≥300米", "actual": "不少于300米", "weight": 50, "score": 50},
            {"name": "★指标1:群众满意…", "target": "≥90%", "actual": "95%", "weight": 50, "score": 50},
        ],
    })
    ev = evaluate(form)
    assert [r.verdict.key for r in ev.indicators] == ["copied", "exceeded"]
    assert ev.indicators[0].status == "unknown" and ev.indicators[0].met is None
    assert ev.indicators[1].display_name == "群众满意" and ev.indicators[1].display.core
    codes = [f.code for f in ev.findings]
    assert "actual-copies-target" in codes and "name-cut-off" in codes
