"""Word drafts: the committed tests/data/draft_handwritten.docx is built from the Markdown draft by
``build_docx`` (run this file as a script to rebuild it); a test keeps the two in step."""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pytest
from conftest import DATA, SEED_EXAMPLE

from reportgen.checking import check
from reportgen.checking.document import read_draft
from reportgen.errors import InputError

MARKDOWN = DATA / "draft_handwritten.md"
DOCX = DATA / "draft_handwritten.docx"
APPENDIX = [
    ("三级指标", "分值", "目标值", "实际完成值", "得分"),
    ("年组织开展群众文体活动", "2", "≥2次/年", "1次/年", "1"),
    ("提供各类便民服务,惠及民生,改善居民日常生活环境", "4", "合理使用惠民资金", "基础设施建设不足", "3"),
]


def build_docx(markdown: Path, out: Path) -> None:
    """Write a Word version of a Markdown draft: # → Title, ## → Heading 1, ### → Heading 2, plus a table."""
    document = docx.Document()
    for line in markdown.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        m = re.match(r"^(#+)\s+(.*)$", line)
        if m:
            document.add_heading(m[2], len(m[1]) - 1)
        else:
            document.add_paragraph(line)
    document.add_heading("附表：绩效指标完成情况表", 1)
    table = document.add_table(rows=len(APPENDIX), cols=len(APPENDIX[0]))
    for row, values in zip(table.rows, APPENDIX, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    document.save(str(out))


def paragraph_of(path: Path, needle: str) -> int:
    texts = [p.text for p in docx.Document(str(path)).paragraphs]
    return next(n for n, text in enumerate(texts, 1) if needle in text)


def test_committed_docx_matches_the_markdown_draft(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.docx"
    build_docx(MARKDOWN, fresh)

    def texts(path: Path) -> list[str]:
        return [line.raw for line in read_draft(path).lines]

    assert texts(DOCX) == texts(fresh)


def test_docx_draft_has_exactly_the_five_problems() -> None:
    result = check(DOCX, data=SEED_EXAMPLE)
    assert result.line_unit == "段"
    assert [(p.kind, p.line) for p in result.problems] == [
        ("fact-mismatch", paragraph_of(DOCX, "综合得分96分")),
        ("missing-term", paragraph_of(DOCX, "（一）资金使用情况")),
        ("discouraged", paragraph_of(DOCX, "差不多")),
        ("deduction-not-mentioned", paragraph_of(DOCX, "五、存在的问题及原因")),
        ("placeholder", paragraph_of(DOCX, "【待补充")),
    ]
    assert result.problems[0].message.startswith(f"第{paragraph_of(DOCX, '综合得分96分')}段")
    # same findings as the Markdown draft, apart from where they are
    markdown = check(MARKDOWN, data=SEED_EXAMPLE)
    same = [(p.kind, p.term, p.group) for p in markdown.problems]
    assert [(p.kind, p.term, p.group) for p in result.problems] == same


def test_docx_headings_tables_and_styles() -> None:
    draft = read_draft(DOCX)
    title = draft.lines[0]
    assert (title.heading, title.raw) == (0, "花山街道2020年度社会保障专项绩效自评报告")
    appendix = next(line for line in draft.lines if line.raw.startswith("附表"))
    assert appendix.heading == 1  # no numbering: the level comes from the Heading 1 style
    rows = [line.raw for line in draft.lines if "|" in line.raw]
    assert rows[0] == "三级指标 | 分值 | 目标值 | 实际完成值 | 得分"
    assert len(rows) == len(APPENDIX)
    result = check(DOCX, data=SEED_EXAMPLE)
    assert any(s.kinds == ("appendix",) for s in result.sections)


def test_unreadable_docx_is_an_input_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"not a zip file")
    with pytest.raises(InputError) as info:
        check(broken)
    assert info.value.where == str(broken)


if __name__ == "__main__":  # rebuild the committed file: PYTHONPATH=. .venv/bin/python tests/test_check_docx.py
    build_docx(MARKDOWN, DOCX)
    print(f"wrote {DOCX}")


def test_generated_word_report_checks_like_its_markdown(tmp_path: Path) -> None:
    from reportgen import evaluate, load
    from reportgen.narrative import compose

    render_docx = pytest.importorskip("reportgen.renderers.docx").render_docx
    report = compose(evaluate(load(SEED_EXAMPLE)))
    path = tmp_path / "report.docx"
    path.write_bytes(render_docx(report))
    word = check(path, data=report.evaluation)
    markdown = check(report.markdown, data=report.evaluation)
    assert [(p.kind, p.term, p.group) for p in word.problems] == [(p.kind, p.term, p.group) for p in markdown.problems]
    assert [s.kinds for s in word.sections] == [s.kinds for s in markdown.sections]
    assert word.required_found == word.required_total
