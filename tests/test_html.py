from __future__ import annotations

import re

import pytest
import yaml
from conftest import SEED_EXAMPLE

from reportgen.renderers.html import (
    iso_date,
    parse_markdown,
    print_body,
    printed_text,
    render_html,
    report_css,
    title_lines,
)
from reportgen.report import Report

UNIT = "武汉市东湖新技术开发区花山街道办事处"
DATE = "2021年6月30日"
TITLE = "2020年度社会保障专项绩效自评报告"

# what a form's free text could carry; none of it may become markup, a fetch or a link
HOSTILE = (
    '<img src="file:///etc/passwd">',
    '<link rel=stylesheet href="http://127.0.0.1:9/x">',
    "<script>alert('x')</script>",
    '<iframe src="file:///etc/passwd"></iframe>',
    '<div style="background: url(file:///etc/passwd)">背景</div>',
    '<style>@import url("http://127.0.0.1:9/y.css");</style>',
    "[点此查看](http://127.0.0.1:9/link)",
    "![附图](file:///etc/passwd)",
    "![远程图](http://127.0.0.1:9/p.png)",
    "<http://127.0.0.1:9/auto>",
)


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|")


def sample_markdown(*, hostile: tuple[str, ...] = (), extra: str = "") -> str:
    """A report in the Markdown contract, built from the seed form's 27 indicators."""
    form = yaml.safe_load(SEED_EXAMPLE.read_text(encoding="utf-8"))
    rows = [
        f"| {i} | {_cell(r['level1'])} | {_cell(r['level2'])} | {_cell(r['name'])} | {r['weight']} "
        f"| {_cell(r['target'])} | {_cell(r['actual'])} | {r['score']} |"
        for i, r in enumerate(form["indicators"], 1)
    ]
    rows += [f"| {28 + i} | 效益指标 | 满意度指标 | {_cell(h)} | 1 | {_cell(h)} | {_cell(h)} | 1 |"
             for i, h in enumerate(hostile)]
    long_paragraph = "该项目围绕社区党建、便民服务和困难群众救助开展工作，资金按进度拨付，各项工作有序推进。" * 3
    hostile_lines = "\n\n".join(f"数据原文：{h}" for h in hostile)
    return f"""# {TITLE}

## 一、基本情况

### （一）项目概况

社会保障专项由花山街道办事处主管，花山街社区办、民政办组织实施，属于部门预算项目。{long_paragraph}

### （二）资金来源与预算安排

本年度项目全年预算数为2,440.91万元，全年执行数为2,440.91万元，预算执行率为100%。

| 项目 | 预算数（万元） | 执行数（万元） | 执行率 | 分值 | 得分 |
| --- | ---: | ---: | ---: | ---: | ---: |
| 年度财政资金总额 | 2,440.91 | 2,440.91 | 100% | 20 | 20 |

## 二、综合评价结论

经自评，社会保障专项综合得分98分（满分100分），自评等级为“优”。{long_paragraph}

{hostile_lines}

## 三、绩效目标实现情况

### （一）产出指标完成情况

#### 1. 数量指标

数量指标8项中7项全面完成。{long_paragraph}

## 四、偏差原因分析

一是各社区公共文化服务基础设施建设不足；二是社区资金使用的指导还需加强。{extra}

## 五、附表：绩效指标完成情况表

| 序号 | 一级指标 | 二级指标 | 三级指标 | 分值 | 年度指标值 | 实际完成值 | 得分 |
| ---: | --- | --- | --- | ---: | --- | --- | ---: |
{chr(10).join(rows)}

{UNIT}

{DATE}
"""


def sample_report(*, hostile: tuple[str, ...] = (), extra: str = "", name: str = "sample") -> Report:
    return Report(name=name, title=TITLE, markdown=sample_markdown(hostile=hostile, extra=extra), unit=UNIT,
                  date=DATE, signature=(UNIT, DATE))


def _body(html: str) -> str:
    return html.split("<body>", 1)[1]


def test_standalone_document_inlines_the_css_and_metadata() -> None:
    html = render_html(sample_report())
    assert html.startswith("<!DOCTYPE html>\n<html lang=\"zh-CN\">")
    assert f"<title>{TITLE}</title>" in html
    assert f'<meta name="author" content="{UNIT}">' in html
    assert '<meta name="dcterms.created" content="2021-06-30">' in html
    assert report_css() in html  # one self-contained file
    assert "<link" not in html.split("<body>")[0]


def test_structure_follows_the_markdown_contract() -> None:
    body = _body(render_html(sample_report()))
    assert f"<h1>{TITLE}</h1>" in body
    assert "<h2>一、基本情况</h2>" in body
    assert "<h3>（一）项目概况</h3>" in body
    assert "<h4>1. 数量指标</h4>" in body
    assert body.count("<table>") == 2
    assert body.count("<tr>") == 2 + 28  # header and rows of both tables
    assert '<td style="text-align:right">2,440.91</td>' in body


def test_print_body_aligns_cells_by_class_and_is_otherwise_the_same() -> None:
    # the PDF gets classes instead of style attributes, so WeasyPrint can share one style per column
    report = sample_report()
    screen = render_html(report, standalone=False)
    printed = print_body(report)
    assert '<td class="align-right">2,440.91</td>' in printed
    assert 'style="text-align' not in printed
    # and tokens held whole by word joiners instead of the screen's nowrap spans (nothing invisible to copy there)
    assert "\u2060" not in screen
    assert '为<span class="nowrap">2,440.91万元</span>，' in screen and "为2,440.91\u2060万\u2060元，" in printed
    unkept = re.sub(r'<span class="nowrap">([^<]*)</span>', r"\1", screen)
    assert printed.replace("\u2060", "") == re.sub(r' style="text-align:(left|center|right)"', r' class="align-\1"',
                                                   unkept)
    for align in ("left", "center", "right"):
        assert f".align-{align} {{ text-align: {align}; }}" in report_css()


