"""Batch production: every project of a department in one run, in a process pool.

Each worker prepares the expensive things once — jieba, the Jinja environment, the cause
taxonomy, PDF fonts — and reuses them for every project it gets. A failed project never stops
the others; every file is written atomically; a journal in the output folder lets ``--resume``
skip projects whose outputs are already up to date (same input, templates, lexicon, options
and tool version). The parent collects one summary row per project and writes the index.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from . import __version__
from . import formatting as fmt
from .batch_index import KIND
from .engine import Engine, Options, Outcome
from .errors import ReportgenError, UsageError
from .fsutil import atomic_write
from .narrative.text import safe_filename
from .resources import lexicon_dir, templates_dir

INPUT_SUFFIXES = (".yaml", ".yml", ".json", ".xlsx", ".docx", ".txt", ".tsv")
JOURNAL = ".reportgen-batch.jsonl"


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
    status: str = "ok"  # ok / check-failed / failed / skipped
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
    rate_value: float | None = None  # execution rate as a fraction (0.955), for the overview's 需要关注
    date: str = ""  # the report's date as printed (2021年6月30日), for the overview's 落款
    kind: str = ""  # 项目支出 / 部门整体 (the 类型 column)


# --- inputs --------------------------------------------------------------------------------------


def collect_inputs(paths: list[Path], outdir: Path) -> list[Path]:
    """Files to process: given files, and folders searched recursively, sorted, outputs excluded."""
    found: list[Path] = []
    out = outdir.resolve()
    for path in paths:
        if not path.exists():
            raise UsageError(f"输入不存在：{path}", hint="请检查路径")
        if path.is_dir():
            for p in sorted(path.rglob("*")):
                if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES and not p.name.startswith((".", "~$")):
                    resolved = p.resolve()
                    if out != resolved and out not in resolved.parents:
                        found.append(p)
        else:
            found.append(path)
    return list(dict.fromkeys(found))


def _input_key(path: Path, fingerprint: str) -> str:
    h = hashlib.sha256(fingerprint.encode())
    h.update(path.read_bytes())
    return h.hexdigest()[:20]


# --- the worker ----------------------------------------------------------------------------------

_STATE: dict[str, Any] = {}


def _prepare(options: BatchOptions) -> Engine:
    """Build the engine once per process (in the parent before forking, too) and return it."""
    if _STATE.get("options") != options:
        _STATE.clear()
        _STATE["options"] = options
        _STATE["engine"] = Engine(options.engine_options()).prepare()
    engine: Engine = _STATE["engine"]
    return engine


def _claim(outdir: Path, stem: str, owner: str) -> str:
    """A unique output stem: the report's own name, or name-2, name-3… (claims are files, so pools agree)."""
    claims = outdir / ".claims"
    claims.mkdir(parents=True, exist_ok=True)
    n = 1
    while True:
        candidate = stem if n == 1 else f"{stem}-{n}"
        marker = claims / hashlib.sha1(candidate.encode()).hexdigest()
        try:
            fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            if marker.read_text(encoding="utf-8") == owner:
                return candidate
            n += 1
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(owner)
        return candidate


def _row_for(outcome: Outcome, paths: dict[str, Path], path: Path, index: int) -> Row:
    ev, report = outcome.evaluation, outcome.report
    form = ev.form
    b = ev.budget
    check = outcome.check
    missing = []
    if check is not None:
        for p in check.problems:
            if getattr(p, "kind", "") in ("missing-term", "missing-section"):
                missing.append(str(getattr(p, "group", None) or getattr(p, "term", None) or p.message))
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
        rate=fmt.percent(b.rate) if b and b.rate is not None else "",
        total=(fmt.score(ev.total) + ("（计算）" if ev.total_source != "printed" else "")) if ev.total is not None else "",
        grade=ev.grade or "",
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
    )


def process_file(path: Path, options: BatchOptions, key: str) -> list[Row]:
    """Load, score, compose, render and check every project in one input file (runs in a worker)."""
    engine = _prepare(options)
    try:
        forms = engine.load(path)
    except ReportgenError as exc:
        return [Row(input=str(path), status="failed", message=str(exc), where=exc.where or str(path), key=key)]
    except Exception as exc:  # noqa: BLE001 - one broken file must never stop the batch
        return [Row(input=str(path), status="failed", message=f"无法读取：{type(exc).__name__}: {exc}", key=key)]
    rows = []
    for index, form in enumerate(forms):
        try:
            outcome = engine.run(form)
            stem = _claim(options.outdir, outcome.report.name, f"{path.resolve()}#{index}")
            row = _row_for(outcome, engine.write(outcome, options.outdir, stem), path, index)
        except ReportgenError as exc:
            row = Row(input=str(path), index=index, status="failed", project=form.subject or "", unit=form.unit or "",
                      kind=KIND[form.kind],
                      message=str(exc), where=exc.where or "")
        except Exception as exc:  # noqa: BLE001
            row = Row(input=str(path), index=index, status="failed", project=form.subject or "", unit=form.unit or "",
                      kind=KIND[form.kind],
                      message=f"{type(exc).__name__}: {exc}")
        row.key = key
        rows.append(row)
    return rows


def _worker_init(options: BatchOptions) -> None:
    # the parent handles Ctrl-C: workers ignore SIGINT so an interrupt never leaves half-written files
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _prepare(options)


