"""The output folder of a batch, kept by the client alone: its lock, its journal, and the files' names.

Workers only render; this is where their bytes become files. One process owns the folder at a
time (an ``flock`` the kernel drops when the process dies, so a killed run never leaves a stale
lock); every file is written atomically and journaled after it is complete, so ``--resume`` after
a kill redoes only what was not finished. Names are settled at the end, in input order, so they do
not depend on which worker was fastest: a report keeps its own name unless another project has the
same one, and then every one of them says which input it came from.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import socket
import sys
import time
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import IO

from reportgen.batch.worker import INCOMING, Rendered, Row
from reportgen.errors import InputError, RenderError, UsageError
from reportgen.fsutil import atomic_write
from reportgen.narrative.text import safe_filename
from reportgen.overwrite import KeptError, changed_digests, forget, install_files, kept_error, recorded_digest, write_files

JOURNAL = ".reportgen-batch.jsonl"
LOCK = ".reportgen-batch.lock"
LEGACY = (".claims",)  # name claims of earlier versions

# descriptors a forked pool worker must close, or the lock would outlive a killed parent in its children
LOCK_FDS: set[int] = set()

_REASONS = {
    errno.ENOSPC: "磁盘空间不足",
    errno.EDQUOT: "超出磁盘配额",
    errno.EROFS: "输出文件夹所在的磁盘是只读的",
    errno.EACCES: "没有写入输出文件夹的权限",
    errno.EPERM: "没有写入输出文件夹的权限",
    errno.ENAMETOOLONG: "文件名过长",
    errno.EIO: "磁盘读写出错",
}


def write_problem(exc: OSError) -> str:
    """Why a file could not be written, in words a finance-office user acts on."""
    return _REASONS.get(exc.errno or 0, exc.strerror or type(exc).__name__)


class OutputFolder:
    """The batch's view of OUT: ``start``, ``record`` each input as it finishes, ``finish`` once."""

    def __init__(self, outdir: Path, *, force: bool = False) -> None:
        self.outdir = outdir
        self.force = force  # replace reports the user edited (--force)
        self._lock_fd: int | None = None
        self._journal: IO[str] | None = None
        self._claimed: dict[str, str] = {}  # provisional stem → owner ("input#index")
        self._counts: dict[tuple[str, str], int] = {}  # (key, input) → projects in it
        self._units: set[str] = set()  # units of the projects so far: several → a folder per unit (``_settle``)
        self.journal_problem = ""

    # -- the lock ------------------------------------------------------------------------------

    def __enter__(self) -> OutputFolder:
        import fcntl

        try:
            self.outdir.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.outdir / LOCK, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as exc:
            raise UsageError(f"无法使用输出文件夹：{write_problem(exc)}", where=str(self.outdir),
                             hint="请换一个可写的输出文件夹（-o）") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            raise UsageError(f"另一个批量任务正在向这个文件夹输出（{holder}）", where=str(self.outdir),
                             hint="请等它结束后再运行，或换一个输出文件夹（-o）") from None
        info = {"pid": os.getpid(), "host": socket.gethostname(),
                "started": time.strftime("%Y-%m-%d %H:%M:%S"), "command": " ".join(sys.argv)}
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps(info, ensure_ascii=False).encode("utf-8"))
        self._lock_fd = fd
        LOCK_FDS.add(fd)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        if self._lock_fd is not None:
            LOCK_FDS.discard(self._lock_fd)
            os.close(self._lock_fd)  # closing drops the flock
            self._lock_fd = None

    # -- the journal ---------------------------------------------------------------------------

    def start(self, *, resume: bool) -> dict[tuple[str, str], Earlier]:
        """Open the journal; with ``resume``, return what earlier runs finished ((key, input) → its projects)."""
        previous = _read_journal(self.outdir / JOURNAL) if resume else {}
        if not resume:
            (self.outdir / JOURNAL).unlink(missing_ok=True)
        for name in (*LEGACY, INCOMING):
            shutil.rmtree(self.outdir / name, ignore_errors=True)
        for pattern in (".*.part", ".*.moving"):  # temporary files of a run that was killed mid-write or mid-rename
            for leftover in self.outdir.rglob(pattern):
                leftover.unlink(missing_ok=True)
        self._journal = (self.outdir / JOURNAL).open("a", encoding="utf-8")
        return previous

    def keep(self, key: str, earlier: Earlier) -> None:
        """Projects of an earlier run taken as they are: their names stay taken."""
        for row in earlier.rows.values():
            self._counts[(key, row.input)] = earlier.count
            if row.stem:
                self._claimed[row.stem] = _owner(row)
                self._units.add(row.unit)

    def record(self, key: str, count: int, rendered: list[Rendered]) -> list[Row]:
        """Write a finished task's files (atomically), then journal its projects; return their rows.

        ``count``: how many projects (and unreadable parts) the input holds; it is done when all are.
        """
        rows = [self._write(r) for r in rendered]
        for row in rows:
            self._counts[(key, row.input)] = count
        line = _line(key, count, rows)
        try:
            assert self._journal is not None
            self._journal.write(line)
            self._journal.flush()
        except OSError as exc:  # the reports are written; only --resume loses track of them
            self.journal_problem = write_problem(exc)
        return rows

    def _write(self, rendered: Rendered) -> Row:
        """Put one project's files in place (all or none), through the overwrite record (``overwrite``):
        a report the user edited since reportgen wrote it is kept, and the project says so."""
        row = rendered.row
        if row.status == "failed":
            return row
        stem = self._claim(row)
        try:
            if rendered.written:
                moved = {f"{stem}.{s}": (Path(source), rendered.digests[s]) for s, source in rendered.written.items()}
                paths = install_files(self.outdir, stem, moved, force=self.force)
            else:
                files = {f"{stem}.{s}": data for s, data in rendered.files.items()}
                paths = write_files(self.outdir, stem, files, force=self.force)
        except KeptError as exc:
            self._claimed.pop(stem, None)
            for source in rendered.written.values():
                Path(source).unlink(missing_ok=True)
            return _kept(row, exc)
        except OSError as exc:
            self._claimed.pop(stem, None)
            row.status = "failed"
            row.where = str(self.outdir / stem)
            row.message = (f"无法写入报告“{row.name}”：{write_problem(exc)}；腾出空间或换一个可写的输出文件夹后，"
                           "用 --resume 继续，已完成的报告不会重做")
            row.outputs = []
            return row
        row.stem = stem
        row.outputs = [str(p) for p in paths.values()]
        return row

    def _claim(self, row: Row) -> str:
        """A provisional stem no other project holds: the report's name, else one naming its input.

        Once projects of two units have come, it is in the unit's folder, where ``_settle`` will most
        likely put it: a province's batch is then not moved file by file at the end.
        """
        owner = _owner(row)
        self._units.add(row.unit)
        folder = _unit_folder(row.unit) + "/" if len(self._units) > 1 else ""
        base = safe_filename(row.name)
        for candidate in (folder + c for c in _candidates(base, _label(row))):
            if self._claimed.setdefault(candidate, owner) == owner:
                return candidate
        raise AssertionError("unreachable: the candidates never end")

    # -- the end -------------------------------------------------------------------------------

    def finish(self, rows: list[Row]) -> None:
        """Settle every name (input order), move files there, rewrite the journal, tidy up."""
        try:
            _settle(self.outdir, rows, force=self.force)
            atomic_write(self.outdir / JOURNAL, "".join(
                _line(k, self._counts.get((k, rs[0].input), len(rs)), rs) for k, rs in _by_key(rows)))
        except OSError as exc:
            raise RenderError(f"无法完成输出文件夹的整理：{write_problem(exc)}", where=str(self.outdir),
                              hint="已写出的报告均完整；腾出空间后用 --resume 继续") from exc
        finally:
            if self._journal is not None:
                self._journal.close()
                self._journal = None
        shutil.rmtree(self.outdir / INCOMING, ignore_errors=True)


