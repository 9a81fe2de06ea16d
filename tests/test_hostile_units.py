"""Numbers and text as people type and paste them, and the pieces that keep hostile data in its place.

In-process and fast; the bounded end-to-end cases are in test_hostile.py.
"""

from __future__ import annotations

import json
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from form_files import filled_workbook

from reportgen.errors import InputError
from reportgen.evaluation.scoring import evaluate
from reportgen.loaders import load
from reportgen.loaders.grid import Cell, Grid
from reportgen.loaders.xlsx_template import write_template
from reportgen.narrative.text import md, safe_filename, unescape

FORM = """\
year: 2021
unit: 测试单位
project: 测试项目
budget:
  unit: {unit}
  adjusted: "{adjusted}"
  executed: "{executed}"
indicators:
  - name: 培训场次
    weight: 100
    target: ≥10次
    actual: 10次
    score: 100
"""


def _budget(tmp_path: Path, unit: str, adjusted: str, executed: str) -> tuple[Decimal, Decimal, list[str]]:
    path = tmp_path / "form.yaml"
    path.write_text(FORM.format(unit=unit, adjusted=adjusted, executed=executed), encoding="utf-8")
    form = load(path)
    assert form.budget is not None
    notes = [f.message for f in evaluate(form).findings if f.code == "unit-converted"]
    return form.budget.adjusted, form.budget.executed, notes  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("unit", "typed", "value"),
    [
        ("万元", "3,200万元", Decimal("3200")),
        ("元", "8,100,000元", Decimal("8100000")),
        ("元", "3,860元", Decimal("3860")),
        ("万元", "1,234,567万元", Decimal("1234567")),
        ("万元", "2,440.91万元", Decimal("2440.91")),
        ("万元", "１，２３４万元", Decimal("1234")),
    ],
)
def test_thousands_separators_with_the_forms_own_unit(tmp_path: Path, unit: str, typed: str, value: Decimal) -> None:
    adjusted, _, notes = _budget(tmp_path, unit, typed, typed)
    assert adjusted == value and notes == []


def test_a_misplaced_comma_is_still_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="budget.adjusted"):
        _budget(tmp_path, "万元", "1,2345万元", "1")


@pytest.mark.parametrize(
    ("unit", "typed", "value"),
    [
        ("元", "810万元", Decimal("8100000")),
        ("万元", "500元", Decimal("0.05")),
        ("万元", "1.5亿元", Decimal("15000")),
        ("元", "3,200万元", Decimal("32000000")),
    ],
)
def test_an_amount_in_another_unit_is_converted_and_said(
    tmp_path: Path, unit: str, typed: str, value: Decimal
) -> None:
    adjusted, executed, notes = _budget(tmp_path, unit, "1" if unit == "元" else "0.0001", typed)
    assert executed == value
    assert len(notes) == 1 and typed in notes[0] and unit in notes[0]


def test_the_conversion_names_the_cell_of_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "form.xlsx"
    write_template(path)
    wb = openpyxl.load_workbook(path)
    ws = wb["自评表"]
    cells = {"B3": "甲项目", "D15": "培训人次", "E15": "≥100人", "F15": "120人", "G15": 10}
    for ref, value in cells.items():
        ws[ref] = value
    # the template's budget row: find the 执行数 cell by its header, write an amount in 元 into the 万元 form
    header = next(c for row in ws.iter_rows() for c in row if c.value and "全年执行数" in str(c.value))
    target = ws.cell(row=header.row + 1, column=header.column)
    target.value = "500元"
    wb.save(path)
    ev = evaluate(load(path))
    found = [f for f in ev.findings if f.code == "unit-converted"]
    assert found and found[0].where.endswith(f"!自评表!{target.coordinate}"), found
    assert ev.form.budget is not None and ev.form.budget.executed == Decimal("0.05")


def test_numbers_where_text_is_expected_read_as_typed(tmp_path: Path) -> None:
    path = tmp_path / "form.yaml"
    path.write_text(
        FORM.format(unit="万元", adjusted="10", executed="10").replace(
            "  executed: \"10\"\n", "  executed: \"10\"\n  sources:\n    - name: -0.5\n      adjusted: 10\n    - name: 1.50\n"
        ),
        encoding="utf-8",
    )
    form = load(path)
    assert form.budget is not None and [s.name for s in form.budget.sources] == ["-0.5", "1.50"]
    data = {"project": 2021.10, "indicators": [{"name": 1e-07, "target": 100}]}
    json_path = tmp_path / "form.json"
    json_path.write_text(json.dumps(data).replace("2021.1", "2021.10"), encoding="utf-8")
    form = load(json_path)
    assert form.project == "2021.10" and form.indicators[0].name == "1e-07" and form.indicators[0].target == "100"


