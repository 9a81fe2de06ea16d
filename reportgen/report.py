"""The composed report: one canonical Markdown text plus what renderers need to lay it out.

Markdown contract (HTML, PDF, Word and the checker rely on it):
- the first line is ``# {title}``; section headings are ``## 一、…``, ``### （一）…``, ``#### 1. …``;
- paragraphs are separated by blank lines and hold no hard line breaks;
- tables are GFM pipe tables with one header row;
- no raw HTML anywhere: data is escaped before it reaches Markdown;
- the document ends with the signature paragraphs (unit, date) listed in ``Report.signature``,
  which renderers align right.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reportgen.evaluation.figures import Entry, Gap
    from reportgen.evaluation.scoring import Evaluation


@dataclass(frozen=True)
class Section:
    """One top-level section of a report (its Markdown includes its own heading)."""

    key: str  # outline key: "basic", "conclusion", "achievement", "deviation", "measures", …
    heading: str  # as printed, e.g. "五、偏差原因分析"
    markdown: str


@dataclass(frozen=True)
class Report:
    """A finished report: title, canonical Markdown, and the facts it came from."""

    name: str  # a safe file stem, e.g. "2020年度社会保障专项绩效自评报告"
    title: str
    markdown: str
    unit: str | None = None
    date: str | None = None  # the form's date as printed in the report, e.g. "2021年6月30日"
    sections: tuple[Section, ...] = ()
    signature: tuple[str, ...] = ()  # the closing paragraphs (unit, date), right-aligned by renderers
    placeholders: tuple[str, ...] = ()  # 【待补充：…】 markers the data forced
    evaluation: Evaluation | None = field(default=None, compare=False, repr=False)
    figures: tuple[Entry, ...] = field(default=(), compare=False, repr=False)  # the ledger: every figure stated
    gaps: tuple[Gap, ...] = ()  # what the form lacks, as typed gaps (their marks are ``placeholders``)

    def section(self, key: str) -> Section | None:
        """The first top-level section with this outline key ("conclusion", "deviation"…), if any."""
        return next((s for s in self.sections if s.key == key), None)

    def sources(self) -> dict[str, object]:
        """Every figure the text states with its origin (written as ``<报告名>.sources.json``)."""
        return {
            "report": self.name,
            "figures": [e.to_dict() for e in self.figures],
            "gaps": [g.to_dict() for g in self.gaps],
        }
