"""Score a form and find its inconsistencies: ``evaluate(form) -> Evaluation``.

Real forms are the ground truth: a printed score, total or grade is what the report
states. The formulas here (财预〔2020〕10号 and provincial footnotes, domain.md §5) only
fill in what is missing and raise findings where the printed figures disagree.
Scoring never formats a sentence; it produces facts.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Literal

from reportgen import defaults
from reportgen import formatting as fmt
from reportgen.evaluation import vocabulary
from reportgen.evaluation.breakdown import parts_of
from reportgen.evaluation.cleaning import CleanName, clean_form, display_name, hollow_goal
from reportgen.evaluation.direction import direction_of
from reportgen.evaluation.findings import Finding, found
from reportgen.evaluation.model import Budget, EvaluationForm, FundSource, Indicator, source_of
from reportgen.evaluation.reconcile import Reconciliation, reconcile
from reportgen.evaluation.similarity import text_overlap
from reportgen.evaluation.status import Status, copies_target, decide, implausible_share
from reportgen.evaluation.values import Value, completion_ratio, meets, parse_value

if TYPE_CHECKING:
    from reportgen.evaluation.department import TaskResult
    from reportgen.evaluation.figures import Figure

Status_ = Literal["met", "exceeded", "partial", "missed", "unknown"]
ONE = Decimal(1)
ZERO = Decimal(0)


def budget_score_capped(weight: Decimal, rate: Decimal) -> Decimal:
    """Score = weight × min(rate, 1) (Hubei "20分*执行率", Beijing "最高不得超过分值上限")."""
    return fmt.quantize(weight * min(rate, ONE), 2)


@dataclass(frozen=True)
class ScoringRules:
    """The replaceable parts of scoring; the defaults follow 财预〔2020〕10号."""

    grade_bands: tuple[tuple[Decimal, str], ...] = defaults.GRADE_BANDS
    budget_score: Callable[[Decimal, Decimal], Decimal] = budget_score_capped
    #: completion above this ratio counts as "exceeded by far" (10号 asks for an analysis)
    exceed_far_ratio: Decimal = defaults.EXCEED_FAR_RATIO
    #: execution below this rate gets its own paragraph in the deviation analysis
    low_execution_rate: Decimal = defaults.LOW_EXECUTION_RATE
    total_weight: Decimal = defaults.TOTAL_WEIGHT
    #: a --lexicon folder whose direction.yaml replaces the built-in name lexicon (None: built-in)
    lexicon: str | None = None

    def grade(self, total: Decimal) -> str:
        """Return 优/良/中/差 for a total (lower bounds inclusive: 90 is 优)."""
        # highest band first, whatever order a configuration lists them in
        bands = sorted(self.grade_bands, key=lambda band: band[0], reverse=True)
        for lower, name in bands:
            if total >= lower:
                return name
        return bands[-1][1]


DEFAULT_RULES = ScoringRules()


@dataclass
class BudgetResult:
    unit: str
    weight: Decimal | None
    initial: Decimal | None
    adjusted: Decimal | None
    executed: Decimal | None
    rate: Decimal | None  # the rate the report states: printed if present, else computed
    rate_computed: Decimal | None
    score: Decimal | None  # printed if present, else computed
    score_computed: Decimal | None
    score_source: Literal["printed", "computed", "none"]

    @property
    def base(self) -> Decimal | None:
        """The amount execution is measured against: the adjusted budget, else the initial one."""
        return self.adjusted if self.adjusted is not None else self.initial

    @property
    def lost(self) -> Decimal:
        if self.weight is None or self.score is None:
            return ZERO
        return max(self.weight - self.score, ZERO)


@dataclass
class IndicatorResult:
    index: int
    indicator: Indicator
    target: Value
    actual: Value
    weight: Decimal | None
    score: Decimal | None  # printed if present, else computed
    score_computed: Decimal | None
    score_source: Literal["printed", "computed", "none"]
    ratio: Decimal | None  # completion ratio (quantitative only)
    met: bool | None
    status: Status_  # coarse grouping; ``verdict`` says what the row really says
    cause: str | None  # the form's own words: the indicator's cause, its actual, or a linked analysis item
    cause_source: Literal["indicator", "actual", "analysis", "none"]
    verdict: Status | None = None  # the honest status (reportgen.evaluation.status): what the row really says
    display: CleanName | None = None  # the name as prose prints it (the appendix keeps indicator.name)
    part_of: int | None = None  # a breakdown row (其中……) of the indicator at this index (evaluation.breakdown)
    contested: bool = False  # the target's operator says the opposite of the name's direction: judged as printed

    @property
    def name(self) -> str:
        return self.indicator.name

    @property
    def display_name(self) -> str:
        return self.display.text if self.display else self.indicator.name

    @property
    def level1(self) -> str:
        return self.indicator.level1 or "未分类指标"

    @property
    def level2(self) -> str:
        return self.indicator.level2 or self.level1

    @property
    def lost(self) -> Decimal:
        if self.weight is None or self.score is None:
            return ZERO
        return max(self.weight - self.score, ZERO)

    @property
    def full_marks(self) -> bool:
        return self.weight is not None and self.score is not None and self.score >= self.weight

    @property
    def core(self) -> bool:
        """A 核心指标 (printed 是否核心指标 = 是, or ★): its shortfall weighs more in the text."""
        return self.indicator.core

    @property
    def lower_better(self) -> bool:
        """Judged as a cap (≤ printed, or the name says so: lexicon/direction.yaml)."""
        if self.verdict is not None:
            return self.verdict.direction == "lower"
        return self.target.direction == "reverse"

    @property
    def short(self) -> bool:
        """The indicator fell short of its target or lost points."""
        return self.status in ("partial", "missed") or self.lost > 0


@dataclass
class CategoryResult:
    level1: str
    level2: str | None  # None for a level-1 total
    indices: list[int]
    weight: Decimal
    score: Decimal
    printed_weight: Decimal | None

    @property
    def name(self) -> str:
        return self.level2 or self.level1


@dataclass
class Evaluation:
    form: EvaluationForm
    budget: BudgetResult | None
    indicators: list[IndicatorResult]
    level1: list[CategoryResult]
    level2: list[CategoryResult]
    total: Decimal | None
    total_computed: Decimal | None
    total_source: Literal["printed", "computed", "none"]
    grade: str | None
    grade_computed: str | None
    findings: list[Finding] = field(default_factory=list)
    # a printed total over what the rows could reach, some scores blank: (printed scores, 分值 of the unscored)
    total_bound: tuple[Decimal, Decimal] | None = None
    linked_analysis: set[int] = field(default_factory=set)  # deviation_analysis items tied to an indicator
    rules: ScoringRules = DEFAULT_RULES
    printed: EvaluationForm | None = None  # the form as printed; ``form`` is its text cleaned once (cleaning.py)
    reconciliation: Reconciliation | None = None  # which budget figures are narrated, adjustments, causes
    implementer: str | None = None  # 项目实施单位, else 填报单位 — never the 主管部门
    goal_hollow: bool = False  # the printed goal is only the project name, a number or the table title
    tasks: list[TaskResult] = field(default_factory=list)  # a department-wide form's annual tasks
    unpaired_results: list[str] = field(default_factory=list)  # reported items no task took as its result
    form_digest: str = ""  # ``form`` as it was scored (``digest_of``): whether it has changed since

    @property
    def kind(self) -> str:
        return self.form.kind

    @cached_property
    def counted(self) -> list[IndicatorResult]:
        """The indicators the form counts and scores: every row but breakdown rows (其中……, their parent's)."""
        return [r for r in self.indicators if r.part_of is None]

    @property
    def core_short(self) -> list[IndicatorResult]:
        """Core indicators that fell short: the text names them first."""
        return [r for r in self.counted if r.core and r.short]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @cached_property
    def figures(self) -> dict[str, Figure]:
        """Every figure with its origin, by field path or derived key (see ``reportgen.narrative.provenance``)."""
        from reportgen.narrative.provenance import evaluation_figures

        return evaluation_figures(self)

    def figure(self, key: str) -> Figure:
        """One figure by key (``total_score``, ``budget.rate``, ``indicators[3].score``…)."""
        return self.figures[key]

    @property
    def deducted(self) -> list[IndicatorResult]:
        return [r for r in self.indicators if r.lost > 0]

    @property
    def total_weight(self) -> Decimal:
        indicator = sum((r.weight or ZERO for r in self.counted), ZERO)
        return indicator + (self.budget.weight or ZERO if self.budget else ZERO)


# --- helpers -------------------------------------------------------------------------------------

# the money columns and the breakdowns of the budget block, by their printed labels (lexicon/labels.yaml)
_BREAKDOWN_COLUMNS = tuple((key, vocabulary.label("budget", key)) for key in ("initial", "adjusted", "executed"))
_BREAKDOWN_GROUPS = tuple((key, vocabulary.yaml_only("budget", key)[0]) for key in ("sources", "income", "spending"))

_PLACEHOLDER_NAME = re.compile(r"^(指标\s*\d+|……+|\.{3,}|X+|x+)\s*[:：]?$")
_INSTRUCTION = re.compile(r"请(?:填写|填报|根据|按照)|填表说明|填写说明|(?:^|[（(])注[:：]|按.{0,10}填写|示例[:：]")
# words in an actual value that state a problem rather than a result (domain.md §9: the seed's 便民服务 row)
_PROBLEM_WORDS = re.compile(r"不足|不能|未能|未完成|未达到|未达成|滞后|延期|推迟|受.{0,6}影响|不到位|欠缺|尚未")

# name keyword -> the level-2 category the name suggests (only clear-cut words; ambiguous ones like 覆盖率 are left out)
#: names of what money pays for (成本指标): the category hint below, and the report's 资金使用标准 sentence
COST_WORDS = re.compile(r"成本|单价|费用|经费标准|补助标准|补贴标准|人均.{0,4}(?:补贴|费用|成本)")
_CATEGORY_HINTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (COST_WORDS, "成本指标"),
    (re.compile(r"及时|时限|按时|完成时间|办结时间|周期"), "时效指标"),
    (re.compile(r"满意度|满意率"), "满意度指标"),
)


