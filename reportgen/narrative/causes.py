"""Recognise the category of a cause the form gives, and the standard measure that answers it.

The taxonomy is data (``lexicon/causes.yaml``, overlaid by ``--lexicon DIR``). Keywords are
matched as whole words of a jieba segmentation with the keywords added to the dictionary, so
“设施” in “基础设施” does not fire twice and “调度” does not match inside an unrelated word.
A category is only ever derived from text the form contains: nothing here invents a cause.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from reportgen.errors import LexiconError
from reportgen.narrative.lexicon_file import lexicon_file, read_yaml


@dataclass(frozen=True)
class CauseCategory:
    key: str
    name: str
    keywords: tuple[str, ...]
    covered: tuple[str, ...]
    measures: tuple[str, ...]


@dataclass(frozen=True)
class Taxonomy:
    categories: tuple[CauseCategory, ...]
    general: tuple[CauseCategory, ...]

    def by_key(self, key: str) -> CauseCategory | None:
        return next((c for c in (*self.categories, *self.general) if c.key == key), None)


def _load_file(path: Path) -> Taxonomy:
    data = read_yaml(path)

    def build(entries: object, section: str) -> tuple[CauseCategory, ...]:
        if entries is None:
            return ()
        if not isinstance(entries, list):
            raise LexiconError(f"“{section}”应为列表", where=str(path))
        out = []
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict) or not entry.get("key") or not entry.get("measures"):
                raise LexiconError(f"{section}[{i}] 需要 key 和 measures 字段", where=str(path))
            out.append(
                CauseCategory(
                    key=str(entry["key"]),
                    name=str(entry.get("name") or entry["key"]),
                    keywords=tuple(str(k) for k in entry.get("keywords") or ()),
                    covered=tuple(str(k) for k in entry.get("covered") or ()),
                    measures=tuple(str(m).rstrip("。") for m in entry["measures"]),
                )
            )
        return tuple(out)

    if not isinstance(data, dict):
        raise LexiconError("顶层应为键值表（categories、general）", where=str(path))
    return Taxonomy(build(data.get("categories"), "categories"), build(data.get("general"), "general"))


@cache
def load_taxonomy(overlay: str | None = None) -> Taxonomy:
    """Load ``causes.yaml`` from the user's lexicon folder if it has one, else the built-in file."""
    return _load_file(lexicon_file("causes.yaml", overlay))


class CauseClassifier:
    """Classify cause texts by taxonomy keywords, matched on jieba word boundaries."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        import jieba

        self.taxonomy = taxonomy
        self._tokenizer = _tokenizer()
        self._index: dict[str, list[str]] = {}
        self._cache: dict[str, tuple[CauseCategory, ...]] = {}  # a batch repeats the same causes
        for cat in taxonomy.categories:
            for word in cat.keywords:
                self._index.setdefault(word, []).append(cat.key)
                if len(word) > 1:
                    self._tokenizer.add_word(word, freq=2_000_000)
        del jieba

    def categories(self, text: str) -> list[CauseCategory]:
        """Categories whose keywords occur as words in ``text``, in taxonomy order."""
        if not text:
            return []
        cached = self._cache.get(text)
        if cached is None:
            words = set(self._tokenizer.lcut(text, HMM=False))
            keys = {key for word in words for key in self._index.get(word, ())}
            cached = self._cache[text] = tuple(c for c in self.taxonomy.categories if c.key in keys)
        return list(cached)

    def covered(self, category: CauseCategory, measures_text: str) -> bool:
        """Whether the form's own measures already answer this category."""
        return any(word in measures_text for word in category.covered)


def _tokenizer() -> Any:
    """A ``jieba.Tokenizer`` of our own over the checker's prepared dictionary (cached on disk).

    Our own, because the taxonomy's keywords added here must not change how the checker segments reports.
    """
    from reportgen.segment import tokenizer

    return tokenizer()


@cache
def classifier(overlay: str | None = None) -> CauseClassifier:
    return CauseClassifier(load_taxonomy(overlay))
