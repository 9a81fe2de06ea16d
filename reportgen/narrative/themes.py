"""Which deviations belong together: the subject of an indicator, read from its name (``lexicon/themes.yaml``).

Thirteen unexplained deductions in one public-health form are four or five matters to the unit (孕产妇访视,
慢病管理, 老年人体检…), each with one common cause to state and one measure. A theme is found from the
indicator's name only (substrings, tried in the file's order); when none fits, the 二级指标 decides
(数量/质量/时效/成本…), and what is left falls back to “其他指标”. A theme names a group and proposes a
forward-looking measure; it never states a cause.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from reportgen.errors import LexiconError
from reportgen.narrative.lexicon_file import lexicon_file, read_yaml
from reportgen.resources import lexicon_dir


@dataclass(frozen=True)
class Theme:
    key: str
    name: str
    keywords: tuple[str, ...]
    covered: tuple[str, ...]
    measures: tuple[str, ...]
    # (keywords, clause): the measure said of a group is made of the clauses its indicators' names call for, so
    # that a budget-management group short only on 结转结余率 is not told to 减少年中调整
    parts: tuple[tuple[tuple[str, ...], str], ...] = ()

    def measure_for(self, names: list[str]) -> str:
        """The clauses of ``parts`` the names call for, joined; the first measure when none (or no parts)."""
        clauses = [clause for keywords, clause in self.parts if any(k in n for k in keywords for n in names)]
        return "，".join(clauses) if clauses else self.measures[0]


@dataclass(frozen=True)
class ThemeBook:
    themes: tuple[Theme, ...]
    level2: tuple[Theme, ...]
    fallback: Theme
    kinds: tuple[Theme, ...] = ()  # budget, deducted_met, short_full: deviations of a kind, not a subject

    def of_kind(self, key: str) -> Theme | None:
        return next((t for t in self.kinds if t.key == key), None)

    def of_name(self, name: str) -> Theme | None:
        """The first theme one of whose keywords occurs in the indicator's name."""
        return next((t for t in self.themes if any(k in name for k in t.keywords)), None)

    def of_level(self, level2: str, level1: str = "") -> Theme:
        """The 二级指标's theme (数量指标…), else the 一级指标's, else the fallback."""
        for label in (level2, level1):
            found = next((t for t in self.level2 if label and any(k in label for k in t.keywords)), None)
            if found is not None:
                return found
        return self.fallback

    def covered(self, theme: Theme, measures_text: str) -> bool:
        """Whether the form's own measures already speak of this theme."""
        return any(word in measures_text for word in theme.covered)


def _theme(entry: object, where: str, path: Path) -> Theme:
    if not isinstance(entry, dict) or not entry.get("key") or not entry.get("measures"):
        raise LexiconError(f"{where} 需要 key 和 measures 字段", where=str(path))
    measures = entry["measures"]
    if not isinstance(measures, list) or not all(isinstance(m, str) and m.strip() for m in measures):
        raise LexiconError(f"{where}.measures 应为非空文字的列表", where=str(path))
    parts = entry.get("parts") or []
    if not isinstance(parts, list) or not all(
        isinstance(p, dict) and isinstance(p.get("keywords"), list) and isinstance(p.get("measure"), str)
        and p["measure"].strip() for p in parts
    ):
        raise LexiconError(f"{where}.parts 应为列表，每项有 keywords（列表）和 measure（文字）", where=str(path))
    return Theme(
        key=str(entry["key"]),
        name=str(entry.get("name") or entry["key"]),
        keywords=tuple(str(k) for k in entry.get("keywords") or () if str(k)),
        covered=tuple(str(k) for k in entry.get("covered") or () if str(k)),
        measures=tuple(m.strip().rstrip("。") for m in measures),
        parts=tuple((tuple(str(k) for k in p["keywords"] if str(k)), p["measure"].strip().rstrip("。")) for p in parts),
    )


def _load_file(path: Path) -> ThemeBook:
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise LexiconError("顶层应为键值表（themes、level2、fallback）", where=str(path))

    def many(section: str) -> tuple[Theme, ...]:
        entries = data.get(section) or []
        if not isinstance(entries, list):
            raise LexiconError(f"“{section}”应为列表", where=str(path))
        return tuple(_theme(e, f"{section}[{i}]", path) for i, e in enumerate(entries))

    if data.get("fallback"):
        fallback = _theme(data["fallback"], "fallback", path)
    elif path != (shipped := lexicon_dir() / "themes.yaml"):
        fallback = _load_file(shipped).fallback  # a user's file without one: the shipped 其他指标
    else:
        raise LexiconError("缺少“fallback”（其余偏差归入的主题）", where=str(path))
    return ThemeBook(many("themes"), many("level2"), fallback, many("kinds"))


@cache
def load_themes(overlay: str | None = None) -> ThemeBook:
    """``themes.yaml`` from the user's lexicon folder if it has one, else the built-in file."""
    return _load_file(lexicon_file("themes.yaml", overlay))
