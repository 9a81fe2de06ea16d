"""Batch: failure isolation, the index, resume after a kill, naming."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from conftest import EXAMPLES, ROOT
from openpyxl import Workbook, load_workbook

from reportgen.batch import BatchOptions, collect_inputs, run_batch
from reportgen.cli import main
from reportgen.synthetic import synthetic_form


def _write_forms(folder: Path, n: int, start: int = 0) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(start, start + n):
        text = yaml.safe_dump(synthetic_form(i), allow_unicode=True, sort_keys=False)
        (folder / f"p{i:04d}.yaml").write_text(text, encoding="utf-8")


def _broken(folder: Path) -> None:
    (folder / "bad.yaml").write_text("project: [\n", encoding="utf-8")
    Workbook().save(folder / "empty.xlsx")
    (folder / "neg.yaml").write_text("project: 负分值\nindicators:\n  - {name: 甲, weight: -1}\n", encoding="utf-8")


def test_fifty_projects_and_three_broken_inputs(tmp_path: Path, runner) -> None:  # noqa: ANN001
    src = tmp_path / "forms"
    _write_forms(src / "a", 25)
    _write_forms(src / "b" / "deep", 25, start=25)
    _broken(src)
    out = tmp_path / "out"
    result = runner.invoke(main, ["batch", str(src), "-o", str(out), "--jobs", "2", "--no-check"])
    assert result.exit_code == 1, result.output
    reports = sorted(out.rglob("*.md"))
    reports = [p for p in reports if p.name not in ("summary.md", "overview.md")]
    assert len(reports) == 50
    for name in ("bad.yaml", "empty.xlsx", "neg.yaml"):
        assert name in result.output
    wb = load_workbook(out / "summary.xlsx")
    ws = wb["汇总"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, (c.value for c in r), strict=True)) for r in ws.iter_rows(min_row=2)]
    assert len(rows) == 53
    failed = [r for r in rows if r["状态"] == "失败"]
    assert len(failed) == 3
    assert all(r["说明"] for r in failed)
    assert "neg.yaml:3" in next(r["说明"] for r in failed if "neg" in r["说明"])
    overview = (out / "overview.md").read_text(encoding="utf-8")
    assert "失败3个" in overview and "等级分布" in overview


def test_index_cells_are_right_for_the_examples(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_batch([EXAMPLES], BatchOptions(outdir=out, formats=("md",), jobs=1))
    assert len(result.rows) == 5  # four project forms and one department-wide form
    ws = load_workbook(out / "summary.xlsx")["汇总"]
    header = [c.value for c in ws[1]]
    rows = {r[1].value: dict(zip(header, (c.value for c in r), strict=True)) for r in ws.iter_rows(min_row=2)}
    seed = rows["社会保障专项"]
    assert seed["单位"] == "武汉市东湖新技术开发区花山街道办事处"
    assert seed["预算数"] == "2,440.91万元" and seed["执行数"] == "2,440.91万元" and seed["执行率"] == "100%"
    assert seed["总分"] == 98 and seed["等级"] == "优"
    assert "年组织开展群众文体活动（-1）" in seed["扣分指标"]
    assert "提供各类便民服务" in seed["扣分指标"]
    assert seed["状态"] == "检查未通过"  # one placeholder the seed forces
    elderly = rows["社区养老服务补贴"]
    assert elderly["执行率"] == "70.04%" and elderly["总分"] == 86.7 and elderly["等级"] == "良"
    assert "warning:budget-under-executed" in elderly["问题"]
    assert rows["义务教育学生资助"]["状态"] == "完成"
    # several units: each unit's files sit in a folder of its own
    assert (out / "武汉市东湖新技术开发区花山街道办事处" / "2020年度社会保障专项绩效自评报告.md").exists()
    summary_md = (out / "summary.md").read_text(encoding="utf-8")
    assert "| 社会保障专项 |" in summary_md


def test_duplicate_and_hostile_project_names_get_safe_unique_files(tmp_path: Path) -> None:
    src = tmp_path / "forms"
    src.mkdir()
    for i, name in enumerate(["同名项目", "同名项目", "a/b:c*?<>|项目", "长" * 300]):
        data = synthetic_form(i)
        data.update(project=name, unit="同一单位")
        (src / f"{i}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    result = run_batch([src], BatchOptions(outdir=out, formats=("md",), jobs=1, check=False))
    names = sorted(Path(p).name for r in result.rows for p in r.outputs if not str(p).endswith(".sources.json"))
    assert len(names) == len(set(names)) == 4
    assert all("/" not in n and ":" not in n and len(n.encode()) < 255 for n in names)
    assert any(n.endswith("-2.md") for n in names)


def test_collect_skips_the_output_folder_and_office_lock_files(tmp_path: Path) -> None:
    _write_forms(tmp_path, 2)
    (tmp_path / "~$lock.xlsx").write_bytes(b"")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "x.yaml").write_text("project: x\n", encoding="utf-8")
    found = collect_inputs([tmp_path], tmp_path / "out")
    assert [p.name for p in found] == ["p0000.yaml", "p0001.yaml"]


def test_killed_batch_resumes_without_redoing_or_truncating(tmp_path: Path) -> None:
    src = tmp_path / "forms"
    _write_forms(src, 150)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "reportgen", "batch", str(src), "-o", str(out), "--jobs", "2", "--format", "md,docx"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    journal = out / ".reportgen-batch.jsonl"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if journal.exists() and journal.read_text(encoding="utf-8").count("\n") >= 20:
            break
        if proc.poll() is not None:
            pytest.fail("batch finished before it could be killed")
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # parent and workers, mid-write
    proc.wait()
    done_before = journal.read_text(encoding="utf-8").count("\n")
    assert 0 < done_before < 150

    resumed = subprocess.run([*cmd, "--resume", "--no-check"], env=env, capture_output=True, text=True)
    # --no-check changes the options fingerprint: nothing is up to date, everything is redone
    assert "跳过 0 个" in resumed.stdout
    again = subprocess.run([*cmd, "--resume", "--no-check"], env=env, capture_output=True, text=True)
    assert "跳过 150 个" in again.stdout, again.stdout

    # the real test: kill a checked run, then resume the same options
    out2 = tmp_path / "out2"
    cmd2 = [sys.executable, "-m", "reportgen", "batch", str(src), "-o", str(out2), "--jobs", "2", "--format", "md"]
    proc = subprocess.Popen(cmd2, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    journal2 = out2 / ".reportgen-batch.jsonl"
    while time.monotonic() < deadline + 60:
        if journal2.exists() and journal2.read_text(encoding="utf-8").count("\n") >= 30:
            break
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    finished = {json.loads(line)["key"] for line in journal2.read_text(encoding="utf-8").splitlines() if line.endswith("}")}
    resumed = subprocess.run([*cmd2, "--resume"], env=env, capture_output=True, text=True)
    skipped = int(resumed.stdout.split("跳过 ")[1].split(" ")[0])
    assert skipped >= len(finished) - 1 and skipped > 0
    reports = [p for p in out2.rglob("*.md") if p.name not in ("summary.md", "overview.md")]
    assert len(reports) == 150
    assert not list(out2.rglob("*.part"))
    for path in reports:
        text = path.read_text(encoding="utf-8")
        assert text.startswith("# ") and text.endswith("\n") and "## 附表" in text


def test_ctrl_c_stops_cleanly_and_keeps_finished_reports(tmp_path: Path) -> None:
    src = tmp_path / "forms"
    _write_forms(src, 300)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "reportgen", "batch", str(src), "-o", str(out), "--jobs", "2", "--no-check"]
    proc = subprocess.Popen(cmd, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    journal = out / ".reportgen-batch.jsonl"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (journal.exists() and journal.read_text(encoding="utf-8").count("\n") >= 10):
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    output, _ = proc.communicate(timeout=120)
    assert proc.returncode == 130, output
    assert "已中断" in output and "Traceback" not in output
    recorded = journal.read_text(encoding="utf-8").count("\n")
    assert 10 <= recorded < 300
    assert (out / "summary.xlsx").exists() and not list(out.rglob("*.part"))
    for path in (p for p in out.rglob("*.md") if p.name not in ("summary.md", "overview.md")):
        assert path.read_text(encoding="utf-8").endswith("\n")
