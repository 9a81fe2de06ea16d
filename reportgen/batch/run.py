"""Batch production: every project of a department in one run, on a local process pool or a Dask cluster.

One code path whatever runs the work: a worker (a pool process or a Dask worker) turns one input
file into rendered bytes and index rows (``worker.render_task``); the client alone names, writes and
journals them (``output``), so a dead worker never leaves half a report and a killed client
resumes where it stopped. A failed project never stops the others; the runners (``pool``,
``cluster``) retry a project whose worker died once, then name it as failed. This module is the top
of the batch: it collects the inputs, picks the runner and keeps the journal; nothing below imports it.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from reportgen.batch.index import write_index
from reportgen.batch.output import OutputFolder
from reportgen.batch.pool import run_pool
from reportgen.batch.worker import (
    BatchOptions,
    Done,
    Handle,
    Rendered,
    Row,
    Stop,
    Task,
    failed_task,
    prepare,
    render_task,
)
from reportgen.errors import UsageError

# (the names the batch's users import from here: the command, the web page, the tests)
__all__ = ["BatchOptions", "BatchResult", "Done", "Handle", "INPUT_SUFFIXES", "Rendered", "Row", "Stop", "Task",
           "collect_inputs", "failed_task", "render_task", "require_dask", "run_batch"]

INPUT_SUFFIXES = (".yaml", ".yml", ".json", ".xlsx", ".docx", ".txt", ".tsv")
JOURNAL = ".reportgen-batch.jsonl"
#: what render writes beside a report: never a form
_SIDECARS = (".check.json", ".sources.json")


# --- inputs --------------------------------------------------------------------------------------


def collect_inputs(paths: list[Path], outdir: Path) -> list[Path]:
    """Files to process: given files, and folders searched recursively, sorted, outputs excluded."""
    found: list[Path] = []
    out = outdir.resolve()
    for path in paths:
        if not path.exists():
            raise UsageError(f"输入不存在：{path}", hint="请检查路径")
        if path.is_dir():
            found += [p for p in _folder_files(path, out)
                      if p.suffix.lower() in INPUT_SUFFIXES and not p.name.endswith(_SIDECARS)]
        else:
            found.append(path)
    return list(dict.fromkeys(found))


#: office files a folder of forms often holds that reportgen cannot read: the batch names them
UNREADABLE_SUFFIXES = (".xls", ".doc", ".wps", ".et", ".pdf", ".ofd")


def unreadable_inputs(paths: list[Path], outdir: Path) -> list[Path]:
    """Files in the given folders that look like forms in a format reportgen does not read."""
    out = outdir.resolve()
    return [p for path in paths if path.is_dir() for p in _folder_files(path, out)
            if p.suffix.lower() in UNREADABLE_SUFFIXES]


def _folder_files(folder: Path, out: Path) -> list[Path]:
    """A folder's files, sorted, that may be inputs: not hidden, no Office lock file, not in the output folder
    and not in an earlier batch's output folder (its journal marks it: it holds reports, not forms)."""
    earlier = {j.parent.resolve() for j in folder.rglob(JOURNAL)}
    found = []
    for p in sorted(folder.rglob("*")):
        if not p.is_file() or p.name.startswith((".", "~$")):
            continue
        resolved = p.resolve()
        parents = set(resolved.parents)
        if out != resolved and out not in parents and not earlier & parents:
            found.append(p)
    return found


def _input_key(path: Path, fingerprint: str) -> str:
    h = hashlib.sha256(fingerprint.encode())
    h.update(path.read_bytes())
    return h.hexdigest()[:20]


# --- the run -------------------------------------------------------------------------------------


@dataclass
class BatchResult:
    rows: list[Row]
    elapsed: float
    interrupted: bool = False
    skipped: int = 0
    index_kept: list[tuple[str, str]] = field(default_factory=list)  # edited index files kept: (kept, written)
    unread: list[Path] = field(default_factory=list)  # .xls, .doc, .pdf… in the folders: said, not silently passed over

    @property
    def failed(self) -> list[Row]:
        return [r for r in self.rows if r.status == "failed"]

    @property
    def kept(self) -> list[Row]:
        """Projects whose report the user changed since it was written: kept, not replaced (no --force)."""
        return [r for r in self.rows if r.status == "kept"]

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return 130
        return 1 if any(r.status in ("failed", "check-failed", "kept") for r in self.rows) else 0


