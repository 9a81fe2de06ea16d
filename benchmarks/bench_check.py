"""Time the wording checker: checking a 6,000-character report, and start-up with a warm cache.

Run: .venv/bin/python benchmarks/bench_check.py [--runs N]

Figures are medians of repeated runs, each compared with a baseline measured in the same run:
- check: our candidate-driven check vs segmenting the whole report with the same jieba tokenizer
  (the prototype the issue mentions) and vs a bare Aho-Corasick scan (the floor);
- start-up: a fresh process that imports reportgen.checking and builds the Checker, vs jieba's own
  start-up from its own (warm) cache with the same user dictionary loaded.
Issue targets: check ≤ 10 ms after start-up, warm start-up ≤ 1 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from timing import median_ms  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reportgen import evaluate, load  # noqa: E402
from reportgen.checking import checker  # noqa: E402
from reportgen.checking.document import from_markdown  # noqa: E402
from reportgen.segment import normalize  # noqa: E402

TARGET_CHARS = 6000



def report_text() -> tuple[str, str]:
    """A generated report of about 6,000 characters (the seed report, padded with other examples' prose)."""
    try:
        from reportgen.narrative import compose
    except ImportError:  # the narrative is not installed: fall back to the hand-written draft
        text = (ROOT / "tests" / "data" / "draft_clean.md").read_text(encoding="utf-8")
        source = "tests/data/draft_clean.md"
        compose = None
    else:
        examples = sorted((ROOT / "examples").glob("*.yaml"))
        seed = ROOT / "examples" / "社会保障专项-2020.yaml"
        text = compose(evaluate(load(seed))).markdown
        source = "generated seed report"
        extra = [
            line
            for path in examples
            if path != seed
            for line in compose(evaluate(load(path))).markdown.splitlines()
            if line and not line.startswith(("#", "|"))
        ]
        head, tail = text.split("## 附表", 1)
        padding: list[str] = []
        while len(head) + len(tail) + sum(len(p) + 2 for p in padding) < TARGET_CHARS and extra:
            padding.append(extra.pop(0))
        text = head + "\n\n".join(padding) + "\n\n## 附表" + tail
        source += f" + {len(padding)} paragraphs of the other examples"
    if compose is None:
        while len(text) < TARGET_CHARS:
            text += "\n\n" + text
        text = text[:TARGET_CHARS]
    return text, source


def in_fresh_process(code: str, env: dict[str, str] | None = None) -> tuple[float, float]:
    """Run ``code`` in a new interpreter; return (seconds it printed, wall seconds of the process)."""
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT, env=env
    ).stdout
    return float(out.strip().splitlines()[-1]), time.perf_counter() - start


STARTUP = (
    "import time; t = time.perf_counter()\n"
    "from reportgen.checking import checker; checker()\n"
    "print(time.perf_counter() - t)"
)
JIEBA_STARTUP = (
    "import time, logging; t = time.perf_counter()\n"
    "import jieba; jieba.setLogLevel(logging.WARNING)\n"
    "tk = jieba.Tokenizer(); tk.tmp_dir = {tmp!r}; tk.initialize(); tk.load_userdict({terms!r})\n"
    "print(time.perf_counter() - t)"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=50, help="runs per in-process figure (default 50)")
    parser.add_argument("--process-runs", type=int, default=5, help="runs per fresh-process figure (default 5)")
    args = parser.parse_args()

    text, source = report_text()
    ev = evaluate(load(ROOT / "examples" / "社会保障专项-2020.yaml"))
    c = checker()
    c.check_draft(from_markdown(text), ev)  # first check loads the dictionary blocks of its characters
    print(f"report: {len(text):,} characters ({source})")

    # every run segments afresh: the Segmenter keeps the tokens of runs it has cut, which a batch of
    # different reports benefits from but the same report checked again would take the whole of
    def fresh(fn: Callable[[], object]) -> Callable[[], object]:
        return lambda: (c.segmenter.forget(), fn())

    ours = median_ms(fresh(lambda: c.check_draft(from_markdown(text), ev)), args.runs)
    wording = median_ms(fresh(lambda: c.check_draft(from_markdown(text))), args.runs)
    flat = normalize(text)
    whole = median_ms(fresh(lambda: c.segmenter.cut(flat)), args.runs)
    scan = median_ms(lambda: list(c.matcher.automaton.iter(flat)), args.runs)
    print(f"check, wording and facts       {ours:7.2f} ms  (target ≤ 10 ms)")
    print(f"check, wording only            {wording:7.2f} ms")
    print(f"baseline: jieba on whole text  {whole:7.2f} ms  → check is {whole / ours:.1f}× faster")
    print(f"floor: Aho-Corasick scan only  {scan:7.2f} ms  ({len(c.matcher.tokens)} terms)")

    # start-up in fresh processes: warm our cache, and jieba's own cache in a private temp dir
    in_fresh_process(STARTUP)
    with tempfile.TemporaryDirectory() as tmp:
        jieba_code = JIEBA_STARTUP.format(tmp=tmp, terms=str(ROOT / "lexicon" / "terms.txt"))
        in_fresh_process(jieba_code)
        runs = [in_fresh_process(STARTUP) for _ in range(args.process_runs)]
        jieba_runs = [in_fresh_process(jieba_code) for _ in range(args.process_runs)]
    ours_start = statistics.median(r[0] for r in runs)
    ours_wall = statistics.median(r[1] for r in runs)
    jieba_start = statistics.median(r[0] for r in jieba_runs)
    print(f"start-up, warm cache           {ours_start * 1000:7.0f} ms  (import + Checker; process wall "
          f"{ours_wall * 1000:.0f} ms; target ≤ 1 s)")
    print(f"baseline: jieba's own start-up {jieba_start * 1000:7.0f} ms  "
          f"→ ours is {jieba_start / ours_start:.1f}× faster")

    cli = []
    for _ in range(args.process_runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "reportgen", "check", "tests/data/draft_clean.md"], cwd=ROOT,
                       capture_output=True, check=False)
        cli.append(time.perf_counter() - start)
    print(f"reportgen check (whole CLI)    {statistics.median(cli) * 1000:7.0f} ms  wall, warm cache")

    with tempfile.TemporaryDirectory() as cold:
        cold_start, _ = in_fresh_process(STARTUP, env={**os.environ, "REPORTGEN_CACHE_DIR": cold})
    print(f"start-up, cold cache           {cold_start * 1000:7.0f} ms  (builds the prepared dictionary once)")


if __name__ == "__main__":
    main()
