"""One batch task and the work on it, shared by every runner (the calling process, ``pool``, ``cluster``).

A worker (a pool process or a Dask worker) prepares the engine once — jieba, the Jinja environment,
the cause taxonomy, PDF fonts — and turns one input file into rendered bytes and index rows
(``render_task``); the client alone names, writes and journals them (``output``). This module sits
below the runners and the client: ``run`` (the command) picks a runner, the runners hand tasks to
``render_task``, and none of them is imported from here.
"""

from __future__ import annotations

import hashlib
import json
import re
import signal
import tempfile
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from reportgen import __version__
from reportgen import formatting as fmt
from reportgen.batch.index import KIND
from reportgen.engine import Engine, Options, Outcome
from reportgen.errors import ReportgenError
from reportgen.evaluation.model import EvaluationForm
from reportgen.fsutil import atomic_write
from reportgen.resources import lexicon_dir, templates_dir


@dataclass(frozen=True)
class BatchOptions:
    outdir: Path
    formats: tuple[str, ...] = ("md",)
    outline: str = "default"
    templates: str | None = None
    lexicon: str | None = None
    cover: bool = False
    toc: bool = False
    attach: tuple[str, ...] = ()
    final: bool = False
    font: str | None = None
    check: bool = True
    jobs: int = 0  # 0: one per core
    resume: bool = False
    timeout: float = 300.0  # seconds one input may take before its worker is stopped (0: no limit)
    retries: int = 1  # a project whose worker died is tried this many more times, then named as failed
    scheduler: str | None = None  # None: the local pool; "local[:N]" or "tcp://host:8786": Dask
    write_on_workers: bool = False  # Dask workers share OUT's file system: they write, the client renames
    force: bool = False  # replace reports the user changed since reportgen wrote them (--force)

    def engine_options(self) -> Options:
        """The report options of the one pipeline (reportgen.engine) that every worker runs."""
        return Options(outline=self.outline, templates=_path(self.templates), lexicon=_path(self.lexicon),
                       formats=self.formats, cover=self.cover, toc=self.toc, attach=self.attach, final=self.final,
                       font=_path(self.font), check=self.check)

    def fingerprint(self) -> str:
        """What, besides the input, decides the outputs: options, templates, lexicon, tool version."""
        h = hashlib.sha256()
        h.update(json.dumps([self.formats, self.outline, self.cover, self.check, __version__]).encode())
        if self.toc or self.attach or self.final:  # (only then, so earlier journals stay valid)
            h.update(json.dumps([self.toc, list(self.attach), self.final]).encode())
        for folder in (templates_dir(), lexicon_dir(), *(Path(p) for p in (self.templates, self.lexicon) if p)):
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    h.update(path.relative_to(folder).as_posix().encode())
                    h.update(path.read_bytes())
        if self.font:
            h.update(Path(self.font).read_bytes())
        return h.hexdigest()[:16]


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None


@dataclass
class Row:
    """One project's line in the index (or one input's failure)."""

    input: str
    index: int = 0
    status: str = "ok"  # ok / check-failed / failed / kept (the user changed its report: not replaced) / skipped
    unit: str = ""
    project: str = ""
    year: str = ""
    budget: str = ""
    executed: str = ""
    rate: str = ""
    total: str = ""
    grade: str = ""
    deducted: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    errors: int = 0
    missing_terms: list[str] = field(default_factory=list)
    placeholders: int = 0
    cause_categories: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    message: str = ""
    where: str = ""
    key: str = ""  # input content + options hash, for --resume
    total_value: float | None = None  # the printed total only: a computed sum is no figure to average
    total_computed: bool = False  # the form prints no total; ``total`` shows the sum of rows, marked as computed
    budget_value: float | None = None
    executed_value: float | None = None
    budget_unit: str = ""
    rate_value: float | None = None  # execution rate as a fraction (0.955), for the overview and the workbook
    date: str = ""  # the report's date as printed (2021年6月30日), for the overview's 落款
    name: str = ""  # the report's own name (before any suffix that keeps file names unique)
    stem: str = ""  # where its files are, relative to the output folder, without the suffix
    kind: str = ""  # 项目支出 / 部门整体 (the 类型 column)
    # the origins the index keeps apart from printed figures: a total summed from the rows (its value, for the
    # workbook's number cell), a grade worked out from the total, a rate worked out from the amounts, amounts
    # taken from a source row; and the rate the amounts give where the printed one differs from it
    total_sum: float | None = None
    grade_computed: bool = False
    rate_computed: bool = False
    budget_from: str = ""
    rate_from_amounts: float | None = None


# --- the worker: one input file in, rendered bytes and index rows out ---------------------------

_STATE: dict[str, Any] = {}


def prepare(options: BatchOptions) -> Engine:
    """Build the engine once per process (in the parent before forking, too) and return it."""
    if _STATE.get("options") != options:
        _STATE.clear()
        _STATE["options"] = options
        _STATE["engine"] = Engine(options.engine_options()).prepare()
    engine: Engine = _STATE["engine"]
    return engine