Progress = Callable[[int, int, "Row | None"], None]


def run_batch(
    inputs: list[Path],
    options: BatchOptions,
    progress: Progress | None = None,
    stop: Stop | None = None,
) -> BatchResult:
    """Process every input; return all rows (in input order) and write the index files.

    ``progress(done, total, row)`` is called after each input (``row`` is None for the first call);
    ``stop`` lets a caller (the web page) end the run early, as Ctrl-C does on the command line.
    """
    if options.scheduler:
        require_dask(options.scheduler)
    start = time.perf_counter()
    options = replace(options, outdir=Path(options.outdir).resolve())
    stop = stop or Stop()
    restore = stop.install()
    try:
        with OutputFolder(options.outdir, force=options.force) as out:  # a batch already writing there comes first
            files = collect_inputs(inputs, options.outdir)
            if not files:
                raise UsageError("没有找到可读取的自评表", where="、".join(str(p) for p in inputs),
                                 hint="支持 " + "、".join(INPUT_SUFFIXES) + "；.xls、.doc 请先另存为 .xlsx、.docx")
            fingerprint = options.fingerprint()
            tasks = [Task(str(path), _input_key(path, fingerprint)) for path in files]
            previous = out.start(resume=options.resume)
            results: dict[str, dict[int, Row]] = {}  # input → its projects' rows, by their place in it
            outstanding: dict[str, int] = {}  # input → its tasks not finished yet (an input's first task adds more)
            todo = []
            for task in tasks:
                earlier = previous.get((task.key, task.path))
                if earlier is not None:
                    results[task.path] = dict(earlier.rows)
                    out.keep(task.key, earlier)
                    if earlier.complete:
                        continue
                    task = replace(task, skip=frozenset(earlier.rows))  # a workbook half done: the rest of it
                todo.append(task)
                outstanding[task.path] = 1
            skipped = len(tasks) - len(todo)
            done_count = skipped
            if progress:
                progress(done_count, len(tasks), None)

            def handle(task: Task, done: Done) -> list[Task]:
                """Write and journal a finished task's project; return the input's other projects, to be run."""
                nonlocal done_count
                rows = results.setdefault(task.path, {})
                for row in out.record(task.key, done.count, done.rendered):
                    rows[row.index] = row
                outstanding[task.path] += len(done.more) - 1
                if not outstanding[task.path]:
                    done_count += 1
                    if progress:  # an input is done when all its projects are
                        progress(done_count, len(tasks), rows[min(rows)])
                return done.more

            _run(todo, options, handle, stop)
            rows = [row for task in tasks for _, row in sorted(results.get(task.path, {}).items())]
            result = BatchResult(rows=rows, elapsed=time.perf_counter() - start,
                                 interrupted=stop.requested.is_set(), skipped=skipped,
                                 unread=unreadable_inputs(inputs, options.outdir))
            out.finish(rows)
            result.index_kept = write_index(result, options)
    finally:
        restore()
    return result


def require_dask(scheduler: str) -> None:
    """``--scheduler`` needs the ``dask`` extra: say how to install it, and check the address's form."""
    import importlib.util

    if importlib.util.find_spec("dask") is None or importlib.util.find_spec("distributed") is None:
        raise UsageError(f"--scheduler {scheduler} 需要 Dask，但本机没有安装",
                         hint="请运行 pip install 'reportgen[dask]'（安装 dask 和 distributed），或去掉 --scheduler 用本机进程池")
    from reportgen.batch.cluster import parse_scheduler

    parse_scheduler(scheduler)


def _run(todo: list[Task], options: BatchOptions, handle: Handle, stop: Stop) -> None:
    """Hand the tasks to whatever does the work: the calling process, the local pool, or Dask."""
    if options.scheduler:
        from reportgen.batch.cluster import run_dask

        run_dask(todo, options, handle, stop)
        return
    prepare(options)  # in the parent too: forked workers inherit the prepared engine
    jobs = options.jobs or os.cpu_count() or 1
    if jobs == 1 and not options.timeout:
        queue = deque(todo)
        while queue and not stop.requested.is_set():  # no pool at all: simplest to debug (--jobs 1 --timeout 0)
            task = queue.popleft()
            queue.extendleft(reversed(handle(task, render_task(task, options))))
        return
    run_pool(todo, options, handle, stop, jobs=jobs)
