"""Markdown render time of two source trees, measured alternately in one invocation, and their ratio.

Issue 11 asks that the ledger and provenance not make rendering slower than 1.2× the code before them.
Timings on a shared machine are only meaningful as a ratio measured in the same run, so this runs the same
measurement in a fresh process for each tree, alternating (A B A B …), and prints each tree's median and
the ratio of medians. Each process measures, after start-up and a warm-up report:
- the seed example composed again and again (median of ``--seed-runs``),
- ``--n`` distinct synthetic projects, each composed once (its figures are built inside the compose), after
  ``WARM_UP`` other synthetic projects (so that templates the seed does not use are compiled before), all
  evaluated beforehand and kept alive;
- ``one``: the same projects one at a time, as a batch worker goes: each evaluated (untimed), composed (timed)
  and dropped, so nothing piles up for the cycle collector to walk; and ``evaluate+compose``, both timed.

Run (the old tree checked out at the pre-provenance commit, e.g. ``git worktree add /tmp/old 632f871``):

    .venv/bin/python benchmarks/compare_render.py --old /tmp/old [--new .] [--rounds 5] [--n 300]

``--worker`` is the per-process measurement (it imports ``reportgen`` from the tree it is run in).

Wall time on a shared two-core machine moves with the load; instruction counts do not. ``--callgrind``
counts instructions (callgrind's Ir) instead: it runs one worker per tree under ``valgrind --tool=callgrind``
with collection off, and the worker switches it on around the measured composes only (callgrind's client
requests, through a three-line C helper compiled with gcc against ``valgrind/callgrind.h``), so start-up,
warm-up and evaluating the synthetic forms are not counted. It prints the Ir per compose of the seed
(composed ``--seed-runs`` times) and of ``--n`` distinct synthetic forms, for each tree, and the new/old
ratios. A run of Python under valgrind is some 50× slower, most of it start-up (about 3 minutes of CPU per
tree with the counts below); ``--jobs 2`` runs both trees at once:

    .venv/bin/python benchmarks/compare_render.py --old /tmp/old --callgrind [--seed-runs 20] [--n 20] [--jobs 2]

The old tree's figures do not change: ``--old-ir SEED SYNTHETIC`` reuses them from an earlier run instead of
measuring the old tree again.

``--ablate`` (with ``--callgrind``) measures what provenance itself costs, on the same code, instead of against
a tree written before later issues added statuses, grouping and richer templates. It counts the new tree three
times: as shipped; with the ledger off (``Ledger.active`` records nothing, so no figure is marked and
``resolve`` finds no marks); and with the ledger off and every evaluation's figures built before counting
starts (so neither the ledger nor building the typed figures is counted — an upper bound on their cost,
since without figures the facts would still have to format the values):

    .venv/bin/python benchmarks/compare_render.py --callgrind --ablate [--n 20] [--seed-runs 5] [--jobs 2]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve()
#: synthetic forms composed before measuring (their templates compiled, their lazy imports done)
WARM_UP = 10


# callgrind's client requests (valgrind/callgrind.h): count only between start and stop; dump what was counted
_CALLGRIND_HELPER = """
#include <valgrind/callgrind.h>
void rg_start(void) { CALLGRIND_ZERO_STATS; CALLGRIND_TOGGLE_COLLECT; }
void rg_stop(const char *name) { CALLGRIND_TOGGLE_COLLECT; CALLGRIND_DUMP_STATS_AT(name); }
"""


#: what ``--ablate`` switches off in a worker: nothing, the ledger, or the ledger and building figures
ABLATIONS = ("none", "ledger", "provenance")


def _switch_off_ledger() -> None:
    """Make ``Ledger.active`` set the section without activating the ledger: figures format, unrecorded."""
    from contextlib import contextmanager

    from reportgen.evaluation import figures

    @contextmanager
    def active(self, section, part=""):  # type: ignore[no-untyped-def]
        self.section, self.part = section, part or section
        yield self

    figures.Ledger.active = active  # type: ignore[method-assign]


def worker(n: int, seed_runs: int, helper: str | None = None, ablate: str = "none") -> None:
    """Measure in this process (reportgen from PYTHONPATH) and print one JSON line.

    With ``helper`` (the compiled client requests, under callgrind) compose the same reports untimed, with
    instruction counting on around the seed's composes and then around the synthetic forms'.
    """
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
    if ablate != "none":
        _switch_off_ledger()
    composer = Composer()
    seed = evaluate(load(root / "examples" / "社会保障专项-2020.yaml"))
    composer.compose(seed)
    # a few other synthetic forms first: a template the seed does not use (_singles.md.j2…) is compiled on
    # its first use, once per process, and that is start-up, not the cost of a report
    for i in range(WARM_UP):
        composer.compose(evaluate(validate_data(synthetic_form(20_000 + i), SourceMap(f"w{i}"))))
    evaluations = [evaluate(validate_data(synthetic_form(10_000 + i), SourceMap(f"s{i}"))) for i in range(n)]
    if ablate == "provenance":
        for ev in evaluations:
            ev.figures  # built now, outside the count (a cached property of the evaluation)  # noqa: B018
    if helper is not None:
        import ctypes

        counter = ctypes.CDLL(helper)
        counter.rg_start()
        for _ in range(seed_runs):
            composer.compose(seed)
        counter.rg_stop(b"seed")
        counter.rg_start()
        for ev in evaluations:
            composer.compose(ev)
        counter.rg_stop(b"synthetic")
        print(json.dumps({"root": str(root)}))
        return
    seed_ms = times_ms(lambda: composer.compose(seed), seed_runs)
    synth_ms = [times_ms(lambda ev=ev: composer.compose(ev), 1)[0] for ev in evaluations]
    del evaluations
    # as a batch worker goes: each form evaluated, composed and dropped. Above, the n evaluations stay alive and
    # the figures each compose caches on its evaluation pile up, so the cycle collector's full collections
    # walk all n of them, a cost that grows with n and that no batch pays
    forms = [validate_data(synthetic_form(10_000 + i), SourceMap(f"s{i}")) for i in range(n)]
    one_ms, both_ms = [], []
    for form in forms:
        t0 = time.perf_counter()
        ev = evaluate(form)
        t1 = time.perf_counter()
        composer.compose(ev)
        t2 = time.perf_counter()
        one_ms.append((t2 - t1) * 1000)
        both_ms.append((t2 - t0) * 1000)
        del ev
    print(json.dumps({"root": str(root), "seed": statistics.median(seed_ms), "synthetic": statistics.median(synth_ms),
                      "one": statistics.median(one_ms), "evaluate+compose": statistics.median(both_ms)}))


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


def _check_root(tree: Path, out: str) -> None:
    root = json.loads(out.strip().splitlines()[-1])["root"]
    if Path(root).resolve() != tree.resolve():
        raise SystemExit(f"{tree}: reportgen was imported from {root}, not from the tree")


def instructions(tree: Path, n: int, seed_runs: int, helper: Path, ablate: str = "none") -> dict[str, int]:
    """Instructions (callgrind's Ir) of the seed's composes and of the synthetic forms', in one worker process."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    with tempfile.TemporaryDirectory() as out:
        command = [
            "valgrind", "--tool=callgrind", "--collect-atstart=no", f"--callgrind-out-file={out}/callgrind.out",
            sys.executable, str(HERE), "--worker", "--n", str(n), "--seed-runs", str(seed_runs),
            "--callgrind-helper", str(helper), "--ablate", ablate,
        ]
        run = subprocess.run(command, cwd=tree, env=env, check=True, capture_output=True, text=True)
        _check_root(tree, run.stdout)
        counts: dict[str, int] = {}
        for dump in Path(out).iterdir():  # one file per rg_stop, and one (empty) at exit
            found = re.search(r"^desc: Trigger: Client Request: (\w+)$.*^summary: (\d+)$", dump.read_text(), re.M | re.S)
            if found:
                counts[found[1]] = int(found[2])
    if set(counts) != {"seed", "synthetic"}:
        raise SystemExit(f"{tree}: callgrind wrote no counts for {sorted({'seed', 'synthetic'} - set(counts))}:\n"
                         f"{run.stderr[-2000:]}")
    return counts


def _helper(build: str) -> Path:
    """Compile the callgrind client-request helper into ``build``."""
    helper = Path(build) / "callgrind_helper.so"
    source = Path(build) / "callgrind_helper.c"
    source.write_text(_CALLGRIND_HELPER)
    subprocess.run(["gcc", "-shared", "-fPIC", "-O1", "-o", str(helper), str(source)], check=True)
    return helper


def compare_ablations(tree: Path, n: int, seed_runs: int, jobs: int) -> None:
    """Print the Ir per compose of ``tree`` as shipped and with provenance switched off, and the ratios."""
    with tempfile.TemporaryDirectory() as build:
        helper = _helper(build)
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            counts = list(pool.map(lambda a: instructions(tree, n, seed_runs, helper, a), ABLATIONS))
    per = {a: {"seed": c["seed"] / seed_runs, "synthetic": c["synthetic"] / n} for a, c in zip(ABLATIONS, counts, strict=True)}
    for a in ABLATIONS:
        print(f"{a}: seed {per[a]['seed']:,.0f} Ir, synthetic {per[a]['synthetic']:,.0f} Ir per compose")
    for what, count in (("seed", seed_runs), ("synthetic", n)):
        shipped = per["none"][what]
        print(f"{what}: as shipped / ledger off {shipped / per['ledger'][what]:.3f}x, as shipped / ledger off and "
              f"figures built beforehand {shipped / per['provenance'][what]:.3f}x ({count} composes)")


def compare_instructions(trees: dict[str, Path], n: int, seed_runs: int, jobs: int,
                         known: dict[str, dict[str, float]]) -> None:
    """Print the instructions per compose of each tree (seed and synthetic) and the new/old ratios."""
    per = dict(known)
    with tempfile.TemporaryDirectory() as build:
        helper = _helper(build)
        measured = [name for name in trees if name not in per]
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            counts = list(pool.map(lambda name: instructions(trees[name], n, seed_runs, helper), measured))
    for name, measured_counts in zip(measured, counts, strict=True):
        per[name] = {"seed": measured_counts["seed"] / seed_runs, "synthetic": measured_counts["synthetic"] / n}
    for name in trees:
        where = "given" if name in known else str(trees[name])
        print(f"{name} ({where}): seed {per[name]['seed']:,.0f} Ir, synthetic {per[name]['synthetic']:,.0f} Ir "
              f"per compose")
    for what, count in (("seed", seed_runs), ("synthetic", n)):
        old, new = per["old"][what], per["new"][what]
        print(f"{what}: old {old:,.0f} Ir, new {new:,.0f} Ir per compose, ratio {new / old:.3f}x ({count} composes)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--old", type=Path, help="the reference tree (e.g. the pre-provenance commit)")
    parser.add_argument("--new", type=Path, default=HERE.parent.parent, help="the tree measured (default: this one)")
    parser.add_argument("--rounds", type=int, default=5, help="processes per tree, alternating")
    parser.add_argument("--n", type=int, default=300, help="distinct synthetic projects per process")
    parser.add_argument("--seed-runs", type=int, default=200, help="seed reports per process")
    parser.add_argument("--callgrind", action="store_true",
                        help="count instructions under valgrind instead of timing (use small --n and --seed-runs)")
    parser.add_argument("--jobs", type=int, default=1, help="valgrind processes at once (with --callgrind)")
    parser.add_argument("--old-ir", type=float, nargs=2, metavar=("SEED", "SYNTHETIC"),
                        help="with --callgrind: the old tree's Ir per compose from an earlier run (not measured again)")
    parser.add_argument("--ablate", nargs="?", const="all", choices=("all", *ABLATIONS), default=None,
                        help="with --callgrind: the new tree as shipped against itself with provenance switched off")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--callgrind-helper", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.n, args.seed_runs, args.callgrind_helper, args.ablate or "none")
        return
    if args.ablate:
        if not args.callgrind:
            parser.error("--ablate counts instructions: use it with --callgrind")
        compare_ablations(args.new, args.n, args.seed_runs, args.jobs)
        return
    if args.old is None and not (args.callgrind and args.old_ir):
        parser.error("--old is required (the tree to compare with)")
    if args.callgrind:
        known = {"old": {"seed": args.old_ir[0], "synthetic": args.old_ir[1]}} if args.old_ir else {}
        compare_instructions({"old": args.old or Path("."), "new": args.new}, args.n, args.seed_runs, args.jobs, known)
        return
    results: dict[str, list[dict[str, float]]] = {"old": [], "new": []}
    for r in range(args.rounds):
        for name, tree in (("old", args.old), ("new", args.new)):
            res = measure(tree, args.n, args.seed_runs)
            results[name].append(res)
            print(f"round {r + 1} {name}: seed {res['seed']:.2f} ms, synthetic {res['synthetic']:.2f} ms, one at a time "
                  f"{res['one']:.2f} ms (with evaluate {res['evaluate+compose']:.2f} ms)", flush=True)
    for what in ("seed", "synthetic", "one", "evaluate+compose"):
        old = statistics.median(x[what] for x in results["old"])
        new = statistics.median(x[what] for x in results["new"])
        print(f"{what}: old {old:.2f} ms, new {new:.2f} ms, ratio {new / old:.2f}x (median of {args.rounds} processes each)")


if __name__ == "__main__":
    main()
