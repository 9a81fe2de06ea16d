"""Parse the target/actual notations printed in 绩效自评表 cells into typed values.

Every cell string (年初目标值 / 实际完成值) becomes a frozen :class:`Value` that keeps the original text in
``raw`` for display and adds what could be read from it: comparator, number(s), unit, per-period suffix,
trailing remark, compound parts, qualitative achievement.  Parsing never raises: anything unrecognised is a
``"qualitative"`` value carrying its raw text (domain brief §9: real forms hold OCR garbage, instruction text,
problem statements and sentences in these cells).

Notations handled (see domain brief §9 and the seed form):

* comparators ``≥ ≧ ⩾ >= ＞＝`` / ``≤ ≦ ⩽ <= ＜＝`` / ``> <`` / ``= ═ ﹦ ＝``, the wordings
  不低于/不少于/至少/达到/大于等于 and 不超过/不高于/不多于/小于等于/控制在, suffixes 以上/以下/以内/内,
  approximations 约/左右/余;
* numbers with thousands separators (``2,440.91``), decimals, full-width digits, ``%``/``％``/百分比/百分之;
* units as printed (``万元``, ``个``, ``人次`` …) with an optional ``/per`` suffix (``次/年``, ``万元/社区``);
* ranges ``25~30人`` (``~ ～ - — 至 到``), notes after the value (``(疫情控人)线上活动100人左右``);
* compounds split at 、，,；; and 其中 after a value (``≥4次/年、其中体育活动≥2次``), with labels;
* deadlines (``6月前``, ``2020年12月底前``), dates, template placeholders (``≥**人``, ``指标1:``, ``……``).

:func:`completion_ratio` and :func:`meets` are deliberately conservative: whenever units, per-suffixes or
labels differ, or the actual merely copies the target's comparator, they return ``None`` instead of guessing.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Literal

from reportgen.evaluation import vocabulary
from reportgen.evaluation.vocabulary import Op

__all__ = ["Kind", "Op", "Value", "completion_ratio", "meets", "parse_value"]

Kind = Literal["quantity", "range", "qualitative", "empty", "compound"]
Direction = Literal["positive", "reverse"]

# ---------------------------------------------------------------------------------------------------------
# Data tables.  Everything a domain expert may want to extend lives here, not in the code below.
# ---------------------------------------------------------------------------------------------------------

#: Cell contents meaning "nothing was entered" (compared after normalisation, lower-cased).
#: "无" is deliberately absent: as an actual it can mean "none happened", which is information.
EMPTY_TOKENS: tuple[str, ...] = (
    "", "-", "--", "---", "/", "//", "\\", "n/a", "na", "#n/a", "nan", "none", "null",
)

#: Comparator symbols (after full-width folding and look-alike folding, see ``_TRANSLATE``), comparator
#: wordings printed before the number, and wordings printed after the value (``None`` = approximation only):
#: lexicon/labels.yaml ``comparators``, shared with the reader and direction.py.
OP_SYMBOLS: tuple[tuple[str, Op], ...] = vocabulary.comparator_symbols()
OP_WORDS: tuple[tuple[str, Op], ...] = vocabulary.comparator_words()

#: Comparator wordings that only make sense in a *target*; an actual printed with one of these (or with a
#: ≥/≤/>/< symbol) is a copy of the target, and no completion rate may be derived from it (domain §10.5).
#: 达到/超过/高于/低于 are excluded because actuals use them to state a result ("达到98%").
TARGET_ONLY_OP_WORDS: tuple[str, ...] = vocabulary.target_only_words()

SUFFIX_OPS: tuple[tuple[str, Op | None], ...] = vocabulary.comparator_suffixes()

#: Known units and per-suffixes.  Only used to cut a unit off a following word ("60周岁以上老年人"); a short
#: unknown run of CJK/letters is taken as the unit as is, so this list need not be complete.
KNOWN_UNITS: tuple[str, ...] = (
    "万元", "亿元", "千元", "元", "万", "亿", "千", "百",
    "个百分点", "百分点", "百分比", "%", "‰",
    "人民币", "人次", "人", "户次", "户", "个工作日", "工作日", "个月", "个", "批次", "车次", "场次", "次",
    "万亩", "亩", "公顷", "平方米", "平米", "立方米", "千米", "公里", "厘米", "毫米", "米",
    "万吨", "吨", "千克", "公斤", "斤", "克",
    "只", "头", "种", "例", "篇", "份", "场", "件", "粒", "车", "辆", "台", "套", "座", "处", "条", "间",
    "栋", "幢", "张", "本", "册", "期", "批", "项", "类", "名", "位", "家", "所", "课", "节", "班", "支",
    "周岁", "岁", "小时", "分钟", "天", "日", "周", "月", "季度", "季", "半年", "年", "学期",
    "社区", "村", "镇", "乡", "校",
)

#: Unit spellings folded together when comparing (the 万/亿 multiplier is what matters, not the 元).
UNIT_ALIASES: dict[str, str] = {"万元": "万", "亿元": "亿", "千元": "千", "百分比": "%", "人民币": "元", "万人民币": "万",
                                "亿人民币": "亿", "平米": "平方米", "万平米": "万平方米"}

#: Label text that carries no meaning of its own ("实际完成12次" is just 12次).
LABEL_FILLERS: tuple[str, ...] = (
    "实际", "实际完成", "实际完成值", "实际值", "完成值", "完成", "已完成", "实现", "共", "共计", "累计",
    "合计", "总计", "全年", "全年共", "全年共计", "全年完成", "年度", "达", "为", "约", "计", "已达",
)

#: Label endings that only introduce the number ("完成率达98%" is labelled 完成率).  Cut only after a
#: measure noun (率/数/量/额/度/值), because the same characters end ordinary words (行为, 节约, 送达).
LABEL_TRAILING_FILLERS: tuple[str, ...] = ("共计", "累计", "合计", "达到", "达", "为", "约")

#: Qualitative texts that are, as a whole, a statement of achievement / failure.
ACHIEVED_EXACT: tuple[str, ...] = (
    "是", "合格", "达到", "达成", "完成", "已完成", "全部完成", "按时完成", "达成预期指标", "达成年度指标",
    "效果明显", "显著", "显著提升", "有效", "良好", "良", "优", "优秀", "好", "较好", "高", "较高", "及时",
    "合规", "符合相关规定", "满意", "提高", "提升", "改善", "达标", "已达标", "通过", "已通过", "正常",
)
FAILED_EXACT: tuple[str, ...] = (
    "否", "差", "较差", "很差", "不合格", "未完成", "未达到", "未达成", "未实施", "不达标", "未达标",
    "不满意", "无效", "不及时", "不合规", "未通过",
)
#: Phrases searched inside short texts, in this order: partial → failure → absence → achievement.
PARTIAL_MARKERS: tuple[str, ...] = (
    "基本", "部分", "大体", "接近", "有待", "尚需", "仍需", "还需", "不足", "一般",
)
FAILED_PHRASES: tuple[str, ...] = (
    "不合格", "未完成", "未达到", "未达成", "未实施", "未达标", "不达标", "没有完成", "没有达到", "未能",
    "不满意", "无效", "不及时", "未按时", "未按期", "未开展", "未启动", "未通过", "效果差", "效果较差",
    "滞后",
)
#: Texts starting like this describe the absence of a (bad) event ("没有停水"): not a failure, not proof.
ABSENCE_PREFIXES: tuple[str, ...] = ("没有", "无", "未发生", "零")
ACHIEVED_PHRASES: tuple[str, ...] = (
    "合格", "达到", "达成", "完成", "达标", "明显", "显著", "有效", "良好", "优秀", "及时", "合规", "符合",
    "满意", "提高", "提升", "改善", "通过", "预期",
)
#: Longer texts are narratives (problem statements, activity lists); judging them by keywords is unsafe.
ACHIEVEMENT_TEXT_MAX = 20

#: More prose than this (labels + unbracketed notes) around the numbers means a sentence, not a value.
SENTENCE_PROSE_MAX = 40

# Full-width ASCII block → ASCII, ideographic space → space, look-alike comparators and dashes folded.
# Every mapping is one character to one character, so positions in the normalised text are positions
# in ``raw``: labels, notes and part texts are cut from the original string.
_TRANSLATE: dict[int, str] = {cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)}
_TRANSLATE.update({
    0x3000: " ", 0x301C: "~", 0x223C: "~",
    ord("≧"): "≥", ord("⩾"): "≥", ord("≦"): "≤", ord("⩽"): "≤",
    ord("═"): "=", ord("﹦"): "=", ord("﹤"): "<", ord("﹥"): ">",
    ord("—"): "-", ord("–"): "-", ord("―"): "-", ord("‐"): "-", ord("‑"): "-", ord("−"): "-",
})

# ---------------------------------------------------------------------------------------------------------
# Compiled patterns (module level: parse_value runs once per cell, thousands of times).
# ---------------------------------------------------------------------------------------------------------


def _alternation(words: tuple[str, ...]) -> str:
    """Return a regex alternation of ``words``, longest first so that 不超过 wins over 超过."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


