"""How much a browser may send: per file, per request, how many files, and what a zip may unpack to.

The defaults suit a department's batch on one machine; ``reportgen serve`` can change each of them.
"""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    file_bytes: int = 20 * MB  # one uploaded file (a form, a draft, a zip)
    batch_bytes: int = 200 * MB  # one request in all, and what one zip may unpack to
    files: int = 500  # files in one request, and members of one zip
    field_bytes: int = 64 * 1024  # one text field of a form post (outline name, typed-in text)
    zip_ratio: int = 200  # a member that unpacks to more than this many times its packed size is a bomb
    sessions: int = 50  # browser sessions kept at once (the oldest idle one is cleaned up first)
    idle_seconds: int = 4 * 3600  # a session unused this long is cleaned up

    def describe(self) -> str:
        return (
            f"单个文件不超过 {self.file_bytes // MB} MB，每次上传合计不超过 {self.batch_bytes // MB} MB、"
            f"不超过 {self.files} 个文件"
        )
