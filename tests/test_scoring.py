"""Scoring rules: budget execution, indicator scores, totals and grades (forms built in code)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from conftest import SEED_EXAMPLE

from reportgen.evaluation.model import EvaluationForm
from reportgen.evaluation.scoring import DEFAULT_RULES, ScoringRules, budget_score_capped, evaluate
from reportgen.loaders import load


def form(indicators: list[dict[str, Any]] | None = None, **fields: Any) -> EvaluationForm:
    data: dict[str, Any] = {"year": 2020, "unit": "测试单位", "project": "测试项目"}
    data["indicators"] = indicators or [{"name": "培训场次", "weight": 90, "target": "≥10次", "actual": "10次"}]
    return EvaluationForm.model_validate(data | fields)


def codes(f: EvaluationForm, rules: ScoringRules = DEFAULT_RULES) -> list[str]:
    return [finding.code for finding in evaluate(f, rules).findings]


# --- budget ----------------------------------------------------------------------------------------


def test_rate_is_executed_over_adjusted() -> None:
    ev = evaluate(form(budget={"weight": 10, "initial": 500, "adjusted": 860, "executed": "602.35"}))
    assert ev.budget is not None
    assert ev.budget.base == Decimal(860)
    assert ev.budget.rate == ev.budget.rate_computed == Decimal("602.35") / Decimal(860)
    # 10 × 0.70040… rounded to two decimals
    assert ev.budget.score == ev.budget.score_computed == Decimal("7.00")
    assert ev.budget.score_source == "computed"


def test_rate_falls_back_to_the_initial_budget() -> None:
    ev = evaluate(form(budget={"weight": 20, "initial": 200, "executed": 150}))
    assert ev.budget is not None
    assert ev.budget.base == 200 and ev.budget.rate == Decimal("0.75")
    assert ev.budget.score == Decimal("15.00")


@pytest.mark.parametrize(
    ("weight", "executed", "expected"),
    [
        ("15", "602.35", "10.51"),
        ("10", "100", "10.00"),
        ("10", "120", "10.00"),
        ("20", "0", "0.00"),
        ("3", "33.335", "1.00"),
    ],
    ids=["rounded", "full", "capped-at-weight", "nothing-spent", "half-up"],
)
def test_budget_score_is_weight_times_capped_rate(weight: str, executed: str, expected: str) -> None:
    adjusted = "860" if executed == "602.35" else "100"
    ev = evaluate(form(budget={"weight": weight, "adjusted": adjusted, "executed": executed}))
    assert ev.budget is not None and str(ev.budget.score) == expected


def test_budget_score_capped_rounds_half_up() -> None:
    assert budget_score_capped(Decimal(10), Decimal("0.70045")) == Decimal("7.00")
    assert budget_score_capped(Decimal(10), Decimal("0.7005")) == Decimal("7.01")
    assert budget_score_capped(Decimal(10), Decimal("1.3")) == Decimal("10.00")


def test_yuan_amounts_stay_in_yuan() -> None:
    ev = evaluate(form(budget={"unit": "元", "weight": 10, "adjusted": "1,200,000", "executed": "1,080,000"}))
    assert ev.budget is not None and ev.budget.unit == "元"
    assert ev.budget.rate == Decimal("0.9") and ev.budget.score == Decimal("9.00")


def test_wan_is_the_default_unit() -> None:
    ev = evaluate(form(budget={"weight": 10, "adjusted": 100, "executed": 100}))
    assert ev.budget is not None and ev.budget.unit == "万元"


def test_printed_budget_figures_win_and_are_compared() -> None:
    f = form(budget={"weight": 20, "adjusted": 100, "executed": 95, "rate": "96%", "score": 20}, total_score=None)
    ev = evaluate(f)
    assert ev.budget is not None
    assert ev.budget.rate == Decimal("0.96") and ev.budget.rate_computed == Decimal("0.95")
    assert ev.budget.score == 20 and ev.budget.score_computed == Decimal("19.00")
    assert ev.budget.score_source == "printed"
    assert {"rate-mismatch", "budget-score-mismatch"} <= set(codes(f))


@pytest.mark.parametrize("rate", ["100%", "100.00%", "1", "100", 1, "１００％"])
def test_printed_rate_notations_agree_with_full_execution(rate: object) -> None:
    f = form(budget={"weight": 20, "adjusted": "2,440.91", "executed": "2,440.91", "rate": rate, "score": 20})
    ev = evaluate(f)
    assert ev.budget is not None and ev.budget.rate == 1
    assert "rate-mismatch" not in codes(f)


def test_printed_rate_agrees_within_its_printed_precision() -> None:
    # 602.35 / 860 = 70.0407 %: a form printing 70.04 % or 70 % agrees, 71 % does not
    for printed, differs in (("70.04%", False), ("70%", False), ("71%", True)):
        f = form(budget={"weight": 10, "adjusted": 860, "executed": "602.35", "rate": printed})
        assert ("rate-mismatch" in codes(f)) is differs, printed


def test_budget_score_rule_is_replaceable() -> None:
    def stepped(weight: Decimal, rate: Decimal) -> Decimal:
        return weight if rate >= Decimal("0.9") else Decimal(0)

    f = form(budget={"weight": 10, "adjusted": 100, "executed": 91})
    assert evaluate(f).budget.score == Decimal("9.10")  # type: ignore[union-attr]
    assert evaluate(f, ScoringRules(budget_score=stepped)).budget.score == 10  # type: ignore[union-attr]


def test_zero_budget_gives_no_rate() -> None:
    f = form(budget={"weight": 10, "adjusted": 0, "executed": 0})
    ev = evaluate(f)
    assert ev.budget is not None and ev.budget.rate is None and ev.budget.score is None
    assert "budget-incomplete" in codes(f)


# --- indicators ------------------------------------------------------------------------------------


def one(target: str | None, actual: str | None, weight: object = 10, score: object = None, **extra: Any) -> Any:
    """Evaluate a form holding one indicator and return its result."""
    ind = {"name": "指标甲", "weight": weight, "target": target, "actual": actual, "score": score, **extra}
    return evaluate(form([ind])).indicators[0]


@pytest.mark.parametrize(
    ("target", "actual", "expected"),
    [
        ("≥40个", "28个", "7.00"),
        ("≥40个", "40个", "10.00"),
        ("≥40个", "52个", "10.00"),
        ("≥2次/年", "1次/年", "5.00"),
        ("≥3,000人", "2,910人", "9.70"),
        ("≥95%", "70%", "7.37"),
        ("100%", "100%", "10.00"),
    ],
    ids=["shortfall", "met", "capped", "per-year", "thousands", "percent", "exact"],
)
def test_positive_indicator_is_weight_times_capped_ratio(target: str, actual: str, expected: str) -> None:
    r = one(target, actual)
    assert str(r.score) == expected and r.score_source == "computed"


@pytest.mark.parametrize(
    ("target", "actual", "expected"),
    [
        ("≤200元/人", "180元/人", "10"),
        ("≤200元/人", "200元/人", "10"),
        ("≤200元/人", "250元/人", "8.00"),
        ("≤3,500元/户", "3,860元/户", "9.07"),
    ],
    ids=["under", "equal", "over", "thousands"],
)
def test_reverse_indicator_is_full_until_exceeded(target: str, actual: str, expected: str) -> None:
    r = one(target, actual)
    assert r.score == Decimal(expected)


@pytest.mark.parametrize(
    ("target", "actual"), [("合格", "合格"), ("是", "是"), ("效果明显", "达成预期指标"), ("及时", "及时")]
)
def test_achieved_qualitative_indicator_gets_full_marks(target: str, actual: str) -> None:
    r = one(target, actual)
    assert r.score == 10 and r.met is True and r.status == "met"


@pytest.mark.parametrize(("target", "actual"), [("合格", "基本合格"), ("合格", "不合格"), ("逐步健全", "正在建立")])
def test_unachieved_qualitative_indicator_gets_no_computed_score(target: str, actual: str) -> None:
    ind = {"name": "指标甲", "weight": 10, "target": target, "actual": actual}
    ev = evaluate(form([ind]))
    r = ev.indicators[0]
    assert r.score is None and r.score_computed is None and r.score_source == "none"
    (finding,) = [f for f in ev.findings if f.code == "score-missing"]
    assert "100%–80%" in finding.message and "80%–60%" in finding.message


def test_printed_score_is_kept_and_compared() -> None:
    r = one("≥2次/年", "1次/年", weight=2, score=1)
    assert r.score == 1 and r.score_source == "printed" and r.score_computed == Decimal("1.00")
    assert r.lost == 1 and r.status == "partial"
    ind = {"name": "甲", "weight": 10, "target": "≥40个", "actual": "28个", "score": 5, "cause": "场地未到位"}
    ev = evaluate(form([ind]))
    assert ev.indicators[0].score == 5
    assert "score-mismatch" in [f.code for f in ev.findings]


def test_indicator_without_weight_gets_no_score() -> None:
    r = one("≥40个", "28个", weight=None)
    assert r.score is None and r.lost == 0


def test_status_of_exceeded_indicator() -> None:
    r = one("≥500人", "812人")
    assert r.status == "exceeded" and r.ratio == Decimal("1.624") and r.score == 10


# --- totals and grades -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "grade"),
    [
        ("100", "优"),
        ("90", "优"),
        ("89.99", "良"),
        ("80", "良"),
        ("79.99", "中"),
        ("60", "中"),
        ("59.99", "差"),
        ("0", "差"),
    ],
)
def test_grade_bands_have_inclusive_lower_bounds(total: str, grade: str) -> None:
    assert DEFAULT_RULES.grade(Decimal(total)) == grade
    assert evaluate(form(total_score=total)).grade_computed == grade


def test_grade_bands_are_configurable_in_any_order() -> None:
    rules = ScoringRules(grade_bands=((Decimal(0), "不合格"), (Decimal(85), "合格"), (Decimal(95), "优秀")))
    assert [rules.grade(Decimal(t)) for t in ("96", "95", "94.9", "85", "10")] == [
        "优秀",
        "优秀",
        "合格",
        "合格",
        "不合格",
    ]
    assert evaluate(form(total_score=90), rules).grade == "合格"


def test_printed_grade_wins_and_a_disagreeing_one_is_reported() -> None:
    ev = evaluate(form(total_score=95, grade="良"))
    assert ev.grade == "良" and ev.grade_computed == "优"
    (finding,) = [f for f in ev.findings if f.code == "grade-mismatch"]
    assert "良" in finding.message and "95" in finding.message


@pytest.mark.parametrize(("printed", "grade"), [("优秀", "优"), ("良好", "良"), ("优", "优")])
def test_long_grade_names_are_accepted(printed: str, grade: str) -> None:
    total = "95" if grade == "优" else "85"
    ev = evaluate(form(total_score=total, grade=printed))
    assert ev.grade == grade and "grade-mismatch" not in [f.code for f in ev.findings]


def test_total_is_computed_from_budget_and_indicators() -> None:
    inds = [
        {"name": "甲", "weight": 45, "target": "≥10次", "actual": "10次"},
        {"name": "乙", "weight": 45, "target": "≥10次", "actual": "5次", "score": 20, "cause": "停办"},
    ]
    ev = evaluate(form(inds, budget={"weight": 10, "adjusted": 100, "executed": 90}))
    assert ev.total == ev.total_computed == Decimal("74.00")
    # the grade of a computed total is computed too: kept apart, never stated as the form's grade
    assert ev.total_source == "computed" and ev.grade is None and ev.grade_computed == "中"
    assert ev.figure("total_score").missing and ev.figure("total_computed").computed


def test_printed_total_is_what_the_report_states() -> None:
    ev = evaluate(form(total_score="91", budget={"weight": 10, "adjusted": 100, "executed": 100}))
    assert ev.total == 91 and ev.total_computed == 100 and ev.total_source == "printed"
    assert ev.grade == "优"


def test_no_total_without_every_score() -> None:
    ev = evaluate(form([{"name": "甲", "weight": 90, "target": "合格", "actual": "基本合格"}]))
    assert ev.total is None and ev.grade is None and ev.total_source == "none"


def test_total_weight_counts_the_budget() -> None:
    ev = evaluate(form(budget={"weight": 10, "adjusted": 1, "executed": 1}))
    assert ev.total_weight == 100


# --- the seed form ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed() -> Any:
    return evaluate(load(SEED_EXAMPLE))


def test_seed_budget(seed: Any) -> None:
    b = seed.budget
    assert (b.unit, b.weight, b.base, b.executed) == ("万元", 20, Decimal("2440.91"), Decimal("2440.91"))
    assert b.rate == 1 and b.rate_computed == 1 and b.score == 20 and b.score_computed == 20


def test_seed_total_and_grade(seed: Any) -> None:
    assert seed.total == 98 and seed.total_computed == 98 and seed.total_source == "printed"
    assert seed.grade == "优" and seed.grade_computed == "优"
    assert seed.total_weight == 100


def test_seed_deductions(seed: Any) -> None:
    lost = [(r.name, r.score, r.weight) for r in seed.deducted]
    assert lost == [
        ("年组织开展群众文体活动", 1, 2),
        ("提供各类便民服务,惠及民生,改善居民日常生活环境", 3, 4),
    ]
    service = seed.deducted[1]
    assert service.cause_source in ("analysis", "actual") and "基础设施建设不足" in service.cause


def test_seed_categories(seed: Any) -> None:
    level1 = {c.level1: (c.weight, c.score, c.printed_weight, len(c.indices)) for c in seed.level1}
    assert level1 == {"产出指标": (36, 35, 40, 16), "效益指标": (44, 43, 40, 11)}
    level2 = {c.name: (c.weight, c.score, c.printed_weight) for c in seed.level2}
    assert level2["数量指标"] == (16, 15, 20)
    assert level2["环境效益指标"] == (28, 28, 5)
    assert sum(c.score for c in seed.level2) == 78


@pytest.mark.parametrize(
    ("printed", "differs"), [("100%", True), ("1", True), ("60%", False), ("60.4%", False), ("61%", True)]
)
def test_printed_rate_is_compared_in_percentage_points(printed: str, differs: bool) -> None:
    f = form(budget={"weight": 10, "adjusted": 100, "executed": "60.4", "rate": printed})
    assert ("rate-mismatch" in codes(f)) is differs


def test_printed_total_agrees_within_its_printed_precision() -> None:
    indicators = [{"name": "甲", "weight": 50, "score": "48.86"}, {"name": "乙", "weight": 50, "score": "48.86"}]
    assert "total-mismatch" not in codes(form(indicators, total_score="97.7"))
    assert "total-mismatch" in codes(form(indicators, total_score="97.9"))


def test_cost_far_under_its_cap_is_met_not_exceeded() -> None:
    r = one("≤500元/人", "200元", weight=5, score=5)
    assert r.status == "met"