_OP_MAP: dict[str, Op] = dict(OP_SYMBOLS) | dict(OP_WORDS)
_NUM = r"(?:[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])|[0-9]+)(?:\.[0-9]+)?"
# OCR renders "≤" as "W" (domain §9), so a W directly before a digit is read as "≤".  The same OCR turns
# "≥" into "2", but "250人" cannot be told from "≥50人", so a leading "2" is NEVER reinterpreted.
_TOKEN_RE = re.compile(
    r"(?:(?P<op>" + _alternation(tuple(_OP_MAP)) + r"|(?<![A-Za-z0-9.])W(?=\s*[0-9]))\s*"
    r"|(?<![A-Za-z0-9.第]))"
    r"(?:(?<![\u4e00-\u9fff])(?P<approx>大约|约为|约|近))?"  # not the 约 of 节约 or the 近 of 附近
    r"(?P<pctword>百分之)?"
    r"(?P<sign>-)?"
    r"(?P<num>" + _NUM + r")"
    r"(?:\s*(?P<pct1>%)?\s*(?P<rsep>[~\-至到])\s*(?P<num2>" + _NUM + r"))?"
    r"(?P<more>余|多)?"
)
_UNIT_RUN_RE = re.compile(r"[A-Za-z%‰℃°²³·\u3380-\u33ff\u3400-\u4dbf\u4e00-\u9fff]+")
_ASCII_LETTERS_RE = re.compile(r"[A-Za-z²³]+")
_LEADING_OP_RE = re.compile(r"\s*(" + _alternation(tuple(s for s, _ in OP_SYMBOLS)) + r")")
# Years, full dates and calendar months inside a text are not quantities ("2020年", "8月份", "12月31日").
_DATE_TOKEN_RE = re.compile(
    r"(?:19|20)[0-9]{2}(?:年(?:[0-9]{1,2}月(?:[0-9]{1,2}[日号])?)?|[-./][0-9]{1,2}(?:[-./][0-9]{1,2})?)"
    r"|[0-9]{1,2}月(?:[0-9]{1,2}[日号]|份|底|末|初|上旬|中旬|下旬|(?=前|之前|以前|完成|已|全部|按))"
)
_DEADLINE_RE = re.compile(
    r"(?:在|于|截至|截止)?(?:(?:19|20)[0-9]{2}年度?)?"
    r"(?:[0-9]{1,2}月(?:[0-9]{1,2}[日号])?份?(?:底|末|初|上旬|中旬|下旬)?|年底|年末|年内|年中|月底|月末)"
    r"(?:之前|以前|前|之内|以内|内|底|末)"
)
_TRAILING_FILLER_RE = re.compile(r"([率数量额度值])\s*(?:" + _alternation(LABEL_TRAILING_FILLERS) + r")$")
# "每年≥2次": the per-period is printed before the value.
_EACH_RE = re.compile(r"^(?P<rest>.*?)每(?P<per>年|半年|季度|季|月|周|日|天|人|户|次|社区|村|学期)$")
_PLACEHOLDER_RES: tuple[re.Pattern[str], ...] = (
    re.compile(r"\*\*"),
    re.compile(r"(?:^|[≥≤<>=(\s])\*(?=[%)\u4e00-\u9fff]|$)"),
    re.compile(r"^指标\s*[0-9一二三四五六七八九十]+\s*[:.、]?\s*$"),
    re.compile(r"^[….·。\s]+$"),
    re.compile(r"(?<![A-Za-z])(?:[Xx×]{2,}|[Xx](?=\s*%))(?![A-Za-z])"),
    re.compile(r"请填写|请输入|请选择|填写说明|^\(?填写"),
)
# "<" and ">" are comparators here, never brackets.
_OPEN_BRACKETS = "([{【“‘《"
_CLOSE_BRACKETS = ")]}】”’》"
_SEPARATORS = ",;、。\n"
_BRACKETED_RE = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】")
_EDGE_PUNCT = " \t\r\n,;、。:.!！?？\"'“”‘’"
_LABEL_EDGE = " \t\r\n,;、:："
_FOUR_PLACES = Decimal("0.0001")


