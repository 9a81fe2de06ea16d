"""The batch overview PDF: a per-project table, unit and date, low execution under 需要关注, no lone bullet."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from reportgen.batch.index import overview_markdown, write_index
from reportgen.batch.run import BatchOptions, BatchResult, Row

UNIT = "某区财政局"


def _rows(count: int) -> list[Row]:
    rows = []
    for i in range(count):
        rate = 0.8 + (i % 5) * 0.05  # 80 %, 85 %, 90 %, 95 %, 100 %
        rows.append(Row(input=f"p{i}.yaml", project=f"第{i + 1}个项目", unit=UNIT, total=str(80 + i % 20),
                        total_value=80.0 + i % 20, grade="良", rate=f"{rate * 100:g}%", rate_value=rate,
                        date=f"2021年6月{10 + i % 20}日", budget_value=100.0, executed_value=100.0 * rate,
                        budget_unit="万元"))
    return rows


def _pages(pdf: Path) -> list[str]:
    done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True, timeout=60)
    return done.stdout.decode("utf-8").split("\f")[:-1]


def test_low_execution_is_listed_and_every_project_is_in_the_table() -> None:
    markdown = overview_markdown(BatchResult(rows=_rows(10), elapsed=0.0))
    attention = markdown.split("、需要关注的项目")[1].split("## 附表")[0]
    assert "第1个项目（某区财政局）：预算执行率80%，低于90%" in attention
    assert "第2个项目" in attention and "第3个项目（" not in attention  # 90 % is not below 90 %
    table = markdown.split("## 附表：项目自评情况一览表")[1]
    assert "| 序号 | 项目名称 | 总分 | 等级 | 执行率 | 问题 |" in table
    assert table.count("\n| ") == 1 + 1 + 10  # header, rule, one row per project
    # signed by the one unit every project shares, dated by the latest report
    assert markdown.endswith(f"\n\n{UNIT}\n\n2021年6月19日\n")


@pytest.mark.parametrize("count", [3, 40])
def test_overview_pdf_signs_before_its_table_and_leaves_no_lone_bullet(tmp_path: Path, count: int) -> None:
    write_index(BatchResult(rows=_rows(count), elapsed=0.0), BatchOptions(outdir=tmp_path, formats=("pdf",)))
    pages = [p.replace("\n", "") for p in _pages(tmp_path / "overview.pdf")]
    latest = f"2021年6月{10 + min(count, 20) - 1}日"
    signed = next(i for i, p in enumerate(pages) if UNIT + latest in p)
    assert pages[signed].index("附件：项目自评情况一览表") < pages[signed].index(UNIT + latest)
    assert pages[signed + 1].startswith("附件") and "项目自评情况一览表" in pages[signed + 1]
    table = "".join(pages[signed + 1:])
    assert all(f"第{i + 1}个项目" in table for i in range(count))
    for page in pages:
        body = page.split("—")[0]
        bullets = body.count("•")
        # a page with list items holds at least two of them, or its list began on it with the heading
        assert bullets != 1 or "需要关注的项目" in body, body[:80]
