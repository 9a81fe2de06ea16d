"""Prepare the facts the templates say: everything computed here, every word there.

``build_facts(evaluation)`` groups indicators, decides which deviations get a paragraph,
ties causes to measures. Every number is a :class:`~reportgen.evaluation.figures.Figure` with its origin
(printed on the form, computed, or missing), taken from ``Evaluation.figures``; templates format
figures and the report's ledger records each one they state. All form text is tidied (full-width
punctuation) and Markdown-escaped here, once, so templates can print it as is.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, Literal

from reportgen.defaults import SAME_TEXT_OVERLAP
from reportgen.evaluation.breakdown import part_name
from reportgen.evaluation.cleaning import hollow_goal, prose_operators, unnumbered
from reportgen.evaluation.figures import Figure, Gap, computed
from reportgen.evaluation.model import split_numbered
from reportgen.evaluation.scoring import COST_WORDS, Evaluation, IndicatorResult, text_overlap
from reportgen.evaluation.status import SHORT, overall_completion
from reportgen.narrative import text
from reportgen.narrative.causes import CauseCategory, CauseClassifier, Taxonomy
from reportgen.narrative.grouping import DeviationGroup, group_deviations
from reportgen.narrative.names import Naming, short_name
from reportgen.narrative.provenance import RULE_NAMES, category_key
from reportgen.narrative.results import result_text, substantive
from reportgen.narrative.status_facts import BudgetStory, StatusFacts, budget_story, prose, status_facts
from reportgen.narrative.themes import ThemeBook, load_themes
from reportgen.narrative.wording import Wording

ZERO = Decimal(0)
# which level-1 names feed which report subsection (the checker uses the same kinds)
_KINDS = (("产出", "outputs"), ("效益", "benefits"), ("满意", "satisfaction"), ("成本", "cost"))
#: statuses that reached their target (templates/sections/_group.md.j2 groups them in one sentence)
_REACHED = ("met", "within_cap", "exceeded", "early", "on_time", "qualitative")
#: a result of at most this many characters is quoted, not told
RESULT_MIN = 10
#: the longest run of results told in one paragraph (characters, before the connecting words)
RESULTS_PARAGRAPH = 240
# budget-related cause categories: an overall analysis item of these kinds explains under-execution
_BUDGET_CAUSES = {"funds_late", "payment_terms", "procurement", "budgeting", "late_application", "cross_year"}


class Variation:
    """Deterministic choice among equivalent phrasings, seeded by the project (never ``random``).

    ``pick(key, n)`` returns the same index for the same project and key in every run and every
    process (blake2b, not ``hash()``, so PYTHONHASHSEED cannot change it). ``trace`` records each
    choice so tests can measure how evenly phrasings are used across a batch.
    """

    def __init__(self, seed: str, force: int | None = None) -> None:
        self.seed = seed
        self.force = force
        self.trace: list[tuple[str, int, int]] = []

    def pick(self, key: str, n: int, salt: object = "") -> int:
        if self.force is not None:
            choice = self.force % n
        else:
            digest = hashlib.blake2b(f"{self.seed}|{key}|{salt}".encode(), digest_size=8).digest()
            choice = int.from_bytes(digest, "big") % n
        self.trace.append((key, choice, n))
        return choice

    def step(self, key: str, n: int, i: int) -> int:
        """The i-th of a run of paragraphs: start anywhere, then rotate, so neighbours never match."""
        base = self.pick(key, n) if i == 0 else self._base(key, n)
        choice = (base + i) % n
        if i:
            self.trace.append((key, choice, n))
        return choice

    def _base(self, key: str, n: int) -> int:
        if self.force is not None:
            return self.force % n
        digest = hashlib.blake2b(f"{self.seed}|{key}|".encode(), digest_size=8).digest()
        return int.from_bytes(digest, "big") % n


@dataclass
class IndicatorFacts:
    index: int  # position on the form: indicators[index]
    name: str
    level1: str
    level2: str
    target: str
    actual: str
    weight: Figure
    score: Figure  # printed, computed (said so by the templates) or missing
    lost: Figure
    ratio: Figure | None  # the completion rate, when quantitative and worth printing
    status: str  # met / exceeded / partial / missed / unknown
    full: bool
    quantitative: bool
    note: str | None  # the actual value's own remark, e.g. （疫情控人）线上活动100人左右
    cause: str | None  # the form's cause, as a clause
    measure: str | None
    has_weight: bool
    has_score: bool
    descriptive: bool  # qualitative text too long to run into a sentence: quote it instead
    actual_is_cause: bool  # the actual cell states the problem that is the cause (do not say it twice)
    s: StatusFacts | None = None  # the honest status, worded by templates/status.md.j2
    result: str = ""  # what was done, in the form's words (a substantive descriptive actual), to tell as a result
    result_cut: bool = False  # the result is the first part of a longer text (the appendix has it all)
    money: bool = False  # the target is an amount of money (万元/社区, 元/人): says what the money paid for
    parts: list[IndicatorFacts] = field(default_factory=list)  # its breakdown rows (其中……), said after it
    parent: str = ""  # a breakdown row's: the name of the indicator it breaks down (which has its points)
    part_name: str = ""  # a breakdown row's name beside its parent, without its 其中


@dataclass
class GroupFacts:
    """A level-2 category (数量指标…), or a level-1 category that has no level 2."""

    name: str
    count: Figure
    weight: Figure
    score: Figure
    lost: Figure
    full_count: Figure
    completion: str
    routine: list[IndicatorFacts]  # full marks and nothing to remark
    exceeded: list[IndicatorFacts]
    deducted: list[IndicatorFacts]
    short_full: list[IndicatorFacts]  # target missed, full marks all the same
    examples: list[IndicatorFacts]  # up to two quantitative routine items to cite with figures
    met: list[IndicatorFacts] = field(default_factory=list)  # routine items that reached their target, no story
    told: list[list[IndicatorFacts]] = field(default_factory=list)  # routine items with a result, per paragraph
    other: list[IndicatorFacts] = field(default_factory=list)  # routine items neither reached nor told
    notable: IndicatorFacts | None = None  # the deducted item that lost most (singled out in a long list)
    unweighted: Figure | None = None  # rows printing no 分值 (count; then the group has no 分值 to state)
    with_parts: list[IndicatorFacts] = field(default_factory=list)  # members with breakdown rows (其中……)
    unscored: int = 0  # members the form gives no score (their points are not "lost")


@dataclass
class CategoryFacts:
    name: str
    kind: str
    count: Figure
    weight: Figure
    score: Figure
    lost: Figure
    full_count: Figure
    completion: str
    groups: list[GroupFacts]
    single_group: bool
    unscored: int = 0  # indicators the form gives no score (their points are not "lost")
    unweighted: Figure | None = None  # rows printing no 分值 (count; then the category has no 分值 to state)


@dataclass
class BudgetFacts:
    unit: str
    weight: Figure
    initial: Figure
    adjusted: Figure  # the amount execution is measured against: adjusted budget, else the initial one
    executed: Figure
    rate: Figure  # printed, or computed as executed ÷ budget
    score: Figure  # printed, or computed as weight × rate
    lost: Figure
    full: bool
    under: bool  # execution below the rules' threshold (f.rules.low_execution_rate)
    over: bool  # executed more than budgeted
    sources: list[dict[str, Figure | str]]
    balance: Figure  # unspent amount (missing when nothing is left)
    story: BudgetStory | None = None  # zero total row, adjustment, over-spending, a reused cause (reconcile.py)
    # what ``adjusted`` is called: the form's 全年预算数, or its 年初预算数 standing in when that is all it prints
    base_name: str = ""
    adjusted_printed: bool = True


@dataclass
class DeviationItem:
    kind: Literal["budget", "deducted", "deducted_met", "short_full", "exceeded"]
    indicator: IndicatorFacts | None
    cause: str | None  # the form's words, a clause
    placeholder: str | None
    self_led: bool = False  # the cause text introduces itself ("…主要原因是…"): no lead-in words


@dataclass
class MeasureItem:
    text: str  # a sentence, ends with 。
    source: Literal["form", "indicator", "derived", "group", "general"]
    responds_to: str | None = None
    category: str | None = None


@dataclass
class Facts:
    title: str
    project: str
    unit: str
    year: Figure | str  # a printed figure, or the placeholder asking for it
    date: Figure | str  # the printed 填报日期, or the placeholder asking for it
    department: str
    implementer: str
    category: str
    attribute: str
    type: str
    overview: str
    goals_planned: str
    goals_achieved: str
    budget: BudgetFacts | None
    categories: list[CategoryFacts]
    indicator_count: Figure
    full_count: Figure
    deducted_count: Figure
    total: Figure  # the printed total; missing when the form leaves it blank (see total_computed)
    total_computed: Figure  # the sum of the budget's and the indicators' scores (missing when a score is)
    total_weight: Figure
    total_lost: Figure
    grade: Figure  # printed, computed from the printed total, or missing
    grade_word: Figure | str  # the grade as the prose writes it (wording.yaml), with the grade's origin
    overall_completion: str
    unscored_count: int  # indicators with no score (printed or computed)
    unweighted_count: int  # indicators the form prints no 分值 for: whether they got full marks is unknown
    goal_gap: str  # 【待补充：年度总体目标】 when the printed goal is only the project name, a number or a title
    # indicators without an actual value or a score, and whether the budget's execution is blank: with any of
    # them the report cannot say that nothing deviated (deviation_gap asks for the analysis instead)
    unassessed: Figure
    execution_missing: bool
    deviation_gap: str
    deviation_count: Figure
    group_count: Figure  # the paragraphs of the deviation section (groups and single items)
    total_gap: str  # 【待补充：自评总分和等级】 when the form prints no total, else ""
    indicators_gap: str  # 【待补充：绩效指标完成情况】 for a form without indicator rows (a 综述-only form), else ""
    deviations: list[DeviationItem]
    deviation_groups: list[DeviationGroup]  # the deviations as the report analyses them (narrative.grouping)
    general_analysis: list[str]
    measures: list[MeasureItem]
    general_measures: list[MeasureItem]
    measures_gap: str  # 【待补充】 for measures only the author can give (deviations, no measure derivable)
    other_notes: str
    notes: SimpleNamespace  # what the form gets wrong or leaves out, for 其他需要说明的问题 (or a closing 附注)
    appendix: list[dict[str, Any]]
    appendix_total: dict[str, Any]
    contacts: dict[str, str]
    vary: Variation
    wording: Wording  # the phrases Python fills in (templates/wording.yaml phrases:), for department_facts
    rules: SimpleNamespace  # thresholds of the scoring rules as figures: low_execution_rate, total_weight…
    placeholders: list[str] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    dept: Any = None  # narrative.department.DepartmentFacts for a department-wide form (issue 14)
    # the project named in full once, with its 简称, then by the 简称: ``f.naming.first()`` / ``f.naming.short``
    naming: Naming = field(default_factory=lambda: Naming("", ""))
    main_outputs: list[IndicatorFacts] = field(default_factory=list)  # what the project set out to deliver
    money_items: list[IndicatorFacts] = field(default_factory=list)  # indicators whose target is money
    self_evaluation: str = ""  # how the unit organised its self-evaluation, as the form gives it
    basis: str = ""  # the regulation the self-evaluation follows, by year (wording.yaml basis)
    basis_short: str = ""
    same_units: bool = False  # 主管部门 and 实施单位 are one body: name it once
    achieved_new: bool = False  # the goal's 实际完成情况 says more than the planned goal repeated
    achieved_paragraphs: list[str] = field(default_factory=list)  # goals_achieved cut into paragraphs (≤ ~260)

    def placeholder(self, what: str, path: str = "") -> str:
        """A visible gap for the author: 【待补充：…】 (the checker fails while one remains)."""
        gap = Gap(what, path)
        self.gaps.append(gap)
        self.placeholders.append(gap.mark)
        return gap.mark


def _note(note: str | None) -> str | None:
    """The actual's remark as a clause: "(疫情控人)线上活动100人左右" → "疫情控人，线上活动100人左右"."""
    if not note:
        return None
    note = re.sub(r"^\s*[（(]([^）)]*)[）)]\s*", lambda m: m[1] + "，", text.tidy(note))
    return text.clause(note) or None


