"""Per-session temporary workspaces: every uploaded or generated file lives under one folder, cleaned up.

Each browser gets a random session id (an HttpOnly cookie) and a folder of its own under the
server's temporary root. Sessions idle too long, or beyond the configured number, are removed
with their folder; the whole root goes when the server stops.
"""

from __future__ import annotations

import re
import secrets
import shutil
import stat
import tempfile
import threading
import time
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from reportgen.errors import UsageError
from reportgen.serve.limits import MB, Limits

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def safe_name(name: str, taken: set[str] | None = None) -> str:
    """A file name that stays inside its folder: no directories, no control characters, not hidden."""
    name = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    name = _UNSAFE.sub("_", name).strip(" .") or "文件"
    if len(name) > 120:
        stem, dot, suffix = name.rpartition(".")
        name = (stem[: 110] + dot + suffix[:9]) if dot and len(suffix) < 10 else name[:120]
    if taken is not None:
        stem, dot, suffix = name.rpartition(".")
        stem, suffix = (stem, dot + suffix) if dot else (name, "")
        candidate, n = name, 1
        while candidate.lower() in taken:
            n += 1
            candidate = f"{stem}-{n}{suffix}"
        taken.add(candidate.lower())
        name = candidate
    return name


@dataclass
class Session:
    id: str
    folder: Path
    used: float = field(default_factory=time.monotonic)
    state: dict[str, Any] = field(default_factory=dict)  # the 生成报告 draft, batch jobs…
    lock: threading.Lock = field(default_factory=threading.Lock)
    counter: int = 0

    def new_folder(self, prefix: str) -> Path:
        """A fresh sub-folder of this session's workspace."""
        with self.lock:
            self.counter += 1
            path = self.folder / f"{prefix}-{self.counter}"
        path.mkdir(parents=True)
        return path


class Workspaces:
    """All sessions of one server and the temporary root that holds their folders."""

    def __init__(self, limits: Limits, root: Path | None = None) -> None:
        self.limits = limits
        self.root = Path(tempfile.mkdtemp(prefix="reportgen-serve-", dir=root))
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def get(self, session_id: str | None) -> Session | None:
        with self._lock:
            session = self._sessions.get(session_id or "")
            if session is not None:
                session.used = time.monotonic()
            return session

    def sessions(self) -> list[Session]:
        with self._lock:
            return list(self._sessions.values())

    def create(self) -> Session:
        self.sweep()
        sid = secrets.token_urlsafe(24)
        folder = self.root / secrets.token_hex(8)
        folder.mkdir()
        session = Session(sid, folder)
        with self._lock:
            self._sessions[sid] = session
        return session

    def sweep(self) -> None:
        """Remove sessions idle too long, and the oldest ones beyond the limit."""
        now = time.monotonic()
        with self._lock:
            ordered = sorted(self._sessions.values(), key=lambda s: s.used)
            drop = [s for s in ordered if now - s.used > self.limits.idle_seconds]
            keep = [s for s in ordered if s not in drop]
            drop += keep[: max(0, len(keep) - self.limits.sessions + 1)]
            for session in drop:
                self._sessions.pop(session.id, None)
        for session in drop:
            _close(session)

    def close(self) -> None:
        with self._lock:
            sessions = list(self._sessions.values())
            self._sessions.clear()
        for session in sessions:
            _close(session)
        shutil.rmtree(self.root, ignore_errors=True)


def _close(session: Session) -> None:
    for job in session.state.get("batches", {}).values():
        job.stop()
    shutil.rmtree(session.folder, ignore_errors=True)


# --- zip archives ---------------------------------------------------------------------------------


def _member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as its author wrote it: Windows' zip tools store Chinese names in GBK."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gbk")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


OFFICE_SUFFIXES = (".xlsx", ".xlsm", ".docx")


