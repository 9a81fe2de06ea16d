"""Tell a report from a form, so that a report given to ``validate`` or ``render`` is sent to ``check``.

Asked only about a file that did not read as a form: a Word document or text whose title
names a 报告 (and not a …表), or whose body is laid out in the official 一、二、三、 sections
of a report, is a report. Markdown, HTML and PDF files are always reports here: forms
never come in those formats.
"""

from __future__ import annotations

from pathlib import Path

from reportgen.errors import InputError, ReportgenError

REPORT_SUFFIXES = (".md", ".markdown", ".html", ".htm", ".pdf")
_DRAFT_SUFFIXES = (".docx", ".txt", ".text")


def report_error(path: Path) -> InputError:
    return InputError(
        "这是报告，请用 reportgen check 检查",
        where=str(path),
        hint=f"例如：reportgen check {path.name} --data 自评表.yaml；validate 和 render 读取的是自评表（.yaml、.xlsx、Word 表格）",
    )


def looks_like_report(path: Path) -> bool:
    """Say whether ``path`` reads as a report draft rather than a form."""
    suffix = path.suffix.lower()
    if suffix in REPORT_SUFFIXES:
        return True
    if suffix not in _DRAFT_SUFFIXES:
        return False
    from reportgen.checking.document import read_draft

    try:
        draft = read_draft(path)
    except (ReportgenError, OSError, ValueError):
        return False
    titles = [line.text for line in draft.lines[:3] if line.heading == 0]
    if any("报告" in t and not t.rstrip().endswith("表") for t in titles):
        return True
    return sum(1 for line in draft.lines if line.heading == 1) >= 3
