"""Make form text safe and tidy for the report: Markdown escaping and Chinese punctuation.

Form text is used as given — these functions change no word. They only escape what Markdown
would interpret (so ``|`` cannot break a table, ``<img …>`` stays text and ``# x`` stays a
sentence), fold line breaks, and use full-width punctuation between Chinese characters, as
official prose requires.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

from reportgen.evaluation.cleaning import prose_operators

# characters Markdown (CommonMark + GFM tables) may interpret anywhere in a line
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>|]|~(?=~)|&(?=#?\w+;)|!(?=\[))")
# constructs that only mean something at the start of a line/paragraph; "---" (also "- - -") is a rule
_LINE_START = re.compile(r"^(\s*)(#{1,6}(?=\s|$)|[-+=](?=\s|$)|-(?=(?:\s*-){2,}\s*$)|>|(\d{1,9})([.)])(?=\s|$))")
# every character that ends a line for str.splitlines() (report assembly) or for CommonMark (\r): data is one
# line, so none of them may survive into a paragraph or a table cell
_LINE_BREAK = re.compile(r"\s*[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]\s*")
_CJK = r"\u3400-\u9fff\uf900-\ufaff"
_FULLWIDTH = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}
_PUNCT_NEAR_CJK = re.compile(rf"(?<=[{_CJK}“”])\s*([,;:?!])\s*|\s*([,;:?!])\s*(?=[{_CJK}“])")
_PAREN = re.compile(rf"\(([^()]*[{_CJK}][^()]*)\)")
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}”）])[ \t\u3000]+(?=[{_CJK}“（])")
_SPACE_NEAR_PUNCT = re.compile(r"\s*([，。；：？！、）”])\s*|([（“])\s+")


@lru_cache(maxsize=65536)
def tidy(text: str | None) -> str:
    """Fold whitespace, use full-width punctuation in Chinese prose and standard operator glyphs (≧ → ≥, ═ → =),
    as the report's own prose does (no word is changed)."""
    if not text:
        return ""
    text = prose_operators(_LINE_BREAK.sub(" ", text.strip()))
    text = _PAREN.sub(lambda m: f"（{m[1]}）", text)
    text = _PUNCT_NEAR_CJK.sub(lambda m: _FULLWIDTH[m[1] or m[2]], text)
    # a space between two Chinese phrases separates them on the form (item title, then text): a comma reads right
    text = _SPACE_BETWEEN_CJK.sub("，", text)
    text = _SPACE_NEAR_PUNCT.sub(lambda m: m[1] or m[2], text)
    return text


@lru_cache(maxsize=65536)
def sentence(text: str | None) -> str:
    """Tidy text and make it end like a sentence (。), for free text used as a paragraph."""
    text = _latin_stop(tidy(text).rstrip("，,;；、 ")).rstrip("，,;；、 ")
    if text and text[-1] not in "。！？”）":
        text += "。"
    elif text.endswith("）") and not text.endswith("。）"):
        text += "。"
    return text


@lru_cache(maxsize=65536)
def clause(text: str | None) -> str:
    """Tidy text and drop its final stop, for free text used inside a sentence."""
    return _latin_stop(tidy(text).rstrip("。；;，,、 ")).rstrip("。；;，,、 ")


def _latin_stop(text: str) -> str:
    """Drop a Latin full stop typed after Chinese text ("资金拨付及时." → "资金拨付及时"), never a number's point."""
    if len(text) > 1 and text[-1] in ".．" and (not text[-2].isascii() or text[-2] in "%)"):
        return text[:-1]
    return text


@lru_cache(maxsize=65536)
def md(text: str | None) -> str:
    """Escape text so Markdown shows it literally (CommonMark backslash escapes)."""
    if not text:
        return ""
    text = _LINE_BREAK.sub(" ", str(text))
    text = _INLINE_SPECIAL.sub(r"\\\1", text)
    return _LINE_START.sub(lambda m: m[1] + "\\" + m[2] if not m[3] else m[1] + m[3] + "\\" + m[4], text)


def cell(text: str | None) -> str:
    """Escape text for a GFM table cell (one line, ``|`` escaped, never empty)."""
    return md(text) or "—"


# A file name may have 255 bytes (ext4, APFS; NTFS 255 UTF-16 units); a Chinese character takes three.
# The stem leaves room for "-2", the longest suffix (.sources.json) and atomic_write's ".<name>.<random>.part".
MAX_STEM_BYTES = 120


def safe_filename(name: str, limit: int = MAX_STEM_BYTES) -> str:
    """A file stem safe on Windows, macOS and Linux: no separators, no reserved characters, at most ``limit`` bytes.

    A longer name is cut at a character boundary and ends in 8 hex digits of its full text's hash, so two long
    titles that differ only at the end still get different files.
    """
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f\x7f]+', "_", name).strip(" ._")
    name = re.sub(r"\s+", " ", name)
    raw = name.encode("utf-8")
    if len(raw) > limit:
        digest = hashlib.sha1(raw).hexdigest()[:8]
        head = raw[: limit - len(digest) - 1].decode("utf-8", "ignore").rstrip(" ._")
        name = f"{head}-{digest}"
    if name.upper() in {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}:
        name = "_" + name
    return name or "report"


@lru_cache(maxsize=65536)
def first_clause(text: str, limit: int = 30) -> str:
    """The first clause of a cause, to name it in a measure: “各社区公共文化服务基础设施建设不足”."""
    text = tidy(text)
    # "预算执行率偏低，主要原因是政府采购流程较长" names its cause after 原因是: answer that, not the symptom
    said = re.search(r"(?:主要)?原因(?:主要)?(?:是|为|在于)[：:]?", text)
    if said and said.end() < len(text):
        text = text[said.end() :]
    head = re.split(r"[，。；,;：:]", text, maxsplit=1)[0].strip()
    head = re.sub(r"^(由于|因为|因|受|主要是|主要原因是)", "", head)
    if len(head) > limit:
        head = head[:limit].rstrip("的和与及、") + "等"
    return head


def unescape(markdown_text: str) -> str:
    """Undo ``md``: the plain text a reader sees (for titles and file names)."""
    return re.sub(r"\\([\\`*_\[\]<>|~&!#+\-=.)])", r"\1", markdown_text)


def ordinal(n: int) -> str:
    """一, 二, … for headings (re-exported so templates and the outline use one spelling)."""
    from reportgen.formatting import ordinal as _ordinal

    return _ordinal(n)


_SENTENCE_BREAK = re.compile(r"(?<=[。；！？])")


def chunks(text: str, limit: int = 260) -> list[str]:
    """Split a long passage at sentence (。；) boundaries into paragraphs of at most about ``limit`` characters.

    A single sentence longer than the limit stays whole (no figure is torn from its context); a chunk that ends
    on "；" ends with "。" instead, as a paragraph must.
    """
    out: list[str] = []
    for piece in _SENTENCE_BREAK.split(text):
        if not piece:
            continue
        if out and len(out[-1]) + len(piece) <= limit:
            out[-1] += piece
        else:
            out.append(piece)
    return [c[:-1] + "。" if c.endswith("；") else c for c in out]
