"""Find lexicon terms in a draft at token boundaries: Aho-Corasick for candidates, jieba to judge.

The rule (docs/lexicon.md): a term is present where its own segmentation, by the same
tokenizer, appears as a contiguous run of the text's tokens — so 公开 is not found in
办公开支 (办公/开支) although the characters sit side by side. A term inside a single token
that is itself a lexicon word counts too (服务对象满意度 inside 服务对象满意度指标).

Segmenting a whole 6,000-character report costs more than the check may take, so only the
runs of characters around a candidate are segmented. jieba cuts each run of word characters
(its ``re_han_default``) independently and makes every other character a token of its own, so
the tokens of a run are the same whether it is cut alone or inside the whole text.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from reportgen.checking.document import Line
from reportgen.segment import BLOCK, Segmenter


@dataclass(frozen=True)
class Hit:
    """A term found at token boundaries: line index in the draft, span within the line's text."""

    index: int
    start: int
    end: int
    term: str


class TermMatcher:
    """The prepared automaton and term segmentations for one lexicon; shared across drafts."""

    def __init__(self, terms: Iterable[str], segmenter: Segmenter, lexicon_words: Iterable[str]) -> None:
        import ahocorasick

        self.segmenter = segmenter
        self.lexicon_words = frozenset(lexicon_words)
        self.tokens: dict[str, tuple[str, ...]] = {}
        self.automaton = ahocorasick.Automaton()
        for term in terms:
            if term and term not in self.tokens:
                self.tokens[term] = segmenter.cut_term(term)
                self.automaton.add_word(term, term)
        if self.tokens:
            self.automaton.make_automaton()

    def scan(self, lines: list[Line]) -> Scan:
        """Find every candidate occurrence of every term in ``lines`` (cheap: no segmentation yet)."""
        return Scan(self, lines)


class Scan:
    """Candidates of one draft, judged lazily: a run of characters is segmented once, when needed."""

    def __init__(self, matcher: TermMatcher, lines: list[Line]) -> None:
        self.matcher = matcher
        self.lines = lines
        self.candidates: dict[str, list[tuple[int, int, int]]] = {}
        self._blocks: dict[int, tuple[list[int], list[int]]] = {}
        self._cuts: dict[tuple[int, int, int], tuple[list[str], dict[int, int], list[int]]] = {}
        if not matcher.tokens:
            return
        starts: list[int] = []
        offset = 0
        for line in lines:
            starts.append(offset)
            offset += len(line.text) + 1
        joined = "\n".join(line.text for line in lines)
        for end, term in matcher.automaton.iter(joined):
            start = end - len(term) + 1
            i = bisect_right(starts, start) - 1
            self.candidates.setdefault(term, []).append((i, start - starts[i], end + 1 - starts[i]))

    def hits(self, terms: Iterable[str], indices: set[int] | None = None) -> Iterator[Hit]:
        """Yield the occurrences of ``terms`` that pass the boundary rule, in document order."""
        # document order; at one position the longest term first (产出指标 before 产出)
        found = sorted(
            (i, s, -e, t)
            for t in set(terms)
            for i, s, e in self.candidates.get(t, ())
            if indices is None or i in indices
        )
        for i, s, neg_e, term in found:
            e = -neg_e
            if self.judge(i, s, e, term):
                yield Hit(i, s, e, term)

    # --- boundary judgement -----------------------------------------------------------------
    def _block_spans(self, i: int) -> tuple[list[int], list[int]]:
        spans = self._blocks.get(i)
        if spans is None:
            found = [(m.start(), m.end()) for m in BLOCK.finditer(self.lines[i].text)]
            spans = self._blocks[i] = ([a for a, _ in found], [b for _, b in found])
        return spans

    def _region(self, i: int, s: int, e: int) -> tuple[int, int]:
        starts, ends = self._block_spans(i)
        k = bisect_right(starts, s) - 1
        if k >= 0 and s < ends[k]:
            s = starts[k]
        k = bisect_right(starts, e - 1) - 1
        if k >= 0 and e - 1 < ends[k]:
            e = ends[k]
        return s, e

    def _cut(self, i: int, s: int, e: int) -> tuple[list[str], dict[int, int], list[int]]:
        key = (i, s, e)
        cut = self._cuts.get(key)
        if cut is None:
            tokens = self.matcher.segmenter.cut(self.lines[i].text[s:e])
            offsets = [s]
            for t in tokens:
                offsets.append(offsets[-1] + len(t))
            cut = self._cuts[key] = (tokens, {o: n for n, o in enumerate(offsets)}, offsets)
        return cut

    def judge(self, i: int, s: int, e: int, term: str) -> bool:
        """Decide whether the candidate ``term`` at ``[s, e)`` of line ``i`` sits on token boundaries."""
        rs, re_ = self._region(i, s, e)
        tokens, at, offsets = self._cut(i, rs, re_)
        a, b = at.get(s), at.get(e)
        if a is not None and b is not None:
            run = tuple(t for t in tokens[a:b] if not t.isspace())
            if run == self.matcher.tokens[term]:
                return True
        # inside one token that is a lexicon word (服务对象满意度 in 服务对象满意度指标)
        k = bisect_right(offsets, s) - 1
        return 0 <= k < len(tokens) and offsets[k + 1] >= e and tokens[k] in self.matcher.lexicon_words
