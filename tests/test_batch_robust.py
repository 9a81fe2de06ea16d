"""Batch processes under harm: dead workers, a killed parent, two runs into one folder, a full disk, a hung form."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from conftest import ROOT
from openpyxl import load_workbook

from reportgen import fsutil, overwrite
from reportgen.batch import output as batch_output
from reportgen.batch import worker as batch
from reportgen.batch.run import BatchOptions, run_batch
from reportgen.cli import main
from reportgen.errors import UsageError
from reportgen.testing import synthetic_form

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def _write_forms(folder: Path, n: int, start: int = 0) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(start, start + n):
        data = synthetic_form(i)
        data["unit"] = "同一单位"  # one unit: the files stay where they were written
        path = folder / f"p{i:04d}.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        paths.append(path)
    return paths


def _reports(out: Path, suffix: str = ".md") -> list[Path]:
    return sorted(p for p in out.rglob(f"*{suffix}") if p.name not in ("summary.md", "overview.md"))


def _children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (from /proc, so no extra package is needed)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            after = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(after[1]) == pid and after[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _wait_for_journal(out: Path, lines: int, proc: subprocess.Popen, limit: float = 90) -> None:
    journal = out / batch_output.JOURNAL
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if journal.exists() and journal.read_text(encoding="utf-8").count("\n") >= lines:
            return
        if proc.poll() is not None:
            pytest.fail("batch finished before it could be interrupted")
        time.sleep(0.05)
    pytest.fail("batch made no progress")


def test_a_worker_that_dies_costs_only_its_project(tmp_path: Path, runner, monkeypatch) -> None:  # noqa: ANN001
    _write_forms(tmp_path / "forms", 12)
    (tmp_path / "forms" / "p0003.yaml").rename(tmp_path / "forms" / "crash-always.yaml")
    (tmp_path / "forms" / "p0007.yaml").rename(tmp_path / "forms" / "crash-once.yaml")
    marker = tmp_path / "crashed-once"
    real = batch._render_file

    def crashing(path: Path, task: batch.Task, options: BatchOptions) -> batch.Done:
        # runs in the forked workers: they inherit this patch
        if "crash-always" in path.name or ("crash-once" in path.name and not marker.exists()):
            marker.touch()
            os.kill(os.getpid(), signal.SIGKILL)
        return real(path, task, options)

    monkeypatch.setattr(batch, "_render_file", crashing)
    out = tmp_path / "out"
    result = runner.invoke(main, ["batch", str(tmp_path / "forms"), "-o", str(out), "--jobs", "2", "--no-check"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "BrokenProcessPool" not in result.output
    assert "crash-always.yaml" in result.output and "SIGKILL" in result.output and "已重试 1 次" in result.output
    assert len(_reports(out)) == 11  # the project that crashed once was retried and is there
    rows = list(load_workbook(out / "summary.xlsx")["汇总"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 12
    assert sum(1 for r in rows if "失败" in r) == 1


def test_a_form_that_hangs_times_out_and_the_rest_are_done(tmp_path: Path, monkeypatch) -> None:
    _write_forms(tmp_path / "forms", 6)
    (tmp_path / "forms" / "p0002.yaml").rename(tmp_path / "forms" / "hang.yaml")
    real = batch._render_file

    def hanging(path: Path, task: batch.Task, options: BatchOptions) -> batch.Done:
        if path.name == "hang.yaml":
            time.sleep(120)
        return real(path, task, options)

    monkeypatch.setattr(batch, "_render_file", hanging)
    out = tmp_path / "out"
    result = run_batch([tmp_path / "forms"], BatchOptions(outdir=out, jobs=2, timeout=4, check=False))
    failed = {Path(r.input).name: r.message for r in result.rows if r.status == "failed"}
    assert list(failed) == ["hang.yaml"]
    assert "处理时间超过 4 秒" in failed["hang.yaml"]
    assert len(_reports(out)) == 5


def test_killing_the_parent_ends_its_workers_and_releases_its_output(tmp_path: Path) -> None:
    _write_forms(tmp_path / "forms", 60)
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "reportgen", "batch", str(tmp_path / "forms"), "-o", str(out),
                             "--jobs", "2", "--no-check"], env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    _wait_for_journal(out, 5, proc)
    workers = _children(proc.pid)
    assert len(workers) == 2
    proc.kill()  # the parent alone, as `kill -9 PID` does
    proc.wait()
    assert proc.stdout is not None
    with proc.stdout:
        proc.stdout.read()  # returns only when no process holds the pipe any more
    deadline = time.monotonic() + 10
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [w for w in workers if _alive(w)]
    # and the lock died with it: the folder can be resumed at once
    resumed = subprocess.run([sys.executable, "-m", "reportgen", "batch", str(tmp_path / "forms"), "-o", str(out),
                              "--jobs", "2", "--no-check", "--resume"], env=ENV, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert len(_reports(out)) == 60


def test_two_batches_into_one_folder_the_second_is_refused(tmp_path: Path) -> None:
    _write_forms(tmp_path / "a", 300)  # long enough to be still running when the second has started up
    _write_forms(tmp_path / "b", 3, start=500)
    out = tmp_path / "out"
    first = subprocess.Popen([sys.executable, "-m", "reportgen", "batch", str(tmp_path / "a"), "-o", str(out),
                              "--jobs", "2", "--no-check"], env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True)
    _wait_for_journal(out, 3, first)  # type: ignore[arg-type]
    second = subprocess.run([sys.executable, "-m", "reportgen", "batch", str(tmp_path / "b"), "-o", str(out)],
                            env=ENV, capture_output=True, text=True)
    assert second.returncode == 2
    assert "另一个批量任务正在向这个文件夹输出" in second.stdout + second.stderr
    assert f"进程 {first.pid}" in second.stdout + second.stderr
    assert "Traceback" not in second.stdout + second.stderr
    output, _ = first.communicate(timeout=300)
    assert first.returncode == 0, output
    assert len(_reports(out)) == 300  # the first run lost nothing to the second
    assert len(list(load_workbook(out / "summary.xlsx")["汇总"].iter_rows(min_row=2))) == 300


def test_the_lock_is_held_for_the_whole_run(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with batch_output.OutputFolder(out), pytest.raises(UsageError) as caught:
        run_batch([tmp_path], BatchOptions(outdir=out, jobs=1, timeout=0))
    assert f"进程 {os.getpid()}" in str(caught.value)


@pytest.mark.parametrize(("code", "words"), [(errno.ENOSPC, "磁盘空间不足"), (errno.EROFS, "只读")])
def test_disk_full_or_read_only_names_the_report_and_goes_on(tmp_path: Path, monkeypatch, code: int, words: str) -> None:  # noqa: ANN001
    _write_forms(tmp_path / "forms", 4)
    victim = synthetic_form(2)["project"]
    real = overwrite.atomic_write

    def failing(path: Path, data: bytes | str) -> None:
        if victim in path.name and path.suffix == ".docx":
            raise OSError(code, os.strerror(code), str(path.with_name(".tmp123.part")))
        real(path, data)

    monkeypatch.setattr(overwrite, "atomic_write", failing)
    out = tmp_path / "out"
    result = run_batch([tmp_path / "forms"], BatchOptions(outdir=out, formats=("md", "docx"), jobs=1, timeout=0))
    failed = [r for r in result.rows if r.status == "failed"]
    assert len(failed) == 1
    assert f"无法写入报告“{failed[0].name}”" in failed[0].message and words in failed[0].message
    assert ".part" not in failed[0].message and "--resume" in failed[0].message
    assert victim in failed[0].name
    assert not [p for p in out.rglob("*") if victim in p.name]  # none of its files half there
    assert len(_reports(out, ".docx")) == len(_reports(out, ".md")) == 3


def test_output_files_respect_the_umask(tmp_path: Path) -> None:
    _write_forms(tmp_path / "forms", 2)
    old = os.umask(0o002)
    fsutil._file_mode.cache_clear()
    try:
        run_batch([tmp_path / "forms"], BatchOptions(outdir=tmp_path / "out", jobs=1, timeout=0))
    finally:
        os.umask(old)
        fsutil._file_mode.cache_clear()
    files = [p for p in (tmp_path / "out").rglob("*") if p.is_file() and not p.name.startswith(".")]
    assert files and all(p.stat().st_mode & 0o777 == 0o664 for p in files), [oct(p.stat().st_mode) for p in files]
    assert not (tmp_path / "out" / ".claims").exists()
