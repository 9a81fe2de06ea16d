"""No report sentence is built in Python: report words live in templates/ (Jinja, wording.yaml) and lexicon/.

The checker walks the syntax tree of the modules that compose a report and the batch overview, and lists
every string constant holding a Chinese character (Han ideograph; punctuation alone — “”（）、。 — is
typography, not a phrase). A constant is allowed where it cannot reach a report as prose:

- a docstring;
- inside a call that raises or logs (``…Error(...)``, ``warnings.warn``, ``log.…``): messages to the user;
- inside a ``re`` call (patterns that read forms and findings);
- inside a figure constructor (``computed``, ``printed``, ``Figure``, ``count``…): the ledger's rule and
  label, written to ``<报告名>.sources.json``, the HTML's hover and the checker's messages, never the text;
- as the subject of a comparison (``"预算" in item``, ``x == "优"``) or of a text method that reads the
  form (``startswith``, ``replace``…): vocabulary being looked up, not words being written;
- inside one of the named definitions of ``ALLOWED`` below, each with its reason.

Anything else — a phrase, a heading, a word put into a sentence — fails: move it to ``templates/wording.yaml``
(``phrases:``), a template or macro, or the lexicon (see docs/architecture.md, "Where the words live").
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "reportgen"
SCANNED = (
    *sorted((PACKAGE / "narrative").glob("*.py")),
    PACKAGE / "batch" / "index.py",
    PACKAGE / "evaluation" / "scoring.py",
    PACKAGE / "evaluation" / "findings.py",
)
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

#: (module, top-level or class-level name, or function name) → why its Chinese strings are not report prose
ALLOWED: dict[tuple[str, str], str] = {
    # findings are code + parameters; their titles and sentences live together in findings.CODES
    ("evaluation/findings.py", "CODES"): "the one place finding titles and sentences live",
    ("evaluation/findings.py", "_SHOWN"): "a sentence part CODES shares between codes",
    ("evaluation/findings.py", "SEVERITY_LABEL"): "the severity names beside CODES (错误/警告/提示)",
    ("evaluation/findings.py", "message"): "（空） for a parameter a finding lacks, as CODES' messages say it",
    # vocabulary: words matched in the form, never written
    ("evaluation/scoring.py", "_CATEGORY_HINTS"): "二级指标 names an indicator's name suggests (findings' parameter)",
    ("evaluation/scoring.py", "level1"): "the 一级指标 name of an indicator the form leaves unclassified",
    ("narrative/facts.py", "_KINDS"): "一级指标 words read from the form to pick the report subsection",
    ("narrative/names.py", "_TAILS"): "generic name tails a 简称 drops (a rule that removes, never writes)",
    ("narrative/status_facts.py", "_MONEY_UNITS"): "money units read beside the form's values",
    ("narrative/status_facts.py", "_unlabelled"): "removes 其中 from the form's value (its label is said once)",
    ("narrative/text.py", "first_clause"): "a clause cut at its limit ends in 等, as a quotation's …",
    # the Jinja filters: one place registers the Chinese formatting filters (style.md §3); templates call them
    ("narrative/env.py", "_quoted"): "filter quoted: “甲”“乙”和“丙”, 等N项",
    ("narrative/env.py", "_trend"): "filter trend: 增长/下降/持平",
    ("narrative/env.py", "_money"): "filter money: the default unit 万元",
    ("narrative/env.py", "FILTERS"): "filter cn_enum: its default last joiner 和",
    # the ledger: a figure's rule and label go to <报告名>.sources.json, the HTML hover and the checker's
    # messages, never into the report's text
    ("narrative/provenance.py", "*"): "the ledger's rules and labels of every figure",
    # messages to the user, built before the call that raises them
    ("narrative/__init__.py", "refuse_unfilled"): "the InputError refusing an unfilled form",
    # the batch index: a data table, not prose (the overview and summary.md are templates/batch/*.md.j2)
    ("batch/index.py", "COLUMNS"): "column names of summary.xlsx and summary.md",
    ("batch/index.py", "STATUS"): "a row's status as the summary table shows it",
    ("batch/index.py", "PROJECT"): "the 类型 column's values, compared across the batch",
    ("batch/index.py", "_GRADE_ORDER"): "the grades 优良中差 as forms print them, in order",
    ("batch/index.py", "problems"): "a summary cell: a finding's title (CODES) with its count (N处) and severity",
    ("batch/index.py", "summary_xlsx"): "the workbook's sheet name and first column",
    ("batch/index.py", "_number"): "number formats that mark a cell's origin (（计算）, 取自来源行) in summary.xlsx",
    ("batch/index.py", "write_index"): "the name of a new index file written beside one the user edited",
}

_RAISING = re.compile(r"(Error|Exception|Warning)$|^_?refuse")
_FIGURES = {"computed", "printed", "Figure", "Computed", "Missing", "count", "_amount", "_count"}
_READING = {"startswith", "endswith", "removeprefix", "removesuffix", "strip", "lstrip", "rstrip",
            "split", "rsplit", "partition", "rpartition", "find", "index", "count"}
_LOGGING = {"log", "logger", "logging", "warnings"}


def _callee(call: ast.Call) -> tuple[str, str]:
    """(object, name) of a call: ``re.compile`` → ("re", "compile"), ``computed`` → ("", "computed")."""
    func = call.func
    if isinstance(func, ast.Attribute):
        owner = func.value.id if isinstance(func.value, ast.Name) else ""
        return owner, func.attr
    return "", func.id if isinstance(func, ast.Name) else ""


def _allowed_call(call: ast.Call) -> bool:
    owner, name = _callee(call)
    return bool(
        _RAISING.search(name) or owner in _LOGGING or owner == "re" or name in _FIGURES
        or (name in _READING and isinstance(call.func, ast.Attribute))
    )


def prose_in(source: str, module: str) -> list[tuple[int, str]]:
    """The (line, text) of every Chinese string constant of ``source`` that may reach a report as prose."""
    tree = ast.parse(source)
    parents: dict[ast.AST, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)
    }
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str) and _HAN.search(node.value)):
            continue
        if id(node) in docstrings or _in_allowed_context(node, parents, module):
            continue
        found.append((node.lineno, node.value))
    return sorted(found)


def _names(node: ast.AST) -> list[str]:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [node.name]
    targets: list[ast.expr] = []
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, ast.AnnAssign):
        targets = [node.target]
    names = []
    for target in targets:
        for t in ast.walk(target):
            if isinstance(t, ast.Name):
                names.append(t.id)
    return names


def _in_allowed_context(node: ast.AST, parents: dict[ast.AST, ast.AST], module: str) -> bool:
    if (module, "*") in ALLOWED:
        return True
    child, parent = node, parents.get(node)
    while parent is not None:
        if isinstance(parent, ast.Call) and child is not parent.func and _allowed_call(parent):
            return True  # an argument of a call that raises, logs, matches or builds a figure
        if isinstance(parent, ast.Compare):
            return True  # vocabulary looked up in form text, or a value compared
        if (isinstance(parent, ast.Attribute) and parent.attr in _READING
                and isinstance(parents.get(parent), ast.Call)):
            return True  # "…".startswith(x): the string reads, it is not written
        if any((module, name) in ALLOWED for name in _names(parent)):
            return True
        child, parent = parent, parents.get(parent)
    return False


def _module(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


@pytest.mark.parametrize("path", SCANNED, ids=_module)
def test_no_report_phrase_is_a_python_string(path: Path) -> None:
    found = prose_in(path.read_text(encoding="utf-8"), _module(path))
    assert not found, (
        f"{_module(path)} builds report wording in Python; move it to templates/wording.yaml (phrases:), a "
        "template or the lexicon, or (if it never reaches a report) add a reasoned entry to ALLOWED:\n"
        + "\n".join(f"  line {line}: {text!r}" for line, text in found)
    )


def test_every_allowed_name_exists() -> None:
    """An entry of ALLOWED whose definition was removed or renamed would silently allow a new one."""
    defined = {
        (_module(path), name)
        for path in SCANNED
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        for name in [*_names(node), "*"]
    }
    assert set(ALLOWED) - defined == set()


SYNTHETIC = '''
"""A module docstring may say 待补充."""
import re

_PATTERN = re.compile(r"指标“(?P<name>[^”]+)”")
_JOIN = "；"


def lead(name: str) -> str:
    if "预算" in name:
        raise ValueError(f"无法读取“{name}”")
    return f"针对“{name}”指标存在的偏差，"


def heading() -> str:
    return "## 附注"


def figure(n):
    return computed(n, "count", "所含指标项数", path="x", unit="项", label="指标数")


PHRASES = ("针对", "就", "对于")
'''


def test_the_checker_catches_a_phrase_added_in_python() -> None:
    found = prose_in(SYNTHETIC, "narrative/example.py")
    # the f-string's two parts, the heading, the tuple of lead-ins; not the docstring, the pattern, the joiner
    # (punctuation only), the word compared, the error message, nor the figure's rule and label
    assert sorted(text for _, text in found) == sorted(["针对“", "”指标存在的偏差，", "## 附注", "针对", "就", "对于"])


def test_an_allowed_name_allows_only_its_own_strings() -> None:
    source = 'WORDS = ("超支", "追加")\nOTHER = "超支"\n'
    ALLOWED[("narrative/example.py", "WORDS")] = "test"
    try:
        assert prose_in(source, "narrative/example.py") == [(2, "超支")]
    finally:
        del ALLOWED[("narrative/example.py", "WORDS")]
