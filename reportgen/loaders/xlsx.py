"""Read Excel workbooks (.xlsx) into grids: one project per sheet, merged cells resolved.

Cells keep what Excel prints: a percent-formatted 0.78 is ``78%``, a date is
``2021-06-30``, 2.0 is ``2``. Formulas are read through their cached values; a formula
Excel never calculated (a workbook written by a program) reads as empty — never as its
formula text. A sheet without 项目名称 but with an indicator table continues the project
of the sheet before it (indicators spread over two sheets); a sheet with neither
(a 填表说明 sheet) is skipped; so are hidden sheets.

openpyxl reads the values in read-only mode: in normal mode it spends most of its time
restyling every merged range, which makes it about five times slower on a styled form
(benchmarks/bench_import.py). Read-only mode does not report merged ranges, so they are
taken from each sheet's ``<mergeCell ref="A1:I1"/>`` elements directly.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from reportgen.defaults import MAX_CELLS, MAX_COLUMNS, MAX_MERGES, MAX_ROWS, MAX_SHEETS
from reportgen.dependencies import require
from reportgen.errors import InputError, Place
from reportgen.loaders.grid import Cell, Grid
from reportgen.loaders.limits import check_package, too_big
from reportgen.loaders.reader import has_department_form, has_indicator_header, has_project

# the first bytes of an OLE compound file: password-protected .xlsx/.docx, or old .xls/.doc
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?\"")
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_SHEET = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}sheets"
_RID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def check_container(path: Path, kind: str) -> None:
    """Refuse encrypted, legacy or non-zip files with a message that says which they are."""
    try:
        with path.open("rb") as fh:
            head = fh.read(1 << 16)
    except OSError as exc:
        raise InputError(f"无法读取文件（{exc.strerror}）", where=str(path)) from exc
    if head.startswith(OLE_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in head or b"E\x00n\x00c\x00r\x00y\x00p\x00t" in head:
            raise InputError(
                "文件设置了打开密码，无法读取",
                where=str(path),
                hint=f"请在 {kind} 中取消密码（文件 → 信息 → 保护 → 用密码进行加密，清空密码）后另存再试",
            )
        legacy = ".xls" if kind == "Excel" else ".doc"
        raise InputError(
            f"这是旧版 {legacy} 格式（或已加密）的文件",
            where=str(path),
            hint=f"请在 {kind} 中另存为 {legacy}x 格式后再试",
        )
    if not head.startswith(b"PK"):
        raise InputError(f"文件已损坏或不是 {kind} 文件", where=str(path), hint=f"请确认能用 {kind} 打开后重新保存")


def cell_text(value: Any, number_format: str = "General") -> str:
    """Return a cell value as the form prints it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (int, float, Decimal)):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if "%" in number_format:
            return _plain(number * 100) + "%"
        return _plain(number)
    text = str(value)
    if "_x" in text:
        # OOXML writes characters XML cannot hold (a pasted BEL, ESC…) as _x0007_; openpyxl leaves them encoded
        text = _XML_ESCAPE.sub(lambda m: chr(int(m[1], 16)), text)
    return text.strip()


_XML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _plain(number: Decimal) -> str:
    # floats carry binary noise (0.863*100 = 86.30000000000001): 10 decimals is more than any form prints
    return format(number.quantize(Decimal("1e-10")).normalize(), "f") if number else "0"


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ch - 64
    return number


def merged_ranges(path: Path) -> dict[str, dict[tuple[int, int], tuple[int, int]]]:
    """Return, per sheet name, ``(row, col) of the top-left cell -> (rowspan, colspan)`` (1-based).

    Only the ranges are kept (one entry per merged area, however large): ``Grid`` indexes them by range.
    """
    out: dict[str, dict[tuple[int, int], tuple[int, int]]] = {}
    with zipfile.ZipFile(path) as package:
        root = ElementTree.fromstring(package.read("_rels/.rels"))
        book = next(
            (r.get("Target", "") for r in root.iter(_REL) if r.get("Type", "").endswith("/officeDocument")), None
        )
        if not book:
            raise InputError(
                "文件不是完整的 Excel 工作簿（缺少指向工作簿的 officeDocument 关系）",
                where=str(path),
                hint="请用 Excel 打开后另存为 .xlsx 再试",
            )
        book = book.lstrip("/")
        folder, name = posixpath.split(book)
        rels = ElementTree.fromstring(package.read(posixpath.join(folder, "_rels", name + ".rels")))
        targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(_REL)}
        sheets = ElementTree.fromstring(package.read(book)).find(_SHEET)
        if sheets is not None and len(sheets) > MAX_SHEETS:
            raise too_big(f"工作簿有 {len(sheets)} 个工作表（最多 {MAX_SHEETS} 个）", str(path))
        for sheet in sheets if sheets is not None else []:
            target = targets.get(sheet.get(_RID), "")
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            if part not in package.namelist():
                continue
            spans: dict[tuple[int, int], tuple[int, int]] = {}
            for m in _MERGE.finditer(package.read(part)):
                if len(spans) >= MAX_MERGES:
                    raise too_big(f"工作表“{sheet.get('name', '')}”的合并区域超过 {MAX_MERGES} 个", str(path))
                if max(len(m.group(2)), len(m.group(4) or b"")) > 7 or max(len(m.group(1)), len(m.group(3) or b"")) > 3:
                    continue  # beyond XFD1048576: no cell Excel can address
                row, col = int(m.group(2)), _column_number(m.group(1))
                last_row, last_col = (int(m.group(4)), _column_number(m.group(3))) if m.group(3) else (row, col)
                if last_row >= row and last_col >= col:
                    spans[row, col] = (last_row - row + 1, last_col - col + 1)
            out[sheet.get("name", "")] = spans
    return out


