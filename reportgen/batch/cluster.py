"""The batch on a Dask cluster: the same tasks as the local pool, sent to ``distributed`` workers.

Imported only when ``--scheduler`` is given (``reportgen[dask]``). One task per input file, run by
``batch.render_task`` — the very function the local pool runs — on workers that built the engine
once at start (``PrepareEngine``, a worker plugin). By default the client reads each input and
sends its bytes, and the worker sends the rendered bytes back for the client to write and journal
(no shared file system needed); ``--write-on-workers`` lets workers that share OUT write there
themselves. A bounded number of tasks is in flight, so the client's memory does not grow with the
batch. A worker that dies loses only its task, which the scheduler gives to another worker
(``distributed.scheduler.allowed-failures`` times) before the project is named as failed.
"""

from __future__ import annotations

import ctypes
import logging
import os
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import replace
from pathlib import Path
from typing import Any

import dask
from distributed import Client, Future, LocalCluster, as_completed
from distributed.diagnostics.plugin import WorkerPlugin

from reportgen.batch.pool import timeout_message
from reportgen.batch.worker import BatchOptions, Done, Handle, Stop, Task, failed_task, render_task
from reportgen.errors import ReportgenError, UsageError


class PrepareEngine(WorkerPlugin):
    """Builds the engine (templates, lexicon, jieba, PDF fonts) once when a worker starts."""

    name = "reportgen-engine"

    def __init__(self, options: BatchOptions) -> None:
        self.options = options

    def setup(self, worker: Any) -> None:
        from reportgen.batch.worker import prepare

        engine = prepare(self.options)
        with suppress(ReportgenError):  # (fonts missing, say): each task then fails with the message, as in the pool
            engine.prepare_renderers()


#: settings the workers of ``local:N`` start with (a running cluster has its own; docs/batch.md says which to use):
#: no statistical profiler, which samples each worker's stack every 10 ms — in tasks that are pure Python for a
#: third of a second (PDF layout) it cost some 15 % of the throughput. (Forking the workers from the prepared
#: client, as the pool does, would save their start-up, but a forked worker's PDF layout hung: not done.)
#: The event-loop tick watch (every 20 ms), the system and memory monitors (0.5 s, 0.1 s) run at a pace that
#: a batch of one-second tasks does not need; work stealing moves tasks that are all alike; compressing
#: rendered PDF bytes costs more CPU than the loopback saves. And the nanny's default
#: ``MALLOC_TRIM_THRESHOLD_=65536`` makes glibc hand memory back after every large free — the layout of
#: one report frees and takes back many megabytes: rendering 11 reports to PDF in one process took 60 % more
#: page faults and about 5 % more CPU with it (docs/batch.md); glibc's own adaptive threshold,
#: which the local pool's workers have, is kept instead.
LOCAL_WORKERS = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.worker.memory.monitor-interval": "2s",
    "distributed.scheduler.work-stealing": False,
    "distributed.comm.compression": False,
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,  # (None: the nanny does not set it)
}


def parse_scheduler(spec: str) -> tuple[str, int | None]:
    """``local`` / ``local:N`` → ("local", N); anything else is a scheduler address."""
    if spec == "local" or spec.startswith("local:"):
        count = spec.partition(":")[2]
        if count and (not count.isdigit() or int(count) < 1):
            raise UsageError(f"--scheduler {spec}：进程数应为正整数", hint="例如 --scheduler local:4")
        return "local", int(count) if count else None
    if "://" not in spec:
        raise UsageError(f"--scheduler {spec}：不是调度器地址", hint="例如 --scheduler tcp://10.0.0.5:8786 或 --scheduler local:4")
    return spec, None


#: what Dask's own loggers may still print, here and in the workers of ``local:N``: nothing short of a crash.
#: The batch names every failed project and dead worker itself, in Chinese; Dask's messages are tracebacks
#: from its internals, such as a worker's last heartbeat meeting a scheduler that has just closed (CI saw one
#: at the end of an otherwise clean run).
QUIET = logging.CRITICAL


@contextmanager
def _quiet() -> Iterator[None]:
    logger = logging.getLogger("distributed")
    level = logger.level
    logger.setLevel(QUIET)
    try:
        yield
    finally:
        logger.setLevel(level)


def run_dask(tasks: list[Task], options: BatchOptions, handle: Handle, stop: Stop) -> None:
    """Run every task on the cluster, calling ``handle`` in this process as each one finishes."""
    address, workers = parse_scheduler(options.scheduler or "local")
    cluster = None
    # a project whose worker died is given to another one ``retries`` times (a LocalCluster's
    # scheduler lives in this process; a running scheduler has its own setting, see docs/batch.md)
    with dask.config.set({"distributed.scheduler.allowed-failures": options.retries, **LOCAL_WORKERS}), _quiet():
        try:
            if address == "local":
                cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                                       dashboard_address=None, silence_logs=QUIET)
                client = Client(cluster)
            else:
                client = Client(address, timeout="15s")
        except (OSError, TimeoutError) as exc:
            raise UsageError(f"无法连接 Dask 调度器 {address}：{exc}",
                             hint="请确认 dask scheduler 已启动、地址和端口正确（默认 8786），"
                                  "或用 --scheduler local:N 在本机试运行") from exc
        try:
            _run(client, tasks, options, handle, stop)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()


