"""reportgen: 绩效自评报告 from 项目支出绩效自评表 — draft, check, batch.

The Python API mirrors the pipeline: ``load`` → ``evaluate`` → ``render`` / ``check``.
"""

from __future__ import annotations

from .errors import InputError, LexiconError, RenderError, ReportgenError, TemplateError
from .loaders import load, load_all
from .model import EvaluationForm
from .pipeline import render, write_report
from .scoring import Evaluation, ScoringRules, evaluate


def check(report, *, data=None, lexicon=None):  # type: ignore[no-untyped-def]
    """Check a report's wording and facts (see ``reportgen.check.check``); imported lazily, jieba is heavy."""
    from .check import check as _check

    return _check(report, data=data, lexicon=lexicon)


__all__ = [
    "Evaluation",
    "EvaluationForm",
    "InputError",
    "LexiconError",
    "RenderError",
    "ReportgenError",
    "ScoringRules",
    "TemplateError",
    "check",
    "evaluate",
    "load",
    "load_all",
    "render",
    "write_report",
]
__version__ = "0.1.0"
