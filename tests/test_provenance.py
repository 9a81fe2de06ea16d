"""Every number in a report is a ledger entry (a figure with its origin) or part of quoted form text."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import SEED_EXAMPLE, example_paths

import reportgen
from reportgen.evaluation.figures import Computed, Missing, Printed
from reportgen.narrative import text
from reportgen.narrative.outline import available_outlines

OUTLINES = available_outlines()
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_CITATION = re.compile(r"〔\d{4}〕\d+号")  # 财预〔2020〕10号: a document number, not a figure
_LIST_NUMBER = re.compile(r"^(?:#{2,6} )?\d+\.", re.M)  # numbered paragraphs and headings


def _form_texts(value: Any, out: list[str]) -> list[str]:
    if isinstance(value, str):
        out.append(text.tidy(value))
    elif isinstance(value, dict):
        for v in value.values():
            _form_texts(v, out)
    elif isinstance(value, list):
        for v in value:
            _form_texts(v, out)
    return out


def _quoted(markdown: str, start: int, end: int, texts: list[str], whole: set[str]) -> bool:
    """Whether the number at start:end sits in a run of text copied from the form."""
    unescaped = markdown.replace("\\", "")
    shift = markdown[:start].count("\\")
    start, end = start - shift, end - shift
    for a in range(max(0, start - 12), start + 1):
        for b in range(end, min(len(unescaped), end + 12) + 1):
            piece = unescaped[a:b]
            # a whole cell of the form (“80%”, “10个”), or the number with three characters of its context
            if piece in whole or (len(piece) >= end - start + 3 and any(piece in t for t in texts)):
                return True
    return False


def _unaccounted(report: reportgen.report.Report) -> list[str]:
    md = report.markdown
    covered = [False] * len(md)
    for e in report.figures:
        assert md[e.start : e.end] == e.text, e
        for i in range(e.start, e.end):
            covered[i] = True
    for pattern in (_CITATION, _LIST_NUMBER):
        for m in pattern.finditer(md):
            for i in range(m.start(), m.end()):
                covered[i] = True
    assert report.evaluation is not None
    texts = _form_texts(report.evaluation.form.model_dump(), [])
    whole = set(texts)
    missing = []
    for m in _NUMBER.finditer(md):
        if all(covered[m.start() : m.end()]):
            continue
        if _quoted(md, m.start(), m.end(), texts, whole):
            continue
        missing.append(md[max(0, m.start() - 15) : m.end() + 10].replace("\n", " "))
    return missing


@pytest.mark.parametrize("outline", OUTLINES)
@pytest.mark.parametrize("path", example_paths(), ids=lambda p: p.stem)
def test_ledger_accounts_for_every_number(path: Path, outline: str) -> None:
    report = reportgen.render(path, outline=outline)
    assert report.figures, "a report states figures"
    assert _unaccounted(report) == []


def test_an_unrecorded_number_is_noticed(tmp_path: Path) -> None:
    """The accounting test itself fails on a template that prints a number the ledger does not know."""
    (tmp_path / "sections").mkdir()
    (tmp_path / "sections" / "other.md.j2").write_text("本项目共有{{ f.indicator_count.value }}项指标。\n", "utf-8")
    report = reportgen.render(SEED_EXAMPLE, templates=tmp_path)
    assert [m for m in _unaccounted(report) if "27项指标" in m]


def test_entries_carry_their_origin() -> None:
    report = reportgen.render(SEED_EXAMPLE)
    by_path: dict[str, Any] = {}
    for e in report.figures:
        by_path.setdefault(e.figure.path, e)
    total = by_path["total_score"]
    assert isinstance(total.origin, Printed) and total.origin.place.endswith("社会保障专项-2020.yaml:259")
    assert total.section == "conclusion" and total.text == "98"
    executed = by_path["budget.executed"]
    assert executed.text == "2,440.91万元" and executed.value == Decimal("2440.91")
    assert isinstance(by_path["categories[产出指标].score"].origin, Computed)
    grade = by_path["grade"]
    assert isinstance(grade.origin, Computed) and grade.text == "优"  # no grade printed: derived, said so
    assert "按评分标准自评等级为“优”" in report.markdown
    assert not any(isinstance(e.origin, Missing) for e in report.figures)


def test_report_fields_are_the_facts() -> None:
    report = reportgen.render(SEED_EXAMPLE)
    assert report.unit == "武汉市东湖新技术开发区花山街道办事处" and report.date == "2021年6月30日"
    conclusion = report.section("conclusion")
    assert conclusion is not None and "综合得分98分" in conclusion.markdown
    # the form's date even when it names no unit (the signature then has the date alone)
    ev = reportgen.evaluate(reportgen.load(SEED_EXAMPLE))
    nameless = reportgen.evaluate(ev.form.model_copy(update={"unit": None}))
    assert reportgen.render(nameless).date == "2021年6月30日"


def test_markdown_is_byte_identical_across_runs() -> None:
    first = reportgen.render(SEED_EXAMPLE).markdown.encode()
    ev = reportgen.evaluate(reportgen.load(SEED_EXAMPLE))
    assert reportgen.render(ev).markdown.encode() == first


def test_rule_names_are_the_rule_figures() -> None:
    from reportgen.narrative.provenance import RULE_NAMES

    figures = reportgen.evaluate(reportgen.load(SEED_EXAMPLE)).figures
    assert [k.removeprefix("rules.") for k in figures if k.startswith("rules.")] == list(RULE_NAMES)


#: computed figures whose wording could pass them off as the form's, and what their sentence must say instead
_SAID_COMPUTED = {"预算数−执行数": ("计算", "差额"), "执行数÷预算数": ("计算",)}


@pytest.mark.parametrize("outline", OUTLINES)
@pytest.mark.parametrize("path", example_paths(), ids=lambda p: p.stem)
def test_an_unspent_amount_or_a_rate_the_form_does_not_print_is_said_as_computed(path: Path, outline: str) -> None:
    report = reportgen.render(path, outline=outline)
    md = report.markdown
    for e in report.figures:
        if isinstance(e.origin, Computed) and e.origin.rule in _SAID_COMPUTED:
            start = max(md.rfind("。", 0, e.start), md.rfind("\n", 0, e.start)) + 1
            sentence = md[start : md.find("。", e.end)]
            assert any(word in sentence for word in _SAID_COMPUTED[e.origin.rule]), sentence
