"""Render a Report as a Word document in the official-document (GB/T 9704-2012) look.

The .docx is built from ``report.markdown`` alone, parsed with markdown-it-py exactly as the HTML
renderer parses it, so Word shows the same wording as every other format. Layout lives in real
Word styles (Title, heading 1–3, Normal, Signature, a bordered table style), never in direct
formatting, so users can restyle the whole document in Word.

The output is byte-for-byte reproducible: core properties are fixed (dates come from the report's
date) and the zip is rewritten with fixed timestamps.

Heading levels map ``#`` → Title, ``##`` (一、) → heading 1, ``###`` （一） → heading 2,
``####`` (1.) and deeper → heading 3; paragraphs → Normal; the trailing paragraphs listed in
``Report.signature`` → Signature; tables → 报告表格 with 表格表头/表格文字 paragraphs.
"""

from __future__ import annotations

import functools
import re
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from typing import TYPE_CHECKING

from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm
from lxml import etree
from markdown_it import MarkdownIt

from ..errors import RenderError

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from markdown_it.token import Token

    from ..report import Report

__all__ = ["DocxRenderer", "render_docx"]

# -- page geometry (GB/T 9704-2012 §5.2: A4, 版心 156 mm × 225 mm, 天头 37 mm, 订口 28 mm) ------------
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Mm(37), Mm(35), Mm(28), Mm(26)
# the page number sits about 7 mm below the text block: 35 mm − 7 mm − one 14 pt line ≈ 22 mm
FOOTER_DISTANCE = Mm(22)
HEADER_DISTANCE = Mm(15)
TWIPS_PER_MM = 1440 / 25.4
TEXT_WIDTH_TWIPS = int((210 - 28 - 26) * TWIPS_PER_MM)  # 156 mm

# -- fonts and sizes (GB/T 9704 §7; sizes in half-points: 二号 22 pt = 44, 三号 16 pt = 32) ----------
LATIN_FONT = "Times New Roman"
TITLE_FONT = "方正小标宋简体"
HEADING1_FONT = "黑体"
HEADING2_FONT = "楷体_GB2312"
BODY_FONT = "仿宋_GB2312"
PAGE_NUMBER_FONT = "宋体"
TABLE_FONT_SIZE_PT = 10.5  # 五号: the appendix rows hold long free text; 三号 would not fit 7 columns
CELL_MARGIN_TWIPS = 85  # 1.5 mm each side

# Chinese faces Word may not have: charset 86 (GB2312) makes Word substitute a Chinese face, and
# altName names the common one (方正小标宋简体 falls back to 宋体, as the issue asks).
_FONT_TABLE: tuple[tuple[str, str | None, str, str, str], ...] = (
    # name, altName, panose, family, pitch
    (LATIN_FONT, None, "02020603050405020304", "roman", "variable"),
    (PAGE_NUMBER_FONT, "SimSun", "02010600030101010101", "auto", "variable"),
    (TITLE_FONT, "宋体", "02000000000000000000", "auto", "variable"),
    (HEADING1_FONT, "SimHei", "02010609060101010101", "modern", "fixed"),
    (HEADING2_FONT, "楷体", "02010609030101010101", "modern", "fixed"),
    (BODY_FONT, "仿宋", "02010609030101010101", "modern", "fixed"),
)

# style ids (names are what Word shows; built-in names are localised by Word itself)
TITLE, HEADING1, HEADING2, HEADING3 = "Title", "Heading1", "Heading2", "Heading3"
NORMAL, SIGNATURE, FOOTER = "Normal", "Signature", "Footer"
TABLE_STYLE, TABLE_HEADING, TABLE_TEXT = "ReportTable", "TableHeading", "TableText"

_HEADING_STYLES = {"h1": TITLE, "h2": HEADING1, "h3": HEADING2}  # h4 and deeper → HEADING3

_DROPPED_PARTS = (
    RT.THUMBNAIL,
    RT.CUSTOM_XML,
    RT.NUMBERING,
    "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects",
)
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_FALLBACK_DATE = datetime(2000, 1, 1)
_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
# characters XML 1.0 cannot carry; lxml would raise a bare ValueError on them
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ALIGN = re.compile(r"text-align:\s*(left|center|right)")


