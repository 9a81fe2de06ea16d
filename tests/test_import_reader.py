"""The label-driven reader on small grids: layout variants met on real forms (domain.md §2.2)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from reportgen.errors import InputError
from reportgen.loaders.grid import Cell, Grid
from reportgen.loaders.reader import read_grid


def grid(rows: list[list[Any]]) -> Grid:
    """A worksheet-like grid; an item ``(text, rowspan, colspan)`` is a merged area, ``None`` a covered cell."""
    cells = []
    for r, row in enumerate(rows):
        for c, item in enumerate(row):
            if item is None or item == "":
                continue
            text, rowspan, colspan = item if isinstance(item, tuple) else (item, 1, 1)
            cells.append(Cell(r, c, str(text), f"!表!{chr(65 + c)}{r + 1}", rowspan, colspan))
    return Grid(cells, name="表", ref="!表")


HEAD = ["项目名称", "甲项目"]


def test_split_target_columns_are_joined() -> None:
    data, _, warnings = read_grid(
        grid(
            [
                HEAD,
                [("一级指标", 2, 1), ("二级指标", 2, 1), ("三级指标", 2, 1), ("年度指标值", 1, 3), None, None]
                + [("实际完成值", 2, 1), ("分值", 2, 1), ("得分", 2, 1)],
                [None, None, None, "指标性质", "指标值", "度量单位"],
                ["产出指标", "数量指标", "培训人数", "≥", "100", "人", "120", "10", "10"],
            ]
        )
    )
    assert data["indicators"] == [
        {"level1": "产出指标", "level2": "数量指标", "name": "培训人数", "weight": "10", "target": "≥100人",
         "actual": "120人", "score": "10", "unit": "人"},
    ]  # fmt: skip
    assert warnings == []


def test_money_block_without_a_total_row() -> None:
    data, places, _ = read_grid(
        grid(
            [
                HEAD,
                ["预算执行情况(10分)", "年初预算", "调整后预算数", "预算执行数", "预算执行率", "权重", "得分"],
                ["财政资金", "100", "120", "108", "90%", "10", "9"],
                ["其他资金", "0", "5", "5"],
                ["三级指标", "指标值", "完成值", "权重", "得分"],
                ["培训人数", "100人", "120人", "90", "90"],
            ]
        )
    )
    assert data["budget"] == {
        "weight": "10", "initial": "100", "adjusted": "120", "executed": "108", "rate": "90%", "score": "9",
        "sources": [{"name": "其他资金", "initial": "0", "adjusted": "5", "executed": "5"}],
    }  # fmt: skip
    assert places["budget.rate"] == "!表!E3"


def test_cost_as_level_one_beside_its_level_two() -> None:
    data, _, _ = read_grid(
        grid(
            [
                HEAD,
                ["一级指标", "二级指标", "三级指标", "指标值", "完成值", "分值", "得分"],
                [("产出指标(40分)", 1, 1), "数量指标", "培训人数", "100人", "100人", "40", "40"],
                [("成本指标(0-20)分", 1, 1), "经济成本指标", "人均成本", "≤500元", "480元", "20", "20"],
                [("项目产出", 1, 1), "进度", "按期完工率", "100%", "100%", "30", "30"],
            ]
        )
    )
    levels = [(i["level1"], i["level2"]) for i in data["indicators"]]
    assert levels == [("产出指标", "数量指标"), ("成本指标", "经济成本指标"), ("项目产出", "进度")]
    assert data["categories"] == {"产出指标": "40"}


def test_note_merged_across_the_block_is_not_an_indicator() -> None:
    data, _, warnings = read_grid(
        grid(
            [
                HEAD,
                ["一级指标", "二级指标", "三级指标", "指标值", "完成值", "分值", "得分"],
                [("产出指标", 2, 1), "数量指标", "培训人数", "100人", "100人", "40", "40"],
                [None, ("其中：年中追加的培训任务", 1, 6)],
                [("效益指标", 1, 1), "社会效益指标", "覆盖率", "100%", "98%", "60", "58"],
            ]
        )
    )
    assert [i["name"] for i in data["indicators"]] == ["培训人数", "覆盖率"]
    assert [(w.ref, w.message) for w in warnings] == [("!表!B4", "未识别的内容“其中：年中追加的培训任务”，没有导入")]


def test_weight_in_the_name_that_disagrees_with_the_weight_column() -> None:
    data, _, warnings = read_grid(
        grid([HEAD, ["三级指标", "指标值", "完成值", "分值", "得分"], ["培训人数(5分)", "100人", "90人", "10", "9"]])
    )
    assert data["indicators"][0]["name"] == "培训人数" and data["indicators"][0]["weight"] == "10"
    assert [w.message for w in warnings] == ["名称中的分值（5分）与分值栏（10）不一致，已采用分值栏"]


def test_summary_fields_in_other_shapes() -> None:
    data, places, warnings = read_grid(
        grid(
            [
                ["项目支出绩效自评表（2023年度）"],
                ["项目名称：甲项目"],
                ["年度总体目标", "完成培训100人次", "完成培训120人次"],
                ["金额单位：元"],
                ["项目资金", "全年预算数", "全年执行数"],
                ["年度资金总额", "50,000", "48,000"],
                ["三级指标", "指标值", "完成值", "分值", "得分"],
                ["培训人数", "100人", "120人", "100", "100"],
                ["合计", "", "", "100", "100"],
                ["存在问题"],
                ["1. 宣传不够。2. 资料归档不及时。"],
                ["等级：优"],
            ]
        )
    )
    assert (data["year"], data["project"], data["grade"], data["total_score"]) == ("2023", "甲项目", "优", "100")
    assert data["goals"] == {"planned": "完成培训100人次", "achieved": "完成培训120人次"}
    assert data["budget"]["unit"] == "元" and data["budget"]["rate"] == "96%"
    assert data["deviation_analysis"] == ["宣传不够。", "资料归档不及时。"]
    assert places["total_score"] == "!表!E9" and places["deviation_analysis"] == "!表!A11"
    assert [w.message for w in warnings] == ["执行率未填写（或公式未计算），已按执行数/预算数计算为 96%"]


def test_repeated_label_keeps_the_first_value() -> None:
    rows = [HEAD, ["项目名称", "乙项目"], ["三级指标", "得分"], ["培训人数", "9"]]
    data, _, warnings = read_grid(grid(rows))
    assert data["project"] == "甲项目"
    assert [(w.ref, w.message) for w in warnings] == [("!表!A2", "“项目名称”重复出现，已使用第一次出现的值")]


def test_grid_without_indicator_header_names_the_sheet() -> None:
    with pytest.raises(InputError) as err:
        read_grid(grid([HEAD]), "f.xlsx")
    assert err.value.where == "f.xlsx!表"
    assert "三级指标" in (err.value.hint or "")


def test_merged_target_spans_its_rows_but_a_merged_score_counts_once() -> None:
    data, _, warnings = read_grid(
        grid(
            [
                HEAD,
                ["三级指标", "指标值", "完成值", "分值", "得分"],
                ["城区覆盖率", ("100%", 2, 1), "100%", ("20", 2, 1), ("20", 2, 1)],
                ["乡镇覆盖率", None, "98%"],
                ["指标1："],
                ["……", "", "", ""],
            ]
        )
    )
    rows = [(i["name"], i["target"], i.get("weight"), i.get("score")) for i in data["indicators"]]
    assert rows == [("城区覆盖率", "100%", "20", "20"), ("乡镇覆盖率", "100%", None, None)]
    assert warnings == []


def test_a_score_cell_holding_only_its_unit_is_blank_and_its_remark_the_cause() -> None:
    # extracted from a page that lost its digits: "分", "分（因……）"; before, the whole import failed (exit 2)
    data, places, warnings = read_grid(grid([
        HEAD,
        ["三级指标", "指标值", "完成值", "分值", "得分"],
        ["国家奖学金人数", "≥20人", "18人", "10", "分（因全校总人数减少，指标数相应减少）"],
        ["资助覆盖率", "100%", "100%", "10", "分"],
        ["总分", "", "", "100", "分"],
    ]))
    first, second = data["indicators"]
    assert "score" not in first and "score" not in second and "total_score" not in data
    assert first["cause"] == "因全校总人数减少，指标数相应减少" and places["indicators[0].cause"] == "!表!E3"
    assert sum("只有单位没有数字，按未填写处理" in w.message for w in warnings) == 2


def test_money_and_budget_score_cells_holding_only_a_unit_are_blank() -> None:
    # "万元" where the executed amount was, "分（因……）" where the budget score was; a 分值 cell with a remark
    data, _, warnings = read_grid(grid([
        HEAD,
        ["预算执行情况(10分)", "年初预算", "全年预算数", "全年执行数", "执行率", "分值", "得分"],
        ["年度资金总额", "100", "120", "万元", "", "10", "分（因资金未到位）"],
        ["其中：财政拨款", "100", "万元", "96"],
        ["三级指标", "指标值", "完成值", "分值", "得分"],
        ["培训人数", "100人", "90人", "分（分值待上级核定）", "分（因场地受限）"],
    ]))
    budget = data["budget"]
    assert "executed" not in budget and "score" not in budget and "rate" not in budget
    assert budget["adjusted"] == "120" and budget["sources"] == [{"name": "财政拨款", "initial": "100", "executed": "96"}]
    (row,) = data["indicators"]
    assert "weight" not in row and "score" not in row and row["cause"] == "因场地受限"
    said = [w.message for w in warnings if "只有单位没有数字，按未填写处理" in w.message]
    assert len(said) == 5 and any("分值待上级核定" in m for m in said)


@pytest.mark.parametrize("line", ["（2019年度）", "2019年度)", "2019年度", "(2019)"])
def test_the_year_under_the_title_is_read_with_a_bracket_lost(line: str) -> None:
    data, _, warnings = read_grid(grid([
        ["项目支出绩效自评表"], [line], HEAD, ["三级指标", "指标值", "完成值", "分值", "得分"],
        ["培训人数", "100人", "100人", "10", "10"],
    ]))
    assert data["year"] == "2019" and not [w for w in warnings if "2019" in w.message]


def test_a_level_printed_without_its_suffix_is_the_level() -> None:
    # "服务对象满意度" in the 二级指标 column of extracted text: before, it was dropped with a warning and the row
    # was filed under its level 1 alone
    data, _, warnings = read_grid(grid([
        HEAD, ["一级指标", "二级指标", "三级指标", "指标值", "完成值", "分值", "得分"],
        ["满意度指标", "服务对象满意度", "渔民满意度", "≥90%", "95%", "10", "10"],
    ]))
    assert data["indicators"][0]["level2"] == "服务对象满意度"  # as printed, read as the level it is
    assert not [w for w in warnings if "服务对象满意度" in w.message]


def test_a_footnote_under_an_empty_field_is_not_its_value() -> None:
    data, _, _ = read_grid(grid([
        HEAD, ["三级指标", "指标值", "完成值", "分值", "得分"], ["培训人数", "100人", "100人", "10", "10"],
        ["改进措施及结果应用方案"], ["备注：1.预算执行情况口径：预算数为调整后财政资金"],
    ]))
    assert "improvement_measures" not in data


@pytest.mark.parametrize(("printed", "read"), [
    ("1、部门预算项目0 2、市直专项√ 3、市对下转移支付项目0", "市直专项"),  # OCR: an empty box as 0
    ("1、持续性项目口 2、新增性项目☑", "新增性项目"),  # an empty box as 口
    ("1、部门预算项目0 2、市直专项口 3、市对下转移支付项目0", None),  # nothing ticked: nothing read
])
def test_options_with_boxes_read_by_ocr_give_the_ticked_one(printed: str, read: str | None) -> None:
    data, _, warnings = read_grid(grid([
        HEAD, ["项目类别", printed], ["三级指标", "指标值", "完成值", "分值", "得分"], ["培训人数", "100人", "100人", "10", "10"],
    ]))
    assert data.get("category") == read
    assert any("没有识别出勾选项" in w.message for w in warnings) == (read is None)


def test_a_lone_title_over_a_second_indicator_table_is_no_indicator() -> None:
    # Hubei's two-block layout: "年度绩效目标1(40分)" and "…2(40分)", each over its own header row
    header = ["一级指标", "二级指标", "三级指标", "指标值", "完成值", "分值", "得分"]
    data, _, warnings = read_grid(grid([
        HEAD, ["年度绩效目标1(40分)"], header, ["产出指标", "数量指标", "监测点数", "10个", "10个", "20", "20"],
        ["年度绩效目标2(40分)"], header, ["产出指标", "质量指标", "资料合格率", "100%", "100%", "20", "20"],
    ]))
    assert [i["name"] for i in data["indicators"]] == ["监测点数", "资料合格率"]
    assert sum("年度绩效目标" in w.message for w in warnings) == 2


def test_two_projects_on_one_sheet_are_refused_not_merged() -> None:
    with pytest.raises(InputError, match="同一工作表中有两个项目：“社区食堂运营补贴”和“老年助浴服务”") as caught:
        read_grid(grid([
            ["项目名称", "社区食堂运营补贴"], ["三级指标", "指标值", "完成值", "分值", "得分"],
            ["就餐老人人数", "≥200人", "210人", "10", "10"],
            ["项目名称", "老年助浴服务"], ["三级指标", "指标值", "完成值", "分值", "得分"],
            ["助浴人次", "≥500人次", "520人次", "10", "10"],
        ]))
    assert "A4" in str(caught.value.where)


def test_a_total_in_chinese_numerals_is_read_and_said_to_be() -> None:
    from reportgen.loaders.reader import chinese_number

    data, places, warnings = read_grid(grid([
        HEAD, ["三级指标", "指标值", "完成值", "分值", "得分"], ["培训人数", "100人", "100人", "100", "95"],
        ["总分", "", "", "100", "九十五"],
    ]))
    assert data["total_score"] == "95" and places["total_score"] == "!表!E4"
    assert any("中文数字，已按95分读取" in w.message for w in warnings)
    assert [chinese_number(t) for t in ("一百", "九十二点五", "一百零五", "九五", "十")] == [100, Decimal("92.5"), 105, None, 10]


def test_a_page_header_repeating_the_project_name_with_a_variant_only_warns() -> None:
    header = ["三级指标", "指标值", "完成值", "分值", "得分"]
    data, _, warnings = read_grid(grid([
        ["项目名称", "社区食堂运营补贴项目"], header, ["就餐老人人数", "≥200人", "210人", "10", "10"],
        ["项目名称", "社区食堂运营补贴（2022年）"], header, ["助餐次数", "≥500次", "520次", "10", "10"],
    ]))
    assert data["project"] == "社区食堂运营补贴项目" and len(data["indicators"]) == 2
    assert any("重复出现" in w.message for w in warnings)
