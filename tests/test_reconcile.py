"""Budget rows reconciled (reportgen.evaluation.reconcile): zero total rows, adjustments, over- and under-spending."""

from __future__ import annotations

from decimal import Decimal as D

from reportgen.evaluation.model import EvaluationForm
from reportgen.evaluation.reconcile import reconcile
from reportgen.evaluation.scoring import evaluate

IND = [{"name": "培训场次", "target": "≥10次", "actual": "10次", "weight": 90, "score": 90}]


def form(budget: dict, **extra) -> EvaluationForm:
    return EvaluationForm.model_validate({"project": "测试项目", "year": 2022, "unit": "测试单位", "budget": budget,
                                          "indicators": extra.pop("indicators", IND), **extra})


def test_zero_total_row_narrates_the_source_row() -> None:
    f = form({"weight": 10, "initial": 0, "adjusted": 0, "executed": 0, "score": 0, "rate": "0",
              "sources": [{"name": "本年财政拨款", "initial": 90, "adjusted": 89.974, "executed": 89.974},
                          {"name": "其他资金", "initial": 0, "adjusted": 0, "executed": 0}]})
    rec = reconcile(f)
    assert rec.total_zero and rec.figures.from_source and rec.figures.row == "本年财政拨款"
    ev = evaluate(f)
    assert (ev.budget.adjusted, ev.budget.executed, ev.budget.rate) == (D("89.974"), D("89.974"), D(1))
    assert ev.budget.score == 0 and ev.budget.score_source == "printed"  # the printed score stays, flagged
    (zero,) = [x for x in ev.findings if x.code == "budget-total-zero"]
    assert "本年财政拨款" in zero.message and "预算执行得分0分" in zero.message
    assert "rate-mismatch" not in {x.code for x in ev.findings}


def test_several_money_rows_are_not_summed() -> None:
    f = form({"weight": 10, "adjusted": 0, "executed": 0, "sources": [
        {"name": "本年财政拨款", "adjusted": 50, "executed": 50}, {"name": "上年结转", "adjusted": 10, "executed": 5}]})
    rec = reconcile(f)
    assert rec.total_zero and not rec.figures.from_source
    assert any(x.code == "budget-total-zero" and "不代为合计" in x.message for x in evaluate(f).findings)


def test_adjustments() -> None:
    cut = reconcile(form({"initial": 100, "adjusted": 80, "executed": 80})).adjustment
    assert (cut.kind, cut.amount, cut.share, cut.cause) == ("cut", D(20), D("0.2"), None)
    add = reconcile(form({"initial": 100, "adjusted": 130, "executed": 130},
                         other_notes="年中追加预算资金30万元用于设备购置。")).adjustment
    assert (add.kind, add.amount, add.share) == ("addition", D(30), D("0.3"))
    assert add.cause == "年中追加预算资金30万元用于设备购置"
    arrived = reconcile(form({"initial": 0, "adjusted": 207.4538, "executed": 207.4538})).adjustment
    assert (arrived.kind, arrived.share) == ("all_in_year", None)
    assert reconcile(form({"initial": 100, "adjusted": 100, "executed": 90})).adjustment is None


def test_over_spending_is_measured_not_praised() -> None:
    rec = reconcile(form({"adjusted": 100, "executed": 120}))
    assert (rec.over, rec.over_share, rec.over_cause) == (D(20), D("0.2"), None)


def test_under_execution_reuses_the_cause_on_the_same_money() -> None:
    indicators = [*IND, {"name": "资金支出", "target": "100万元", "actual": "80万元", "weight": 0, "score": 0,
                         "cause": "部分工程款按合同约定次年支付"}]
    rec = reconcile(form({"adjusted": 100, "executed": 80}, indicators=indicators))
    assert (rec.under_cause, rec.under_cause_from) == ("部分工程款按合同约定次年支付", "资金支出")
    # amounts in 元 on the indicator against a budget in 万元
    indicators[1] = {**indicators[1], "target": "1000000元", "actual": "800000元"}
    assert reconcile(form({"adjusted": 100, "executed": 80}, indicators=indicators)).under_cause_from == "资金支出"
    indicators[1] = {**indicators[1], "target": "≥10次", "actual": "8次"}
    assert reconcile(form({"adjusted": 100, "executed": 80}, indicators=indicators)).under_cause is None


def test_under_execution_reuses_the_cause_on_an_execution_rate_row() -> None:
    """"资金支付率 85%" with its cause, beside a budget executed 85 of 100: the same shortfall, the same cause."""
    row = {"name": "资金支付率", "target": "100%", "actual": "85%", "weight": 10, "score": 8.5,
           "cause": "部分工程款待竣工结算后支付"}
    rec = reconcile(form({"adjusted": 100, "executed": 85}, indicators=[*IND, row]))
    assert (rec.under_cause, rec.under_cause_from) == ("部分工程款待竣工结算后支付", "资金支付率")
    other_rate = {**row, "actual": "70%"}  # another share than the budget's: another shortfall
    assert reconcile(form({"adjusted": 100, "executed": 85}, indicators=[*IND, other_rate])).under_cause is None
    other_name = {**row, "name": "群众满意度"}
    assert reconcile(form({"adjusted": 100, "executed": 85}, indicators=[*IND, other_name])).under_cause is None


def test_a_cause_cell_ending_in_a_measure_explains_the_budget_and_lends_the_measure() -> None:
    row = {"name": "资金支付率", "level1": "产出指标", "level2": "时效指标", "target": "100%", "actual": "85%",
           "weight": 10, "score": 8.5, "cause": "部分工程款待竣工结算后支付。加快结算进度。"}
    ev = evaluate(form({"adjusted": 100, "executed": 85, "weight": 10, "score": 8.5}, indicators=[*IND, row]))
    assert ev.form.indicators[1].cause == "部分工程款待竣工结算后支付。"
    assert ev.form.indicators[1].measure == "加快结算进度。"
    assert ev.reconciliation is not None and ev.reconciliation.under_cause == "部分工程款待竣工结算后支付。"