def markdown_parser() -> MarkdownIt:
    """Build the parser every renderer uses: CommonMark, raw HTML off, GFM tables on."""
    return MarkdownIt("commonmark", {"html": False}).enable("table")


# ---------------------------------------------------------------------------------------------
# the styles part
# ---------------------------------------------------------------------------------------------


def _rpr(east_asia: str, size_pt: float, *, latin: str = LATIN_FONT, bold: bool = False) -> str:
    """Run properties naming both faces; hint=eastAsia sends shared glyphs (“”—…) to the Chinese face."""
    half_points = round(size_pt * 2)
    weight = "<w:b/><w:bCs/>" if bold else '<w:b w:val="0"/><w:bCs w:val="0"/>'
    return (
        f'<w:rPr><w:rFonts w:ascii="{latin}" w:hAnsi="{latin}" w:eastAsia="{east_asia}" w:cs="{latin}"'
        f' w:hint="eastAsia"/>{weight}<w:kern w:val="0"/>'
        f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/></w:rPr>'
    )


def _ppr(
    *,
    size_pt: float,
    jc: str = "both",
    line_twips: int | None = None,
    indent_chars: int = 0,
    right_chars: int = 0,
    before: int = 0,
    after: int = 0,
    keep_next: bool = False,
    contextual: bool = False,
    outline: int | None = None,
) -> str:
    """Paragraph properties, children in schema order (Word rejects files that mix it up).

    Indents are in hundredths of a character (so 2 characters stay 2 characters if the user
    changes the font size), with the twips value beside them for readers that ignore *Chars.
    """
    char_twips = size_pt * 20
    line = f'w:line="{line_twips}" w:lineRule="exact"' if line_twips else 'w:line="240" w:lineRule="auto"'
    return (
        "<w:pPr>"
        + ("<w:keepNext/><w:keepLines/>" if keep_next else "")
        # the fixed 28 pt grid of 22 lines a page matters more than widow/orphan rules
        + '<w:widowControl w:val="0"/>'
        # no automatic gap between Chinese and Latin letters or digits: official prose writes 2,440.91万元 tight
        + '<w:autoSpaceDE w:val="0"/><w:autoSpaceDN w:val="0"/>'
        + f'<w:spacing w:before="{before}" w:after="{after}" {line}/>'
        + f'<w:ind w:firstLineChars="{indent_chars}" w:firstLine="{round(indent_chars / 100 * char_twips)}"'
        f' w:rightChars="{right_chars}" w:right="{round(right_chars / 100 * char_twips)}"/>'
        + ("<w:contextualSpacing/>" if contextual else "")
        + f'<w:jc w:val="{jc}"/>'
        + (f'<w:outlineLvl w:val="{outline}"/>' if outline is not None else "")
        + "</w:pPr>"
    )


def _style(
    kind: str,
    style_id: str,
    name: str,
    props: str,
    *,
    aliases: str | None = None,
    based_on: str | None = None,
    next_style: str | None = None,
    priority: int = 99,
    default: bool = False,
    hidden: bool = False,
) -> str:
    """One w:style element; ``props`` are its pPr/rPr/tblPr children."""
    default_attr = ' w:default="1"' if default else ""
    return (
        f'<w:style w:type="{kind}" w:styleId="{style_id}"{default_attr}><w:name w:val="{name}"/>'
        + (f'<w:aliases w:val="{aliases}"/>' if aliases else "")
        + (f'<w:basedOn w:val="{based_on}"/>' if based_on else "")
        + (f'<w:next w:val="{next_style}"/>' if next_style else "")
        + f'<w:uiPriority w:val="{priority}"/>'
        + ("<w:semiHidden/><w:unhideWhenUsed/>" if hidden else "<w:qFormat/>")
        + props
        + "</w:style>"
    )


def _cell_margins(top: int, side: int) -> str:
    """Return table cell margins in twips (top/bottom, left/right)."""
    return (
        f'<w:tblCellMar><w:top w:w="{top}" w:type="dxa"/><w:left w:w="{side}" w:type="dxa"/>'
        f'<w:bottom w:w="{top}" w:type="dxa"/><w:right w:w="{side}" w:type="dxa"/></w:tblCellMar>'
    )


