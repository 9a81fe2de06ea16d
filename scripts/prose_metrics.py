"""Print the structure metrics of issue 13 (tests/prose_metrics.py) for forms or synthetic projects.

    .venv/bin/python scripts/prose_metrics.py examples ../shared/forms --outline default
    .venv/bin/python scripts/prose_metrics.py --synthetic 240 --outline summary
    .venv/bin/python scripts/prose_metrics.py examples -v     # every report, and what fails in it

Targets: repeated openings 0, one sentence frame ≤ 40 % of a section, paragraphs ≤ 300 characters,
cause placeholders ≤ groups of unexplained deviations (excess ≤ 0).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from prose_metrics import THRESHOLDS, ReportMetrics, measure, summarise  # noqa: E402

from reportgen import evaluate, load  # noqa: E402
from reportgen.errors import ReportgenError  # noqa: E402
from reportgen.evaluation.model import SourceMap  # noqa: E402
from reportgen.loaders.structured import validate_data  # noqa: E402
from reportgen.narrative import compose  # noqa: E402
from reportgen.testing import synthetic_form  # noqa: E402


def _forms(paths: list[str]) -> list[Path]:
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(x for x in p.rglob("*.yaml") if x.name != "transcribed.yaml")
        else:
            out.append(p)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", help="form files or folders (transcribed.yaml is skipped)")
    parser.add_argument("--outline", default="default")
    parser.add_argument("--synthetic", type=int, default=0, help="also measure N synthetic projects (seeds 0…N-1, shaped=True)")
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per report")
    args = parser.parse_args()
    metrics: list[ReportMetrics] = []
    evaluations = []
    for path in _forms(args.paths):
        try:
            evaluations.append((path.stem if path.name != "input.yaml" else path.parent.name, evaluate(load(path))))
        except ReportgenError as exc:
            print(f"{path}: skipped ({exc})")
    for seed in range(args.synthetic):
        evaluations.append((f"synthetic-{seed}", evaluate(validate_data(synthetic_form(seed, shaped=True), SourceMap(f"s{seed}")))))
    for name, ev in evaluations:
        try:
            report = compose(ev, outline=args.outline)
        except ReportgenError as exc:
            print(f"{name}: not composed ({exc})")
            continue
        m = measure(report, ev)
        m.name = name
        metrics.append(m)
        if args.verbose:
            fails = m.failures()
            print(f"{name}: openings {len(m.repeats)}/{m.paragraphs}, frame {m.frame_share:.0%}"
                  f" ({m.frame_section}), longest {m.longest}, cause placeholders {m.cause_placeholders}"
                  f" / groups {m.groups} (unexplained {m.unexplained}), placeholders {m.placeholders}")
            for f in fails:
                print(f"    FAIL {f}")
    s = summarise(metrics)
    print(f"\n{s.reports} reports, outline {args.outline}")
    print(f"{'metric':<20}{'target':>8}{'worst':>9}{'mean':>9}{'failing':>9}")
    for key in ("repeat_share", "frame_share", "longest", "placeholder_excess"):
        worst, mean = s.worst[key], s.mean[key]
        pct = key.endswith("share")
        fmt = (lambda x: f"{x:.1%}") if pct else (lambda x: f"{x:.0f}" if float(x).is_integer() else f"{x:.1f}")
        print(f"{key:<20}{fmt(THRESHOLDS[key]):>8}{fmt(worst):>9}{fmt(mean):>9}{s.failing[key]:>9}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
