"""Read a report draft — Markdown, plain text, Word or PDF — into numbered, normalised lines with headings.

A line is what a reader points at: a line of a Markdown or text file, a paragraph or a table
row of a Word document (numbered in document order, which is what “第N段” means for .docx),
a paragraph of a PDF (numbered by its page: “第N页”).
Headings are recognised by Markdown ``#``, by Word's heading styles, and by the official
numbering 一、（一）1.（1） at the start of a short line that does not read as a sentence.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportgen.dependencies import require
from reportgen.errors import InputError
from reportgen.segment import normalize

SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".txt": "text", ".text": "text", ".docx": "docx", ".pdf": "pdf"}

_CN = "[一二三四五六七八九十]{1,3}"
# numbering on normalised text (full-width brackets and dots are already half-width)
_LEVELS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(rf"^(?:{_CN}\s*[、.]|第{_CN}(?:部分|章|节)[、.:]?)\s*")),
    (2, re.compile(rf"^\({_CN}\)\s*")),
    (3, re.compile(r"^\d{1,2}\s*[、.](?!\d)\s*")),
    (4, re.compile(r"^\(\d{1,2}\)\s*")),
)
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_TABLE_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")
_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_MD_BOLD_LINE = re.compile(r"^(\*\*|__)(.+)\1$")
_MD_LIST = re.compile(r"^(?:>\s*)+|^[-*+]\s+")
_SENTENCE_END = re.compile(r"[。;,!?]$|。")
_STYLE_LEVEL = re.compile(r"^(?:heading|标题)\s*(\d)$", re.IGNORECASE)


@dataclass
class Line:
    """One numbered line of a draft, normalised for matching."""

    number: int
    text: str  # normalised (full-width folded, spaces beside Chinese dropped), markup removed
    raw: str = ""  # the same text as written, for quoting back to the user
    heading: int | None = None  # 0 title, 1 一、, 2 （一）, 3 1., 4 （1）
    title: str = ""  # a heading's words without its numbering
    kinds: frozenset[str] = frozenset()  # section kinds the line belongs to (set by sections.assign)
    own: frozenset[str] = frozenset()  # kinds this heading opens a section of
    names: frozenset[str] = frozenset()  # kinds its words name, opened or not (a sub-heading may only repeat them)


@dataclass
class Draft:
    """A report draft as the checker sees it."""

    source: str
    lines: list[Line]
    unit: str = "行"  # what a line number counts: 行, or 段 for Word documents
    forced: tuple[str, ...] = field(default=())  # placeholders the data forced (from a generated Report)

    def where(self, number: int | None) -> str:
        """Return “第N行” (or “第N段”) for messages."""
        return f"第{number}{self.unit}" if number else ""


def numbering(text: str) -> tuple[int | None, str]:
    """Return the official heading level of ``text``'s numbering and the text without it."""
    for level, pattern in _LEVELS:
        m = pattern.match(text)
        if m:
            return level, text[m.end() :].strip()
    return None, text


def _heading_like(rest: str, level: int) -> bool:
    limit = 40 if level <= 2 else 30
    return bool(rest) and len(rest) <= limit and not _SENTENCE_END.search(rest)


def _is_title(text: str) -> bool:
    return len(text) <= 60 and ("报告" in text or "自评" in text)


def from_markdown(markdown: str, source: str = "<文本>") -> Draft:
    """Read Markdown: ``#`` headings, official numbering on short lines, tables as text."""
    lines: list[Line] = []
    title_hashes = 0
    seen_heading = False
    for number, raw in enumerate(markdown.splitlines(), 1):
        text = raw.strip()
        if not text or _MD_TABLE_RULE.match(text):
            continue
        m = _MD_HEADING.match(text)
        if m:
            hashes, raw_words = len(m[1]), _MD_ESCAPE.sub(r"\1", m[2]).strip()
            words = normalize(raw_words)
            level, rest = numbering(words)
            if level is None:
                if not seen_heading and hashes == 1 and not lines:
                    level, title_hashes = 0, 1
                else:
                    level = min(max(hashes - title_hashes, 1), 4)
            seen_heading = True
            lines.append(Line(number, words, raw_words, heading=level, title=rest))
            continue
        raw_text = _MD_LIST.sub("", text) if text[0] in "->*+" else text
        if "\\" in raw_text:
            raw_text = _MD_ESCAPE.sub(r"\1", raw_text)
        text = normalize(raw_text)
        bold = _MD_BOLD_LINE.match(text)
        level, rest = numbering(bold[2] if bold else text)
        if level is not None and level <= 2 and _heading_like(rest, level):
            lines.append(Line(number, text, raw_text, heading=level, title=rest))
        else:
            lines.append(Line(number, text, raw_text))
    return Draft(source, lines)


def _append_text_line(lines: list[Line], number: int, raw: str, style_level: int | None = None) -> None:
    text = normalize(raw)
    level, rest = numbering(text)
    if level is not None and _heading_like(rest, level):
        lines.append(Line(number, text, raw, heading=level, title=rest))
    elif style_level is not None:
        lines.append(Line(number, text, raw, heading=style_level, title=text))
    elif not lines and level is None and _is_title(text):
        lines.append(Line(number, text, raw, heading=0, title=text))
    else:
        lines.append(Line(number, text, raw))