def _styles_xml(latent_styles: str) -> str:
    """Return the whole styles part: defaults in zh-CN, and only the styles a report uses."""
    line = 560  # 28 pt fixed line spacing: 22 lines in the 225 mm text block
    table_pt = TABLE_FONT_SIZE_PT
    borders = "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    heading = {"based_on": NORMAL, "next_style": NORMAL, "priority": 9}
    styles = [
        _style(
            "paragraph",
            NORMAL,
            "Normal",
            _ppr(size_pt=16, line_twips=line, indent_chars=200) + _rpr(BODY_FONT, 16),
            priority=0,
            default=True,
        ),
        _style(
            "character", "DefaultParagraphFont", "Default Paragraph Font", "", priority=1, default=True, hidden=True
        ),
        _style(
            "table",
            "TableNormal",
            "Normal Table",
            "<w:tblPr>" + _cell_margins(0, 108) + "</w:tblPr>",
            default=True,
            hidden=True,
        ),
        _style("numbering", "NoList", "No List", "", default=True, hidden=True),
        _style(
            "paragraph",
            TITLE,
            "Title",
            _ppr(size_pt=22, jc="center", line_twips=720, after=line, keep_next=True) + _rpr(TITLE_FONT, 22),
            based_on=NORMAL,
            next_style=NORMAL,
            priority=10,
        ),
        _style(
            "paragraph",
            HEADING1,
            "heading 1",
            _ppr(size_pt=16, line_twips=line, indent_chars=200, keep_next=True, outline=0) + _rpr(HEADING1_FONT, 16),
            **heading,
        ),
        _style(
            "paragraph",
            HEADING2,
            "heading 2",
            _ppr(size_pt=16, line_twips=line, indent_chars=200, keep_next=True, outline=1) + _rpr(HEADING2_FONT, 16),
            **heading,
        ),
        _style(
            "paragraph",
            HEADING3,
            "heading 3",
            _ppr(size_pt=16, line_twips=line, indent_chars=200, keep_next=True, outline=2)
            + _rpr(BODY_FONT, 16, bold=True),
            **heading,
        ),
        # one blank line above the signature block; contextualSpacing drops it between the
        # signature paragraphs themselves, so the unit and the date stay together
        _style(
            "paragraph",
            SIGNATURE,
            "Signature",
            _ppr(size_pt=16, jc="right", line_twips=line, right_chars=200, before=line, keep_next=True, contextual=True)
            + _rpr(BODY_FONT, 16),
            based_on=NORMAL,
        ),
        _style(
            "paragraph",
            FOOTER,
            "footer",
            _ppr(size_pt=14, jc="center") + _rpr(PAGE_NUMBER_FONT, 14, latin=PAGE_NUMBER_FONT),
            based_on=NORMAL,
            hidden=True,
        ),
        _style(
            "paragraph",
            TABLE_TEXT,
            "表格文字",
            _ppr(size_pt=table_pt, jc="left") + _rpr(BODY_FONT, table_pt),
            aliases="Table Text",
            based_on=NORMAL,
        ),
        _style(
            "paragraph",
            TABLE_HEADING,
            "表格表头",
            _ppr(size_pt=table_pt, jc="center", keep_next=True) + _rpr(HEADING1_FONT, table_pt),
            aliases="Table Heading",
            based_on=TABLE_TEXT,
        ),
        _style(
            "table",
            TABLE_STYLE,
            "报告表格",
            _ppr(size_pt=table_pt, jc="left")
            + _rpr(BODY_FONT, table_pt)
            + f'<w:tblPr><w:jc w:val="center"/><w:tblBorders>{borders}</w:tblBorders>'
            + _cell_margins(28, CELL_MARGIN_TWIPS)
            + '</w:tblPr><w:tcPr><w:vAlign w:val="center"/></w:tcPr>',
            aliases="Report Table",
            based_on="TableNormal",
        ),
    ]
    defaults = (
        "<w:docDefaults><w:rPrDefault><w:rPr>"
        f'<w:rFonts w:ascii="{LATIN_FONT}" w:hAnsi="{LATIN_FONT}" w:eastAsia="{BODY_FONT}" w:cs="{LATIN_FONT}"'
        ' w:hint="eastAsia"/><w:kern w:val="0"/><w:sz w:val="32"/><w:szCs w:val="32"/>'
        # zh-CN, or LibreOffice picks the Japanese glyph forms of the Noto CJK faces
        '<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/>'
        "</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr>"
        '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>'
    )
    return f"<w:styles {nsdecls('w')}>{defaults}{latent_styles}{''.join(styles)}</w:styles>"


