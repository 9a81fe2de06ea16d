"""Markdown render time of two source trees, measured alternately in one invocation, and their ratio.

Issue 11 asks that the ledger and provenance not make rendering slower than 1.2× the code before them.
Timings on a shared machine are only meaningful as a ratio measured in the same run, so this runs the same
measurement in a fresh process for each tree, alternating (A B A B …), and prints each tree's median and
the ratio of medians. Each process measures, after start-up and a warm-up report:
- the seed example composed again and again (median of ``--seed-runs``),
- ``--n`` distinct synthetic projects, each composed once (its figures are built inside the compose).

Run (the old tree checked out at the pre-provenance commit, e.g. ``git worktree add /tmp/old 632f871``):

    .venv/bin/python benchmarks/compare_render.py --old /tmp/old [--new .] [--rounds 5] [--n 300]

``--worker`` is the per-process measurement (it imports ``reportgen`` from the tree it is run in).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve()


def worker(n: int, seed_runs: int) -> None:
    """Measure in this process (reportgen from PYTHONPATH) and print one JSON line."""
    sys.path.insert(0, str(HERE.parent))
    from timing import times_ms

    import reportgen
    from reportgen import evaluate, load
    from reportgen.loaders.structured import validate_data
    from reportgen.narrative import Composer

    try:  # the stage layout (5ca2ef7 on)
        from reportgen.evaluation.model import SourceMap
        from reportgen.testing import synthetic_form
    except ImportError:  # the flat layout of the reference commit 632f871 (same synthetic forms)
        from reportgen.model import SourceMap  # type: ignore[no-redef]
        from reportgen.synthetic import synthetic_form  # type: ignore[no-redef]

    root = Path(reportgen.__file__).resolve().parent.parent
    composer = Composer()
    seed = evaluate(load(root / "examples" / "社会保障专项-2020.yaml"))
    composer.compose(seed)
    seed_ms = times_ms(lambda: composer.compose(seed), seed_runs)
    evaluations = [evaluate(validate_data(synthetic_form(10_000 + i), SourceMap(f"s{i}"))) for i in range(n)]
    synth_ms = [times_ms(lambda ev=ev: composer.compose(ev), 1)[0] for ev in evaluations]
    print(json.dumps({"root": str(root), "seed": statistics.median(seed_ms), "synthetic": statistics.median(synth_ms)}))


def measure(tree: Path, n: int, seed_runs: int) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run(
        [sys.executable, str(HERE), "--worker", "--n", str(n), "--seed-runs", str(seed_runs)],
        cwd=tree, env=env, check=True, capture_output=True, text=True,
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    if Path(result["root"]).resolve() != tree.resolve():
        raise SystemExit(f"{tree}: reportgen was imported from {result['root']}, not from the tree")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--old", type=Path, help="the reference tree (e.g. the pre-provenance commit)")
    parser.add_argument("--new", type=Path, default=HERE.parent.parent, help="the tree measured (default: this one)")
    parser.add_argument("--rounds", type=int, default=5, help="processes per tree, alternating")
    parser.add_argument("--n", type=int, default=300, help="distinct synthetic projects per process")
    parser.add_argument("--seed-runs", type=int, default=200, help="seed reports per process")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.n, args.seed_runs)
        return
    if args.old is None:
        parser.error("--old is required (the tree to compare with)")
    results: dict[str, list[dict[str, float]]] = {"old": [], "new": []}
    for r in range(args.rounds):
        for name, tree in (("old", args.old), ("new", args.new)):
            res = measure(tree, args.n, args.seed_runs)
            results[name].append(res)
            print(f"round {r + 1} {name}: seed {res['seed']:.2f} ms, synthetic {res['synthetic']:.2f} ms", flush=True)
    for what in ("seed", "synthetic"):
        old = statistics.median(x[what] for x in results["old"])
        new = statistics.median(x[what] for x in results["new"])
        print(f"{what}: old {old:.2f} ms, new {new:.2f} ms, ratio {new / old:.2f}x (median of {args.rounds} processes each)")


if __name__ == "__main__":
    main()