@dataclass(frozen=True)
class Task:
    """One project to render — or, first, the input file that holds one or more of them.

    The first task of an input (``form`` None) reads the file, renders its first project and hands
    the others back as tasks of their own (``Done.more``), so a workbook of many projects spreads
    over every worker, and a project that fails or hangs costs only itself.
    """

    path: str  # the input as the user named it
    key: str  # its content and the options, hashed (--resume)
    data: bytes | None = None  # its bytes when sent; None: the worker reads ``path`` (same machine, shared disk)
    index: int = 0  # which project of the input
    form: EvaluationForm | None = None  # the project itself, once the first task has read the file
    copy: str = ""  # where the first task read the bytes from (a temporary file): messages name ``path`` instead
    skip: frozenset[int] = frozenset()  # projects of the input already done (--resume)
    count: int = 1  # projects (and unreadable parts) in the input, once the first task has read it


@dataclass
class Rendered:
    """What a worker sends back for one project: its index row and its files (bytes, or already written)."""

    row: Row
    files: dict[str, bytes] = field(default_factory=dict)  # suffix ("md", "pdf", "check.json") → content
    written: dict[str, str] = field(default_factory=dict)  # suffix → file a worker wrote (--write-on-workers)
    digests: dict[str, str] = field(default_factory=dict)  # suffix → sha256 of a written file (for the record)


@dataclass
class Done:
    """A finished task: its project(s) rendered (or failed), the input's other projects, how many it holds."""

    rendered: list[Rendered]
    more: list[Task] = field(default_factory=list)
    count: int = 1  # projects (and unreadable parts) in the input, for the journal: done when all are


INCOMING = ".incoming"  # where workers that share the file system put files before the client names them


def render_task(task: Task, options: BatchOptions) -> Done:
    """Render one project (in a pool process or on a Dask worker); the first task of an input reads it first.

    Never raises: whatever goes wrong becomes a failed row naming the input (and the project), so
    one bad file or project never stops the others.
    """
    if task.form is not None:
        return Done([_render_form(task.form, task, options)], count=task.count)
    if task.data is None:
        return _render_file(Path(task.path), task, options)
    with tempfile.TemporaryDirectory(prefix="reportgen-") as tmp:
        local = Path(tmp) / Path(task.path).name
        local.write_bytes(task.data)
        return _render_file(local, replace(task, copy=str(local)), options)


def _shown(task: Task, r: Rendered) -> Rendered:
    """Messages and the sources record name the user's file, not the worker's temporary copy of it."""
    if not task.copy:
        return r
    copy, given = task.copy, task.path
    r.row.message = r.row.message.replace(copy, given)
    r.row.where = r.row.where.replace(copy, given)
    for suffix, data in r.files.items():
        if suffix.endswith(".json"):
            r.files[suffix] = data.replace(_json_text(copy), _json_text(given))
    return r


def _render_file(path: Path, task: Task, options: BatchOptions) -> Done:
    """Read the input: render its first project still to do, return the others as tasks; name bad parts."""
    try:
        engine = prepare(options)
        loaded = engine.load_parts(path)
    except ReportgenError as exc:
        return Done([_shown(task, _failed(task, str(exc), exc.where or str(path)))])
    except Exception as exc:  # noqa: BLE001 - one broken file must never stop the batch
        return Done([_shown(task, _failed(task, f"无法读取：{type(exc).__name__}: {exc}", str(path)))])
    forms = loaded.forms
    # a part (sheet) that cannot be read is named after the projects; the good ones are still rendered
    rendered = [_shown(task, _failed(replace(task, index=len(forms) + i), str(exc), exc.where or str(path)))
                for i, exc in enumerate(loaded.failures)]
    count = len(forms) + len(loaded.failures)
    todo = [replace(task, data=None, index=i, form=form, count=count) for i, form in enumerate(forms)
            if i not in task.skip]
    if todo:
        rendered.insert(0, _render_form(forms[todo[0].index], todo[0], options))
    return Done(rendered, more=todo[1:], count=count)


def _render_form(form: EvaluationForm, task: Task, options: BatchOptions) -> Rendered:
    engine = prepare(options)
    index = task.index
    try:
        outcome = engine.run(form)
        row = _row_for(outcome, {}, Path(task.path), index)
        row.name = outcome.report.name
        rendered = _shown(task, Rendered(row, files=outcome.files))
        if options.write_on_workers:
            rendered = _write_incoming(rendered, options.outdir, task.key)
    except ReportgenError as exc:
        rendered = _shown(task, _failed(task, str(exc), exc.where or ""))
    except Exception as exc:  # noqa: BLE001
        rendered = _failed(task, f"{type(exc).__name__}: {exc}")
    rendered.row.key = task.key
    return rendered


