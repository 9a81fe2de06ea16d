"""The batch on a Dask cluster (``reportgen[dask]``): the same bytes as the local pool, nothing lost to a dead
worker or a killed client. Every Dask process runs in a session of its own and none may outlive its test."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

from reportgen.testing import synthetic_form

pytest.importorskip("distributed")
psutil = pytest.importorskip("psutil")  # distributed depends on it

ENV = {**os.environ, "PYTHONPATH": str(ROOT), "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1"}
CLI = [sys.executable, "-m", "reportgen", "batch"]
N = 48  # good forms; two broken ones besides
JOURNAL = ".reportgen-batch.jsonl"


def _session(pid: int) -> list[int]:
    """Live processes of the session led by ``pid`` (what a test started, and all they started)."""
    found = []
    for p in psutil.process_iter():
        try:
            if os.getsid(p.pid) == pid and p.status() != psutil.STATUS_ZOMBIE:
                found.append(p.pid)
        except (OSError, psutil.Error):
            continue
    return found


def _end(proc: subprocess.Popen) -> None:
    """Stop a process started with start_new_session=True and everything it started; assert none is left."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(30)
    deadline = time.monotonic() + 15
    while _session(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _session(proc.pid), "a Dask process outlived its test"


def _run(args: list[str], **kw: object) -> subprocess.CompletedProcess:
    proc = subprocess.Popen([*CLI, *args], env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True, **kw)  # type: ignore[call-overload]
    try:
        out, _ = proc.communicate(timeout=600)
    finally:
        _end(proc)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, "")


def _outputs(out: Path) -> dict[str, bytes]:
    """Every report file and the overview, by path relative to the output folder."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in out.rglob("*")
        if p.is_file() and not p.name.startswith(".") and p.suffix != ".xlsx" and p.name != "summary.md"
    }


@pytest.fixture(scope="module")
def forms(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    """~50 forms (two of them broken) and what the local pool makes of them, with PDF."""
    base = tmp_path_factory.mktemp("dask")
    src = base / "forms"
    src.mkdir()
    for i in range(N):
        data = synthetic_form(7000 + i)
        data["unit"] = "同一单位"  # one unit: files stay where they were first written, so times can be compared
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        (src / f"p{i:03d}.yaml").write_text(text, encoding="utf-8")
    (src / "bad.yaml").write_text("project: [\n", encoding="utf-8")
    (src / "neg.yaml").write_text("project: 负分值\nindicators:\n  - {name: 甲, weight: -1}\n", encoding="utf-8")
    pool = base / "pool"
    done = _run([str(src), "-o", str(pool), "--jobs", "2", "--format", "md,pdf"])
    assert done.returncode == 1, done.stdout
    outputs = _outputs(pool)
    assert sum(1 for name in outputs if name.endswith(".pdf")) == N + 1  # and the overview
    return src, outputs


def _assert_same_as_pool(out: Path, pool: dict[str, bytes], stdout: str, *, resumed: bool = False) -> None:
    got = _outputs(out)
    if resumed:  # the overview of a resumed run says how many were up to date: it differs, rightly
        pool = {k: v for k, v in pool.items() if not k.startswith("overview.")}
        got = {k: v for k, v in got.items() if not k.startswith("overview.")}
    assert sorted(got) == sorted(pool)
    differ = [name for name in pool if got[name] != pool[name]]
    assert not differ, differ[:5]
    assert "失败 2 个" in stdout and "bad.yaml" in stdout and "neg.yaml:3" in stdout, stdout
    assert "Traceback" not in stdout


def test_a_local_cluster_gives_the_pool_s_bytes(forms: tuple[Path, dict[str, bytes]], tmp_path: Path) -> None:
    src, pool = forms
    out = tmp_path / "out"
    done = _run([str(src), "-o", str(out), "--format", "md,pdf", "--scheduler", "local:2"])
    assert done.returncode == 1, done.stdout
    _assert_same_as_pool(out, pool, done.stdout)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def cluster() -> Iterator[tuple[str, subprocess.Popen]]:
    """``dask scheduler`` and ``dask worker`` (two processes) as separate programs on 127.0.0.1."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    dask = str(Path(sys.executable).with_name("dask"))  # the `dask` command the extra installs
    quiet = {"env": ENV, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "start_new_session": True}
    scheduler = subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                                 **quiet)
    worker = subprocess.Popen([dask, "worker", address, "--nworkers", "2", "--nthreads", "1", "--host", "127.0.0.1",
                               "--no-dashboard"], **quiet)
    try:
        yield address, worker
    finally:
        _end(worker)
        _end(scheduler)


