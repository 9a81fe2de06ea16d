"""Find the data that ships with reportgen: ``templates/`` and ``lexicon/``.

In a wheel they live inside the package (pyproject's force-include); in a source
checkout they sit at the top level beside it. Either way callers get one path.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from reportgen.errors import ReportgenError

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


def confined(base: Path, relative: str | Path, error: type[ReportgenError] = ReportgenError) -> Path:
    """Return ``base / relative``, refused when it leads out of ``base`` (a symlink, ``..``).

    User folders (``--templates``, ``--lexicon``) overlay the shipped data file by file; a link in them
    to any other file on the machine would print that file into a report, so every path read from such
    a folder is resolved first. The folder itself may be a link: both sides are resolved.
    """
    path = base / relative
    root = base.resolve()
    real = path.resolve()
    if real != root and root not in real.parents:
        raise error(
            f"“{relative}”指向了文件夹之外（符号链接或 ..），出于安全不予读取",
            where=str(path),
            hint="请把文件本身复制到该文件夹中，而不是链接到别处",
        )
    return path
