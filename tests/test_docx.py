"""Tests for reportgen.renderers.docx: styles, fonts, layout, tables, reproducibility, LibreOffice."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import SEED_EXAMPLE, example_paths
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from lxml import etree

from reportgen.errors import RenderError
from reportgen.renderers.docx import (
    TEXT_WIDTH_TWIPS,
    DocxRenderer,
    render_docx,
    report_datetime,
    table_widths,
    vertical_merges,
)
from reportgen.report import Report

UNIT = "武汉市东湖新技术开发区花山街道办事处"
DATE = "2021年6月30日"

CONTRACT_MARKDOWN = f"""# 2020年度社会保障专项绩效自评报告

## 一、基本情况

### （一）项目概况

社会保障专项的主管部门为花山街道办事处。{UNIT}负责组织实施。

#### 1\\. 资金情况

预算数2,440.91万元，执行率100%，含\\*星号\\*、a\\_b、\\#号和“引号”，以及**加粗**与*强调*。

1\\. 这一段以编号开头，但不是列表。

| 指标 | 目标值 | 得分 |
| --- | --- | ---: |
| 年组织开展群众文体活动 | ≥2次/年 | 1 |
| 管道\\|符号 | 100% | 2 |

## 二、改进措施

1. 第一条措施。
2. 第二条措施。

- 要点甲

{UNIT}

