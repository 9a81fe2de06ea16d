"""Group the deviations the form does not explain, so the report analyses instead of enumerating.

One paragraph per group, one 【待补充：…共性原因】 per group, one answering measure per group (measures are
chosen in facts.py). The rules, in order:

- the budget and every indicator whose cause (or remark) the form gives keep a paragraph of their own:
  the form's own words are about that indicator;
- unexplained shortfalls (扣分且未达目标) are grouped by theme (``lexicon/themes.yaml``); a theme with one
  member joins the others of its 二级指标 (数量指标…); when two or more single paragraphs would still be
  left, they are pooled into one “其他指标” group;
- unexplained deductions where the form gives nothing to judge the target by (no actual value, or one that
  cannot be compared) are one group of their own, never said to have "not reached" their target;
- unexplained deductions on met targets, shortfalls scored in full and large over-achievement are each one
  group of their kind (the question to answer is the same for all members: why the points, why full
  marks, whether the target was set too low);
- groups keep the order of the form, shortfalls before the rest.

An overall analysis item that speaks of a group (its theme's name or keywords, or a member's name) is that
group's cause, so text the author types into a group's gap (the web page appends it to the overall
analysis) answers that group on the next run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from reportgen.evaluation.figures import Figure, computed
from reportgen.evaluation.status import SHORT
from reportgen.narrative import text
from reportgen.narrative.themes import Theme, ThemeBook

if TYPE_CHECKING:
    from reportgen.narrative.facts import DeviationItem

#: more members than this are summarised (first names, 等N项, the range of completion rates, the appendix)
DETAIL_MAX = 4
#: a group of this many single paragraphs left over is pooled into one 其他指标 group
POOL_MIN = 2
_KIND_RANK = {"budget": 0, "single": 1, "deducted": 1, "deducted_met": 2, "short_full": 3, "exceeded": 4}
_UNJUDGED_RANK = 3.5


def _what(g: DeviationGroup) -> str | None:
    """The key of what the group's one gap asks for (wording.yaml ``phrases.gaps.group_*``)."""
    if g.kind in ("deducted_met", "short_full"):
        return f"group_{g.kind}"
    if g.kind != "deducted":
        return None
    if g.extra.get("by") in ("theme", "level", "unjudged"):
        return f"group_{g.extra['by']}"
    return "group_deducted"


@dataclass
class DeviationGroup:
    kind: str  # single / deducted / deducted_met / short_full / exceeded
    label: str  # 孕产妇健康管理, 数量指标, 其他指标 (escaped for Markdown)
    theme: Theme | None  # what the group is about (None: the budget, over-achievement)
    items: list[DeviationItem]
    count: Figure
    lost: Figure | None = None  # the members' lost points, summed (computed)
    low: Figure | None = None  # the lowest and highest completion rate, for a summarised group
    high: Figure | None = None
    placeholder: str | None = None  # the group's one 【待补充】
    cause: str | None = None  # an overall analysis item about this group (escaped clause)
    key: str = ""
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def item(self) -> DeviationItem:
        return self.items[0]

    @property
    def long(self) -> bool:
        return len(self.items) > DETAIL_MAX

    @property
    def explained(self) -> bool:
        """The form gives the cause: an indicator's own, or an overall analysis item about the group."""
        if self.cause:
            return True
        d = self.items[0]
        return len(self.items) == 1 and bool(d.cause or (d.indicator is not None and d.indicator.note
                                                         and d.kind in ("deducted", "short_full")))


#: statuses that give nothing to judge a target by: no actual, a copied target, another measure, no target, an
#: impossible share (a worded actual such as 基本合格 against 合格 does say something, and stays a shortfall)
_UNJUDGED = frozenset({"missing", "copied", "not_comparable", "target_missing", "implausible"})


def _unjudged(d: DeviationItem) -> bool:
    """Points lost where no shortfall can be judged: the actual is blank, copied or not comparable."""
    s = d.indicator.s if d.indicator is not None else None
    return d.kind == "deducted" and s is not None and s.kind not in SHORT and s.key in _UNJUDGED


