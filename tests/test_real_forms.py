"""Guards over every example, every outline and the real published forms in ../shared/forms (when present).

The real forms are not copied here: CI has ../shared beside the clone (``REPORTGEN_FORMS`` may point
elsewhere); without them only the examples are rendered. Each report must read as a finished text: no
"None"/"nan", no empty quotation “”, no doubled "%%", no raw look-alike operators (≧ ═ ﹦) anywhere (the appendix
included), no body paragraph much longer than a reader can take in, never the 主管部门 as implementer, and
nothing the checker finds at odds with the form it was written from.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from conftest import ROOT, example_paths

from reportgen import check, render
from reportgen.errors import InputError
from reportgen.evaluation.scoring import evaluate
from reportgen.loaders import load

FORMS = Path(os.environ.get("REPORTGEN_FORMS") or ROOT.parent / "shared" / "forms")
OUTLINES = sorted(p.stem for p in (ROOT / "templates" / "outlines").glob("*.yaml"))
#: about 300 characters: a longer body paragraph is a list that belongs in the appendix or in groups
PARAGRAPH_MAX = 320


def _sources() -> list[Path]:
    real = sorted(FORMS.glob("*/input.yaml")) if FORMS.is_dir() else []
    return [*example_paths(), *real]


def _loadable(path: Path):
    try:
        return load(path)
    except InputError:
        return None  # a form the input format cannot take yet is refused with a message, not rendered


@pytest.mark.parametrize("path", _sources(), ids=lambda p: p.parent.name if p.name == "input.yaml" else p.stem)
def test_every_report_reads_as_finished_text(path: Path) -> None:
    form = _loadable(path)
    if form is None:
        pytest.skip("the input format does not take this form")
    ev = evaluate(form)
    if ev.indicators and all(r.indicator.actual is None and r.indicator.score is None for r in ev.indicators):
        # a published but unfilled form (targets only) is refused, never narrated (issue 11)
        with pytest.raises(InputError, match="自评表尚未填写"):
            render(ev)
        return
    for outline in OUTLINES:
        report = render(ev, outline=outline)
        md = report.markdown
        where = f"{path.name} / {outline}"
        assert not re.search(r"\bNone\b|\bnan\b|\bNaN\b", md), where
        assert "“”" not in md and "%%" not in md and "（）" not in md, where
        appendix = next((s for s in report.sections if s.key == "appendix"), None)
        body = md.split(appendix.markdown.splitlines()[0])[0] if appendix and appendix.markdown else md
        # by the Markdown contract every line that is not a table row is its own paragraph
        prose = [line for line in body.splitlines() if line.strip() and not line.startswith(("|", "#"))]
        joined = "\n".join(prose)
        assert not re.search("[≧═﹦]", joined), f"{where}: raw operator in prose"
        assert not re.search("[≧═﹦]", md), f"{where}: raw operator in the appendix"  # its cells in standard glyphs
        if outline != "summary":  # the one-paragraph 综述 is one paragraph by design
            for para in prose:
                assert len(para) <= PARAGRAPH_MAX, f"{where}: paragraph of {len(para)} characters: {para[:80]}…"
        dept = ev.printed.department if ev.printed else None
        implementer = ev.implementer or ""
        if dept and dept not in implementer and implementer not in dept:
            for named in re.findall(r"实施单位(?:为|是|：|:)?([^，。；、\n]*)", body):
                assert dept not in named, f"{where}: 主管部门 named as implementer: {named}"
        # the report the tool wrote from this form never contradicts it (a quoted goal is the form's words)
        own = check(report, data=ev)
        wrong = [p.message for p in own.problems if p.kind in ("fact-mismatch", "ledger-mismatch")]
        assert wrong == [], f"{where}: {wrong}"
