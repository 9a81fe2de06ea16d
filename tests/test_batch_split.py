"""One task per project (issue 18): a workbook of several projects is read once, then its projects spread over the
workers; each one is written and journaled as it finishes, fails or times out alone, and is not redone on --resume."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from conftest import SEED_EXAMPLE

from reportgen.batch import worker as batch
from reportgen.batch.run import BatchOptions, run_batch
from reportgen.loaders import load

JOURNAL = ".reportgen-batch.jsonl"
NAMES = ["甲项目", "乙项目", "卡住的项目", "丁项目", "戊项目"]


def workbook(path: Path, names: list[str], *, bad_sheet: bool = True) -> Path:
    """One sheet per project (the seed form under other names), and a sheet whose score is not a number."""
    from reportgen.loaders.xlsx_template import build_workbook

    wb = build_workbook(load(SEED_EXAMPLE))
    first = wb["自评表"]
    first["B3"] = names[0]
    for i, name in enumerate(names[1:], start=2):
        sheet = wb.copy_worksheet(first)
        sheet.title, sheet["B3"] = f"第{i}张", name
    if bad_sheet:
        bad = wb.copy_worksheet(first)
        bad.title, bad["B3"], bad["H12"] = "坏表", "坏项目", "很多"
    wb.save(path)
    return path


@pytest.fixture
def calls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each project rendered is logged with the process that rendered it; one of them hangs (the pool's workers
    are forked, so they inherit the patch)."""
    log = tmp_path / "calls.jsonl"
    hang = tmp_path / "hang"
    hang.touch()
    real = batch._render_form

    def logged(form, task, options):  # noqa: ANN001, ANN202
        with log.open("a", encoding="utf-8") as f:
            f.write(json.dumps({"project": form.project, "pid": os.getpid()}, ensure_ascii=False) + "\n")
        if form.project == "卡住的项目" and hang.exists():
            time.sleep(120)
        return real(form, task, options)

    monkeypatch.setattr(batch, "_render_form", logged)
    return log


def _logged(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []


def test_a_workbook_spreads_over_the_workers_and_one_project_fails_alone(tmp_path: Path, calls: Path) -> None:
    src = tmp_path / "forms"
    src.mkdir()
    book = workbook(src / "五个项目.xlsx", NAMES)
    out = tmp_path / "out"
    options = BatchOptions(outdir=out, jobs=2, timeout=6, check=False)
    started = time.monotonic()
    result = run_batch([src], options)
    assert time.monotonic() - started < 60
    by_project = {r.project: r for r in result.rows}
    assert [r.index for r in result.rows] == [0, 1, 2, 3, 4, 5]
    assert by_project["卡住的项目"].status == "failed" and "处理时间超过 6 秒" in by_project["卡住的项目"].message
    failed = [r for r in result.rows if r.status == "failed"]
    assert len(failed) == 2 and "坏表!H12" in failed[1].where + failed[1].message  # the bad sheet, named
    good = [r for r in result.rows if r.status == "ok"]
    assert [r.project for r in good] == ["甲项目", "乙项目", "丁项目", "戊项目"]
    assert all(Path(p).exists() for r in good for p in r.outputs)
    # the workbook was read once, and its projects were rendered by both workers
    rendered = _logged(calls)
    assert sorted(c["project"] for c in rendered) == sorted(NAMES)
    assert len({c["pid"] for c in rendered}) >= 2
    # the journal knows every project of the workbook, and how many it holds
    lines = [json.loads(line) for line in (out / JOURNAL).read_text(encoding="utf-8").splitlines()]
    assert [line["count"] for line in lines] == [6]
    assert sorted(r["index"] for line in lines for r in line["rows"]) == [0, 1, 2, 3, 4, 5]

    # --resume: the four finished projects are not made again; the hung one and the bad sheet are tried again
    calls.unlink()
    (tmp_path / "hang").unlink()  # it will not hang this time
    times = {p: Path(p).stat().st_mtime_ns for r in good for p in r.outputs}
    again = run_batch([src], BatchOptions(outdir=out, jobs=2, timeout=6, check=False, resume=True))
    assert [c["project"] for c in _logged(calls)] == ["卡住的项目"]
    assert {p: Path(p).stat().st_mtime_ns for p in times} == times
    assert [r.status for r in again.rows] == ["ok", "ok", "ok", "ok", "ok", "failed"]
    assert again.skipped == 0  # the input was not complete: it was read again
    third = run_batch([book], BatchOptions(outdir=out, jobs=2, timeout=6, check=False, resume=True))
    assert [r.status for r in third.rows] == ["ok"] * 5 + ["failed"] and len(_logged(calls)) == 1


def test_projects_of_a_workbook_alike_in_name_say_which_project_they_are(tmp_path: Path) -> None:
    src = tmp_path / "forms"
    src.mkdir()
    workbook(src / "表.xlsx", ["同名项目", "同名项目", "别的项目"], bad_sheet=False)
    result = run_batch([src], BatchOptions(outdir=tmp_path / "out", jobs=2, timeout=0, check=False))
    names = sorted(Path(p).name for r in result.rows for p in r.outputs if p.endswith(".md"))
    assert names == ["2020年度别的项目绩效自评报告.md", "2020年度同名项目绩效自评报告（表.xlsx 第2个项目）.md",
                     "2020年度同名项目绩效自评报告（表.xlsx）.md"], names
