"""Import fixes found on real layouts: the year as a subtitle, split target columns, no 单位名称 row."""

from __future__ import annotations

from test_import_reader import grid

from reportgen.evaluation.scoring import evaluate
from reportgen.loaders.reader import read_form, read_grid

HEADER = [("一级指标", 2, 1), ("二级指标", 2, 1), ("三级指标", 2, 1), ("年度指标值", 1, 3), None, None,
          ("实际完成值", 2, 1), ("分值", 2, 1), ("得分", 2, 1)]
SUB = [None, None, None, "指标性质", "指标值", "度量单位"]


def test_year_printed_as_a_subtitle_under_the_title() -> None:
    data, places, _ = read_grid(grid([
        [("项目支出绩效自评表", 1, 4)],
        [("（2022年度）", 1, 4)],
        ["项目名称", "甲项目"],
        ["三级指标", "年度指标值", "实际完成值", "分值", "得分"],
        ["培训人数", "100人", "120人", "100", "100"],
    ]))
    assert data["year"] == "2022"
    assert places["year"] == "!表!A2"


def test_split_target_columns_never_double_a_unit() -> None:
    data, _, _ = read_grid(grid([
        ["项目名称", "甲项目"],
        HEADER,
        SUB,
        ["产出指标", "质量指标", "合格率", "≧", "100%", "%", "100%", "10", "10"],
        ["产出指标", "数量指标", "受益人数", "≧", "≥735", "人次", "735", "10", "10"],
        ["效益指标", "社会效益指标", "知晓率", "═", "100", "百分比", "98", "10", "9"],
    ]))
    assert [i["target"] for i in data["indicators"]] == ["≧100%", "≥735人次", "═100百分比"]
    assert [i["actual"] for i in data["indicators"]] == ["100%", "735人次", "98百分比"]


def test_workbook_without_a_unit_row_takes_the_implementer() -> None:
    form, _ = read_form(grid([
        ["项目名称", "甲项目", "主管部门", "乙局"],
        ["项目实施单位", "丙中心", "评价年度", "2022"],
        ["三级指标", "年度指标值", "实际完成值", "分值", "得分"],
        ["培训人数", "100人", "120人", "100", "100"],
    ]), "表.xlsx")
    ev = evaluate(form)
    assert ev.form.unit == "丙中心" and ev.implementer == "丙中心"
    (finding,) = [f for f in ev.findings if f.code == "unit-from-implementer"]
    assert "丙中心" in finding.message and finding.where.endswith("B2")
    assert "field-missing" not in {f.code for f in ev.findings}