def test_markdown_parsed_once_gives_the_same_text_and_body() -> None:
    report = sample_report(hostile=HOSTILE)
    expected_text, expected_body = printed_text(report, cover=True), print_body(report, cover=True)
    tokens = parse_markdown(report)
    assert printed_text(report, cover=True, tokens=tokens) == expected_text
    assert print_body(report, cover=True, tokens=tokens) == expected_body


def test_signature_paragraphs_are_marked_for_right_alignment() -> None:
    body = _body(render_html(sample_report()))
    assert f'<p class="signature first">{UNIT}</p>' in body
    assert f'<p class="signature">{DATE}</p>' in body
    assert body.count("signature") == 2


def test_signature_is_only_taken_from_the_end() -> None:
    # the unit's name also opens a paragraph earlier on: only the closing ones are the signature
    report = sample_report(extra=f"\n\n{UNIT}")
    body = _body(render_html(report))
    assert body.count('class="signature') == 2


def test_hostile_data_stays_text() -> None:
    body = render_html(sample_report(hostile=HOSTILE), standalone=False)
    for tag in ("<img", "<script", "<iframe", "<link", "<style", "<div", "<a "):
        assert tag not in body
    assert re.findall(r"<[^>]*\b(?:href|src)=", body) == []  # no attribute that could load anything
    assert "&lt;script&gt;alert('x')&lt;/script&gt;" in body
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in body
    # links print their text, images their alt text, autolinks their address
    assert "点此查看" in body and "http://127.0.0.1:9/link" not in body
    assert "附图" in body and "远程图" in body and "p.png" not in body
    assert "http://127.0.0.1:9/auto" in body


def test_cover_carries_title_unit_and_date() -> None:
    body = render_html(sample_report(), cover=True, standalone=False)
    cover = body.split("</section>")[0]
    assert cover.startswith('<section class="cover">')
    assert TITLE in cover and UNIT in cover and DATE in cover
    assert "<html" not in body


def test_long_titles_break_before_the_document_type() -> None:
    assert title_lines("2023年度社区养老服务补贴绩效自评报告", 17) == ["2023年度社区养老服务补贴", "绩效自评报告"]
    assert title_lines(TITLE, 20) == [TITLE]  # fits one line at 22 pt
    assert title_lines("一个没有常见结尾而且相当长的标题文字内容示例", 10) == ["一个没有常见结尾而且相当长的标题文字内容示例"]
    long = "2023年度某某区城乡社区养老服务补贴项目绩效自评报告"
    body = render_html(Report(name="x", title=long, markdown=f"# {long}\n"), cover=True, standalone=False)
    assert "<h1>2023年度某某区城乡社区养老服务补贴项目<br />\n绩效自评报告</h1>" in body
    assert '<div class="cover-title">2023年度某某区城乡社区养老服务补贴项目<br>绩效自评报告</div>' in body


def test_output_is_deterministic() -> None:
    assert render_html(sample_report()) == render_html(sample_report())


def test_tables_get_fixed_column_widths() -> None:
    body = _body(render_html(sample_report()))
    colgroups = re.findall(r"<colgroup>(.*?)</colgroup>", body)
    assert len(colgroups) == 2
    widths = [float(w) for w in re.findall(r"width:([\d.]+)%", colgroups[1])]
    assert len(widths) == 8
    assert sum(widths) == pytest.approx(100, abs=0.5)
    number, name, target, actual = widths[0], widths[3], widths[5], widths[6]
    assert number < name and number < target < actual  # numbers are narrow, descriptions share the rest


def test_printed_text_decodes_references_and_keeps_lines() -> None:
    report = Report(name="x", title="标题", markdown="# 标题\n\n第一段\n\n第二段&#x2B820;字\n")
    assert printed_text(report) == [(1, "标题"), (3, "第一段"), (5, "第二段\U0002B820字")]
    assert printed_text(report, cover=True)[0] == (1, "标题")


@pytest.mark.parametrize(
    ("printed", "iso"),
    [("2021年6月30日", "2021-06-30"), ("2021-6-3", "2021-06-03"), ("二〇二一年", None), (None, None),
     ("2021年13月1日", None)],
)
def test_iso_date(printed: str | None, iso: str | None) -> None:
    assert iso_date(printed) == iso


def test_seed_report_renders() -> None:
    from reportgen.evaluation.scoring import evaluate
    from reportgen.loaders import load
    from reportgen.narrative import compose

    report = compose(evaluate(load(SEED_EXAMPLE)))
    body = _body(render_html(report))
    assert "2,440.91" in body and "98" in body and "优" in body
    assert body.count('class="signature') == len(report.signature)


def test_placeholders_are_marked_for_the_author() -> None:
    from reportgen import render as compose_report

    html = render_html(compose_report(SEED_EXAMPLE))
    assert '<mark class="placeholder">【待补充：“年组织开展群众文体活动”指标的偏差原因】</mark>' in html


def test_screen_html_copies_clean_and_still_highlights_a_gap_holding_a_value() -> None:
    md = "正文为≥2,000户，依据财预〔2020〕10号。【待补充：少于2,000户的原因】\n"
    body = render_html(Report(name="x", title="标题", markdown=md), standalone=False)
    assert "\u2060" not in body  # text copied from a browser carries no invisible character
    assert '<span class="nowrap">≥2,000户</span>' in body and '财预〔2020〕10号</span>' in body
    assert re.search(r'<mark class="placeholder">【待补充：少于<span class="nowrap">2,000户</span>的原因】</mark>', body)
    assert ".nowrap { white-space: nowrap; }" in report_css()
