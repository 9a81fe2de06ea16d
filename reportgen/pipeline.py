"""The pipeline as a small API: ``render`` a form into a Report, ``write_report`` it to files.

The CLI and the batch both go through here, so a report written by ``reportgen render`` and
by ``reportgen batch`` is the same file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import UsageError
from .fsutil import atomic_write
from .loaders import load
from .model import EvaluationForm
from .report import Report
from .scoring import Evaluation, evaluate

FORMATS = ("md", "html", "pdf", "docx")


def parse_formats(spec: str) -> tuple[str, ...]:
    """``"md,pdf"`` → ("md", "pdf"); unknown names are a usage error."""
    names = tuple(dict.fromkeys(s.strip().lower() for s in spec.split(",") if s.strip()))
    unknown = [n for n in names if n not in FORMATS]
    if unknown or not names:
        raise UsageError(
            f"不支持的输出格式：{'、'.join(unknown) or '（空）'}", hint="可选 md、html、pdf、docx，用逗号分隔，如 --format md,pdf"
        )
    return names


def render(
    source: str | Path | EvaluationForm | Evaluation,
    *,
    outline: str = "default",
    templates: str | Path | None = None,
    lexicon: str | Path | None = None,
) -> Report:
    """Compose the report of one form (a path, a loaded form or an evaluation)."""
    from .narrative import compose

    if isinstance(source, (str, Path)):
        source = load(source)
    ev = source if isinstance(source, Evaluation) else evaluate(source)
    return compose(ev, outline=outline, templates=templates, lexicon=lexicon)


@dataclass
class Written:
    """What ``write_report`` produced for one report."""

    report: Report
    paths: dict[str, Path] = field(default_factory=dict)
    check: Any = None  # reportgen.check.CheckResult when the check ran

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
    """Write a report in the given formats (and its check) into ``outdir``, each file atomically."""
    out = Path(outdir)
    stem = stem or report.name
    written = Written(report)
    for fmt in formats:
        path = out / f"{stem}.{fmt}"
        if fmt == "md":
            atomic_write(path, report.markdown)
        elif fmt == "html":
            from .renderers.html import render_html

            atomic_write(path, render_html(report, cover=cover))
        elif fmt == "pdf":
            from .renderers.pdf import render_pdf

            atomic_write(path, render_pdf(report, cover=cover, font=font))
        elif fmt == "docx":
            from .renderers.docx import render_docx

            atomic_write(path, render_docx(report))
        written.paths[fmt] = path
    if check:
        from .check import check as run_check

        result = run_check(report, data=report.evaluation, lexicon=lexicon)
        path = out / f"{stem}.check.json"
        atomic_write(path, json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n")
        written.paths["check"] = path
        written.check = result
    return written