def _tolerance(printed: Decimal) -> Decimal:
    """Half a unit of the printed precision: a form printing 7 agrees with 7.004, not with 7.6."""
    exponent = printed.normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return Decimal(5).scaleb(-(places + 1))


def _differs(printed: Decimal, computed: Decimal) -> bool:
    return abs(printed - computed) > _tolerance(printed)


def _top_level_sum(amounts: list[Decimal]) -> Decimal:
    """The sum of source rows with each row's breakdown left out: a row followed by two or more rows that add
    up to it is taken as their parent (its 其中 rows are not more money)."""
    total, i = ZERO, 0
    while i < len(amounts):
        parent, running, end = amounts[i], ZERO, i + 1
        for j in range(i + 1, len(amounts)):
            running += amounts[j]
            if j >= i + 2 and parent != 0 and abs(running - parent) <= defaults.SOURCES_TOLERANCE:
                end = j + 1
                break
        total += parent
        i = end
    return total


def _legacy_status(verdict: Status, ratio: Decimal | None) -> Status_:
    """The coarse status older templates group by, read off the honest verdict."""
    if verdict.kind == "exceeded":
        return "exceeded" if verdict.far else "met"
    if verdict.reached:
        return "met"
    if verdict.reached is False:
        if verdict.kind == "short" and (ratio is None or ratio > 0) and verdict.ratio != 0:
            return "partial"
        return "missed"
    return "unknown"