def _font_table_xml() -> bytes:
    """Return the font table part: the faces the styles name, declared as Chinese (charset 86)."""
    fonts = []
    for name, alt, panose, family, pitch in _FONT_TABLE:
        charset = "00" if name == LATIN_FONT else "86"
        alt_xml = f'<w:altName w:val="{alt}"/>' if alt else ""
        fonts.append(
            f'<w:font w:name="{name}">{alt_xml}<w:panose1 w:val="{panose}"/><w:charset w:val="{charset}"/>'
            f'<w:family w:val="{family}"/><w:pitch w:val="{pitch}"/></w:font>'
        )
    xml = f"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n<w:fonts {nsdecls('w')}>{''.join(fonts)}</w:fonts>"
    return xml.encode()


_FONT_TABLE_XML = _font_table_xml()
_APP_XML = (
    b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    b"<Application>reportgen</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>"
    b"<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
    b"<HyperlinksChanged>false</HyperlinksChanged></Properties>"
)


def _build_base() -> bytes:
    """Turn python-docx's default template into the official-document template, saved as bytes."""
    doc = Document()
    # the template's thumbnail shows an empty page, stylesWithEffects and numbering refer to
    # styles we drop, customXml is Word-for-Mac residue: none of them belong in a report
    for rels in (doc.part.package.rels, doc.part.rels):
        for rid, rel in list(rels.items()):
            if rel.reltype in _DROPPED_PARTS:
                del rels[rid]

    styles = doc.styles.element
    latent = styles.find(qn("w:latentStyles"))
    latent_xml = etree.tostring(latent, encoding="unicode") if latent is not None else ""
    for child in list(styles):
        styles.remove(child)
    styles.extend(list(parse_xml(_styles_xml(latent_xml))))

    settings = doc.settings.element
    for tag in ("w:savePreviewPicture", "w:rsids", "w:proofState"):
        for el in settings.findall(qn(tag)):
            settings.remove(el)
    lang = settings.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")

    section = doc.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
    section.header_distance, section.footer_distance = HEADER_DISTANCE, FOOTER_DISTANCE
    section.gutter = 0
    sect_pr = doc.element.body.find(qn("w:sectPr"))
    for attr in ("w:rsidR", "w:rsidRPr", "w:rsidSect"):
        sect_pr.attrib.pop(qn(attr), None)
    # python-docx has no API for fields: fill the footer paragraph's XML directly
    _add_page_number(section.footer.paragraphs[0]._p)
    out = BytesIO()
    doc.save(out)
    # python-docx keeps app.xml and fontTable.xml as opaque blobs: replace them in the package
    return _fixed_zip(out.getvalue(), {"docProps/app.xml": _APP_XML, "word/fontTable.xml": _FONT_TABLE_XML})


def _add_page_number(p: etree._Element) -> None:
    """Fill the footer paragraph with “— N —”, N a PAGE field, centred by the footer style."""
    for child in list(p):
        p.remove(child)
    etree.SubElement(etree.SubElement(p, qn("w:pPr")), qn("w:pStyle")).set(qn("w:val"), FOOTER)
    _text_run(p, "— ")
    for kind in ("begin", None, "separate", "1", "end"):
        r = etree.SubElement(p, qn("w:r"))
        if kind is None:
            instr = etree.SubElement(r, qn("w:instrText"))
            instr.set(_XML_SPACE, "preserve")
            instr.text = " PAGE "
        elif kind == "1":
            etree.SubElement(r, qn("w:t")).text = "1"  # what readers show before fields are updated
        else:
            etree.SubElement(r, qn("w:fldChar")).set(qn("w:fldCharType"), kind)
    _text_run(p, " —")


# ---------------------------------------------------------------------------------------------
# Markdown → body elements
# ---------------------------------------------------------------------------------------------


@dataclass
class _Span:
    """A stretch of inline text with one look; ``text`` None means a line break."""

    text: str | None
    bold: bool = False


