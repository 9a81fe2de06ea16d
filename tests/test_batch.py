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

from reportgen.batch.run import BatchOptions, collect_inputs, run_batch
from reportgen.cli import main
from reportgen.testing import synthetic_form


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
    assert len(result.rows) == 8  # seven project forms and one department-wide form
    ws = load_workbook(out / "summary.xlsx")["汇总"]
    header = [c.value for c in ws[1]]
    assert header[0] == "序号"
    cells = {r[2].value: dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2)}
    rows = {k: {h: c.value for h, c in v.items()} for k, v in cells.items()}
    assert sorted(r["序号"] for r in rows.values()) == list(range(1, 9))
    seed, seed_cells = rows["社会保障专项"], cells["社会保障专项"]
    assert seed["单位"] == "武汉市东湖新技术开发区花山街道办事处"
    # numbers as numbers (the office sums and sorts them), shown with their unit by the cell's format
    assert seed["预算数"] == 2440.91 and seed["执行数"] == 2440.91
    assert seed_cells["预算数"].number_format == '#,##0.00"万元"'
    assert seed["执行率"] == 1 and seed_cells["执行率"].number_format == "0.00%"
    assert seed["年度"] == 2020 and seed_cells["年度"].number_format == "0"
    assert seed["总分"] == 98 and seed["等级"] == "优（计算）"  # the form prints no grade: worked out from its total
    assert "年组织开展群众文体活动（-1）" in seed["扣分指标"]
    assert "提供各类便民服务" in seed["扣分指标"]
    assert seed["状态"] == "检查未通过"  # one placeholder the seed forces
    # the file cell opens the report, by a path relative to the workbook
    link = seed_cells["输出文件"].hyperlink.target
    assert (out / link).is_file() and link.endswith(".md") and not link.startswith("/")
    elderly = rows["社区养老服务补贴"]
    assert elderly["执行率"] == pytest.approx(0.7004, abs=1e-4) and elderly["总分"] == 86.7 and elderly["等级"] == "良"
    assert "预算执行率偏低" in elderly["问题"] and "warning" not in elderly["问题"]
    assert rows["义务教育学生资助"]["状态"] == "完成"
    # several units: each unit's files sit in a folder of its own
    assert (out / "武汉市东湖新技术开发区花山街道办事处" / "2020年度社会保障专项绩效自评报告.md").exists()
    summary_md = (out / "summary.md").read_text(encoding="utf-8")
    assert "| 社会保障专项 |" in summary_md


def test_problems_are_said_in_chinese_once_each_with_a_count() -> None:
    from reportgen.batch.index import problems

    codes = ["warning:subtotal-mismatch"] * 8 + ["error:total-mismatch", "warning:budget-under-executed"]
    assert problems(codes) == "分类分值与所含指标分值之和不符（8处）；【错误】总分与各项得分之和不符；预算执行率偏低"


def test_duplicate_and_hostile_project_names_get_safe_unique_files(tmp_path: Path) -> None:
    src = tmp_path / "forms"
    src.mkdir()
    # 150 characters: under the 200-character bound on names, over the 120-byte bound on file stems
    for i, name in enumerate(["同名项目", "同名项目", "a/b:c*?<>|项目", "长" * 150]):
        data = synthetic_form(i)
        data.update(project=name, unit="同一单位")
        (src / f"{i}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    result = run_batch([src], BatchOptions(outdir=out, formats=("md",), jobs=1, check=False))
    names = sorted(Path(p).name for r in result.rows for p in r.outputs if not str(p).endswith(".sources.json"))
    assert len(names) == len(set(names)) == 4
    assert all("/" not in n and ":" not in n and len(n.encode()) < 255 for n in names)
    # the two projects named alike both say which input they came from, whichever worker was first
    assert "2022年度同名项目绩效自评报告（0.yaml）.md" in names and "2022年度同名项目绩效自评报告（1.yaml）.md" in names, names
    assert not (out / ".claims").exists() and not (out / ".incoming").exists()


def test_collect_skips_the_output_folder_and_office_lock_files(tmp_path: Path) -> None:
    _write_forms(tmp_path, 2)
    (tmp_path / "~$lock.xlsx").write_bytes(b"")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "x.yaml").write_text("project: x\n", encoding="utf-8")
    found = collect_inputs([tmp_path], tmp_path / "out")
    assert [p.name for p in found] == ["p0000.yaml", "p0001.yaml"]


