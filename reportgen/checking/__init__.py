"""Check a report's wording and facts: required policy terms, discouraged wording, placeholders, figures.

``check(report, data=..., lexicon=...)`` is the one-call API; ``Checker`` keeps the prepared
lexicon, automaton and tokenizer for checking many reports (one per batch worker).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from reportgen.checking.checker import Checker, DataInput, ReportInput
from reportgen.checking.lexicon import Lexicon, load_lexicon
from reportgen.checking.result import CheckResult, Present, Problem

__all__ = ["CheckResult", "Checker", "Lexicon", "Present", "Problem", "check", "checker", "load_lexicon"]


@lru_cache(maxsize=8)
def _checker(overlay: str | None) -> Checker:
    return Checker(load_lexicon(overlay))


def checker(lexicon: str | Path | None = None) -> Checker:
    """Return this process's Checker for a lexicon overlay directory (built once, then reused)."""
    return _checker(str(Path(lexicon).resolve()) if lexicon is not None else None)


def check(report: ReportInput, *, data: DataInput = None, lexicon: str | Path | None = None) -> CheckResult:
    """Check one report — a file (.md/.txt/.docx), Markdown text or a generated Report.

    ``data`` is the form to check the facts against (a path, an EvaluationForm or an Evaluation);
    a generated Report carries its own evaluation. ``lexicon`` overlays a user's lexicon directory.
    """
    return checker(lexicon).check(report, data=data)
