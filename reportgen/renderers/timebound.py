"""A time bound per rendered document, so one pathological form cannot stall a run or a batch.

The bound is a real-time interval timer (SIGALRM): it interrupts WeasyPrint or python-docx wherever
they are, which a check between steps could not. Signals reach only the main thread, where the CLI
and every batch worker process render; elsewhere (a thread of a web server) the render runs unbounded
and the caller bounds it. The interruption is a BaseException, so no ``except Exception`` inside the
libraries swallows it, and it leaves as a RenderError in Chinese naming the document.
"""

from __future__ import annotations

import gc
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from reportgen.errors import RenderError

RENDER_TIMEOUT_S = float(os.environ.get("REPORTGEN_RENDER_TIMEOUT", "60"))


class _Expired(BaseException):
    """Raised by the timer inside the render; never escapes ``time_bound``."""


def _in_gc_callback(frame: FrameType | None) -> bool:
    """Whether the signal interrupted a garbage-collector callback (Python reports, then drops, its exceptions)."""
    codes = {getattr(cb, "__code__", None) for cb in gc.callbacks} - {None}
    while codes and frame is not None:
        if frame.f_code in codes:
            return True
        frame = frame.f_back
    return False


@contextmanager
def time_bound(seconds: float | None, what: str, where: str) -> Iterator[None]:
    """Run the block for at most ``seconds`` (None or ≤ 0: unbounded), else raise RenderError."""
    usable = (seconds is not None and seconds > 0 and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread())
    if not usable:
        yield
        return
    assert seconds is not None
    fired: list[bool] = []

    def on_alarm(signum: int, frame: FrameType | None) -> None:
        fired.append(True)  # remembered: an exception raised inside a gc callback or __del__ is swallowed
        if _in_gc_callback(frame):
            signal.setitimer(signal.ITIMER_REAL, 0.001)  # go off again just after, where it is not swallowed
            return
        raise _Expired

    previous = signal.signal(signal.SIGALRM, on_alarm)
    outer = signal.getitimer(signal.ITIMER_REAL)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
        if fired:
            raise _Expired  # the alarm went off where Python ignores exceptions: the document is still late
    except _Expired:
        raise RenderError(
            f"{what} 排版超过 {seconds:g} 秒仍未完成，已停止生成这份文档", where=where,
            hint="报告中可能有极长的文字或表格（如整段粘贴的网址、编码）；请精简自评表中的该内容后重试，"
                 "或用环境变量 REPORTGEN_RENDER_TIMEOUT 放宽时限（秒）",
        ) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer[0] > 0:  # someone else's timer was running: give it back what is left of it
            signal.setitimer(signal.ITIMER_REAL, *outer)