_PLACEHOLDER = re.compile(r"(【待补充[：:][^】]*】)")


def _text_run(p: etree._Element, text: str, bold: bool = False) -> None:
    """Append runs; 【待补充：…】 gaps are highlighted so an author finds them in Word."""
    for i, piece in enumerate(_PLACEHOLDER.split(text)):
        if piece:
            _one_run(p, piece, bold, highlight=i % 2 == 1)


def _one_run(p: etree._Element, text: str, bold: bool, highlight: bool) -> None:
    """Append one run; xml:space=preserve keeps leading, trailing and doubled spaces."""
    r = etree.SubElement(p, qn("w:r"))
    if bold or highlight:
        rpr = etree.SubElement(r, qn("w:rPr"))
        if bold:  # schema order: b, bCs … highlight
            etree.SubElement(rpr, qn("w:b"))
            etree.SubElement(rpr, qn("w:bCs"))
        if highlight:
            etree.SubElement(rpr, qn("w:highlight")).set(qn("w:val"), "yellow")
    t = etree.SubElement(r, qn("w:t"))
    t.text = text
    if text != text.strip() or "  " in text:
        t.set(_XML_SPACE, "preserve")


def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _spans(inline: Token) -> list[_Span]:
    """Flatten an inline token into spans; escapes and entities are already plain characters."""
    spans: list[_Span] = []
    bold = 0

    def add(text: str) -> None:
        if not text:
            return
        if spans and spans[-1].text is not None and spans[-1].bold == (bold > 0):
            spans[-1].text += text
        else:
            spans.append(_Span(text, bold > 0))

    for child in inline.children or ():
        kind = child.type
        if kind in ("text", "text_special", "code_inline", "html_inline"):
            add(child.content)
        elif kind in ("strong_open", "em_open"):
            bold += 1
        elif kind in ("strong_close", "em_close"):
            bold -= 1
        elif kind == "softbreak":
            # a soft line break between Chinese characters is no space at all; between Latin words it is one
            last = next((s.text for s in reversed(spans) if s.text), "")
            add("" if last and _is_wide(last[-1]) else " ")
        elif kind == "hardbreak":
            spans.append(_Span(None))
        elif kind == "image":
            add(child.content or "".join(c.content for c in child.children or ()))
        # link_open/link_close: the link text arrives as text children; no hyperlink is written
    return spans


def _plain(inline: Token) -> str:
    return "".join(s.text or "" for s in _spans(inline))


@dataclass
class _Cell:
    inline: Token
    align: str | None


