"""Reconcile the budget rows: which figures the report narrates, adjustments, over- and under-spending.

* A 年度资金总额 row printed as all zeros while a source row (本年财政拨款…) carries the money: the report
  narrates the source row (its amounts are printed; the rate from them is computed and said to be), and a
  finding says that the total row and the budget score need checking.
* 年初 → 全年 adjustments (a cut, a mid-year addition, all the money arriving during the year) carry amount and
  share, and the cause only when the form's own text gives one (else the narrative asks for it).
* Over-spending (> 100 %) is something to explain; its cause too comes only from the form.
* Under-execution reuses the cause written on an indicator about the same money (its target/actual equal the
  budget/executed amounts) instead of claiming the form gives none.

Nothing here formats a sentence; amounts stay in the budget's unit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from reportgen.defaults import MONEY_INDICATOR_TOLERANCE
from reportgen.evaluation.model import Budget, EvaluationForm, FundSource
from reportgen.evaluation.values import _lead, parse_value

__all__ = ["Adjustment", "BudgetFigures", "Reconciliation", "reconcile", "same_money_indicator"]

ZERO = Decimal(0)
_TO_WAN = {"万元": Decimal(1), "万": Decimal(1), "元": Decimal("0.0001"), "亿元": Decimal(10000), "亿": Decimal(10000),
           "千元": Decimal("0.1")}
_ADJUST_WORDS = re.compile(r"调整|追加|调减|调增|调剂|追减|收回|年中下达|追加下达|增加预算|减少预算|压减|核减|新增资金")
_OVER_WORDS = re.compile(r"超支|超出预算|超过预算|超预算|超额支出|超过全年预算")


@dataclass(frozen=True)
class BudgetFigures:
    """The amounts the report narrates and where they were printed."""

    initial: Decimal | None
    adjusted: Decimal | None
    executed: Decimal | None
    row: str  # "年度资金总额" or the source row's name ("本年财政拨款")
    from_source: bool  # the total row was all zeros: these are a source row's figures

    @property
    def base(self) -> Decimal | None:
        return self.adjusted if self.adjusted is not None else self.initial


@dataclass(frozen=True)
class Adjustment:
    """年初预算数 → 全年预算数."""

    kind: Literal["addition", "cut", "all_in_year"]
    initial: Decimal
    adjusted: Decimal
    amount: Decimal  # |adjusted − initial|
    share: Decimal | None  # amount / initial (None when the initial budget was 0)
    cause: str | None  # the form's own words, when it gives them


@dataclass(frozen=True)
class Reconciliation:
    figures: BudgetFigures
    total_zero: bool  # the printed total row is all zeros while a source row has money
    adjustment: Adjustment | None
    over: Decimal | None  # executed − budget when more was spent than budgeted
    over_share: Decimal | None
    over_cause: str | None
    under_cause: str | None  # a cause given on an indicator about the same money
    under_cause_from: str | None  # that indicator's name


def _nonzero(value: Decimal | None) -> bool:
    return value is not None and value != 0


def _all_zero(b: Budget) -> bool:
    amounts = (b.initial, b.adjusted, b.executed)
    return any(a is not None for a in amounts) and not any(_nonzero(a) for a in amounts)


def _source_figures(sources: list[FundSource]) -> BudgetFigures | None:
    carrying = [s for s in sources if _nonzero(s.initial) or _nonzero(s.adjusted) or _nonzero(s.executed)]
    if len(carrying) != 1:
        # several rows with money: their sum would be a computed total; narrating one of them would be wrong
        return None
    s = carrying[0]
    return BudgetFigures(s.initial, s.adjusted, s.executed, s.name, True)


def _sentences(form: EvaluationForm) -> list[str]:
    texts = [form.other_notes or "", form.overview or "", *form.deviation_analysis]
    if form.goals:
        texts.append(form.goals.achieved or "")
    out: list[str] = []
    for text in texts:
        out.extend(s.strip() for s in re.split(r"[。；;\n]", text) if s.strip())
    return out


def _form_says(form: EvaluationForm, words: re.Pattern[str]) -> str | None:
    """The first sentence of the form's free text that speaks of an adjustment / over-spending."""
    for sentence in _sentences(form):
        if words.search(sentence) and re.search(r"预算|资金|经费|万元|元", sentence):
            return sentence
    return None