def _self_led(cause: str | None) -> bool:
    """Whether a cause introduces itself ("…主要原因是…", "资金拨付滞后：…"), so no lead-in is added."""
    if not cause:
        return False
    return "原因" in cause or "：" in cause[:12] or ":" in cause[:12]


def _notes(ev: Evaluation) -> SimpleNamespace:
    """Where the form contradicts itself or is incomplete: the report says which printed figure it follows."""
    fig = ev.figures
    codes = {f.code for f in ev.findings}
    total = fig["total_score"]
    grade_expected: Figure | None = None
    if "grade-mismatch" in codes and ev.grade_computed:
        grade_expected = computed(ev.grade_computed, "grade", "按填报总分对应评分规则的等级", (total,),
                                  path="grade_computed", label="按总分应得等级")
    over = [(r, fig[f"indicators[{r.index}].score"], fig[f"indicators[{r.index}].weight"])
            for r in ev.indicators
            if r.score_source == "printed" and r.weight is not None and r.score is not None and r.score > r.weight]
    empty_blocks = [(text.md(name), fig[f"categories.{name}"]) for name in ev.form.categories
                    if f"categories.{name}" in fig
                    and any(f.code == "subtotal-unknown" and f.path == f"categories.{name}" for f in ev.findings)]
    weights = fig["total_weight"]
    inds = ev.counted
    no_actuals = bool(inds) and all(r.indicator.actual is None for r in inds)
    no_scores = bool(inds) and all(r.indicator.score is None for r in inds)
    notes = SimpleNamespace(
        total_mismatch="total-mismatch" in codes and total.known,
        over_reachable=(fig["total_partial"], fig["total_open"], fig["total_reachable"])
        if ev.total_bound is not None and total.known else None,
        budget_left_out=any(f.code == "total-mismatch" and f.variant == "budget-left-out" for f in ev.findings),
        grade_expected=grade_expected,
        over_weight=[(text.md(text.clause(r.display_name)), s, w) for r, s, w in over],
        weight_short=weights.known and weights < fig["rules.total_weight"],
        weights_missing=computed(Decimal(sum(1 for r in inds if r.weight is None)), "count", "未填分值的指标项数",
                                 path="weights_missing", unit="项", label="未填分值的指标数"),
        empty_blocks=empty_blocks,
        no_actuals=no_actuals,
        no_scores=no_scores,
    )
    _more_notes(ev, notes, codes)
    notes.any = bool(notes.total_mismatch or notes.over_reachable or grade_expected or over or notes.weight_short
                     or notes.weights_missing > 0 or empty_blocks or no_actuals or no_scores or notes.weight_over or notes.total_computed
                     or notes.score_mismatch or notes.budget_total_zero or notes.budget_score or notes.rate
                     or notes.misfiled or notes.duplicates or notes.subtotals or notes.copied or notes.instructions
                     or notes.converted or notes.computed_scores or notes.sources or notes.contested)
    return notes


