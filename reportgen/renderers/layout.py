"""What the HTML/PDF and Word renderers share: parsing, text widths, table columns, document structure.

Both renderers read ``report.markdown`` with the one parser built here, measure text with the one
width rule, size table columns with the one algorithm (``column_widths``), find the 落款 with the
one matcher and merge the category cells of grouped tables with the one rule. ``plan`` splits a
report into what a 公文 prints in order: the body, the 附件 note, the signature (unit and date)
closing the body, then each attachment on pages of its own.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from markdown_it import MarkdownIt
from markdown_it.token import Token

if TYPE_CHECKING:
    from reportgen.report import Report

# --- page and type geometry (GB/T 9704-2012: A4, 版心 156 mm × 225 mm) -----------------------------
TEXT_WIDTH_MM = 156.0
TABLE_FONT_PT = 10.5  # 五号: the appendix rows hold long free text; 三号 would not fit 7 columns
BODY_FONT_PT = 16.0  # 三号
# 22 lines in the 225 mm text block: 225 mm / 22 = 10.23 mm = 29 pt. CSS and Word both use this pitch.
LINE_PITCH_PT = 29.0
CELL_PADDING_PT = 3.0  # each side, in both renderers
PLACEHOLDER = re.compile(r"【待补充[：:][^】]*】")


@cache
def parser() -> MarkdownIt:
    """The one Markdown parser: CommonMark, raw HTML printed as text, GFM tables.

    The HTML renderer adds its render rules to its own copy (``new_parser``); the token stream is
    the same for every renderer.
    """
    return new_parser()


def new_parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


def plain(children: Sequence[Token]) -> str:
    """The text an inline token's children print: text, code and image alt text; no markup."""
    parts = []
    for child in children:
        if child.type in ("text", "text_special", "code_inline", "html_inline"):
            parts.append(child.content)
        elif child.type == "image":
            parts.append(plain(child.children or []))
        elif child.type == "softbreak":
            parts.append("")
    return "".join(parts)