def _journaled(out: Path) -> dict[str, list[int]]:
    """Inputs the journal says are done, with their files' modification times (a torn last line is skipped)."""
    done = {}
    for line in (out / ".reportgen-batch.jsonl").read_text(encoding="utf-8").splitlines():
        try:
            rows = json.loads(line)["rows"]
        except json.JSONDecodeError:
            continue
        if all(r["outputs"] for r in rows):
            done[rows[0]["input"]] = [Path(p).stat().st_mtime_ns for r in rows for p in r["outputs"]]
    return done


def test_killed_five_times_then_resumed_every_report_complete_each_done_once(tmp_path: Path) -> None:
    import random
    import zipfile

    from docx import Document
    from pypdf import PdfReader

    n = 24  # more than five short runs finish on an idle machine
    src = tmp_path / "forms"
    src.mkdir()
    for i in range(n):
        data = synthetic_form(3000 + i)
        data["unit"] = "同一单位"
        (src / f"p{i:03d}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "reportgen", "batch", str(src), "-o", str(out), "--jobs", "2",
           "--format", "md,pdf,docx", "--resume"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    journal = out / ".reportgen-batch.jsonl"
    rng = random.Random(15)
    finished: dict[str, list[int]] = {}
    for attempt in range(5):
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        before = journal.read_text(encoding="utf-8").count("\n") if journal.exists() else 0
        deadline = time.monotonic() + 300
        while proc.poll() is None and time.monotonic() < deadline:
            if journal.exists() and journal.read_text(encoding="utf-8").count("\n") > before:
                break
            time.sleep(0.02)
        if attempt == 2:  # a worker dies mid-run: its project is given to a fresh worker
            workers = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and _ppid(p) == proc.pid]
            assert workers, "no worker to kill"
            os.kill(workers[0], signal.SIGKILL)
        time.sleep(rng.uniform(0, 0.5))  # a random moment: mid-render, mid-write, mid-journal
        assert proc.poll() is None, "the batch ended before its fifth kill"
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        finished = _journaled(out)
    assert 0 < len(finished) < n

    resumed = subprocess.run(cmd, env=env, capture_output=True, text=True)
    assert resumed.returncode in (0, 1), resumed.stdout + resumed.stderr
    assert f"跳过 {len(finished)} 个" in resumed.stdout, resumed.stdout
    after = _journaled(out)
    assert {k: after[k] for k in finished} == finished  # done once: nothing finished before was made again
    assert not list(out.rglob("*.part")) and not (out / ".claims").exists()
    for suffix in (".md", ".pdf", ".docx"):
        files = [p for p in out.rglob(f"*{suffix}") if not p.name.startswith(("summary", "overview"))]
        assert len(files) == n, suffix  # every project once: no second copy under another name
    for path in out.rglob("*绩效自评报告.md"):
        text = path.read_text(encoding="utf-8")
        assert text.startswith("# ") and text.endswith("\n") and "## 附表" in text
    for path in out.rglob("*绩效自评报告.pdf"):
        assert path.read_bytes().rstrip().endswith(b"%%EOF") and len(PdfReader(path).pages) >= 2
    for path in out.rglob("*绩效自评报告.docx"):
        with zipfile.ZipFile(path) as z:
            assert z.testzip() is None
        assert Document(str(path)).tables  # the appendix table: written to the end


