"""Bounded fuzzing of the loaders and the CLI: any input is read or refused with a placed message.

Hypothesis runs derandomized (a fixed seed, the same examples in every CI run) with a small example
budget and a per-example deadline, so the whole file takes some seconds. What it asserts for every input:
the structured loaders, the Excel and Word readers return forms or raise an InputError that names a place;
the CLI exits 0, 1 or 2, prints no traceback, and names the file in every exit-2 message.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import openpyxl
from click.testing import CliRunner
from form_files import with_part, word_form
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportgen.cli import main
from reportgen.errors import InputError
from reportgen.evaluation.scoring import evaluate
from reportgen.loaders import load_all

FUZZ = settings(
    derandomize=True,
    max_examples=40,
    deadline=timedelta(seconds=5),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)

# the characters people paste: digits and separators, units, Chinese, controls, line and bidi marks
_ALPHABET = st.sampled_from(
    list("0123456789,.-+%eE元万亿分 ：:，。年月日甲乙项目≥≤<>#|*_[]`\\\"'{}")
    + ["\x00", "\x07", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\x9b", "\u2028", "\u2029", "\u202e", "\u200b", "\n"]
)
_TEXT = st.text(_ALPHABET, max_size=30)
_SCALAR = st.one_of(
    _TEXT,
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
)
_VALUE = st.recursive(_SCALAR, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3), max_leaves=8)
_FIELDS = ["year", "unit", "project", "budget", "indicators", "total_score", "grade", "filled_on", "项目名称", "评价年度"]
_INDICATOR_FIELDS = ["name", "weight", "target", "actual", "score", "cause", "level1", "core", "分值"]
_BUDGET_FIELDS = ["unit", "adjusted", "executed", "rate", "score", "weight", "sources"]


@st.composite
def forms(draw: st.DrawFn) -> dict[str, Any]:
    """A form-shaped mapping whose values are anything a person or program might put there."""
    form: dict[str, Any] = {"project": draw(_SCALAR), "indicators": []}
    for key in draw(st.lists(st.sampled_from(_FIELDS), max_size=4, unique=True)):
        form[key] = draw(_VALUE)
    if draw(st.booleans()):
        form["budget"] = {k: draw(_VALUE) for k in draw(st.lists(st.sampled_from(_BUDGET_FIELDS), max_size=4, unique=True))}
    indicators = []
    for _ in range(draw(st.integers(0, 3))):
        keys = draw(st.lists(st.sampled_from(_INDICATOR_FIELDS), min_size=1, max_size=5, unique=True))
        indicators.append({k: draw(_VALUE) for k in keys})
    form["indicators"] = indicators if draw(st.booleans()) else draw(_VALUE)
    return form


def _read(path: Path) -> None:
    """Load and score ``path``; an InputError must name the file."""
    try:
        for form in load_all(path):
            evaluate(form)
    except InputError as exc:
        assert path.name in str(exc), str(exc)  # the place: file, and line, cell or field where known


@FUZZ
@given(form=forms())
def test_json_forms(tmp_path: Path, form: dict[str, Any]) -> None:
    path = tmp_path / "fuzz.json"
    path.write_text(json.dumps(form, ensure_ascii=False, allow_nan=True), encoding="utf-8")
    _read(path)


@FUZZ
@given(form=forms(), style=st.sampled_from(["block", "flow"]))
def test_yaml_forms(tmp_path: Path, form: dict[str, Any], style: str) -> None:
    import yaml

    path = tmp_path / "fuzz.yaml"
    path.write_text(yaml.safe_dump(form, allow_unicode=True, default_flow_style=style == "flow"), encoding="utf-8")
    _read(path)


@FUZZ
@given(text=st.text(st.sampled_from(list("项目名称指标: -[]{}&*!|>'\"#\n\t 0123456789.e万元年%\\\x0c\u2028")), max_size=200))
def test_yaml_text(tmp_path: Path, text: str) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_text(text, encoding="utf-8")
    _read(path)


# openpyxl refuses to write C0 controls (the hostile units write them as Excel does, _x0007_)
_CELL = st.one_of(
    _TEXT.filter(lambda t: not any(ord(c) < 32 and c not in "\t\n\r" for c in t)),
    st.integers(-(10**15), 10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.none(),
)


@FUZZ
@given(cells=st.lists(st.tuples(st.integers(1, 12), st.integers(1, 8), _CELL), max_size=25), label_rows=st.booleans())
def test_workbooks(tmp_path: Path, cells: list[tuple[int, int, Any]], label_rows: bool) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    if label_rows:
        ws.append(["项目名称", "甲项目"])
        ws.append(["三级指标", "年度指标值", "实际完成值", "分值", "得分"])
    for row, col, value in cells:
        ws.cell(row=row + 2, column=col, value=value)
    path = tmp_path / "fuzz.xlsx"
    wb.save(path)
    _read(path)


def _document() -> bytes:
    out = io.BytesIO()
    word_form().save(out)
    return out.getvalue()


_DOCX = _document()
with zipfile.ZipFile(io.BytesIO(_DOCX)) as _package:
    _DOCUMENT_XML = _package.read("word/document.xml")


def _with_document_xml(xml: bytes) -> bytes:
    return with_part(_DOCX, "word/document.xml", lambda _: xml)


_XML_PIECES = [b"<", b">", b'"', b"\x00", b"&", b"1", b'w:gridSpan w:val="x"']


@FUZZ
@given(
    flips=st.lists(st.tuples(st.integers(0, len(_DOCX) - 1), st.integers(0, 255)), min_size=1, max_size=6),
    edits=st.lists(st.tuples(st.integers(0, len(_DOCUMENT_XML) - 1), st.sampled_from(_XML_PIECES)), max_size=3),
)
def test_damaged_documents(tmp_path: Path, flips: list[tuple[int, int]], edits: list[tuple[int, bytes]]) -> None:
    xml = bytearray(_DOCUMENT_XML)
    for at, piece in edits:
        xml[at : at + 1] = piece
    raw = bytearray(_with_document_xml(bytes(xml)) if edits else _DOCX)
    for at, byte in flips:
        raw[at % len(raw)] = byte
    path = tmp_path / "fuzz.docx"
    path.write_bytes(bytes(raw))
    _read(path)


@settings(FUZZ, max_examples=15)
@given(form=forms(), command=st.sampled_from(["validate", "import", "render"]))
def test_cli(tmp_path: Path, form: dict[str, Any], command: str) -> None:
    path = tmp_path / "fuzz.json"
    path.write_text(json.dumps(form, ensure_ascii=False), encoding="utf-8")
    args = {
        "validate": ["validate", str(path)],
        "import": ["import", str(path), "-o", str(tmp_path / "out.yaml")],
        "render": ["render", str(path), "-o", str(tmp_path / "out"), "--no-check"],
    }[command]
    result = CliRunner().invoke(main, args)
    output = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert result.exit_code in (0, 1, 2), (result.exit_code, output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in output
    if result.exit_code == 2:
        assert "fuzz.json" in output or "out.yaml" in output, output