_ROW_FIELDS = tuple(f.name for f in fields(Row))


def _line(key: str, count: int, rows: list[Row]) -> str:
    # a row's fields as they are (text, numbers, lists of text): what asdict gives, without its deep copy
    records = [{name: getattr(r, name) for name in _ROW_FIELDS} for r in rows]
    return json.dumps({"key": key, "count": count, "rows": records}, ensure_ascii=False) + "\n"


@dataclass
class Earlier:
    """What earlier runs finished of one input: its projects done (index → row), and how many it holds."""

    rows: dict[int, Row] = field(default_factory=dict)
    count: int = 0

    @property
    def complete(self) -> bool:
        return len(self.rows) >= self.count


def _owner(row: Row) -> str:
    return f"{row.input}#{row.index}"


def _label(row: Row) -> str:
    """Which input a report came from, for its file name: the file, and the project's place in it."""
    name = Path(row.input).name
    return name if row.index == 0 else f"{name} 第{row.index + 1}个项目"


def _candidates(base: str, label: str):  # noqa: ANN202 - a generator of stems
    yield base
    qualified = _qualified(base, label)
    yield qualified
    n = 2
    while True:
        yield f"{qualified}-{n}"
        n += 1


def _qualified(base: str, label: str) -> str:
    label = safe_filename(label, limit=40)
    room = max(8, 80 - len(label) - 2)
    return f"{base[:room]}（{label}）"


