"""Read the form's vocabulary (``lexicon/labels.yaml``): field labels, level names, grades, comparators.

The model's YAML keys, the reader's grid labels, the blank workbook's printed labels and the value
parser's comparator words all come from this one file, so a label accepted in a workbook is accepted in
YAML (tests/test_labels.py). It is read once, when the model is defined: it is the program's own data,
not a user overlay.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Literal

import yaml

from reportgen.resources import lexicon_dir

FILE_NAME = "labels.yaml"

Op = Literal[">=", "<=", ">", "<", "="]
_OPS: tuple[Op, ...] = (">=", "<=", ">", "<", "=")

_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def _data() -> dict[str, Any]:
    with open(lexicon_dir() / FILE_NAME, encoding="utf-8") as fh:
        data = yaml.load(fh, Loader=_Loader)  # noqa: S506 - the shipped file, with a safe loader
    return data if isinstance(data, dict) else {}


def _words(items: Any) -> tuple[str, ...]:
    return tuple(str(item) for item in items or ())


def fields(part: str) -> dict[str, tuple[str, ...]]:
    """Return ``{field: printed labels}`` for one part of the form (form, budget, indicator…), in file order."""
    return {name: _words(labels) for name, labels in (_data()["fields"].get(part) or {}).items()}


def labels(part: str, name: str) -> tuple[str, ...]:
    """Return the printed labels of one field, the canonical (printed on the blank workbook) first."""
    return fields(part)[name]


def label(part: str, name: str) -> str:
    """Return the canonical label of one field: what the blank workbook prints."""
    return labels(part, name)[0]


def yaml_only(part: str, name: str) -> tuple[str, ...]:
    """Return the keys YAML accepts for a field that a grid does not look for (too general as a label)."""
    return _words(((_data().get("yaml_only") or {}).get(part) or {}).get(name))


def yaml_keys(part: str, name: str) -> tuple[str, ...]:
    """Return every key YAML accepts for a field: its English name, its labels, its YAML-only keys."""
    return _unique((name, *fields(part).get(name, ()), *yaml_only(part, name)))


def block_titles(block: str) -> tuple[str, ...]:
    """Return the printed titles that open a block (budget, goals, indicators, tasks) in a grid."""
    return _words(_data()["blocks"][block]["titles"])


def block_keys(block: str) -> tuple[str, ...]:
    """Return every key YAML accepts for a block: its English name, its keys, its printed titles."""
    entry = _data()["blocks"][block]
    return _unique((block, *_words(entry.get("keys")), *_words(entry.get("titles"))))


def ignored_columns() -> tuple[str, ...]:
    return _words(_data().get("ignored_columns"))


def total_rows() -> tuple[str, ...]:
    """Return the labels that end the indicator table when they open a row (the total's, 合计, 总计)."""
    return _unique((*labels("form", "total_score"), *_words(_data().get("total_rows"))))


def bounded_shares() -> tuple[str, ...]:
    """Name parts of shares that cannot pass 100 % (满意度, 覆盖率…)."""
    return _words(_data().get("bounded_shares"))


def breakdown_prefixes() -> tuple[str, ...]:
    """Openings of an indicator row that breaks down the row above it (其中……)."""
    return _words(_data().get("breakdown_prefixes"))


def self_references(kind: Literal["unit", "department"]) -> tuple[str, ...]:
    """Words a 项目实施单位 cell uses for another unit of the form (本单位, 同上; 同主管部门)."""
    return _words((_data().get("self_references") or {}).get(kind))


def levels() -> dict[str, tuple[str, ...]]:
    """Return ``{level-1 name: its level-2 names}``."""
    return {name: _words(children) for name, children in (_data().get("levels") or {}).items()}


def level1_names() -> tuple[str, ...]:
    """Return the names that are always level 1 (成本指标, also a level-2 name on older forms, is not)."""
    children = {c for cs in levels().values() for c in cs}
    return tuple(name for name in levels() if name not in children)


def level2_names() -> tuple[str, ...]:
    return _unique(tuple(c for cs in levels().values() for c in cs))


def grade_spellings() -> dict[str, str]:
    """Return ``{printed spelling: canonical grade}`` (优秀 → 优), the canonical ones included."""
    out: dict[str, str] = {}
    for grade, spellings in (_data().get("grades") or {}).items():
        out[str(grade)] = str(grade)
        out.update(dict.fromkeys(_words(spellings), str(grade)))
    return out


def _comparators(kind: str) -> tuple[tuple[str, Op], ...]:
    table = _data()["comparators"][kind]
    return tuple((word, op) for op in _OPS for word in _words(table.get(op)))


def comparator_symbols() -> tuple[tuple[str, Op], ...]:
    """Return ``(symbol, op)`` pairs (≥, >=, ≮ …), as compared after full-width folding."""
    return _comparators("symbols")


def comparator_words() -> tuple[tuple[str, Op], ...]:
    """Return ``(word, op)`` pairs printed before a number (不少于, 控制在 …)."""
    return _comparators("words")


def target_only_words() -> tuple[str, ...]:
    """Return the comparator words that only a target prints: an actual printed with one copies the target."""
    plain = set(_words(_data()["comparators"].get("not_target_only")))
    return tuple(word for word, _ in comparator_words() if word not in plain)


def comparator_suffixes() -> tuple[tuple[str, Op | None], ...]:
    """Return ``(word, op)`` printed after a value (以上 → >=); op None for an approximation (左右)."""
    table = _data()["comparators"]["suffixes"]
    pairs: list[tuple[str, Op | None]] = [(word, op) for op in _OPS for word in _words(table.get(op))]
    pairs += [(word, None) for word in _words(table.get("approx"))]
    return tuple(pairs)


def _unique(items: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))
