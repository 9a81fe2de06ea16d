"""Inter-character justification of Chinese lines for WeasyPrint (CSS ``text-justify: inter-character``).

WeasyPrint 70 justifies a line only by widening its spaces; a Chinese line has none, so every
justified paragraph kept a ragged right margin wherever a line ended before a digit run or a
punctuation cluster. This replaces ``weasyprint.layout.inline.justify_line`` for lines without
spaces: the line's extra width is shared among the gaps between its characters, as letter spacing
on each text box. Drawing rebuilds every box's Pango layout from its style, so a box only needs its
own style with ``letter_spacing`` set and its width and position moved; nothing is laid out twice.

The gaps inside a number or a Latin word (2,440.91万元, ABC) are never widened: a character in a
run of two or more narrow characters takes no spacing, so the run prints as set, while every gap
beside a Chinese character widens by the same amount. Pango gives a character half its spacing on
either side, so the half a gap beside a number lacks is carried by a zero-width word joiner put in
it (``_plan``); such a box is drawn from a copy of its layout with letter spacing per range.

Fenced: ``install()`` checks that the function it replaces has the signature and module it knows
(WeasyPrint 70.x), and leaves WeasyPrint alone otherwise (text then stays ragged, nothing breaks).
Lines with spaces keep WeasyPrint's own word-spacing justification.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from typing import Any

_KNOWN = ("70.",)
# a line that would need wider gaps (it ends before a kept-together token such as "（财预〔2020〕10号）",
# 0.64 em) is left ragged rather than spaced out. A third of an em: since numbers take no spacing, the
# line before "2,440.91万元" needs 0.30 em between its Chinese characters (0.18 em when the digits were
# spaced too) and at a quarter em it stayed ragged
_MAX_SPACING_EM = 1 / 3
_installed = False
_RangeSpaced: Any = None  # the layout class of boxes spaced in part (_range_spaced_class), made by install()


def install() -> bool:
    """Patch WeasyPrint once; True when inter-character justification is active."""
    global _installed, _RangeSpaced
    if _installed:
        return True
    import weasyprint
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout import inline

    original = getattr(inline, "justify_line", None)
    if (not weasyprint.__version__.startswith(_KNOWN) or original is None
            or list(inspect.signature(original).parameters) != ["context", "line", "extra_width"]):
        return False

    _RangeSpaced = _range_spaced_class()

    def justify_line(context: Any, line: Any, extra_width: float) -> None:
        if inline.count_expandable_spaces(line):
            original(context, line, extra_width)
            return
        texts: list[Any] = []
        _text_boxes(line, boxes, texts)
        plans, weight = _plan([box.text for box in texts])
        if weight <= 0 or extra_width <= 0:
            return
        spacing = extra_width / weight
        if spacing > _MAX_SPACING_EM * line.style["font_size"]:
            return
        _spread(line, boxes, spacing, _Cursor(plans), texts[-1])

    justify_line._reportgen = True  # type: ignore[attr-defined]
    inline.justify_line = justify_line
    _installed = True
    return True


def _text_boxes(box: Any, boxes: Any, out: list[Any]) -> None:
    if isinstance(box, boxes.TextBox):
        if box.text:
            out.append(box)
    elif isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        for child in box.children:
            if child.is_in_normal_flow():
                _text_boxes(child, boxes, out)


# characters that take no spacing: zero-width ones, and runs of two or more narrow characters (digits,
# Latin letters, ASCII punctuation: 2,440.91, ABC), so that a number or a word is never spaced out
_NARROW_RUN = re.compile(r"[^\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60"
                         r"\uffe0-\uffe6\U00020000-\U0003fffd“”‘’·…—]{2,}")
_ZERO_WIDTH = "\u2060\u200b\u200c\u200d\ufeff"
_AS_NARROW = {ord(ch): "a" for ch in _ZERO_WIDTH}
_JOINER = "\u2060"
_SPACED, _UNSPACED, _INVISIBLE = 1, 0, -1


_ANY_ZERO_WIDTH = re.compile(f"[{_ZERO_WIDTH}]")


def _kinds(text: str) -> list[int]:
    """For each character: spaced (Chinese, a lone digit), unspaced (in a number or word), invisible."""
    if _ANY_ZERO_WIDTH.search(text) is None and _NARROW_RUN.search(text) is None:
        return [_SPACED] * len(text)  # the common line: Chinese and lone digits only
    kinds = [_INVISIBLE if ch in _ZERO_WIDTH else _SPACED for ch in text]
    # a zero-width character inside a run (2,000⁠户 has none; 2⁠,000 would) does not split it
    for run in _NARROW_RUN.finditer(text.translate(_AS_NARROW)):
        for i in range(run.start(), run.end()):
            if kinds[i] == _SPACED:
                kinds[i] = _UNSPACED
    return kinds


@dataclass
class _BoxPlan:
    """How one text box of a justified line is spaced, in units of the line's spacing."""

    text: str  # the box's text as printed: no zero-width characters but a joiner beside each number
    sigma: list[float]  # each character's letter spacing
    inner: float = 0.0  # what that adds inside the box
    after: float = 0.0  # the gap after the box, up to the next one


def _gaps(sigma: list[float], start: int, stop: int) -> float:
    # Pango gives each character half its letter spacing on either side, within one layout: the gaps
    # from start to stop - 1 get every character's spacing but half of the two ends'
    if stop - start < 2:
        return 0.0
    return sum(sigma[start:stop]) - (sigma[start] + sigma[stop - 1]) / 2


