"""``reportgen check`` reads PDF reports: text page by page, paragraphs rejoined, places as 第N页."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SEED_EXAMPLE

from reportgen.checking.document import paragraphs, read_draft
from reportgen.cli import main
from reportgen.engine import Engine


@pytest.fixture(scope="module")
def seed_pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The seed's report as PDF, and a copy in which two figures contradict the form."""
    from reportgen.renderers.pdf import render_pdf

    out = tmp_path_factory.mktemp("pdf")
    report = Engine(formats=("md",), check=False).run(SEED_EXAMPLE).report
    wrong = report.markdown.replace("综合得分98分", "综合得分96分").replace("预算执行率为100%", "预算执行率为99%")
    assert wrong != report.markdown
    paths = {"right": out / "报告.pdf", "wrong": out / "改错了.pdf", "md": out / "报告.md"}
    paths["right"].write_bytes(render_pdf(report))
    paths["wrong"].write_bytes(render_pdf(dataclasses.replace(report, markdown=wrong)))
    paths["md"].write_text(report.markdown, encoding="utf-8")
    return paths


def _check(runner: CliRunner, path: Path) -> tuple[int, dict]:  # type: ignore[type-arg]
    result = runner.invoke(main, ["check", str(path), "--data", str(SEED_EXAMPLE), "--json"])
    return result.exit_code, json.loads(result.stdout)


def test_a_pdf_report_checks_as_its_markdown(runner: CliRunner, seed_pdfs: dict[str, Path]) -> None:
    code, pdf = _check(runner, seed_pdfs["right"])
    md_code, md = _check(runner, seed_pdfs["md"])
    assert code == md_code == 1  # the seed's one placeholder
    assert pdf["line_unit"] == "页" and pdf["facts_checked"]
    assert [p["kind"] for p in pdf["problems"]] == [p["kind"] for p in md["problems"]] == ["placeholder"]
    assert sorted(p["group"] for p in pdf["present"]) == sorted(p["group"] for p in md["present"])
    pages = [p["line"] for p in pdf["problems"]]
    assert all(isinstance(n, int) and 1 < n < 20 for n in pages)  # a page of the report, not a line


def test_wrong_figures_in_a_pdf_are_found_on_their_page(runner: CliRunner, seed_pdfs: dict[str, Path]) -> None:
    code, result = _check(runner, seed_pdfs["wrong"])
    assert code == 1
    mismatches = [p for p in result["problems"] if p["kind"] == "fact-mismatch"]
    assert sorted(p["term"] for p in mismatches) == ["综合得分96分", "预算执行率为99%"]
    draft = read_draft(seed_pdfs["wrong"])
    for p in mismatches:
        page = next(line.number for line in draft.lines if p["term"] in line.text)
        assert p["line"] == page and p["message"].startswith(f"第{page}页")


def test_the_terminal_table_counts_pages(runner: CliRunner, seed_pdfs: dict[str, Path]) -> None:
    result = runner.invoke(main, ["check", str(seed_pdfs["right"])])
    assert result.exit_code == 1
    assert "页（第" not in result.stdout and "（第1页）" in result.stdout
    assert "检查未通过" in result.stdout


def test_wrapped_lines_are_rejoined_into_paragraphs() -> None:
    page = [
        "（二）预算执行情况",
        "项目全年预算数为2,440.91万元，全年执行数为2,440.91万元，预算执",
        "行率为100%。",
        "1. 数量指标",
        "— 2 —",
    ]
    assert paragraphs(page) == [
        "（二）预算执行情况",
        "项目全年预算数为2,440.91万元，全年执行数为2,440.91万元，预算执行率为100%。",
        "1. 数量指标",
    ]


def test_a_damaged_or_empty_pdf_is_refused_with_its_place(runner: CliRunner, tmp_path: Path) -> None:
    from pypdf import PdfWriter

    damaged = tmp_path / "坏.pdf"
    damaged.write_bytes(b"%PDF-1.7\n" + b"\x00" * 200)
    result = runner.invoke(main, ["check", str(damaged)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"输入错误：{damaged}：PDF 文件已损坏，无法读取")
    blank = tmp_path / "扫描件.pdf"
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    with blank.open("wb") as fh:
        writer.write(fh)
    result = runner.invoke(main, ["check", str(blank)])
    assert result.exit_code == 2 and "PDF 中没有可提取的文字（可能是扫描件）" in result.stderr