def _settle(outdir: Path, rows: list[Row], *, force: bool = False) -> None:
    """Final names, decided by input order alone: unique names stay; names shared by several projects
    all say which input they came from; projects of several units go into a folder per unit."""
    done = [r for r in rows if r.status != "failed" and r.outputs and r.stem]
    units = {r.unit for r in done}
    groups: dict[tuple[str, str], list[Row]] = {}
    for row in done:
        folder = _unit_folder(row.unit) if len(units) > 1 else ""
        groups.setdefault((folder, safe_filename(row.name)), []).append(row)
    used: set[str] = set()
    targets: dict[int, str] = {}
    for (folder, base), members in groups.items():  # projects with a name of their own first
        if len(members) == 1:
            stem = f"{folder}/{base}" if folder else base
            used.add(stem)
            targets[id(members[0])] = stem
    for (folder, base), members in groups.items():
        if len(members) == 1:
            continue
        for row in members:
            for candidate in _after_first(base, _label(row)):
                stem = f"{folder}/{candidate}" if folder else candidate
                if stem not in used:
                    used.add(stem)
                    targets[id(row)] = stem
                    break
    moves: list[tuple[Row, str, list[tuple[Path, Path]]]] = []  # row, its final stem, (file, where it goes)
    for row in done:
        stem = targets[id(row)]
        if stem == row.stem:
            continue
        old_name = Path(row.stem).name
        pairs = [(Path(o), outdir / f"{stem}{Path(o).name[len(old_name):]}") for o in row.outputs]
        moves.append((row, stem, pairs))
    if not moves:
        return
    # a file the user changed where a report would go keeps its place: that report is not moved there
    # (a file another report moves away from is ours, written in this run)
    sources = {source for _, _, pairs in moves for source, _ in pairs}
    going = []
    for row, stem, pairs in moves:
        hashes = {_rel(outdir, t): recorded_digest(outdir, row.stem, _rel(outdir, s)) for s, t in pairs if s.exists()}
        changed = [p for p in changed_digests(outdir, stem, hashes) if p not in sources]
        if changed and not force:
            for source, _ in pairs:
                source.unlink(missing_ok=True)
            forget(outdir, row.stem, [_rel(outdir, s) for s, _ in pairs])
            _kept(row, kept_error(outdir, changed))
            continue
        going.append((row, stem, pairs))
    # two steps, so a file that moves onto the old place of another never overwrites it
    staged = []
    for i, (row, stem, pairs) in enumerate(going):
        files = {}
        for j, (source, target) in enumerate(pairs):
            if source.exists():
                step = source.with_name(f".{i}-{j}.moving")
                files[_rel(outdir, target)] = (step, recorded_digest(outdir, row.stem, _rel(outdir, source)))
                os.replace(source, step)
        forget(outdir, row.stem, [_rel(outdir, s) for s, _ in pairs])
        staged.append((row, stem, files))
    for row, stem, files in staged:
        paths = install_files(outdir, stem, files, force=True)  # (checked above)
        row.stem, row.outputs = stem, [str(p) for p in paths.values()]