# ---------------------------------------------------------------------------------------------------------
# The value type.
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Value:
    """Hold one parsed target/actual cell; ``raw`` is the original text and is what gets displayed."""

    raw: str
    kind: Kind
    op: Op | None = None
    number: Decimal | None = None
    high: Decimal | None = None
    unit: str = ""
    per: str | None = None
    note: str | None = None
    parts: tuple[Value, ...] = ()
    label: str | None = None
    achieved: bool | None = None
    deadline: bool = False
    placeholder: bool = False

    @property
    def is_quantitative(self) -> bool:
        """Tell whether a number can be compared: a quantity, a range, or a compound led by one."""
        if self.kind in ("quantity", "range"):
            return True
        return self.kind == "compound" and bool(self.parts) and self.parts[0].is_quantitative

    @property
    def is_percent(self) -> bool:
        """Tell whether the value is printed as a percentage ("%", "％", "百分比", "百分之…")."""
        return self.unit == "%"

    @property
    def magnitude(self) -> Decimal | None:
        """Return the number to compare: a quantity's number, a range's LOW end, a compound's first part.

        The low end of a range is the conservative reading of an *actual* ("25~30人" means at least 25);
        :func:`completion_ratio` picks the end per direction itself and does not rely on this property.
        """
        if self.kind in ("quantity", "range"):
            return self.number
        if self.kind == "compound" and self.parts:
            return self.parts[0].magnitude
        return None

    @property
    def direction(self) -> Direction | None:
        """Return "positive" for ≥ > = (不低于…), "reverse" for ≤ < (不超过/以内…), else None."""
        if self.op in (">=", ">", "="):
            return "positive"
        if self.op in ("<=", "<"):
            return "reverse"
        return None


