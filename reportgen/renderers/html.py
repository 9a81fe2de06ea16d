"""Render a report's Markdown as one self-contained HTML document in official-document style.

Markdown is parsed by markdown-it-py in CommonMark mode with ``html=False`` (raw HTML in the text
is printed as text) plus GFM tables. Links print as their text and images as their alt text, so
the HTML never references anything outside itself: what the PDF renderer gives WeasyPrint has
nothing to fetch. The signature paragraphs (``Report.signature``) get the class ``signature``,
and every table gets fixed column widths computed from its content, which keeps WeasyPrint's
layout fast (no min/max-content pass over each CJK cell) and the columns sensible.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from collections.abc import Sequence
from functools import cache, lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from ..report import Report
from ..resources import templates_dir

LANG = "zh-CN"
CSS_NAME = "report.css"


@cache
def report_css() -> str:
    """The shipped stylesheet (templates/css/report.css)."""
    return (templates_dir() / "css" / CSS_NAME).read_text(encoding="utf-8")


def render_html(report: Report, *, cover: bool = False, standalone: bool = True) -> str:
    """Render ``report`` as HTML: a whole document with the CSS inlined, or (standalone=False) the body only."""
    body = _body(report, cover=cover)
    if not standalone:
        return body
    return html_document(report, body, css=report_css())


def parse_markdown(report: Report) -> list[Token]:
    """The report's Markdown as markdown-it tokens, for callers that need both the text and the body.

    Pass the list as ``tokens`` to ``printed_text`` and then to ``print_body`` to parse once (about
    3 ms for the seed report); ``print_body`` changes the tokens, so it must come last.
    """
    return _parser().parse(report.markdown)


def print_body(report: Report, *, cover: bool = False, tokens: list[Token] | None = None) -> str:
    """The body the PDF renderer lays out: ``render_html(standalone=False)`` with cell alignment as classes.

    A table cell aligned in the Markdown (``---:``) gets ``class="align-right"`` (styled by report.css)
    instead of ``style="text-align:right"``. WeasyPrint computes one style for all elements matched
    by the same rules under the same parent, but a style attribute makes each element's style its
    own: a table with two numeric columns then computed a fresh style for every cell and its text,
    ~5 % of each seed PDF. The page looks the same; the screen HTML keeps its inline styles so the
    fragment stays right without report.css.
    """
    return _body(report, cover=cover, align_classes=True, tokens=tokens)


def html_document(report: Report, body: str, *, css: str | None) -> str:
    """Wrap ``body`` in a document whose head carries the title, author (unit) and fixed date."""
    head = [
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_escape(report.title)}</title>",
        '<meta name="generator" content="reportgen">',
    ]
    if report.unit:
        head.append(f'<meta name="author" content="{_escape(report.unit)}">')
    if (created := iso_date(report.date)) is not None:
        # the form's date, never the clock: the same report gives the same file
        head.append(f'<meta name="dcterms.created" content="{created}">')
    if css is not None:
        head.append(f"<style>\n{css}</style>")
    head_html = "\n".join(head)
    return f'<!DOCTYPE html>\n<html lang="{LANG}">\n<head>\n{head_html}\n</head>\n<body>\n{body}</body>\n</html>\n'


def iso_date(printed: str | None) -> str | None:
    """``"2021年6月30日"`` (or ``2021-06-30``) → ``"2021-06-30"``; None when it is not a full date."""
    if not printed:
        return None
    match = re.search(r"(\d{4})\s*(?:年|-|/|\.)\s*(\d{1,2})\s*(?:月|-|/|\.)\s*(\d{1,2})", printed)
    if match is None:
        return None
    year, month, day = (int(g) for g in match.groups())
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def printed_text(report: Report, *, cover: bool = False, tokens: list[Token] | None = None) -> list[tuple[int, str]]:
    """The text each block will print, with the Markdown line it starts on (for the glyph check).

    Character references are already decoded here (``&#x2B820;`` is the character itself), which
    is why the check works on parsed text rather than on the Markdown source. ``tokens``: the
    report already parsed by ``parse_markdown``.
    """
    runs: list[tuple[int, str]] = []
    if cover:
        runs.extend((1, text) for text in (report.title, report.unit or "", report.date or "") if text)
    for token in parse_markdown(report) if tokens is None else tokens:
        if token.type == "inline" and token.map is not None:
            runs.append((token.map[0] + 1, _plain(token.children or [])))
    return runs


# --- Markdown → HTML ----------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"【待补充[：:][^】<]*】")


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


@cache
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    md.add_render_rule("link_open", _render_nothing)
    md.add_render_rule("link_close", _render_nothing)
    md.add_render_rule("image", _render_image_alt)
    md.add_render_rule("table_open", _render_table_open)
    md.add_render_rule("th_open", _render_cell_open)
    md.add_render_rule("td_open", _render_cell_open)
    return md


def _render_nothing(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return ""


def _render_image_alt(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return _escape(_plain(tokens[idx].children or []))


def _render_table_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    widths = tokens[idx].meta.get("colwidths") or []
    cols = "".join(f'<col style="width:{w:.1f}%">' for w in widths)
    return f"<table>\n<colgroup>{cols}</colgroup>\n" if cols else "<table>\n"


_ALIGN_CLASSES = "reportgen.align_classes"  # env key: render cell alignment as a class (print_body)
_CELL_ALIGN = re.compile(r"text-align:(left|center|right)")


def _render_cell_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    if env.get(_ALIGN_CLASSES) and token.attrs:
        align = _CELL_ALIGN.fullmatch(str(token.attrGet("style") or ""))
        if align is not None:
            del token.attrs["style"]
            token.attrJoin("class", f"align-{align.group(1)}")
    return self.renderToken(tokens, idx, options, env)


def _plain(children: Sequence[Token]) -> str:
    """The text an inline token prints: text, code and image alt text; no markup."""
    parts = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type == "image":
            parts.append(_plain(child.children or []))
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("")
    return "".join(parts)


def _body(report: Report, *, cover: bool, align_classes: bool = False, tokens: list[Token] | None = None) -> str:
    md = _parser()
    if tokens is None:
        tokens = md.parse(report.markdown)
    _break_title(tokens)
    _mark_signature(tokens, report.signature)
    _size_tables(tokens)
    main = md.renderer.render(tokens, md.options, {_ALIGN_CLASSES: align_classes})
    # gaps the author must fill stand out on screen and on paper (the text is already escaped here)
    main = _PLACEHOLDER.sub(r'<mark class="placeholder">\g<0></mark>', main)
    parts = []
    if cover:
        parts.append(_cover(report))
    parts.append(f'<main class="report">\n{main}</main>\n')
    return "".join(parts)


def _cover(report: Report) -> str:
    title = "<br>".join(_escape(line) for line in title_lines(report.title, _COVER_TITLE_EM))
    lines = ['<section class="cover">', f'<div class="cover-title">{title}</div>']
    if report.unit:
        lines.append(f'<div class="cover-unit">{_escape(report.unit)}</div>')
    if report.date:
        lines.append(f'<div class="cover-date">{_escape(report.date)}</div>')
    lines.append("</section>\n")
    return "\n".join(lines)


_TITLE_EM = 20.0  # 156 mm of 22 pt characters
_COVER_TITLE_EM = 17.0  # 156 mm of 26 pt characters
_TITLE_SUFFIXES = ("绩效自评报告", "自评报告", "评价报告", "报告")


def title_lines(title: str, per_line: float) -> list[str]:
    """Split a title too long for one line before its closing words (“…专项\n绩效自评报告”).

    Official titles wrap between words and keep the document type (绩效自评报告) together, never
    leaving “告” alone on a line; a title with no known ending is left to wrap by itself.
    """
    if _text_width(title) <= per_line:
        return [title]
    for suffix in _TITLE_SUFFIXES:
        if title.endswith(suffix) and len(title) > len(suffix):
            return [title[: -len(suffix)], suffix]
    return [title]


def _break_title(tokens: list[Token]) -> None:
    """Apply ``title_lines`` to the ``#`` heading when it is plain text."""
    for opening, inline in zip(tokens, tokens[1:], strict=False):
        if opening.type == "heading_open" and opening.tag == "h1":
            children = inline.children or []
            if len(children) == 1 and children[0].type == "text":
                lines = title_lines(children[0].content, _TITLE_EM)
                if len(lines) == 2:
                    head, tail = (children[0].copy(content=line) for line in lines)
                    inline.children = [head, Token("hardbreak", "br", 0), tail]
            return


def _normal(text: str) -> str:
    # compare signature lines as printed: no Markdown escapes, no spacing differences
    return re.sub(r"\s+", "", re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text))


