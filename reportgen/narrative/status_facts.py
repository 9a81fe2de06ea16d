"""What the templates need to word an indicator's honest status and the reconciled budget.

``status_facts(result)`` turns a :class:`reportgen.evaluation.status.Status` into text pieces and figures: the target
and actual as prose prints them (operators normalised, a bare actual in the target's unit, quotations inside
quotations as ‘’), the gap as a computed figure ("84次", "2个百分点", never a ratio of two rates), the completion
ratio only where it means something, the deadline word, the parts of a composite target and the gaps to ask
for (【待补充：…】).  ``budget_story(evaluation)`` does the same for the budget: the row narrated when the
total row is all zeros, the adjustment, over-spending, and a cause reused from an indicator about the same
money.  The words themselves are in ``templates/status.md.j2`` and the section templates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from reportgen import formatting as fmt
from reportgen.evaluation.cleaning import inner_quotes, prose_operators
from reportgen.evaluation.figures import Figure, computed
from reportgen.evaluation.scoring import Evaluation, IndicatorResult
from reportgen.evaluation.status import POINTS, display_actual
from reportgen.narrative import text
from reportgen.narrative.wording import Wording

#: a descriptive actual longer than this is not quoted in full in the body (the appendix prints it)
QUOTE_MAX = 60
_MONEY_UNITS = {"万元", "元", "亿元", "千元"}


_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+")


def _amount(value: Decimal, unit: str, path: str, rule: str, inputs: tuple[Figure, ...] = (), *,
            grouped: bool = False) -> Figure:
    """A computed difference in the unit printed beside it (money keeps its two decimals).

    ``grouped``: the form writes this indicator's numbers with thousands separators (≥36,000人次), so the
    difference is written so too (少9,000人次, not 少9000人次 beside it).
    """
    if unit in _MONEY_UNITS:
        return computed(value, "money", rule, inputs, path=path, unit=unit)
    return computed(value, "quantity" if grouped else "score", rule, inputs, path=path, unit=unit)


_PERCENT_WORD = re.compile(r"(?<=[0-9])\s*百分比")
_LEADING_EQUALS = re.compile(r"^\s*=\s*(?=[0-9])")


def _unlabelled(raw: str, label: str | None) -> str:
    """A part's value without its label and 其中 ("其中体育活动≥2次" → "≥2次"): the label is said once."""
    shown = raw.replace("其中", "", 1)
    if label:
        shown = shown.replace(label, "", 1)
    return shown.strip(" 、，,；;：:")


@lru_cache(maxsize=65536)
def prose(value: str | None) -> str:
    """A form cell for prose: tidy, operators normalised ("=100%" reads "100%", "100百分比" reads "100%"),
    escaped, inner quotations as ‘’."""
    if not value:
        return ""
    shown = _LEADING_EQUALS.sub("", _PERCENT_WORD.sub("%", prose_operators(text.clause(value))))
    return text.md(inner_quotes(shown))


@dataclass
class PartFacts:
    label: str
    target: str
    actual: str  # as printed, or the computed sum of the actual's parts
    kind: str  # met / exceeded / short / missing / not_comparable
    gap: Figure | None
    gap_unit: str
    summed: bool


@dataclass
class StatusFacts:
    """One indicator's status, ready for wording (``templates/status.md.j2``)."""

    key: str  # see reportgen.evaluation.status: met, within_cap, exceeded, early, on_time, qualitative, descriptive, …
    kind: str
    direction: str  # higher / lower
    percent: bool  # rate compared with rate: gaps in percentage points
    target: str  # prose: ≥ ≤ =, inner quotes ‘’
    actual: str  # prose: a bare number in the target's unit ("735人次")
    gap: Figure | None  # |actual − target|, computed, in gap_unit
    gap_unit: str
    ratio: Figure | None  # actual ÷ target, higher-is-better quantities only
    far: bool
    long_actual: bool  # a description too long to quote in the text (the appendix prints it)
    scored: bool  # a score is printed or computed
    deadline: str  # 提前完成 / 按期完成 / 逾期完成, or ""
    parts: list[PartFacts] = field(default_factory=list)
    name_note: str = ""  # "（核心指标）" for ★, 【待核实】 for a name cut off
    gaps: dict[str, str] = field(default_factory=dict)  # what to ask for: key -> 【待补充：…】
    contested: bool = False  # the operator contradicts the name's direction: the verdict is the printed symbol's


