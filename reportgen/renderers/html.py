"""Render a report's Markdown as one self-contained HTML document in official-document style.

Markdown is parsed by the shared parser (``layout.parser``: CommonMark, ``html=False`` so raw HTML
in the text prints as text, GFM tables). Links print as their text and images as their alt text,
so the HTML never references anything outside itself: what the PDF renderer gives WeasyPrint has
nothing to fetch. The document follows ``layout.plan``: the body, the 附件 note, the 落款 (class
``signature``), then each attachment in a ``section.attachment`` that starts a new page. Tables get
fixed column widths from ``layout.column_widths`` (the same fractions Word uses), and the empty
category cells of grouped tables are drawn merged with the label above (``layout.vertical_merges``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from functools import cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from reportgen.errors import RenderError
from reportgen.renderers import layout
from reportgen.renderers.layout import Attachment, title_lines
from reportgen.report import Report
from reportgen.resources import templates_dir

__all__ = ["render_html", "print_body", "html_document", "parse_markdown", "printed_text", "title_lines",
           "final_check"]

LANG = "zh-CN"
CSS_NAME = "report.css"


@cache
def report_css() -> str:
    """The shipped stylesheet (templates/css/report.css)."""
    return (templates_dir() / "css" / CSS_NAME).read_text(encoding="utf-8")


def render_html(report: Report, *, cover: bool = False, standalone: bool = True, final: bool = False,
                attachments: Sequence[Attachment] = ()) -> str:
    """Render ``report`` as HTML: a whole document with the CSS inlined, or (standalone=False) the body only.

    ``final``: refuse while 【待补充】 gaps remain (``final_check``), and print nothing highlighted.
    ``attachments``: extra attachments after the report's own (e.g. ``layout.form_attachment``).
    """
    if final:
        final_check(report)
    body = _body(report, cover=cover, highlight=not final, attachments=attachments)
    if not standalone:
        return body
    return html_document(report, body, css=report_css())


def final_check(report: Report) -> None:
    """A final document carries no 【待补充】: refuse, naming them, while any remain."""
    gaps = list(dict.fromkeys(layout.PLACEHOLDER.findall(report.markdown)))
    if gaps:
        listed = "、".join(gaps[:5]) + (f"等{len(gaps)}处" if len(gaps) > 5 else "")
        raise RenderError(f"报告仍有待补充的内容，不能生成定稿：{listed}", where=report.name,
                          hint="请在自评表中补齐这些内容后重新生成，或去掉 --final 生成标出待补充处的草稿")


def parse_markdown(report: Report) -> list[Token]:
    """The report's Markdown as markdown-it tokens, for callers that need both the text and the body.

    Pass the list as ``tokens`` to ``printed_text`` and then to ``print_body`` to parse once (about
    3 ms for the seed report); ``print_body`` changes the tokens, so it must come last.
    """
    return _parser().parse(report.markdown)


def print_body(report: Report, *, cover: bool = False, tokens: list[Token] | None = None, final: bool = False,
               attachments: Sequence[Attachment] = ()) -> str:
    """The body the PDF renderer lays out: ``render_html(standalone=False)`` with cell alignment as classes.

    A table cell aligned in the Markdown (``---:``) gets ``class="align-right"`` (styled by report.css)
    instead of ``style="text-align:right"``. WeasyPrint computes one style for all elements matched
    by the same rules under the same parent, but a style attribute makes each element's style its
    own: a table with two numeric columns then computed a fresh style for every cell and its text,
    ~5 % of each seed PDF. The page looks the same; the screen HTML keeps its inline styles so the
    fragment stays right without report.css.
    """
    return _body(report, cover=cover, for_print=True, tokens=tokens, highlight=not final,
                 attachments=attachments)


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


def printed_text(report: Report, *, cover: bool = False, tokens: list[Token] | None = None,
                 attachments: Sequence[Attachment] = ()) -> list[tuple[int, str]]:
    """The text each block will print, with the Markdown line it starts on (for the glyph check).

    Character references are already decoded here (``&#x2B820;`` is the character itself), which
    is why the check works on parsed text rather than on the Markdown source. ``tokens``: the
    report already parsed by ``parse_markdown``.
    """
    runs: list[tuple[int, str]] = []
    if cover:
        runs.append((1, report.title))
        runs.extend((1, f"{f.label}：{f.value}") for f in layout.cover_fields(report))
        runs.append((1, layout.cover_unit(report) + "（盖章）"))
    streams = [parse_markdown(report) if tokens is None else tokens] + [a.tokens for a in attachments]
    for stream in streams:
        for token in stream:
            if token.type == "inline" and token.map is not None:
                runs.append((token.map[0] + 1, layout.plain(token.children or [])))
    runs.extend((1, f"{a.title}附件：1. ") for a in attachments)
    return runs


# --- Markdown → HTML ----------------------------------------------------------------------------

# (a gap may hold a value token the screen HTML keeps in a nowrap span, but no other markup)
_PLACEHOLDER = re.compile(r'【待补充[：:](?:[^】<]|<span class="nowrap">|</span>)*】')


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


@cache
def _parser() -> MarkdownIt:
    md = layout.new_parser()
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
    return _escape(layout.plain(tokens[idx].children or []))


def _render_table_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    widths = tokens[idx].meta.get("colwidths") or []
    cols = "".join(f'<col style="width:{w * 100:.1f}%">' for w in widths)
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


def _render(tokens: list[Token], *, align_classes: bool) -> str:
    md = _parser()
    return str(md.renderer.render(tokens, md.options, {_ALIGN_CLASSES: align_classes}))


def _marked_tokens(report: Report) -> list[Token]:
    """Parse the Markdown with each ledger figure wrapped in private-use marks (made into spans at the end)."""
    md, pieces, pos = report.markdown, [], 0
    for n, e in enumerate(report.figures):
        if e.section in ("title", "signature") or e.start < pos:
            continue  # the title and signature are laid out from Report fields, not from the text
        pieces += [md[pos : e.start], f"\ue010{n}\ue011", e.text, "\ue012"]
        pos = e.end
    pieces.append(md[pos:])
    return _parser().parse("".join(pieces))


_FIGURE_MARK = re.compile("\ue010(\\d+)\ue011([^\ue012]*)\ue012")


def _figure_spans(report: Report, text: str) -> str:
    """Each figure the ledger knows shows its origin on hover: data-source and a tooltip (issue 11)."""
    def span(m: re.Match[str]) -> str:
        source = html.escape(report.figures[int(m[1])].origin.describe(), quote=True)
        return f'<span class="figure" data-source="{source}" title="{source}">{m[2]}</span>'

    return _FIGURE_MARK.sub(span, text)


def _body(report: Report, *, cover: bool, for_print: bool = False, tokens: list[Token] | None = None,
          highlight: bool = True, attachments: Sequence[Attachment] = ()) -> str:
    hover = tokens is None and highlight and bool(report.figures)
    if tokens is None:
        tokens = _marked_tokens(report) if hover else parse_markdown(report)
    _break_title(tokens)
    plan = layout.plan(report, tokens, attachments)
    for stream in [plan.body] + [a.tokens for a in plan.attachments]:
        _prepare(stream, joiners=for_print)
    parts = [_render(plan.body, align_classes=for_print)]
    note = plan.attachment_note()
    if note:
        parts.append(f'<p class="attach-note">{_escape(note[0])}</p>\n')
        parts.extend(f'<p class="attach-note more">{_escape(line)}</p>\n' for line in note[1:])
    for position, line in enumerate(plan.signature):
        parts.append(f'<p class="signature{" first" if position == 0 else ""}">{_escape(line)}</p>\n')
    main = "".join(parts)
    sections = []
    for index, attachment in enumerate(plan.attachments):
        sections.append(
            '<section class="attachment">\n'
            f'<p class="attach-label">{_escape(plan.attachment_label(index))}</p>\n'
            f'<h2 class="attach-title">{_escape(attachment.title)}</h2>\n'
            f"{_render(attachment.tokens, align_classes=for_print)}</section>\n"
        )
    out = []
    if cover:
        out.append(_cover(report))
    out.append(f'<main class="report">\n{main}</main>\n')
    out.extend(sections)
    text = "".join(out)
    if highlight:
        # gaps the author must fill stand out on screen and on paper (the text is already escaped here)
        text = _PLACEHOLDER.sub(r'<mark class="placeholder">\g<0></mark>', text)
    if hover:
        text = _figure_spans(report, text)
    return text


def _prepare(tokens: list[Token], *, joiners: bool) -> None:
    """Size and merge tables, keep value tokens whole, and give endless runs break points.

    ``joiners``: hold tokens together with word joiners (for WeasyPrint, where they cost nothing to
    lay out) rather than ``nowrap`` spans (for a browser, where a copied sentence must not carry
    invisible characters into the user's own document or search box).
    """
    for table in layout.tables(tokens):
        tokens[table.start].meta["colwidths"] = table.fractions
        labels = layout.group_labels(table.rows, table.merges)
        for r, row in enumerate(table.cell_tokens):
            for j, at in enumerate(row):
                _keep_last_two(tokens[at + 1], joiners=joiners)
                mark = table.merges[r][j] if j < len(table.merges[r]) else None
                below = table.merges[r + 1][j] if r + 1 < len(table.merges) and j < len(table.merges[r + 1]) else None
                classes = []
                if mark == "continue":
                    # the label is laid out but hidden; the PDF shows it on the first row of a new page
                    classes.append("merge-cont")
                    tokens[at + 1].children = [Token("text", "", 0, content=labels[r][j])]
                    _keep_last_two(tokens[at + 1], joiners=joiners)
                if below == "continue":
                    classes.append("merge-open")
                if classes:
                    tokens[at].attrJoin("class", " ".join(classes))
    for previous, token in zip([None, *tokens], tokens, strict=False):
        # headings are short and set apart: only running text and cells need protected tokens
        if token.type == "inline" and token.children and (previous is None or previous.type != "heading_open"):
            token.children = _protect(token.children, joiners=joiners)


_JOINER = "\u2060"  # WORD JOINER: no line break on either side, prints nothing
_NOWRAP_OPEN, _NOWRAP_CLOSE = '<span class="nowrap">', "</span>"  # report.css: white-space: nowrap


def _keep_last_two(inline: Token, *, joiners: bool) -> None:
    """A table cell never ends on a line of one character: its last two are held together (see ``_protect``)."""
    children = inline.children or []
    if children and children[-1].type == "text" and layout.no_lone_last_char(children[-1].content):
        text = children[-1].content
        if joiners:
            children[-1] = children[-1].copy(content=text[:-1] + _JOINER + text[-1])
        else:
            children[-1:] = [children[-1].copy(content=text[:-2]), *_nowrap_run(text[-2:])]


def _nowrap_run(text: str) -> list[Token]:
    return [Token("html_inline", "", 0, content=_NOWRAP_OPEN), Token("text", "", 0, content=text),
            Token("html_inline", "", 0, content=_NOWRAP_CLOSE)]


def _joined(token: str) -> str:
    """A word joiner between the characters of ``token`` wherever one of them is wide (where UAX #14 would
    allow a break: “2,000|户”, “10|号”)."""
    joined = [token[0]]
    for a, b in zip(token, token[1:], strict=False):
        if layout.char_width(a) == 1.0 or layout.char_width(b) == 1.0:
            joined.append(_JOINER)
        joined.append(b)
    return "".join(joined)


def _protect(children: list[Token], *, joiners: bool) -> list[Token]:
    """Keep value tokens (≥2,000户) and document numbers (财预〔2020〕10号) on one line.

    ``joiners`` (for WeasyPrint): word joiners inside each token, which cost nothing to lay out, unlike
    a ``white-space: nowrap`` span per token (~15 % of a seed PDF). Otherwise (for a browser) each token
    goes in a ``nowrap`` span, so that copied text carries no invisible character. The spans never cross
    a ledger figure's marks (made into spans at the end): those are private-use characters, which no
    protected token contains, so a token lies inside or outside one.
    """
    out: list[Token] = []
    for child in children:
        if child.type != "text" or not child.content:
            out.append(child)
            continue
        text = layout.break_long_runs(child.content)
        pieces, at = [], 0  # (text, protected) in order
        for start, end in layout.no_break_spans(text):
            pieces += [(text[at:start], False), (text[start:end], True)]
            at = end
        pieces.append((text[at:], False))
        if joiners:
            joined = "".join(_joined(piece) if kept else piece for piece, kept in pieces)
            out.append(child if joined == child.content else child.copy(content=joined))
            continue
        for piece, kept in pieces:
            if kept:
                out.extend(_nowrap_run(piece))
            elif piece:
                out.append(child.copy(content=piece))
    return out


def _cover(report: Report) -> str:
    """The cover a bureau expects: title, the project's particulars, and the unit with “（盖章）”."""
    title = "<br>".join(_escape(line) for line in title_lines(report.title, layout.COVER_TITLE_EM))
    lines = ['<section class="cover">', f'<div class="cover-title">{title}</div>', '<table class="cover-fields">']
    for item in layout.cover_fields(report):
        lines.append(f'<tr><th>{_escape(item.label)}：</th><td>{_escape(item.value)}</td></tr>')
    lines.append("</table>")
    unit = layout.cover_unit(report)
    if unit:
        lines.append(f'<div class="cover-unit">{_escape(unit)}</div>')
    lines.append('<div class="cover-seal">（盖章）</div>')
    lines.append("</section>\n")
    return "\n".join(lines)


def _break_title(tokens: list[Token]) -> None:
    """Apply ``title_lines`` to the ``#`` heading when it is plain text."""
    for opening, inline in zip(tokens, tokens[1:], strict=False):
        if opening.type == "heading_open" and opening.tag == "h1":
            children = inline.children or []
            if len(children) == 1 and children[0].type == "text":
                lines = title_lines(children[0].content, layout.TITLE_EM)
                if len(lines) == 2:
                    head, tail = (children[0].copy(content=line) for line in lines)
                    inline.children = [head, Token("hardbreak", "br", 0), tail]
            return