def _result(r: IndicatorResult) -> dict[str, Any]:
    """The result a descriptive actual tells ("评选出118名优秀代表"); none for numbers and stock words."""
    ind = r.indicator
    parts = r.verdict is not None and bool(r.verdict.parts)  # compared part by part: the comparison says more
    if r.actual.kind in ("quantity", "range", "empty") or parts or not substantive(ind.actual, ind.target):
        return {}
    said, cut = result_text(prose_operators(ind.actual or ""))  # told in prose: standard glyphs, as everywhere
    # a few words ("基本达到", "没有停水") read better quoted in the indicator's own sentence than told as a result
    return {"result": said, "result_cut": cut} if len(said) > RESULT_MIN else {}


def _main_outputs(ev: Evaluation, facts: dict[int, IndicatorFacts], limit: int = 3) -> list[IndicatorFacts]:
    """The output indicators that say what the project delivers: counted quantities, 数量指标 first."""
    counted = [r for r in ev.counted
               if "产出" in r.level1 and r.target.kind == "quantity" and r.target.number is not None
               and (r.target.unit or "").strip() not in ("", "%") and "元" not in (r.target.unit or "")
               and (r.verdict is None or r.verdict.key not in ("not_comparable", "copied", "target_missing"))]
    counted.sort(key=lambda r: 0 if "数量" in r.level2 else 1)
    return [facts[r.index] for r in counted[:limit]]


def _tells(achieved: str | None) -> bool:
    """Whether a 实际完成情况 tells something: a figure, or more than a name ("国家基本公共卫生服务" does not)."""
    said = text.clause(achieved)
    return any(ch.isdigit() for ch in said) or len(said) > 15 or "，" in said


def _same_body(a: str | None, b: str | None) -> bool:
    return bool(a and b) and text.clause(a).replace(" ", "") == text.clause(b).replace(" ", "")


def _with_untold_causes(notes: SimpleNamespace, ev: Evaluation, facts: dict[int, IndicatorFacts],
                        deviations: list[DeviationItem]) -> SimpleNamespace:
    """A cause the form prints for an indicator that is no deviation (its actual or score blank) is still said."""
    told = {d.indicator.index for d in deviations if d.indicator is not None}
    notes.untold_causes = [(facts[r.index].name, text.md(text.clause(r.cause)))
                           for r in ev.indicators if r.cause and r.cause_source == "indicator" and r.index not in told]
    notes.any = notes.any or bool(notes.untold_causes)
    return notes


