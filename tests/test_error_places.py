"""An error's place is kept as attributes (file, line, column, sheet, cell, field) and printed in its text."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from form_files import filled_workbook

from reportgen.errors import InputError, Place
from reportgen.loaders import load


def _refusal(path: Path) -> InputError:
    with pytest.raises(InputError) as caught:
        load(path)
    return caught.value


def test_a_yaml_syntax_error_has_its_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "form.yaml"
    path.write_text("project: 测试项目\nindicators:\n  - name: 培训场次\n   weight: 10\n", encoding="utf-8")
    exc = _refusal(path)
    assert (exc.file, exc.line, exc.column, exc.sheet, exc.cell) == (str(path), 4, 4, None, None)
    assert str(exc).startswith(f"{path}:4:4：YAML 语法错误")


def test_a_duplicate_key_has_its_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "form.yaml"
    path.write_text("project: 甲\nproject: 乙\nindicators:\n  - name: 培训场次\n", encoding="utf-8")
    exc = _refusal(path)
    assert (exc.line, exc.field) == (2, "project")
    assert str(exc) == f"{path}:2：重复的键“project”。同一层级的每个字段只能出现一次。"


def test_a_json_syntax_error_has_its_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "form.json"
    path.write_text('{"project": "甲",\n "indicators": [}\n', encoding="utf-8")
    exc = _refusal(path)
    assert (exc.file, exc.line, exc.column) == (str(path), 2, 17)
    assert exc.where == f"{path}:2:17"


def test_a_bad_value_names_its_field_and_line_once(tmp_path: Path) -> None:
    path = tmp_path / "form.yaml"
    path.write_text("project: 测试项目\nindicators:\n  - name: 培训场次\n    weight: 很多\n", encoding="utf-8")
    exc = _refusal(path)
    assert (exc.file, exc.line, exc.field) == (str(path), 4, "indicators[0].weight")
    # the message already says where; nothing is printed before it
    assert exc.where is None
    assert str(exc).startswith(f"自评表数据有误：{path}:4 字段 indicators[0].weight：应为数字")


def test_a_workbook_cell_far_out_has_its_sheet_and_cell(tmp_path: Path) -> None:
    path = filled_workbook(tmp_path / "自评表.xlsx", ALM15="迷路的单元格")
    exc = _refusal(path)
    assert (exc.file, exc.sheet, exc.cell, exc.line) == (str(path), "自评表", "ALM15", None)
    assert exc.where == f"{path}!自评表!ALM15" and str(exc).startswith(f"{path}!自评表!ALM15：文件超出自评表的合理范围")


def test_a_word_table_too_wide_has_its_table_and_row(tmp_path: Path) -> None:
    doc = docx.Document()
    table = doc.add_table(rows=1, cols=17)
    table.cell(0, 0).text = "项目名称"
    for cell in table.rows[0].cells:  # 17 cells of 64 columns each: wider than any form
        cell._tc.get_or_add_tcPr().append(parse_xml(f'<w:gridSpan {nsdecls("w")} w:val="64"/>'))
    path = tmp_path / "自评表.docx"
    doc.save(str(path))
    exc = _refusal(path)
    assert (exc.file, exc.sheet, exc.cell) == (str(path), "表1", "第1行")
    assert exc.where == f"{path}!表1!第1行"


@pytest.mark.parametrize("ref", [":23", ":1:6", "!自评表!E14", "!自评表", "!表2!第3行第2列", "!第5段", ""])
def test_a_place_prints_as_the_readers_write_it(ref: str) -> None:
    assert str(Place.within("form.xlsx", ref)) == "form.xlsx" + ref


def test_an_error_without_parts_keeps_its_text() -> None:
    exc = InputError("文件不存在", where="x.yaml", hint="请检查路径")
    assert exc.place is None and exc.file is None and str(exc) == "x.yaml：文件不存在。请检查路径。"
