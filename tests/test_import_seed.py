"""The seed form text imports to the hand-transcribed seed example, field by field."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import DATA, SEED_EXAMPLE, SEED_TEXT

from reportgen.evaluation.model import EvaluationForm, source_of
from reportgen.loaders import load
from reportgen.loaders.grid import Cell, Grid, is_number, label_key
from reportgen.loaders.reader import checked_option, read_grid, split_projects
from reportgen.loaders.tabular import read_tabular
from reportgen.loaders.text import clean_cell, text_grid

SEED = SEED_TEXT if SEED_TEXT.exists() else DATA / "seed.txt"
EXAMPLE = load(SEED_EXAMPLE)


@pytest.fixture(scope="module")
def seed_form() -> EvaluationForm:
    return load(SEED)


def test_copy_of_the_seed_is_the_seed() -> None:
    if not SEED_TEXT.exists():
        pytest.skip("../shared/seeds is not here")
    assert (DATA / "seed.txt").read_bytes() == SEED_TEXT.read_bytes()


@pytest.mark.parametrize("field", [f for f in EvaluationForm.model_fields if f != "indicators"])
def test_seed_field(seed_form: EvaluationForm, field: str) -> None:
    assert getattr(seed_form, field) == getattr(EXAMPLE, field)


@pytest.mark.parametrize("i", range(len(EXAMPLE.indicators)))
def test_seed_indicator(seed_form: EvaluationForm, i: int) -> None:
    assert len(seed_form.indicators) == len(EXAMPLE.indicators)
    assert seed_form.indicators[i].model_dump() == EXAMPLE.indicators[i].model_dump()


def test_seed_every_cell_is_placed() -> None:
    [(_, warnings)] = read_tabular(SEED)
    assert warnings == []


def test_seed_places_are_line_and_column(seed_form: EvaluationForm) -> None:
    where = source_of(seed_form)
    assert where.locate("budget.adjusted").endswith(":15:12")
    # line 26 is shifted one column left in the extracted text; the places are where the text really is
    assert where.locate("indicators[9].score").endswith(":26:27")
    assert where.locate("indicators[9].name").endswith(":26:2")
    assert where.locate("indicators[26].target").endswith(":44:34")
    assert where.locate("categories.环境效益指标").endswith(":38:1")
    assert where.locate("total_score").endswith(":45:4")


def test_checkbox_tags_become_ticks() -> None:
    cell = '1、部门预算项目 <input checked="" type="checkbox"/> 2、区级专项 <input type="checkbox"/>'
    assert clean_cell(cell) == "1、部门预算项目  ☑ 2、区级专项  ☐"
    assert clean_cell("≤200元/人 <br/>含<b>税</b>") == "≤200元/人 \n含税"
    assert clean_cell("<50%") == "<50%"


@pytest.mark.parametrize(
    ("text", "chosen"),
    [
        ("1、部门预算项目 ☑ 2、区级专项 ☐ 3、转移支付项目 ☐", "部门预算项目"),
        ("1、持续性项目 ☐ 2、新增性项目 ☑", "新增性项目"),
        ("☐部门预算项目 ☑专项项目 □转移支付项目", "专项项目"),
        ("常年性项目☐ 延续性项目■ 一次性项目☐", "延续性项目"),
        ("□常年性项目 □延续性项目", None),
        ("☑常年性项目 ☑一次性项目", "常年性项目、一次性项目"),
    ],
)
def test_checked_option(text: str, chosen: str | None) -> None:
    assert checked_option(text) == chosen


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("预算执行情况(万)(20分)", "预算执行情况"),
        ("项目资金（万元）", "项目资金"),
        ("其中：本年财政拨款", "本年财政拨款"),
        ("三级指标\n(权重)", "三级指标"),
        ("项目名称：", "项目名称"),
        ("得分(20分*执行率)", "得分"),
    ],
)
def test_label_key(text: str, key: str) -> None:
    assert label_key(text) == key


@pytest.mark.parametrize(("text", "number"), [("2,440.91", True), ("100%", True), ("98分", True), ("１００", True)])
def test_is_number(text: str, number: bool) -> None:
    assert is_number(text) is number
    assert not is_number("≥2次")


def test_shifted_row_goes_back_to_its_columns() -> None:
    lines = [
        "项目名称\t甲",
        "一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t得分",
        "产出指标\t数量指标\t培训人次(5分)\t≥100人\t120人\t5",
        "\t培训覆盖率(5分)\t\t100%\t95%\t4\t",
        "培训满意度(5分)\t≥90%\t92%\t5",
        "总分\t14",
    ]
    data, places, warnings = read_grid(text_grid("\n".join(lines)))
    assert [(i["name"], i["target"], i["actual"], i["score"]) for i in data["indicators"]] == [
        ("培训人次", "≥100人", "120人", "5"),
        ("培训覆盖率", "100%", "95%", "4"),
        ("培训满意度", "≥90%", "92%", "5"),
    ]
    assert places["indicators[2].score"] == ":5:20"
    assert warnings == []


def test_unplaced_cells_are_reported_with_their_place() -> None:
    lines = ["项目名称\t甲\t\t备用列", "三级指标\t指标值\t实际值\t得分", "培训人次(5分)\t≥100人\t120人\t5\t多余"]
    data, _, warnings = read_grid(text_grid("\n".join(lines)))
    assert data["project"] == "甲"
    assert [(w.ref, w.message) for w in warnings] == [
        (":1:9", "未识别的内容“备用列”，没有导入"),
        (":3:23", "未识别的内容“多余”，没有导入"),
    ]


def test_text_file_with_two_forms_splits_before_the_second_title(tmp_path: Path) -> None:
    text = SEED.read_text(encoding="utf-8")
    second = text.replace("社会保障专项", "第二个专项")
    grids = split_projects(text_grid(text + second))
    assert len(grids) == 2
    path = tmp_path / "two.txt"
    path.write_text(text + second, encoding="utf-8")
    forms = [form for form, _ in read_tabular(path)]
    assert [f.project for f in forms] == ["社会保障专项", "第二个专项"]
    assert forms[1].year == 2020 and forms[1].unit == EXAMPLE.unit
    assert forms[1].indicators == forms[0].indicators


def test_gbk_text_is_read(tmp_path: Path) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes(SEED.read_text(encoding="utf-8").replace("≥", ">=").replace("≤", "<=").encode("gb18030"))
    assert load(path).project == "社会保障专项"


def test_merged_area_is_one_cell() -> None:
    grid = Grid([Cell(0, 0, "产出指标", "!S!A1", rowspan=3), Cell(0, 1, "甲", "!S!B1")])
    assert grid.at(2, 0) is grid.at(0, 0)
    assert grid.at(3, 0) is None
    assert grid.below(grid.row(0)[0]) is None
    assert grid.right_of(grid.row(0)[0]) == Cell(0, 1, "甲", "!S!B1")
