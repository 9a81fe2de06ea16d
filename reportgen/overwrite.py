"""Never replace a file the user changed: outputs are overwritten only while they are as reportgen wrote them.

Each report's files are written with a record of their content hashes, ``.reportgen/<stem>.record`` (JSON) in
the output folder (one small file per report, so parallel batch workers never share one). Before a
report is written again, every file of it that exists is compared with the record: a file that differs
(edited in Word, or never written by reportgen) keeps the whole report from being written — the
user's file stays as it is, and the message names it — unless ``force``.

The record is written twice, so that a process killed at any moment leaves a state the next run
accepts: first with the old and new hash of each file, then the files (each replaced atomically),
then with the new hashes only.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path

from .errors import ReportgenError
from .fsutil import atomic_write

RECORD_DIR = ".reportgen"


class KeptError(ReportgenError):
    """A report was not written because a file of it was changed since reportgen wrote it."""

    exit_code = 1  # nothing is wrong with the input: this item was skipped, the others go on
    kind = "未覆盖"

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None, kept: list[Path]) -> None:
        super().__init__(message, where=where, hint=hint)
        self.kept = kept


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _record_path(outdir: Path, stem: str) -> Path:
    # not “.json”: a folder of forms given to `reportgen batch` must never take a record for a form
    return outdir / RECORD_DIR / f"{stem}.record"


def read_record(outdir: Path, stem: str) -> dict[str, list[str]]:
    """File name → the hashes reportgen wrote it with ({} when there is no readable record)."""
    try:
        data = json.loads(_record_path(outdir, stem).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        return {}
    return {str(k): [str(h) for h in v] for k, v in files.items() if isinstance(v, list)}


def _write_record(outdir: Path, stem: str, files: Mapping[str, list[str]]) -> None:
    payload = {"note": "reportgen 生成的文件及其内容校验值，用于避免覆盖您修改过的文件", "files": dict(sorted(files.items()))}
    atomic_write(_record_path(outdir, stem), json.dumps(payload, ensure_ascii=False, indent=1) + "\n")


def changed_files(outdir: Path, stem: str, files: Mapping[str, bytes]) -> list[Path]:
    """The existing files among ``files`` that differ from what reportgen last wrote (and from the new content)."""
    record = read_record(outdir, stem)
    changed = []
    for name, data in files.items():
        path = outdir / name
        try:
            current = digest(path.read_bytes())
        except FileNotFoundError:
            continue
        except OSError:
            changed.append(path)  # cannot even read it: certainly not ours to replace
            continue
        if current != digest(data) and current not in record.get(name, []):
            changed.append(path)
    return changed


def write_files(outdir: Path, stem: str, files: Mapping[str, bytes], *, force: bool = False) -> dict[str, Path]:
    """Write ``files`` (name → content) into ``outdir`` unless one of them was changed by the user.

    Raises KeptError, writing nothing, when an existing file differs from what reportgen wrote
    (and ``force`` is not set).
    """
    outdir = Path(outdir)
    changed = changed_files(outdir, stem, files)
    if changed and not force:
        names = "、".join(p.name for p in changed)
        raise KeptError(
            f"{names} 在上次生成后被修改过（或不是 reportgen 生成的），已保留原文件，这份报告没有重新生成",
            where=str(outdir),
            hint="如确要用新生成的报告替换，请加 --force；或先把修改过的文件改名或移走",
            kept=changed,
        )
    record = read_record(outdir, stem)
    new = {name: digest(data) for name, data in files.items()}
    _write_record(outdir, stem, {**record, **{n: sorted({*record.get(n, []), h}) for n, h in new.items()}})
    paths = {}
    for name, data in files.items():
        atomic_write(outdir / name, data)
        paths[name] = outdir / name
    _write_record(outdir, stem, {**record, **{n: [h] for n, h in new.items()}})
    return paths
