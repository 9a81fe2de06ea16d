"""The facts of a 部门整体支出绩效自评报告: ``department_facts(...) -> DepartmentFacts`` (templates get ``f.dept``).

What a department-wide report says beyond a project report: the unit's functions and staff, the money by
收入 and 支出 (基本支出 / 项目支出) with adjustment and over-spend, the annual tasks planned against reported
(a task nothing reports on is named and gets a 【待补充】), and the indicators grouped as the unit's
管理指标 (read with their direction: a cap met is met) and its 产出/效益/满意度 indicators, core indicators
first. Every number is a figure with its origin (``reportgen.evaluation.figures``); nothing computed is passed off as
printed — a computed adjustment or over-spend amount is said to be computed by the templates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import yaml

from reportgen.errors import LexiconError
from reportgen.evaluation.figures import Figure, Gap, computed, printed
from reportgen.evaluation.model import source_of
from reportgen.evaluation.scoring import Evaluation, IndicatorResult
from reportgen.narrative import text
from reportgen.narrative.facts import DeviationItem, Facts, IndicatorFacts
from reportgen.narrative.grouping import DeviationGroup
from reportgen.narrative.wording import Wording
from reportgen.resources import lexicon_dir

ZERO = Decimal(0)
FILE_NAME = "management.yaml"

# the groups of section 四, in the order the report takes them (their names: management.yaml ``groups``)
_GROUPS = ("management", "outputs", "benefits", "satisfaction", "other")


@dataclass(frozen=True)
class ManagementLexicon:
    words: tuple[str, ...]
    level1: tuple[str, ...]
    #: the name of each group of section 四 (``flat``: the unit's own indicators on a list without 一级指标)
    groups: dict[str, str]
    #: words of an analysis item that explain spending above the budget, then a mid-year adjustment, and
    #: the words one of which the item must also contain to be about the money
    over_words: tuple[tuple[str, ...], ...]
    over_subjects: tuple[str, ...]

    def is_management(self, r: IndicatorResult) -> bool:
        if r.indicator.level1:
            if any(w in r.indicator.level1 for w in self.level1):
                return True
            return False  # a printed 产出/效益/满意度 level decides
        return any(w in r.name for w in self.words)


@cache
def _load(path: str) -> ManagementLexicon:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise LexiconError(f"无法读取管理指标词库（{exc}）", where=path) from exc
    if not isinstance(data, dict) or not isinstance(data.get("words"), list):
        raise LexiconError("管理指标词库应有 words 列表", where=path, hint="每行写一个词，如“  - 调整率”")
    # a user's file that words only the management indicators keeps the shipped group names and over-spend words
    shipped = str(lexicon_dir() / FILE_NAME)
    base = None if path == shipped else _load(shipped)
    try:
        if "groups" in data or base is None:
            groups = {str(k): str(v) for k, v in data["groups"].items()}
        else:
            groups = base.groups
        if "over_words" in data or base is None:
            over = data["over_words"]
            over_words = tuple(tuple(str(w) for w in over[k]) for k in ("over", "adjustment"))
            over_subjects = tuple(str(w) for w in over["subjects"])
        else:
            over_words, over_subjects = base.over_words, base.over_subjects
    except (AttributeError, KeyError, TypeError) as exc:
        raise LexiconError(f"管理指标词库的 groups 或 over_words 缺少或格式不正确（{exc}）", where=path,
                           hint="请参照内置的 lexicon/management.yaml") from exc
    missing = [k for k in (*_GROUPS, "flat") if k not in groups]
    if missing:
        raise LexiconError(f"管理指标词库的 groups 缺少“{'、'.join(missing)}”", where=path)
    return ManagementLexicon(
        tuple(str(w) for w in data["words"] if str(w).strip()),
        tuple(str(w) for w in data.get("level1") or [] if str(w).strip()),
        groups,
        over_words,
        over_subjects,
    )


def management_lexicon(lexicon: str | Path | None = None) -> ManagementLexicon:
    """The management-indicator words of a ``--lexicon`` folder (when it has management.yaml) or built in."""
    if lexicon is not None and (Path(lexicon) / FILE_NAME).is_file():
        return _load(str((Path(lexicon) / FILE_NAME).resolve()))
    return _load(str(lexicon_dir() / FILE_NAME))


@dataclass
class TaskFacts:
    name: str
    planned: str  # the task's own content (主要内容), when the form gives one
    result: str | None  # what the form reports done; None: nothing
    placeholder: str | None  # 【待补充：…】 when nothing is reported
    listed: bool = True  # a row of the form's task table (False: a goal of the 年度绩效目标 text, read as a task)


@dataclass
class MoneyRow:
    name: str
    adjusted: Figure
    executed: Figure
    rate: Figure  # computed: executed ÷ adjusted (the form prints no rate for these rows)


@dataclass
class DeptIndicator:
    """One indicator as section 四 says it: the facts of every report plus direction, core and 得分系数."""

    i: IndicatorFacts
    core: bool
    lower: bool  # judged as a cap (越低越好)
    coef: Figure | None
    short: bool  # fell short of its target or lost points
    unit_text: str  # the printed 计量单位, when the target does not already carry it

    @property
    def name(self) -> str:
        return self.i.name


@dataclass
class DeptGroup:
    kind: str  # management / outputs / benefits / satisfaction / other (the section key)
    name: str
    items: list[DeptIndicator]
    weight: Figure
    score: Figure
    count: Figure

    @property
    def unscored(self) -> int:
        """Indicators the form gives no score: the group's sum leaves them out (the text says so)."""
        return sum(1 for d in self.items if not d.i.has_score)

    @property
    def short(self) -> list[DeptIndicator]:
        """Shortfalls, core indicators first."""
        return sorted((d for d in self.items if d.short), key=lambda d: (not d.core, d.i.index))

    @property
    def capped(self) -> list[DeptIndicator]:
        """Lower-is-better indicators that kept under their cap."""
        return [d for d in self.items if d.lower and not d.short and d.i.status != "unknown"]

    @property
    def routine(self) -> list[DeptIndicator]:
        """Met their target, nothing to remark (said together)."""
        return [d for d in self.items if not d.short and not d.lower and d.i.status in ("met", "exceeded")]

    @property
    def full_marks(self) -> list[DeptIndicator]:
        """Scored at their full 分值 (a score-only table says these together)."""
        return [d for d in self.items if not d.short and d.i.has_score and d.i.weight.known
                and d.i.score.known and d.i.score.number == d.i.weight.number]

    @property
    def unjudged(self) -> list[DeptIndicator]:
        """No target or no actual to compare (the form scored them all the same)."""
        return [d for d in self.items if not d.short and d.i.status == "unknown"]


