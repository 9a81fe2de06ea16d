"""The honest status of one indicator: what the form's target, actual and score really say.

``decide(...)`` compares a parsed target with a parsed actual in the indicator's direction (operator checked
against the name lexicon, :mod:`reportgen.evaluation.direction`) and overlays the printed score.  Every outcome gets a
``key`` the templates word on its own:

=================  =====================================================================================
key                meaning
=================  =====================================================================================
met                target reached (higher-is-better or exact), full marks
within_cap         a cap (lower-is-better) held, full marks — never a completion ratio for a cap
exceeded           over-achieved (``gap`` says by how much; ``far`` asks for an analysis, 财预〔2020〕10号)
early / on_time    a deadline ("9月前") met ahead of / on time (提前完成 / 按期完成)
qualitative        a qualitative target stated as achieved ("合格" → "合格"), full marks
descriptive        a qualitative target answered by a description that does not say whether it was achieved
deducted_met       any of the above, but points were deducted (ask for the reason)
short_deducted     target not reached (a cap exceeded, a deadline missed: 逾期), points deducted
short_full         target not reached, full marks all the same
copied             the actual copies the target ("≥300米" for "≥300米", "不得少于3种"): no value was filled in
missing            no actual value
target_missing     an actual but no target
not_comparable     target and actual cannot be compared ("≥50车" against "没有停水", different units)
unscored           compared (``kind`` says how), but no score is printed and none could be computed
=================  =====================================================================================

Rates compared with rates give their gap in percentage points (``gap_unit == "个百分点"``) and no ratio;
``ratio`` is only set for higher-is-better quantities, the one case where "完成率" means something.
Nothing here formats a sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, Protocol

from reportgen.evaluation import vocabulary
from reportgen.evaluation.direction import Direction, direction_of
from reportgen.evaluation.values import Value, _copies_operator, _normalise, _text_key, _unit_key

__all__ = ["Kind", "PartStatus", "Status", "decide", "display_actual", "overall_completion"]

Kind = Literal[
    "met", "exceeded", "short", "early", "on_time", "late", "qualitative", "failed", "descriptive",
    "copied", "missing", "target_missing", "not_comparable", "implausible",
]
#: kinds that count as the target reached
REACHED: frozenset[str] = frozenset({"met", "exceeded", "early", "on_time", "qualitative"})
#: kinds that count as the target not reached
SHORT: frozenset[str] = frozenset({"short", "late", "failed"})
ZERO = Decimal(0)
POINTS = "个百分点"


@dataclass(frozen=True)
class PartStatus:
    """One part of a composite target ("其中体育活动≥2次") compared with the matching actual part."""

    label: str | None
    target: Value
    actual: Value | None  # None: no actual part answers it
    kind: Kind
    gap: Decimal | None = None  # |actual − target| in ``gap_unit``
    gap_unit: str = ""
    summed: bool = False  # the actual is the sum of the actual's parts (computed, not printed)
    actual_number: Decimal | None = None


@dataclass(frozen=True)
class Status:
    """What an indicator's row says, decided once; ``key`` selects the wording."""

    key: str
    kind: Kind
    direction: Direction
    contradiction: bool  # the operator says the opposite of the name (a finding)
    scored: bool
    deducted: bool
    gap: Decimal | None = None  # |actual − target|, in gap_unit (percentage points for rate vs rate)
    gap_unit: str = ""
    ratio: Decimal | None = None  # actual / target, higher-is-better quantities only
    far: bool = False  # over-achieved by far: the form should analyse why
    parts: tuple[PartStatus, ...] = ()
    actual_unit_inherited: bool = False  # a bare actual ("735") read in the target's unit ("人次")

    @property
    def reached(self) -> bool | None:
        """True when the target was reached, False when not, None when the form does not let us say."""
        if self.kind in REACHED:
            return True
        if self.kind in SHORT:
            return False
        return None


# ---------------------------------------------------------------------------------------------------------
# Numeric comparison of two parts.
# ---------------------------------------------------------------------------------------------------------


def _units_agree(t: Value, a: Value) -> bool:
    tu, au = _unit_key(t.unit), _unit_key(a.unit)
    if tu and au and tu != au:
        return False
    if t.per and a.per and t.per != a.per:
        return False
    if {tu, au} == {"%", ""}:
        bare = a if au == "" else t
        # "1" beside "100%": a fraction (a rate printed as 1) or 1 %? Do not guess.
        if bare.number is not None and 0 < bare.number <= 1 and not bare.raw.strip().startswith("0"):
            return False
    return True


