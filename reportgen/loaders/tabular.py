"""Read the tabular files (.xlsx, .docx, .txt, .tsv) into forms, with the reader's warnings.

``load``/``load_all`` stay quiet; ``read_tabular`` also returns, per project, the cells the
reader could not place, for ``reportgen import`` to show.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from reportgen.errors import ReportgenError
from reportgen.evaluation.model import EvaluationForm
from reportgen.loaders.docx_table import read_document
from reportgen.loaders.grid import Grid
from reportgen.loaders.reader import ReadWarning, read_form, split_projects
from reportgen.loaders.text import read_text
from reportgen.loaders.xlsx import read_workbook

_GRIDS: dict[str, Callable[[Path], list[Grid]]] = {
    ".xlsx": read_workbook,
    ".xlsm": read_workbook,
    ".docx": read_document,
    ".txt": lambda path: split_projects(read_text(path)),
    ".tsv": lambda path: split_projects(read_text(path)),
}


#: the suffixes read here; each must also be in ``reportgen.loaders._FORMATS`` (tests check)
SUFFIXES = tuple(_GRIDS)


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


def load_forms(path: Path) -> list[EvaluationForm]:
    """Read every project of a tabular file (the loader ``reportgen.loaders`` lists for these suffixes)."""
    return [form for form, _ in read_tabular(path)]


def load_form_parts(path: Path) -> list[EvaluationForm | ReportgenError]:
    """Read each project of a tabular file on its own: its form, or the error it raised."""
    return [part if isinstance(part, ReportgenError) else part[0] for part in read_tabular_parts(path)]