@pytest.mark.parametrize("year", ["false", "true", "0", "99999"])
def test_a_year_must_be_a_year(tmp_path: Path, year: str) -> None:
    path = tmp_path / "form.yaml"
    path.write_text(FORM.format(unit="万元", adjusted="1", executed="1").replace("year: 2021", f"year: {year}"))
    with pytest.raises(InputError, match="year"):
        load(path)


def test_pasted_control_characters_are_cleaned_with_the_cell_named(tmp_path: Path) -> None:
    path = filled_workbook(tmp_path / "form.xlsx", B3="甲BEL项目", D15="培训\u202e人次")
    # openpyxl refuses to write a BEL; Excel stores a pasted one as _x0007_, which readers decode
    with zipfile.ZipFile(path) as package:
        parts = {name: package.read(name) for name in package.namelist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data.replace(b"BEL", b"_x0007_"))
    ev = evaluate(load(path))
    assert ev.form.project == "甲项目" and ev.form.indicators[0].name == "培训人次"
    by_code = {f.code: f for f in ev.findings}
    assert by_code["control-characters"].where.endswith("!自评表!B3")
    assert "BEL" in by_code["control-characters"].message
    assert by_code["bidi-control"].where.endswith("!自评表!D15")


def test_a_line_separator_in_a_text_cell_stays_in_its_cell(tmp_path: Path) -> None:
    path = tmp_path / "form.txt"
    path.write_text(
        "项目名称\t甲\u2028# 乙项目\n三级指标\t年度指标值\t实际完成值\t分值\t得分\n培训人次\t≥100人\t120人\t10\t10\n",
        encoding="utf-8",
    )
    ev = evaluate(load(path))
    assert ev.form.project == "甲\n# 乙项目"
    assert [f.where for f in ev.findings if f.code == "control-characters"] == [f"{path}:1:6"]


def test_markdown_escaping_covers_every_line_break() -> None:
    for ch in "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029":
        escaped = md(f"甲{ch}# 乙")
        assert escaped.splitlines() == [escaped] and escaped == "甲 # 乙"
    for rule in ("---", "- - -", " ----", "-\t-\t-"):
        assert md(rule).lstrip().startswith("\\-") and unescape(md(rule)) == rule
    assert md("--") == "--" and md("-5%") == "-5%"


def test_long_file_names_are_cut_safely_and_stay_unique() -> None:
    a = safe_filename("农村人居环境整治" * 20 + "甲")
    b = safe_filename("农村人居环境整治" * 20 + "乙")
    assert a != b and len(a.encode()) <= 120 and len(b.encode()) <= 120
    assert a.startswith("农村人居环境整治") and a.encode().decode() == a
    assert safe_filename("2021年度测试项目绩效自评报告") == "2021年度测试项目绩效自评报告"
    assert safe_filename("a/b\\c:d\x07") == "a_b_c_d"


def test_merged_areas_are_ranges() -> None:
    huge = Cell(0, 0, "标题", "!S!A1", rowspan=1_048_576, colspan=16_384)
    grid = Grid([huge, Cell(1, 1, "甲", "!S!B2"), Cell(2, 0, "乙", "!S!A3", rowspan=2)])
    assert grid.at(1, 1).text == "甲"  # a cell written after the area wins, as Excel shows it
    assert grid.at(1, 5) is huge and grid.at(1_000_000, 16_000) is huge
    assert grid.at(3, 0).text == "乙" and grid.at(1_048_576, 0) is None
    assert sum(len(v) for v in grid._merged.values()) < 10  # rows indexed up to the last filled one only


@pytest.mark.parametrize(("unit", "typed", "value", "converted"), [
    ("万元", "150万", Decimal("150"), False),  # "150万" is 150万元: read, not refused
    ("元", "150万", Decimal("1500000"), True),  # and converted (and said) in a form kept in 元
])
def test_an_amount_with_a_bare_wan_is_read_as_wan_yuan(
    tmp_path: Path, unit: str, typed: str, value: Decimal, converted: bool
) -> None:
    _, executed, notes = _budget(tmp_path, unit, "1" if unit == "元" else "0.0001", typed)
    assert executed == value
    assert len(notes) == (1 if converted else 0)