def _more_notes(ev: Evaluation, notes: SimpleNamespace, codes: set[str]) -> None:
    """The rest of the form's inconsistencies (findings.py codes), for 其他需要说明的问题: names, counts and
    figures only (never a finding's message, whose numbers the ledger would not know)."""
    fig = ev.figures
    by_code: dict[str, list[Any]] = {}
    for f in ev.findings:
        by_code.setdefault(f.code, []).append(f)

    def index(path: str) -> int | None:
        m = re.match(r"indicators\[(\d+)\]", path)
        return int(m[1]) if m and int(m[1]) < len(ev.indicators) else None

    def names(code: str) -> list[str]:
        found = [index(f.path) for f in by_code.get(code, [])]
        return list(dict.fromkeys(text.md(text.clause(ev.indicators[i].display_name)) for i in found if i is not None))

    def count(items: list[Any], what: str) -> Figure:
        return computed(Decimal(len(items)), "count", what, path=f"notes.{what}", unit="项", label=what)

    weights = fig["total_weight"]
    notes.weight_over = weights.known and weights > fig["rules.total_weight"] and "weight-sum" in codes
    notes.total_computed = "total-computed" in codes and fig["total_score"].missing and fig["total_computed"].known
    notes.score_mismatch = names("score-mismatch")
    notes.score_mismatch_count = count(notes.score_mismatch, "得分与按完成比例计算不一致的指标数")
    notes.computed_scores = names("score-computed")
    notes.computed_scores_count = count(notes.computed_scores, "按评分规则计算得分的指标数")
    rec = ev.reconciliation
    notes.budget_total_zero = "budget-total-zero" in codes
    notes.budget_row = text.md(rec.figures.row) if rec is not None and rec.figures.from_source else ""
    b = ev.budget
    notes.budget_score = None
    if "budget-score-mismatch" in codes and b is not None and b.score_computed is not None:
        notes.budget_score = computed(b.score_computed, "score", "分值×执行率", (fig["budget.weight"], fig["budget.rate"]),
                                      path="notes.budget_score", label="按执行率计算的预算执行得分")
    notes.rate = None
    if "rate-mismatch" in codes and b is not None and b.rate_computed is not None:
        notes.rate = computed(b.rate_computed, "rate", "全年执行数÷全年预算数", (fig["budget.executed"], fig["budget.base"]),
                              path="notes.rate", label="按执行数计算的执行率")
    notes.misfiled = []
    for f in by_code.get("category-suspect", []):
        i, kind, filed = index(f.path), f.params.get("suggested"), f.params.get("filed")
        if i is not None and kind and filed:
            notes.misfiled.append((text.md(text.clause(ev.indicators[i].display_name)), text.md(str(kind)),
                                   text.md(str(filed))))
    grouped: dict[tuple[str, str], list[str]] = {}
    for name, kind, filed in notes.misfiled:
        grouped.setdefault((kind, filed), []).append(name)
    notes.misfiled_groups = [(names, kind, filed) for (kind, filed), names in grouped.items()]
    notes.duplicates = []
    for f in by_code.get("duplicate-name", []):
        name, times = f.params.get("name"), f.params.get("count")
        if name and isinstance(times, int):
            notes.duplicates.append((text.md(str(name)), computed(Decimal(times), "count", "同名指标出现次数",
                                                                 path=f"notes.duplicates.{name}", unit="次")))
    notes.subtotals = []
    categories = {f"categories.{c.name}": c for c in [*ev.level1, *ev.level2]}
    for f in by_code.get("subtotal-mismatch", []):
        c = categories.get(f.path)
        key = category_key(c) if c is not None else ""
        if c is not None and f.path in fig and f"{key}.weight" in fig:
            weight = fig[f"{key}.weight"]
            if not weight.known:
                # rows without a 分值 and the others already past the printed weight: quote what is filled in
                weight = computed(c.weight, "score", "已填分值的指标分值之和", path=f"notes.{f.path}.filled",
                                  unit="分", label=f"{c.name}已填分值合计")
            notes.subtotals.append((text.md(c.name), fig[f.path], weight))
    notes.subtotals_count = count(notes.subtotals, "分值与所含指标不符的分类数")
    notes.copied = names("actual-copies-target")
    notes.instructions = []
    for f in by_code.get("instruction-text", []):
        label = f.params.get("label")
        if f.variant == "field" and label and not f.path.startswith("indicators"):  # a cell is said with its indicator
            notes.instructions.append(text.md(str(label).removeprefix("指标")))
    notes.instructions = list(dict.fromkeys(notes.instructions))
    notes.converted = "unit-converted" in codes
    notes.contested = names("direction-contradiction")
    notes.sources = []
    for f in by_code.get("sources-mismatch", []):
        key, summed = f"budget.{f.params.get('field')}", f.params.get("value")
        if key in fig and fig[key].known and isinstance(summed, Decimal):
            group = str(f.params.get("group"))
            summed_fig = computed(summed, "money", f"{group}各行{f.params.get('column')}之和", (),
                                  path=f"notes.{f.path}.{f.params.get('field')}", unit=fig[key].unit,
                                  label=f"{group}各行合计")
            notes.sources.append((text.md(group), text.md(str(f.params.get("column"))), summed_fig, fig[key]))


def _grade_word(grade: Figure, wording: Wording) -> Figure | str:
    if grade.missing:
        return ""
    return Figure(wording.grade_word(str(grade.value)), "grade", grade.origin, "", grade.path, grade.label)


def _weight_of(members: list[IndicatorResult], weight: Decimal) -> Decimal | None:
    # points are judged against a 分值 only where every row prints one (else by the statuses alone)
    return weight if all(m.weight is not None for m in members) else None


def _unweighted(members: list[IndicatorResult], key: str) -> Figure | None:
    n = sum(1 for m in members if m.weight is None)
    if not n:
        return None  # the common case: no figure to build (a figure costs more than the rest of a group's facts)
    return computed(Decimal(n), "count", "未填分值的指标项数", path=f"{key}.unweighted", unit="项", label="未填分值的指标项数")


def _kind(level1: str) -> str:
    return next((kind for word, kind in _KINDS if word in level1), "other")


