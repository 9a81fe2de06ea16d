"""Timing helpers shared by the benchmark scripts (median of repeated runs, in milliseconds)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def times_ms(fn: Callable[[], object], runs: int) -> list[float]:
    """Wall time of each of ``runs`` calls, in milliseconds."""
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def median_ms(fn: Callable[[], object], runs: int) -> float:
    """Median wall time of ``runs`` calls, in milliseconds (the machine is shared and noisy)."""
    return statistics.median(times_ms(fn, runs))