def _run(client: Client, tasks: list[Task], options: BatchOptions, handle: Handle, stop: Stop) -> None:
    try:
        client.wait_for_workers(1, timeout=60)
        client.register_plugin(PrepareEngine(options))
    except TimeoutError as exc:
        raise UsageError("Dask 集群中没有可用的 worker", where=str(options.scheduler),
                         hint="请先用 dask worker 调度器地址 启动 worker") from exc
    except (ImportError, AttributeError) as exc:
        raise UsageError(f"Dask worker 无法加载 reportgen：{exc}",
                         hint="每台 worker 都要安装同一版本的 reportgen 及其字体（见 docs/batch.md）") from exc
    threads = sum(w.get("nthreads", 1) for w in client.scheduler_info().get("workers", {}).values()) or 1
    limit = max(4, 2 * threads)  # enough to keep every worker busy, few enough that memory stays flat
    pending: dict[Future, Task] = {}
    queue: Iterator[Task] = iter(tasks)
    more: deque[Task] = deque()  # the other projects of a workbook whose first task has finished
    done = as_completed()

    def submit() -> None:
        if stop.requested.is_set():
            return
        task = more.popleft() if more else next(queue, None)
        if task is None:
            return
        if task.form is None and not options.write_on_workers:  # workers may not see our disk: send the input
            task = replace(task, data=Path(task.path).read_bytes())
        future = client.submit(run_task, task, options, pure=False,
                               key=f"reportgen-{_path_hash(task.path)}-{task.key}-{task.index}")
        pending[future] = task
        done.add(future)

    for _ in range(limit):
        submit()
    for future in done:
        task = pending.pop(future)
        try:
            result = future.result()
        except Exception as exc:  # noqa: BLE001 - a lost worker or a broken one fails this task only
            result = failed_task(task, _failure(exc, options))
        future.release()
        more.extend(handle(replace(task, data=None), result))
        if stop.now.is_set():
            client.cancel(list(pending))
            break
        while len(pending) < limit and (more or not stop.requested.is_set()):
            before = len(pending)
            submit()
            if len(pending) == before:
                break


class TimedOut(BaseException):
    """Raised inside a task that ran past --timeout (a BaseException: no ``except Exception`` swallows it)."""


def run_task(task: Task, options: BatchOptions) -> Done:
    """``render_task`` on a Dask worker, stopped after ``--timeout`` seconds.

    Tasks run in a worker's thread, where no signal reaches, and Dask cannot stop a running task;
    so the worker raises ``TimedOut`` in that thread itself (``PyThreadState_SetAsyncExc``). It
    takes effect at the next Python instruction: the layout of a pathological form (pure Python)
    stops within milliseconds, and the worker goes on with the next project.
    """
    try:
        if not options.timeout:
            return render_task(task, options)
        with _interrupt_after(options.timeout):
            return render_task(task, options)
    except TimedOut:
        return failed_task(task, timeout_message(options.timeout))
    except Exception as exc:  # noqa: BLE001 - an error (and its traceback) that Dask cannot send would stall the run
        return failed_task(task, f"在 Dask worker 上处理失败：{type(exc).__name__}: {exc}")


@contextmanager
def _interrupt_after(seconds: float) -> Iterator[None]:
    target = ctypes.c_ulong(threading.get_ident())
    lock = threading.Lock()
    state = {"over": False, "fired": False}

    def fire() -> None:
        with lock:
            if not state["over"]:
                state["fired"] = True
                ctypes.pythonapi.PyThreadState_SetAsyncExc(target, ctypes.py_object(TimedOut))

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        with lock:
            state["over"] = True
            if state["fired"]:  # raised just as the task ended: take back what was not delivered yet
                ctypes.pythonapi.PyThreadState_SetAsyncExc(target, None)
        timer.cancel()


def _failure(exc: Exception, options: BatchOptions) -> str:
    from distributed.scheduler import KilledWorker

    if isinstance(exc, KilledWorker):
        tried = f"，已换 worker 重试 {options.retries} 次" if options.retries else ""
        return f"处理该文件的 Dask worker 意外退出{tried}；其他项目不受影响，可单独用 reportgen render 查看原因"
    return f"在 Dask worker 上处理失败：{type(exc).__name__}: {exc}"


def _path_hash(path: str) -> str:
    import hashlib

    return hashlib.sha1(path.encode("utf-8")).hexdigest()[:8]
