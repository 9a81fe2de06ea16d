"""The hub: one configured ``Engine`` runs load → evaluate → compose → check → render.

Every caller goes through it — ``reportgen render``, the batch worker (local pool or cluster), the
Python API and the local web page — so a report is the same bytes whichever door it came through.
The engine holds the configuration (``Options``) and the prepared stages (the composer with its
templates and outline, the checker with its lexicon), built once and reused for every form, as
Jinja's ``Environment`` holds its loader, filters and cache.

``run`` renders every requested format **in memory** (``Outcome.files``): a worker on another
machine sends those bytes back, the web page offers them for download, and ``write`` is the one
place that puts them on disk (atomically).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from reportgen.dependencies import require
from reportgen.errors import UsageError
from reportgen.evaluation.model import EvaluationForm
from reportgen.evaluation.scoring import DEFAULT_RULES, Evaluation, ScoringRules, evaluate
from reportgen.loaders import Loaded, load_all, load_parts

if TYPE_CHECKING:
    from reportgen.checking import Checker, CheckResult
    from reportgen.narrative import Composer
    from reportgen.report import Report

FORMATS = ("md", "html", "pdf", "docx")


def parse_formats(spec: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """``"md,pdf"`` → ("md", "pdf"); unknown names are a usage error."""
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    names = tuple(dict.fromkeys(s.strip().lower() for s in items if s.strip()))
    unknown = [n for n in names if n not in FORMATS]
    if unknown or not names:
        raise UsageError(
            f"不支持的输出格式：{'、'.join(unknown) or '（空）'}", hint="可选 md、html、pdf、docx，用逗号分隔，如 --format md,pdf"
        )
    return names


@dataclass(frozen=True)
class Options:
    """Everything that decides what a report looks like; equal options give byte-identical output."""

    outline: str = "default"
    templates: Path | None = None  # user overlay of templates/
    lexicon: Path | None = None  # user overlay of lexicon/
    formats: tuple[str, ...] = ("md",)
    cover: bool = False
    font: Path | None = None
    check: bool = True
    final: bool = False  # PDF/Word/HTML as sent: refuse while 【待补充】 remain, highlight nothing
    toc: bool = False  # a 目录 page in the Word file
    attach: tuple[str, ...] = ()  # extra attachments: "form" lays out the 自评表 itself

    def __post_init__(self) -> None:
        # normalise so that options built from strings (CLI, web form, a cluster task) compare equal
        object.__setattr__(self, "formats", parse_formats(self.formats))
        object.__setattr__(self, "attach", _attach(self.attach))
        for name in ("templates", "lexicon", "font"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, Path(value).resolve())


@dataclass
class Outcome:
    """One form taken through the pipeline: what was decided, what was written (as bytes), how it checked."""

    evaluation: Evaluation
    report: Report
    check: CheckResult | None = None
    files: dict[str, bytes] = field(default_factory=dict)  # suffix ("md", "pdf", "check.json"…) → content

    @property
    def ok(self) -> bool:
        """True when the report passed its check (or no check was asked for)."""
        return self.check is None or bool(self.check.ok)


class Engine:
    """The configured pipeline; build one per configuration and call ``run`` for each form."""

    def __init__(self, options: Options | None = None, **overrides: Any) -> None:
        base = options or Options()
        self.options = replace(base, **overrides) if overrides else base

    # -- the prepared stages (built on first use, then shared by every form) --------------------

    @cached_property
    def composer(self) -> Composer:
        from reportgen.narrative import Composer

        o = self.options
        return Composer(o.outline, o.templates, o.lexicon)

    @cached_property
    def checker(self) -> Checker:
        from reportgen.checking import checker

        return checker(self.options.lexicon)

    def prepare(self) -> Engine:
        """Build every stage now (a batch does this before forking, so workers inherit it)."""
        self.composer  # noqa: B018 - cached_property: touching it builds it
        if self.options.check:
            self.checker  # noqa: B018
        if "pdf" in self.options.formats:
            from reportgen.renderers.pdf import render_pdf  # noqa: F401  (fonts are found and checked on import)
        return self

    def prepare_renderers(self) -> Engine:
        """Build the PDF renderer now too (WeasyPrint, fonts, stylesheet), where no process forks afterwards.

        A Dask worker does this once at start: otherwise its first task imports WeasyPrint inside the
        task's ``--timeout``, and a timeout that lands in the middle of that import leaves the module
        half-built for every later task of the worker (seen under load: "weasyprint.html has no attribute
        handle_element"). The local pool does not need it: a task past ``--timeout`` there costs its whole
        process, which is replaced.
        """
        self.prepare()
        if "pdf" in self.options.formats:
            from reportgen.renderers.pdf import prepare_renderer

            prepare_renderer(self.options.font)
        return self

    # -- the stages, one call each --------------------------------------------------------------

    def load(self, path: str | Path) -> list[EvaluationForm]:
        """Read every form in one file (a workbook may hold several)."""
        return load_all(path)

    def load_parts(self, path: str | Path) -> Loaded:
        """Read the forms of one file that can be read, and the error of each part (sheet) that cannot."""
        return load_parts(path)

    @cached_property
    def rules(self) -> ScoringRules:
        """The scoring rules: the defaults, with the user's --lexicon (its direction.yaml) when given."""
        lexicon = self.options.lexicon
        return replace(DEFAULT_RULES, lexicon=str(lexicon)) if lexicon is not None else DEFAULT_RULES

    def evaluate(self, form: EvaluationForm) -> Evaluation:
        return evaluate(form, self.rules)

    def compose(self, ev: Evaluation) -> Report:
        return self.composer.compose(ev)

    def check(self, report: Report) -> CheckResult:
        return self.checker.check(report, data=report.evaluation)

    def render(self, report: Report, fmt: str) -> bytes:
        """One output format of a composed report, as the bytes of its file."""
        o = self.options
        if fmt == "md":
            return report.markdown.encode("utf-8")
        from reportgen.renderers.form_table import attachments

        extra = attachments(report, o.attach)
        if fmt == "html":
            from reportgen.renderers.html import render_html

            return render_html(report, cover=o.cover, final=o.final, attachments=extra).encode("utf-8")
        if fmt == "pdf":
            from reportgen.renderers.pdf import render_pdf

            return render_pdf(report, cover=o.cover, font=o.font, final=o.final, attachments=extra)
        if fmt == "docx":
            require("docx", "生成 Word 文档")  # the renderer imports python-docx at its top
            from reportgen.renderers.docx import render_docx

            return render_docx(report, cover=o.cover, toc=o.toc, final=o.final, attachments=extra)
        raise UsageError(f"不支持的输出格式：{fmt}", hint="可选 md、html、pdf、docx")

    # -- the whole pipeline -----------------------------------------------------------------------

    def run(self, source: EvaluationForm | Evaluation | str | Path) -> Outcome:
        """Take one form (or a file holding exactly one) through every stage; nothing touches the disk."""
        if isinstance(source, (str, Path)):
            forms = self.load(source)
            if len(forms) != 1:
                raise UsageError(
                    f"文件 {source} 含有 {len(forms)} 张自评表", hint="请用 Engine.run_file 逐表处理，或用 reportgen batch"
                )
            source = forms[0]
        ev = source if isinstance(source, Evaluation) else self.evaluate(source)
        return self.finish(self.compose(ev))

    def finish(self, report: Report) -> Outcome:
        """Render a composed report in every requested format and check it (the stages after compose)."""
        if report.evaluation is None:
            raise UsageError("报告缺少其评价数据，无法输出", hint="请用 Engine.run 或 Engine.compose 生成报告")
        outcome = Outcome(report.evaluation, report)
        for fmt in self.options.formats:
            outcome.files[fmt] = self.render(report, fmt)
        # every figure the text states, with the place on the form it came from (or the rule that computed it)
        outcome.files["sources.json"] = _json_bytes(report.sources())
        if self.options.check:
            outcome.check = self.check(report)
            outcome.files["check.json"] = _json_bytes(outcome.check.to_dict())
        return outcome

    def run_file(self, path: str | Path) -> list[Outcome]:
        """Every form of one input file through the pipeline, in the file's order."""
        return [self.run(form) for form in self.load(path)]

    def write(
        self, outcome: Outcome, outdir: str | Path, stem: str | None = None, *, force: bool = False
    ) -> dict[str, Path]:
        """Put an outcome's files into ``outdir`` as ``<stem>.<suffix>``, each atomically; return the paths.

        A file the user changed since reportgen wrote it (or one reportgen never wrote) is not
        replaced: the report is not written and ``overwrite.KeptError`` names the file, unless ``force``.
        """
        from reportgen.overwrite import write_files

        out = Path(outdir)
        stem = stem or outcome.report.name
        names = {f"{stem}.{suffix}": suffix for suffix in outcome.files}
        written = write_files(out, stem, {name: outcome.files[suffix] for name, suffix in names.items()}, force=force)
        return {names[name].removesuffix(".json"): path for name, path in written.items()}


def _attach(spec: str | tuple[str, ...] | list[str] | None) -> tuple[str, ...]:
    """``"form"`` or ("form",) → ("form",); an unknown attachment is a usage error."""
    from reportgen.renderers.form_table import ATTACH_CHOICES

    items = spec.split(",") if isinstance(spec, str) else list(spec or ())
    names = tuple(dict.fromkeys(s.strip().lower() for s in items if s.strip()))
    unknown = [n for n in names if n not in ATTACH_CHOICES]
    if unknown:
        raise UsageError(f"不支持的附件：{'、'.join(unknown)}", hint="可选 form（把自评表作为附件）")
    return names


def unique_stem(name: str, used: set[str]) -> str:
    """``name``, or ``name-2``, ``name-3``… when a run already used it (two projects with one title); records it."""
    stem, n = name, 2
    while stem in used:
        stem, n = f"{name}-{n}", n + 1
    used.add(stem)
    return stem


def _json_bytes(data: Any) -> bytes:
    # the bytes json.dumps(data, ensure_ascii=False, indent=2) + "\n" gives (tested), from orjson: the json
    # module's indented encoder is pure Python and the two files of every report took a tenth of a batch's time
    return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE | orjson.OPT_NON_STR_KEYS)