def _explained(d: DeviationItem) -> bool:
    if d.kind == "budget" or d.cause:
        return True
    return d.indicator is not None and bool(d.indicator.note) and d.kind in ("deducted", "short_full")


def group_deviations(
    items: Sequence[DeviationItem],
    names: dict[int, str],
    levels: dict[int, tuple[str, str]],
    themes: ThemeBook,
    analysis: dict[int, str],
    placeholder: Callable[..., str],  # (gap key, field path, **fields) -> its 【待补充：…】
) -> tuple[list[DeviationGroup], set[int]]:
    """The groups in report order, and the overall analysis items (by index) that became a group's cause.

    ``names``/``levels``: each indicator's display name and (level1, level2) by form index; ``analysis``:
    the overall analysis items not yet said elsewhere, by index.
    """
    singles: list[DeviationItem] = []
    buckets: dict[tuple[str, str], list[DeviationItem]] = {}
    theme_of: dict[str, Theme | None] = {}
    same_cause: dict[tuple[str, str], list[DeviationItem]] = {}
    for d in items:
        if d.cause and d.indicator is not None and d.kind != "budget":
            # one cause written for several indicators (or typed once for a group on the web page)
            same_cause.setdefault((d.kind, text.clause(d.cause)), []).append(d)
            continue
        if _explained(d) or d.indicator is None or d.indicator.parent:
            singles.append(d)  # (a breakdown row is said with its parent's full marks: a paragraph of its own)
            continue
        i = d.indicator.index
        if _unjudged(d):
            bucket = ("deducted", "unjudged:")
        elif d.kind == "deducted":
            theme = themes.of_name(names[i])
            bucket = ("deducted", f"theme:{theme.key}") if theme else ("deducted", "")
            if theme:
                theme_of[bucket[1]] = theme
        else:
            bucket = (d.kind, "")
        buckets.setdefault(bucket, []).append(d)

    groups: list[tuple[str, str, Theme | None, list[DeviationItem]]] = []
    for (kind, _), members in same_cause.items():
        if len(members) == 1:
            singles.extend(members)
            continue
        shared = {themes.of_name(names[d.indicator.index]) for d in members if d.indicator is not None}
        theme = shared.pop() if len(shared) == 1 else None
        groups.append((kind, f"theme:{theme.key}" if theme else "cause:", theme, members))
    loose: list[DeviationItem] = list(buckets.pop(("deducted", ""), []))
    unjudged = buckets.pop(("deducted", "unjudged:"), [])
    if len(unjudged) == 1:
        singles.extend(unjudged)  # its own paragraph says 未得满分 (sections/_deviation_groups.md.j2)
    elif unjudged:
        groups.append(("deducted", "unjudged:", None, unjudged))
    for (kind, key), members in list(buckets.items()):
        if kind == "deducted" and len(members) < 2:
            loose.extend(members)
        else:
            groups.append((kind, key, theme_of.get(key), members))
    # what no theme gathered: by 二级指标, then pooled when many single paragraphs would remain
    by_level: dict[str, list[DeviationItem]] = {}
    level_theme: dict[str, Theme] = {}
    for d in sorted(loose, key=lambda d: d.indicator.index if d.indicator else -1):
        assert d.indicator is not None
        level1, level2 = levels[d.indicator.index]
        theme = themes.of_level(level2, level1)
        by_level.setdefault(theme.key, []).append(d)
        level_theme[theme.key] = theme
    left: list[DeviationItem] = []
    for key, members in by_level.items():
        if len(members) >= 2:
            groups.append(("deducted", f"level:{key}", level_theme[key], members))
        else:
            left.extend(members)
    if len(left) >= POOL_MIN:
        groups.append(("deducted", "pool", themes.fallback, left))
    else:
        for d in left:
            assert d.indicator is not None
            level1, level2 = levels[d.indicator.index]
            groups.append(("single", "", themes.of_name(names[d.indicator.index]) or themes.of_level(level2, level1),
                           [d]))

    out: list[DeviationGroup] = []
    for d in singles:
        theme = None
        if d.indicator is not None:
            level1, level2 = levels[d.indicator.index]
            theme = themes.of_name(names[d.indicator.index]) or themes.of_level(level2, level1)
        out.append(DeviationGroup("single", "", theme, [d], _count(1, "")))
    for kind, key, theme, members in groups:
        members.sort(key=lambda d: d.indicator.index if d.indicator else -1)
        if len(members) == 1:
            out.append(DeviationGroup("single", "", theme, members, _count(1, "")))
            continue
        group = _group(kind, key, theme, members, len(out))
        if key.startswith("cause:") or (members[0].cause and all(d.cause == members[0].cause for d in members)):
            group.cause = members[0].cause
        out.append(group)
    # the budget, then shortfalls in the form's order (what no theme gathered after the themes), then the rest
    # (points lost with nothing to judge them by come after the shortfalls and the other deductions)
    out.sort(key=lambda g: (_UNJUDGED_RANK if g.extra.get("by") == "unjudged"
                            else _KIND_RANK[g.item.kind if g.kind == "single" else g.kind],
                            g.extra.get("by") in ("level", "pool", "unjudged"),
                            g.item.indicator.index if g.item.indicator else -1))

    used: set[int] = set()
    for n, g in enumerate(out):
        g.key = g.key or f"deviation_groups[{n}]"
        if g.kind == "single" or g.cause:
            continue
        found = _about(g, names, analysis, used)
        if found is not None:
            used.add(found)
            g.cause = text.md(text.clause(analysis[found]))
        else:
            what = _what(g)
            if what:
                # the gap is every member's cause field: typed once, it is each member's cause, and the
                # members, now sharing one cause, stay one group
                indices = ",".join(str(d.indicator.index) for d in g.items if d.indicator is not None)
                g.placeholder = placeholder(what, f"indicators[{indices}].cause", label=g.label)
    return out, used


