"""Measure the PDF stage: the first document in a process, the median of the following ones, pages, size, memory.

Usage:  .venv/bin/python benchmarks/bench_pdf.py [--runs N] [--form FILE] [--cover] [--depth N]

Each configuration runs in a fresh process (so "first document" and peak memory mean something):

  reportgen     PdfRenderer as shipped: one FontConfiguration and compiled CSS, fonts pre-subset
                to GB2312 (cached on disk), fixed table layout
  no-presubset  the same renderer on the full system font files
  naive         the baseline: WeasyPrint called afresh per document on the standalone HTML, as a
                straightforward integration would (new font configuration, CSS parsed each time)

Figures: wall and CPU seconds (CPU time is steadier on a shared machine), pages, bytes, and peak
RSS of the process (which includes composing the report: jieba and the narrative). Target from
issue 5: ≤ 0.3 s per report after the first, ≤ 250 MB per process.

``--depth N`` renders from N extra Python frames. Before the renderer called WeasyPrint with stack
room (pdf._with_stack_room) the timings moved by up to a quarter with the caller's depth; they
should now stay put, which this option checks.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "社会保障专项-2020.yaml"
CONFIGS = ("reportgen", "no-presubset", "naive")


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _at_depth(depth: int, fn: Callable[[], bytes]) -> bytes:
    return fn() if depth <= 0 else _at_depth(depth - 1, fn)


def worker(config: str, form: Path, runs: int, cover: bool, depth: int = 0) -> dict[str, object]:
    """Run one configuration in this process and return its figures."""
    started = time.perf_counter()
    from reportgen.evaluation.scoring import evaluate
    from reportgen.loaders import load
    from reportgen.narrative import compose

    report = compose(evaluate(load(form)))
    composed_rss = _rss_mb()

    if config == "naive":
        import weasyprint

        from reportgen.renderers.html import render_html

        def render() -> bytes:
            return weasyprint.HTML(string=render_html(report, cover=cover)).write_pdf()
    else:
        from reportgen.renderers.pdf import PdfRenderer

        renderer = PdfRenderer(presubset=config == "reportgen")

        def render() -> bytes:
            return renderer.render(report, cover=cover)

    ready = time.perf_counter()
    wall, cpu = [], []
    pdf = b""
    for _ in range(runs + 1):
        t, c = time.perf_counter(), time.process_time()
        pdf = _at_depth(depth, render)
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    import io

    from pypdf import PdfReader  # dev dependency; only to count pages

    return {
        "config": config,
        "setup": ready - started,
        "first_wall": wall[0],
        "first_cpu": cpu[0],
        "median_wall": statistics.median(wall[1:]),
        "median_cpu": statistics.median(cpu[1:]),
        "pages": len(PdfReader(io.BytesIO(pdf)).pages),
        "bytes": len(pdf),
        "rss_composed": composed_rss,
        "rss_peak": _rss_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="documents after the first (default 10)")
    parser.add_argument("--form", type=Path, default=SEED, help="form to render (default: the seed form)")
    parser.add_argument("--cover", action="store_true", help="render with a cover page")
    parser.add_argument("--configs", default=",".join(CONFIGS), help=f"comma-separated subset of {CONFIGS}")
    parser.add_argument("--depth", type=int, default=0, help="render from this many extra Python frames")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.form, args.runs, args.cover, args.depth)))
        return

    results = []
    for config in args.configs.split(","):
        cmd = [sys.executable, __file__, "--worker", config, "--runs", str(args.runs), "--form", str(args.form),
               "--depth", str(args.depth)]
        if args.cover:
            cmd.append("--cover")
        done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
        if done.returncode != 0:
            print(f"{config}: failed\n{done.stderr}", file=sys.stderr)
            continue
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))

    print(f"form: {args.form.name}  runs: 1 + {args.runs}  cover: {args.cover}  depth: {args.depth}")
    header = (f"{'config':<13}{'setup s':>8}{'first s':>9}{'(cpu)':>7}{'median s':>10}{'(cpu)':>7}"
              f"{'pages':>7}{'KB':>7}{'RSS MB':>8}")
    print(header)
    for r in results:
        print(f"{r['config']:<13}{r['setup']:>8.2f}{r['first_wall']:>9.3f}{r['first_cpu']:>7.3f}"
              f"{r['median_wall']:>10.3f}{r['median_cpu']:>7.3f}{r['pages']:>7}{r['bytes'] / 1024:>7.0f}"
              f"{r['rss_peak']:>8.0f}")
    by_name = {r["config"]: r for r in results}
    if "reportgen" in by_name:
        ours = by_name["reportgen"]
        for other in ("no-presubset", "naive"):
            if other in by_name:
                base = by_name[other]
                print(f"{other} / reportgen: median wall ×{base['median_wall'] / ours['median_wall']:.2f}, "
                      f"cpu ×{base['median_cpu'] / ours['median_cpu']:.2f}, size ×{base['bytes'] / ours['bytes']:.2f}, "
                      f"RSS ×{base['rss_peak'] / ours['rss_peak']:.2f}")
        per_page = ours["median_wall"] / ours["pages"]
        print(f"reportgen: {per_page * 1000:.0f} ms per page after the first document "
              f"(composing alone peaks at {ours['rss_composed']:.0f} MB)")


if __name__ == "__main__":
    main()