# --- the run -------------------------------------------------------------------------------------


@dataclass
class BatchResult:
    rows: list[Row]
    elapsed: float
    interrupted: bool = False
    skipped: int = 0

    @property
    def failed(self) -> list[Row]:
        return [r for r in self.rows if r.status == "failed"]

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return 130
        return 1 if any(r.status in ("failed", "check-failed") for r in self.rows) else 0


def _read_journal(outdir: Path) -> dict[str, list[Row]]:
    """Completed inputs from earlier runs: input key → rows (a torn last line is ignored)."""
    done: dict[str, list[Row]] = {}
    journal = outdir / JOURNAL
    if not journal.exists():
        return done
    for line in journal.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        rows = [Row(**r) for r in record["rows"]]
        if all(r.status != "failed" and all(Path(p).exists() for p in r.outputs) for r in rows):
            done[record["key"]] = rows
    return done


def run_batch(
    inputs: list[Path],
    options: BatchOptions,
    progress: Callable[[int, int, Row | None], None] | None = None,
) -> BatchResult:
    """Process every input; return all rows (in input order) and write the index files."""
    start = time.perf_counter()
    outdir = options.outdir
    outdir.mkdir(parents=True, exist_ok=True)
    files = collect_inputs(inputs, outdir)
    fingerprint = options.fingerprint()
    keys = {path: _input_key(path, fingerprint) for path in files}
    previous = _read_journal(outdir) if options.resume else {}
    if not options.resume:
        shutil.rmtree(outdir / ".claims", ignore_errors=True)
        (outdir / JOURNAL).unlink(missing_ok=True)
    for leftover in outdir.rglob(".*.part"):
        leftover.unlink(missing_ok=True)  # temporary files of a run that was killed mid-write
    results: dict[Path, list[Row]] = {}
    todo = []
    for path in files:
        if keys[path] in previous:
            results[path] = previous[keys[path]]
        else:
            todo.append(path)
    skipped = len(files) - len(todo)
    total = len(files)
    done_count = skipped
    if progress:
        progress(done_count, total, None)
    interrupted = False
    journal = (outdir / JOURNAL).open("a", encoding="utf-8")

    def record(path: Path, rows: list[Row]) -> None:
        nonlocal done_count
        results[path] = rows
        journal.write(json.dumps({"key": keys[path], "rows": [asdict(r) for r in rows]}, ensure_ascii=False) + "\n")
        journal.flush()
        done_count += 1
        if progress:
            progress(done_count, total, rows[0])

    jobs = options.jobs or os.cpu_count() or 1
    try:
        _prepare(options)  # in the parent too: forked workers inherit the prepared dictionaries
        if jobs == 1 or len(todo) <= 1:
            for path in todo:
                record(path, process_file(path, options, keys[path]))
        else:
            with ProcessPoolExecutor(
                max_workers=jobs, mp_context=get_context("fork"), initializer=_worker_init, initargs=(options,)
            ) as pool:
                pending: dict[Future[list[Row]], Path] = {}
                queue = iter(todo)

                def submit(n: int) -> None:
                    for path in _take(queue, n):
                        pending[pool.submit(process_file, path, options, keys[path])] = path

                submit(jobs * 4)  # a bounded queue keeps Ctrl-C responsive and memory flat
                try:
                    while pending:
                        finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                        for future in finished:
                            path = pending.pop(future)
                            try:
                                rows = future.result()
                            except Exception as exc:  # noqa: BLE001 - a crashed worker fails its file only
                                rows = [Row(input=str(path), status="failed", message=f"处理进程异常退出：{exc}",
                                            key=keys[path])]
                            record(path, rows)
                        submit(len(finished))
                except KeyboardInterrupt:
                    interrupted = True
                    for future in pending:
                        future.cancel()
                    pool.shutdown(wait=True, cancel_futures=True)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        journal.close()
    rows = [row for path in files if path in results for row in results[path]]
    result = BatchResult(rows=rows, elapsed=time.perf_counter() - start, interrupted=interrupted, skipped=skipped)
    _group_by_unit(result, outdir)
    # the journal now records final paths (after grouping), so --resume finds the files where they are
    atomic_write(
        outdir / JOURNAL,
        "".join(
            json.dumps({"key": keys[p], "rows": [asdict(r) for r in results[p]]}, ensure_ascii=False) + "\n"
            for p in files
            if p in results
        ),
    )
    from .batch_index import write_index

    write_index(result, options)
    return result


def _take(iterator: Iterator[Path], n: int) -> list[Path]:
    out = []
    for _ in range(n):
        try:
            out.append(next(iterator))
        except StopIteration:
            break
    return out


def _group_by_unit(result: BatchResult, outdir: Path) -> None:
    """When the projects come from several units, move each unit's files into a folder of its own."""
    units = {r.unit for r in result.rows if r.status != "failed"}
    if len(units) < 2:
        return
    for row in result.rows:
        if row.status == "failed" or not row.outputs:
            continue
        folder = outdir / safe_filename(row.unit or "未注明单位")
        moved = []
        for name in row.outputs:
            path = Path(name)
            target = folder / path.name
            if path.parent.resolve() != folder.resolve() and path.exists():
                folder.mkdir(parents=True, exist_ok=True)
                os.replace(path, target)
            moved.append(str(target))
        row.outputs = moved