# ---------------------------------------------------------------------------------------------------------
# Parsing.
# ---------------------------------------------------------------------------------------------------------


def parse_value(raw: str | int | float | Decimal | None) -> Value:
    """Parse one printed target/actual cell into a :class:`Value`; never raise."""
    try:
        if raw is None:
            return Value(raw="", kind="empty")
        if isinstance(raw, float):
            if math.isnan(raw):
                return Value(raw="", kind="empty")
            # Spreadsheet cells give 10.0 for a printed "10": show it the way it was printed.
            text = str(int(raw)) if raw.is_integer() and abs(raw) < 1e15 else repr(raw)
        elif isinstance(raw, Decimal):
            text = "" if raw.is_nan() else str(raw)
        else:
            text = raw if isinstance(raw, str) else str(raw)
        return _parse_text(text.strip())
    except Exception:  # the contract is "never raise": a parser bug must not kill a batch run
        try:
            fallback = str(raw).strip()
        except Exception:  # a hostile __str__; nothing left to show
            fallback = ""
        return Value(raw=fallback, kind="qualitative")


def _normalise(text: str) -> str:
    """Fold full-width characters, look-alike comparators and dashes, one character for one."""
    return text.translate(_TRANSLATE)


@lru_cache(maxsize=16384)
def _parse_text(raw: str) -> Value:
    """Parse a stripped cell string (cached: forms repeat the same notations over and over)."""
    n = _normalise(raw)
    if n.strip().lower() in EMPTY_TOKENS:
        return Value(raw=raw, kind="empty")
    if any(p.search(n) for p in _PLACEHOLDER_RES):
        return _placeholder(raw, n)
    if _DEADLINE_RE.match(n):
        return Value(raw=raw, kind="qualitative", deadline=True, achieved=_achievement(n))
    parts = _split_parts(raw, n)  # dates are skipped there, so "2020年11月" ends up qualitative below
    if parts and not _is_sentence(n, parts):
        if len(parts) == 1:
            return _with_raw(parts[0], raw)
        first = parts[0]
        return Value(
            raw=raw, kind="compound", op=first.op, number=first.number, high=first.high, unit=first.unit,
            per=first.per, parts=tuple(parts),
        )
    lead = _LEADING_OP_RE.match(n)
    return Value(
        raw=raw, kind="qualitative", op=_OP_MAP[lead.group(1)] if lead else None, achieved=_achievement(n),
    )