def _mark_signature(tokens: list[Token], signature: Sequence[str]) -> None:
    """Give the closing paragraphs that Report.signature lists the class ``signature``."""
    wanted = {_normal(s) for s in signature if s.strip()}
    if not wanted:
        return
    marked: list[Token] = []
    i = len(tokens) - 1
    # walk back over the trailing paragraphs only: a heading, list or table ends the signature block
    while i >= 2 and tokens[i].type == "paragraph_close" and tokens[i - 2].type == "paragraph_open":
        opening, inline = tokens[i - 2], tokens[i - 1]
        if _normal(_plain(inline.children or [])) not in wanted:
            break
        marked.append(opening)
        i -= 3
    for position, opening in enumerate(reversed(marked)):
        opening.attrSet("class", "signature first" if position == 0 else "signature")


# --- table column widths ----------------------------------------------------------------------

_TABLE_EM = 42.0  # a 156 mm line holds about 42 characters of 10.5 pt
_CELL_PADDING_EM = 0.9  # 3 pt padding each side plus the rules, at 10.5 pt
_MIN_EM = 2.0  # two characters: a column never gets narrower
_MAX_TOKEN_EM = 10.0
_STEPS = (0.5, 1.0, 2.0, 4.0, 8.0)
_TOKEN = re.compile(r"[!-~\u00a0-\u02ff]+")  # runs of Latin text and digits: never broken inside