def _text_width(text: str) -> float:
    """Width in characters of the table font: CJK and full-width count 1, Latin and digits ½."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in ("W", "F", "A") else 0.5 for ch in text)


def _longest_unbreakable(text: str) -> float:
    """Width of the longest run Word will not break (Latin words, numbers like 2,440.91)."""
    return max((_text_width(word) for word in re.findall(r"[\x21-\x7e]+", text)), default=0.0)


# Column sizing, in characters of the table font. A column may shrink to its header (so 三级指标 or
# 年度指标值 is not broken) or its longest number; it wants its longest cell, capped, so that free
# text does not starve the others. Spare width goes to the columns that want more, in proportion.
_MIN_HEADER_CHARS = 6.0
_WANT_CAP_CHARS = 18.0
_SLACK_CHARS = 0.4


def column_widths(
    header: Sequence[str], rows: Sequence[Sequence[str]], total_twips: int = TEXT_WIDTH_TWIPS
) -> list[int]:
    """Return column widths in twips that add up to ``total_twips`` (the A4 text width)."""
    columns = len(header)
    if columns == 0:
        return []
    char_twips = TABLE_FONT_SIZE_PT * 20
    padding = 2 * CELL_MARGIN_TWIPS
    least: list[float] = []
    want: list[float] = []
    for j, head in enumerate(header):
        cells = [row[j] for row in rows if j < len(row)]
        longest = max((_text_width(c) for c in [head, *cells]), default=0.0)
        unbreakable = max((_longest_unbreakable(c) for c in [head, *cells]), default=0.0)
        lo = max(1.0, min(_text_width(head), _MIN_HEADER_CHARS), min(unbreakable, _WANT_CAP_CHARS))
        hi = max(lo, min(longest, _WANT_CAP_CHARS))
        least.append((lo + _SLACK_CHARS) * char_twips + padding)
        want.append((hi + _SLACK_CHARS) * char_twips + padding)
    lo_sum, hi_sum = sum(least), sum(want)
    if hi_sum <= total_twips:
        widths = [w * total_twips / hi_sum for w in want]
    elif lo_sum >= total_twips:
        widths = [w * total_twips / lo_sum for w in least]
    else:
        spare = (total_twips - lo_sum) / (hi_sum - lo_sum)
        widths = [lo + (hi - lo) * spare for lo, hi in zip(least, want, strict=True)]
    result = [int(w) for w in widths]
    result[-1] += total_twips - sum(result)
    return result


class _BodyBuilder:
    """Walk the markdown-it token stream and turn its blocks into w:p and w:tbl elements."""

    def __init__(self, report: Report, tokens: list[Token]) -> None:
        self.report = report
        self.tokens = tokens
        self.elements: list[etree._Element] = []
        self.signature_at = self._signature_paragraphs()

    # -- signature --------------------------------------------------------------------------
    def _signature_paragraphs(self) -> set[int]:
        """Return the token indices of the closing paragraphs that Report.signature lists.

        They must end the document: the last top-level blocks, matched from the end, so a
        paragraph that merely repeats the unit's name elsewhere stays Normal.
        """
        wanted = [_unescape(s).strip() for s in self.report.signature]
        blocks = [i for i, t in enumerate(self.tokens) if t.level == 0 and t.nesting >= 0]
        found: set[int] = set()
        for index, text in zip(reversed(blocks), reversed(wanted), strict=False):
            tok = self.tokens[index]
            if tok.type != "paragraph_open" or _plain(self.tokens[index + 1]).strip() != text:
                break
            found.add(index)
        return found

    # -- walk ----------------------------------------------------------------------------------
    def build(self) -> list[etree._Element]:
        tokens = self.tokens
        lists: list[list[int | str | None]] = []  # per open list: [next number or None, delimiter]
        prefix = ""
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            kind = tok.type
            if kind == "heading_open":
                self._paragraph(_HEADING_STYLES.get(tok.tag, HEADING3), tokens[i + 1], tok)
                i += 3
                continue
            if kind == "paragraph_open":
                style = SIGNATURE if i in self.signature_at else NORMAL
                self._paragraph(style, tokens[i + 1], tok, prefix=prefix)
                prefix = ""
                i += 3
                continue
            if kind == "table_open":
                i = self._table(i)
                continue
            if kind in ("bullet_list_open", "ordered_list_open"):
                start = int(tok.attrs.get("start", 1)) if kind == "ordered_list_open" else None
                lists.append([start, tok.markup])
            elif kind in ("bullet_list_close", "ordered_list_close"):
                lists.pop()
            elif kind == "list_item_open" and lists:
                number, delimiter = lists[-1]
                if number is None:
                    prefix = "• "
                else:
                    prefix = f"{number}{delimiter} "
                    lists[-1][0] = int(number) + 1
            elif kind in ("code_block", "fence"):
                for line in tok.content.rstrip("\n").split("\n"):
                    self._plain_paragraph(NORMAL, line, tok)
            # blockquote wrappers, hr and anything else carry no text of their own
            i += 1
        if self.elements and self.elements[-1].tag == qn("w:tbl"):
            self._plain_paragraph(NORMAL, "", None)  # Word wants a paragraph after a final table
        return self.elements

    # -- blocks --------------------------------------------------------------------------------
    def _p(self, style: str) -> etree._Element:
        p = etree.Element(qn("w:p"))
        etree.SubElement(etree.SubElement(p, qn("w:pPr")), qn("w:pStyle")).set(qn("w:val"), style)
        return p

    def _fill(self, p: etree._Element, spans: list[_Span], where: Token | None) -> None:
        for span in spans:
            if span.text is None:
                etree.SubElement(etree.SubElement(p, qn("w:r")), qn("w:br"))
                continue
            bad = _XML_ILLEGAL.search(span.text)
            if bad:
                raise RenderError(
                    f"报告第{self._line(where)}行含有 Word 无法保存的控制字符 U+{ord(bad.group()):04X}",
                    where=f"{self.report.name}.md:{self._line(where)}",
                    hint="请在源数据中删除该字符后重新生成",
                )
            _text_run(p, span.text, span.bold)

    @staticmethod
    def _line(tok: Token | None) -> int:
        return tok.map[0] + 1 if tok is not None and tok.map else 0

    def _paragraph(self, style: str, inline: Token, block: Token, prefix: str = "") -> None:
        p = self._p(style)
        spans = _spans(inline)
        if prefix:
            spans.insert(0, _Span(prefix))
        self._fill(p, spans, block)
        self.elements.append(p)

    def _plain_paragraph(self, style: str, text: str, where: Token | None) -> None:
        p = self._p(style)
        self._fill(p, [_Span(text)] if text else [], where)
        self.elements.append(p)

    def _table(self, start: int) -> int:
        """Append one GFM table; return the index after table_close."""
        tokens = self.tokens
        rows: list[list[_Cell]] = []
        i = start + 1
        while tokens[i].type != "table_close":
            tok = tokens[i]
            if tok.type == "tr_open":
                rows.append([])
            elif tok.type in ("th_open", "td_open"):
                match = _ALIGN.search(str(tok.attrs.get("style", "")))
                rows[-1].append(_Cell(tokens[i + 1], match.group(1) if match else None))
                i += 3
                continue
            i += 1
        texts = [[_plain(c.inline) for c in row] for row in rows]
        widths = column_widths(texts[0], texts[1:]) if rows else []
        if self.elements and self.elements[-1].tag == qn("w:tbl"):
            # two tables in a row would merge into one in Word
            self._plain_paragraph(NORMAL, "", None)
        self.elements.append(self._table_element(rows, widths, vertical_merges(texts), tokens[start]))
        return i + 1

    def _table_element(
        self, rows: list[list[_Cell]], widths: list[int], merges: list[list[str | None]], where: Token
    ) -> etree._Element:
        tbl = etree.Element(qn("w:tbl"))
        tbl_pr = etree.SubElement(tbl, qn("w:tblPr"))
        etree.SubElement(tbl_pr, qn("w:tblStyle")).set(qn("w:val"), TABLE_STYLE)
        tbl_w = etree.SubElement(tbl_pr, qn("w:tblW"))
        tbl_w.set(qn("w:w"), str(sum(widths)))
        tbl_w.set(qn("w:type"), "dxa")
        etree.SubElement(tbl_pr, qn("w:tblLayout")).set(qn("w:type"), "fixed")
        look = etree.SubElement(tbl_pr, qn("w:tblLook"))
        for attr, value in (
            ("val", "04A0"),
            ("firstRow", "1"),
            ("lastRow", "0"),
            ("firstColumn", "0"),
            ("lastColumn", "0"),
            ("noHBand", "1"),
            ("noVBand", "1"),
        ):
            look.set(qn(f"w:{attr}"), value)
        grid = etree.SubElement(tbl, qn("w:tblGrid"))
        for width in widths:
            etree.SubElement(grid, qn("w:gridCol")).set(qn("w:w"), str(width))
        for r, row in enumerate(rows):
            tr = etree.SubElement(tbl, qn("w:tr"))
            tr_pr = etree.SubElement(tr, qn("w:trPr"))
            etree.SubElement(tr_pr, qn("w:cantSplit"))
            if r == 0:
                etree.SubElement(tr_pr, qn("w:tblHeader"))  # repeat the header row on every page
            # GFM pads short rows and drops extra cells; do the same so the grid stays rectangular
            cells: list[_Cell | None] = list(row[: len(widths)]) + [None] * (len(widths) - len(row))
            for j, (width, cell) in enumerate(zip(widths, cells, strict=True)):
                tc = etree.SubElement(tr, qn("w:tc"))
                tc_pr = etree.SubElement(tc, qn("w:tcPr"))
                tc_w = etree.SubElement(tc_pr, qn("w:tcW"))
                tc_w.set(qn("w:w"), str(width))
                tc_w.set(qn("w:type"), "dxa")
                merge = merges[r][j] if j < len(merges[r]) else None
                if merge:
                    etree.SubElement(tc_pr, qn("w:vMerge")).set(qn("w:val"), merge)
                p = self._p(TABLE_HEADING if r == 0 else TABLE_TEXT)
                if cell is not None:
                    if cell.align and r > 0:
                        jc = etree.SubElement(p.find(qn("w:pPr")), qn("w:jc"))
                        jc.set(qn("w:val"), cell.align)
                    self._fill(p, _spans(cell.inline), where)
                tc.append(p)
        return tbl


def vertical_merges(rows: Sequence[Sequence[str]]) -> list[list[str | None]]:
    """Mark cells to merge vertically: "restart", "continue" or None, row by row.

    In a grouped table the Markdown leaves a group's label (产出指标, 数量指标) empty in the rows
    that follow it; in Word those leading empty cells join the labelled cell above, as on the
    printed form. Only leading empty cells of body rows merge, never the header row, and never
    an empty cell after a filled one (a 合计 row's blanks stay blank).
    """
    marks: list[list[str | None]] = [[None] * len(row) for row in rows]
    for r in range(2, len(rows)):
        row = rows[r]
        filled = next((j for j, text in enumerate(row) if text.strip()), len(row))
        if filled == len(row):
            continue
        for j in range(filled):
            if j >= len(rows[r - 1]) or (not rows[r - 1][j].strip() and marks[r - 1][j] != "continue"):
                break
            marks[r][j] = "continue"
            if marks[r - 1][j] is None:
                marks[r - 1][j] = "restart"
    return marks


def _unescape(markdown: str) -> str:
    """Drop Markdown backslash escapes, as the parser does: 1\\. → 1."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)


# ---------------------------------------------------------------------------------------------
# package
# ---------------------------------------------------------------------------------------------


def report_datetime(date: str | None) -> datetime:
    """Turn a printed date (2021年6月30日) into the fixed created/modified time, else a constant."""
    match = _DATE.search(date or "")
    if match:
        try:
            return datetime(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            pass
    return _FALLBACK_DATE


def _set_properties(doc: DocxDocument, report: Report) -> None:
    """Fix every core property, so that nothing in docProps depends on when or where we ran."""
    props = doc.core_properties
    when = report_datetime(report.date)
    unit = _XML_ILLEGAL.sub("", report.unit or "")
    props.title = _XML_ILLEGAL.sub("", report.title)
    props.author = unit
    props.last_modified_by = unit
    props.subject = "绩效自评报告"
    props.category = "绩效自评报告"
    props.comments = ""
    props.keywords = ""
    props.language = "zh-CN"
    props.revision = 1
    props.created = when
    props.modified = when  # the template has no lastPrinted, and nothing here sets one


def _fixed_zip(data: bytes, replace: dict[str, bytes] | None = None) -> bytes:
    """Rewrite a zip with fixed timestamps and attributes, keeping the member order.

    python-docx stamps every member with the current time; a fixed one makes the same report
    give the same bytes. ``replace`` swaps the content of members by name.
    """
    replace = replace or {}
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=_ZIP_EPOCH)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.create_system = 0
            member.external_attr = 0
            dst.writestr(member, replace.get(info.filename) or src.read(info.filename))
    return out.getvalue()


class DocxRenderer:
    """Render reports to .docx; build one and reuse it in a batch (the template is prepared once)."""

    def __init__(self) -> None:
        self._base = _build_base()
        self._parser = markdown_parser()

    def render(self, report: Report) -> bytes:
        """Return the .docx bytes for ``report``: same report → same bytes."""
        tokens = self._parser.parse(report.markdown)
        elements = _BodyBuilder(report, tokens).build()
        doc = Document(BytesIO(self._base))
        body = doc.element.body
        sect_pr = body.find(qn("w:sectPr"))
        for child in list(body):
            if child is not sect_pr:
                body.remove(child)
        for element in elements:
            if sect_pr is not None:
                sect_pr.addprevious(element)
            else:
                body.append(element)
        _set_properties(doc, report)
        out = BytesIO()
        doc.save(out)
        return _fixed_zip(out.getvalue())


@functools.cache
def _default_renderer() -> DocxRenderer:
    return DocxRenderer()


def render_docx(report: Report) -> bytes:
    """Render ``report`` as a Word document (official layout) and return the file's bytes."""
    return _default_renderer().render(report)
