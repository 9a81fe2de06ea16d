"""PDF time per report of two source trees, measured alternately in one invocation, and their ratio.

Issue 16 asks that the PDF stay within the benchmark target; on a shared machine whose speed
changes from day to day that is only meaningful against a reference measured in the same run.
This runs each tree's own ``benchmarks/bench_pdf.py --worker reportgen`` (PdfRenderer as that
tree ships it, in a fresh process with ``PYTHONPATH`` and working directory set to the tree),
alternating A B A B …, and prints each tree's median per-report wall and CPU time (after the
first document), its pages, and the ratio new / old. CPU time is the figure to judge by: it moves
least with the load of other processes.

Run (the reference tree checked out e.g. with ``git worktree add /tmp/old 632f871``):

    .venv/bin/python benchmarks/compare_pdf.py --compare /tmp/old [--new .] [--rounds 3] [--runs 6]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def measure(tree: Path, runs: int, form: Path | None) -> dict[str, float]:
    """One fresh process of ``tree``'s PDF worker; its figures as bench_pdf prints them."""
    cmd = [sys.executable, str(tree / "benchmarks" / "bench_pdf.py"), "--worker", "reportgen", "--runs", str(runs)]
    if form is not None:
        cmd += ["--form", str(form)]
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=tree, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{tree}: the PDF worker failed\n{done.stderr}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", type=Path, required=True, metavar="OLD_TREE", help="the reference source tree")
    parser.add_argument("--new", type=Path, default=ROOT, help="the tree to measure (default: this one)")
    parser.add_argument("--rounds", type=int, default=3, help="processes per tree, alternating (default 3)")
    parser.add_argument("--runs", type=int, default=6, help="documents after the first in each process (default 6)")
    parser.add_argument("--form", type=Path, help="form to render (default: each tree's seed example)")
    args = parser.parse_args()
    trees = {"new": args.new.resolve(), "old": args.compare.resolve()}
    samples: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
    for _ in range(args.rounds):
        for name, tree in trees.items():
            samples[name].append(measure(tree, args.runs, args.form))

    print(f"rounds: {args.rounds} × (1 + {args.runs}) documents per tree, alternating")
    print(f"{'tree':<5}{'wall s':>9}{'cpu s':>8}{'pages':>7}  path")
    medians: dict[str, tuple[float, float]] = {}
    for name, tree in trees.items():
        wall = statistics.median(s["median_wall"] for s in samples[name])
        cpu = statistics.median(s["median_cpu"] for s in samples[name])
        medians[name] = (wall, cpu)
        print(f"{name:<5}{wall:>9.3f}{cpu:>8.3f}{int(samples[name][-1]['pages']):>7}  {tree}")
    (new_wall, new_cpu), (old_wall, old_cpu) = medians["new"], medians["old"]
    print(f"new / old: cpu ×{new_cpu / old_cpu:.2f}, wall ×{new_wall / old_wall:.2f}")


if __name__ == "__main__":
    main()