def _ppid(proc_dir: Path) -> int:
    try:
        return int((proc_dir / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return -1


def test_ctrl_c_stops_cleanly_and_keeps_finished_reports(tmp_path: Path) -> None:
    src = tmp_path / "forms"
    _write_forms(src, 150)
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
    assert 10 <= recorded < 150
    assert (out / "summary.xlsx").exists() and not list(out.rglob("*.part"))
    for path in (p for p in out.rglob("*.md") if p.name not in ("summary.md", "overview.md")):
        assert path.read_text(encoding="utf-8").endswith("\n")


def test_inputs_of_the_same_content_on_two_workers_both_get_their_report(tmp_path: Path) -> None:
    """Workers write their files under provisional names of their own: equal inputs (one key) never collide."""
    src = tmp_path / "forms"
    src.mkdir()
    text = yaml.safe_dump(synthetic_form(7), allow_unicode=True, sort_keys=False)
    for i in range(6):
        (src / f"{i}.yaml").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = run_batch([src], BatchOptions(outdir=out, formats=("md",), jobs=2))
    assert [r.status for r in result.rows].count("failed") == 0, [r.message for r in result.rows]
    reports = sorted(out.rglob("*.md"))
    reports = [p for p in reports if p.name not in ("summary.md", "overview.md")]
    assert len(reports) == 6 and len({p.read_text(encoding="utf-8") for p in reports}) == 1
    assert all(f"（{i}.yaml）" in p.name for i, p in enumerate(reports))
    assert not (out / ".incoming").exists()


def test_a_batch_of_several_units_writes_reports_into_their_folders_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once a second unit has come, reports go straight to their unit's folder: only the first is moved."""
    from reportgen.batch import output

    src = tmp_path / "forms"
    src.mkdir()
    for i in range(6):
        data = synthetic_form(i)
        data.update(unit="甲单位" if i % 2 == 0 else "乙单位")
        (src / f"{i}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    moved = []
    real = output.install_files
    monkeypatch.setattr(output, "install_files", lambda outdir, stem, *a, **k: moved.append(stem) or real(outdir, stem, *a, **k))
    out = tmp_path / "out"
    # one process, no pool: the order the reports come in is the input's
    result = run_batch([src], BatchOptions(outdir=out, formats=("md",), jobs=1, timeout=0, check=False))
    assert {Path(p).parent.name for r in result.rows for p in r.outputs} == {"甲单位", "乙单位"}
    assert len(moved) == 1 and moved[0].startswith("甲单位/")  # the first report, written before 乙单位 came
    assert not any(out.glob("*绩效自评报告*"))


def test_a_journal_line_holds_each_row_as_asdict_would() -> None:
    from dataclasses import asdict

    from reportgen.batch.output import _line
    from reportgen.batch.worker import Row

    rows = [Row(input="a.yaml", index=1, deducted=["甲（-1）"], outputs=["/o/a.md"], total_value=95.5, total_computed=True),
            Row(input="b.yaml", status="failed", message="无法读取")]
    expected = json.dumps({"key": "k", "count": 2, "rows": [asdict(r) for r in rows]}, ensure_ascii=False) + "\n"
    assert _line("k", 2, rows) == expected


def test_collect_skips_what_reportgen_wrote_earlier(tmp_path: Path) -> None:
    # a folder holding the forms and an earlier run's results: render's sidecars and a whole batch output folder
    (tmp_path / "表.yaml").write_text("project: x\n", encoding="utf-8")
    (tmp_path / "报告.check.json").write_text("{}", encoding="utf-8")
    (tmp_path / "报告.sources.json").write_text("{}", encoding="utf-8")
    earlier = tmp_path / "上次输出"
    earlier.mkdir()
    (earlier / ".reportgen-batch.jsonl").write_text("", encoding="utf-8")
    (earlier / "summary.xlsx").write_bytes(b"")
    (earlier / "报告.docx").write_bytes(b"")
    assert [p.name for p in collect_inputs([tmp_path], tmp_path / "新输出")] == ["表.yaml"]


def test_a_folder_without_forms_is_a_usage_error_and_unreadable_files_are_named(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from reportgen.cli import main

    empty = tmp_path / "空"
    empty.mkdir()
    (empty / "旧表.xls").write_bytes(b"")
    result = CliRunner().invoke(main, ["batch", str(empty), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2 and "没有找到可读取的自评表" in result.output and ".xls" in result.output
    _write_forms(empty, 1)
    result = CliRunner().invoke(main, ["batch", str(empty), "-o", str(tmp_path / "out"), "--jobs", "1",
                                       "--format", "md"])
    assert result.exit_code in (0, 1) and "未读取 1 个不支持的文件（旧表.xls）" in result.output
