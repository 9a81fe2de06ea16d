"""Register the tabular loaders (.xlsx, .docx, .txt, .tsv) and read them with warnings.

``load``/``load_all`` stay quiet; ``read_tabular`` also returns, per project, the cells the
reader could not place, for ``reportgen import`` to show.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

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


def _load(path: Path) -> list[EvaluationForm]:
    return [form for form, _ in read_tabular(path)]


for _suffix in _GRIDS:
    register_loader(_suffix, _load)