_STANDARD_LEVELS = frozenset(name.removesuffix("指标") for name in vocabulary.levels())


def _standard_level(level1: str | None) -> bool:
    """Whether a row is filed under the 产出/效益/满意度 framework (or under no 一级指标), where the category hints
    apply; 决策, 过程, 投入, 管理… are another framework's."""
    key = (level1 or "").strip().removesuffix("指标")
    return not key or key in _STANDARD_LEVELS


def _category_suggestion(name: str) -> str | None:
    """The category a name points to; none when it points to two ("费用结算及时性": cost words, timeliness)."""
    found = {category for pattern, category in _CATEGORY_HINTS if pattern.search(name)}
    return found.pop() if len(found) == 1 else None


# --- the stages ---------------------------------------------------------------------------------


class _Evaluator:
    def __init__(self, form: EvaluationForm, rules: ScoringRules) -> None:
        self.form = form
        self.rules = rules
        self.source = source_of(form)
        self.findings: list[Finding] = []
        self.linked: set[int] = set()
        self.reconciliation: Reconciliation | None = None
        self.bound: tuple[Decimal, Decimal] | None = None  # see _over_reachable

    def add(self, code: str, path: str = "", variant: str = "", /, **params: object) -> None:
        """Record finding ``code`` at ``path``; its sentence is the code's (findings.CODES), given ``params``."""
        self.findings.append(found(code, path, self.source.locate(path), variant, **params))

    # budget ---------------------------------------------------------------------------------
    def budget(self) -> BudgetResult | None:
        b = self.form.budget
        if b is None:
            self.add("no-budget", "budget")
            return None
        unit = b.unit
        initial, adjusted, executed, printed_rate = b.initial, b.adjusted, b.executed, b.rate
        rec = self.reconciliation = reconcile(self.form)
        if rec is not None and rec.total_zero:
            self._total_zero(rec)
            if rec.figures.from_source:
                # the source row's printed amounts are narrated; the printed rate belonged to the zero row
                initial, adjusted, executed = rec.figures.initial, rec.figures.adjusted, rec.figures.executed
                printed_rate = None
        if rec is None or not rec.total_zero:
            self._breakdowns(b)
        base = adjusted if adjusted is not None else initial
        rate_computed = None
        if base is None or executed is None:
            self.add("budget-incomplete", "budget", "no-base" if base is None else "no-executed")
        elif base == 0:
            self.add("budget-incomplete", "budget.adjusted", "zero-base")
        else:
            rate_computed = executed / base
            if executed > base:
                self.add(
                    "over-executed", "budget.executed",
                    executed=fmt.money(executed, unit), base=fmt.money(base, unit), rate=fmt.percent(rate_computed),
                )
        # compared in percentage points: "100%" is read as 1, whose precision would allow ±50 points
        if printed_rate is not None and rate_computed is not None and _differs(printed_rate * 100, rate_computed * 100):
            self.add("rate-mismatch", "budget.rate", printed=fmt.percent(printed_rate), computed=fmt.percent(rate_computed))
        rate = printed_rate if printed_rate is not None else rate_computed
        score_computed = None
        if b.weight is not None and rate_computed is not None:
            score_computed = self.rules.budget_score(b.weight, rate_computed)
        if b.score is not None:
            if b.weight is not None and b.score > b.weight:
                self.add("score-over-weight", "budget.score", "budget", score=fmt.score(b.score), weight=fmt.score(b.weight))
            if score_computed is not None and _differs(b.score, score_computed):
                self.add(
                    "budget-score-mismatch", "budget.score", printed=fmt.score(b.score), computed=fmt.score(score_computed)
                )
        if rate is not None and rate < self.rules.low_execution_rate:
            self.add(
                "budget-under-executed", "budget.executed",
                rate=fmt.percent(rate), threshold=fmt.percent(self.rules.low_execution_rate),
            )
        source: Literal["printed", "computed", "none"] = "none"
        if b.score is not None:
            source = "printed"
        elif score_computed is not None:
            source = "computed"
        return BudgetResult(
            unit=unit,
            weight=b.weight,
            initial=initial,
            adjusted=adjusted,
            executed=executed,
            rate=rate,
            rate_computed=rate_computed,
            score=b.score if b.score is not None else score_computed,
            score_computed=score_computed,
            score_source=source,
        )

    def _breakdowns(self, b: Budget) -> None:
        """Source (收入, 支出) rows that cannot add up to the 年度资金总额 row they break down.

        Rows over the total always contradict it; rows under it only when two or more carry an amount in that
        column (a lone "其中：财政拨款" row is part of the money, not all of it). A blank cell counts as 0.
        """
        for group, label in _BREAKDOWN_GROUPS:
            rows: list[FundSource] = getattr(b, group)
            for key, column in _BREAKDOWN_COLUMNS:
                total: Decimal | None = getattr(b, key)
                amounts = [v for v in (getattr(r, key) for r in rows) if v is not None]
                if total is None or not amounts:
                    continue
                summed = sum(amounts, ZERO)
                # a cent of rounding at the printed precision is no contradiction; nor are rows that break down
                # the row above them (财政拨款 100, 其中：中央 60, 省级 40), which add up once they are left out
                if any(abs(s - total) <= defaults.SOURCES_TOLERANCE for s in (summed, _top_level_sum(amounts))):
                    continue
                if summed > total or len([v for v in amounts if v != 0]) >= 2 or (summed == 0 and len(amounts) >= 2):
                    self.add("sources-mismatch", f"budget.{group}", group=label, column=column, field=key,
                             value=summed, summed=fmt.money(summed, b.unit), total=fmt.money(total, b.unit))

    def _total_zero(self, rec: Reconciliation) -> None:
        """The 年度资金总额 row printed as zeros while a source row carries the money."""
        b = self.form.budget
        assert b is not None
        f = rec.figures
        variant = ("row" if f.from_source else "rows") + ("-scored" if b.score is not None else "")
        self.add(
            "budget-total-zero", "budget", variant, row=f.row, base=fmt.money(f.base, b.unit),
            executed=fmt.money(f.executed, b.unit), score=fmt.score(b.score) if b.score is not None else None,
        )

    # indicators -----------------------------------------------------------------------------
    def indicator(self, i: int, ind: Indicator, part_of: int | None = None) -> IndicatorResult:
        path = f"indicators[{i}]"
        part = part_of is not None  # a breakdown row: its points are its parent's, no 分值 or 得分 to ask for
        target, actual = parse_value(ind.target), parse_value(ind.actual)
        if self.form.is_department:
            target = self._management_target(ind, target)
        name = ind.name
        if _PLACEHOLDER_NAME.match(ind.name) or target.placeholder or actual.placeholder:
            self.add("placeholder", path, name=name)
        for key in ("name", "target", "actual", "cause", "measure"):
            text = getattr(ind, key)
            if text and _INSTRUCTION.search(text):
                self.add("instruction-text", f"{path}.{key}", "indicator", name=name, key=key, text=text[:30])
        if ind.weight is None and not part:
            self.add("weight-missing", f"{path}.weight", name=name)
        if ind.target is None:
            self.add("target-missing", f"{path}.target", name=name)
        if ind.actual is None:
            self.add("actual-missing", f"{path}.actual", name=name)

        contested = self._direction(ind, target, path)
        ratio = completion_ratio(target, actual)
        met = meets(target, actual)
        if copies_target(target, actual):
            self.add("actual-copies-target", f"{path}.actual", name=name, actual=ind.actual, target=ind.target)
            ratio, met = None, None  # a copied target says nothing about completion
        elif ratio is not None and actual.unit == "%" and actual.number is not None and actual.number > 100 \
                and implausible_share(ind.name):
            ratio, met = None, None  # "290%" satisfaction is an error to check, no completion rate (nor a score)

        computed = self._computed_score(ind, target, actual, ratio, met)
        score, source = ind.score, "printed"
        if score is None:
            score, source = computed, "computed" if computed is not None else "none"
            if computed is not None:
                self.add("score-computed", f"{path}.score", name=name, score=fmt.score(computed))
            elif ind.weight is not None and not part:
                self.add("score-missing", f"{path}.score", name=name, actual=ind.actual or None)
        else:
            if score < 0:
                self.add("score-negative", f"{path}.score", name=name, score=fmt.score(score))
            if ind.weight is not None and score > ind.weight:
                self.add(
                    "score-over-weight", f"{path}.score", "indicator",
                    name=name, score=fmt.score(score), weight=fmt.score(ind.weight),
                )
        verdict = decide(
            ind.name, target, actual, ind.weight, score,
            lexicon=self.rules.lexicon, exceed_far=self.rules.exceed_far_ratio, unit=ind.unit,
        )
        if verdict.kind == "implausible":
            self.add("share-over-100", f"{path}.actual", name=name, target=ind.target, actual=ind.actual)
        status = _legacy_status(verdict, ratio)
        met = verdict.reached
        shown_name = display_name(ind.name)
        if shown_name.cut_off:
            self.add("name-cut-off", f"{path}.name", name=name)
        deviates = status in ("partial", "missed") or (
            score is not None and ind.weight is not None and score < ind.weight
        )
        # only a deviation needs a cause; linking met indicators would take analysis items away from real ones
        if deviates:
            cause, cause_source = self._cause(ind, actual)
        else:
            cause, cause_source = ind.cause, "indicator" if ind.cause else "none"
        result = IndicatorResult(
            index=i,
            indicator=ind,
            target=target,
            actual=actual,
            weight=ind.weight,
            score=score,
            score_computed=computed,
            score_source=source,  # type: ignore[arg-type]
            ratio=ratio,
            met=met,
            status=status,
            cause=cause,
            cause_source=cause_source,
            verdict=verdict,
            display=shown_name,
            part_of=part_of,
            contested=contested,
        )
        if not part:
            self._deviation_findings(result, path)
            self._department_findings(result, path)
        return result

    def _department_findings(self, r: IndicatorResult, path: str) -> None:
        """The 得分系数 and 核心指标 columns of department-wide forms, checked where printed."""
        ind = r.indicator
        if ind.coef is not None and r.score_source == "printed" and r.score is not None and r.score_computed is not None:
            if _differs(r.score, r.score_computed):
                self.add(
                    "coef-mismatch", f"{path}.score", name=r.name, printed=fmt.score(r.score),
                    weight=fmt.score(ind.weight), coef=fmt.percent(ind.coef), computed=fmt.score(r.score_computed),
                )
        if r.core and r.short:
            self.add("core-shortfall", f"{path}.actual", name=r.name, target=ind.target or None, actual=ind.actual or None)

    def _management_target(self, ind: Indicator, target: Value) -> Value:
        """Read a bare cap of a department-wide form's management indicator as the cap it is.

        Department forms print 预算调整率 "3%" or 三公经费控制率 "100%" without an operator; the name
        says lower is better (lexicon/direction.yaml), so "0" against "3%" met it. The printed text is
        kept as is for the report; only the comparison reads it as "≤".
        """
        if target.op is not None or not target.is_quantitative or not ind.target:
            return target
        if direction_of(ind.name, None, self.rules.lexicon).direction != "lower":
            return target
        return parse_value("≤" + ind.target)

    def _direction(self, ind: Indicator, target: Value, path: str) -> bool:
        """Raise a finding when the operator says the opposite of what the indicator's name suggests; whether so."""
        reading = direction_of(ind.name, target.op, self.rules.lexicon)
        if reading.contradiction:
            # the variant names what the operator says; the name says the opposite
            self.add("direction-contradiction", f"{path}.target", reading.direction, name=ind.name, target=ind.target)
        return reading.contradiction

    def _computed_score(
        self, ind: Indicator, target: Value, actual: Value, ratio: Decimal | None, met: bool | None
    ) -> Decimal | None:
        if ind.weight is None:
            return None
        if ind.coef is not None:
            # the form's own rule where it prints 得分系数: 指标得分 = 指标权重 × 得分系数 (Chongqing)
            return fmt.quantize(ind.weight * ind.coef, 2)
        if ratio is not None:
            # completion_ratio already inverts reverse (≤) indicators: target/actual
            return fmt.quantize(ind.weight * min(ratio, ONE), 2)
        if met is True:
            return ind.weight
        return None  # qualitative and not clearly achieved: a person must judge the band

    def _cause(
        self, ind: Indicator, actual: Value
    ) -> tuple[str | None, Literal["indicator", "actual", "analysis", "none"]]:
        if ind.cause:
            return ind.cause, "indicator"
        for j, item in enumerate(self.form.deviation_analysis):
            # an analysis item explains this indicator when it repeats the actual cell (the seed's 便民服务 row)
            # or names the indicator verbatim; a few shared words are not enough
            if (ind.actual and text_overlap(ind.actual, item) >= defaults.SAME_TEXT_OVERLAP) or (
                len(ind.name) >= 4 and ind.name in item
            ):
                self.linked.add(j)
                return item, "analysis"
        if ind.actual and actual.achieved is not True and _PROBLEM_WORDS.search(ind.actual):
            return ind.actual, "actual"
        return None, "none"

    def _deviation_findings(self, r: IndicatorResult, path: str) -> None:
        # every deviation finding names the indicator and shows its target and actual as printed
        shown = {"name": r.name, "target": r.indicator.target or None, "actual": r.indicator.actual or None}
        if r.lost > 0 and r.cause is None and r.status not in ("met", "exceeded"):
            self.add("deduction-no-cause", f"{path}.cause", lost=fmt.score(r.lost), **shown)
        if r.lost > 0 and r.status in ("met", "exceeded"):
            self.add("deducted-but-met", f"{path}.score", lost=fmt.score(r.lost), **shown)
        if r.score_source == "printed" and r.weight is not None and r.score is not None and r.lost == 0:
            if r.status in ("partial", "missed") and r.ratio is not None:
                self.add("missed-no-deduction", f"{path}.score", ratio=fmt.percent(r.ratio), **shown)
            elif r.status == "missed":
                self.add("missed-no-deduction", f"{path}.score", "no-ratio", **shown)
        if r.status == "exceeded" and not r.indicator.cause and not r.actual.note:
            self.add("exceeded-far", f"{path}.actual", ratio=fmt.percent(r.ratio), **shown)
        if (
            r.score_source == "printed"
            and r.score_computed is not None
            and r.status in ("partial", "missed")
            and r.score is not None
            and _differs(r.score, r.score_computed)
            and r.lost > 0
        ):
            self.add(
                "score-mismatch", f"{path}.score", name=r.name, printed=fmt.score(r.score), computed=fmt.score(r.score_computed)
            )
        suggested = _category_suggestion(r.name)
        filed = f"{r.indicator.level1 or ''}/{r.indicator.level2 or ''}"
        # a flat list (department-wide forms print no levels) files nothing anywhere: nothing to contradict; a
        # 决策/过程/管理 framework has no 时效 or 成本 category to file under (资金到位及时性 is a 过程 indicator)
        if suggested and filed != "/" and suggested.removesuffix("指标") not in filed and _standard_level(
            r.indicator.level1
        ):
            self.add("category-suspect", f"{path}.level2", name=r.name, suggested=suggested, filed=filed.strip("/"))

    # categories and totals ------------------------------------------------------------------
    def categories(self, results: list[IndicatorResult]) -> tuple[list[CategoryResult], list[CategoryResult]]:
        printed = self.form.categories

        def build(key: Callable[[IndicatorResult], tuple[str, str | None]]) -> list[CategoryResult]:
            groups: dict[tuple[str, str | None], list[IndicatorResult]] = {}
            for r in results:
                groups.setdefault(key(r), []).append(r)
            out = []
            for (l1, l2), members in groups.items():
                out.append(
                    CategoryResult(
                        level1=l1,
                        level2=l2,
                        indices=[m.index for m in members],
                        weight=sum((m.weight or ZERO for m in members), ZERO),
                        score=sum((m.score or ZERO for m in members), ZERO),
                        printed_weight=printed.get(l2 or l1),
                    )
                )
            return out

        results = [r for r in results if r.part_of is None]  # a breakdown row is counted with its parent
        level1 = build(lambda r: (r.level1, None))
        level2 = build(lambda r: (r.level1, r.level2))
        known = {c.level1 for c in level1} | {c.level2 for c in level2 if c.level2}
        for name, value in printed.items():
            if value is None:
                continue
            if name not in known:
                self.add("subtotal-unknown", f"categories.{name}", name=name, printed=fmt.score(value))
                continue
            members = [r for r in results if r.indicator.level1 == name or r.indicator.level2 == name]
            summed = sum((r.weight or ZERO for r in members), ZERO)
            # rows without a 分值 (each warned as weight-missing) leave the sum open: only an excess contradicts
            unweighted = any(r.weight is None for r in members)
            if summed > value or (summed != value and not unweighted):
                self.add(
                    "subtotal-mismatch", f"categories.{name}", name=name, printed=fmt.score(value), summed=fmt.score(summed)
                )
        return level1, level2

    def totals(
        self, budget: BudgetResult | None, results: list[IndicatorResult]
    ) -> tuple[Decimal | None, Decimal | None, str, str | None, str | None]:
        form = self.form
        weights = [r.weight for r in results]
        budget_weight = budget.weight if budget else None
        if not results:
            # a 综述-only form: the printed total stands; nothing to add up against it
            self.add("no-indicators", "indicators")
            total = form.total_score
            grade_computed = self.rules.grade(total) if total is not None else None
            return total, None, "printed" if total is not None else "none", form.grade or grade_computed, grade_computed
        if all(w is not None for w in weights):
            total_weight = sum((w for w in weights if w is not None), ZERO) + (budget_weight or ZERO)
            if total_weight != self.rules.total_weight:
                self.add(
                    "weight-sum", "indicators", "" if budget_weight is not None else "no-budget-weight",
                    total=fmt.score(total_weight), budget=fmt.score(budget_weight or ZERO),
                    expected=fmt.score(self.rules.total_weight),
                )
        scores = [r.score for r in results]
        computed = None
        if all(s is not None for s in scores):
            indicator_sum = sum((s for s in scores if s is not None), ZERO)
            computed = indicator_sum + (budget.score or ZERO if budget else ZERO)
        total, source = form.total_score, "printed"
        if total is None:
            total, source = computed, "computed" if computed is not None else "none"
            if computed is not None:
                self.add("total-computed", "total_score", computed=fmt.score(computed))
        elif computed is not None and _differs(total, computed):  # 97.7 printed agrees with 97.72
            left_out = bool(budget and budget.score and total == computed - budget.score)
            self.add(
                "total-mismatch", "total_score", "budget-left-out" if left_out else "",
                total=fmt.score(total), computed=fmt.score(computed),
            )
        elif computed is None:
            self.bound = self._over_reachable(total, budget, results)
        grade_computed = self.rules.grade(total) if total is not None else None
        # a grade is derived only from a printed total: a sum of rows is no total the form vouches for
        grade = form.grade or (grade_computed if source == "printed" else None)
        if form.grade and grade_computed and form.grade != grade_computed:
            self.add("grade-mismatch", "grade", grade=form.grade, total=fmt.score(total), computed=grade_computed)
        return total, computed, source, grade, grade_computed

    def _over_reachable(
        self, total: Decimal, budget: BudgetResult | None, results: list[IndicatorResult]
    ) -> tuple[Decimal, Decimal] | None:
        """A printed total over what the rows could reach when some scores are blank: each row without a printed
        score counts with its full 分值. The (printed scores, open 分值) when it is over, else None; a row with
        neither a score nor a 分值 leaves the bound open."""
        rows: list[tuple[Decimal | None, Decimal | None, bool]] = [
            (r.score, r.weight, r.score_source == "printed") for r in results
        ]
        if budget is not None:
            rows.append((budget.score, budget.weight, budget.score_source == "printed"))
        partial = opened = ZERO
        for score, weight, printed in rows:
            if printed and score is not None:
                partial += score
            elif weight is not None:
                opened += weight
            else:
                return None
        if not total > partial + opened:
            return None
        self.add(
            "total-over-reachable", "total_score", total=fmt.score(total), partial=fmt.score(partial),
            open=fmt.score(opened), reachable=fmt.score(partial + opened),
        )
        return partial, opened

    def unit_from_implementer(self) -> None:
        """A form without 单位名称 (some workbooks print only 项目实施单位): the implementer is the unit."""
        form = self.form
        if not form.unit and form.implementer:
            form.unit = form.implementer
            self.add("unit-from-implementer", "implementer", implementer=form.implementer)

    def implementer(self) -> str | None:
        """项目实施单位 as the form names it, else the 填报单位; never the 主管部门."""
        form = self.form
        if form.implementer:
            return form.implementer
        if form.unit:
            return form.unit
        self.add("implementer-missing", "implementer", "department" if form.department else "", department=form.department)
        return None

    def goal(self, printed: EvaluationForm) -> bool:
        """A goal that is only the project name, a number or the table title is no goal: ask for one."""
        goals = self.form.goals
        if goals is None or not goals.planned or not hollow_goal(goals.planned, printed.project):
            return False
        self.add("goal-hollow", "goals.planned", goal=goals.planned)
        goals.planned = None
        return True
    def tasks(self) -> tuple[list[TaskResult], list[str]]:
        """A department-wide form's annual tasks, and the reported items no task took; a planned task with no
        reported result is a finding (said as unpaired when the form reports items that did not pair)."""
        from reportgen.evaluation.department import task_results, unpaired_results  # department-wide forms only

        results = task_results(self.form)
        unpaired = unpaired_results(self.form, results)
        for t in results:
            if not t.reported:
                path = f"{t.path}.result" if t.path.startswith("tasks") else "goals.achieved"
                self.add("task-no-result", path, "unpaired" if unpaired else "", name=t.name[:30],
                         count=len(unpaired))
        return results, unpaired

    def basics(self) -> None:
        form = self.form
        for key in ("year", "unit"):
            if getattr(form, key) in (None, ""):
                self.add("field-missing", key, label=vocabulary.label("form", key))
        names = Counter(ind.name for ind in form.indicators)
        for name, count in names.items():
            if count > 1:
                first = next(i for i, ind in enumerate(form.indicators) if ind.name == name)
                self.add("duplicate-name", f"indicators[{first}].name", name=name, count=count)