def unescape(markdown: str) -> str:
    """Drop Markdown backslash escapes, as the parser does: ``1\\.`` → ``1.``."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)


# --- text width --------------------------------------------------------------------------------

_HALF_EM = 0.55  # Latin letters and digits in Times New Roman / Noto Serif: about half an em


@cache
def char_width(ch: str) -> float:
    """Width in em: CJK, full-width and the symbols CJK faces draw full-width (≥ ≤ × “”) 1, else ~½."""
    return 1.0 if unicodedata.east_asian_width(ch) in ("W", "F", "A") else _HALF_EM


@lru_cache(maxsize=4096)  # a table measures each cell and its tokens several times
def text_width(text: str) -> float:
    return sum(map(char_width, text))


# Runs that must not break inside: Latin words and numbers, a comparator with its number and unit
# (≥2,000户, ≤2.8万元/户, 16.12万元/社区), and document numbers (财预〔2020〕10号).
_UNITS = ("万元|亿元|千元|元|万|亿|个|户|次|人次|人|场|项|件|台|辆|套|所|家|条|处|名|座|栋|间|平方米|平米|亩|"
          "公里|千米|米|吨|天|周|小时|分钟|分|批|期|篇|份|册|本|张|株|棵|头|只|支|%|‰|％")
# (年, 月, 日 are left out: “2020年度” may break like any text; “次/年” is caught after the slash)
# a compound unit joins its parts with a middle dot: 元/生·年, 万元/站·年, 人·次, 元/人·小时
_PER = r"[·•・‧]"
_VALUE = (rf"[≥≤≧≦<>＞＜=＝~～±约]?[0-9０-９][0-9０-９,，.．]*(?:[%％‰]|(?:{_UNITS})(?:{_PER}(?:{_UNITS}|[\u4e00-\u9fff]))*)?"
          rf"(?:/(?:{_UNITS}|[\u4e00-\u9fff]{{1,2}})(?:{_PER}(?:{_UNITS}|[\u4e00-\u9fff]))*)?")
_DOC_NUMBER = r"[\u4e00-\u9fff]{1,8}[〔\[［【(（][0-9]{4}[〕\]］】)）][0-9]{1,4}号"
NO_BREAK = re.compile(rf"{_DOC_NUMBER}|{_VALUE}|[!-~\u00a0-\u02ff]+")
# a table cell that is a short label (产出指标, 社会效益指标) is not broken either
_LABEL_EM = 6.0
_LABEL = re.compile(r"[\u4e00-\u9fff]+")


def unbreakable_width(text: str) -> float:
    """The width of the longest run that should stay on one line."""
    if _LABEL.fullmatch(text) and text_width(text) <= _LABEL_EM:
        return text_width(text)
    return max((text_width(m.group()) for m in NO_BREAK.finditer(text)), default=0.0)


def no_break_spans(text: str) -> list[tuple[int, int]]:
    """Where value tokens and document numbers sit in ``text`` (only those worth protecting)."""
    spans = []
    for m in NO_BREAK.finditer(text):
        token = m.group()
        # a bare number or word breaks nowhere anyway; protect what UAX #14 would split (digit → 户, 〕→ 10号)
        if any(char_width(ch) == 1.0 for ch in token) and len(token) > 1:
            spans.append(m.span())
    return spans


_LAST_TWO = re.compile(r"[\u4e00-\u9fff]{2}$")


def no_lone_last_char(text: str) -> bool:
    """True when ``text`` ends with two Chinese characters that should not part at a line end.

    A cell wrapped to a last line of one character (社会效益指⏎标, 受助学生及家长满意⏎度) reads badly;
    the renderer keeps the last two together, so the break comes one character earlier (社会效益⏎指标).
    """
    return _LAST_TWO.search(text) is not None


# Breaking a run with no break opportunity: WeasyPrint re-lays out the rest of such a run for every
# line it fills (quadratic: 100,000 "A"s took minutes). A zero-width space every few characters gives
# Pango ordinary break points; the text prints the same.
LONG_RUN = 30
_LONG = re.compile(r"[^\s\u200b\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]{" + str(LONG_RUN + 1) + ",}")
_CHUNK = 12


def break_long_runs(text: str) -> str:
    if len(text) <= LONG_RUN:
        return text
    return _LONG.sub(lambda m: "\u200b".join(m.group()[i:i + _CHUNK] for i in range(0, len(m.group()), _CHUNK)),
                     text)


# --- table column widths ------------------------------------------------------------------------

TABLE_EM = TEXT_WIDTH_MM / 25.4 * 72 / TABLE_FONT_PT  # 42.1 characters of 10.5 pt in 156 mm
PADDING_EM = (2 * CELL_PADDING_PT + 1.0) / TABLE_FONT_PT  # both paddings plus the rules
_MIN_EM = 2.0  # two characters: a column never gets narrower
_HEADER_MAX_EM = 8.0  # a header longer than this may wrap
_MAX_TOKEN_EM = 10.0  # a longer code or URL may wrap rather than starve the rest
_STEPS = (0.5, 1.0, 2.0, 4.0, 8.0)
# a row whose tallest cells tie (the same long text in three columns) drops no line when one of them
# widens; a quarter line of credit per tallest cell shortened lets the greedy share the width among them
_TIE = 0.25


def _lines(text_em: float, width_em: float) -> int:
    """About how many lines ``text_em`` of text takes in a column ``width_em`` wide.

    A line holds whole characters: a 4.6 em column sets four Chinese characters, not 4.6, so
    “服务对象满意度指标” takes three lines there, as printed, not two.
    """
    if text_em <= width_em + 1e-9:
        return 1
    return math.ceil(text_em / max(1.0, math.floor(width_em + 1e-9)) - 1e-9)


def _least_width(text: str, category: bool) -> float:
    """The narrowest a cell may be: its longest unbreakable run (a category label may wrap)."""
    if category:
        return max((text_width(m.group()) for m in NO_BREAK.finditer(text)), default=0.0)
    return unbreakable_width(text)


@lru_cache(maxsize=64)
def column_widths(rows: tuple[tuple[str, ...], ...], total_em: float = TABLE_EM) -> tuple[float, ...]:
    """Fractions of the table width (summing to 1) for each column; ``rows[0]`` is the header.

    Every column starts at its least sensible width: its header unbroken (up to 8 characters), its
    longest value token (≥2,000户, 1,000元/生·年), number, document number or, outside the merged
    category columns, short label (up to 10), and never under 2 characters. The category labels of a
    grouped table (社会效益指标) may wrap: they sit in merged cells, and whether a wider column is
    worth it is weighed like any other. Then, greedily, the remaining width goes where it saves the
    most printed lines, counting each row at its tallest cell (with the category labels the PDF lays
    out hidden in every row of a group), so short values beside long descriptions get just their
    width and the descriptions get the room; what saves no line goes to the column with the most
    text. When even the least widths do not fit, tokens give way first (down to the headers), then
    everything shrinks in proportion. Used by HTML/PDF and Word alike.
    """
    count = max((len(r) for r in rows), default=0)
    if count == 0:
        return ()
    cells = [[r[j] if j < len(r) else "" for j in range(count)] for r in rows]
    marks = vertical_merges(cells)
    category = category_columns(marks, count)
    header = [max(_MIN_EM, min(text_width(c), _HEADER_MAX_EM)) for c in cells[0]]
    tokens = [max([header[j]] + [min(_least_width(row[j], category[j]), _MAX_TOKEN_EM) for row in cells[1:]])
              for j in range(count)]
    room = total_em - PADDING_EM * count
    if sum(tokens) <= room:
        width = tokens
    elif sum(header) <= room:
        # share what is left above the headers in proportion to what the tokens wanted
        want = [t - h for t, h in zip(tokens, header, strict=True)]
        spare = (room - sum(header)) / (sum(want) or 1.0)
        width = [h + w * spare for h, w in zip(header, want, strict=True)]
    else:
        width = [h * room / sum(header) for h in header]
    budget = room - sum(width)
    laid = group_labels(cells, marks)[1:] or cells
    body = [[text_width(c) for c in row] for row in laid]
    lines = [[_lines(row[j], width[j]) for j in range(count)] for row in body]
    while budget > 1e-9:
        # per row: its tallest cell, and how tall it would still be without column j's cell
        tallest = [max(row) for row in lines]
        second = [max((n for n in row if n < top), default=0) if row.count(top) == 1 else top
                  for row, top in zip(lines, tallest, strict=True)]
        best: tuple[float, int, float] | None = None
        for j in range(count):
            # only rows whose tallest cell is in column j (and wraps) can get shorter
            shorter = [(body[r][j], tallest[r], max(second[r], 1)) for r in range(len(body))
                       if lines[r][j] == tallest[r] > 1]
            if not shorter:
                continue
            for step in _STEPS:
                if step > budget + 1e-9:
                    break
                gain = 0.0
                for text_em, top, others in shorter:
                    after = _lines(text_em, width[j] + step)
                    gain += top - max(after, others) + _TIE * (top - after)
                if gain > 1e-9 and (best is None or gain / step > best[0]):
                    best = (gain / step, j, step)
        if best is None:
            break
        _, j, step = best
        width[j] += step
        budget -= step
        for row_text, row_lines in zip(body, lines, strict=True):
            row_lines[j] = _lines(row_text[j], width[j])
    if budget > 1e-9:
        text = [sum(row[j] for row in body) for j in range(count)]
        width[text.index(max(text))] += budget
    padded = [w + PADDING_EM for w in width]
    scale = 1.0 / sum(padded)
    return tuple(w * scale for w in padded)


def content_em(fractions: Sequence[float], total_em: float = TABLE_EM) -> list[float]:
    """The width each column leaves for text (em), given the fractions ``column_widths`` returned."""
    return [f * total_em - PADDING_EM for f in fractions]


def vertical_merges(rows: Sequence[Sequence[str]]) -> list[list[str | None]]:
    """Mark cells to merge vertically: "restart", "continue" or None, row by row (``rows[0]`` the header).

    In a grouped table the Markdown leaves a group's label (产出指标, 数量指标) empty in the rows
    that follow it; those leading empty cells join the labelled cell above, as on the printed form.
    Only leading empty cells of body rows merge, never the header row, and never an empty cell after
    a filled one (a 合计 row's blanks stay blank).
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


def category_columns(marks: Sequence[Sequence[str | None]], count: int) -> list[bool]:
    """Which of ``count`` columns hold merged category labels (一级指标, 二级指标), from ``vertical_merges``."""
    return [any(j < len(row) and row[j] for row in marks) for j in range(count)]


def group_labels(rows: Sequence[Sequence[str]], marks: Sequence[Sequence[str | None]]) -> list[list[str]]:
    """For each merged ("continue") cell, the label of the group it belongs to (to repeat on a new page)."""
    labels = [list(row) for row in rows]
    for r in range(1, len(rows)):
        for j, mark in enumerate(marks[r]):
            if mark == "continue" and r > 0 and j < len(labels[r - 1]):
                labels[r][j] = labels[r - 1][j]
    return labels


# --- tables in the token stream -----------------------------------------------------------------

@dataclass
class Table:
    """One GFM table as found in the tokens: the cell texts by row (header first) and its layout."""

    start: int  # index of table_open
    end: int  # index after table_close
    rows: list[list[str]]
    cell_tokens: list[list[int]]  # per row, the index of each cell's th_open/td_open
    fractions: tuple[float, ...] = ()
    merges: list[list[str | None]] = field(default_factory=list)


def tables(tokens: Sequence[Token]) -> list[Table]:
    """Every table of ``tokens`` with its widths and merges computed."""
    found = []
    i = 0
    while i < len(tokens):
        if tokens[i].type != "table_open":
            i += 1
            continue
        start = i
        rows: list[list[str]] = []
        where: list[list[int]] = []
        while i < len(tokens) and tokens[i].type != "table_close":
            kind = tokens[i].type
            if kind == "tr_open":
                rows.append([])
                where.append([])
            elif kind in ("th_open", "td_open") and rows:
                rows[-1].append(plain(tokens[i + 1].children or []))
                where[-1].append(i)
            i += 1
        table = Table(start, i + 1, rows, where)
        table.fractions = column_widths(tuple(tuple(r) for r in rows))
        table.merges = vertical_merges(rows)
        found.append(table)
        i += 1
    return found


# --- signature and document structure ------------------------------------------------------------

def _normal(text: str) -> str:
    # compare signature lines as printed: no Markdown escapes, no spacing differences
    return re.sub(r"\s+", "", unescape(text))


def signature_start(tokens: Sequence[Token], signature: Sequence[str]) -> int:
    """Index of the first token of the closing 落款 paragraphs (``len(tokens)`` when there are none).

    They must end the document: trailing top-level paragraphs matched from the end against
    ``Report.signature``, so a paragraph that merely repeats the unit's name elsewhere stays body text.
    """
    wanted = [_normal(s) for s in signature if s.strip()]
    i = len(tokens)
    for text in reversed(wanted):
        if i < 3 or tokens[i - 1].type != "paragraph_close" or tokens[i - 3].type != "paragraph_open":
            break
        if tokens[i - 3].level != 0 or _normal(plain(tokens[i - 2].children or [])) != text:
            break
        i -= 3
    return i


_ATTACHMENT_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、\s*)?附(?:表|件)\s*\d*\s*[：:]?\s*")


