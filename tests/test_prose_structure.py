"""Issue 13's structure targets over a batch of shaped synthetic projects (tests/prose_metrics.py says how
each figure is measured): no repeated paragraph openings, no sentence frame above 40 % of a section,
no paragraph above 300 characters, at most one cause placeholder per group of unexplained deviations."""

from __future__ import annotations

from functools import cache

import pytest
from prose_metrics import THRESHOLDS, measure

from reportgen import evaluate
from reportgen.loaders.structured import validate_data
from reportgen.model import SourceMap
from reportgen.narrative import compose
from reportgen.scoring import Evaluation
from reportgen.synthetic import shape_of, synthetic_form

N = 200
OUTLINES = ("default", "mof", "transfer", "summary")


@cache
def _evaluations() -> tuple[Evaluation, ...]:
    return tuple(evaluate(validate_data(synthetic_form(s, shaped=True), SourceMap(f"synth-{s}.yaml")))
                 for s in range(N))


def test_the_batch_has_every_shape() -> None:
    shapes = {shape_of(s) for s in range(N)}
    assert shapes == {"plain", "themed", "descriptive", "bare"}


@pytest.mark.parametrize("outline", OUTLINES)
def test_structure_targets_hold_for_every_report(outline: str) -> None:
    failures: dict[str, list[str]] = {}
    for seed, ev in enumerate(_evaluations()):
        m = measure(compose(ev, outline=outline), ev)
        for what in m.failures():
            key, detail = what.split(": ", 1)
            failures.setdefault(key, []).append(f"synth-{seed} ({shape_of(seed)}): {detail}")
    summary = {k: (len(v), v[:3]) for k, v in failures.items()}
    assert not failures, f"{outline}: {summary} (targets {THRESHOLDS})"