def _with_raw(value: Value, raw: str) -> Value:
    """Return ``value`` carrying the whole cell text as ``raw`` (a lone part spans the cell anyway)."""
    if value.raw == raw:
        return value
    return Value(
        raw=raw, kind=value.kind, op=value.op, number=value.number, high=value.high, unit=value.unit,
        per=value.per, note=value.note, label=value.label,
    )


def _placeholder(raw: str, n: str) -> Value:
    """Build the empty value of a template placeholder, keeping the comparator and unit it shows."""
    lead = _LEADING_OP_RE.match(n.lstrip(" ("))
    unit = ""
    if "%" in n:
        unit = "%"
    else:
        tail = re.search(r"[*Xx×]\s*([\u4e00-\u9fff]{1,4})\s*$", n)
        if tail:
            unit = tail.group(1)
    op = _OP_MAP[lead.group(1)] if lead else None
    return Value(raw=raw, kind="empty", op=op, unit=unit, placeholder=True)


def _is_sentence(n: str, parts: list[Value]) -> bool:
    """Tell whether numbers sit inside prose (a narrative actual) rather than forming a value."""
    if "。" in n.rstrip(_EDGE_PUNCT):
        return True
    prose = 0
    for part in parts:
        prose += len(part.label or "")
        if part.note:
            prose += len(_BRACKETED_RE.sub("", part.note))
    return prose > SENTENCE_PROSE_MAX


def _find_token(n: str, pos: int) -> re.Match[str] | None:
    """Return the next value token at or after ``pos``, skipping dates and list markers ("1、")."""
    while pos < len(n):
        m = _TOKEN_RE.search(n, pos)
        if m is None:
            return None
        num_start = m.start("num")
        date = _DATE_TOKEN_RE.match(n, num_start)
        if date and not m.group("op"):
            pos = date.end()
            continue
        after = m.end("num")
        if (
            not m.group("op") and not m.group("num2") and after < len(n) and n[after] in "、.)"
            and (after + 1 >= len(n) or not n[after + 1].isdigit())
            and (m.start() == 0 or n[m.start() - 1] in " (,;、。\n")
        ):
            pos = after + 1
            continue
        return m
    return None


# KNOWN_UNITS by first character, longest first: _split_unit tries a few instead of every unit (two len() calls
# each, for every unit run of every value: a tenth of evaluating a form)
_UNITS_BY_FIRST: dict[str, tuple[str, ...]] = {
    first: tuple(sorted((u for u in KNOWN_UNITS if u[0] == first), key=len, reverse=True))
    for first in {u[0] for u in KNOWN_UNITS}
}


_MULTIPLIERS = frozenset({"万", "亿", "千", "百"})


