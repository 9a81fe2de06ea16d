"""The shared layout module: one width algorithm, one structure plan, one merge rule for HTML/PDF and Word."""

from __future__ import annotations

import io
import math
import re

import pytest
from docx import Document
from docx.oxml.ns import qn

from reportgen.renderers import layout
from reportgen.renderers.docx import TEXT_WIDTH_TWIPS, render_docx, table_widths
from reportgen.renderers.html import print_body, render_html
from reportgen.renderers.layout import column_widths, content_em, text_width, unbreakable_width
from reportgen.report import Report

HEADER = ("一级指标", "二级指标", "三级指标", "分值", "年度目标值", "实际完成值", "得分")


def _room(rows: tuple[tuple[str, ...], ...]) -> list[float]:
    return content_em(column_widths(rows))


def test_short_cells_keep_every_header_and_value_whole() -> None:
    rows = (HEADER, ("产出指标", "数量指标", "受益户数", "2", "≥2,000户", "2,100户", "2"),
            ("", "成本指标", "户均补助", "2", "≤2.8万元/户", "2.6万元/户", "2"))
    room = _room(rows)
    assert sum(column_widths(rows)) == pytest.approx(1.0)
    for j, head in enumerate(HEADER):
        assert room[j] >= text_width(head) - 1e-9, head  # no header breaks (“年度目标⏎值”)
    for row in rows[1:]:
        for j, value in enumerate(row):
            assert room[j] >= unbreakable_width(value) - 1e-9, value  # no “≥2,000⏎户”, “≤2.8万元/⏎户”


def test_long_cells_share_the_rest_and_labels_stay_whole() -> None:
    long_text = "组织社区工作者定期培训学习，关爱社区工作者身体健康，完善社区工作者福利" * 2
    rows = (HEADER, ("满意度指标", "服务对象满意度指标", long_text, "5", long_text, long_text, "5"))
    room = _room(rows)
    assert room[0] >= text_width("满意度指标")  # a short label is not broken (“满意度指⏎标”)
    assert min(room[2], room[4], room[5]) > max(room[0], room[3], room[6])
    assert all(room[j] >= text_width(HEADER[j]) for j in range(len(HEADER)))


GROUPED = (HEADER,
           ("产出指标", "数量指标", "家庭经济困难寄宿生生活补助人数", "8", "≥9,700人", "9,850人", "8"),
           ("", "", "符合条件的家庭经济困难学生应助尽助率", "7", "100%", "100%", "7"),
           ("", "成本指标", "小学寄宿生生活补助标准", "4", "1,000元/生·年", "1,000元/生·年", "4"),
           ("效益指标", "社会效益指标", "家庭经济困难学生因贫失学辍学人数", "10", "0人", "0人", "10"),
           ("", "可持续影响指标", "资助育人长效机制", "10", "逐步健全", "建立资助对象动态调整机制，资助育人主题活动常态化开展", "8"),
           ("满意度指标", "服务对象满意度指标", "受助学生及家长满意度", "10", "≥90%", "96.5%", "10"))


def test_grouped_table_gives_the_indicator_names_what_values_and_merged_labels_leave() -> None:
    # the merged 二级指标 labels held 6 characters (社会效益指标) and 三级指标 was left 6.7: names took 3 lines
    room = _room(GROUPED)
    assert [round(w, 2) for w in room] == [4.0, 5.0, 9.85, 2.0, 7.3, 7.3, 2.0]
    for j, head in enumerate(HEADER):
        assert room[j] >= text_width(head) - 1e-9, head
    assert room[4] >= text_width("1,000元/生·年") - 1e-9 and room[5] >= text_width("1,000元/生·年") - 1e-9
    assert room[4] < text_width("1,000元/生·年") + 0.5  # values get just their width, the names the rest
    # a category label may wrap inside its merged cell (社会效益⏎指标); the names fit on two lines
    assert room[1] < text_width("社会效益指标")
    assert all(math.ceil(text_width(row[2]) / math.floor(room[2])) <= 2 for row in GROUPED[1:])


def test_a_width_holds_whole_characters() -> None:
    # 4.6 em sets four Chinese characters: 服务对象满意度指标 takes three lines there, not two
    assert layout._lines(text_width("服务对象满意度指标"), 4.6) == 3
    assert layout._lines(text_width("服务对象满意度指标"), 5.0) == 2
    assert layout._lines(text_width("1,000元/生·年"), text_width("1,000元/生·年")) == 1


def test_tallest_cells_that_tie_share_the_width() -> None:
    text = "组织社区工作者定期培训学习，关爱社区工作者身体健康" * 2
    room = _room((("甲", "乙", "丙"), (text, text, text)))
    # no one column is starved: the row is as short as an even split makes it (50 characters, 11 a line)
    assert max(layout._lines(text_width(text), w) for w in room) == 5


def test_no_cell_ends_on_a_line_of_one_character() -> None:
    assert layout.no_lone_last_char("社会效益指标") and layout.no_lone_last_char("受助学生及家长满意度")
    assert not layout.no_lone_last_char("≥2,000户") and not layout.no_lone_last_char("完成。")
    body = render_html(Report(name="x", title="标题", markdown="| 甲 | 乙 |\n| --- | --- |\n| 社会效益指标 | 10个 |\n"),
                       standalone=False)
    # on screen a nowrap span holds them (a copied cell carries no invisible character); in print a word joiner
    assert '<td>社会效益<span class="nowrap">指标</span></td>' in body and "\u2060" not in body
    assert '<td><span class="nowrap">10个</span></td>' in body
    printed = print_body(Report(name="x", title="标题", markdown="| 甲 | 乙 |\n| --- | --- |\n| 社会效益指标 | 10个 |\n"))
    assert "<td>社会效益指\u2060标</td>" in printed and "<td>10\u2060个</td>" in printed


