"""Read form text extracted from a PDF or Word file: one line per row, cells separated by tabs.

Extraction leaves HTML checkbox tags (``<input checked="" type="checkbox"/>``), which become
☑ / ☐ after the option they follow; other simple tags are dropped, ``<br>`` becomes a line
break inside the cell. The grid is marked ``ragged``: extraction drops empty cells at the
start of some rows, and the reader moves such rows back into their columns.
"""

from __future__ import annotations

import re
from pathlib import Path

from reportgen.errors import InputError
from reportgen.loaders.grid import Cell, Grid
from reportgen.loaders.limits import check_file_size

_CHECKBOX = re.compile(r"<input\b[^<>]*\btype\s*=\s*[\"']?checkbox[^<>]*>", re.IGNORECASE)
_CHECKED = re.compile(r"\bchecked\b", re.IGNORECASE)
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
# only tags that look like HTML: "<50%" or "≤" must survive
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>")


def clean_cell(raw: str) -> str:
    """Turn one extracted cell into plain text: checkbox tags to ☑/☐, other tags dropped."""
    if "<" not in raw:
        return raw.strip()
    text = _CHECKBOX.sub(lambda m: " ☑" if _CHECKED.search(m.group(0)) else " ☐", raw)
    text = _BREAK.sub("\n", text)
    return _TAG.sub("", text).strip()


def decode(raw: bytes, file: str) -> str:
    """Decode UTF-8 (with or without BOM) or, failing that, GB18030 as Chinese Windows tools write it."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError("无法识别文件编码", where=file, hint="请以 UTF-8 编码另存后重试")


def text_grid(text: str) -> Grid:
    """Build the grid of tab-separated ``text``; each cell's place is ``:line:column``."""
    cells = []
    # only \n (and \r) end a row: a form feed or U+2028 pasted into a cell stays in it, to be cleaned at validation
    for r, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n")):
        offset = 0
        for c, raw in enumerate(line.split("\t")):
            if raw.strip():
                lead = len(raw) - len(raw.lstrip())
                cells.append(Cell(r, c, clean_cell(raw), f":{r + 1}:{offset + lead + 1}"))
            offset += len(raw) + 1
    return Grid(cells, ragged=True)


def read_text(path: Path) -> Grid:
    """Read a .txt/.tsv form file into a grid."""
    check_file_size(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"无法读取文件（{exc.strerror}）", where=str(path)) from exc
    if b"\0" in raw[:4096]:
        raise InputError("这不是文本文件", where=str(path), hint="请提供制表符分隔的文本，或直接使用 .xlsx/.docx 文件")
    return text_grid(decode(raw, str(path)))