{DATE}
"""


def contract_report(markdown: str = CONTRACT_MARKDOWN, **changes: object) -> Report:
    fields: dict[str, object] = {
        "name": "2020年度社会保障专项绩效自评报告",
        "title": "2020年度社会保障专项绩效自评报告",
        "markdown": markdown,
        "unit": UNIT,
        "date": DATE,
        "signature": (UNIT, DATE),
    }
    fields.update(changes)
    return Report(**fields)  # type: ignore[arg-type]


def open_docx(data: bytes):  # -> docx.document.Document
    return Document(io.BytesIO(data))


@pytest.fixture(scope="module")
def contract_docx() -> bytes:
    return render_docx(contract_report())


@pytest.fixture(scope="module")
def seed_report() -> Report:
    from reportgen.evaluation.scoring import evaluate
    from reportgen.loaders import load
    from reportgen.narrative import compose

    return compose(evaluate(load(SEED_EXAMPLE)))


@pytest.fixture(scope="module")
def seed_docx(seed_report: Report) -> bytes:
    return render_docx(seed_report)


def styled(doc) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in doc.paragraphs]


def east_asia_font(style) -> str | None:
    rpr = style.element.rPr
    return rpr.rFonts.get(qn("w:eastAsia")) if rpr is not None and rpr.rFonts is not None else None


# -- structure ---------------------------------------------------------------------------------


def test_headings_paragraphs_and_signature_get_their_styles(contract_docx: bytes) -> None:
    paragraphs = styled(open_docx(contract_docx))
    assert paragraphs[:4] == [
        ("Title", "2020年度社会保障专项绩效自评报告"),
        ("Heading 1", "一、基本情况"),
        ("Heading 2", "（一）项目概况"),
        ("Normal", f"社会保障专项的主管部门为花山街道办事处。{UNIT}负责组织实施。"),
    ]
    assert ("Heading 3", "1. 资金情况") in paragraphs
    assert paragraphs[-2:] == [("Signature", UNIT), ("Signature", DATE)]
    # the unit's name inside a body paragraph does not make that paragraph a signature
    assert sum(1 for style, _ in paragraphs if style == "Signature") == 2


def test_backslash_escapes_come_out_as_plain_characters(contract_docx: bytes) -> None:
    doc = open_docx(contract_docx)
    texts = [p.text for p in doc.paragraphs]
    assert "预算数2,440.91万元，执行率100%，含*星号*、a_b、#号和“引号”，以及加粗与强调。" in texts
    assert "1. 这一段以编号开头，但不是列表。" in texts
    assert doc.tables[0].cell(2, 0).text == "管道|符号"
    assert "\\" not in "".join(texts)


def test_emphasis_becomes_bold_runs(contract_docx: bytes) -> None:
    doc = open_docx(contract_docx)
    paragraph = next(p for p in doc.paragraphs if "加粗" in p.text)
    bold = ["".join(r.text for r in paragraph.runs if r.bold)]
    assert bold == ["加粗强调"]
    assert all(not r.bold for r in paragraph.runs if "预算数" in r.text)


def test_lists_keep_their_markers_as_text(contract_docx: bytes) -> None:
    texts = [p.text for p in open_docx(contract_docx).paragraphs]
    assert texts[texts.index("1. 第一条措施。") + 1] == "2. 第二条措施。"
    assert "• 要点甲" in texts


def test_signature_style_is_right_aligned_and_keeps_together(contract_docx: bytes) -> None:
    style = open_docx(contract_docx).styles["Signature"]
    assert style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert style.paragraph_format.first_line_indent == 0
    assert style.paragraph_format.keep_with_next is True
    assert style.element.pPr.find(qn("w:contextualSpacing")) is not None


def test_no_signature_without_report_signature(contract_docx: bytes) -> None:
    doc = open_docx(render_docx(contract_report(signature=())))
    assert "Signature" not in {p.style.name for p in doc.paragraphs}


def test_signature_that_is_not_at_the_end_is_not_styled() -> None:
    markdown = f"# 标题\n\n{UNIT}\n\n{DATE}\n\n## 附表\n\n正文。\n"
    doc = open_docx(render_docx(contract_report(markdown)))
    assert "Signature" not in {p.style.name for p in doc.paragraphs}


# -- fonts, sizes, indents, line spacing ------------------------------------------------------

EXPECTED_FONTS = {
    "Normal": ("仿宋_GB2312", 16),
    "Title": ("方正小标宋简体", 22),
    "Heading 1": ("黑体", 16),
    "Heading 2": ("楷体_GB2312", 16),
    "Heading 3": ("仿宋_GB2312", 16),
    "Signature": ("仿宋_GB2312", 16),
    "Footer": ("宋体", 14),
    "表格文字": ("仿宋_GB2312", 10.5),
    "表格表头": ("黑体", 10.5),
    "报告表格": ("仿宋_GB2312", 10.5),
}


@pytest.mark.parametrize("name", sorted(EXPECTED_FONTS))
def test_every_style_names_its_east_asian_font(contract_docx: bytes, name: str) -> None:
    style = open_docx(contract_docx).styles[name]
    east_asia, size = EXPECTED_FONTS[name]
    assert east_asia_font(style) == east_asia
    assert style.font.size == Pt(size)
    fonts = style.element.rPr.rFonts
    assert fonts.get(qn("w:ascii")) and fonts.get(qn("w:hAnsi"))


def test_styles_part_has_no_theme_fonts_and_is_zh_cn(contract_docx: bytes) -> None:
    doc = open_docx(contract_docx)
    styles = doc.styles.element
    xml = etree.tostring(styles, encoding="unicode")
    assert "Theme=" not in xml and "w:cstheme" not in xml  # theme fonts would override w:eastAsia
    defaults = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert defaults.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
    assert defaults.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋_GB2312"
    # every paragraph and table style carries an East Asian face of its own
    for style in styles.findall(qn("w:style")):
        if style.get(qn("w:type")) in ("paragraph", "table") and style.get(qn("w:styleId")) != "TableNormal":
            assert style.find(qn("w:rPr")).find(qn("w:rFonts")).get(qn("w:eastAsia")), style.get(qn("w:styleId"))
    theme_lang = doc.settings.element.find(qn("w:themeFontLang"))
    assert theme_lang.get(qn("w:eastAsia")) == "zh-CN"


def test_body_text_indent_and_fixed_line_spacing(contract_docx: bytes) -> None:
    styles = open_docx(contract_docx).styles
    for name in ("Normal", "Heading 1", "Heading 2", "Heading 3"):
        fmt = styles[name].paragraph_format
        assert fmt.first_line_indent == Pt(32), name  # two characters of 16 pt
        assert fmt.line_spacing_rule == WD_LINE_SPACING.EXACTLY, name
        assert fmt.line_spacing == Pt(29), name  # the pitch report.css uses: 22 lines in 225 mm
        assert styles[name].element.pPr.find(qn("w:ind")).get(qn("w:firstLineChars")) == "200"
    assert styles["Normal"].paragraph_format.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    title = styles["Title"].paragraph_format
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert title.first_line_indent == 0
    # bold as well as the face, so the hierarchy survives when one face stands in for all of them
    assert all(styles[name].font.bold is True for name in ("Title", "Heading 1", "Heading 2", "Heading 3"))
    assert styles["Normal"].font.bold is False
    outline = [styles[f"Heading {n}"].element.pPr.find(qn("w:outlineLvl")).get(qn("w:val")) for n in (1, 2, 3)]
    assert outline == ["0", "1", "2"]


def test_no_direct_formatting_on_paragraphs(contract_docx: bytes) -> None:
    body = open_docx(contract_docx).element.body
    for ppr in body.iter(qn("w:pPr")):
        in_table = ppr.getparent().getparent().tag == qn("w:tc")
        allowed = {qn("w:pStyle")} | ({qn("w:jc")} if in_table else set())  # GFM column alignment
        assert {child.tag for child in ppr} <= allowed


def test_page_is_a4_with_official_margins(contract_docx: bytes) -> None:
    section = open_docx(contract_docx).sections[0]
    assert section.orientation == WD_ORIENT.PORTRAIT
    for value, mm in (
        (section.page_width, 210),
        (section.page_height, 297),
        (section.top_margin, 37),
        (section.bottom_margin, 35),
        (section.left_margin, 28),
        (section.right_margin, 26),
    ):
        assert abs(value - Mm(mm)) < Mm(0.1)


def test_footer_has_centred_page_number_field(contract_docx: bytes) -> None:
    footer = open_docx(contract_docx).sections[0].footer
    paragraph = footer.paragraphs[0]
    assert paragraph.style.name == "Footer"
    assert paragraph.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert paragraph.text == "— 1 —"
    instr = [el.text for el in paragraph._p.iter(qn("w:instrText"))]
    assert instr == [" PAGE "]
    kinds = [el.get(qn("w:fldCharType")) for el in paragraph._p.iter(qn("w:fldChar"))]
    assert kinds == ["begin", "separate", "end"]


# -- tables ----------------------------------------------------------------------------------


def test_table_has_style_header_repeat_unsplittable_rows_and_a4_widths(contract_docx: bytes) -> None:
    doc = open_docx(contract_docx)
    table = doc.tables[0]
    assert table.style.name == "报告表格"
    borders = table.style.element.find(qn("w:tblPr")).find(qn("w:tblBorders"))
    assert {b.get(qn("w:val")) for b in borders} == {"single"} and len(borders) == 6
    rows = table._tbl.findall(qn("w:tr"))
    assert rows[0].trPr.find(qn("w:tblHeader")) is not None
    assert all(r.trPr.find(qn("w:tblHeader")) is None for r in rows[1:])
    assert all(r.trPr.find(qn("w:cantSplit")) is not None for r in rows)
    grid = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert sum(grid) == TEXT_WIDTH_TWIPS
    assert abs(Mm(156) - sum(grid) * 635) < Mm(0.1)  # one twip is 635 EMU
    assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    assert [[c.text for c in row.cells] for row in table.rows] == [
        ["指标", "目标值", "得分"],
        ["年组织开展群众文体活动", "≥2次/年", "1"],
        ["管道|符号", "100%", "2"],
    ]
    assert [p.style.name for p in table.rows[0].cells[0].paragraphs] == ["表格表头"]
    assert [p.style.name for p in table.rows[1].cells[0].paragraphs] == ["表格文字"]
    # the GFM ---: column keeps its right alignment in the body, the header stays centred
    assert table.rows[1].cells[2].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert table.rows[0].cells[2].paragraphs[0].alignment is None


def test_two_tables_in_a_row_are_kept_apart() -> None:
    table = "| 甲 | 乙 |\n| --- | --- |\n| 1 | 2 |\n"
    doc = open_docx(render_docx(contract_report(f"# 标题\n\n{table}\n{table}", signature=())))
    body = [el.tag.split("}")[1] for el in doc.element.body]
    assert body == ["p", "tbl", "p", "tbl", "p", "sectPr"]


def test_column_widths_fill_the_text_width_and_favour_long_columns() -> None:
    header = ["一级指标", "二级指标", "三级指标", "分值", "年度目标值", "实际完成值", "得分"]
    rows = [
        [
            "产出指标",
            "数量指标",
            "办公用房、活动室的建设和维修社区数量",
            "2",
            "≥2次/年",
            "各社区开展手工、绘画等文化活动97次",
            "2",
        ],
        [
            "效益指标",
            "社会效益指标",
            "宣传贯彻好党的十九大精神",
            "4",
            "开展好“三会一课”、主题党日，大力推进“红色引擎工程”",
            "全面规范“三会一课”、组织生活会等机制，着力打造精简实用、规范有序的红色阵地",
            "4",
        ],
    ]
    widths = table_widths([header, *rows])
    assert sum(widths) == TEXT_WIDTH_TWIPS
    first, second, name, weight, target, actual, score = widths
    assert min(name, target, actual) > max(first, weight, score)
    assert weight < first and score < first
    # a short table is spread over the full width too
    assert sum(table_widths([["项目", "内容"], ["项目名称", "社会保障专项"]])) == TEXT_WIDTH_TWIPS


def test_column_widths_of_very_wide_tables_still_fit() -> None:
    header = [f"第{n}列很长的表头文字" for n in range(12)]
    widths = table_widths([header, ["2,440,000,000.91万元"] * 12])
    assert sum(widths) == TEXT_WIDTH_TWIPS and all(w > 0 for w in widths)


def test_vertical_merges_join_leading_empty_cells_only() -> None:
    rows = [
        ["一级", "二级", "三级", "得分"],
        ["产出指标", "数量指标", "甲", "2"],
        ["", "", "乙", "2"],
        ["", "质量指标", "丙", "1"],
        ["合计", "", "", "98"],
    ]
    assert vertical_merges(rows) == [
        [None, None, None, None],
        ["restart", "restart", None, None],
        ["continue", "continue", None, None],
        ["continue", None, None, None],
        [None, None, None, None],
    ]
    # the header row never starts a merge
    assert vertical_merges([["甲", "乙"], ["", "1"]]) == [[None, None], [None, None]]


# -- the seed example's real report -------------------------------------------------------------


def test_seed_report_structure_and_fonts(seed_report: Report, seed_docx: bytes) -> None:
    doc = open_docx(seed_docx)
    paragraphs = styled(doc)
    assert paragraphs[0] == ("Title", seed_report.title)
    headings1 = [text for style, text in paragraphs if style == "Heading 1"]
    assert headings1[:3] == ["一、基本情况", "二、绩效目标实现情况", "三、综合评价结论"]
    assert [text for style, text in paragraphs if style == "Signature"] == list(seed_report.signature)
    assert {style for style, _ in paragraphs} <= {"Title", "Heading 1", "Heading 2", "Heading 3", "Normal", "Signature",
                                                  "附件说明", "附件标识", "附件标题"}
    assert "经自评，社会保障专项综合得分98分（满分100分），按评分标准自评等级为“优”。" in [t for _, t in paragraphs]
    # every paragraph's style resolves to an East Asian face (its own, or Normal's)
    for paragraph in doc.paragraphs:
        assert east_asia_font(paragraph.style) or east_asia_font(doc.styles["Normal"])


def test_seed_appendix_table(seed_docx: bytes) -> None:
    doc = open_docx(seed_docx)
    table = doc.tables[-1]
    header = [c.text for c in table.rows[0].cells]
    assert header == ["一级指标", "二级指标", "三级指标", "分值", "年度目标值", "实际完成值", "得分"]
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert ["预算执行", "—", "预算执行率", "20", "—", "100%", "20"] in rows
    assert ["产出指标", "数量指标", "年组织开展群众文体活动", "2", "≥2次/年", "1次/年", "1"] in rows
    assert rows[-1] == ["合计", "", "", "100", "", "", "98"]
    assert len(rows) == 1 + 1 + 27 + 1  # header, budget, 27 indicators, total
    tbl = table._tbl
    assert tbl.findall(qn("w:tr"))[0].trPr.find(qn("w:tblHeader")) is not None
    assert all(tr.trPr.find(qn("w:cantSplit")) is not None for tr in tbl.findall(qn("w:tr")))
    widths = [int(c.get(qn("w:w"))) for c in tbl.tblGrid.findall(qn("w:gridCol"))]
    assert sum(widths) == TEXT_WIDTH_TWIPS
    assert min(widths[2], widths[4], widths[5]) > max(widths[0], widths[3], widths[6])
    # 产出指标 spans its rows: the label is written once, the cells below continue it
    merges = [tc.tcPr.find(qn("w:vMerge")) for tc in (tr.findall(qn("w:tc"))[0] for tr in tbl.findall(qn("w:tr")))]
    assert [m.get(qn("w:val")) if m is not None else None for m in merges[2:4]] == ["restart", "continue"]


def test_seed_core_properties(seed_report: Report, seed_docx: bytes) -> None:
    props = open_docx(seed_docx).core_properties
    assert props.title == seed_report.title
    assert props.author == UNIT
    assert props.created == props.modified == datetime(2021, 6, 30, tzinfo=UTC)
    assert props.revision == 1
    assert props.last_printed is None
    assert props.language == "zh-CN"


def test_seed_docx_is_reproducible_and_small(seed_report: Report, seed_docx: bytes) -> None:
    again = DocxRenderer().render(seed_report)
    assert again == seed_docx
    assert len(seed_docx) <= 100 * 1024
    with zipfile.ZipFile(io.BytesIO(seed_docx)) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert "docProps/thumbnail.jpeg" not in names and "word/stylesWithEffects.xml" not in names


def test_one_renderer_serves_many_reports(seed_report: Report, seed_docx: bytes) -> None:
    renderer = DocxRenderer()
    other = renderer.render(contract_report())
    assert renderer.render(seed_report) == seed_docx
    assert renderer.render(contract_report()) == other
    assert len(open_docx(other).tables) == 1


@pytest.mark.parametrize("path", example_paths(), ids=lambda p: p.stem)
def test_every_example_renders(path: Path) -> None:
    from reportgen.evaluation.scoring import evaluate
    from reportgen.loaders import load
    from reportgen.narrative import compose

    report = compose(evaluate(load(path)))
    doc = open_docx(render_docx(report))
    assert doc.paragraphs[0].text == report.title
    assert doc.tables


# -- errors and odd input -----------------------------------------------------------------------


def test_control_character_is_a_render_error_with_its_line() -> None:
    with pytest.raises(RenderError) as caught:
        render_docx(contract_report("# 标题\n\n正常段落。\n\n坏\x07字符\n"))
    assert caught.value.where == "2020年度社会保障专项绩效自评报告.md:5"
    assert "U+0007" in caught.value.message and caught.value.hint


def test_raw_html_is_kept_as_text() -> None:
    doc = open_docx(render_docx(contract_report("# 标题\n\n<b>不是标签</b> &amp; 实体\n", signature=())))
    assert doc.paragraphs[1].text == "<b>不是标签</b> & 实体"


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("2021年6月30日", datetime(2021, 6, 30)),
        ("【待补充：填报日期】", datetime(2000, 1, 1)),
        (None, datetime(2000, 1, 1)),
        ("2021年2月30日", datetime(2000, 1, 1)),
    ],
)
def test_report_datetime(date: str | None, expected: datetime) -> None:
    assert report_datetime(date) == expected


# -- LibreOffice ------------------------------------------------------------------------------

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


NO_SOFFICE = "未安装 LibreOffice (soffice)，跳过 docx→PDF 转换测试 / soffice not installed"


@pytest.mark.skipif(SOFFICE is None, reason=NO_SOFFICE)
def test_libreoffice_converts_the_seed_report(seed_report: Report, seed_docx: bytes, tmp_path: Path) -> None:
    source = tmp_path / "seed.docx"
    source.write_bytes(seed_docx)
    profile = (tmp_path / "lo-profile").as_uri()  # a private profile: no clash with a running LibreOffice
    result = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    pdf = tmp_path / "seed.pdf"
    assert result.returncode == 0 and pdf.exists(), result.stderr
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert seed_report.title in text.replace(" ", "")
        assert re.search(r"—\s*1\s*—", text) and "一级指标" in text  # pdftotext drops the spaces


def test_placeholders_are_highlighted_in_word(tmp_path: Path) -> None:
    from reportgen import render as compose_report

    data = render_docx(compose_report(SEED_EXAMPLE))
    doc = Document(io.BytesIO(data))
    runs = [r for p in doc.paragraphs for r in p.runs if r.text.startswith("【待补充")]
    assert runs and all(r.font.highlight_color is not None for r in runs)


# -- the 公文 structure: body, 附件 note, 落款, then the attachments ------------------------------------


def _blocks(doc) -> list[tuple[str, str]]:
    """Paragraphs and tables in document order: (style or "table", text)."""
    from docx.table import Table

    out = []
    for block in doc.iter_inner_content():
        if isinstance(block, Table):
            out.append(("table", block.rows[0].cells[0].text))
        else:
            out.append((block.style.name, block.text))
    return out


def test_signature_closes_the_body_before_the_attachment(seed_report: Report, seed_docx: bytes) -> None:
    blocks = _blocks(open_docx(seed_docx))
    order = [style for style, _ in blocks]
    note = blocks.index(("附件说明", "附件：绩效指标完成情况表"))
    unit, date = (blocks.index(("Signature", s)) for s in seed_report.signature)
    label = blocks.index(("附件标识", "附件"))
    assert note < unit < date < label
    assert blocks[label + 1] == ("附件标题", "绩效指标完成情况表")
    assert order[label + 2] == "table" and "table" not in order[:label]
    assert "Signature" not in order[label:]
    label_p = open_docx(seed_docx).paragraphs[[p.text for p in open_docx(seed_docx).paragraphs].index("附件")]
    assert label_p._p.pPr.find(qn("w:pageBreakBefore")) is not None  # the attachment starts a page


def test_cover_has_the_fields_a_bureau_expects(seed_report: Report) -> None:
    doc = open_docx(render_docx(seed_report, cover=True))
    texts = [(p.style.name, p.text) for p in doc.paragraphs]
    assert texts[0] == ("封面标题", seed_report.title)
    fields = [t for s, t in texts if s == "封面项目"]
    assert fields == ["项目名称：社会保障专项", "主管部门：花山街道办事处", "实施单位：花山街社区办、民政办",
                      "评价年度：2020年度", "报告日期：2021年6月30日"]
    units = [t for s, t in texts if s == "封面单位"]
    assert units == [seed_report.unit, "（盖章）"]
    sect = doc.element.body.find(qn("w:sectPr"))
    assert sect.find(qn("w:titlePg")) is not None and sect.find(qn("w:pgNumType")).get(qn("w:start")) == "0"
    assert [t for s, t in texts].index(seed_report.title, 1) > [t for s, t in texts].index("（盖章）")


def test_toc_is_a_word_field_updated_on_opening(seed_report: Report) -> None:
    data = render_docx(seed_report, toc=True)
    doc = open_docx(data)
    assert doc.paragraphs[0].style.name == "TOC Heading" and doc.paragraphs[0].text == "目录"
    instr = "".join(doc.paragraphs[1]._p.itertext())
    assert 'TOC \\o "1-2"' in instr
    assert doc.settings.element.find(qn("w:updateFields")).get(qn("w:val")) == "true"


def test_final_prints_no_highlight_and_refuses_gaps(seed_report: Report) -> None:
    with pytest.raises(RenderError, match="不能生成定稿"):
        render_docx(seed_report, final=True)
    clean = contract_report(CONTRACT_MARKDOWN.replace("预算数2,440.91万元", "预算数【待补充：预算数】"))
    drafted = render_docx(clean)
    assert b"w:highlight" in zipfile.ZipFile(io.BytesIO(drafted)).read("word/document.xml")
    from reportgen.renderers.docx import DocxRenderer as Renderer

    final = Renderer()._render(clean, cover=False, toc=False, final=True, attachments=())
    assert b"w:highlight" not in zipfile.ZipFile(io.BytesIO(final)).read("word/document.xml")


def test_form_attachment_follows_as_the_second_attachment(seed_report: Report) -> None:
    from reportgen.renderers.form_table import attachments

    doc = open_docx(render_docx(seed_report, attachments=attachments(seed_report, ("form",))))
    texts = [(p.style.name, p.text) for p in doc.paragraphs]
    assert ("附件说明", "附件：1. 绩效指标完成情况表") in texts and ("附件说明", "2. 项目支出绩效自评表") in texts
    assert [t for s, t in texts if s == "附件标识"] == ["附件1", "附件2"]
    starts = [t.rows[0].cells[0].text for t in doc.tables]
    assert starts.index("项目名称") > starts.index("一级指标")  # the form comes after the report's own table
    last = [c.text for c in doc.tables[-1].rows[0].cells]
    assert last[:3] == ["一级指标", "二级指标", "三级指标"] and last[-1] == "偏差原因分析及改进措施"