def check_office_file(path: Path, limits: Limits, shown: str) -> None:
    """An Excel or Word file is a zip too: refuse one that would unpack to far more than it weighs."""
    try:
        with zipfile.ZipFile(path) as zf:
            members = zf.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        kind = "Word 文档" if path.suffix.lower() == ".docx" else "Excel 工作簿"
        raise UsageError(f"文件不是有效的{kind}", where=shown, hint="请用 Excel 或 Word 打开后另存为 .xlsx/.docx 再上传") from exc
    total = sum(i.file_size for i in members)
    packed = sum(i.compress_size for i in members) or 1
    if len(members) > 10_000 or total > limits.batch_bytes or (total > 50 * MB and total / packed > limits.zip_ratio):
        raise UsageError("文件解压后异常庞大（疑似压缩炸弹）", where=shown, hint="已拒绝；请上传正常保存的自评表")


def extract_zip(archive: Path, dest: Path, limits: Limits, shown: str) -> list[Path]:
    """Unpack the forms in ``archive`` into ``dest``, refusing traversal, links and bombs.

    Only regular files are unpacked, each under a cleaned name in ``dest`` (sub-folders kept,
    cleaned part by part). Sizes are checked as declared and again while the bytes are written,
    since a crafted archive can lie in its directory.
    """
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise UsageError("不是有效的 zip 压缩包", where=shown, hint="请重新压缩后上传，或直接上传各个文件") from exc
    written: list[Path] = []
    with zf:
        members = [i for i in zf.infolist() if not i.is_dir()]
        if len(members) > limits.files:
            raise UsageError(f"压缩包内有 {len(members)} 个文件，超过 {limits.files} 个的上限", where=shown,
                             hint="请分批上传，或用 --max-files 调整上限")
        declared = sum(i.file_size for i in members)
        if declared > limits.batch_bytes:
            raise UsageError(f"压缩包解压后超过 {limits.batch_bytes // MB} MB 上限", where=shown, hint="请分批上传")
        plan: list[tuple[zipfile.ZipInfo, list[str], str]] = []
        for info in members:  # every member is checked before anything is written
            name = _member_name(info)
            parts = PurePosixPath(name.replace("\\", "/")).parts
            if name.startswith(("/", "\\")) or ".." in parts or (parts and re.match(r"^[A-Za-z]:", parts[0])):
                raise UsageError(f"压缩包内的路径“{name}”指向压缩包以外", where=shown,
                                 hint="这样的压缩包不安全，已拒绝；请重新压缩后上传")
            if stat.S_ISLNK(info.external_attr >> 16):
                raise UsageError(f"压缩包内的“{name}”是符号链接", where=shown, hint="已拒绝；请只压缩文件本身")
            if info.flag_bits & 0x1:
                raise UsageError(f"压缩包内的“{name}”已加密", where=shown, hint="请上传未加密的压缩包")
            if info.compress_size and info.file_size / info.compress_size > limits.zip_ratio and info.file_size > MB:
                raise UsageError(f"压缩包内的“{name}”压缩比异常（疑似压缩炸弹）", where=shown, hint="已拒绝")
            folders = [p for p in parts[:-1]]
            if any(p.startswith((".", "__MACOSX")) for p in folders) or parts[-1].startswith((".", "~$")):
                continue  # hidden files, macOS resource forks, Office lock files
            plan.append((info, [safe_name(p) for p in folders], parts[-1]))
        total = 0
        taken: set[str] = set()
        try:
            for info, folders, base in plan:
                folder = dest.joinpath(*folders)
                folder.mkdir(parents=True, exist_ok=True)
                target = folder / safe_name(base, taken)
                written.append(target)
                with zf.open(info) as src, target.open("wb") as out:
                    while chunk := src.read(MB):
                        total += len(chunk)
                        if total > limits.batch_bytes:  # the directory may lie about sizes: count what comes out
                            raise UsageError(f"压缩包解压后超过 {limits.batch_bytes // MB} MB 上限", where=shown,
                                             hint="请分批上传")
                        out.write(chunk)
        except BaseException:
            for path in written:
                path.unlink(missing_ok=True)
            raise
    return written
