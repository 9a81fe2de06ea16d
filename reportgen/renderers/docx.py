"""Render a Report as a Word document in the official-document (GB/T 9704-2012) look.

The .docx is built from ``report.markdown`` alone, parsed with the parser the HTML renderer uses
(``layout.parser``), in the order ``layout.plan`` gives (body, 附件 note, 落款, then each attachment
on its own pages), with table columns from ``layout.column_widths`` and merged category cells from
``layout.vertical_merges`` — the same results as the PDF. Layout lives in real Word styles, shipped
as ``templates/docx/styles.xml``, never in direct formatting, so users can restyle the whole
document in Word.

The output is byte-for-byte reproducible: core properties are fixed (dates come from the report's
date) and the zip is rewritten with fixed timestamps.

Heading levels map ``#`` → Title, ``##`` (一、) → heading 1, ``###`` （一） → heading 2,
``####`` (1.) and deeper → heading 3; paragraphs → Normal; the trailing paragraphs listed in
``Report.signature`` → Signature; tables → 报告表格 with 表格表头/表格文字 paragraphs; the 附件 note →
附件说明; an attachment page starts with 附件标识 (“附件”) and 附件标题; ``cover=True`` adds a cover
(封面标题, 封面项目, 封面单位) and ``toc=True`` a 目录 (a TOC field Word fills when the file opens).
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

from reportgen.errors import RenderError
from reportgen.renderers import layout
from reportgen.renderers.html import final_check
from reportgen.renderers.layout import Attachment, column_widths, vertical_merges
from reportgen.renderers.timebound import RENDER_TIMEOUT_S, time_bound
from reportgen.resources import templates_dir

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from markdown_it.token import Token

    from reportgen.report import Report

__all__ = ["DocxRenderer", "render_docx", "column_widths", "table_widths", "vertical_merges"]

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
TABLE_FONT_SIZE_PT = layout.TABLE_FONT_PT
CELL_MARGIN_TWIPS = round(layout.CELL_PADDING_PT * 20)  # as in templates/docx/styles.xml and report.css
LINE_TWIPS = round(layout.LINE_PITCH_PT * 20)

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
ATTACH_NOTE, ATTACH_LABEL, ATTACH_TITLE = "AttachNote", "AttachLabel", "AttachTitle"
COVER_TITLE, COVER_FIELD, COVER_UNIT = "CoverTitle", "CoverField", "CoverUnit"
TOC_HEADING = "TOCHeading"
STYLES_FILE = "docx/styles.xml"  # under templates/

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


def markdown_parser():  # noqa: ANN201 - kept for callers of the old name
    """The parser every renderer uses (``layout.parser``)."""
    return layout.parser()


def styles_xml(latent_styles: str = "") -> str:
    """The styles part: ``templates/docx/styles.xml`` with python-docx's latent styles after the defaults."""
    text = (templates_dir() / STYLES_FILE).read_text(encoding="utf-8")
    text = re.sub(r"^<\?xml[^>]*\?>\s*", "", text)
    text = re.sub(r"<!--.*?-->\s*", "", text, flags=re.S)
    return text.replace("</w:docDefaults>", "</w:docDefaults>" + latent_styles, 1)


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
# what Word substitutes for a missing official face (the font table's altName), for doctor to say
FONT_ALT_NAMES = {name: alt for name, alt, *_ in _FONT_TABLE if alt}
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
    styles.extend(list(parse_xml(styles_xml(latent_xml))))

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


def _text_run(p: etree._Element, text: str, bold: bool = False, *, highlight: bool = True) -> None:
    """Append runs; 【待补充：…】 gaps are highlighted (unless final) so an author finds them in Word."""
    for i, piece in enumerate(_PLACEHOLDER.split(text)):
        if piece:
            _one_run(p, piece, bold, highlight=highlight and i % 2 == 1)


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


def table_widths(rows: Sequence[Sequence[str]], total_twips: int = TEXT_WIDTH_TWIPS) -> list[int]:
    """Column widths in twips adding up to ``total_twips``: ``layout.column_widths`` (as the PDF), in Word units."""
    fractions = column_widths(tuple(tuple(r) for r in rows))
    if not fractions:
        return []
    result = [int(f * total_twips) for f in fractions]
    result[-1] += total_twips - sum(result)
    return result