def _split_unit(run: str) -> str:
    """Return the unit at the start of a CJK/letter run, cutting it off any following words."""
    cut = run.find("其中")
    if cut >= 0:
        run = run[:cut]
    if not run:
        return ""
    if run[0] in "%‰":
        return run[0]
    if any(run.startswith(word) for word, _ in SUFFIX_OPS):
        return ""
    # the longest known unit the run starts with
    best = next((unit for unit in _UNITS_BY_FIRST.get(run[0], ()) if run.startswith(unit)), "")
    if best in _MULTIPLIERS and len(run) > 1:
        # 万人, 万人次, 万户, 万平方米: a multiplier and the unit it multiplies are one unit (3.1万人 is not
        # 3.1万 with a remark "人"); 万元, 万亩, 千米 are listed whole and never get here
        rest = run[1:]
        counted = next((unit for unit in _UNITS_BY_FIRST.get(rest[0], ()) if rest.startswith(unit)), "")
        if counted and counted not in _MULTIPLIERS:
            return best + counted
    if best:
        return best
    stops = [i for i in (run.find(word) for word, _ in SUFFIX_OPS) if i > 0]
    if stops and min(stops) <= 4:
        return run[: min(stops)]
    if len(run) <= 4:
        return run
    letters = _ASCII_LETTERS_RE.match(run)
    return letters.group(0) if letters else run[0]


def _suffix_at(n: str, pos: int) -> tuple[Op | None, int]:
    """Return the comparator of a suffix word (以上/以内/左右 …) at ``pos`` and the position after it."""
    for word, op in SUFFIX_OPS:
        if n.startswith(word, pos):
            return op, pos + len(word)
    return None, pos


def _boundary(n: str, pos: int) -> tuple[int, int]:
    """Return (start, end) of the next part separator at bracket depth 0 after ``pos``, or (len, len)."""
    depth = 0
    i = pos
    while i < len(n):
        ch = n[i]
        if ch in _OPEN_BRACKETS:
            depth += 1
        elif ch in _CLOSE_BRACKETS:
            depth = max(0, depth - 1)
        elif depth == 0:
            if ch in _SEPARATORS:
                return i, i + 1
            if n.startswith("其中", i):
                return i, i
        i += 1
    return len(n), len(n)


def _clean_label(text: str) -> tuple[str | None, str | None]:
    """Return (label, per) from the text before a number: drop 其中/fillers, read a leading 每年/每月."""
    label = text.strip(_LABEL_EDGE)
    if label.startswith("其中"):
        label = label[2:].strip(_LABEL_EDGE)
    per = None
    each = _EACH_RE.match(label)
    if each:
        label, per = each.group("rest").strip(_LABEL_EDGE), each.group("per")
    if label in LABEL_FILLERS:
        label = ""
    label = _TRAILING_FILLER_RE.sub(r"\1", label)
    return label or None, per


def _clean_note(text: str) -> str | None:
    """Return the trailing remark without leading separators, or None when nothing is left."""
    note = text.strip().lstrip(",;、，；").strip()
    return note or None


def _decimal(text: str, negative: bool = False) -> Decimal:
    """Convert a matched number ("2,440.91") to Decimal."""
    value = Decimal(text.replace(",", ""))
    return -value if negative else value