def status_facts(r: IndicatorResult, placeholder, wording: Wording) -> StatusFacts:  # noqa: ANN001 - Facts.placeholder
    """Build the status facts of one indicator; ``placeholder(key, **values)`` registers a 【待补充】 gap."""
    s = r.verdict
    assert s is not None
    ind = r.indicator
    path = f"indicators[{r.index}]"
    name = text.md(text.clause(r.display_name))  # printed inside a 【待补充】 mark: escaped like all form text
    percent = s.gap_unit == POINTS
    gap = None
    # a range actual ("25~30人") has no single distance or ratio worth printing
    ranged = r.actual.kind == "range" or r.target.kind == "range"
    grouped = bool(_GROUPED.search(ind.target or "") or _GROUPED.search(ind.actual or ""))
    if s.gap is not None and s.gap != 0 and not ranged:
        gap = _amount(s.gap, s.gap_unit, f"{path}.gap", "实际完成值与目标值之差（按自评表数值计算）", grouped=grouped)
    ratio = None
    if s.ratio is not None and s.kind in ("exceeded", "short") and s.direction == "higher" and not percent \
            and not ranged:
        ratio = computed(s.ratio, "rate", "实际完成值÷目标值", path=f"{path}.ratio")
    actual = display_actual(r.target, r.actual) if ind.actual else ""
    long_actual = len(text.clause(actual)) > QUOTE_MAX
    parts = []
    for k, p in enumerate(s.parts):
        shown = p.actual.raw if p.actual is not None else ""
        if p.summed and p.actual_number is not None:
            shown = fmt.plain_number(p.actual_number) + (p.target.unit or "")
        part_gap = None
        if p.gap is not None and p.gap != 0:
            part_gap = _amount(p.gap, p.gap_unit, f"{path}.parts[{k}].gap", "分项实际值与分项目标值之差",
                               grouped=grouped)
        parts.append(
            PartFacts(
                label=text.md(p.label or ""),
                target=prose(_unlabelled(p.target.raw, p.label)),
                actual=prose(_unlabelled(shown, p.label)),
                kind=p.kind,
                gap=part_gap,
                gap_unit=p.gap_unit,
                summed=p.summed,
            )
        )
    gaps: dict[str, str] = {}
    if s.key in ("copied", "missing"):
        gaps["actual"] = placeholder("actual", name=name)
    if s.key == "target_missing" or not prose(ind.target):
        # a blank target is asked for whatever else is missing (never printed as "—" inside a sentence)
        gaps["target"] = placeholder("target", name=name)
    if not s.scored and r.part_of is None:  # a breakdown row's points are its parent's: none to ask for
        gaps["score"] = placeholder("score", name=name)
    note = ""
    if r.display and r.display.cut_off:
        note = wording.say("name_note.cut_off")
    if r.display and r.display.core or ind.core:
        note += wording.say("name_note.core")
    return StatusFacts(
        key=s.key,
        kind=s.kind,
        direction=s.direction,
        percent=percent,
        target=prose(ind.target) or gaps["target"],
        actual=prose(actual) or "—",
        gap=gap,
        gap_unit=s.gap_unit,
        ratio=ratio,
        far=s.far,
        long_actual=long_actual,
        scored=s.scored,
        deadline=wording.say(f"deadline.{s.kind}") if s.kind in ("early", "on_time", "late") else "",
        parts=parts,
        name_note=note,
        contested=r.contested,
        gaps=gaps,
    )


# ---------------------------------------------------------------------------------------------------------
# The budget.
# ---------------------------------------------------------------------------------------------------------


@dataclass
class BudgetStory:
    """What the budget paragraph must say besides budget, execution and rate."""

    row: str  # the source row narrated when the 年度资金总额 row is all zeros ("" otherwise)
    zero_total: bool
    zero_total_gap: str
    adjustment: str  # "addition" / "cut" / "all_in_year" / ""
    initial: Figure | None
    adjusted: Figure | None
    change: Figure | None  # |全年 − 年初|, computed
    change_share: Figure | None  # change ÷ 年初, computed
    adjustment_cause: str
    adjustment_gap: str
    over: Figure | None
    over_share: Figure | None
    over_cause: str
    over_gap: str
    under_cause: str  # a cause the form gives on an indicator about the same money
    under_cause_from: str


def budget_story(ev: Evaluation, placeholder) -> BudgetStory | None:  # noqa: ANN001
    """Build the budget story; None without a budget block."""
    rec = ev.reconciliation
    b = ev.budget
    if rec is None or b is None:
        return None
    unit = b.unit
    fig = rec.figures
    path = "budget"
    initial = computed(fig.initial, "money", "自评表填报", path=f"{path}.initial", unit=unit) \
        if fig.initial is not None else None
    adjusted = computed(fig.adjusted, "money", "自评表填报", path=f"{path}.adjusted", unit=unit) \
        if fig.adjusted is not None else None
    adj = rec.adjustment
    change = share = None
    adjustment_cause = adjustment_gap = ""
    if adj is not None:
        change = computed(adj.amount, "money", "全年预算数与年初预算数之差", path=f"{path}.change", unit=unit)
        if adj.share is not None:
            share = computed(adj.share, "rate", "调整金额÷年初预算数", path=f"{path}.change_share")
        if adj.cause:
            adjustment_cause = text.md(text.clause(adj.cause))
        else:
            adjustment_gap = placeholder("adjustment_cause")
    over = over_share = None
    over_cause = over_gap = ""
    if rec.over is not None:
        over = computed(rec.over, "money", "全年执行数−全年预算数", path=f"{path}.over", unit=unit)
        if rec.over_share is not None:
            over_share = computed(rec.over_share, "rate", "超支金额÷全年预算数", path=f"{path}.over_share")
        if rec.over_cause:
            over_cause = text.md(text.clause(rec.over_cause))
        else:
            over_gap = placeholder("over_cause")
    return BudgetStory(
        row=text.md(fig.row) if fig.from_source else "",
        zero_total=rec.total_zero,
        zero_total_gap=placeholder("zero_total") if rec.total_zero else "",
        adjustment=adj.kind if adj else "",
        initial=initial,
        adjusted=adjusted,
        change=change,
        change_share=share,
        adjustment_cause=adjustment_cause,
        adjustment_gap=adjustment_gap,
        over=over,
        over_share=over_share,
        over_cause=over_cause,
        over_gap=over_gap,
        under_cause=text.md(text.clause(rec.under_cause)) if rec.under_cause else "",
        under_cause_from=text.md(text.clause(rec.under_cause_from)) if rec.under_cause_from else "",
    )