@dataclass
class Attachment:
    """One attachment: its title (绩效指标完成情况表) and its blocks without the heading."""

    title: str
    tokens: list[Token]


@dataclass
class Plan:
    """A report in the order a 公文 prints it."""

    body: list[Token]
    signature: list[str]  # the 落款 lines as printed
    attachments: list[Attachment]

    def attachment_note(self) -> list[str]:
        """The 附件说明 lines under the body: “附件：绩效指标完成情况表”, numbered when there are several."""
        titles = [a.title for a in self.attachments]
        if not titles:
            return []
        if len(titles) == 1:
            return [f"附件：{titles[0]}"]
        return [f"附件：1. {titles[0]}"] + [f"{i}. {t}" for i, t in enumerate(titles[1:], start=2)]

    def attachment_label(self, index: int) -> str:
        return "附件" if len(self.attachments) == 1 else f"附件{index + 1}"


def plan(report: Report, tokens: list[Token], extra: Sequence[Attachment] = ()) -> Plan:
    """Split ``tokens`` (the parsed report) into body, signature and attachments.

    An attachment is a top-level ``##`` section keyed ``appendix`` in the outline (or, for reports
    composed elsewhere, whose heading starts with 附表/附件); it runs to the next ``##`` heading or
    the signature. ``extra``: attachments the caller adds (the form itself, ``--attach form``).
    """
    sig = signature_start(tokens, report.signature)
    appendix_headings = {_normal(s.heading) for s in report.sections if s.key == "appendix" and s.heading}
    body: list[Token] = []
    attachments: list[Attachment] = []
    current: Attachment | None = None
    i = 0
    while i < sig:
        tok = tokens[i]
        if tok.type == "heading_open" and tok.tag in ("h1", "h2") and tok.level == 0:
            heading = plain(tokens[i + 1].children or [])
            if _normal(heading) in appendix_headings or _ATTACHMENT_HEADING.match(heading):
                current = Attachment(_ATTACHMENT_HEADING.sub("", heading).strip() or heading, [])
                attachments.append(current)
                i += 3
                continue
            if tok.tag == "h2":
                current = None
        (current.tokens if current is not None else body).append(tok)
        i += 1
    signature = [plain(tokens[j + 1].children or []) for j in range(sig, len(tokens) - 2, 3)]
    return Plan(body, signature, attachments + list(extra))


