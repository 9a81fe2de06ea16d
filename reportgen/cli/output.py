"""The terminal console shared by the commands (rich), wide enough for Chinese tables."""

from __future__ import annotations

from functools import cache

from rich.console import Console


@cache
def console(stderr: bool = False) -> Console:
    # soft_wrap keeps long Chinese lines intact when piped to a file
    return Console(stderr=stderr, soft_wrap=True, highlight=False)