def _in_wan(number: Decimal, unit: str) -> Decimal | None:
    factor = _TO_WAN.get(unit)
    return None if factor is None else number * factor


def _money_of(text: str | None) -> Decimal | None:
    """A money amount in 万元 read from a target/actual cell, or None when the cell is no amount."""
    if not text:
        return None
    value = _lead(parse_value(text))
    if value.number is None or value.kind not in ("quantity", "range"):
        return None
    return _in_wan(value.number, value.unit)


# an indicator about the share of the budget spent ("预算执行率", "资金支付率"): its actual is the execution rate
_RATE_NAME = re.compile(r"(?:预算|资金|支出|经费)(?:执行|支付|支出|使用|拨付)(?:率|进度)|执行率|支付率|支出进度")
_RATE_TOLERANCE = Decimal("0.5")  # percentage points: 92.5% printed agrees with 925/1000 and with 92.46%


def _rate_of(text: str | None) -> Decimal | None:
    """A percentage read from a cell (92.5 for "92.5%"), or None."""
    if not text:
        return None
    value = _lead(parse_value(text))
    return value.number if value.number is not None and value.unit == "%" else None


def same_money_indicator(form: EvaluationForm, figures: BudgetFigures, unit: str) -> tuple[str, str] | None:
    """(name, cause) of an indicator with a cause whose target/actual are the budget/executed amounts, or which
    names the execution rate and prints it as its actual."""
    base = figures.base
    candidates = [v for v in (base, figures.initial) if v is not None]
    executed = figures.executed
    for ind in form.indicators:
        if not ind.cause:
            continue
        rate = _rate_of(ind.actual) if _RATE_NAME.search(ind.name) else None
        if rate is not None and base and executed is not None and abs(rate - executed / base * 100) <= _RATE_TOLERANCE:
            return ind.name, ind.cause
        target, actual = _money_of(ind.target), _money_of(ind.actual)
        if target is None and actual is None:
            continue
        hits = 0
        for value in candidates:
            wan = _in_wan(value, unit)
            if target is not None and wan is not None and abs(target - wan) <= MONEY_INDICATOR_TOLERANCE:
                hits += 1
                break
        wan_executed = _in_wan(executed, unit) if executed is not None else None
        if actual is not None and wan_executed is not None and abs(actual - wan_executed) <= MONEY_INDICATOR_TOLERANCE:
            hits += 1
        if hits:
            return ind.name, ind.cause
    return None


def reconcile(form: EvaluationForm) -> Reconciliation | None:
    """Decide the budget figures to narrate and what about them needs saying; None without a budget."""
    b = form.budget
    if b is None:
        return None
    figures = BudgetFigures(b.initial, b.adjusted, b.executed, "年度资金总额", False)
    total_zero = False
    if _all_zero(b):
        source = _source_figures(b.sources)
        if source is not None:
            figures, total_zero = source, True
        elif any(_nonzero(s.adjusted) or _nonzero(s.executed) for s in b.sources):
            total_zero = True  # several source rows carry money: flag it, narrate nothing invented
    adjustment = None
    if figures.initial is not None and figures.adjusted is not None and figures.initial != figures.adjusted:
        amount = abs(figures.adjusted - figures.initial)
        if figures.initial == 0:
            kind: Literal["addition", "cut", "all_in_year"] = "all_in_year"
        else:
            kind = "addition" if figures.adjusted > figures.initial else "cut"
        share = amount / figures.initial if figures.initial else None
        adjustment = Adjustment(kind, figures.initial, figures.adjusted, amount, share, _form_says(form, _ADJUST_WORDS))
    over = over_share = over_cause = None
    base = figures.base
    if base and figures.executed is not None and figures.executed > base:
        over = figures.executed - base
        over_share = over / base
        over_cause = _form_says(form, _OVER_WORDS) or (adjustment.cause if adjustment else None)
    under_cause = under_from = None
    if base and figures.executed is not None and figures.executed < base:
        found = same_money_indicator(form, figures, b.unit)
        if found:
            under_from, under_cause = found
    return Reconciliation(figures, total_zero, adjustment, over, over_share, over_cause, under_cause, under_from)