def _plan(texts: list[str]) -> tuple[list[_BoxPlan], float]:
    """Space the gaps of a line whose text boxes print ``texts``; also return how many gaps widen.

    Every gap between two visible characters widens by the full spacing unless both are in a number
    or word (then not at all). A Chinese character gives half its spacing to each side; a number's
    characters give none, so a gap beside a number gets the other half from a word joiner put there,
    carrying half the spacing. A gap between two boxes is the offset of the second.
    """
    kinds = _kinds("".join(texts))
    plans: list[_BoxPlan] = []
    weight = 0.0
    before: int | None = None  # the kind of the last visible character so far
    at = 0
    for text in texts:
        box_kinds = kinds[at:at + len(text)]
        at += len(text)
        if _SPACED == min(box_kinds):  # all Chinese (and lone digits): every gap widens
            plan = _BoxPlan(text, [1.0] * len(text), len(text) - 1.0)
            weight += len(text) - 1
            if before is not None and plans:
                weight += 1.0
                plans[-1].after += 1.0
            before = _SPACED
            plans.append(plan)
            continue
        # zero-width characters (the word joiners that kept 2,000⁠户 on one line) have done their work
        # once the line is broken: they are left out of the printed text, which splits fewer runs
        chars: list[str] = []
        sigma: list[float] = []
        previous: int | None = None  # the kind of the last character of this box
        for ch, kind in zip(text, box_kinds, strict=True):
            if kind == _INVISIBLE:
                continue
            if previous is not None:
                if previous != kind:  # a gap beside a number: a joiner carries the number's half
                    chars.append(_JOINER)
                    sigma.append(0.5)
                weight += 1.0 if _SPACED in (previous, kind) else 0.0
            chars.append(ch)
            sigma.append(float(kind))
            previous = kind
        if chars:
            if before is not None and plans:
                wanted = 1.0 if _SPACED in (before, int(sigma[0])) else 0.0
                weight += wanted
                plans[-1].after += wanted
            before = int(sigma[-1])
        plans.append(_BoxPlan("".join(chars), sigma, _gaps(sigma, 0, len(sigma))))
    return plans, weight


class _Cursor:
    """Where ``_spread`` is in the line: the plan of each text box and the advance so far."""

    def __init__(self, plans: list[_BoxPlan]) -> None:
        self.plans = plans
        self.at = 0
        self.advance = 0.0


def _spread(box: Any, boxes: Any, spacing: float, cursor: _Cursor, last: Any) -> None:
    """Move ``box`` right by the spacing added so far and widen it by the spacing of its own gaps."""
    if isinstance(box, boxes.TextBox):
        box.position_x += cursor.advance
        if not box.text:
            return
        plan = cursor.plans[cursor.at]
        cursor.at += 1
        if plan.text == box.text and all(s == 1.0 for s in plan.sigma):
            style = box.style.copy()
            style["letter_spacing"] = spacing
            box.style = style
        elif any(plan.sigma):
            box.pango_layout = _RangeSpaced.of(box.pango_layout, plan, spacing)
        inner = spacing * plan.inner
        box.width += inner
        # the gap after the box's last character is the next box's offset (none after the line's last)
        cursor.advance += inner + (0.0 if box is last else spacing * plan.after)
    elif isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        box.position_x += cursor.advance
        before = cursor.advance
        for child in box.children:
            if child.is_in_normal_flow():
                _spread(child, boxes, spacing, cursor, last)
        box.width += cursor.advance - before
    else:
        box.translate(cursor.advance, 0)


def _range_spaced_class() -> type:
    """A WeasyPrint text layout that letter-spaces only given byte ranges of its text (built on first use)."""
    from weasyprint.text.ffi import TO_UNITS, ffi, pango
    from weasyprint.text.line_break import Layout

    class RangeSpaced(Layout):
        spans: tuple[tuple[int, int, int], ...] = ()

        @classmethod
        def of(cls, layout: Any, plan: _BoxPlan, spacing: float) -> Any:
            """A copy of ``layout`` that prints ``plan.text`` with each character's own letter spacing."""
            spaced = cls.__new__(cls)
            spaced.__dict__.update(layout.__dict__)  # a box's layout may be shared with its copies
            spaced.text = plan.text
            spans: list[tuple[int, int, int]] = []
            byte = 0
            for ch, sigma in zip(plan.text, plan.sigma, strict=True):
                size = len(ch.encode())
                units = int(sigma * spacing * TO_UNITS)
                if spans and spans[-1][1] == byte and spans[-1][2] == units:
                    spans[-1] = (spans[-1][0], byte + size, units)
                elif units:
                    spans.append((byte, byte + size, units))
                byte += size
            spaced.spans = tuple(spans)
            return spaced

        def set_text(self, text: str, justify: bool = False) -> None:
            super().set_text(text, justify)
            if not self.spans or text != self.text:
                return
            attrs = pango.pango_layout_get_attributes(self.layout)
            if attrs == ffi.NULL:
                attrs = ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)
            for start, end, units in self.spans:
                attr = pango.pango_attr_letter_spacing_new(units)
                attr.start_index, attr.end_index = start, end
                pango.pango_attr_list_change(attrs, attr)
            pango.pango_layout_set_attributes(self.layout, attrs)

    return RangeSpaced
