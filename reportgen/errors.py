"""One exception root for everything reportgen refuses to do.

Every error carries *where* (file, YAML line, sheet!cell, field path, template line)
and *what to do*, in Chinese, so the CLI can print one readable paragraph and exit
with the class's code instead of a traceback.
"""

from __future__ import annotations


class ReportgenError(Exception):
    """Root of all reportgen errors; ``exit_code`` is what the CLI returns."""

    exit_code: int = 2
    kind: str = "错误"

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        self.hint = hint

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