def test_mixed_cells_give_numbers_their_width_and_text_the_rest() -> None:
    rows = (("序号", "说明", "金额"), ("1", "长" * 80, "12,345,678.90"), ("2", "短", "1"))
    number, text, amount = _room(rows)
    assert text > amount > number
    assert amount >= text_width("12,345,678.90")
    # a URL is one long word: it may wrap, and must not squeeze the label column below two characters
    label, url = _room((("名称", "说明"), ("甲", "http://example.org/" + "abcdefghij" * 30)))
    assert label >= 2.0 and url > 30
    assert column_widths(()) == ()


def test_when_nothing_fits_headers_come_first_then_everything_shrinks() -> None:
    header = tuple(f"第{n}列表头" for n in range(10))
    rows = (header, tuple("2,440,000,000.91万元" for _ in range(10)))
    fractions = column_widths(rows)
    assert sum(fractions) == pytest.approx(1.0) and len(set(round(f, 6) for f in fractions)) == 1


def test_word_and_html_use_the_same_widths() -> None:
    markdown = ("# 标题\n\n| " + " | ".join(HEADER) + " |\n|" + " --- |" * 7 + "\n"
                "| 产出指标 | 数量指标 | 办公用房、活动室的建设和维修社区数量 | 2 | ≥2,000户 | 2,100户 | 2 |\n")
    report = Report(name="x", title="标题", markdown=markdown)
    html_widths = [float(w) for w in re.findall(r'<col style="width:([\d.]+)%">', render_html(report))]
    document = Document(io.BytesIO(render_docx(report)))
    grid = [int(c.get(qn("w:w"))) for c in document.tables[0]._tbl.tblGrid.findall(qn("w:gridCol"))]
    expected = column_widths(tuple(tuple(r) for r in (HEADER, (
        "产出指标", "数量指标", "办公用房、活动室的建设和维修社区数量", "2", "≥2,000户", "2,100户", "2"))))
    assert html_widths == [round(f * 100, 1) for f in expected]
    assert grid == table_widths([HEADER, ("产出指标", "数量指标", "办公用房、活动室的建设和维修社区数量", "2",
                                          "≥2,000户", "2,100户", "2")])
    assert sum(grid) == TEXT_WIDTH_TWIPS
    assert [g / TEXT_WIDTH_TWIPS for g in grid] == pytest.approx(expected, abs=1e-3)


def test_no_break_spans_cover_value_tokens_and_document_numbers() -> None:
    text = "依据《办法》（财预〔2020〕10号），目标≥2,000户，成本≤2.8万元/户，16.12万元/社区。"
    found = [text[a:b] for a, b in layout.no_break_spans(text)]
    assert found == ["财预〔2020〕10号", "≥2,000户", "≤2.8万元/户", "16.12万元/社区"]


def test_compound_units_with_a_middle_dot_are_one_token() -> None:
    # 元/生·年 (per pupil per year): the dot joins the unit, so the token keeps its last character
    text = "标准1,000元/生·年，成本≤5万元/站·年以内，服务500人·次，每生每年1,250元/生·年以上。"
    found = [text[a:b] for a, b in layout.no_break_spans(text)]
    assert found == ["1,000元/生·年", "≤5万元/站·年", "500人·次", "1,250元/生·年"]
    assert unbreakable_width("1,000元/生·年") == text_width("1,000元/生·年")


def test_endless_runs_get_break_points_and_print_the_same() -> None:
    broken = layout.break_long_runs("A" * 100)
    assert broken.replace("\u200b", "") == "A" * 100 and broken.count("\u200b") >= 5
    assert layout.break_long_runs("短文字ABC") == "短文字ABC"


def test_plan_puts_the_signature_before_the_attachments() -> None:
    markdown = ("# 标题\n\n## 一、概况\n\n正文。\n\n## 附表：绩效指标完成情况表\n\n| 甲 | 乙 |\n| --- | --- |\n| 1 | 2 |\n\n"
                "某单位\n\n2021年6月30日\n")
    report = Report(name="x", title="标题", markdown=markdown, unit="某单位", date="2021年6月30日",
                    signature=("某单位", "2021年6月30日"))
    plan = layout.plan(report, layout.parser().parse(markdown))
    assert plan.signature == ["某单位", "2021年6月30日"]
    assert [a.title for a in plan.attachments] == ["绩效指标完成情况表"]
    assert plan.attachment_note() == ["附件：绩效指标完成情况表"]
    assert not any(t.type == "table_open" for t in plan.body)
    two = layout.plan(report, layout.parser().parse(markdown), [layout.Attachment("项目支出绩效自评表", [])])
    assert two.attachment_note() == ["附件：1. 绩效指标完成情况表", "2. 项目支出绩效自评表"]
    assert [two.attachment_label(i) for i in range(2)] == ["附件1", "附件2"]