def _unit_folder(unit: str) -> str:
    return safe_filename(unit or "未注明单位")


def _rel(outdir: Path, path: Path) -> str:
    return path.relative_to(outdir).as_posix()


def _kept(row: Row, exc: KeptError) -> Row:
    """A project whose report was not replaced because the user changed it: it says which file, and --force."""
    row.status = "kept"
    row.where = str(exc.kept[0]) if exc.kept else exc.where or ""
    row.message = f"{exc.message}；{exc.hint}"
    row.outputs = []
    row.stem = ""
    return row


def _after_first(base: str, label: str):  # noqa: ANN202
    candidates = _candidates(base, label)
    next(candidates)
    return candidates


def _by_key(rows: list[Row]) -> list[tuple[str, list[Row]]]:
    grouped: dict[str, list[Row]] = {}
    for row in rows:
        grouped.setdefault(f"{row.key}\0{row.input}", []).append(row)
    return [(k.split("\0", 1)[0], rs) for k, rs in grouped.items()]


def _broken_journal(journal: Path, line: int) -> InputError:
    return InputError(
        "批处理记录文件已被改动，无法据此续做（--resume）",
        where=f"{journal}:{line}" if line else str(journal),
        hint="请恢复该文件，或删除它后不带 --resume 重新运行（已生成的报告不受影响）",
    )


def _read_journal(journal: Path) -> dict[tuple[str, str], Earlier]:
    """Projects finished by earlier runs: (key, input) → Earlier. A torn line (a kill mid-write) is redone;
    a line that is JSON but not ours means the journal was edited: refuse rather than guess."""
    done: dict[tuple[str, str], Earlier] = {}
    if not journal.exists():
        return done
    try:
        lines = journal.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise _broken_journal(journal, 0) from exc
    for number, line in enumerate(lines, 1):
        try:
            record = json.loads(line)
        except (json.JSONDecodeError, RecursionError):
            continue
        try:
            rows = [Row(**r) for r in record["rows"]]
            key = str(record["key"])
            count = int(record.get("count", len(rows)))  # (journals of earlier versions: one line per input)
            for r in rows:
                if not isinstance(r.outputs, list) or not all(isinstance(p, str) for p in r.outputs):
                    raise TypeError("outputs")
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise _broken_journal(journal, number) from exc
        for r in rows:
            earlier = done.setdefault((key, r.input), Earlier())
            earlier.count = count
            if r.status not in ("failed", "kept") and r.outputs and all(Path(p).exists() for p in r.outputs):
                earlier.rows[r.index] = r
            else:
                earlier.rows.pop(r.index, None)
    return {k: e for k, e in done.items() if e.rows}


def _holder(fd: int) -> str:
    """Who holds the lock, from what it wrote into the lock file."""
    try:
        info = json.loads(os.pread(fd, 4096, 0).decode("utf-8"))
        return f"进程 {info['pid']}，主机 {info['host']}，开始于 {info['started']}，命令：{info['command']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "无法读出它的进程信息"
