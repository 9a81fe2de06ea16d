"""One character-level clean-up of every string a form brings in, before anything reads it.

Text pasted from the web or another program carries characters that are invisible in Excel but
change what comes out: a form feed, vertical tab, U+0085 or U+2028 is a line break to Python's
``splitlines()`` (and to Word), so it could start a heading or split a table in the report; a
bidirectional override (U+202E … U+202C) makes text *read* differently from what it is; NUL, BEL,
ESC and C1 controls have no glyph and make the PDF fail at the very end. Every such character is
replaced (line separators by ``\\n``, which every renderer folds) or removed here, once, and each
cleaned field is named in a finding, so the user can fix the cell. Words are never changed:
semantic clean-up (placeholders, instruction text) happens elsewhere.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

# line separators other than \n: all of them end a line for str.splitlines()
_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
# bidirectional embeddings, overrides and isolates, and the invisible direction marks
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# everything that is not printable text: C0 (but \t and \n), DEL, C1, format characters, lone surrogates
_SUSPECT = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f"
    "\ufeff\ufff9-\ufffb\ud800-\udfff\U000e0000-\U000e007f]"
)
_NAMES = {
    "\x00": "空字符 NUL",
    "\x07": "响铃符 BEL",
    "\x1b": "转义符 ESC",
    "\x7f": "删除符 DEL",
    "\x0b": "垂直制表符",
    "\x0c": "换页符",
    "\x85": "下一行符 U+0085",
    "\u2028": "行分隔符 U+2028",
    "\u2029": "段分隔符 U+2029",
    "\u200b": "零宽空格",
    "\ufeff": "字节顺序标记",
}


@dataclass
class Cleaned:
    """What ``clean_text`` removed or replaced in one string."""

    text: str
    found: list[str] = field(default_factory=list)  # names of the characters, first occurrence order
    bidi: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.found)


def _name(ch: str) -> str:
    return _NAMES.get(ch) or f"U+{ord(ch):04X}" + (f" {unicodedata.name(ch, '')}".rstrip())


def clean_text(text: str) -> Cleaned:
    """Return ``text`` with control and format characters replaced or removed, and what they were.

    ``\\r\\n`` and ``\\r`` become ``\\n`` silently (that is just Windows); tabs stay.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _SUSPECT.search(text) is None:
        return Cleaned(text)
    found: dict[str, None] = {}
    bidi = False

    def replace(m: re.Match[str]) -> str:
        nonlocal bidi
        ch = m.group(0)
        found.setdefault(_name(ch))
        if ch in _BIDI:
            bidi = True
        return "\n" if ch in _BREAKS else ""

    cleaned = _SUSPECT.sub(replace, text)
    return Cleaned(cleaned, list(found), bidi)


@dataclass
class Note:
    """One cleaned field: its path in the data and what was found there."""

    path: str
    found: list[str]
    bidi: bool

    def message(self) -> str:
        what = "、".join(self.found[:4]) + (f"等 {len(self.found)} 种" if len(self.found) > 4 else "")
        if self.bidi:
            return (
                f"文字中含双向排版控制字符（{what}），会使文字显示的顺序与实际内容不同；已删除，请核对该单元格的原文"
            )
        return f"文字中含不可见的控制字符（{what}），已删除（换行类字符改为换行）；请核对该单元格"


def clean_data(data: Any, path: str = "", notes: list[Note] | None = None) -> tuple[Any, list[Note]]:
    """Clean every string (and mapping key) in plain loaded data; return it and one note per cleaned field."""
    notes = [] if notes is None else notes
    if isinstance(data, str):
        result = clean_text(data)
        if result.changed:
            notes.append(Note(path, result.found, result.bidi))
        return result.text, notes
    if isinstance(data, dict):
        out: dict[Any, Any] = {}
        for key, value in data.items():
            if isinstance(key, str):
                cleaned_key = clean_text(key)
                key = cleaned_key.text
                child = f"{path}.{key}" if path else key
                if cleaned_key.changed:
                    notes.append(Note(child, cleaned_key.found, cleaned_key.bidi))
            else:
                child = f"{path}.{key}" if path else str(key)
            out[key], _ = clean_data(value, child, notes)
        return out, notes
    if isinstance(data, list):
        return [clean_data(item, f"{path}[{i}]", notes)[0] for i, item in enumerate(data)], notes
    return data, notes