def _ends(t: Value, a: Value, direction: Direction) -> tuple[Decimal, Decimal]:
    """The compared ends: low ends for higher-is-better, high ends for caps (the conservative reading)."""
    assert t.number is not None and a.number is not None
    if direction == "lower":
        return (t.high if t.high is not None else t.number), (a.high if a.high is not None else a.number)
    return t.number, a.number


def _compare(t: Value, tv: Decimal, av: Decimal, direction: Direction) -> tuple[Kind, Decimal]:
    """Return (met/exceeded/short, |gap|) for two numbers in one unit."""
    gap = abs(av - tv)
    if t.op == ">" and direction == "higher":
        return ("exceeded" if av > tv else "short"), gap
    if t.op == "<" and direction == "lower":
        return ("met" if av < tv else "short"), gap
    if av == tv:
        return "met", gap
    better = av > tv if direction == "higher" else av < tv
    if not better:
        return "short", gap
    # a cap undercut is simply met (by a margin); a higher-is-better value above its target is over-achieved
    return ("exceeded" if direction == "higher" else "met"), gap


def _part_numbers(t: Value, a: Value, direction: Direction) -> tuple[Decimal, Decimal] | None:
    if t.number is None or a.number is None or not _units_agree(t, a):
        return None
    return _ends(t, a, direction)


# ---------------------------------------------------------------------------------------------------------
# Deadlines: "9月前" answered with "7月".
# ---------------------------------------------------------------------------------------------------------

_MONTH_RE = re.compile(r"(?:(?P<year>(?:19|20)[0-9]{2})年度?)?(?P<month>[0-9]{1,2})月")
_YEAR_END_RE = re.compile(r"年底|年末|年内|12月底|12月末")
_EARLY_WORDS = ("提前完成", "提前")
_ON_TIME_WORDS = ("按期完成", "按时完成", "如期完成", "按期", "按时", "如期", "在规定时间内", "计划时间内")
_LATE_WORDS = ("逾期", "延期", "延迟", "推迟", "滞后", "未按期", "未按时", "超期")


def _month(text: str) -> tuple[int | None, int] | None:
    n = _normalise(text)
    m = _MONTH_RE.search(n)
    if m:
        month = int(m["month"])
        if 1 <= month <= 12:
            return (int(m["year"]) if m["year"] else None, month)
    if _YEAR_END_RE.search(n):
        return (None, 12)
    return None


def _deadline(target: Value, actual: Value) -> Kind:
    words = _normalise(actual.raw)
    if any(w in words for w in _LATE_WORDS):
        return "late"
    due, done = _month(target.raw), _month(actual.raw)
    if due is not None and done is not None:
        year_due, month_due = due
        year_done, month_done = done
        if year_due and year_done and year_due != year_done:
            return "early" if year_done < year_due else "late"
        if month_done < month_due:
            return "early"
        return "on_time" if month_done == month_due else "late"
    if any(w in words for w in _EARLY_WORDS):
        return "early"
    if any(w in words for w in _ON_TIME_WORDS) or actual.achieved is True:
        return "on_time"
    if actual.achieved is False:
        return "late"
    return "not_comparable"


# ---------------------------------------------------------------------------------------------------------
# The decision.
# ---------------------------------------------------------------------------------------------------------


def _lead(value: Value) -> Value:
    return value.parts[0] if value.kind == "compound" and value.parts else value


def _label_key(label: str | None) -> str:
    return re.sub(r"\s+", "", _normalise(label)) if label else ""


def copies_target(target: Value, actual: Value) -> bool:
    """An actual that repeats a target's comparator ("≥300米", "不得少于3种") or the whole target text."""
    if actual.kind == "empty" or target.kind == "empty":
        return False
    if _copies_operator(actual):
        return True
    return target.op not in (None, "=") and _text_key(target.raw) == _text_key(actual.raw)


