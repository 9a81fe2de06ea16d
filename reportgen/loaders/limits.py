"""What a form file may be: bounds that keep a hostile or broken file from exhausting the machine.

A real 自评表 is a few hundred cells on one to a few dozen sheets, well under a megabyte of XML.
The bounds below are one to three orders of magnitude above any real form, and far below what
would take a gigabyte of memory or a minute of time. A file beyond them is refused with a message
that names the bound, instead of being read for minutes (a 3 MB zip that inflates to gigabytes,
``<mergeCell ref="A1:XFD1048576"/>``, a Word cell with ``gridSpan="100000000"``). The bounds
themselves are in reportgen/defaults.py.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from reportgen.defaults import MAX_PACKAGE_BYTES, MAX_PART_BYTES, MAX_PARTS, MAX_TEXT_FILE_BYTES
from reportgen.errors import InputError, Place

HINT = "自评表通常只有几百个单元格；请确认选对了文件，或把自评表单独另存为一个新文件后再试"


def too_big(what: str, where: str | Place) -> InputError:
    return InputError(f"文件超出自评表的合理范围：{what}", where=where, hint=HINT)


def check_package(path: Path, kind: str, main_parts: tuple[str, ...] = ()) -> None:
    """Refuse a zip package whose parts (by their declared sizes) inflate beyond the bounds.

    zipfile never reads more than a part's declared size (a lying header fails its CRC check), so
    the declared sizes bound what reading the package can cost.
    """
    try:
        with zipfile.ZipFile(path) as package:
            infos = package.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        what = "Excel 工作簿" if kind == "Excel" else "Word 文档"
        raise InputError(
            f"文件已损坏，无法作为 {what}打开（{type(exc).__name__}）",
            where=str(path),
            hint=f"请确认能用 {kind} 打开后重新保存",
        ) from exc
    if len(infos) > MAX_PARTS:
        raise too_big(f"压缩包内有 {len(infos)} 个部件（最多 {MAX_PARTS} 个）", str(path))
    total = sum(info.file_size for info in infos)
    if total > MAX_PACKAGE_BYTES:
        raise too_big(f"解压后共 {total // (1024 * 1024)} MB（最多 {MAX_PACKAGE_BYTES // (1024 * 1024)} MB）", str(path))
    for info in infos:
        limit = MAX_PART_BYTES if info.filename.endswith((".xml", ".rels")) else MAX_PACKAGE_BYTES
        if info.filename in main_parts:
            limit = min(limit, MAX_PART_BYTES // 2)
        if info.file_size > limit:
            size = info.file_size // (1024 * 1024)
            raise too_big(f"部件 {info.filename} 解压后 {size} MB（最多 {limit // (1024 * 1024)} MB）", str(path))


def check_file_size(path: Path) -> None:
    """Refuse a text form (YAML, JSON, .txt) far larger than any form before reading it into memory."""
    try:
        size = path.stat().st_size
    except OSError:
        return  # reading it will say what is wrong
    if size > MAX_TEXT_FILE_BYTES:
        mb = MAX_TEXT_FILE_BYTES // (1024 * 1024)
        raise too_big(f"文件有 {size // (1024 * 1024)} MB（文本格式的自评表最多 {mb} MB）", str(path))
