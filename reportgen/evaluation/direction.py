"""Which way an indicator is better: higher (完成率, 数量) or lower (成本, 控制率, 调整率, 投诉率…).

The direction comes from the operator printed in the target (≥ → higher, ≤ → lower); the name is read
against a lexicon (``lexicon/direction.yaml``, overlaid per file by ``--lexicon DIR``) to CHECK it.  When the
two disagree ("≤4次" for a count to be reached, "≥5%" for a 结转结余率) the reading is a contradiction: the
operator still decides (it is what the form printed), and the caller raises a finding.  Without an operator
("100%", "50") the name decides; a name the lexicon does not know is read as higher-is-better.

API (used by scoring, and by department-level indicators)::

    direction_of("预算调整率", "<=")        -> DirectionReading(direction="lower", contradiction=False)
    direction_of("培训次数", "≤")           -> DirectionReading(direction="lower", contradiction=True)
    direction_of("结转结余率", None)        -> DirectionReading(direction="lower", contradiction=False)
    name_direction("三公经费控制率")         -> "lower"
    operator_direction("不少于")            -> "higher"

``lexicon`` is a folder (the ``--lexicon`` option) or None for the built-in one; files are cached.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal, NamedTuple

import yaml

from reportgen.errors import LexiconError
from reportgen.evaluation.values import _OP_MAP, _normalise
from reportgen.resources import lexicon_dir

__all__ = [
    "Direction",
    "DirectionLexicon",
    "DirectionReading",
    "direction_of",
    "load_direction_lexicon",
    "name_direction",
    "operator_direction",
]

Direction = Literal["higher", "lower"]
FILE_NAME = "direction.yaml"


class DirectionReading(NamedTuple):
    """The direction an indicator is judged in, and whether its name says the opposite of its operator."""

    direction: Direction
    contradiction: bool


_MEMO_SIZE = 65536


@dataclass(frozen=True)
class DirectionLexicon:
    """Name words that mean lower-is-better / higher-is-better (longest match wins, ties go to lower)."""

    lower: tuple[str, ...]
    higher: tuple[str, ...]
    path: str = ""
    # answers by name: each indicator's name is asked twice (status and direction), and a batch repeats names
    _memo: dict[str, Direction | None] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def of_name(self, name: str | None) -> Direction | None:
        """Return what the name suggests, or None when no lexicon word occurs in it."""
        if not name:
            return None
        memo = self._memo
        if name in memo:
            return memo[name]
        if len(memo) >= _MEMO_SIZE:
            memo.clear()  # bounded: a long batch of distinct names must not grow it without end
        found = memo[name] = self._of_name(name)
        return found

    def _of_name(self, name: str) -> Direction | None:
        key = "".join(_normalise(name).split())
        best_lower = max((len(w) for w in self.lower if w in key), default=0)
        best_higher = max((len(w) for w in self.higher if w in key), default=0)
        if not best_lower and not best_higher:
            return None
        return "higher" if best_higher > best_lower else "lower"


def _words(data: dict[str, object], key: str, path: Path) -> tuple[str, ...]:
    entries = data.get(key) or []
    if not isinstance(entries, list) or not all(isinstance(w, (str, int)) for w in entries):
        raise LexiconError(f"“{key}”应为词语列表", where=str(path), hint="每行写一个词，如“  - 控制率”")
    return tuple(str(w).strip() for w in entries if str(w).strip())


@cache
def _load(path: str) -> DirectionLexicon:
    file = Path(path)
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{file}:{mark.line + 1}" if mark else str(file)
        raise LexiconError(f"词库文件 YAML 语法错误（{exc.problem}）", where=where) from exc
    except OSError as exc:
        raise LexiconError(f"无法读取词库文件（{exc.strerror}）", where=str(file)) from exc
    if not isinstance(data, dict):
        raise LexiconError("方向词库应包含 lower 和 higher 两个列表", where=str(file))
    return DirectionLexicon(_words(data, "lower", file), _words(data, "higher", file), str(file))


def load_direction_lexicon(lexicon: str | Path | None = None) -> DirectionLexicon:
    """Return the direction lexicon of a ``--lexicon`` folder (when it has direction.yaml) or the built-in one."""
    if lexicon is not None:
        candidate = Path(lexicon) / FILE_NAME
        if candidate.is_file():
            return _load(str(candidate.resolve()))
    return _load(_builtin_file())


@cache
def _builtin_file() -> str:
    # the path once: joining it on every indicator's two lookups was a tenth of evaluating a form
    return str(lexicon_dir() / FILE_NAME)


_WORD_OPS = sorted(((w, op) for w, op in _OP_MAP.items() if len(w) > 2), key=lambda item: -len(item[0]))


def operator_direction(operator: str | None) -> Direction | None:
    """≥ > 不少于 … → "higher"; ≤ < 不超过 … → "lower"; = and anything else → None (it states no way)."""
    if not operator:
        return None
    text = _normalise(operator.strip())
    op = _OP_MAP.get(text)
    if op is None:
        op = next((o for w, o in _WORD_OPS if text.startswith(w)), None)
    if op is None:
        op = next((o for s, o in sorted(_OP_MAP.items(), key=lambda i: -len(i[0])) if text.startswith(s)), None)
    if op in (">=", ">"):
        return "higher"
    if op in ("<=", "<"):
        return "lower"
    return None


def name_direction(name: str | None, lexicon: str | Path | None = None) -> Direction | None:
    """What the indicator's name suggests ("结转结余率" → "lower"), or None when the lexicon does not say."""
    return load_direction_lexicon(lexicon).of_name(name)


def direction_of(name: str | None, operator: str | None, lexicon: str | Path | None = None) -> DirectionReading:
    """Decide the direction: the operator's when it has one, else the name's, else higher-is-better."""
    by_operator = operator_direction(operator)
    by_name = name_direction(name, lexicon)
    if by_operator is not None:
        return DirectionReading(by_operator, by_name is not None and by_name != by_operator)
    return DirectionReading(by_name or "higher", False)
