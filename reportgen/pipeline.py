"""The pipeline as two calls: ``render`` a form into a Report, ``write_report`` it to files.

Both are thin doors into ``reportgen.engine.Engine``, the one configured pipeline that the CLI,
the batch and the web page use too, so a report written by any of them is the same file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportgen.engine import FORMATS, Engine, Options, parse_formats
from reportgen.evaluation.model import EvaluationForm
from reportgen.evaluation.scoring import Evaluation, evaluate
from reportgen.loaders import load
from reportgen.report import Report

__all__ = ["FORMATS", "Written", "parse_formats", "render", "write_report"]


def render(
    source: str | Path | EvaluationForm | Evaluation,
    *,
    outline: str = "default",
    templates: str | Path | None = None,
    lexicon: str | Path | None = None,
) -> Report:
    """Compose the report of one form (a path, a loaded form or an evaluation)."""
    engine = Engine(Options(outline=outline, templates=_path(templates), lexicon=_path(lexicon)))
    if isinstance(source, (str, Path)):
        source = load(source)
    ev = source if isinstance(source, Evaluation) else evaluate(source)
    return engine.compose(ev)


@dataclass
class Written:
    """What ``write_report`` produced for one report."""

    report: Report
    paths: dict[str, Path] = field(default_factory=dict)
    check: Any = None  # reportgen.checking.CheckResult when the check ran

    @property
    def ok(self) -> bool:
        return self.check is None or bool(self.check.ok)


def write_report(
    report: Report,
    outdir: str | Path,
    formats: tuple[str, ...] = ("md",),
    *,
    cover: bool = False,
    font: Path | None = None,
    check: bool = True,
    lexicon: str | Path | None = None,
    stem: str | None = None,
) -> Written:
    """Write a composed report in the given formats (and its check) into ``outdir``, each file atomically."""
    engine = Engine(Options(formats=formats, cover=cover, font=font, check=check, lexicon=_path(lexicon)))
    outcome = engine.finish(report)
    return Written(report, engine.write(outcome, outdir, stem), outcome.check)


def _path(value: str | Path | None) -> Path | None:
    return Path(value) if value is not None else None