@dataclass
class Problem:
    """One item of 存在的问题及原因: a deviation of the project facts, marked when it is a core indicator's."""

    d: DeviationItem
    core: bool


@dataclass
class DepartmentFacts:
    is_department: bool  # a department-wide form (False: a project form read with the department outline)
    subject: str
    functions: str
    organisation: str
    tasks: list[TaskFacts]
    tasks_unreported: list[TaskFacts]
    task_count: Figure
    reported_count: Figure  # tasks the form reports a result for
    unpaired: list[str]  # reported items (escaped) that no task took as its result: said as the form has them
    income: list[MoneyRow]
    spending: list[MoneyRow]
    adjustment: Figure  # computed: |全年预算数 − 年初预算数| (missing when either is blank or they are equal)
    adjust_word: str  # 调增 / 调减
    over: Figure  # computed: 执行数 − 预算数 when the unit spent more than budgeted
    over_cause: str | None  # the form's analysis item explaining the over-spend or the adjustment
    over_placeholder: str | None  # 【待补充】 when the form does not explain an over-spend
    groups: list[DeptGroup]
    items: list[DeptIndicator]  # every counted indicator, in the form's order (breakdown rows are their parent's)
    rows: list[DeptIndicator | None]  # one per appendix row (f.appendix): None for a breakdown row (其中……)
    problems: list[Problem]  # the deviations, core indicators' first
    # the deviations as the project outlines group them (narrative.grouping), groups holding a core
    # indicator first after the budget; otherwise in the grouping's order
    problem_groups: list[DeviationGroup]
    core: list[DeptIndicator]
    core_short: list[DeptIndicator]
    core_count: Figure
    lower_count: Figure
    flat: bool  # the form prints no 一级指标
    # the form's indicator table has 分值 and 得分 but no 指标值 and no 完成值 at all: said once, not row by row
    score_only: bool = False
    gaps: list[Gap] = field(default_factory=list)