def _split_parts(raw: str, n: str) -> list[Value]:
    """Split the normalised text into quantity/range parts; [] when it holds no value token."""
    parts: list[Value] = []
    start = 0
    m = _find_token(n, 0)
    while m is not None:
        op_text = m.group("op")
        op: Op | None = _OP_MAP.get(op_text) if op_text and op_text != "W" else None
        label_text = raw[start : m.start()]
        if op_text == "W":
            if label_text.strip(_LABEL_EDGE):
                label_text += raw[m.start("op") : m.end("op")]  # not leading: an ordinary letter
            else:
                op = "<="
        number = _decimal(m.group("num"), bool(m.group("sign")))
        high = _decimal(m.group("num2")) if m.group("num2") else None
        unit = "%" if m.group("pctword") else ""
        pos = m.end()
        while pos < len(n) and n[pos] == " ":
            pos += 1
        run = _UNIT_RUN_RE.match(n, pos)
        if run and not unit:
            unit = _split_unit(run.group(0))
            pos += len(unit)
        per = None
        if pos < len(n) and n[pos] == "/":
            per_run = _UNIT_RUN_RE.match(n, pos + 1)
            if per_run:
                per = _split_unit(per_run.group(0)) or None
                if per:
                    pos += 1 + len(per)
        suffix_op, pos = _suffix_at(n, pos)
        if op is None:
            op = suffix_op
        sep_start, sep_end = _boundary(n, pos)
        nxt = _find_token(n, sep_end) if sep_end < len(n) else None
        if nxt is None:
            sep_start = sep_end = len(n)  # trailing words without numbers stay in this part's note
        label, each_per = _clean_label(label_text)
        if label in ("百分比", "百分之") and not unit:
            label, unit = None, "%"  # the unit printed in front ("百分比100")
        parts.append(
            Value(
                raw=raw[start:sep_start].strip(),
                kind="range" if high is not None else "quantity",
                op=op,
                number=number,
                high=high,
                unit="%" if unit == "百分比" else unit,
                per=per or each_per,
                note=_clean_note(raw[pos:sep_start]),
                label=label,
            )
        )
        start = sep_end
        m = nxt
    return parts


# ---------------------------------------------------------------------------------------------------------
# Qualitative achievement.
# ---------------------------------------------------------------------------------------------------------


def _achievement(text: str) -> bool | None:
    """Return True/False when a short text states achievement/failure, None when it does not say."""
    t = re.sub(r"\s+", "", text).strip(_EDGE_PUNCT)
    t = t.lstrip("≥≤<>=")
    if t in FAILED_EXACT:
        return False
    if t in ACHIEVED_EXACT:
        return True
    if not t or len(t) > ACHIEVEMENT_TEXT_MAX:
        return None
    if any(p in t for p in PARTIAL_MARKERS):
        return None
    if any(p in t for p in FAILED_PHRASES):
        return False
    if t.startswith(ABSENCE_PREFIXES):
        return None
    if any(p in t for p in ACHIEVED_PHRASES):
        return True
    return None


# ---------------------------------------------------------------------------------------------------------
# Comparison.
# ---------------------------------------------------------------------------------------------------------

_TARGET_ONLY_OPS: frozenset[str] = (
    frozenset(TARGET_ONLY_OP_WORDS) | {sym for sym, op in OP_SYMBOLS if op != "="} | {"W"}
)


def _lead(value: Value) -> Value:
    """Return the part that stands for the value in comparisons (a compound's first part)."""
    return value.parts[0] if value.kind == "compound" and value.parts else value


def _unit_key(unit: str) -> str:
    """Fold unit spellings that mean the same scale ("万元" ≡ "万")."""
    return UNIT_ALIASES.get(unit, unit)


def _label_key(label: str | None) -> str:
    """Normalise a label for equality tests."""
    return re.sub(r"\s+", "", _normalise(label)) if label else ""


def _copies_operator(actual: Value) -> bool:
    """Tell whether an actual repeats a target-style comparator ("≥2次", "不少于3种")."""
    return _raw_copies_operator(actual.raw)


@lru_cache(maxsize=16384)
def _raw_copies_operator(raw: str) -> bool:
    # by the printed text: scoring, status and the ratio each ask of the same actual
    token = _find_token(_normalise(raw), 0)
    return token is not None and token.group("op") in _TARGET_ONLY_OPS


