"""Batch throughput (issue 7): reports per second for Markdown + check and for PDF, --jobs 1 and 2,
against the naive way (one `reportgen render` process per project), in the same run.

Targets on the 2-core machine: 1,000 projects to Markdown + check in ≤ 10 s wall; PDF ≥ 6 reports/s
with 2 jobs; Markdown ≥ 30× faster than the naive loop; peak memory per worker ≤ 250 MB.

With ``--scheduler local:2`` (issue 18) it also runs Markdown+PDF on a Dask LocalCluster beside the local pool
of as many processes, in the same run, and the cluster with 1 and N workers (scaling); target: the cluster
reaches ≥ 90 % of the pool's throughput. ``--only-scheduler`` skips the rest.

Run: .venv/bin/python benchmarks/bench_batch.py [--n 1000] [--pdf 60] [--naive 8] [--scheduler local:2 [--only-scheduler]]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from reportgen.testing import synthetic_form

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "reportgen"]


def _generate(folder: Path, n: int) -> None:
    folder.mkdir(parents=True)
    for i in range(n):
        text = yaml.safe_dump(synthetic_form(100_000 + i), allow_unicode=True, sort_keys=False)
        (folder / f"p{i:05d}.yaml").write_text(text, encoding="utf-8")


def _run(args: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"command failed ({done.returncode}): {' '.join(args)}\n{done.stderr[-2000:]}")
    return elapsed


def _peak_mb() -> float:
    # ru_maxrss of children is the largest resident set any finished child (or grandchild) reached
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1000, help="projects for the Markdown runs")
    parser.add_argument("--pdf", type=int, default=60, help="projects for the PDF runs (0: skip)")
    parser.add_argument("--naive", type=int, default=8, help="projects rendered one process each")
    parser.add_argument("--scheduler", help="also run Markdown+PDF on Dask: local:N (a LocalCluster) or tcp://host:port")
    parser.add_argument("--only-scheduler", action="store_true", help="run only the pool-vs-cluster comparison")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each pool/cluster configuration (median)")
    args = parser.parse_args()
    if args.only_scheduler:
        if not args.scheduler:
            sys.exit("--only-scheduler needs --scheduler")
        with tempfile.TemporaryDirectory() as tmp:
            forms = Path(tmp) / "forms"
            _generate(forms, args.pdf or 60)
            _compare_cluster(Path(tmp), forms, args.scheduler, args.repeat)
        return

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        forms = base / "forms"
        _generate(forms, args.n)
        print(f"{args.n} synthetic projects (6–30 indicators each)")

        results = {}
        for jobs in (1, 2):
            out = base / f"md{jobs}"
            wall = _run([*CLI, "batch", str(forms), "-o", str(out), "--jobs", str(jobs), "--format", "md"])
            results[jobs] = wall
            print(f"Markdown + check, --jobs {jobs}: {wall:.1f} s wall, {args.n / wall:.0f} reports/s")
            shutil.rmtree(out)
        md_peak = _peak_mb()

        naive = []
        single = sorted(forms.glob("*.yaml"))[: args.naive]
        for path in single:
            naive.append(_run([*CLI, "render", str(path), "-o", str(base / "naive")]))
        per_naive = statistics.median(naive)
        best = min(results.values())
        print(f"naive loop (one `reportgen render` process per project): {per_naive:.2f} s per report (median of "
              f"{len(naive)}), {1 / per_naive:.1f} reports/s")
        print(f"batch vs naive: {per_naive / (best / args.n):.0f}x faster (target ≥ 30x)")
        print(f"1,000-project target: {'met' if results[2] * 1000 / args.n <= 10 else 'NOT met'} "
              f"({results[2] * 1000 / args.n:.1f} s projected for 1,000 at --jobs 2)")
        print(f"peak memory of the largest process so far: {md_peak:.0f} MB")

        if args.pdf:
            pdf_forms = base / "pdf-forms"
            pdf_forms.mkdir()
            for path in sorted(forms.glob("*.yaml"))[: args.pdf]:
                shutil.copy(path, pdf_forms / path.name)
            for jobs in (1, 2):
                out = base / f"pdf{jobs}"
                wall = _run([*CLI, "batch", str(pdf_forms), "-o", str(out), "--jobs", str(jobs), "--format", "pdf",
                             "--no-check"])
                print(f"PDF, --jobs {jobs}: {wall:.1f} s wall for {args.pdf}, {args.pdf / wall:.1f} reports/s "
                      f"(target ≥ 6/s at --jobs 2)")
            print(f"peak memory of the largest process (PDF runs included): {_peak_mb():.0f} MB (target ≤ 250 MB)")
            if args.scheduler:
                _compare_cluster(base, pdf_forms, args.scheduler, args.repeat)


def _compare_cluster(base: Path, forms: Path, scheduler: str, repeat: int) -> None:
    """Markdown+PDF (with the check) on the local pool and on Dask, same forms, same run; then 1 → N workers.

    Two figures for each: the rate over the whole wall time (start-up included: what a user waits), and the
    rate once running — the wall time less that of a batch of one project in the same configuration (process
    or cluster start-up, engine preparation, index and overview), which is what a large batch approaches.
    The configurations take turns within each repetition, so a change in the machine's load (other
    programs) falls on all of them alike rather than on whichever ran last.
    """
    n = len(list(forms.glob("*.yaml")))
    workers = int(scheduler.partition(":")[2] or 2) if scheduler.startswith("local") else 2
    single = base / "single"
    single.mkdir(exist_ok=True)
    first = sorted(forms.glob("*.yaml"))[0]
    shutil.copy(first, single / first.name)
    configs = {f"local pool --jobs {workers}": ["--jobs", str(workers)], f"Dask --scheduler {scheduler}":
               ["--scheduler", scheduler]}
    if scheduler.startswith("local"):
        configs |= {"Dask --scheduler local:1": ["--scheduler", "local:1"], "local pool --jobs 1": ["--jobs", "1"]}
    walls: dict[tuple[str, str], list[float]] = {}
    for i in range(repeat):
        for label, extra in configs.items():
            for src in (forms, single):
                out = base / f"cmp-{src.name}-{i}"
                walls.setdefault((label, src.name), []).append(
                    _run([*CLI, "batch", str(src), "-o", str(out), "--format", "md,pdf", *extra]))
                shutil.rmtree(out)
    print(f"Markdown+PDF, {n} projects, median of {repeat} (start-up included, then excluded):")
    rates = {}
    for label in configs:
        whole, start = (statistics.median(walls[(label, s.name)]) for s in (forms, single))
        running = (n - 1) / (whole - start) if whole > start else float("nan")
        rates[label] = (n / whole, running)
        print(f"  {label}: {n / whole:.2f} reports/s over {whole:.1f} s wall; start-up (1 project) {start:.1f} s; "
              f"once running {running:.2f} reports/s")
    pool, cluster = rates[f"local pool --jobs {workers}"], rates[f"Dask --scheduler {scheduler}"]
    print(f"  Dask / pool: {cluster[0] / pool[0]:.0%} with start-up, {cluster[1] / pool[1]:.0%} once running "
          "(target ≥ 90%)")
    if scheduler.startswith("local"):
        one, pool_one = rates["Dask --scheduler local:1"], rates["local pool --jobs 1"]
        print(f"  Dask local:1 / pool --jobs 1: {one[0] / pool_one[0]:.0%} with start-up, "
              f"{one[1] / pool_one[1]:.0%} once running")
        print(f"  scaling 1 → {workers} workers: Dask {cluster[0] / one[0]:.2f}x ({cluster[1] / one[1]:.2f}x once "
              f"running), pool {pool[0] / pool_one[0]:.2f}x ({pool[1] / pool_one[1]:.2f}x) on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
