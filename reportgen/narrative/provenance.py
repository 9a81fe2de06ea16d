"""The figures of an evaluation, each with its origin: ``evaluation_figures(ev) -> {path: Figure}``.

Keys are field paths of the form (``budget.executed``, ``indicators[3].score``, ``total_score``)
for what the form prints or leaves blank, and derived keys for what is computed from it
(``categories[产出指标].score``, ``indicator_count``, ``rules.low_execution_rate``). A printed
figure carries the place the loader recorded (YAML line, sheet!cell); a computed one names its
rule and the figures it was computed from; a blank one is Missing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from reportgen import formatting as fmt
from reportgen.evaluation.figures import Computed, Figure, Kind, Missing, Printed
from reportgen.evaluation.model import source_of

if TYPE_CHECKING:
    from reportgen.evaluation.scoring import CategoryResult, Evaluation

ZERO = Decimal(0)
#: the scoring rules stated as figures, ``rules.<name>`` (templates read them as ``f.rules.<name>``)
RULE_NAMES = ("low_execution_rate", "total_weight", "full_rate", "exceed_far_ratio")


def category_key(c: CategoryResult) -> str:
    """The derived key of a category: ``categories[产出指标]`` or ``categories[产出指标/数量指标]``."""
    return f"categories[{c.level1}]" if c.level2 is None else f"categories[{c.level1}/{c.level2}]"


def _narrated_row(ev: Evaluation) -> str:
    """The path of the source row narrated instead of an all-zero total row, or "" (see reconcile.py)."""
    rec = ev.reconciliation
    if rec is None or not rec.figures.from_source or ev.form.budget is None:
        return ""
    names = [s.name for s in ev.form.budget.sources]
    return f"budget.sources[{names.index(rec.figures.row)}]" if rec.figures.row in names else ""


class _Builder:
    def __init__(self, ev: Evaluation) -> None:
        self.ev = ev
        self.source = source_of(ev.form)
        self.places = self.source.places
        self.file = self.source.file
        self.fallback = self.source.locate("")  # where a field without a recorded place points: the file
        self.out: dict[str, Figure] = {}
        self.weights: dict[int, Figure] = {}  # indicators[i].weight and .score by i, for the category sums
        self.scores: dict[int, Figure] = {}

    def put(self, figure: Figure, key: str | None = None) -> Figure:
        self.out[key or figure.path] = figure
        return figure

    # Figures are built directly (not through figures.printed/computed): an evaluation has 100–300 of them
    # and this runs once per report.
    def printed(self, value: Decimal | str | None, kind: Kind, path: str, label: str, unit: str = "") -> Figure:
        if value is None:
            figure = Figure(None, kind, Missing(label, path), unit, path, label)
        else:
            place = self.places.get(path)
            if place is not None:
                where = self.file + place
            else:
                where = self.source.locate(path) if self.places else self.fallback
            figure = Figure(value, kind, Printed(where, path), unit, path, label)
        self.out[path] = figure
        return figure

    def computed(self, value: Decimal | str | None, kind: Kind, rule: str, inputs: tuple[Figure, ...], path: str,
                 label: str, unit: str = "") -> Figure:
        origin = Missing(label, path) if value is None else Computed(rule, inputs)
        figure = Figure(value, kind, origin, unit, path, label)
        self.out[path] = figure
        return figure

    def sum_of(self, figures: list[Figure], rule: str, path: str, label: str, kind: Kind = "score") -> Figure:
        # the known values (a text value counts 0, as Figure.number has it), read as attributes, not properties
        known = [v if isinstance(v, Decimal) else ZERO for v in [f.value for f in figures] if v is not None]
        if not known and figures:
            # nothing to add up (a form without a 分值 column): the sum is missing, never a printed-looking 0
            return self.computed(None, kind, rule, tuple(figures), path, label, "分")
        note = "" if len(known) == len(figures) else f"（{len(figures) - len(known)}项未填，未计入）"
        return self.computed(sum(known, ZERO), kind, rule + note, tuple(figures), path, label, "分")

    # -----------------------------------------------------------------------------------------
    def build(self) -> dict[str, Figure]:
        form = self.ev.form
        self.printed(Decimal(form.year) if form.year else None, "year", "year", "评价年度")
        if form.filled_on is not None:
            date = form.filled_on if isinstance(form.filled_on, str) else fmt.date(form.filled_on)
            self.printed(date, "date", "filled_on", "填报日期")
        else:
            self.printed(None, "date", "filled_on", "填报日期")
        self.rules()
        budget = self.budget()
        weights, scores = self.indicators()
        self.categories()
        self.totals(budget, weights, scores)
        return self.out

    def rules(self) -> None:
        rules = self.ev.rules
        # the names of RULE_NAMES, in its order
        table: tuple[tuple[str, Decimal, Kind, str], ...] = (
            ("low_execution_rate", rules.low_execution_rate, "rate", "需说明原因的预算执行率下限"),
            ("total_weight", rules.total_weight, "score", "满分"),
            ("full_rate", Decimal(1), "rate", "预算执行率目标值"),
            ("exceed_far_ratio", rules.exceed_far_ratio, "rate", "大幅超额完成的完成率"),
        )
        for name, value, kind, label in table:
            self.computed(value, kind, f"评分规则 ScoringRules.{name}", (), f"rules.{name}", label,
                          "分" if kind == "score" else "")

    def budget(self) -> tuple[Figure | None, Figure | None]:
        b, form_b = self.ev.budget, self.ev.form.budget
        if b is None or form_b is None:
            return None, None
        unit = b.unit
        weight = self.printed(b.weight, "score", "budget.weight", "预算执行分值", "分")
        # a 年度资金总额 row of zeros: the report narrates the source row carrying the money (reconcile.py)
        row = _narrated_row(self.ev)

        def amount(key: str, label: str) -> Figure:
            path = f"{row}.{key}" if row else f"budget.{key}"
            figure = self.printed(getattr(b, key), "money", path, label, unit)
            self.out[f"budget.{key}"] = figure
            return figure

        initial = amount("initial", "年初预算数")
        adjusted = amount("adjusted", "全年预算数")
        executed = amount("executed", "全年执行数")
        base = adjusted if adjusted.known else initial
        self.put(base, "budget.base")
        if form_b.rate is not None and not row:
            rate = self.printed(form_b.rate, "rate", "budget.rate", "预算执行率")
        else:
            rate = self.computed(b.rate_computed, "rate", "执行数÷预算数", (executed, base), "budget.rate",
                                 "预算执行率")
        if b.score_source == "printed":
            score = self.printed(b.score, "score", "budget.score", "预算执行得分", "分")
        else:
            score = self.computed(b.score_computed, "score", "分值×执行率（执行率超过100%按100%计）",
                                  (weight, rate), "budget.score", "预算执行得分", "分")
        lost = b.weight - b.score if b.weight is not None and b.score is not None else None
        self.computed(max(lost, ZERO) if lost is not None else None, "score", "分值−得分", (weight, score),
                      "budget.lost", "预算执行扣分", "分")
        balance = None
        if b.base is not None and b.executed is not None and b.executed < b.base:
            balance = b.base - b.executed
        self.computed(balance, "money", "预算数−执行数", (base, executed), "budget.balance", "未执行资金", unit)
        for n, s in enumerate(form_b.sources):
            for key, label in (("initial", "年初预算数"), ("adjusted", "全年预算数"), ("executed", "执行数")):
                self.printed(getattr(s, key), "money", f"budget.sources[{n}].{key}", f"{s.name}{label}", unit)
        return weight, score

    def indicators(self) -> tuple[list[Figure], list[Figure]]:
        weights, scores = [], []
        for r in self.ev.indicators:
            path = f"indicators[{r.index}]"
            name = f"“{r.name}”"
            weight = self.printed(r.weight, "score", f"{path}.weight", f"指标{name}分值", "分")
            if r.score_source == "printed":
                score = self.printed(r.score, "score", f"{path}.score", f"指标{name}得分", "分")
            else:
                rule = "分值×完成率" if r.ratio is not None else "达到目标按满分计"
                score = self.computed(r.score_computed, "score", rule, (weight,), f"{path}.score",
                                      f"指标{name}得分", "分")
            lost = r.weight - r.score if r.weight is not None and r.score is not None else None
            self.computed(max(lost, ZERO) if lost is not None else None, "score", "分值−得分", (weight, score),
                          f"{path}.lost", f"指标{name}扣分", "分")
            if r.ratio is not None:
                rule = "目标值÷实际完成值（越小越好的指标）" if r.target.direction == "reverse" else "实际完成值÷目标值"
                self.computed(r.ratio, "rate", rule, (), f"{path}.ratio", f"指标{name}完成率")
            if r.part_of is None:  # a breakdown row's points are its parent's: not in the sums
                weights.append(weight)
                scores.append(score)
            self.weights[r.index], self.scores[r.index] = weight, score
        return weights, scores

    def categories(self) -> None:
        ev = self.ev
        for c in [*ev.level1, *ev.level2]:
            key = category_key(c)
            members = [ev.indicators[i] for i in c.indices]
            weights = [self.weights[i] for i in c.indices]  # out["indicators[i].weight"], without the key
            scores = [self.scores[i] for i in c.indices]
            if all(w.known for w in weights):
                weight = self.sum_of(weights, "所含指标分值合计", f"{key}.weight", f"{c.name}分值")
            else:
                # some rows print no 分值: the sum of the others is not the category's (48 of "30" points)
                weight = self.computed(None, "score", "所含指标分值合计（有指标未填写分值）", tuple(weights),
                                       f"{key}.weight", f"{c.name}分值", "分")
            score = self.sum_of(scores, "所含指标得分合计", f"{key}.score", f"{c.name}得分")
            lost = max(weight.number - score.number, ZERO) if weight.known else None
            self.computed(lost, "score", "分值−得分", (weight, score), f"{key}.lost", f"{c.name}扣分", "分")
            self.computed(Decimal(len(members)), "count", "所含指标项数", (), f"{key}.count", f"{c.name}指标数",
                          "项")
            full = sum(1 for m in members if m.full_marks)
            self.computed(Decimal(full), "count", "得分等于分值的指标项数", (), f"{key}.full_count",
                          f"{c.name}得满分指标数", "项")
        for name, value in ev.form.categories.items():
            if value is not None:
                self.printed(value, "score", f"categories.{name}", f"{name}标注分值", "分")

    def totals(self, budget: tuple[Figure | None, Figure | None], weights: list[Figure],
               scores: list[Figure]) -> None:
        ev, form = self.ev, self.ev.form
        budget_weight, budget_score = budget
        all_weights = [*(w for w in [budget_weight] if w is not None), *weights]
        all_scores = [*(s for s in [budget_score] if s is not None), *scores]
        if all(w.known for w in all_weights) and all_weights:
            self.sum_of(all_weights, "预算执行与各项指标分值合计", "total_weight", "分值合计")
        else:
            self.computed(None, "score", "", (), "total_weight", "分值合计")
        self.computed(ev.total_computed, "score", "预算执行得分与各项指标得分合计",
                      tuple(all_scores), "total_computed", "各项得分合计", "分")
        # the total the report states as the form's: only a printed one (a computed sum is said as computed)
        total = self.printed(form.total_score, "score", "total_score", "自评总分", "分")
        if ev.total_bound is not None:  # a printed total over what the rows could reach (some scores blank)
            partial, opened = ev.total_bound
            printed = [s for s in all_scores if s.known]
            got = self.computed(partial, "score", "已填得分合计", tuple(printed), "total_partial", "已填得分合计", "分")
            rest = self.computed(opened, "score", "未填得分的各项分值合计", (), "total_open", "未填得分的各项分值", "分")
            self.computed(partial + opened, "score", "已填得分＋未填得分的各项分值", (got, rest), "total_reachable",
                          "各项最多可得", "分")
        if form.grade:
            self.printed(form.grade, "grade", "grade", "自评等级")
        elif ev.grade is not None:
            self.computed(ev.grade, "grade", "按填报总分对应评分规则的等级", (total,), "grade", "自评等级")
        else:
            self.printed(None, "grade", "grade", "自评等级")
        if total.known and self.out["total_weight"].known:
            self.computed(max(self.out["total_weight"].number - total.number, ZERO), "score", "分值合计−总分",
                          (self.out["total_weight"], total), "total_lost", "扣分合计", "分")
        count = len(ev.counted)  # breakdown rows (其中……) are their parent's
        self.computed(Decimal(count), "count", "三级指标项数", (), "indicator_count", "三级指标数", "项")
        full = sum(1 for r in ev.counted if r.full_marks)
        self.computed(Decimal(full), "count", "得分等于分值的指标项数", (), "full_count", "得满分指标数", "项")
        self.computed(Decimal(len(ev.deducted)), "count", "得分低于分值的指标项数", (), "deducted_count",
                      "扣分指标数", "项")


def evaluation_figures(ev: Evaluation) -> dict[str, Figure]:
    """Every figure of an evaluation by key (see the module docstring)."""
    return _Builder(ev).build()