class _Builder:
    def __init__(
        self, ev: Evaluation, wording: Wording, classifier: CauseClassifier, variation: Variation,
        themes: ThemeBook,
    ) -> None:
        self.ev = ev
        self.themes = themes
        self.form = ev.form
        self.wording = wording
        self.classifier = classifier
        self.taxonomy: Taxonomy = classifier.taxonomy
        self.vary = variation
        self.fig = ev.figures
        self.gaps: list[Gap] = []
        self.parts: dict[int, list[IndicatorResult]] = {}  # breakdown rows (其中……) by the row they break down
        for r in ev.indicators:
            if r.part_of is not None:
                self.parts.setdefault(r.part_of, []).append(r)

    def placeholder(self, key: str, path: str = "", **values: object) -> str:
        """The 【待补充：…】 of gap ``key`` (wording.yaml ``phrases.gaps``), registered with its field path."""
        gap = Gap(self.wording.say(f"gaps.{key}", **values), path)
        self.gaps.append(gap)
        return gap.mark

    # indicators -------------------------------------------------------------------------------
    def indicator(self, r: IndicatorResult) -> IndicatorFacts:
        ind = r.indicator
        note = _note(r.actual.note)
        cause = text.md(text.clause(r.cause)) if r.cause else None
        target_text, actual_text = text.clause(ind.target), text.clause(ind.actual)
        # text values (合格, 有效提升, long descriptions) read better quoted than run into the sentence
        descriptive = r.ratio is None and not (r.target.is_quantitative and r.actual.is_quantitative)
        # a range actual (25~30人) has no single completion rate worth printing
        show_ratio = r.ratio is not None and r.actual.kind != "range"
        # a department form's cap (预算调整率 3%) has no completion rate worth printing: 0 under 3% is simply met
        show_ratio = show_ratio and not (r.lower_better and self.form.is_department)
        path = f"indicators[{r.index}]"
        status = status_facts(r, self.placeholder, self.wording) if r.verdict is not None else None
        if status is not None:
            # prose: operators normalised, a bare actual in the target's unit; only the appendix keeps the glyphs
            target_text, actual_text = status.target, status.actual
        else:
            target_text, actual_text = text.md(target_text), text.md(actual_text)
        return IndicatorFacts(
            index=r.index,
            name=prose(r.display_name) + (status.name_note if status else ""),
            part_name=prose(part_name(r.display_name)),
            parent=prose(self.ev.indicators[r.part_of].display_name) if r.part_of is not None else "",
            level1=text.md(r.level1),
            level2=text.md(r.level2),
            target=target_text or "—",
            actual=actual_text or "—",
            weight=self.fig[f"{path}.weight"],
            score=self.fig[f"{path}.score"],
            lost=self.fig[f"{path}.lost"],
            ratio=(status.ratio if status else self.fig[f"{path}.ratio"]) if show_ratio else None,
            status=r.status,
            full=r.full_marks,
            quantitative=r.ratio is not None,
            note=text.md(note) if note else None,
            cause=cause,
            measure=text.md(text.clause(ind.measure)) if ind.measure else None,
            has_weight=r.weight is not None,
            has_score=r.score is not None,
            descriptive=descriptive,
            actual_is_cause=bool(r.cause and ind.actual and text_overlap(r.cause, ind.actual) >= SAME_TEXT_OVERLAP),
            s=status,
            **_result(r),
            money="元" in (r.target.unit or ""),
        )

    def group(
        self, level1: str, name: str, members: list[IndicatorResult], facts: dict[int, IndicatorFacts]
    ) -> GroupFacts:
        weight = sum((m.weight or ZERO for m in members), ZERO)
        score = sum((m.score or ZERO for m in members), ZERO)
        key = f"categories[{level1}/{name}]"
        routine, exceeded, deducted, short_full = [], [], [], []
        for m in members:
            f = facts[m.index]
            if m.lost > 0:
                deducted.append(f)
            elif m.status == "exceeded":
                exceeded.append(f)
            elif m.status in ("partial", "missed") and m.full_marks:
                short_full.append(f)
            else:
                routine.append(f)
        examples = [f for f in routine if f.quantitative][:2]
        # reached and said to have full marks: only where the form prints the weight the score reaches
        met = [f for f in routine if not f.result and f.s is not None and f.s.key in _REACHED and f.full]
        other = [f for f in routine if not f.result and f not in met]
        told: list[list[IndicatorFacts]] = []
        size = RESULTS_PARAGRAPH
        for f in routine:
            if not f.result:
                continue
            length = len(f.name) + len(f.result) + 8
            if size + length > RESULTS_PARAGRAPH:
                told.append([])
                size = 0
            told[-1].append(f)
            size += length
        by_loss = [f for f in deducted if f.lost.known]
        notable = max(by_loss, key=lambda f: (f.lost.value, -(f.ratio.number if f.ratio is not None else 0)),
                      default=None)
        return GroupFacts(
            name=text.md(name),
            count=self.fig[f"{key}.count"],
            weight=self.fig[f"{key}.weight"],
            score=self.fig[f"{key}.score"],
            lost=self.fig[f"{key}.lost"],
            full_count=self.fig[f"{key}.full_count"],
            completion=self.completion(members, score, _weight_of(members, weight)),
            unweighted=_unweighted(members, key),
            with_parts=[facts[m.index] for m in members if facts[m.index].parts],
            unscored=sum(1 for m in members if m.score is None),
            routine=routine,
            exceeded=exceeded,
            deducted=deducted,
            short_full=short_full,
            examples=examples,
            met=met,
            told=told,
            other=other,
            notable=notable,
        )

    def categories(self, facts: dict[int, IndicatorFacts]) -> list[CategoryFacts]:
        out = []
        for c1 in self.ev.level1:
            members = [r for r in self.ev.counted if r.level1 == c1.level1]
            subgroups: dict[str, list[IndicatorResult]] = {}
            for r in members:
                subgroups.setdefault(r.level2, []).append(r)
            groups = [self.group(c1.level1, name, rs, facts) for name, rs in subgroups.items()]
            key = category_key(c1)
            out.append(
                CategoryFacts(
                    name=text.md(c1.level1),
                    kind=_kind(c1.level1),
                    count=self.fig[f"{key}.count"],
                    weight=self.fig[f"{key}.weight"],
                    score=self.fig[f"{key}.score"],
                    lost=self.fig[f"{key}.lost"],
                    full_count=self.fig[f"{key}.full_count"],
                    completion=self.completion(members, c1.score, _weight_of(members, c1.weight)),
                    groups=groups,
                    single_group=len(groups) == 1 and groups[0].name == text.md(c1.level1),
                    unscored=sum(1 for r in members if r.score is None),
                    unweighted=_unweighted(members, key),
                )
            )
        return out

    def completion(self, members: list[IndicatorResult], score: Decimal, weight: Decimal | None) -> str:
        """The completion word from the statuses and the points (reportgen.evaluation.status.overall_completion)."""
        # a breakdown row that fell short keeps its parent's full marks from being 全面完成
        rows = [*members, *(p for m in members for p in self.parts.get(m.index, ()))]
        verdicts = [m.verdict for m in rows if m.verdict is not None]
        word = overall_completion(self.wording, verdicts, score if any(m.score is not None for m in members)
                                  else None, weight)
        return word or self.wording.say("unjudged")

    # budget ---------------------------------------------------------------------------------
    def budget(self) -> BudgetFacts | None:
        b = self.ev.budget
        if b is None:
            return None
        fig = self.fig
        sources: list[dict[str, Figure | str]] = [
            {
                "name": text.md(s.name),
                "initial": fig[f"budget.sources[{n}].initial"],
                "adjusted": fig[f"budget.sources[{n}].adjusted"],
                "executed": fig[f"budget.sources[{n}].executed"],
            }
            for n, s in enumerate(self.form.budget.sources if self.form.budget else [])
        ]
        return BudgetFacts(
            unit=b.unit,
            weight=fig["budget.weight"],
            initial=fig["budget.initial"],
            adjusted=fig["budget.base"],
            executed=fig["budget.executed"],
            rate=fig["budget.rate"],
            score=fig["budget.score"],
            lost=fig["budget.lost"],
            full=b.weight is not None and b.score is not None and b.lost == 0,
            under=b.rate is not None and b.rate < self.ev.rules.low_execution_rate,
            over=b.rate is not None and b.rate > 1,
            sources=sources,
            base_name=self.wording.say("budget_name.adjusted" if fig["budget.adjusted"].known
                                       or not fig["budget.initial"].known else "budget_name.initial"),
            adjusted_printed=fig["budget.adjusted"].known,
            balance=fig["budget.balance"],
            story=budget_story(self.ev, self.placeholder),
        )

    # deviations and measures ----------------------------------------------------------------
    def deviations(
        self, facts: dict[int, IndicatorFacts], budget: BudgetFacts | None
    ) -> tuple[list[DeviationItem], dict[int, str], list[tuple[str, str]]]:
        """Paragraphs for the deviation section, the overall analysis left to state (by index), and
        (cause, about) pairs."""
        form = self.form
        analysis = list(form.deviation_analysis)
        used: set[int] = set(self.ev.linked_analysis)
        causes: list[tuple[str, str]] = []  # (cause text as the form gives it, what it explains)
        items: list[DeviationItem] = []

        # an overall analysis item that repeats an indicator's own cause is said with that indicator
        for j, item in enumerate(analysis):
            for r in self.ev.indicators:
                if r.indicator.cause and text_overlap(r.indicator.cause, item) >= SAME_TEXT_OVERLAP:
                    used.add(j)

        if budget is not None and (budget.under or (self.ev.budget and self.ev.budget.lost > 0)):
            linked = []
            for j, item in enumerate(analysis):
                if j in used:
                    continue
                keys = {c.key for c in self.classifier.categories(item)}
                if keys & _BUDGET_CAUSES:
                    linked.append(j)
            cause = "；".join(text.clause(analysis[j]) for j in linked) or None
            used.update(linked)
            rec = self.ev.reconciliation
            if cause is None and rec is not None and rec.under_cause and rec.under_cause_from:
                # the cause written on an indicator about the same money explains the unspent budget too
                cause = self.wording.say("cause_from_indicator", name=text.clause(rec.under_cause_from),
                                         cause=text.clause(rec.under_cause))
            about = self.wording.say("measures.budget_rate", rate=budget.rate.format())
            if cause:
                causes.append((cause, about))
            what = "budget_low" if budget.under else "budget_unspent"
            items.append(
                DeviationItem(
                    kind="budget",
                    indicator=None,
                    cause=text.md(cause) if cause else None,
                    placeholder=None if cause else self.placeholder(what, "deviation_analysis"),
                    self_led=_self_led(cause),
                )
            )

        for r in self.ev.indicators:
            f = facts[r.index]
            raw_cause = r.cause if r.cause_source in ("indicator", "analysis", "actual") else None
            kind: Literal["deducted", "deducted_met", "short_full", "exceeded"]
            if r.part_of is not None:
                # a breakdown row (no points of its own) that fell short while its parent kept full marks; a
                # parent that lost points is a deviation itself, and its parts are said after it
                if r.status not in ("partial", "missed") or not self.ev.indicators[r.part_of].full_marks:
                    continue
                kind = "short_full"
            elif r.lost > 0 and r.status in ("met", "exceeded"):
                kind = "deducted_met"
            elif r.lost > 0:
                kind = "deducted"
            elif r.status in ("partial", "missed") and r.full_marks:
                kind = "short_full"
            elif r.status == "exceeded":
                kind = "exceeded"
            else:
                continue
            explanation = raw_cause or (_note(r.actual.note) if kind in ("short_full", "deducted") else None)
            if explanation:
                names = self.wording.say("measures.name", name=text.clause(r.display_name))
                causes.append((text.clause(explanation), self.wording.say(
                    "measures.indicators", names=names,
                    gap=self._gap(kind, r.lower_better, r.verdict is not None and r.verdict.kind in SHORT))))
            placeholder = None
            if not explanation and kind != "exceeded":
                # the gap asks for what the kind lacks: 扣分的理由 / 偏差原因 / 未达目标值的原因 (wording.yaml)
                placeholder = self.placeholder(kind, f"indicators[{r.index}].cause", name=text.clause(r.display_name))
            items.append(
                DeviationItem(
                    kind=kind,
                    indicator=f,
                    cause=text.md(text.clause(raw_cause)) if raw_cause else None,
                    placeholder=placeholder,
                    self_led=_self_led(raw_cause),
                )
            )
        general = {j: item for j, item in enumerate(analysis) if j not in used}
        # every analysis item may name a cause category; categories already met above are not repeated
        causes.extend((text.clause(item), "") for item in analysis)
        return items, general, causes

    def groups(self, items: list[DeviationItem], analysis: dict[int, str]) -> tuple[list[DeviationGroup], set[int]]:
        """The deviations grouped by theme (narrative.grouping), and the analysis items that became causes."""
        names = {r.index: r.display_name for r in self.ev.indicators}
        levels = {r.index: (r.level1, r.level2 or "") for r in self.ev.indicators}
        return group_deviations(items, names, levels, self.themes, analysis, self.placeholder)

    def _gap(self, kind: str, cap: bool = False, short: bool = True) -> str:
        if kind == "deducted" and not short:
            kind = "deducted_unjudged"  # points lost where no target was printed or comparable: not 未完成
        elif kind == "deducted" and cap:
            kind = "cap"  # a cap (越低越好) that fell short went over it; it did not "fail to reach" it
        key = f"measures.gap.{kind}"
        return self.wording.say(key) if key in self.wording.phrases else ""

    def measures(
        self, causes: list[tuple[str, str]], groups: list[DeviationGroup]
    ) -> tuple[list[MeasureItem], list[MeasureItem]]:
        """The form's measures first, then one per recorded cause category, then one per unexplained group.

        A derived measure always names what it answers (the cause, or the group); its content is chosen by
        the cause's category (causes.yaml) or the group's theme (themes.yaml), never by rotating wordings.
        When the form gives no measure at all, a short forward-looking set closes the list (general).
        """
        form = self.form
        items = [MeasureItem(text.md(text.sentence(m)), "form") for m in form.improvement_measures]
        leads = len(self.wording.choices("measures.indicator_lead"))
        k = 0
        for r in self.ev.indicators:
            if r.indicator.measure:
                # rotate the lead-in so consecutive measures never open the same way
                lead = self.wording.say("measures.indicator_lead", self.vary.step("measures.lead", leads, k),
                                        name=text.clause(r.display_name))
                k += 1
                items.append(MeasureItem(text.md(lead + text.sentence(r.indicator.measure)), "indicator"))
        own = " ".join([*form.improvement_measures, *(r.indicator.measure or "" for r in self.ev.indicators)])
        own_given = bool(own.strip())
        seen: set[str] = set()
        for cause, about in causes:
            for cat in self.classifier.categories(cause):
                if cat.key in seen:
                    continue
                seen.add(cat.key)
                if self.classifier.covered(cat, own):
                    continue
                items.append(self._derived(cat, cause, about, k))
                k += 1
        for g in groups:
            item = self._for_group(g, own, seen, k)
            if item is not None:
                items.append(item)
                k += 1
        general = []
        if not own_given:
            # nothing of the form's own: the forward-looking set (绩效目标设置、资金管理、结果应用), less
            # what a derived measure already says (target_setting answers 绩效目标设置)
            said = {"goal_setting"} if "target_setting" in seen else set()
            if "budget" in seen or seen & {"funds_late", "fund_management", "payment_terms"}:
                said.add("fund_management")
            for i, cat in enumerate(self.taxonomy.general):
                if cat.key in said:
                    continue
                choice = self.vary.pick(f"measures.general.{cat.key}", len(cat.measures), i)
                general.append(MeasureItem(text.md(cat.measures[choice] + "。"), "general", None, cat.name))
        return items, general

    def _for_group(self, g: DeviationGroup, own: str, seen: set[str], position: int) -> MeasureItem | None:
        """The measure answering one group (or single item) whose cause the form does not give."""
        d = g.item
        if g.cause or (g.kind == "single" and (d.cause or (d.indicator is not None and d.indicator.note))):
            return None  # the form gives the cause: the cause's category answers it (above), or the form does
        kind = d.kind if g.kind == "single" else g.kind
        if g.kind == "single" and d.indicator is not None and d.indicator.parent:
            kind = "deducted"  # a breakdown row short of its target: answered by its theme, not by how it was scored
        names = [text.clause(self.ev.indicators[x.indicator.index].display_name) for x in g.items
                 if x.indicator is not None]
        say = self.wording.say
        quoted = "".join(say("measures.name", name=n) for n in names[:3]) + (
            say("measures.more", count=len(names)) if len(names) > 3 else "")
        theme: Any
        if kind == "exceeded":
            theme, about = self.taxonomy.by_key("target_setting"), say("measures.exceeded", names=quoted)
            key = "target_setting"
        elif kind == "budget":
            b = self.ev.budget
            if b is None or b.rate is None or b.rate >= 1:
                return None  # all spent: what is wrong is how the form was filled in (其他需要说明的问题)
            theme, key = self.themes.of_kind("budget"), "budget"
            about = say("measures.budget_low" if b.rate < self.ev.rules.low_execution_rate else "measures.budget_unspent")
        elif kind in ("deducted_met", "short_full"):
            theme, key = self.themes.of_kind(kind), kind
            about = say(f"measures.{kind}", names=quoted)
        else:
            theme = g.theme or self.themes.fallback
            key = f"theme.{theme.key}"
            if g.kind == "single":
                s = d.indicator.s if d.indicator is not None else None
                about = say("measures.indicators", names=quoted, gap=self._gap(
                    "deducted", bool(s and s.direction == "lower"), s is None or s.kind in SHORT))
            elif g.extra.get("by") == "unjudged":
                about = say("measures.indicators", names=quoted, gap=self._gap("deducted", short=False))
            elif g.extra.get("by") == "theme":
                about = say("measures.theme", theme=theme.name)
            else:
                about = say("measures.group", names=quoted)
        if theme is None or key in seen:
            return None
        seen.add(key)
        covered = theme.covered if hasattr(theme, "covered") else ()
        if any(word in own for word in covered):
            return None
        # the content is the theme's (its first measure), not a rotation: only the lead-in varies, for neighbours
        if key.startswith("target_setting"):
            measure = theme.measures[self.vary.pick(f"measures.derived.{key}", len(theme.measures))]
        else:  # what the group's indicators call for (a theme's parts), else its first measure
            measure = theme.measure_for(names)
        sentence = self._sentence(about, measure, position, key)
        return MeasureItem(text.md(sentence), "group", text.md(about), theme.name)

    def _derived(self, cat: CauseCategory, cause: str, about: str, position: int) -> MeasureItem:
        # the cause's first clause without the form's numbering: "（一是A）" in a sentence reads as a stray mark
        responds = text.first_clause(unnumbered(split_numbered(cause)[0]))
        target = self.wording.say("measures.with_cause", about=about, cause=responds) if about else responds
        choice = self.vary.pick(f"measures.derived.{cat.key}", len(cat.measures))
        sentence = self._sentence(target, cat.measures[choice], position, cat.key)
        return MeasureItem(text.md(sentence), "derived", text.md(target), cat.name)

    def _sentence(self, about: str, measure: str, position: int, salt: str) -> str:
        """A derived measure: lead-in, what it answers, tail, the measure (wording.yaml ``measures.sentence``)."""
        w = self.wording
        # rotate with the item's position so a derived measure never opens like the one before it
        lead = w.say("measures.lead", self.vary.step("measures.lead", len(w.choices("measures.lead")), position))
        tail = w.say("measures.tail", self.vary.pick("measures.derived.tail", len(w.choices("measures.tail")), salt))
        return w.say("measures.sentence", lead=lead, about=about, tail=tail, measure=measure)

    # appendix -------------------------------------------------------------------------------
    def appendix(self, facts: dict[int, IndicatorFacts]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        last1 = last2 = None
        for r in self.ev.indicators:
            f = facts[r.index]
            rows.append(
                {
                    "level1": f.level1 if f.level1 != last1 else "",
                    "level2": f.level2 if (f.level2, f.level1) != (last2, last1) else "",
                    "name": text.cell(text.tidy(r.name)),
                    "weight": f.weight,
                    # the printed value in standard glyphs (≧ → ≥, ═ → =): a 公文's table, not the form's typing
                    "target": text.cell(text.tidy(r.indicator.target)),
                    "actual": text.cell(text.tidy(r.indicator.actual)),
                    "score": f.score,
                }
            )
            last1, last2 = f.level1, f.level2
        fig = self.fig
        shown = [*(fig[k] for k in ("budget.rate", "budget.score") if k in fig and fig["budget.weight"]),
                 *(r[k] for r in rows for k in ("weight", "score"))]
        if fig["total_score"].missing:
            shown.append(fig["total_computed"])
        weight = fig["total_weight"]
        # the 合计 row's 分值 is the column's sum; below full marks it shows what the form lacks, so it is marked
        short = weight.known and weight != fig["rules.total_weight"]
        total = {"weight": weight, "weight_short": short, "score": fig["total_score"], "computed": fig["total_computed"],
                 "marked": short or any(x.computed for x in shown)}  # whether a ※ needs the note under the table
        return rows, total


#: the department-wide facts (``narrative.department.department_facts``), passed in by the composer: they
#: build on these facts, so this module does not import them
DepartmentStep = Callable[[Evaluation, "Facts", dict[int, "IndicatorFacts"]], Any]


def build_facts(ev: Evaluation, wording: Wording, classifier: CauseClassifier, *, department: DepartmentStep,
                force: int | None = None, themes: ThemeBook | None = None) -> Facts:
    """Turn an evaluation into the facts object every template receives as ``f``; ``f.dept`` by ``department``."""
    form = ev.form
    seed = f"{form.unit or ''}|{form.year or ''}|{form.project}"
    b = _Builder(ev, wording, classifier, Variation(seed, force), themes or load_themes())
    indicator_facts = {r.index: b.indicator(r) for r in ev.indicators}
    for r in ev.indicators:
        if r.part_of is not None:
            indicator_facts[r.part_of].parts.append(indicator_facts[r.index])
    budget = b.budget()
    categories = b.categories(indicator_facts)
    deviations, unused_analysis, causes = b.deviations(indicator_facts, budget)
    deviation_groups, group_causes = b.groups(deviations, unused_analysis)
    general_analysis = [text.md(text.sentence(item)) for j, item in unused_analysis.items() if j not in group_causes]
    measures, general_measures = b.measures(causes, deviation_groups)
    rows, total_row = b.appendix(indicator_facts)
    fig = ev.figures
    year: Figure | str = fig["year"] if form.year else b.placeholder("year", "year")
    unit = text.md(form.unit) if form.unit else b.placeholder("unit", "unit")
    # the 落款 needs a date: the form's 填报日期, else a gap the author fills in
    date: Figure | str = fig["filled_on"] if form.filled_on else b.placeholder("date", "filled_on")
    title_year = wording.say("title.year", year=form.year) if form.year else ""
    indicator_weight = sum((r.weight or ZERO for r in ev.counted), ZERO)
    indicator_score = sum((r.score or ZERO for r in ev.counted), ZERO)
    overall_points = (indicator_score + (ev.budget.score or ZERO if ev.budget else ZERO),
                      indicator_weight + (ev.budget.weight or ZERO if ev.budget else ZERO))
    if any(r.weight is None for r in ev.counted) and form.total_score is not None:
        # weights left blank: the row sums say nothing of lost points, the printed total against full marks does
        overall_points = (form.total_score, ev.rules.total_weight)
    facts = Facts(
        title=text.md(wording.say(f"title.{form.kind}", year=title_year, subject=text.clause(form.subject))),
        project=text.md(text.clause(form.subject)),
        unit=unit,
        year=year,
        date=date,
        department=text.md(form.department or ""),
        implementer=text.md(ev.implementer) if ev.implementer else b.placeholder("implementer", "implementer"),
        category=text.md(form.category or ""),
        attribute=text.md(form.attribute or ""),
        type=text.md(form.type or ""),
        overview=text.md(text.sentence(form.overview)) if form.overview else "",
        goals_planned=text.md(text.sentence(form.goals.planned)) if form.goals and form.goals.planned else "",
        goals_achieved=text.md(text.sentence(form.goals.achieved)) if form.goals and form.goals.achieved else "",
        budget=budget,
        categories=categories,
        indicator_count=fig["indicator_count"],
        full_count=fig["full_count"],
        deducted_count=fig["deducted_count"],
        total=fig["total_score"],
        total_computed=fig["total_computed"],
        total_weight=fig["total_weight"],
        total_lost=fig.get("total_lost") or computed(None, "score", "", path="total_lost"),
        grade=fig["grade"],
        grade_word=_grade_word(fig["grade"], wording),
        # the budget's points count too: a lost budget point is never 全面完成
        overall_completion=b.completion(ev.counted, *overall_points),
        unscored_count=sum(1 for r in ev.counted if r.score is None),
        unweighted_count=sum(1 for r in ev.counted if r.weight is None),
        goal_gap=b.placeholder("goals", "goals.planned") if ev.goal_hollow else "",
        # a copied target ("≥266米" as the actual) says nothing of completion either
        unassessed=computed(Decimal(sum(1 for r in ev.counted if r.score is None or r.actual.placeholder
                                        or not r.indicator.actual
                                        or (r.verdict is not None and r.verdict.key == "copied"))),
                            "count", "未填写实际完成值或得分的指标项数", path="unassessed", unit="项",
                            label="未填写实际完成值或得分的指标数"),
        execution_missing=ev.budget is None or ev.budget.executed is None,
        deviation_gap=b.placeholder("deviations_pending", "indicators"),
        deviation_count=computed(Decimal(len(deviations)), "count", "需要分析说明的偏差事项数",
                                 path="deviation_count", unit="项", label="偏差事项数"),
        # a grade printed without a total: only the total is asked for (the printed grade is stated as such)
        total_gap=("" if not fig["total_score"].missing
                   else b.placeholder("total_only" if fig["grade"].printed else "total", "total_score")),
        indicators_gap=b.placeholder("indicators", "indicators") if not ev.indicators else "",
        deviations=deviations,
        deviation_groups=deviation_groups,
        group_count=computed(Decimal(len(deviation_groups)), "count", "偏差归类后的方面数", path="group_count",
                             unit="个", label="偏差方面数"),
        general_analysis=general_analysis,
        measures=measures,
        general_measures=general_measures,
        measures_gap=b.placeholder("measures", "improvement_measures")
        if deviations and not measures else "",
        other_notes=text.md(text.sentence(form.other_notes)) if form.other_notes else "",
        notes=_with_untold_causes(_notes(ev), ev, indicator_facts, deviations),
        appendix=rows,
        appendix_total=total_row,
        contacts={
            k: text.md(v)
            for k, v in (form.contacts.model_dump() if form.contacts else {}).items()
            if v
        },
        vary=b.vary,
        wording=wording,
        rules=SimpleNamespace(**{name: fig[f"rules.{name}"] for name in RULE_NAMES}),
    )
    short = "" if form.is_department else short_name(text.clause(form.subject))
    short = text.md(short) if short else ""
    facts.naming = Naming(facts.project, short,
                          wording.say("short_name", full=facts.project, short=short) if short else "")
    facts.main_outputs = _main_outputs(ev, indicator_facts)
    # what the money pays for: cost indicators in money (≤200元/人), never a benefit target (增收≥11.376万元)
    # (filed as a cost indicator, or named as one where the form misfiles it: 社区党员培训成本 under 社会效益)
    facts.money_items = [indicator_facts[r.index] for r in ev.counted if indicator_facts[r.index].money
                         and COST_WORDS.search(f"{r.indicator.level1 or ''}{r.indicator.level2 or ''}{r.name}")]
    facts.self_evaluation = text.md(text.sentence(form.self_evaluation)) if form.self_evaluation else ""
    era = "before_2019" if form.year is not None and form.year <= 2018 else "current"
    facts.basis, facts.basis_short = wording.say(f"basis.{era}"), wording.say(f"basis.{era}_short")
    facts.same_units = _same_body(form.department, ev.implementer)
    planned = form.goals.planned if form.goals else None
    achieved = form.goals.achieved if form.goals else None
    facts.achieved_new = (bool(achieved) and not _same_body(achieved, planned)
                          and not hollow_goal(achieved, form.project) and _tells(achieved))
    facts.achieved_paragraphs = text.chunks(facts.goals_achieved) if facts.achieved_new else []
    facts.gaps.extend(b.gaps)
    # every form gets them, so the department outline also reads a project form (f.dept.is_department tells)
    facts.dept = department(ev, facts, indicator_facts)
    facts.gaps.extend(facts.dept.gaps)
    facts.placeholders.extend(g.mark for g in b.gaps)
    return facts
