"""reportgen: 绩效自评报告 from 项目支出绩效自评表 — draft, check, batch.

The Python API mirrors the pipeline: ``load`` → ``evaluate`` → ``render`` / ``check``; ``Engine``
holds a configuration and runs the whole pipeline for each form (``Engine(Options(...)).run(form)``).
"""

from __future__ import annotations

# reportgen.check(report, data=…) is the checker's plain function; jieba itself loads on first use
from reportgen.checking import check
from reportgen.engine import Engine, Options, Outcome
from reportgen.errors import InputError, LexiconError, RenderError, ReportgenError, TemplateError
from reportgen.evaluation.model import EvaluationForm
from reportgen.evaluation.scoring import Evaluation, ScoringRules, evaluate
from reportgen.loaders import load, load_all
from reportgen.pipeline import render, write_report

__all__ = [
    "Engine",
    "Evaluation",
    "EvaluationForm",
    "InputError",
    "LexiconError",
    "Options",
    "Outcome",
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
