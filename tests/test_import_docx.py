"""Word specifics: merged cells as spans, check-box symbols and content controls, rows that skip grid columns."""

from __future__ import annotations

from pathlib import Path

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from reportgen.loaders import load
from reportgen.loaders.docx_table import document_grid

W14 = 'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml"'


def _form_document() -> docx.document.Document:
    doc = docx.Document()
    doc.add_paragraph("2023年度示例项目自评表")
    table = doc.add_table(rows=5, cols=5)
    table.cell(0, 0).text = "项目名称"
    table.cell(0, 1).merge(table.cell(0, 4)).text = "示例项目"
    table.cell(1, 0).text = "项目类别"
    table.cell(2, 0).text = "项目属性"
    for col, text in enumerate(["三级指标", "年度指标值", "实际完成值", "分值", "得分"]):
        table.cell(3, col).text = text
    for col, text in enumerate(["培训人次", "≥100人", "120人", "10", "10"]):
        table.cell(4, col).text = text
    return doc


def _symbol_boxes(cell: docx.table._Cell) -> None:
    """Word's Insert → Symbol check boxes: Wingdings 2 glyphs in w:sym elements."""
    p = cell.paragraphs[0]._p
    for char, text in (("F052", "部门预算项目"), ("F0A3", "专项项目")):
        p.append(parse_xml(f'<w:r {nsdecls("w")}><w:sym w:font="Wingdings 2" w:char="{char}"/></w:r>'))
        p.append(parse_xml(f'<w:r {nsdecls("w")}><w:t xml:space="preserve">{text} </w:t></w:r>'))


def _content_control_boxes(cell: docx.table._Cell) -> None:
    """Developer → Check Box content controls: a w14:checkbox whose shown glyph is ☒ or ☐."""
    p = cell.paragraphs[0]._p
    for glyph, checked, text in (("☐", "0", "持续性项目"), ("☒", "1", "新增性项目")):
        p.append(
            parse_xml(
                f'<w:sdt {nsdecls("w")} {W14}><w:sdtPr><w14:checkbox><w14:checked w14:val="{checked}"/>'
                f"</w14:checkbox></w:sdtPr><w:sdtContent><w:r><w:t>{glyph}</w:t></w:r></w:sdtContent></w:sdt>"
            )
        )
        p.append(parse_xml(f'<w:r {nsdecls("w")}><w:t xml:space="preserve">{text} </w:t></w:r>'))


def test_check_boxes_in_word(tmp_path: Path) -> None:
    doc = _form_document()
    table = doc.tables[0]
    _symbol_boxes(table.cell(1, 1).merge(table.cell(1, 4)))
    _content_control_boxes(table.cell(2, 1).merge(table.cell(2, 4)))
    path = tmp_path / "boxes.docx"
    doc.save(path)
    form = load(path)
    assert (form.year, form.project, form.category, form.attribute) == (2023, "示例项目", "部门预算项目", "新增性项目")
    assert form.indicators[0].score == 10


def test_merged_cells_become_spans() -> None:
    doc = _form_document()
    table = doc.tables[0]
    table.cell(3, 0).merge(table.cell(4, 0))  # a vertical merge (w:vMerge)
    grid = document_grid(doc)
    name = grid.at(1, 1)
    assert name is not None and (name.text, name.colspan, name.ref) == ("示例项目", 4, "!表1!第1行第2列")
    header = grid.at(4, 0)
    assert header is not None and header.rowspan == 2 and grid.at(5, 0) is header
    assert grid.at(0, 0) is not None and grid.at(0, 0).ref == "!第1段"


def test_row_that_skips_grid_columns(tmp_path: Path) -> None:
    doc = _form_document()
    tr = doc.tables[0].rows[4]._tr
    tr.remove(tr.tc_lst[0])
    tr_pr = tr.get_or_add_trPr()
    tr_pr.append(parse_xml(f'<w:gridBefore {nsdecls("w")} w:val="1"/>'))
    grid = document_grid(doc)
    # the first cell of the row is gone; the rest keep their columns
    assert [c.col for c in grid.row(5)] == [1, 2, 3, 4]
    assert grid.row(5)[0].text == "≥100人"
    assert qn("w:gridBefore") in {child.tag for child in tr_pr}