def _journaled(out: Path) -> dict[str, list[int]]:
    """Inputs the journal says are done, with the modification times of their files (torn lines skipped)."""
    done = {}
    for line in (out / JOURNAL).read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue  # the line the kill tore
        rows = record["rows"]
        if all(row["outputs"] for row in rows):
            # a rename keeps a file's time: a name settled at the end (two projects alike) does not hide a redo
            done[rows[0]["input"]] = [Path(name).stat().st_mtime_ns for row in rows for name in row["outputs"]]
    return done


def _wait(out: Path, lines: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        journal = out / JOURNAL
        if journal.exists() and journal.read_text(encoding="utf-8").count("\n") >= lines:
            return
        assert proc.poll() is None, "the batch ended before it could be interrupted"
        time.sleep(0.05)
    pytest.fail("the batch made no progress")


def test_separate_scheduler_and_workers_survive_a_dead_worker_and_a_killed_client(
    forms: tuple[Path, dict[str, bytes]], cluster: tuple[str, subprocess.Popen], tmp_path: Path
) -> None:
    src, pool = forms
    address, worker = cluster
    out = tmp_path / "out"
    args = [str(src), "-o", str(out), "--format", "md,pdf", "--scheduler", address]
    client = subprocess.Popen([*CLI, *args], env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    try:
        _wait(out, 4, client)
        spawned = [p for p in psutil.Process(worker.pid).children(recursive=True)
                   if "resource_tracker" not in " ".join(p.cmdline())]
        assert len(spawned) == 2, [p.cmdline() for p in spawned]
        spawned[0].kill()  # a worker dies mid-task: its task goes to the other one
        _wait(out, 14, client)
    finally:
        _end(client)  # kill -9 of the client mid-run
    finished = _journaled(out)
    assert 0 < len(finished) < N

    resumed = _run([*args, "--resume"])
    assert resumed.returncode == 1, resumed.stdout
    assert f"跳过 {len(finished)} 个" in resumed.stdout, resumed.stdout
    # what was finished before the kill was not made again
    after = _journaled(out)
    assert {name: after[name] for name in finished} == finished
    _assert_same_as_pool(out, pool, resumed.stdout, resumed=True)


@pytest.mark.parametrize("where", ["client", "workers"])
def test_on_the_cluster_an_edited_report_is_kept_until_force(tmp_path: Path, where: str) -> None:
    """The overwrite record holds on the Dask path too, whether the client writes the bytes or the workers do
    (--write-on-workers: the client moves their files into place through reportgen.overwrite)."""
    src, out = tmp_path / "forms", tmp_path / "out"
    src.mkdir()
    for i in range(6):
        data = synthetic_form(7100 + i)
        data["unit"] = "同一单位"
        (src / f"q{i}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    args = [str(src), "-o", str(out), "--format", "md,pdf", "--no-check", "--scheduler", "local:2",
            *(["--write-on-workers"] if where == "workers" else [])]
    assert _run(args).returncode == 0
    made = _outputs(out)
    md = next(name for name in sorted(made) if name.endswith(".md") and not name.startswith("overview"))
    pdf = next(name for name in sorted(made, reverse=True) if name.endswith(".pdf") and not name.startswith("overview"))
    edited = {md: made[md] + "\n补充说明。\n".encode(), pdf: made[pdf] + b"\n"}
    for name, data in edited.items():
        (out / name).write_bytes(data)
    kept = _run(args)
    assert kept.returncode == 1, kept.stdout
    text = " ".join(kept.stdout.split())
    assert "未覆盖 2 个" in text and "--force" in text, kept.stdout
    assert all(f"{Path(name).name} 在上次生成后被修改过" in text for name in edited), kept.stdout
    now = _outputs(out)
    assert {k: v for k, v in now.items() if not k.startswith("overview")} == {
        **{k: v for k, v in made.items() if not k.startswith("overview")}, **edited}
    forced = _run([*args, "--force"])
    assert forced.returncode == 0, forced.stdout
    assert _outputs(out) == made


def test_writing_on_workers_gives_the_same_bytes_and_survives_a_killed_client(
    forms: tuple[Path, dict[str, bytes]], tmp_path: Path
) -> None:
    """--write-on-workers (this machine is the shared file system): workers write each file atomically into
    OUT/.incoming, the client moves it into place and journals it; a kill -9 of the client and --resume
    leave the pool's bytes, nothing redone, nothing half written, and a record for every report."""
    from reportgen import overwrite

    src, pool = forms
    out = tmp_path / "out"
    args = [str(src), "-o", str(out), "--format", "md,pdf", "--scheduler", "local:2", "--write-on-workers"]
    client = subprocess.Popen([*CLI, *args], env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    try:
        _wait(out, 8, client)
    finally:
        _end(client)  # kill -9 of the client (and its LocalCluster) mid-run
    finished = _journaled(out)
    assert 0 < len(finished) < N
    resumed = _run([*args, "--resume"])
    assert resumed.returncode == 1, resumed.stdout
    assert f"跳过 {len(finished)} 个" in resumed.stdout, resumed.stdout
    after = _journaled(out)
    assert {name: after[name] for name in finished} == finished
    _assert_same_as_pool(out, pool, resumed.stdout, resumed=True)
    assert not (out / ".incoming").exists() and not list(out.rglob("*.part")) and not list(out.rglob("*.moving"))
    for name, data in pool.items():
        if name.endswith(".pdf") and not name.startswith("overview"):
            stem = name.removesuffix(".pdf")
            assert overwrite.read_record(out, stem)[name] == [overwrite.digest(data)]


HANG = """
# a Dask worker preload (tests only): one project's layout never ends, in pure Python
from reportgen.batch import worker as batch

_real = batch.__dict__.setdefault("_unpatched_render_form", batch._render_form)  # (preloads may run twice)


def _render_form(form, task, options):
    if form.project == "卡住的项目":
        while True:
            pass
    return _real(form, task, options)


batch._render_form = _render_form
"""


def test_on_the_cluster_a_workbook_is_a_task_per_project_and_a_stuck_one_times_out(tmp_path: Path) -> None:
    from test_batch_split import NAMES, workbook

    src = tmp_path / "forms"
    src.mkdir()
    workbook(src / "五个项目.xlsx", NAMES)
    for i in range(2):
        data = synthetic_form(7200 + i)
        data["unit"] = "同一单位"
        (src / f"r{i}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    common = ["--format", "md,pdf", "--no-check"]
    pool_out = tmp_path / "pool"
    assert _run([str(src), "-o", str(pool_out), "--jobs", "2", *common]).returncode == 1  # the bad sheet
    pool = _outputs(pool_out)
    preload = tmp_path / "hang_preload.py"
    preload.write_text(HANG, encoding="utf-8")
    out = tmp_path / "out"
    started = time.monotonic()
    # 20 s: a real project takes about a second here, but several times that when other processes share the two
    # cores (a tighter bound timed out the ordinary projects too under load)
    proc = subprocess.Popen([*CLI, str(src), "-o", str(out), *common, "--scheduler", "local:2", "--timeout", "20"],
                            env={**ENV, "DASK_DISTRIBUTED__WORKER__PRELOAD": json.dumps([str(preload)])},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        stdout, _ = proc.communicate(timeout=300)
    finally:
        _end(proc)
    assert time.monotonic() - started < 200
    assert proc.returncode == 1, stdout
    text = " ".join(stdout.split())
    assert "失败 2 个" in text and "“卡住的项目”：处理时间超过 20 秒" in text and "坏表!H12" in text, stdout
    got = _outputs(out)
    stuck = {name for name in pool if "卡住的项目" in name}
    assert len(stuck) == 4  # its Markdown, PDF, sources and overwrite record, made by the pool
    same = {k: v for k, v in pool.items() if k not in stuck and not k.startswith("overview")}
    assert {k: v for k, v in got.items() if not k.startswith("overview")} == same
    lines = [json.loads(line) for line in (out / JOURNAL).read_text(encoding="utf-8").splitlines()]
    book = [line for line in lines if line["rows"][0]["input"].endswith("五个项目.xlsx")]
    assert [line["count"] for line in book] == [6] and len(book[0]["rows"]) == 6


def _flat(tree: dict, prefix: str = "") -> dict:
    out: dict = {}
    for key, value in tree.items():
        if isinstance(value, dict) and key != "pre-spawn-environ":
            out.update(_flat(value, f"{prefix}{key}."))
        elif isinstance(value, dict):
            out.update({f"{prefix}{key}.{k}": v for k, v in value.items()})
        else:
            out[f"{prefix}{key}"] = value
    return out


def test_the_documented_worker_configuration_is_the_one_local_clusters_use() -> None:
    """docs/batch.md's dask-worker.yaml, read by Dask, gives exactly LOCAL_WORKERS; the nanny then sets no
    MALLOC_TRIM_THRESHOLD_ (the point of that entry) — read back through distributed's own function."""
    import dask
    from distributed.nanny import _get_env_variables

    from reportgen.batch.cluster import LOCAL_WORKERS

    text = (ROOT / "docs" / "batch.md").read_text(encoding="utf-8")
    blocks = [b.split("```", 1)[0] for b in text.split("```yaml\n")[1:]]
    block = next(b for b in blocks if b.startswith("# reportgen 的 Dask worker"))
    assert _flat(yaml.safe_load(block)) == LOCAL_WORKERS
    with dask.config.set(LOCAL_WORKERS):
        assert "MALLOC_TRIM_THRESHOLD_" not in _get_env_variables("distributed.nanny.pre-spawn-environ")
        assert dask.config.get("distributed.worker.profile.enabled") is False