class _Builder:
    def __init__(self, ev: Evaluation, indicators: dict[int, IndicatorFacts], wording: Wording) -> None:
        self.ev = ev
        self.form = ev.form
        self.fig = ev.figures
        self.source = source_of(ev.form)
        self.indicators = indicators
        self.gaps: list[Gap] = []
        self.wording = wording

    @cached_property
    def lexicon(self) -> ManagementLexicon:
        # looked up when the indicators are grouped or an over-spend explained: a project form's f.dept rarely is
        return management_lexicon(self.ev.rules.lexicon)

    def placeholder(self, key: str, path: str, **values: object) -> str:
        """The 【待补充：…】 of gap ``key`` (wording.yaml ``phrases.gaps``), registered with its field path."""
        gap = Gap(self.wording.say(f"gaps.{key}", **values), path)
        self.gaps.append(gap)
        return gap.mark

    def count(self, n: int, rule: str, path: str, label: str) -> Figure:
        return computed(Decimal(n), "count", rule, path=path, unit="项", label=label)

    # -- money ------------------------------------------------------------------------------
    def money_rows(self, group: str) -> list[MoneyRow]:
        b = self.form.budget
        if b is None:
            return []
        unit = b.unit
        rows = []
        for n, s in enumerate(getattr(b, group)):
            path = f"budget.{group}[{n}]"
            adjusted = printed(s.adjusted if s.adjusted is not None else s.initial, "money",
                               self.source.locate(f"{path}.adjusted" if s.adjusted is not None else f"{path}.initial"),
                               f"{path}.adjusted", unit=unit, label=f"{s.name}预算数")
            executed = printed(s.executed, "money", self.source.locate(f"{path}.executed"), f"{path}.executed",
                               unit=unit, label=f"{s.name}执行数")
            value = None
            if adjusted.known and executed.known and adjusted.number > 0:
                value = executed.number / adjusted.number
            rate = computed(value, "rate", "执行数÷预算数", (executed, adjusted), path=f"{path}.rate",
                            label=f"{s.name}执行率")
            rows.append(MoneyRow(text.md(s.name), adjusted, executed, rate))
        return rows

    def adjustment(self) -> Figure:
        b = self.ev.budget
        value = None
        if b is not None and b.initial is not None and b.adjusted is not None and b.adjusted != b.initial:
            value = abs(b.adjusted - b.initial)
        return computed(value, "money", "全年预算数−年初预算数", (self.fig["budget.adjusted"], self.fig["budget.initial"])
                        if b is not None else (), path="budget.adjustment", unit=b.unit if b else "",
                        label="预算调整金额")

    def over(self) -> Figure:
        b = self.ev.budget
        value = None
        if b is not None and b.base is not None and b.executed is not None and b.executed > b.base:
            value = b.executed - b.base
        inputs = (self.fig["budget.executed"], self.fig["budget.base"]) if b is not None else ()
        return computed(value, "money", "执行数−预算数", inputs, path="budget.over", unit=b.unit if b else "",
                        label="超预算支出")

    # -- tasks --------------------------------------------------------------------------------
    def tasks(self) -> list[TaskFacts]:
        out = []
        for t in self.ev.tasks:
            name = text.md(text.clause(t.name))
            placeholder = None
            if not t.reported:
                placeholder = self.placeholder("task", f"{t.path}.result" if t.path.startswith("tasks")
                                               else "goals.achieved", name=text.clause(t.name)[:30])
            out.append(TaskFacts(
                name=name,
                planned=text.md(text.clause(t.planned)) if t.planned else "",
                result=text.md(text.clause(t.result)) if t.result else None,
                placeholder=placeholder,
                listed=t.path.startswith("tasks"),
            ))
        return out

    # -- indicators -----------------------------------------------------------------------------
    def indicator(self, r: IndicatorResult) -> DeptIndicator:
        ind = r.indicator
        coef = None
        if ind.coef is not None:
            path = f"indicators[{r.index}].coef"
            coef = printed(ind.coef, "rate", self.source.locate(path), path, label=f"指标“{r.name}”得分系数")
        unit_text = ""
        if ind.unit and ind.target and not ind.target.endswith(ind.unit) and ind.unit != "%":
            unit_text = text.md(ind.unit)
        return DeptIndicator(self.indicators[r.index], r.core, r.lower_better, coef, r.short, unit_text)

    def group_key(self, r: IndicatorResult) -> tuple[str, str]:
        """The group an indicator is said in: its kind and, for a printed 一级指标 of no known kind (投入, 过程,
        决策…), that label, so that each such level is a group of its own under the form's name for it."""
        if self.lexicon.is_management(r):
            return "management", ""
        level1 = r.indicator.level1 or ""
        # a printed level decides: 群众满意度 filed under 效益 is said with the 效益 the form sums it into
        if "满意" in level1 or (not level1 and "满意" in r.name):
            return "satisfaction", ""
        if "效益" in level1:
            return "benefits", ""
        if "产出" in level1 or not level1:
            return "outputs", ""
        return "other", level1

    def group_name(self, kind: str, level1: str, flat: bool) -> str:
        if kind == "other" and level1:
            return text.md(level1 if level1.endswith("指标") else self.wording.say("level_group", level=level1))
        # on a flat list (no 一级指标) the unit's own indicators are its outputs and benefits, said as one group
        return self.lexicon.groups["flat" if kind == "outputs" and flat else kind]

    def groups(self, flat: bool) -> list[DeptGroup]:
        members: dict[tuple[str, str], list[IndicatorResult]] = {}
        for r in self.ev.counted:  # breakdown rows (其中……) are their parent's
            members.setdefault(self.group_key(r), []).append(r)
        # the known kinds in the report's order; a form printing levels of its own (投入, 过程, 产出, 效益) is
        # followed in its order, as its reader expects
        if any(kind == "other" for kind, _ in members):
            order = sorted(members, key=lambda k: members[k][0].index)
        else:
            order = sorted(members, key=lambda k: _GROUPS.index(k[0]))
        out = []
        for key in order:
            rs = members[key]
            name = self.group_name(*key, flat)
            weights = [self.fig[f"indicators[{r.index}].weight"] for r in rs]
            scores = [self.fig[f"indicators[{r.index}].score"] for r in rs]
            weight = computed(sum((w.number for w in weights if w.known), ZERO), "score", "所含指标分值合计",
                              tuple(weights), path=f"dept.groups[{name}].weight", unit="分", label=f"{name}分值")
            score = computed(sum((s.number for s in scores if s.known), ZERO), "score", "所含指标得分合计",
                             tuple(scores), path=f"dept.groups[{name}].score", unit="分", label=f"{name}得分")
            out.append(DeptGroup(key[0], name, [self.indicator(r) for r in rs], weight, score,
                                 self.count(len(rs), "所含指标项数", f"dept.groups[{name}].count", f"{name}指标数")))
        return out