def from_text(text: str, source: str = "<文本>") -> Draft:
    """Read plain text: one line per line, headings by their official numbering."""
    lines: list[Line] = []
    for number, raw in enumerate(text.splitlines(), 1):
        if raw.strip():
            _append_text_line(lines, number, raw.strip())
    return Draft(source, lines)


def _style_level(paragraph: Any) -> int | None:
    try:
        name = (paragraph.style.name or "").strip() if paragraph.style is not None else ""
    except (KeyError, ValueError):
        return None
    if name.lower() == "title" or name == "标题":
        return 0
    m = _STYLE_LEVEL.match(name)
    return min(int(m[1]), 4) if m else _outline_level(paragraph.style)


def _outline_level(style: Any) -> int | None:
    """A custom style with a Word outline level (附件标识 has level 1) is a heading of that level."""
    from docx.oxml.ns import qn

    seen = 0
    while style is not None and seen < 10:  # basedOn chains are short; a cycle must not hang
        ppr = style.element.pPr
        level = ppr.find(qn("w:outlineLvl")) if ppr is not None else None
        if level is not None:
            value = int(level.get(qn("w:val"), "9"))
            return min(value + 1, 4) if value < 9 else None
        style, seen = style.base_style, seen + 1
    return None


def from_docx(path: Path) -> Draft:
    """Read a Word document: paragraphs and table rows in order, numbered as 段."""
    docx = require("docx", "检查 Word 文档", where=str(path))
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        raise InputError(
            "无法读取 Word 文件", where=str(path), hint="请确认是 .docx 格式（.doc 请先在 Word 中另存为 .docx）"
        ) from exc
    except Exception as exc:  # a damaged zip raises zipfile/lxml errors of many kinds
        raise InputError(f"Word 文件已损坏：{exc}", where=str(path), hint="请在 Word 中打开并另存后重试") from exc
    lines: list[Line] = []
    number = 0
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                number += 1
                cells: list[str] = []
                for cell in row.cells:
                    value = cell.text.strip().replace("\n", " ")
                    if not cells or cells[-1] != value:  # merged cells repeat their text
                        cells.append(value)
                raw = " | ".join(cells).strip(" |")
                if raw:
                    lines.append(Line(number, normalize(raw), raw))
            continue
        number += 1
        raw = block.text.strip()
        if raw:
            _append_text_line(lines, number, raw, _style_level(block))
    return Draft(str(path), lines, unit="段")


# a page number printed as the footer: “— 3 —”, “- 3 -”, “第 3 页”, “3/10”
_PAGE_FOOTER = re.compile(r"^(?:[—–\-－]\s*\d{1,4}\s*[—–\-－]|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*/\s*\d{1,4})$")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def paragraphs(page_lines: list[str]) -> list[str]:
    """Join a PDF page's visual lines back into paragraphs.

    A line that fills the text width was wrapped, so the next line continues it, unless the next
    line opens with official numbering (a heading or a new item). A term broken over two lines
    (预算执行 / 率) is then found again.
    """
    lines = [ln.strip() for ln in page_lines]
    lines = [ln for ln in lines if ln and not _PAGE_FOOTER.match(ln)]
    if not lines:
        return []
    full = max(_width(ln) for ln in lines) * 0.85
    out = [lines[0]]
    wrapped = _width(lines[0]) >= full
    for line in lines[1:]:
        if wrapped and numbering(normalize(line))[0] is None:
            out[-1] += line
        else:
            out.append(line)
        wrapped = _width(line) >= full
    return out


def from_pdf(path: Path) -> Draft:
    """Read a PDF report: its text page by page, paragraphs rejoined, each placed by its page (第N页)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            raise InputError("PDF 文件设置了密码，无法读取", where=str(path), hint="请另存一份不加密的 PDF 后再检查")
        pages = [page.extract_text() or "" for page in reader.pages]
    except InputError:
        raise
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as exc:
        raise InputError("PDF 文件已损坏，无法读取", where=str(path), hint="请重新导出 PDF，或检查 Word/Markdown 原稿") from exc
    lines: list[Line] = []
    for number, text in enumerate(pages, 1):
        for raw in paragraphs(text.splitlines()):
            _append_text_line(lines, number, raw)
    if not lines:
        raise InputError(
            "PDF 中没有可提取的文字（可能是扫描件）", where=str(path), hint="请检查报告的 Word 或 Markdown 原稿，或先做文字识别"
        )
    return Draft(str(path), lines, unit="页")


def _read_text_file(path: Path) -> str:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError("无法识别文件编码", where=str(path), hint="请另存为 UTF-8 编码")


def read_draft(path: str | Path) -> Draft:
    """Read a draft file by its suffix (.md, .txt, .docx, .pdf)."""
    path = Path(path)
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise InputError(
            f"不支持检查“{path.suffix or '无扩展名'}”文件",
            where=str(path),
            hint="支持 Markdown（.md）、纯文本（.txt）、Word（.docx）和 PDF（.pdf）",
        )
    if not path.is_file():
        raise InputError("文件不存在", where=str(path), hint="请检查路径")
    if kind == "docx":
        return from_docx(path)
    if kind == "pdf":
        return from_pdf(path)
    try:
        text = _read_text_file(path)
    except OSError as exc:
        raise InputError(f"无法读取文件：{exc.strerror or exc}", where=str(path)) from exc
    return from_markdown(text, str(path)) if kind == "markdown" else from_text(text, str(path))