def _count(n: int, path: str) -> Figure:
    return computed(Decimal(n), "count", "同组偏差指标项数", path=path or "deviation_groups.count", unit="项",
                    label="同组指标项数")


def _group(kind: str, key: str, theme: Theme | None, members: list[DeviationItem], n: int) -> DeviationGroup:
    path = f"deviation_groups[{n}]"
    label = theme.name if theme is not None else ""
    inds = [d.indicator for d in members if d.indicator is not None]
    losts = tuple(i.lost for i in inds if i.lost.known)
    lost = None
    if kind in ("deducted", "deducted_met") and losts:
        lost = computed(sum((f.number for f in losts), Decimal(0)), "score", "同组各指标扣分（分值−得分）之和",
                        losts, path=f"{path}.lost", label="同组指标合计扣分")
    low = high = None
    ratios = [i.ratio for i in inds if i.ratio is not None and i.ratio.known]
    if len(ratios) == len(inds) and len(ratios) > DETAIL_MAX:
        low, high = min(ratios, key=lambda f: f.number), max(ratios, key=lambda f: f.number)
        if low.number == high.number:
            low = high = None
    by = key.split(":", 1)[0] if ":" in key else key
    return DeviationGroup(kind, text.md(label), theme, members, _count(len(members), f"{path}.count"),
                          lost, low, high, key=path, extra={"by": by})


def _about(g: DeviationGroup, names: dict[int, str], analysis: dict[int, str], used: set[int]) -> int | None:
    """The overall analysis item that speaks of this group, if exactly one does."""
    words: list[str] = []
    if g.theme is not None and g.kind == "deducted":
        words += [g.theme.name, *g.theme.keywords]
    words += [text.clause(names[d.indicator.index]) for d in g.items if d.indicator is not None]
    words = [w for w in words if len(w) >= 2]
    hits = [j for j, item in analysis.items() if j not in used and any(w in item for w in words)]
    return hits[0] if len(hits) == 1 else None