# --- the cover --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CoverField:
    label: str
    value: str


def cover_fields(report: Report) -> list[CoverField]:
    """What a bureau expects on the cover: 项目名称, 主管部门, 实施单位, 评价年度, 报告日期.

    Read from the form; a field the form lacks prints as a placeholder for the author to fill.
    """
    form = getattr(report.evaluation, "form", None)

    def value(name: str) -> str:
        raw = getattr(form, name, None) if form is not None else None
        return str(raw).strip() if raw not in (None, "") else ""

    year = value("year")
    unit = value("implementer") or value("unit") or (report.unit or "")
    fields = [
        ("项目名称", value("project") or report.title),
        ("主管部门", value("department")),
        ("实施单位", unit),
        ("评价年度", f"{year}年度" if year else ""),
        ("报告日期", report.date or ""),
    ]
    return [CoverField(label, text or f"【待补充：{label}】") for label, text in fields]


def cover_unit(report: Report) -> str:
    """The unit printed above “（盖章）” at the foot of the cover: the one that signs the report."""
    return report.unit or next((f.value for f in cover_fields(report) if f.label == "实施单位"), "")


# --- title lines --------------------------------------------------------------------------------------

TITLE_EM = 20.0  # 156 mm of 22 pt characters
COVER_TITLE_EM = 17.0  # 156 mm of 26 pt characters
_TITLE_SUFFIXES = ("绩效自评报告", "自评报告", "评价报告", "报告")


def title_lines(title: str, per_line: float) -> list[str]:
    """Split a title too long for one line before its closing words (“…专项\n绩效自评报告”).

    Official titles wrap between words and keep the document type (绩效自评报告) together, never
    leaving “告” alone on a line; a title with no known ending is left to wrap by itself.
    """
    if text_width(title) <= per_line:
        return [title]
    for suffix in _TITLE_SUFFIXES:
        if title.endswith(suffix) and len(title) > len(suffix):
            return [title[: -len(suffix)], suffix]
    return [title]