def _text_width(text: str) -> float:
    """Width in em: CJK and full-width characters 1, everything else about half."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in text)


def _size_tables(tokens: list[Token]) -> None:
    i = 0
    while i < len(tokens):
        if tokens[i].type != "table_open":
            i += 1
            continue
        start, rows, row = i, [], None
        while i < len(tokens) and tokens[i].type != "table_close":
            kind = tokens[i].type
            if kind == "tr_open":
                row = []
            elif kind == "inline" and row is not None:
                row.append(_plain(tokens[i].children or []))
            elif kind == "tr_close" and row is not None:
                rows.append(tuple(row))
                row = None
            i += 1
        tokens[start].meta["colwidths"] = column_widths(tuple(rows))


def _lines(text_em: float, width_em: float) -> int:
    return 1 if text_em <= width_em else math.ceil(text_em / width_em - 1e-9)


@lru_cache(maxsize=64)
def column_widths(rows: tuple[tuple[str, ...], ...]) -> list[float]:
    """Percent widths for a table's columns, chosen to make the table as short as possible.

    Every column starts at its narrowest sensible width (two characters, or its longest number or
    Latin word); then, greedily, the extra width goes where it saves the most printed lines,
    counting each row at its tallest cell. A column of short labels beside long descriptions thus
    wraps its labels instead of starving the descriptions. Leftover width goes to the columns
    with the most text.
    """
    count = max((len(r) for r in rows), default=0)
    if count == 0:
        return []
    text = [[_text_width(r[j]) if j < len(r) else 0.0 for j in range(count)] for r in rows]
    # numbers and words stay whole, but a long code or URL may wrap (overflow-wrap) rather than starve the rest
    width = [min(max([_MIN_EM] + [_text_width(t) for r in rows if j < len(r) for t in _TOKEN.findall(r[j])]),
                 _MAX_TOKEN_EM) for j in range(count)]
    budget = _TABLE_EM - _CELL_PADDING_EM * count - sum(width)
    lines = [[_lines(row[j], width[j]) for j in range(count)] for row in text]
    while budget > 1e-9:
        best: tuple[float, int, float] | None = None
        for j in range(count):
            for step in _STEPS:
                if step > budget + 1e-9:
                    break
                gain = 0
                for row_text, row_lines in zip(text, lines, strict=True):
                    tallest = max(row_lines)
                    if row_lines[j] < tallest or row_lines[j] == 1:
                        continue
                    others = max((n for k, n in enumerate(row_lines) if k != j), default=1)
                    gain += tallest - max(_lines(row_text[j], width[j] + step), others)
                if gain and (best is None or gain / step > best[0]):
                    best = (gain / step, j, step)
        if best is None:
            break
        _, j, step = best
        width[j] += step
        budget -= step
        for row_text, row_lines in zip(text, lines, strict=True):
            row_lines[j] = _lines(row_text[j], width[j])
    if budget > 0:
        total = [sum(row[j] for row in text) for j in range(count)]
        weight = sum(total) or 1.0
        width = [w + budget * t / weight for w, t in zip(width, total, strict=True)]
    padded = [w + _CELL_PADDING_EM for w in width]
    scale = 100.0 / sum(padded)
    return [round(w * scale, 1) for w in padded]