def evaluate(form: EvaluationForm, rules: ScoringRules = DEFAULT_RULES) -> Evaluation:
    """Score a form: budget, indicators, categories, total and grade, plus every finding."""
    printed = form
    form, cleaning_findings = clean_form(form)
    ev = _Evaluator(form, rules)
    ev.findings.extend(cleaning_findings)
    ev.unit_from_implementer()
    ev.basics()
    implementer = ev.implementer()
    goal_hollow = ev.goal(printed)
    budget = ev.budget()
    parts = parts_of(form.indicators)
    results = [ev.indicator(i, ind, parts.get(i)) for i, ind in enumerate(form.indicators)]
    if results and all(r.indicator.actual is None and r.indicator.score is None for r in results):
        ev.add("form-unfilled", "indicators", count=len(results))  # what render refuses, validate says
    level1, level2 = ev.categories(results)
    total, computed, source, grade, grade_computed = ev.totals(budget, [r for r in results if r.part_of is None])
    tasks, unpaired = ev.tasks()
    return Evaluation(
        form=form,
        budget=budget,
        indicators=results,
        level1=level1,
        level2=level2,
        total=total,
        total_computed=computed,
        total_source=source,  # type: ignore[arg-type]
        grade=grade,
        grade_computed=grade_computed,
        total_bound=ev.bound,
        findings=[*source_of(form).findings, *ev.findings],  # what reading the form changed comes first
        linked_analysis=ev.linked,
        rules=rules,
        printed=printed,
        reconciliation=ev.reconciliation,
        implementer=implementer,
        goal_hollow=goal_hollow,
        tasks=tasks,
        unpaired_results=unpaired,
        form_digest=digest_of(form),
    )


def digest_of(form: EvaluationForm) -> str:
    """Everything of ``form`` that scoring reads, as one string (pydantic's JSON: some 25 µs a form)."""
    return f"{form.kind_inferred}{form.model_dump_json()}"


def figures_of(ev: Evaluation) -> dict[str, Figure]:
    """The figures of ``ev.form`` as the form stands now: ``ev``'s own while the form is as it was scored
    (scoring it again would give the same), else scored again — what a report's ledger is checked against."""
    if ev.form_digest and ev.form_digest == digest_of(ev.form):
        return ev.figures
    return evaluate(ev.form, ev.rules).figures