class _BodyBuilder:
    """Walk markdown-it tokens and turn their blocks into w:p and w:tbl elements (appended to ``elements``)."""

    def __init__(self, report: Report, *, highlight: bool = True) -> None:
        self.report = report
        self.highlight = highlight
        self.elements: list[etree._Element] = []

    # -- walk ----------------------------------------------------------------------------------
    def build(self, tokens: list[Token]) -> list[etree._Element]:
        self.tokens = tokens
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
                self._paragraph(NORMAL, tokens[i + 1], tok, prefix=prefix)
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
        return self.elements

    def finish(self) -> list[etree._Element]:
        if self.elements and self.elements[-1].tag == qn("w:tbl"):
            self._plain_paragraph(NORMAL, "", None)  # Word wants a paragraph after a final table
        return self.elements

    # -- blocks --------------------------------------------------------------------------------
    def _p(self, style: str, *, page_break: bool = False) -> etree._Element:
        p = etree.Element(qn("w:p"))
        ppr = etree.SubElement(p, qn("w:pPr"))
        etree.SubElement(ppr, qn("w:pStyle")).set(qn("w:val"), style)
        if page_break:
            etree.SubElement(ppr, qn("w:pageBreakBefore"))
        return p

    def text(self, style: str, text: str, *, page_break: bool = False) -> etree._Element:
        """Append one paragraph of plain ``text`` in ``style`` (the 附件 note, the 落款, cover lines)."""
        p = self._p(style, page_break=page_break)
        self._fill(p, [_Span(text)] if text else [], None)
        self.elements.append(p)
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
            _text_run(p, span.text, span.bold, highlight=self.highlight)

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
        texts = [[layout.plain(c.inline.children or []) for c in row] for row in rows]
        widths = table_widths(texts) if rows else []
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
        self._parser = layout.parser()

    def render(self, report: Report, *, cover: bool = False, toc: bool = False, final: bool = False,
               attachments: Sequence[Attachment] = (), timeout: float | None = RENDER_TIMEOUT_S) -> bytes:
        """Return the .docx bytes for ``report``: same report → same bytes.

        ``cover``: a cover page (no page number; the body starts at 1). ``toc``: a 目录 page whose TOC
        field Word fills when the file is opened. ``final``: refuse while 【待补充】 gaps remain and
        highlight nothing. ``attachments``: added after the report's own. ``timeout``: seconds allowed.
        """
        if final:
            final_check(report)
        with time_bound(timeout, "Word 文档", report.name):
            return self._render(report, cover=cover, toc=toc, final=final, attachments=attachments)

    def _render(self, report: Report, *, cover: bool, toc: bool, final: bool,
                attachments: Sequence[Attachment]) -> bytes:
        tokens = self._parser.parse(report.markdown)
        plan = layout.plan(report, tokens, attachments)
        builder = _BodyBuilder(report, highlight=not final)
        if cover:
            _cover(builder, report)
        if toc:
            _toc(builder)
        builder.build(plan.body)
        for line in plan.attachment_note():
            builder.text(ATTACH_NOTE, line)
        for line in plan.signature:
            builder.text(SIGNATURE, line)
        for index, attachment in enumerate(plan.attachments):
            builder.text(ATTACH_LABEL, plan.attachment_label(index), page_break=True)
            builder.text(ATTACH_TITLE, attachment.title)
            builder.build(attachment.tokens)
        elements = builder.finish()
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
        if cover and sect_pr is not None:
            # the cover is page 0 with its own (empty) footer; the first body page is “— 1 —”
            etree.SubElement(sect_pr, qn("w:pgNumType")).set(qn("w:start"), "0")
            sect_pr.append(etree.Element(qn("w:titlePg")))
            _schema_order(sect_pr)
        if toc:
            settings = doc.settings.element
            update = etree.SubElement(settings, qn("w:updateFields"))
            update.set(qn("w:val"), "true")
            _schema_order_settings(settings)
        _set_properties(doc, report)
        out = BytesIO()
        doc.save(out)
        return _fixed_zip(out.getvalue())


