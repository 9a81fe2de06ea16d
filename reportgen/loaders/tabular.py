"""Register the tabular loaders (.xlsx, .docx, .txt, .tsv) and read them with warnings.

``load``/``load_all`` stay quiet; ``read_tabular`` also returns, per project, the cells the
reader could not place, for ``reportgen import`` to show.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..errors import ReportgenError
from ..model import EvaluationForm
from . import register_loader
from .docx_table import read_document
from .grid import Grid
from .reader import ReadWarning, read_form, split_projects
from .text import read_text
from .xlsx import read_workbook

_GRIDS: dict[str, Callable[[Path], list[Grid]]] = {
    ".xlsx": read_workbook,
    ".xlsm": read_workbook,
    ".docx": read_document,
    ".txt": lambda path: split_projects(read_text(path)),
    ".tsv": lambda path: split_projects(read_text(path)),
}


def read_grids(path: Path) -> list[Grid]:
    """Return one grid per project held by a tabular file."""
    return _GRIDS[path.suffix.lower()](path)


def read_tabular(path: Path) -> list[tuple[EvaluationForm, list[ReadWarning]]]:
    """Read every project of a tabular file, with the reader's warnings for each."""
    return [read_form(grid, str(path)) for grid in read_grids(path)]


def read_tabular_parts(path: Path) -> list[tuple[EvaluationForm, list[ReadWarning]] | ReportgenError]:
    """Like ``read_tabular``, but a project that cannot be read gives its error in its place instead of raising."""
    parts: list[tuple[EvaluationForm, list[ReadWarning]] | ReportgenError] = []
    for grid in read_grids(path):  # a file that cannot be opened at all still raises
        try:
            parts.append(read_form(grid, str(path)))
        except ReportgenError as exc:
            parts.append(exc)
    return parts


def _load(path: Path) -> list[EvaluationForm]:
    return [form for form, _ in read_tabular(path)]


def _parts(path: Path) -> list[EvaluationForm | ReportgenError]:
    return [part if isinstance(part, ReportgenError) else part[0] for part in read_tabular_parts(path)]


for _suffix in _GRIDS:
    register_loader(_suffix, _load, _parts)