def _over_cause(ev: Evaluation, lexicon: ManagementLexicon) -> str | None:
    """The analysis item that explains the over-spend (first choice) or the adjustment (management.yaml)."""
    for words in lexicon.over_words:
        for item in ev.form.deviation_analysis:
            if any(w in item for w in words) and any(w in item for w in lexicon.over_subjects):
                return text.md(text.clause(item))
    return None


@dataclass
class _Head:
    """What may ask the author for something (a 【待补充】), built for every form in the order its gaps are listed."""

    tasks: list[TaskFacts]
    subject: str
    over: Figure
    adjustment: Figure
    over_cause: str | None
    over_placeholder: str | None


def _head(b: _Builder) -> _Head:
    form = b.form
    tasks = b.tasks()
    subject = text.md(text.clause(form.subject)) if form.subject else b.placeholder("dept_subject", "unit")
    over = b.over()
    adjustment = b.adjustment()
    over_cause = _over_cause(b.ev, b.lexicon) if over.known or adjustment.known else None
    over_placeholder = None if over_cause or not over.known else b.placeholder("over_cause", "budget.executed")
    return _Head(tasks, subject, over, adjustment, over_cause, over_placeholder)


class _Deferred:
    """``f.dept`` of a project form: ``is_department`` and the gaps at once, the rest built when first read.

    Only the department outline reads more than ``is_department`` of a project form, and building the
    department's indicator groups for every project report cost as much as a tenth of composing it.
    """

    is_department = False

    def __init__(self, b: _Builder, head: _Head, f: Facts) -> None:
        self.gaps = b.gaps  # complete: only the head asks for gaps
        # what _assemble reads of f, not f itself: f holds this object (f.dept), and a cycle would leave every
        # report's facts to the cycle collector instead of freeing them when the report is done
        self._parts = (b, head, f.deviations, f.deviation_groups)
        self._facts: DepartmentFacts | None = None

    def __getattr__(self, name: str) -> Any:  # noqa: ANN401 - any field of DepartmentFacts
        if name.startswith("__") or name in ("_parts", "_facts"):
            raise AttributeError(name)
        if self._facts is None:
            self._facts = _assemble(*self._parts)
        return getattr(self._facts, name)


