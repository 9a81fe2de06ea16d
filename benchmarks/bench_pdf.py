"""Measure the PDF stage: the first document in a process, the median of the following ones, pages, size, memory.

Usage:  .venv/bin/python benchmarks/bench_pdf.py [--runs N] [--form FILE] [--cover] [--depth N] [--phases]

Each configuration runs in a fresh process (so "first document" and peak memory mean something):

  reportgen     PdfRenderer as shipped: one FontConfiguration and compiled CSS, fonts pre-subset
                to GB2312 (cached on disk), fixed table layout
  no-presubset  the same renderer on the full system font files
  naive         the baseline: WeasyPrint called afresh per document on the standalone HTML, as a
                straightforward integration would (new font configuration, CSS parsed each time)

Figures: wall and CPU seconds (CPU time is steadier on a shared machine), pages, bytes, and peak
RSS of the process (which includes composing the report: jieba and the narrative). Target from
issue 5: ≤ 0.3 s per report after the first, ≤ 250 MB per process.

``--phases`` also prints, for the shipped renderer, where each document's CPU time goes after the
first (median per phase over the runs, one fresh process): building the HTML, WeasyPrint's HTML
parse, style cascade, box tree, layout, the group-label pass, drawing the pages, font subsetting,
the rest of the font dictionaries, font compression (our finisher), writing the file (object
serialisation and stream compression), and the garbage collector (taken out of the phase it
interrupted).

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
from typing import Any

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


PHASES = ("html build", "html parse", "styles", "boxes", "layout", "group labels", "draw pages",
          "font subset", "font dicts", "font deflate", "pdf write", "gc")


def phases_worker(form: Path, runs: int, cover: bool) -> dict[str, object]:
    """CPU milliseconds per phase of each document after the first (medians), in this process.

    The phases are timed by wrapping the functions WeasyPrint 70 calls for them; nested phases
    are reported without their parts (draw pages excludes the font dictionaries, which exclude
    subsetting), so the phases add up to the document's time.
    """
    import gc

    from reportgen.evaluation.scoring import evaluate
    from reportgen.loaders import load
    from reportgen.narrative import compose
    from reportgen.renderers import pdf as rpdf

    report = compose(evaluate(load(form)))
    renderer = rpdf.PdfRenderer()
    import weasyprint
    import weasyprint.document as wdoc
    import weasyprint.pdf as wpdf
    import weasyprint.pdf.fonts as wfonts

    spent: dict[str, float] = {}
    stack: list[float] = []  # CPU time of the inner phases, to subtract from the outer one

    def timed(label: str, fn: Callable[..., object]) -> Callable[..., object]:
        def wrapper(*args: object, **kwargs: object) -> object:
            stack.append(0.0)
            start = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                elapsed = time.process_time() - start
                inner = stack.pop()
                spent[label] = spent.get(label, 0.0) + elapsed - inner
                if stack:
                    stack[-1] += elapsed
        return wrapper

    def patch(owner: object, name: str, label: str) -> None:
        setattr(owner, name, timed(label, getattr(owner, name)))

    # the renderer looks these up in its own module (or on itself) at each call
    for name in ("parse_markdown", "print_body", "html_document"):
        patch(rpdf, name, "html build")
    patch(renderer, "_check_glyphs", "html build")
    patch(rpdf, "show_group_labels", "group labels")
    patch(rpdf, "_deflate_fonts_fast", "font deflate")
    patch(weasyprint.HTML, "__init__", "html parse")
    patch(weasyprint.HTML, "render", "layout")  # less the styles and boxes inside it
    build_context = wdoc.Document._build_layout_context.__func__
    wdoc.Document._build_layout_context = classmethod(timed("styles", build_context))
    patch(wdoc, "build_formatting_structure", "boxes")
    patch(wdoc.Document, "write_pdf", "pdf write")  # less drawing and fonts: serialising, compressing
    patch(wdoc, "generate_pdf", "draw pages")  # less the font dictionaries
    patch(wpdf, "build_fonts_dictionary", "font dicts")  # less subsetting
    patch(wfonts.Font, "subset", "font subset")

    collecting: list[float] = []

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collecting.append(time.process_time())
        elif collecting:
            elapsed = time.process_time() - collecting.pop()
            spent["gc"] = spent.get("gc", 0.0) + elapsed
            if stack:
                stack[-1] += elapsed  # counted as gc, not as the phase it interrupted

    gc.callbacks.append(on_gc)
    per_doc: dict[str, list[float]] = {name: [] for name in PHASES}
    totals = []
    for n in range(runs + 1):
        spent.clear()
        start = time.process_time()
        renderer.render(report, cover=cover)
        total = time.process_time() - start
        if n == 0:
            continue  # the first document loads fonts and warms caches
        totals.append(total)
        for name in PHASES:
            per_doc[name].append(spent.get(name, 0.0))
    gc.callbacks.remove(on_gc)
    result: dict[str, object] = {name: statistics.median(v) * 1000 for name, v in per_doc.items()}
    result["total"] = statistics.median(totals) * 1000
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="documents after the first (default 10)")
    parser.add_argument("--form", type=Path, default=SEED, help="form to render (default: the seed form)")
    parser.add_argument("--cover", action="store_true", help="render with a cover page")
    parser.add_argument("--configs", default=",".join(CONFIGS), help=f"comma-separated subset of {CONFIGS}")
    parser.add_argument("--depth", type=int, default=0, help="render from this many extra Python frames")
    parser.add_argument("--phases", action="store_true", help="also print the CPU time per phase of a document")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker == "phases":
        print(json.dumps(phases_worker(args.form, args.runs, args.cover)))
        return
    if args.worker:
        print(json.dumps(worker(args.worker, args.form, args.runs, args.cover, args.depth)))
        return

    results = []
    for config in args.configs.split(","):
        result = _run_worker(config, args, "--depth", str(args.depth))
        if result is not None:
            results.append(result)

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
    if args.phases:
        split = _run_worker("phases", args)
        if split is None:
            return
        print(f"phases (reportgen, CPU ms per document after the first, median of {args.runs}):")
        for name in PHASES:
            print(f"  {name:<14}{split[name]:>8.1f}")
        print(f"  {'sum':<14}{sum(split[name] for name in PHASES):>8.1f}   (of the medians; median document {split['total']:.1f})")



def _run_worker(config: str, args: argparse.Namespace, *extra: str) -> dict[str, Any] | None:
    """Run one ``--worker`` in a fresh process and return its JSON line (None, said on stderr, when it failed)."""
    cmd = [sys.executable, __file__, "--worker", config, "--runs", str(args.runs), "--form", str(args.form), *extra]
    if args.cover:
        cmd.append("--cover")
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        print(f"{config}: failed\n{done.stderr}", file=sys.stderr)
        return None
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result

if __name__ == "__main__":
    main()
