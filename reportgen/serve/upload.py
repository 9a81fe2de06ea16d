"""Read a multipart upload straight into the session's workspace, enforcing the limits as bytes arrive.

Starlette's own form parser spools large parts to the system's temporary folder; parsing here with
python-multipart's streaming parser keeps every uploaded byte inside the session workspace and lets
a too-large upload be refused with a Chinese message the moment it crosses its limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from reportgen.errors import UsageError
from reportgen.serve.limits import MB, Limits
from reportgen.serve.workspace import safe_name


class UploadError(UsageError):
    """An upload the server refuses (too large, too many files, not a form post)."""

    status = 400


class TooLarge(UploadError):
    status = 413


@dataclass
class Uploaded:
    field: str
    name: str  # the user's file name, as sent (shown in messages)
    path: Path  # where it was stored in the workspace
    size: int


@dataclass
class Upload:
    fields: dict[str, str] = field(default_factory=dict)
    files: list[Uploaded] = field(default_factory=list)

    def files_of(self, name: str) -> list[Uploaded]:
        return [f for f in self.files if f.field == name]


async def read_upload(request: Request, folder: Path, limits: Limits) -> Upload:
    """Parse a multipart/form-data request into ``folder`` (created), or raise UploadError."""
    ctype, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if ctype != b"multipart/form-data" or not boundary:
        raise UploadError("请求不是文件上传（multipart/form-data）", hint="请在页面上选择或拖入文件")
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limits.batch_bytes + MB:
        raise TooLarge(f"上传内容合计超过 {limits.batch_bytes // MB} MB 上限", hint="请分批上传，或用 --max-batch-mb 调整上限")
    folder.mkdir(parents=True, exist_ok=True)
    result = Upload()
    state: dict[str, object] = {}
    header_field = bytearray()
    header_value = bytearray()
    headers: dict[bytes, bytes] = {}
    total = 0
    taken: set[str] = set()

    def on_part_begin() -> None:
        headers.clear()
        state.update(kind=None, buffer=bytearray(), handle=None, size=0)

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header_field.extend(data[start:end])

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header_value.extend(data[start:end])

    def on_header_end() -> None:
        headers[bytes(header_field).lower()] = bytes(header_value)
        header_field.clear()
        header_value.clear()

    def on_headers_finished() -> None:
        _, options = parse_options_header(headers.get(b"content-disposition", b""))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        state["field"] = name
        if b"filename" in options:
            original = options[b"filename"].decode("utf-8", "replace")
            if not original:
                state["kind"] = "skip"  # an empty file input
                return
            if len(result.files) >= limits.files:
                raise UploadError(f"一次最多上传 {limits.files} 个文件", hint="请分批上传，或用 --max-files 调整上限")
            stored = folder / safe_name(original, taken)
            state.update(kind="file", name=original, path=stored, handle=stored.open("wb"))
        else:
            state["kind"] = "field"

    def on_part_data(data: bytes, start: int, end: int) -> None:
        nonlocal total
        chunk = data[start:end]
        total += len(chunk)
        if total > limits.batch_bytes:
            raise TooLarge(f"上传内容合计超过 {limits.batch_bytes // MB} MB 上限", hint="请分批上传，或用 --max-batch-mb 调整上限")
        kind = state.get("kind")
        if kind == "file":
            size = int(state["size"]) + len(chunk)  # type: ignore[call-overload]
            state["size"] = size
            if size > limits.file_bytes:
                raise TooLarge(
                    f"文件“{state['name']}”超过 {limits.file_bytes // MB} MB 上限",
                    hint="请上传自评表本身，或用 --max-file-mb 调整上限",
                )
            handle: IO[bytes] = state["handle"]  # type: ignore[assignment]
            handle.write(chunk)
        elif kind == "field":
            buffer: bytearray = state["buffer"]  # type: ignore[assignment]
            if len(buffer) + len(chunk) > limits.field_bytes:
                raise TooLarge(f"填写的内容超过 {limits.field_bytes // 1024} KB 上限", hint="请精简后再提交")
            buffer.extend(chunk)

    def on_part_end() -> None:
        kind = state.get("kind")
        if kind == "file":
            handle: IO[bytes] = state.pop("handle")  # type: ignore[assignment]
            handle.close()
            path: Path = state["path"]  # type: ignore[assignment]
            result.files.append(Uploaded(str(state["field"]), str(state["name"]), path, int(state["size"])))  # type: ignore[call-overload]
        elif kind == "field":
            buffer: bytearray = state["buffer"]  # type: ignore[assignment]
            result.fields[str(state["field"])] = buffer.decode("utf-8", "replace")

    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": on_part_begin,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished,
        },
    )
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
    except UploadError:
        raise
    except Exception as exc:  # noqa: BLE001 - a malformed body is the client's problem, said in Chinese
        raise UploadError(f"上传内容无法解析（{type(exc).__name__}）", hint="请重新选择文件上传") from exc
    finally:
        handle = state.get("handle")
        if handle is not None:
            handle.close()  # type: ignore[attr-defined]
    return result