def department_facts(ev: Evaluation, f: Facts, indicators: dict[int, IndicatorFacts]) -> DepartmentFacts | _Deferred:
    """The department-wide facts of an evaluation, beside the facts ``f`` every report has."""
    b = _Builder(ev, indicators, f.wording)
    head = _head(b)
    if not ev.form.is_department:
        return _Deferred(b, head, f)
    return _assemble(b, head, f.deviations, f.deviation_groups)


def _assemble(b: _Builder, head: _Head, deviations: list[DeviationItem],
              deviation_groups: list[DeviationGroup]) -> DepartmentFacts:
    ev = b.ev
    form = ev.form
    flat = not any(r.indicator.level1 for r in ev.indicators)
    groups = b.groups(flat)
    every = [d for g in groups for d in g.items]
    core = [d for d in every if d.core]
    # core shortfalls first, in the order the form lists them
    core_short = sorted((d for d in every if d.core and d.short), key=lambda d: d.i.index)
    tasks = head.tasks
    by_index = {d.i.index: d for d in every}
    # (a breakdown row's deviation is in no group: it is no core indicator of its own)
    problems = [Problem(d, bool(d.indicator is not None and d.indicator.index in by_index
                                and by_index[d.indicator.index].core)) for d in deviations]
    problems.sort(key=lambda p: (p.d.kind != "budget", not p.core))  # budget first, then core indicators
    core_index = {d.i.index for d in core}
    problem_groups = sorted(deviation_groups, key=lambda g: (g.item.kind != "budget", not any(
        x.indicator is not None and x.indicator.index in core_index for x in g.items)))
    budget = ev.budget
    facts = DepartmentFacts(
        is_department=form.is_department,
        subject=head.subject,
        functions=text.md(text.sentence(form.functions)) if form.functions else "",
        organisation=text.md(text.sentence(form.organisation)) if form.organisation else "",
        tasks=tasks,
        tasks_unreported=[t for t in tasks if t.result is None],
        task_count=b.count(len(tasks), "年度工作任务项数", "dept.task_count", "年度工作任务数"),
        reported_count=b.count(sum(1 for t in tasks if t.result is not None), "填报了完成情况的年度工作任务项数",
                               "dept.reported_count", "已填报完成情况的任务数"),
        unpaired=[text.md(text.clause(item)) for item in ev.unpaired_results],
        income=b.money_rows("income"),
        spending=b.money_rows("spending"),
        adjustment=head.adjustment,
        adjust_word=b.wording.say("adjustment.up" if budget and budget.adjusted and budget.initial
                                  and budget.adjusted > budget.initial else "adjustment.down"),
        over=head.over,
        over_cause=head.over_cause,
        over_placeholder=head.over_placeholder,
        groups=groups,
        items=sorted(every, key=lambda d: d.i.index),
        rows=[by_index.get(r.index) for r in ev.indicators],
        problems=problems,
        problem_groups=problem_groups,
        core=core,
        core_short=core_short,
        core_count=b.count(len(core), "核心指标项数", "dept.core_count", "核心指标数"),
        lower_count=b.count(sum(1 for d in every if d.lower), "越低越好的指标项数", "dept.lower_count",
                            "越低越好的指标数"),
        flat=flat,
        score_only=bool(ev.counted) and any(r.indicator.score is not None for r in ev.counted)
        and all(r.indicator.target is None and r.indicator.actual is None for r in ev.counted),
    )
    facts.gaps = b.gaps
    return facts
