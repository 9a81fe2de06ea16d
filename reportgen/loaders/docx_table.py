"""Read the tables of a Word document (.docx) into a grid, merged cells resolved.

The document body is read in order: a paragraph becomes a one-cell row (titles,
``单位名称：…``, ``填报日期：…`` live there), a table adds its rows below. Horizontal merges
(``w:gridSpan``) and vertical merges (``w:vMerge``) become one cell with its span, so the
reader sees a Word table exactly as it sees a worksheet. Checkbox glyphs (☑ ☐, Wingdings
symbols, content-control check boxes) are kept as ☑/☐. A cell's place is
``!表2!第3行第2列`` (table 2, row 3, column 2); a paragraph's is ``!第5段``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reportgen.defaults import MAX_CELLS, MAX_COLUMNS, MAX_ROWS, MAX_SPAN
from reportgen.dependencies import require
from reportgen.errors import InputError, Place
from reportgen.loaders.grid import Cell, Grid
from reportgen.loaders.limits import check_package, too_big
from reportgen.loaders.reader import split_projects
from reportgen.loaders.xlsx import check_container

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Wingdings / Wingdings 2 code points Word uses for ticked and empty boxes
_SYMBOLS = {"F0FE": "☑", "F0FD": "☒", "F0A8": "☐", "F06F": "☐", "F0A3": "☐", "F052": "☑", "F053": "☒", "F0A1": "☐"}


def _text(element: Any) -> str:
    """Return the text of a paragraph or cell element: runs, tabs, breaks and box symbols."""
    parts: list[str] = []
    for node in element.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr", f"{_W}sym", f"{_W}p"):
        tag = node.tag
        if tag == f"{_W}t":
            parts.append(node.text or "")
        elif tag == f"{_W}tab":
            parts.append(" ")
        elif tag in (f"{_W}br", f"{_W}cr"):
            parts.append("\n")
        elif tag == f"{_W}sym":
            parts.append(_SYMBOLS.get((node.get(f"{_W}char") or "").upper(), ""))
        elif tag == f"{_W}p" and parts:
            parts.append("\n")  # a new paragraph inside a cell starts a new line
    return "".join(parts).strip()


def _count(element: Any, name: str, default: int) -> int:
    """Read a ``w:val`` count (gridSpan, gridBefore); a damaged or absurd value counts as ``default``/the bound."""
    if element is None:
        return default
    raw = (element.get(f"{_W}val") or "").strip()
    if not raw.isdigit() or len(raw) > 9:
        return default if not raw.isdigit() else MAX_SPAN
    return min(max(int(raw), 0 if name == "gridBefore" else 1), MAX_SPAN)


def _table_cells(tbl: Any, first_row: int, n: int) -> list[Cell]:
    """Return the cells of table ``n`` placed from grid row ``first_row`` on."""
    anchors: dict[int, list[Any]] = {}  # column -> [row, col, text, rowspan, colspan] of the open vertical merge
    out: list[list[Any]] = []
    for r, tr in enumerate(tbl.iterchildren(f"{_W}tr")):
        col = _count(tr.find(f"{_W}trPr/{_W}gridBefore"), "gridBefore", 0)
        for tc in tr.iterchildren(f"{_W}tc"):
            span = _count(tc.find(f"{_W}tcPr/{_W}gridSpan"), "gridSpan", 1)
            if col + span > MAX_COLUMNS:
                raise too_big(f"表{n}第{r + 1}行超过 {MAX_COLUMNS} 列", Place(sheet=f"表{n}", cell=f"第{r + 1}行"))
            vmerge = tc.find(f"{_W}tcPr/{_W}vMerge")
            if vmerge is not None and vmerge.get(f"{_W}val", "continue") == "continue" and col in anchors:
                anchors[col][3] = r - anchors[col][0] + 1  # the merged area reaches down to this row
            else:
                entry = [r, col, _text(tc), 1, span]
                out.append(entry)
                anchors[col] = entry
            col += span
    return [
        Cell(first_row + r, c, text, f"!表{n}!第{r + 1}行第{c + 1}列", rowspan, colspan)
        for r, c, text, rowspan, colspan in out
    ]


def document_grid(doc: Any) -> Grid:
    """Build one grid from a python-docx Document: paragraphs and tables in body order."""
    cells: list[Cell] = []
    row = 0
    tables = paragraphs = 0
    for child in doc.element.body.iterchildren():
        if len(cells) > MAX_CELLS or row > MAX_ROWS:
            raise too_big(f"文档超过 {MAX_ROWS} 行或 {MAX_CELLS} 个非空单元格", Place(cell=f"第{paragraphs}段"))
        if child.tag == f"{_W}p":
            paragraphs += 1
            text = _text(child)
            if text:
                cells.append(Cell(row, 0, text, f"!第{paragraphs}段"))
                row += 1
        elif child.tag == f"{_W}tbl":
            tables += 1
            table_cells = _table_cells(child, row, tables)
            cells.extend(table_cells)
            row = max((c.last_row for c in table_cells), default=row - 1) + 1
    return Grid(cells)


def read_document(path: Path) -> list[Grid]:
    """Return one grid per project in the Word document at ``path``."""
    check_container(path, "Word")
    check_package(path, "Word", main_parts=("word/document.xml",))
    docx = require("docx", "读取 Word 文档", where=str(path))

    try:
        doc = docx.Document(str(path))
        grid = document_grid(doc)
    except InputError as exc:
        exc.locate_in(str(path))  # a table, row or paragraph raised below the file
        raise
    except Exception as exc:  # noqa: BLE001 - broken XML, a bad compressed stream, parts python-docx cannot read
        raise InputError(
            f"文件已损坏，无法作为 Word 文档打开（{type(exc).__name__}）",
            where=str(path),
            hint="请确认能用 Word 打开后重新保存为 .docx",
        ) from exc
    if not grid:
        raise InputError("文档为空，没有可读取的内容", where=str(path), hint="请选择含自评表表格的 Word 文档")
    return split_projects(grid)
