"""Garbled input gives one clear message with its place, exit code 2 and no traceback."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import DATA
from form_files import filled_workbook

from reportgen.cli import main
from reportgen.errors import InputError
from reportgen.loaders import load


def _workbook(path: Path, rows: list[list[object]], title: str = "Sheet1") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def _empty(tmp: Path) -> Path:
    return _workbook(tmp / "empty.xlsx", [])


def _no_header(tmp: Path) -> Path:
    return _workbook(tmp / "noheader.xlsx", [["项目名称", "甲项目"], ["主管部门", "乙局"], ["指标", "完成情况"]], "表一")


def _nothing(tmp: Path) -> Path:
    return _workbook(tmp / "nothing.xlsx", [["会议纪要"], ["与会人员：略"]])


def _text_score(tmp: Path) -> Path:
    return filled_workbook(tmp / "textscore.xlsx", H15="优秀")


def _no_name(tmp: Path) -> Path:
    return filled_workbook(tmp / "noname.xlsx", D16=None, E16="≥5次", H16=4)


def _corrupt(tmp: Path) -> Path:
    path = tmp / "corrupt.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00garbage" * 50)
    return path


def _truncated(tmp: Path) -> Path:
    good = filled_workbook(tmp / "good.xlsx")
    path = tmp / "truncated.xlsx"
    path.write_bytes(good.read_bytes()[:3000])
    return path


def _not_excel(tmp: Path) -> Path:
    path = tmp / "renamed.xlsx"
    path.write_text("项目名称\t甲\n", encoding="utf-8")
    return path


def _legacy(tmp: Path) -> Path:
    path = tmp / "old.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    return path


def _password_xlsx(tmp: Path) -> Path:
    return DATA / "password.xlsx"  # encrypted by msoffcrypto-tool, password 1234


def _password_docx(tmp: Path) -> Path:
    return DATA / "password.docx"


def _corrupt_docx(tmp: Path) -> Path:
    path = tmp / "broken.docx"
    path.write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    return path


def _empty_docx(tmp: Path) -> Path:
    import docx

    path = tmp / "empty.docx"
    docx.Document().save(path)
    return path


def _binary_txt(tmp: Path) -> Path:
    path = tmp / "form.txt"
    path.write_bytes(b"\x00\x01\x02PNG")
    return path


def _empty_txt(tmp: Path) -> Path:
    path = tmp / "blank.txt"
    path.write_text("\n\n", encoding="utf-8")
    return path


CASES = {
    "empty-sheet": (_empty, "empty.xlsx!Sheet1：工作表为空"),
    "no-indicator-header": (_no_header, "noheader.xlsx!表一：找不到绩效指标表头"),
    "no-form-at-all": (_nothing, "nothing.xlsx!Sheet1：找不到绩效指标表头，也没有“项目名称”"),
    "text-in-score-column": (_text_score, "textscore.xlsx!自评表!H15 字段 indicators[0].score：应为数字（实际为“优秀”）"),
    "values-without-name": (_no_name, "noname.xlsx!自评表!E16 字段 indicators[1].name：缺少必填字段"),
    "corrupt-xlsx": (_corrupt, "corrupt.xlsx：文件已损坏，无法作为 Excel 工作簿打开"),
    "truncated-xlsx": (_truncated, "truncated.xlsx：文件已损坏，无法作为 Excel 工作簿打开"),
    "text-named-xlsx": (_not_excel, "renamed.xlsx：文件已损坏或不是 Excel 文件"),
    "legacy-xls": (_legacy, "old.xlsx：这是旧版 .xls 格式（或已加密）的文件"),
    "password-xlsx": (_password_xlsx, "password.xlsx：文件设置了打开密码，无法读取"),
    "password-docx": (_password_docx, "password.docx：文件设置了打开密码，无法读取"),
    "corrupt-docx": (_corrupt_docx, "broken.docx：文件已损坏，无法作为 Word 文档打开"),
    "empty-docx": (_empty_docx, "empty.docx：文档为空"),
    "binary-txt": (_binary_txt, "form.txt：这不是文本文件"),
    "empty-txt": (_empty_txt, "blank.txt：没有可读取的表格内容"),
}


@pytest.mark.parametrize("case", CASES)
def test_garbled_input_is_a_placed_input_error(case: str, tmp_path: Path) -> None:
    build, expected = CASES[case]
    path = build(tmp_path)
    with pytest.raises(InputError) as err:
        load(path)
    assert expected in str(err.value)  # the place comes first: file!Sheet!cell


@pytest.mark.parametrize("command", ["validate", "import"])
@pytest.mark.parametrize("case", CASES)
def test_garbled_input_exits_2_without_traceback(case: str, command: str, tmp_path: Path, runner: CliRunner) -> None:
    build, expected = CASES[case]
    path = build(tmp_path)
    result = runner.invoke(main, [command, str(path)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.output.startswith("输入错误：")
    assert expected.split("：")[-1].split("（")[0] in result.output
    assert path.name in result.output


def test_template_written_where_it_cannot_be(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["template-xlsx", str(tmp_path / "missing" / "t.xlsx")])
    assert result.exit_code == 2
    assert "无法写入文件" in result.output and "Traceback" not in result.output


def test_template_needs_an_xlsx_name(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["template-xlsx", str(tmp_path / "t.xls")])
    assert result.exit_code == 2
    assert "用法错误：" in result.output and ".xlsx" in result.output