def _cover(builder: _BodyBuilder, report: Report) -> None:
    """The cover: title, 项目名称 … 报告日期, the unit and “（盖章）”, then a page break."""
    # one paragraph, its lines split by breaks: the style's spacing comes once above and once below
    title = builder.text(COVER_TITLE, "")
    for n, line in enumerate(layout.title_lines(report.title, layout.COVER_TITLE_EM)):
        if n:
            etree.SubElement(etree.SubElement(title, qn("w:r")), qn("w:br"))
        _text_run(title, line)
    for item in layout.cover_fields(report):
        builder.text(COVER_FIELD, f"{item.label}：{item.value}")
    unit = layout.cover_unit(report)
    if unit:
        builder.text(COVER_UNIT, unit)
    seal = builder.text(COVER_UNIT, "（盖章）")
    etree.SubElement(etree.SubElement(seal, qn("w:r")), qn("w:br")).set(qn("w:type"), "page")


def _toc(builder: _BodyBuilder) -> None:
    """A 目录 page: a TOC field over the heading 1–2 outline, filled by Word (updateFields) on opening."""
    builder.text(TOC_HEADING, "目录")
    p = builder._p(NORMAL)
    for kind in ("begin", None, "separate", "text", "end"):
        r = etree.SubElement(p, qn("w:r"))
        if kind is None:
            instr = etree.SubElement(r, qn("w:instrText"))
            instr.set(_XML_SPACE, "preserve")
            instr.text = ' TOC \\o "1-2" \\h \\z \\u '
        elif kind == "text":
            etree.SubElement(r, qn("w:t")).text = "（打开文档时请选择更新域以生成目录）"
        else:
            etree.SubElement(r, qn("w:fldChar")).set(qn("w:fldCharType"), kind)
    etree.SubElement(etree.SubElement(p, qn("w:r")), qn("w:br")).set(qn("w:type"), "page")
    builder.elements.append(p)


_SECT_ORDER = ("headerReference", "footerReference", "footnotePr", "endnotePr", "type", "pgSz", "pgMar",
               "paperSrc", "pgBorders", "lnNumType", "pgNumType", "cols", "formProt", "vAlign", "noEndnote",
               "titlePg", "textDirection", "bidi", "rtlGutter", "docGrid", "printerSettings", "sectPrChange")


def _schema_order(sect_pr: etree._Element) -> None:
    """Put sectPr's children in schema order (Word refuses a file that mixes it up)."""
    rank = {name: i for i, name in enumerate(_SECT_ORDER)}
    children = sorted(sect_pr, key=lambda el: rank.get(etree.QName(el).localname, len(rank)))
    for child in children:
        sect_pr.append(child)


_AFTER_UPDATE_FIELDS = ("hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids", "mathPr",
                        "attachedSchema", "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats",
                        "doNotAutoCompressPictures", "forceUpgrade", "captions", "readModeInkLockDown",
                        "smartTagType", "schemaLibrary", "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol",
                        "listSeparator")


def _schema_order_settings(settings: etree._Element) -> None:
    """Move w:updateFields before the settings the schema puts after it."""
    update = settings.find(qn("w:updateFields"))
    anchor = next((el for el in settings if etree.QName(el).localname in _AFTER_UPDATE_FIELDS), None)
    if update is not None and anchor is not None:
        anchor.addprevious(update)


@functools.cache
def _default_renderer() -> DocxRenderer:
    return DocxRenderer()


def render_docx(report: Report, *, cover: bool = False, toc: bool = False, final: bool = False,
                attachments: Sequence[Attachment] = (), timeout: float | None = RENDER_TIMEOUT_S) -> bytes:
    """Render ``report`` as a Word document (official layout) and return the file's bytes."""
    return _default_renderer().render(report, cover=cover, toc=toc, final=final, attachments=attachments,
                                      timeout=timeout)
