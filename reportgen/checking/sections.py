"""Map each heading of a draft to section kinds by its words, and give every line its kinds.

A hand-written draft names its sections in its own way (存在的问题 / 偏差原因 / 原因分析 are
all the deviation section); ``sections.yaml`` lists the words. A line belongs to the kinds of
every heading above it, so the body of "（一）预算执行情况" under "四、绩效目标完成情况分析"
is both budget and achievement.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportgen.checking.document import Draft, Line
from reportgen.checking.lexicon import SectionKind

# only 一、 and （一） headings name a section; 1. and （1） are items inside one
_NAMING_LEVELS = (1, 2)


def kinds_of(title: str, kinds: tuple[SectionKind, ...]) -> frozenset[str]:
    """Return the section kinds a heading's words name (an exclusive kind stands alone)."""
    found: list[str] = []
    for k in kinds:
        if k.matches(title):
            if k.exclusive:
                return frozenset((k.kind,))
            found.append(k.kind)
    return frozenset(found)


@dataclass(frozen=True)
class Heading:
    """A heading that names at least one section kind."""

    line: Line
    kinds: frozenset[str]


def assign(draft: Draft, kinds: tuple[SectionKind, ...]) -> list[Heading]:
    """Set ``kinds`` and ``own`` on every line of ``draft``; return the headings that name kinds."""
    containers = {k.kind for k in kinds if k.container}
    stack: list[tuple[int, frozenset[str]]] = []  # (level, own kinds) of the open headings
    named: list[Heading] = []
    for line in draft.lines:
        if line.heading is not None:
            if line.heading == 0:
                stack.clear()
                continue
            while stack and stack[-1][0] >= line.heading:
                stack.pop()
            inherited = frozenset().union(*(own for _, own in stack))
            own: frozenset[str] = frozenset()
            if line.heading in _NAMING_LEVELS:
                line.names = kinds_of(line.title, kinds)
                # a sub-heading opens a new kind only inside a container section (or an unnamed one):
                # "（一）加强预算执行管理" under 改进措施 is a measure, not the budget section
                if inherited <= containers:
                    own = line.names
            stack.append((line.heading, own))
            line.own = own
            if own:
                named.append(Heading(line, own))
        line.kinds = frozenset().union(*(own for _, own in stack))
    return named