def _write_incoming(rendered: Rendered, outdir: Path, key: str) -> Rendered:
    """On a worker that shares OUT: write the files under a provisional name; the client renames them."""
    from reportgen.overwrite import digest

    folder = outdir / INCOMING
    written, digests = {}, {}
    unique = uuid.uuid4().hex[:12]  # two inputs of the same content have the same key
    for suffix, data in rendered.files.items():
        path = folder / f"{key}-{rendered.row.index}-{unique}.{suffix}"
        atomic_write(path, data)
        written[suffix], digests[suffix] = str(path), digest(data)
    return Rendered(rendered.row, files={}, written=written, digests=digests)


def _failed(task: Task, message: str, where: str = "") -> Rendered:
    """A failed row for the task's project (named when the file was read), or for the whole input."""
    form = task.form
    about: dict[str, Any] = {"project": form.subject or "", "kind": KIND[form.kind], "unit": form.unit or ""} if form else {}
    return Rendered(Row(input=task.path, index=task.index, status="failed", message=message, where=where,
                        key=task.key, **about))


def failed_task(task: Task, message: str) -> Done:
    """A task whose worker never answered (died every time it was tried, or ran past the timeout)."""
    return Done([_failed(task, message, task.path)], count=task.count)


def _row_for(outcome: Outcome, paths: dict[str, Path], path: Path, index: int) -> Row:
    ev, report = outcome.evaluation, outcome.report
    form = ev.form
    b = ev.budget
    check = outcome.check
    missing = []
    if check is not None:
        for p in check.problems:
            if getattr(p, "kind", "") in ("missing-term", "missing-section"):
                # the group's name as the message says it (“绩效目标”), never its lexicon id
                named = re.search(r"缺少“([^”]+)”", p.message)
                missing.append(named[1] if named else str(getattr(p, "term", None) or p.message))
    composer = _STATE["engine"].composer
    categories: list[str] = []
    causes = [*(r.cause for r in ev.indicators if r.cause and r.lost > 0), *form.deviation_analysis]
    for cause in causes:
        for cat in composer.classifier.categories(cause):
            if cat.name not in categories:
                categories.append(cat.name)
    return Row(
        input=str(path),
        index=index,
        status="ok" if outcome.ok else "check-failed",
        unit=form.unit or "",
        project=form.subject or "",
        kind=KIND[form.kind],
        year=str(form.year or ""),
        budget=fmt.money(b.base, b.unit) if b and b.base is not None else "",
        executed=fmt.money(b.executed, b.unit) if b and b.executed is not None else "",
        rate=(fmt.percent(b.rate) + ("（计算）" if ev.figures["budget.rate"].computed else "")) if b and b.rate is not None
        else "",
        total=(fmt.score(ev.total) + ("（计算）" if ev.total_source != "printed" else "")) if ev.total is not None else "",
        grade=(ev.grade + ("（计算）" if not form.grade else "")) if ev.grade else "",
        deducted=[f"{r.name}（-{fmt.score(r.lost)}）" for r in ev.deducted],
        findings=[f"{f.severity}:{f.code}" for f in ev.findings if f.severity != "info"],
        errors=len(ev.errors),
        missing_terms=missing,
        placeholders=len(report.placeholders),
        cause_categories=categories,
        outputs=[str(p) for p in paths.values()],
        total_value=float(ev.total) if ev.total is not None and ev.total_source == "printed" else None,
        total_computed=ev.total is not None and ev.total_source != "printed",
        budget_value=float(b.base) if b and b.base is not None else None,
        executed_value=float(b.executed) if b and b.executed is not None else None,
        budget_unit=b.unit if b else "",
        rate_value=float(b.rate) if b and b.rate is not None else None,
        date=report.date or "",
        total_sum=float(ev.total) if ev.total is not None and ev.total_source != "printed" else None,
        grade_computed=bool(ev.grade) and not form.grade,
        rate_computed=b is not None and b.rate is not None and ev.figures["budget.rate"].computed,
        budget_from=rec.figures.row if (rec := ev.reconciliation) is not None and rec.figures.from_source else "",
        rate_from_amounts=float(b.rate_computed) if b and b.rate_computed is not None and b.rate is not None
        and abs(b.rate_computed - b.rate) > Decimal("0.005") else None,
    )


# --- what every runner is given -----------------------------------------------------------------


class Stop:
    """Ctrl-C for a run: the first asks to stop handing out work, the second to stop now."""

    def __init__(self) -> None:
        self.requested = threading.Event()
        self.now = threading.Event()

    def __call__(self, signum: int = 0, frame: Any = None) -> None:
        (self.now if self.requested.is_set() else self.requested).set()

    def install(self) -> Callable[[], None]:
        """Catch SIGINT while the run lasts (main thread only: the web page calls from a thread)."""
        if threading.current_thread() is not threading.main_thread():
            return lambda: None
        previous = signal.signal(signal.SIGINT, self)

        def restore() -> None:
            signal.signal(signal.SIGINT, previous)

        return restore


Handle = Callable[[Task, Done], list[Task]]  # a finished task in; the tasks it gave rise to out


def _json_text(text: str) -> bytes:
    """How ``text`` appears inside a JSON string the engine wrote (non-ASCII kept as is)."""
    return json.dumps(text, ensure_ascii=False)[1:-1].encode("utf-8")
