"""Find the data that ships with reportgen: ``templates/`` and ``lexicon/``.

In a wheel they live inside the package (pyproject's force-include); in a source
checkout they sit at the top level beside it. Either way callers get one path.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from .errors import ReportgenError

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    """Return the directory of shipped data ``name`` ("templates" or "lexicon")."""
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise ReportgenError(f"找不到随程序安装的“{name}”目录", hint="安装包不完整，请重新安装 reportgen")


def templates_dir() -> Path:
    return data_dir("templates")


def lexicon_dir() -> Path:
    return data_dir("lexicon")
