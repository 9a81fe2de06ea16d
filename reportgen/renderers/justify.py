"""Inter-character justification of Chinese lines for WeasyPrint (CSS ``text-justify: inter-character``).

WeasyPrint 70 justifies a line only by widening its spaces; a Chinese line has none, so every
justified paragraph kept a ragged right margin wherever a line ended before a digit run or a
punctuation cluster. This replaces ``weasyprint.layout.inline.justify_line`` for lines without
spaces: the line's extra width is shared among the gaps between its characters, as letter spacing
on each text box. Drawing rebuilds every box's Pango layout from its style, so a box only needs its
own style with ``letter_spacing`` set and its width and position moved; nothing is laid out twice.

Fenced: ``install()`` checks that the function it replaces has the signature and module it knows
(WeasyPrint 70.x), and leaves WeasyPrint alone otherwise (text then stays ragged, nothing breaks).
Lines with spaces keep WeasyPrint's own word-spacing justification.
"""

from __future__ import annotations

import inspect
from typing import Any

_KNOWN = ("70.",)
# a line that would need wider gaps (it ends before a kept-together token such as "（财预〔2020〕10号）")
# is left ragged: gaps a quarter em wide already read as spaced-out type
_MAX_SPACING_EM = 0.25
_installed = False


def install() -> bool:
    """Patch WeasyPrint once; True when inter-character justification is active."""
    global _installed
    if _installed:
        return True
    import weasyprint
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout import inline

    original = getattr(inline, "justify_line", None)
    if (not weasyprint.__version__.startswith(_KNOWN) or original is None
            or list(inspect.signature(original).parameters) != ["context", "line", "extra_width"]):
        return False

    def justify_line(context: Any, line: Any, extra_width: float) -> None:
        if inline.count_expandable_spaces(line):
            original(context, line, extra_width)
            return
        texts: list[Any] = []
        _text_boxes(line, boxes, texts)
        gaps = sum(len(box.text) for box in texts) - 1
        if gaps <= 0 or extra_width <= 0:
            return
        spacing = extra_width / gaps
        if spacing > _MAX_SPACING_EM * line.style["font_size"]:
            return
        _spread(line, boxes, spacing, [0.0], texts[-1])

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


def _spread(box: Any, boxes: Any, spacing: float, advance: list[float], last: Any) -> None:
    """Move ``box`` right by the spacing added so far and widen it by the spacing of its own gaps."""
    if isinstance(box, boxes.TextBox):
        box.position_x += advance[0]
        if not box.text:
            return
        # Pango adds letter spacing inside the run; the gap after the box's last character is the
        # next box's offset (none after the line's last character)
        style = box.style.copy()
        style["letter_spacing"] = spacing
        box.style = style
        inner = spacing * (len(box.text) - 1)
        box.width += inner
        advance[0] += inner + (0.0 if box is last else spacing)
    elif isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        box.position_x += advance[0]
        before = advance[0]
        for child in box.children:
            if child.is_in_normal_flow():
                _spread(child, boxes, spacing, advance, last)
        box.width += advance[0] - before
    else:
        box.translate(advance[0], 0)
