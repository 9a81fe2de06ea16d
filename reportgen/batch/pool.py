"""The local process pool: N forked workers, one input each at a time, that a dying worker cannot break.

``concurrent.futures.ProcessPoolExecutor`` gives up the whole pool when one worker dies
(``BrokenProcessPool``: no summary, every remaining project skipped). Here each worker has its
own pipe and the parent knows which input it holds, so a worker that dies (killed, out of memory,
a crash in a C library) costs only that input: it is given to a fresh worker once more, then
named as failed. An input that runs past ``--timeout`` has its worker killed and is named as
failed. Workers die with the parent (``PR_SET_PDEATHSIG``, and a watchdog where that is missing)
and hold none of its terminal or pipes, so ``kill -9`` of the batch leaves nothing behind.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import deque
from dataclasses import replace
from multiprocessing import get_context
from multiprocessing.connection import Connection, wait
from typing import Any

from reportgen.batch.worker import BatchOptions, Done, Handle, Stop, Task, failed_task, render_task


def death_message(exitcode: int | None, retries: int) -> str:
    """What to say about an input whose worker died (every time it was tried)."""
    if exitcode is not None and exitcode < 0:
        try:
            how = f"被信号 {signal.Signals(-exitcode).name} 终止"
        except ValueError:
            how = f"被信号 {-exitcode} 终止"
        if exitcode == -signal.SIGKILL:
            how += "（可能是内存不足，或被人为结束）"
    else:
        how = f"意外退出（退出码 {exitcode}）"
    tried = f"，已重试 {retries} 次" if retries else ""
    return f"处理该文件的进程{how}{tried}；其他项目不受影响，可单独用 reportgen render 查看原因"


def timeout_message(seconds: float) -> str:
    return f"处理时间超过 {seconds:g} 秒，已停止（可能是某个单元格内容过长）；可用 --timeout 放宽限制"


# A worker holds up to this many tasks: the next one waits in its pipe while it renders, so it does not
# idle while this process records the last one's files.
_AHEAD = 2


class _Worker:
    def __init__(self, options: BatchOptions) -> None:
        ctx = get_context("fork")
        ours, theirs = ctx.Pipe()
        # the worker writes its files itself (under provisional names) and answers with their names: the
        # answer then fits in the pipe, so it goes on to the next task instead of waiting for this process
        # to read a report's bytes, and this process is left only the renaming
        mine = replace(options, write_on_workers=True)
        self.process = ctx.Process(target=_worker_main, args=(theirs, ours, mine, os.getpid()), daemon=True)
        self.process.start()
        theirs.close()
        self.conn: Connection = ours
        self.tasks: deque[Task] = deque()  # given, in the order it answers them; the first is the one it renders
        self.started = 0.0  # when it began the first of them

    @property
    def task(self) -> Task | None:
        return self.tasks[0] if self.tasks else None

    def takes(self, task: Task) -> bool:
        """Whether it can be given ``task`` now: it holds none, or fewer than ``_AHEAD`` and ``task`` is small.

        Only a task queued behind another waits in the pipe (the first is read at once); a big one there
        (a workbook's project) could fill the pipe's 64 KB while the worker, done with the first, waits
        for this process to read its answer: neither would move.
        """
        return not self.tasks or (len(self.tasks) < _AHEAD and task.form is None and task.data is None)

    def give(self, task: Task) -> None:
        if not self.tasks:
            self.started = time.monotonic()
        self.tasks.append(task)
        self.conn.send(task)

    def answered(self) -> Task:
        """The first task is done: the next one (already sent) starts now."""
        task = self.tasks.popleft()
        self.started = time.monotonic()
        return task

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


def run_pool(tasks: list[Task], options: BatchOptions, handle: Handle, stop: Stop, *, jobs: int) -> None:
    """Run every task on ``jobs`` workers, calling ``handle`` in this process as each one finishes.

    The tasks ``handle`` returns (the other projects of a workbook) are run next, on any worker.
    """
    queue = deque(tasks)
    deaths: dict[int, int] = {}  # id(task) → how many workers died holding it
    workers = [_Worker(options) for _ in range(min(jobs, len(queue)))]

    def finished(task: Task, done: Done) -> None:
        queue.extendleft(reversed(handle(task, done)))

    def lost(w: _Worker) -> None:
        """The tasks a killed worker held behind its first go back to the queue, untouched."""
        queue.extendleft(reversed(list(w.tasks)[1:]))

    try:
        while True:
            if stop.now.is_set():
                break
            idle = sum(w.task is None for w in workers)
            if not stop.requested.is_set():  # a workbook's projects came back: more workers, up to ``jobs``
                workers += [_Worker(options) for _ in range(min(jobs - len(workers), len(queue) - idle))]
            for _ in range(_AHEAD):  # first one task to every worker, then one more behind it
                for w in workers:
                    if queue and not stop.requested.is_set() and w.takes(queue[0]):
                        w.give(queue.popleft())
            busy = [w for w in workers if w.task is not None]
            if not busy:
                break
            ready = wait([x for w in busy for x in (w.conn, w.process.sentinel)], timeout=_next_check(busy, options))
            now = time.monotonic()
            for i, w in enumerate(workers):
                task = w.task
                if task is None:
                    continue
                if w.conn in ready:
                    try:
                        rendered = w.conn.recv()
                    except (EOFError, OSError):
                        rendered = None  # it died while answering: treat as below
                    if rendered is not None:
                        finished(w.answered(), rendered)
                        continue
                if w.process.sentinel in ready or not w.process.is_alive():
                    w.kill()
                    lost(w)
                    n = deaths[id(task)] = deaths.get(id(task), 0) + 1
                    if n <= options.retries:
                        queue.appendleft(task)
                    else:
                        finished(task, failed_task(task, death_message(w.process.exitcode, options.retries)))
                    workers[i] = _Worker(options)
                elif options.timeout and now - w.started > options.timeout:
                    w.kill()
                    lost(w)
                    finished(task, failed_task(task, timeout_message(options.timeout)))
                    workers[i] = _Worker(options)
    finally:
        for w in workers:
            if w.task is None and w.process.is_alive():
                try:
                    w.conn.send(None)  # a polite end: it exits when it reads this
                except OSError:
                    pass
        deadline = time.monotonic() + 5
        for w in workers:
            w.process.join(max(0.0, deadline - time.monotonic()) if w.task is None else 0)
            w.kill()


def _next_check(busy: list[_Worker], options: BatchOptions) -> float:
    """How long to wait for an answer before looking at the clock (and at Ctrl-C) again."""
    if not options.timeout:
        return 0.5
    soonest = min(w.started for w in busy) + options.timeout - time.monotonic()
    return max(0.01, min(0.5, soonest))


# --- in the worker ---------------------------------------------------------------------------------


def _worker_main(conn: Connection, parent_end: Connection, options: BatchOptions, parent: int) -> None:
    parent_end.close()
    _detach(parent)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            os._exit(0)
        if task is None:
            os._exit(0)
        result = render_task(task, options)
        try:
            conn.send(result)
        except (OSError, ValueError):
            os._exit(0)


def _detach(parent: int) -> None:
    """Live only as long as the parent, hold none of its files, leave Ctrl-C to it."""
    from reportgen.batch.output import LOCK_FDS

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what an interrupt means
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    for fd in list(LOCK_FDS):  # or the output folder would stay locked by orphans
        try:
            os.close(fd)
        except OSError:
            pass
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):  # a pipe reading the batch's output sees its end when the parent dies
        os.dup2(null, fd)
    os.close(null)
    _die_with(parent)


def _die_with(parent: int) -> None:
    try:
        import ctypes

        libc: Any = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG: the kernel kills us when the parent dies
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)

    def watch() -> None:  # where prctl is missing (not Linux), notice within a second
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()
