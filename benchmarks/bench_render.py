"""Markdown render time per report after start-up (issue 3 target: ≤ 5 ms on this machine).

Prints, each as the median of repeated runs:
- the seed example's report composed again and again (warm caches),
- distinct synthetic projects (6–30 indicators; nothing cached between them),
- the same synthetic projects with a user template folder (everything sandboxed) as a baseline ratio.

Run: .venv/bin/python benchmarks/bench_render.py [--n 300]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from timing import times_ms

from reportgen import evaluate, load
from reportgen.evaluation.model import SourceMap
from reportgen.loaders.structured import validate_data
from reportgen.narrative import Composer
from reportgen.testing import synthetic_form

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=300, help="synthetic projects")
    args = parser.parse_args()

    t0 = time.perf_counter()
    composer = Composer()
    seed = evaluate(load(ROOT / "examples" / "社会保障专项-2020.yaml"))
    first = times_ms(lambda: composer.compose(seed), 1)[0]
    startup = (time.perf_counter() - t0) * 1000
    seed_ms = times_ms(lambda: composer.compose(seed), 200)

    evaluations = [evaluate(validate_data(synthetic_form(10_000 + i), SourceMap(f"s{i}"))) for i in range(args.n)]
    synth_ms = [times_ms(lambda ev=ev: composer.compose(ev), 1)[0] for ev in evaluations]

    with tempfile.TemporaryDirectory() as user:
        (Path(user) / "README").write_text("empty overlay: forces the sandboxed environment\n")
        sandboxed = Composer(templates=user)
        sandboxed.compose(seed)
        sandbox_ms = [times_ms(lambda ev=ev: sandboxed.compose(ev), 1)[0] for ev in evaluations]

    med_seed, med_synth, med_sandbox = (statistics.median(x) for x in (seed_ms, synth_ms, sandbox_ms))
    print(f"start-up (imports, templates, jieba, first report): {startup:.0f} ms (first report {first:.1f} ms)")
    print(f"seed report, median of {len(seed_ms)}: {med_seed:.2f} ms per report")
    print(f"synthetic projects, median of {len(synth_ms)} distinct: {med_synth:.2f} ms per report "
          f"(p90 {statistics.quantiles(synth_ms, n=10)[-1]:.2f} ms)")
    print(f"same projects with a user template folder (sandboxed): {med_sandbox:.2f} ms "
          f"(ratio {med_sandbox / med_synth:.2f}x)")
    print(f"target ≤ 5 ms per report: {'met' if max(med_seed, med_synth) <= 5 else 'NOT met'}")


if __name__ == "__main__":
    main()