def _composite(target: Value, actual: Value, direction: Direction) -> tuple[PartStatus, ...]:
    """Compare a composite target part by part with the actual's parts of the same label."""
    a_parts = actual.parts if actual.kind == "compound" else ((actual,) if actual.is_quantitative else ())
    out = []
    for t in target.parts:
        match = next((p for p in a_parts if _label_key(p.label) == _label_key(t.label)), None)
        if match is None and t.label:
            # "体育活动" against "球赛、棋赛等体育活动": the actual's label names the same part more fully
            key = _label_key(t.label)
            match = next((p for p in a_parts if p.label and key in _label_key(p.label)), None)
        summed = False
        av: Decimal | None = None
        if match is None and not t.label and len(a_parts) > 1 and all(p.label for p in a_parts):
            # "≥4次/年" against "文化活动97次、体育活动23次": the total is the sum of the parts (computed)
            same_unit = [p for p in a_parts if p.number is not None and _units_agree(t, p)]
            if len(same_unit) == len(a_parts):
                av, summed, match = sum((p.number for p in same_unit if p.number is not None), ZERO), True, None
        if match is not None:
            pair = _part_numbers(t, match, direction)
            av = pair[1] if pair else None
        if av is None or t.number is None:
            out.append(PartStatus(t.label, t, match, "not_comparable" if match is not None else "missing"))
            continue
        tv = t.high if direction == "lower" and t.high is not None else t.number
        kind, gap = _compare(t, tv, av, direction)
        out.append(PartStatus(t.label, t, match, kind, gap, POINTS if t.unit == "%" else t.unit, summed, av))
    return tuple(out)


def _kind(
    name: str, target: Value, actual: Value, lexicon: str | None, exceed_far: Decimal
) -> tuple[Kind, Direction, bool, dict[str, object]]:
    reading = direction_of(name, target.op, lexicon)
    direction, contradiction = reading.direction, reading.contradiction
    extra: dict[str, object] = {}
    if actual.kind == "empty":  # blank, "—", or a template placeholder ("≥**人")
        return "missing", direction, contradiction, extra
    if target.kind == "empty":
        return "target_missing", direction, contradiction, extra
    if copies_target(target, actual):
        return "copied", direction, contradiction, extra
    if target.deadline:
        return _deadline(target, actual), direction, contradiction, extra
    if target.kind == "compound" and len(target.parts) > 1:
        parts = _composite(target, actual, direction)
        extra["parts"] = parts
        kinds = {p.kind for p in parts}
        if kinds & {"missing", "not_comparable"}:
            return "not_comparable", direction, contradiction, extra
        if "short" in kinds:
            return "short", direction, contradiction, extra
        return ("exceeded" if "exceeded" in kinds else "met"), direction, contradiction, extra
    if target.is_quantitative:
        if not actual.is_quantitative:
            return "not_comparable", direction, contradiction, extra
        t, a = _lead(target), _lead(actual)
        if _label_key(t.label) and _label_key(a.label) and _label_key(t.label) != _label_key(a.label):
            return "not_comparable", direction, contradiction, extra
        pair = _part_numbers(t, a, direction)
        if pair is None:
            return "not_comparable", direction, contradiction, extra
        tv, av = pair
        percent = _unit_key(t.unit) == "%" or _unit_key(a.unit) == "%"
        if _unit_key(a.unit) == "%" and av > 100 and implausible_share(name):
            return "implausible", direction, contradiction, extra
        kind, gap = _compare(t, tv, av, direction)
        extra["gap"] = gap
        extra["gap_unit"] = POINTS if percent else (t.unit or a.unit)
        extra["inherited"] = bool(t.unit) and not a.unit
        if direction == "higher" and tv > 0 and av >= 0:
            ratio = av / tv
            extra["far"] = kind == "exceeded" and ratio >= exceed_far
            if not percent:
                extra["ratio"] = ratio
        return kind, direction, contradiction, extra
    # a qualitative target
    if _text_key(target.raw) == _text_key(actual.raw):
        return "qualitative", direction, contradiction, extra
    if actual.kind == "qualitative" and actual.achieved is not None:
        achieved = actual.achieved if target.achieved is not False else not actual.achieved
        return ("qualitative" if achieved else "failed"), direction, contradiction, extra
    return "descriptive", direction, contradiction, extra


_KEY_OF_REACHED = {"met": "met", "exceeded": "exceeded", "early": "early", "on_time": "on_time",
                   "qualitative": "qualitative"}


# a unit printed at the end of an indicator's name: "人均增收（万元）", "培训人数(人次)"
_NAME_UNIT = re.compile(
    r"[（(]\s*(万元|元|亿元|人次|人|户|个|次|场|项|所|家|公里|千米|米|平方米|万平方米|亩|万亩|吨|台|套|件|天|小时|"
    r"分钟|座|处|间|张|册|本|批|期|篇|辆|头|只|株|kg|km|m²|m2)\s*[)）]\s*$"
)


