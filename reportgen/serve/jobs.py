"""The 批量生成 tab's batches: ``reportgen batch``'s own ``run_batch`` in a separate process.

A batch runs in a spawned process (so the page stays responsive and the batch may use every
core); its progress callback appends one JSON line per finished input to a file in the session's
workspace, which the page polls. When it ends, the output folder is zipped for download.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import zipfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from reportgen.batch.run import BatchOptions

PROGRESS = "progress.jsonl"
STATUS_LABEL = {"ok": "完成", "check-failed": "完成（检查未通过）", "failed": "失败", "kept": "未覆盖", "skipped": "跳过"}


def _child(inputs: list[str], options: BatchOptions, progress_file: str, input_root: str) -> None:
    """The batch process: run the batch, reporting each finished input (runs in a spawned process)."""
    from reportgen.batch.run import run_batch

    root = Path(input_root)
    with open(progress_file, "a", encoding="utf-8") as log:

        def say(record: dict[str, Any]) -> None:
            log.write(json.dumps(record, ensure_ascii=False) + "\n")
            log.flush()

        def progress(done: int, total: int, row: Any) -> None:
            say({"done": done, "total": total, "row": _row(asdict(row), root, options.outdir) if row else None})

        try:
            result = run_batch([Path(p) for p in inputs], options, progress)
            rows = [_row(asdict(r), root, options.outdir) for r in result.rows]
            say({"finished": True, "rows": rows, "elapsed": round(result.elapsed, 1)})
        except Exception as exc:  # noqa: BLE001 - the page shows why the batch stopped, never a traceback
            message = str(exc) if hasattr(exc, "kind") else f"{type(exc).__name__}: {exc}"
            say({"finished": True, "error": message})


def _row(row: dict[str, Any], root: Path, outdir: Path) -> dict[str, Any]:
    """A summary row as the page shows it: file names relative to the upload, not workspace paths."""

    def rel(p: str, base: Path) -> str:
        try:
            return Path(p).relative_to(base).as_posix()
        except ValueError:
            return Path(p).name

    message = row.get("message", "")
    for base in (root, outdir):
        message = message.replace(str(base) + os.sep, "")
    return {
        "input": rel(row["input"], root),
        "project": row.get("project", ""),
        "unit": row.get("unit", ""),
        "status": row.get("status", ""),
        "status_label": STATUS_LABEL.get(row.get("status", ""), row.get("status", "")),
        "total": row.get("total", ""),
        "grade": row.get("grade", ""),
        "placeholders": row.get("placeholders", 0),
        "message": message,
        "where": rel(row["where"], root) if row.get("where") else "",
        "outputs": [rel(p, outdir) for p in row.get("outputs", [])],
    }


class BatchJob:
    """One batch of one session: its folders, its process, and what it has reported so far."""

    def __init__(self, job_id: str, folder: Path, inputs: list[Path], options: BatchOptions, count: int) -> None:
        self.id = job_id
        self.folder = folder
        self.inputs = inputs
        self.options = options
        self.count = count
        self.progress = folder / PROGRESS
        self.progress.touch()
        ctx = multiprocessing.get_context("spawn")  # the server has threads: never fork it
        self.process = ctx.Process(
            target=_child,
            args=([str(p) for p in inputs], options, str(self.progress), str(folder / "in")),
            daemon=False,  # run_batch starts its own worker pool, which a daemonic process may not; stop() ends it
        )
        self.process.start()
        self._zip: Path | None = None

    def status(self) -> dict[str, Any]:
        done, total, rows, final = 0, self.count, [], None
        for line in self.progress.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line being written
            if record.get("finished"):
                final = record
            else:
                done, total = record["done"], record["total"]
                if record.get("row"):
                    rows.append(record["row"])
        if final is None and not self.process.is_alive():
            final = {"finished": True, "error": "批量生成进程意外退出，请重试"}
        out: dict[str, Any] = {"id": self.id, "done": done, "total": total, "rows": rows, "finished": final is not None}
        if final is not None:
            if "rows" in final:
                out["rows"] = final["rows"]
                out["done"] = out["total"] = len({r["input"] for r in final["rows"]})
            out["error"] = final.get("error", "")
            out["elapsed"] = final.get("elapsed")
            rows_all = out["rows"]
            out["counts"] = {
                "ok": sum(1 for r in rows_all if r["status"] == "ok"),
                "check_failed": sum(1 for r in rows_all if r["status"] == "check-failed"),
                "failed": sum(1 for r in rows_all if r["status"] == "failed"),
            }
        return out

    def archive(self) -> Path:
        """The zip of the reports, summary.xlsx and the overview (built once the batch has finished)."""
        if self._zip is None:
            target = self.folder / "reports.zip"
            outdir = self.options.outdir
            with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
                for path in sorted(outdir.rglob("*")):
                    rel = path.relative_to(outdir)
                    if path.is_file() and not any(part.startswith(".") for part in rel.parts):
                        zf.write(path, rel.as_posix())
            self._zip = target
        return self._zip

    def running(self) -> bool:
        """Still producing reports (a process that has reported its end but not yet exited is done)."""
        if not self.process.is_alive():
            return False
        lines = self.progress.read_text(encoding="utf-8").splitlines()
        return not (lines and '"finished": true' in lines[-1])

    def remove(self) -> None:
        """Stop the batch if it still runs and delete its files (uploads, reports, zip)."""
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(5)
