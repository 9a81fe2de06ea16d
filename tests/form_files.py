"""Small 自评表 files that the loader tests build and then damage: a filled workbook, a Word form, a part rewritten."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import openpyxl
from docx.document import Document
from docx.oxml.ns import qn
from lxml import etree

from reportgen.loaders.xlsx_template import write_template


def filled_workbook(path: Path, **cells: object) -> Path:
    """Write the blank workbook template with a project and one indicator filled in; ``cells`` add or replace."""
    write_template(path)
    wb = openpyxl.load_workbook(path)
    for ref, value in {"B3": "甲项目", "D15": "培训人次", "E15": "≥100人", "F15": "120人", "G15": 10, **cells}.items():
        wb["自评表"][ref] = value
    wb.save(path)
    return path


def word_form(span: str | None = None) -> Document:
    """A Word 自评表: a title paragraph, then 项目名称 and one indicator in a table.

    ``span`` puts that ``w:gridSpan`` value on the project name's cell, as a hostile file would.
    """
    doc = docx.Document()
    doc.add_paragraph("2023年度示例项目自评表")
    table = doc.add_table(rows=3, cols=5)
    table.cell(0, 0).text = "项目名称"
    table.cell(0, 1).text = "示例项目"
    for col, text in enumerate(["三级指标", "年度指标值", "实际完成值", "分值", "得分"]):
        table.cell(1, col).text = text
    for col, text in enumerate(["培训人次", "≥100人", "120人", "10", "10"]):
        table.cell(2, col).text = text
    if span is not None:
        tc_pr = table.cell(0, 1)._tc.get_or_add_tcPr()
        etree.SubElement(tc_pr, qn("w:gridSpan")).set(qn("w:val"), span)
    return doc


def with_part(package: bytes, name: str, change: Callable[[bytes], bytes | None]) -> bytes:
    """Return the zip ``package`` with part ``name`` replaced by ``change(its bytes)`` (dropped when None)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data: bytes | None = old.read(info)
            if info.filename == name:
                data = change(data)
                if data is None:
                    continue
            new.writestr(info.filename, data)
    return out.getvalue()
