"""One exception root for everything reportgen refuses to do.

Every error carries *where* (file, YAML line, sheet!cell, field path, template line)
and *what to do*, in Chinese, so the CLI can print one readable paragraph and exit
with the class's code instead of a traceback. As Jinja's ``TemplateSyntaxError`` keeps
``filename`` and ``lineno``, an error raised with a ``Place`` keeps its parts as attributes
(``exc.file``, ``exc.line``, ``exc.sheet``, ``exc.cell``, ``exc.field``) and prints them in ``__str__``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

# a cell within a sheet or Word table: E14, 第3行第2列, 第3行; or a Word paragraph: 第5段
_CELL = re.compile(r"[A-Z]{1,3}\d+|第\d+行(?:第\d+列)?|第\d+段")
_LINE = re.compile(r":(\d+)(?::(\d+))?")


@dataclass(frozen=True)
class Place:
    """Where in the input a problem is: ``form.yaml:23:5``, ``2024绩效.xlsx!Sheet1!E14``, ``x.docx!表2!第3行``.

    ``field`` is the form's field path there (``indicators[3].actual``); it is an attribute for
    programs, not part of the printed place (messages that concern a field name it themselves).
    """

    file: str | None = None
    line: int | None = None
    column: int | None = None
    sheet: str | None = None
    cell: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        out = self.file or ""
        if self.line is not None:
            out += f":{self.line}" + (f":{self.column}" if self.column is not None else "")
        if self.sheet is not None:
            out += f"!{self.sheet}"
        if self.cell is not None:
            out += f"!{self.cell}"
        return out

    @classmethod
    def within(cls, file: str | None, ref: str = "", field: str | None = None) -> Place:
        """The place ``ref`` (``:23``, ``:1:6``, ``!Sheet1!E14``, ``!第5段``) inside ``file``, as the readers write refs."""
        if m := _LINE.fullmatch(ref):
            return cls(file, line=int(m[1]), column=int(m[2]) if m[2] else None, field=field)
        if ref.startswith("!"):
            sheet, _, cell = ref[1:].rpartition("!")
            if not _CELL.fullmatch(cell):
                sheet, cell = ref[1:], ""
            return cls(file, sheet=sheet or None, cell=cell or None, field=field)
        return cls(file + ref if file and ref else file or ref or None, field=field)

    def in_file(self, file: str) -> Place:
        """This place inside ``file``, when it was raised below the file (a sheet or cell only)."""
        return self if self.file else replace(self, file=file)


class ReportgenError(Exception):
    """Root of all reportgen errors; ``exit_code`` is what the CLI returns."""

    exit_code: int = 2
    kind: str = "错误"

    def __init__(self, message: str, *, where: str | Place | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        #: the structured place, when the raiser knew its parts (a plain ``where`` string has none)
        self.place: Place | None = where if isinstance(where, Place) else None
        #: the place as printed before the message
        self.where: str | None = (str(where) or None) if isinstance(where, Place) else where
        self.hint = hint

    def locate_in(self, file: str) -> None:
        """Put a place raised below the file (a sheet, a cell) inside ``file``."""
        if self.place is not None and not self.place.file:
            self.place = self.place.in_file(file)
            self.where = str(self.place)

    @property
    def file(self) -> str | None:
        return self.place.file if self.place else None

    @property
    def line(self) -> int | None:
        return self.place.line if self.place else None

    @property
    def column(self) -> int | None:
        return self.place.column if self.place else None

    @property
    def sheet(self) -> str | None:
        return self.place.sheet if self.place else None

    @property
    def cell(self) -> str | None:
        return self.place.cell if self.place else None

    @property
    def field(self) -> str | None:
        return self.place.field if self.place else None

    def __str__(self) -> str:
        parts = []
        if self.where:
            parts.append(f"{self.where}：")
        parts.append(self.message.rstrip("。") + "。")
        if self.hint:
            parts.append(self.hint.rstrip("。") + "。")
        return "".join(parts)

    def to_dict(self) -> dict[str, str | None]:
        return {"kind": self.kind, "where": self.where, "message": self.message, "hint": self.hint}


class InputError(ReportgenError):
    """The input cannot be read as a form (syntax, types, impossible values)."""

    kind = "输入错误"


class TemplateError(ReportgenError):
    """A (user) template is missing, broken, or tried something the sandbox forbids."""

    kind = "模板错误"


class LexiconError(ReportgenError):
    """A lexicon file is malformed."""

    kind = "词库错误"


class RenderError(ReportgenError):
    """Rendering to HTML, PDF or Word failed (fonts missing, unsupported characters…)."""

    kind = "输出错误"


class DependencyError(ReportgenError):
    """A package reportgen needs is not installed, or is installed but cannot be imported."""

    kind = "环境错误"


class UsageError(ReportgenError):
    """The command was called wrongly (bad option value, unknown format…)."""

    kind = "用法错误"