def _sheet_grid(ws: Any, spans: dict[tuple[int, int], tuple[int, int]], budget: list[int]) -> Grid:
    """Read one sheet; ``budget`` holds how many more non-empty cells the file may have."""
    from openpyxl.utils import get_column_letter

    prefix = f"!{ws.title}!"
    cells = []
    # a wrong <dimension> (A1:XFD1048576 is common) would pad every row to 16384 empty cells
    ws.reset_dimensions()
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None:
                continue
            if cell.row > MAX_ROWS or cell.column > MAX_COLUMNS:
                where = Place(sheet=ws.title, cell=f"{get_column_letter(min(cell.column, 16384))}{cell.row}")
                raise too_big(f"工作表“{ws.title}”在第 {cell.row} 行第 {cell.column} 列还有内容"
                              f"（自评表最多 {MAX_ROWS} 行、{MAX_COLUMNS} 列）", where)
            budget[0] -= 1
            if budget[0] < 0:
                raise too_big(f"非空单元格超过 {MAX_CELLS} 个", Place(sheet=ws.title))
            text = cell_text(cell.value, cell.number_format or "General")
            if not text:
                continue
            rowspan, colspan = spans.get((cell.row, cell.column), (1, 1))
            ref = f"{prefix}{get_column_letter(cell.column)}{cell.row}"
            cells.append(Cell(cell.row - 1, cell.column - 1, text, ref, rowspan, colspan))
    return Grid(cells, name=ws.title, ref=f"!{ws.title}")


def read_workbook(path: Path) -> list[Grid]:
    """Return one grid per project in the workbook at ``path``."""
    check_container(path, "Excel")
    check_package(path, "Excel")
    openpyxl = require("openpyxl", "读取 Excel 工作簿", where=str(path))

    budget = [MAX_CELLS]
    try:
        merges = merged_ranges(path)
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            grids = [
                _sheet_grid(ws, merges.get(ws.title, {}), budget)
                for ws in wb.worksheets
                if ws.sheet_state == "visible"
            ]
        finally:
            wb.close()
    except InputError as exc:
        exc.locate_in(str(path))  # a sheet or cell raised below the file
        raise
    except Exception as exc:  # noqa: BLE001 - whatever a damaged package makes openpyxl or zipfile raise
        raise InputError(
            f"文件已损坏，无法作为 Excel 工作簿打开（{type(exc).__name__}）",
            where=str(path),
            hint="请确认能用 Excel 打开后重新保存",
        ) from exc
    return group_sheets(grids, str(path))


def group_sheets(grids: list[Grid], file: str) -> list[Grid]:
    """Group sheet grids into projects: a sheet without 项目名称 (or a 部门整体 title) continues the one before it."""
    projects: list[list[Grid]] = []
    for grid in grids:
        if not grid:
            continue
        if has_project(grid) or has_department_form(grid):
            projects.append([grid])
        elif has_indicator_header(grid):
            if projects:
                projects[-1].append(grid)
            else:
                projects.append([grid])  # indicators without a project name: validation will say so
    if not projects:
        first = next((g for g in grids if g), None)
        if first is None:
            where = Place(file, sheet=grids[0].name) if len(grids) == 1 else Place(file)
            raise InputError("工作表为空，没有可读取的内容", where=where, hint="请选择填好的自评表工作簿")
        raise InputError(
            "找不到绩效指标表头，也没有“项目名称”",
            where=Place.within(file, first.ref),
            hint="指标表的表头应有“三级指标”（或“指标名称”）以及“年度指标值”“实际完成值”“得分”等列",
        )
    return [group[0] if len(group) == 1 else Grid.concat(group) for group in projects]
