"""What the unit actually did, in the form's own words, ready to run into the narrative.

A descriptive actual ("评选出……共计118名优秀代表", "每社区每周一次义务大清理") is the result a reader wants; a
stock word ("合格", "是", "有效", "达成预期指标") or a copy of the target says nothing of its own. ``result_text``
returns the first sentences of a substantive description, cut at a sentence or clause boundary so that no
figure is torn from its context (the ledger accepts a number only inside text copied from the form).
"""

from __future__ import annotations

import re

from reportgen.narrative import text

#: the longest result run into a sentence (characters); the appendix prints the whole text
RESULT_MAX = 90
#: actuals that only restate achievement: no result of their own to tell
_STOCK = re.compile(
    r"^(?:是|否|有|无|合格|优秀|良好|较好|好|高|较高|有效|显著|明显|及时|按时|按期|规范|合规|达标|达到|已达到|"
    r"完成|已完成|全部完成|达成|已达成|达成预期指标|达到预期指标|达到预期|达到预期目标|实现|已实现|符合|"
    r"符合要求|符合规定|符合相关规定|满意|基本满意|提升|有所提升|显著提升|逐步提升|持续提升|稳步提升|改善|"
    r"有所改善|明显改善|增强|提高|有所提高|明显提高|正常|良好运行|正常运行|稳定|保持稳定)$"
)
_SENTENCE_END = re.compile(r"(?<=[。！？])")
_CLAUSE_END = re.compile(r"(?<=[，、：])")


def substantive(actual: str | None, target: str | None) -> bool:
    """Whether an actual tells a result of its own (not a stock word, not the target repeated)."""
    said = text.clause(actual)
    if not said or _STOCK.match(said):
        return False
    return text.clause(target) != said


def result_text(actual: str | None, limit: int = RESULT_MAX) -> tuple[str, bool]:
    """The description's first sentence as a clause (Markdown-escaped, to run into a sentence unquoted) and
    whether it was cut; a first sentence longer than ``limit`` is cut at its last clause boundary within it.

    Only one sentence is kept so that the result can stand inside an enumeration (一是……；二是……).
    """
    said = text.clause(actual)
    first = text.clause(_SENTENCE_END.split(said)[0]) if "。" in said else said
    cut = first != said
    if len(first) <= limit:
        return text.md(first), cut
    kept = ""
    for piece in _CLAUSE_END.split(first):
        if kept and len(kept) + len(piece) > limit:
            break
        kept += piece
    kept = text.clause(kept) if len(kept) <= limit else ""
    return (text.md(kept), True) if kept else ("", True)
