"""Never replace a file the user changed: outputs are overwritten only while they are as reportgen wrote them.

Each report's files are written with a record of their content hashes, ``.reportgen/<stem>.record`` (JSON) in
the output folder (one small file per report, so parallel batch workers never share one). Before a
report is written again, every file of it that exists is compared with the record: a file that differs
(edited in Word, or never written by reportgen) keeps the whole report from being written — the
user's file stays as it is, and the message names it — unless ``force``.

The record is written twice, so that a process killed at any moment leaves a state the next run
accepts: first with the old and new hash of each file, then the files (each replaced atomically),
then with the new hashes only (unless that is what the first said: a new report, or one written again
unchanged).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path

from reportgen.errors import ReportgenError
from reportgen.fsutil import atomic_write

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
    return changed_digests(outdir, stem, {name: digest(data) for name, data in files.items()})


def changed_digests(
    outdir: Path, stem: str, new: Mapping[str, str], record: Mapping[str, list[str]] | None = None
) -> list[Path]:
    """As ``changed_files``, for contents known by their digests (name → digest); ``record``: already read."""
    if record is None:
        record = read_record(outdir, stem)
    changed = []
    for name, new_hash in new.items():
        path = outdir / name
        try:
            current = digest(path.read_bytes())
        except FileNotFoundError:
            continue
        except OSError:
            changed.append(path)  # cannot even read it: certainly not ours to replace
            continue
        if current != new_hash and current not in record.get(name, []):
            changed.append(path)
    return changed


def kept_error(outdir: Path, changed: list[Path]) -> KeptError:
    names = "、".join(p.name for p in changed)
    return KeptError(
        f"{names} 在上次生成后被修改过（或不是 reportgen 生成的），已保留原文件，这份报告没有重新生成",
        where=str(changed[0].parent if changed else outdir),
        hint="如确要用新生成的报告替换，请加 --force；或先把修改过的文件改名或移走",
        kept=changed,
    )


def write_files(outdir: Path, stem: str, files: Mapping[str, bytes], *, force: bool = False) -> dict[str, Path]:
    """Write ``files`` (name → content) into ``outdir`` unless one of them was changed by the user.

    Raises KeptError, writing nothing, when an existing file differs from what reportgen wrote
    (and ``force`` is not set).
    """
    return _put(Path(outdir), stem, {name: (digest(data), _writer(data)) for name, data in files.items()}, force)


def install_files(outdir: Path, stem: str, files: Mapping[str, tuple[Path, str]], *, force: bool = False) -> dict[str, Path]:
    """Move files already written elsewhere on the same disk (name → (where it is, its digest)) into ``outdir``.

    The same protection as ``write_files`` (a batch whose workers wrote the bytes, or a report whose
    name was settled after it was written); on KeptError the sources are left where they are.
    """
    return _put(Path(outdir), stem, {name: (h, _mover(source)) for name, (source, h) in files.items()}, force)


def forget(outdir: Path, stem: str, names: list[str]) -> None:
    """Drop ``names`` from a report's record (its files were moved to another name)."""
    record = read_record(outdir, stem)
    rest = {n: h for n, h in record.items() if n not in names}
    if rest == record:
        return
    if rest:
        _write_record(outdir, stem, rest)
    else:
        _record_path(outdir, stem).unlink(missing_ok=True)


def recorded_digest(outdir: Path, stem: str, name: str) -> str:
    """The digest reportgen wrote ``name`` with (read from the file itself when the record does not say)."""
    hashes = read_record(outdir, stem).get(name, [])
    return hashes[0] if len(hashes) == 1 else digest((outdir / name).read_bytes())


def _writer(data: bytes) -> Callable[[Path], None]:
    return lambda path: atomic_write(path, data)


def _mover(source: Path) -> Callable[[Path], None]:
    def move(path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, path)

    return move


def _put(outdir: Path, stem: str, files: Mapping[str, tuple[str, Callable[[Path], None]]], force: bool) -> dict[str, Path]:
    """The one place that replaces reportgen's outputs: check, record old and new, put each file, record new.

    A file that cannot be put (disk full, read-only) takes back those already put and the record: a
    report is all its files or none of them.
    """
    new = {name: h for name, (h, _) in files.items()}
    record = read_record(outdir, stem)
    if not force and (changed := changed_digests(outdir, stem, new, record)):
        raise kept_error(outdir, changed)
    during = {**record, **{n: sorted({*record.get(n, []), h}) for n, h in new.items()}}
    after = {**record, **{n: [h] for n, h in new.items()}}
    _write_record(outdir, stem, during)
    paths: dict[str, Path] = {}
    try:
        for name, (_, put) in files.items():
            put(outdir / name)
            paths[name] = outdir / name
    except OSError:
        for path in paths.values():
            path.unlink(missing_ok=True)
        try:
            if record:
                _write_record(outdir, stem, record)
            else:
                _record_path(outdir, stem).unlink(missing_ok=True)
        except OSError:
            pass  # the record still names the new hashes too: the next run accepts either
        raise
    if after != during:  # (a first write, or the same content again, needs no second record)
        _write_record(outdir, stem, after)
    return paths