def _comparable(target: Value, actual: Value) -> tuple[Value, Value] | None:
    """Return the (target, actual) parts to compare numerically, or None when a comparison would guess."""
    if target.placeholder or actual.placeholder:
        return None
    if not (target.is_quantitative and actual.is_quantitative):
        return None
    t, a = _lead(target), _lead(actual)
    if t.number is None or a.number is None:
        return None
    tu, au = _unit_key(t.unit), _unit_key(a.unit)
    # "≥3万" against "3.1万人": the bare multiplier is the same scale as the unit it multiplies
    if tu and au and tu != au and not ({t.unit, a.unit} & _MULTIPLIERS and (au.startswith(tu) or tu.startswith(au))):
        return None
    if t.per and a.per and t.per != a.per:
        return None
    if {tu, au} == {"%", ""}:
        bare = a if au == "" else t
        if bare.number is not None and 0 < bare.number <= 1:
            return None  # "1" beside "100%": a fraction (rate printed as 1) or 1 %? Do not guess.
    if _label_key(t.label) != _label_key(a.label):
        return None
    if _copies_operator(a):
        return None
    return t, a


def _ends(t: Value, a: Value) -> tuple[Decimal, Decimal]:
    """Pick the compared ends: low ends for positive targets, high ends for reverse ones (conservative)."""
    assert t.number is not None and a.number is not None
    if t.direction == "reverse":
        return (t.high if t.high is not None else t.number), (a.high if a.high is not None else a.number)
    return t.number, a.number


def completion_ratio(target: Value, actual: Value) -> Decimal | None:
    """Return the completion ratio (B/A positive, A/B reverse) rounded to 4 places, or None when unsafe.

    None when either side is not quantitative, units or per-suffixes differ (万元≡万, but 元≠万元),
    compound labels differ, the actual copies a target comparator, the target is 0 or a number is negative.
    Compounds compare their first parts; a range actual contributes its conservative end.
    """
    try:
        pair = _comparable(target, actual)
        if pair is None:
            return None
        t, a = pair
        tv, av = _ends(t, a)
        if tv <= 0 or av < 0:
            return None
        if t.direction == "reverse":
            ratio = Decimal(1) if av == 0 else tv / av
        else:
            ratio = av / tv
        return ratio.quantize(_FOUR_PLACES, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ArithmeticError):
        return None


def _meets_numeric(t: Value, a: Value) -> bool:
    """Compare two comparable parts with the target's comparator (no comparator = positive)."""
    tv, av = _ends(t, a)
    if t.op == ">":
        return av > tv
    if t.op == "<":
        return av < tv
    if t.op == "<=":
        return av <= tv
    if t.op == "=" and t.high is None:
        return av == tv
    return av >= tv


@lru_cache(maxsize=16384)
def _text_key(text: str) -> str:
    """Normalise a qualitative text for equality tests (width, spaces, edge punctuation)."""
    return re.sub(r"\s+", "", _normalise(text)).strip(_EDGE_PUNCT)


def meets(target: Value, actual: Value) -> bool | None:
    """Tell whether the actual meets the target: True/False when that can be read safely, else None.

    Numeric targets use their comparator (≥ > = ≤ <; none = positive) on the same parts as
    :func:`completion_ratio`.  For a compound target each further part must find a labelled actual part that
    meets it, otherwise the answer is None.  Qualitative targets: same text → True; else the actual's
    ``achieved`` (inverted when the target itself is a negative statement such as "否").
    """
    try:
        if target.kind == "empty" or actual.kind == "empty":
            return None
        if target.is_quantitative:
            pair = _comparable(target, actual)
            if pair is None:
                return None
            result = _meets_numeric(*pair)
            if not result or target.kind != "compound":
                return result
            return _meets_other_parts(target, actual)
        if target.kind != "qualitative":
            return None
        if _text_key(target.raw) == _text_key(actual.raw):
            return True
        if actual.kind != "qualitative" or actual.achieved is None:
            return None
        if target.achieved is False:
            return not actual.achieved
        return actual.achieved
    except (InvalidOperation, ArithmeticError):
        return None


def _meets_other_parts(target: Value, actual: Value) -> bool | None:
    """Check a compound target's further parts against the actual's parts with the same label."""
    others = actual.parts[1:] if actual.kind == "compound" else ()
    verdict: bool | None = True
    for part in target.parts[1:]:
        match = next((p for p in others if _label_key(p.label) == _label_key(part.label)), None)
        if match is None:
            return None
        sub = meets(part, match)
        if sub is False:
            return False
        if sub is None:
            verdict = None
    return verdict