def name_unit(name: str) -> str:
    """The unit an indicator's name prints in parentheses at its end, else ""."""
    m = _NAME_UNIT.search(name)
    return m[1] if m else ""


def implausible_share(name: str) -> bool:
    """A share that cannot pass 100 % by its name (满意度, 覆盖率…: lexicon/labels.yaml bounded_shares); a change
    in one (资金到位率提升 120 %) can."""
    return any(word in name for word in _BOUNDED) and not any(word in name for word in ("提升", "提高", "增长", "增幅", "变动"))


_BOUNDED = vocabulary.bounded_shares()


def decide(
    name: str,
    target: Value,
    actual: Value,
    weight: Decimal | None,
    score: Decimal | None,
    *,
    lexicon: str | None = None,
    exceed_far: Decimal = Decimal("1.5"),
    unit: str | None = None,
) -> Status:
    """Decide the status of one indicator row (score: printed, else computed, else None). ``unit`` is the row's
    printed 计量单位: the difference's unit when neither the target nor the actual carries one."""
    kind, direction, contradiction, extra = _kind(name, target, actual, lexicon, exceed_far)
    if "gap" in extra and not extra.get("gap_unit"):
        extra["gap_unit"] = (unit or "").strip() or name_unit(name)
    scored = score is not None
    deducted = scored and weight is not None and score is not None and score < weight
    key: str
    if kind in ("missing", "copied", "target_missing", "not_comparable", "implausible"):
        key = kind
    elif not scored:
        key = "unscored"
    elif kind in REACHED:
        key = "deducted_met" if deducted else _KEY_OF_REACHED[kind]
        if key == "met" and direction == "lower":
            key = "within_cap"
    elif kind in SHORT:
        key = "short_deducted" if deducted else "short_full"
    else:  # descriptive
        key = "descriptive"
    return Status(
        key=key,
        kind=kind,
        direction=direction,
        contradiction=contradiction,
        scored=scored,
        deducted=bool(deducted),
        gap=extra.get("gap"),  # type: ignore[arg-type]
        gap_unit=str(extra.get("gap_unit", "")),
        ratio=extra.get("ratio"),  # type: ignore[arg-type]
        far=bool(extra.get("far", False)),
        parts=extra.get("parts", ()),  # type: ignore[arg-type]
        actual_unit_inherited=bool(extra.get("inherited", False)),
    )


def display_actual(target: Value, actual: Value) -> str:
    """The actual as prose prints it: a bare number inherits the target's unit ("735" → "735人次")."""
    raw = actual.raw.strip()
    t = _lead(target)
    if (
        actual.kind == "quantity"
        and not actual.unit
        and t.unit
        and t.is_quantitative
        and re.fullmatch(r"[0-9,.]+", _normalise(raw))
    ):
        return raw + ("%" if _unit_key(t.unit) == "%" else t.unit)
    return raw


# ---------------------------------------------------------------------------------------------------------
# The completion word (全面完成 / 较好完成 / 部分完成 / 未完成).
# ---------------------------------------------------------------------------------------------------------


class _Bands(Protocol):
    # read-only members: the lexicon's Wording is frozen
    @property
    def all_met(self) -> str: ...

    @property
    def bands(self) -> tuple[tuple[Decimal, str], ...]: ...


def overall_completion(
    wording: _Bands, statuses: Iterable[Status], score: Decimal | None, weight: Decimal | None
) -> str | None:
    """The completion word following from the statuses and the points; None when nothing lets us judge.

    全面完成 only when no point was lost and every target was verifiably reached; never 未完成 when some
    target was reached with full marks (the word then rises to the next band).
    """
    items: Sequence[Status] = list(statuses)
    if not items:
        return None
    judged = [s for s in items if s.reached is not None]
    if not judged and not any(s.scored for s in items):
        return None
    lost = score is not None and weight is not None and score < weight
    if not lost and items and all(s.reached is True and not s.deducted for s in items):
        return wording.all_met
    bands = sorted(wording.bands, key=lambda band: band[0], reverse=True)
    if score is None or not weight:
        share = Decimal(len([s for s in judged if s.reached])) / Decimal(len(judged)) if judged else ZERO
    else:
        share = score / weight
    index = next((i for i, (lower, _) in enumerate(bands) if share >= lower), len(bands) - 1)
    if index == len(bands) - 1 and len(bands) > 1 and any(s.reached and not s.deducted for s in items):
        index -= 1
    return bands[index][1]
