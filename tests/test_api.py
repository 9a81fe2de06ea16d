"""The Python API the README shows: load → evaluate → render → check, as plain functions."""

from __future__ import annotations

from conftest import SEED_EXAMPLE

import reportgen


def test_api_pipeline_in_four_calls() -> None:
    import reportgen.renderers.docx  # noqa: F401  (importing a renderer must not shadow reportgen.render)
    import reportgen.renderers.pdf  # noqa: F401

    form = reportgen.load(SEED_EXAMPLE)
    ev = reportgen.evaluate(form)
    report = reportgen.render(ev)
    result = reportgen.check(report, data=ev)
    assert report.title == "2020年度社会保障专项绩效自评报告"
    assert "2,440.91万元" in report.markdown
    assert not result.ok and result.count("placeholder") == 1


def test_render_accepts_a_path_a_form_or_an_evaluation() -> None:
    by_path = reportgen.render(SEED_EXAMPLE).markdown
    form = reportgen.load(SEED_EXAMPLE)
    assert reportgen.render(form).markdown == by_path == reportgen.render(reportgen.evaluate(form)).markdown
