"""Breakdown rows: an indicator row that splits the row above it ("其中桃树种植面积 1.5亩" under "补助种植面积 29.5亩").

Real forms (Anhui's 到户 subsidies, several school-aid forms) print such rows with a target and an actual but no
分值 and no 得分: the points belong to the row above. Counted as indicators of their own they inflate the
indicator count, ask for seven scores the form never meant to give (得分【待补充】) and call the category
partly unscored. A row is a part when its name opens with a breakdown word (lexicon/labels.yaml
``breakdown_prefixes``), it prints neither 分值 nor 得分, and the nearest row above that is no part, in the same
一级/二级指标, prints a 分值 or an 得分.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from reportgen.evaluation import vocabulary
from reportgen.evaluation.model import Indicator

__all__ = ["part_name", "parts_of"]

_PREFIX = re.compile(
    "^(?:" + "|".join(re.escape(w) for w in sorted(vocabulary.breakdown_prefixes(), key=len, reverse=True))
    + r")\s*[:：、，,]?\s*"
)


def _opens_as_part(name: str) -> bool:
    m = _PREFIX.match(name)
    return m is not None and len(name) > m.end()


def parts_of(indicators: Sequence[Indicator]) -> dict[int, int]:
    """``{row index: index of the row it breaks down}`` for every breakdown row of ``indicators``."""
    out: dict[int, int] = {}
    parent: int | None = None
    for i, ind in enumerate(indicators):
        same_block = parent is not None and (indicators[parent].level1, indicators[parent].level2) == (
            ind.level1, ind.level2)
        if (_opens_as_part(ind.name) and ind.weight is None and ind.score is None and same_block
                and parent is not None):
            out[i] = parent
            continue
        parent = i if ind.weight is not None or ind.score is not None else None
    return out


def part_name(name: str) -> str:
    """The name a part is said by beside its parent: without its 其中."""
    return _PREFIX.sub("", name, count=1) or name
