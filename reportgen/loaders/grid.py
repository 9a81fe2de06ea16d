"""The one shape every tabular source becomes: a grid of cells with text, place and merged span.

A workbook sheet, a Word document's tables or a tab-separated text all turn into a
``Grid``; the reader (``reader.py``) then finds labels in it, never fixed addresses.
Only non-empty cells are stored. A merged area is one ``Cell`` at its top-left corner
with ``rowspan``/``colspan``; ``Grid.at`` resolves any position inside it to that cell.
Every cell carries ``ref``, its place in the form ``SourceMap`` expects
(``!Sheet1!E14``, ``:12:3``, ``!表1!第3行第2列``), so messages point at what the user sees.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from reportgen.defaults import MAX_COVER_ROWS
from reportgen.errors import Place
from reportgen.loaders.limits import too_big

_HALF = str.maketrans({"（": "(", "）": ")", "：": ":", "，": ",", "；": ";", "［": "[", "］": "]", "【": "[", "】": "]"})
_SPACE = re.compile(r"\s+")
_PARENS = re.compile(r"\([^()]*\)")
_FULLWIDTH = str.maketrans("０１２３４５６７８９．％，", "0123456789.%,")
_NUMBER = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\s*(?:%|分|万元|元)?")


@dataclass(frozen=True, slots=True)
class Cell:
    """One non-empty cell (or merged area, anchored at its top-left corner)."""

    row: int
    col: int
    text: str
    ref: str
    rowspan: int = 1
    colspan: int = 1

    @property
    def last_row(self) -> int:
        return self.row + self.rowspan - 1

    @property
    def last_col(self) -> int:
        return self.col + self.colspan - 1


def norm(text: str) -> str:
    """Fold a cell's text for matching: no whitespace, half-width brackets and colons."""
    return _SPACE.sub("", text.translate(_HALF))


def label_key(text: str) -> str:
    """Reduce a printed label to its core: ``预算执行情况(万)(20分)`` → ``预算执行情况``, ``其中：上年结转`` → ``上年结转``."""
    key = norm(text).rstrip(":")
    key = key.removeprefix("其中:").removeprefix("其中")
    # labels carry units, weights and formulas in brackets; strip nested ones from the inside out
    while True:
        stripped = _PARENS.sub("", key)
        if stripped == key:
            break
        key = stripped
    return key.rstrip(":")


def is_number(text: str) -> bool:
    """Say whether a cell prints a number (``2,440.91``, ``100%``, ``98分``)."""
    return bool(_NUMBER.fullmatch(norm(text.translate(_FULLWIDTH))))


class Grid:
    """Cells of one sheet, document or text, indexed by row and by covered position."""

    def __init__(self, cells: Iterable[Cell], *, name: str = "", ref: str = "", ragged: bool = False) -> None:
        """Index ``cells``.

        ``name`` is the sheet (or table) name, ``ref`` the place of the whole grid (``!Sheet1``, or
        empty for a text file), ``ragged`` marks sources (extracted text) whose rows may be shifted.
        """
        self.name = name
        self.ref = ref
        self.ragged = ragged
        self._rows: dict[int, list[Cell]] = {}
        # where cells overlap (a broken file), the later one wins: each entry keeps its position in the input
        self._anchors: dict[tuple[int, int], tuple[int, Cell]] = {}
        # merged areas by their ranges, never cell by cell: row -> the areas reaching into it. Rows past the
        # last filled one (+1) are not indexed: the few areas reaching further (A1:XFD1048576) are kept in
        # ``_tail`` and scanned, so one such area costs one entry, not a million.
        self._merged: dict[int, list[tuple[int, Cell]]] = {}
        self._tail: list[tuple[int, Cell]] = []
        spans: list[tuple[int, Cell]] = []
        last = -1
        for i, cell in enumerate(cells):
            if not cell.text.strip():
                continue
            self._rows.setdefault(cell.row, []).append(cell)
            self._anchors[cell.row, cell.col] = (i, cell)
            last = max(last, cell.row)
            if cell.rowspan > 1 or cell.colspan > 1:
                spans.append((i, cell))
        self._indexed = last + 1
        covered = 0
        for i, cell in spans:
            rows = range(cell.row, min(cell.last_row, self._indexed) + 1)
            covered += len(rows)
            if covered > MAX_COVER_ROWS:
                raise too_big(f"合并单元格覆盖的范围过大（超过 {MAX_COVER_ROWS} 行次）", Place.within(None, ref) if ref else name)
            for r in rows:
                self._merged.setdefault(r, []).append((i, cell))
            if cell.last_row > self._indexed:
                self._tail.append((i, cell))
        for row in self._rows.values():
            row.sort(key=lambda cell: cell.col)
        self.row_numbers: list[int] = sorted(self._rows)

    def __bool__(self) -> bool:
        return bool(self._rows)

    def __len__(self) -> int:
        return sum(len(row) for row in self._rows.values())

    def cells(self) -> Iterator[Cell]:
        """Yield every cell, row by row, left to right."""
        for r in self.row_numbers:
            yield from self._rows[r]

    def row(self, r: int) -> list[Cell]:
        """Return the cells that start on row ``r``, left to right."""
        return self._rows.get(r, [])

    def at(self, r: int, c: int) -> Cell | None:
        """Return the cell covering position (r, c), merged areas resolved."""
        best = self._anchors.get((r, c))
        areas = self._merged.get(r, ()) if r <= self._indexed else self._tail
        for i, area in areas:
            if area.col <= c <= area.last_col and area.row <= r <= area.last_row and (best is None or i > best[0]):
                best = (i, area)
        return best[1] if best is not None else None

    def right_of(self, cell: Cell) -> Cell | None:
        """Return the next non-empty cell to the right of ``cell`` on its first row."""
        return next((c for c in self.row(cell.row) if c.col > cell.last_col), None)

    def below(self, cell: Cell) -> Cell | None:
        """Return the cell directly under ``cell`` (under its merged area)."""
        return self.at(cell.last_row + 1, cell.col)

    def rows_between(self, first: int, last: int) -> list[int]:
        """Return the non-empty row numbers in ``first..last`` (inclusive)."""
        return [r for r in self.row_numbers if first <= r <= last]

    def sub(self, first: int, last: int) -> Grid:
        """Return the rows ``first..last`` (inclusive) as a grid of their own."""
        cells = (cell for r in self.rows_between(first, last) for cell in self._rows[r])
        return Grid(cells, name=self.name, ref=self.ref, ragged=self.ragged)

    @staticmethod
    def concat(grids: list[Grid]) -> Grid:
        """Stack grids top to bottom (a form continued on a second sheet); the first one names the result."""
        cells: list[Cell] = []
        offset = 0
        for grid in grids:
            if not grid:
                continue
            base = offset - grid.row_numbers[0]
            cells.extend(replace(cell, row=cell.row + base) for cell in grid.cells())
            # one empty row between the parts keeps a merged area from reaching into the next part
            offset = base + max(c.last_row for c in grid.cells()) + 2
        first = grids[0] if grids else Grid(())
        return Grid(cells, name=first.name, ref=first.ref, ragged=any(g.ragged for g in grids))
