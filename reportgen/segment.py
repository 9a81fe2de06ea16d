"""Segment Chinese text with jieba, the lexicon's words kept whole; normalise text and terms alike.

One ``Segmenter`` per process and user dictionary (``segmenter(words)``). jieba's own start-up
unmarshals a 500,000-entry prefix dictionary (about a second on a shared machine) and caches it
in the system temp directory, which is world-writable: anyone on the machine could plant a
dictionary there. So we prepare the dictionary ourselves — jieba's ``dict.txt`` plus the user
words, exactly as ``Tokenizer.add_word`` would apply them — and store it in the user's cache
directory (platformdirs; ``REPORTGEN_CACHE_DIR`` overrides it), split into one small block per
first character. A process then loads only the blocks for the characters it actually segments:
jieba looks up nothing but words that start at a character of the text, so the result is the
same as with the whole dictionary in memory.
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import os
import re
import struct
import sys
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from reportgen.errors import LexiconError
from reportgen.resources import lexicon_dir

# the frequency of a user word given without one. jieba's suggest_freq gives just enough to beat the
# word's own parts, so any overlapping dictionary word wins in context (下年度预算安排 → 年度预算/安排);
# 1,000 keeps 预算安排 whole there while 预算数据 still reads 预算/数据, not 预算数/据
MIN_FREQ = 1000

# bump when the cache layout changes, so stale files are ignored rather than misread
_FORMAT = 2
_MAGIC = b"RGJB"

# full-width ASCII forms (！ … ～) and the ideographic / no-break spaces → their half-width forms.
# re.sub with a lookup beats str.translate with a dict fourfold on Chinese text (translate looks up
# every character; the regex only visits the few full-width ones)
_WIDE = re.compile("[\uff01-\uff5e\u3000\xa0]")
_HALF = {chr(code): chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)} | {"\u3000": " ", "\xa0": " "}
# a space next to a Chinese character carries no meaning ("PPP 项目" is "PPP项目"); between Latin words it does
_SPACE_NEAR_CJK = re.compile(r"[ \t]+(?=[^\x00-\x7f])|(?<=[^\x00-\x7f])[ \t]+")
_SPACES = re.compile(r"[ \t]{2,}")

# jieba segments each run of these characters on its own (its ``re_han_default``); every other
# character is a token by itself. Mirrored here so a caller can find the run around a position.
BLOCK = re.compile("[\u4e00-\u9fd5a-zA-Z0-9+#&._%\\-]+")


def normalize(text: str) -> str:
    """Fold full-width forms to half-width and drop spaces beside Chinese characters."""
    text = _WIDE.sub(lambda m: _HALF[m[0]], text)
    if " " in text or "\t" in text:
        text = _SPACES.sub(" ", _SPACE_NEAR_CJK.sub("", text))
    return text


@dataclass(frozen=True)
class UserWord:
    """One line of a jieba user dictionary: word, optional frequency and part-of-speech tag."""

    word: str
    freq: int | None = None
    tag: str | None = None


def cache_dir() -> Path:
    """Return the per-user cache directory for prepared dictionaries (created private on demand)."""
    override = os.environ.get("REPORTGEN_CACHE_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir("reportgen", appauthor=False))


def _import_jieba() -> Any:
    # jieba's _compat imports pkg_resources only to open dict.txt; that costs ~80 ms and emits a
    # DeprecationWarning. With the import refused jieba opens the file by path instead.
    blocked = "pkg_resources" not in sys.modules
    if blocked:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]
    try:
        import jieba
    finally:
        if blocked and sys.modules.get("pkg_resources") is None:
            del sys.modules["pkg_resources"]
    jieba.setLogLevel(logging.WARNING)  # jieba logs "Building prefix dict…" to stderr at DEBUG
    return jieba


def _cache_key(jieba: Any, words: Sequence[UserWord]) -> str:
    dict_file = Path(jieba.__file__).with_name("dict.txt")
    stat = dict_file.stat()
    h = hashlib.sha256(f"{_FORMAT}|{jieba.__version__}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    for w in words:
        h.update(f"\n{w.word}\t{w.freq}\t{w.tag}".encode())
    return h.hexdigest()[:20]


class PreparedDictionary:
    """jieba's prefix dictionary with user words applied, readable one first-character block at a time."""

    def __init__(self, total: int, index: dict[str, tuple[int, int]], data: bytes, path: Path | None) -> None:
        self.total = total
        self.index = index
        self.data = data
        self.path = path

    @classmethod
    def build(cls, jieba: Any, words: Sequence[UserWord]) -> PreparedDictionary:
        """Build from jieba's dict.txt and the user words (about a second; done once per cache)."""
        tk = jieba.Tokenizer()
        freq, total = tk.gen_pfdict(tk.get_dict_file())
        tk.FREQ, tk.total, tk.initialized = freq, total, True
        for w in words:
            freq = w.freq if w.freq is not None else max(tk.suggest_freq(w.word, False), MIN_FREQ)
            tk.add_word(w.word, freq, w.tag)
        blocks: dict[str, dict[str, int]] = {}
        for word, f in tk.FREQ.items():
            blocks.setdefault(word[0], {})[word] = f
        index: dict[str, tuple[int, int]] = {}
        parts: list[bytes] = []
        offset = 0
        for ch in sorted(blocks):
            blob = marshal.dumps(blocks[ch])
            index[ch] = (offset, len(blob))
            parts.append(blob)
            offset += len(blob)
        return cls(tk.total, index, b"".join(parts), None)

    def to_bytes(self) -> bytes:
        """Serialise as stored in the cache: magic, header (format, total, index), blocks."""
        header = marshal.dumps((_FORMAT, self.total, self.index))
        return _MAGIC + struct.pack("<I", len(header)) + header + self.data

    @classmethod
    def from_bytes(cls, raw: bytes, path: Path | None = None) -> PreparedDictionary:
        """Read what ``to_bytes`` wrote; raise ValueError for anything else."""
        if raw[:4] != _MAGIC:
            raise ValueError("not a prepared dictionary")
        (size,) = struct.unpack("<I", raw[4:8])
        fmt, total, index = marshal.loads(raw[8 : 8 + size])
        if fmt != _FORMAT:
            raise ValueError("stale format")
        return cls(total, index, raw[8 + size :], path)

    def block(self, ch: str) -> dict[str, int] | None:
        """Return the dictionary entries starting with ``ch`` (None when no word starts with it)."""
        place = self.index.get(ch)
        if place is None:
            return None
        offset, size = place
        return marshal.loads(self.data[offset : offset + size])


def _private_dir(path: Path) -> Path | None:
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None
    # never trust a cache directory another user can write to
    st = path.stat()
    if hasattr(os, "getuid") and (st.st_uid != os.getuid() or st.st_mode & 0o022):
        return None
    return path


def prepare(words: Sequence[UserWord], directory: Path | None = None) -> PreparedDictionary:
    """Load the prepared dictionary for ``words`` from the cache, building and storing it when absent."""
    jieba = _import_jieba()
    key = _cache_key(jieba, words)
    folder = _private_dir(directory or cache_dir())
    path = folder / f"jieba-{key}.dict" if folder else None
    if path is not None and path.is_file():
        try:
            return PreparedDictionary.from_bytes(path.read_bytes(), path)
        except (OSError, ValueError, EOFError, TypeError, struct.error):
            pass  # a damaged or stale file is rebuilt below
    prepared = PreparedDictionary.build(jieba, words)
    if path is not None:
        try:
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".jieba-")
            with os.fdopen(fd, "wb") as out:
                out.write(prepared.to_bytes())
            os.replace(tmp, path)  # atomic: parallel workers never read a half-written file
            prepared.path = path
        except OSError:
            pass  # a read-only cache only costs start-up time
    return prepared


_LAZY_CLASS: Any = None


def _lazy_tokenizer_class(jieba: Any) -> Any:
    """Return a jieba.Tokenizer subclass that reads dictionary blocks as characters appear."""
    global _LAZY_CLASS
    if _LAZY_CLASS is not None:
        return _LAZY_CLASS

    class LazyTokenizer(jieba.Tokenizer):
        """jieba's tokenizer over a PreparedDictionary: a block is loaded before a word starting with
        one of its characters can be looked up (get_DAG) or changed (add_word)."""

        def __init__(self, prepared: PreparedDictionary) -> None:
            super().__init__()
            self.prepared = prepared
            self.FREQ: dict[str, int] = {}
            self.total = prepared.total
            self.initialized = True
            self._seen: set[str] = set()
            self._load_lock = threading.Lock()

        def _ensure(self, text: str) -> None:
            missing = set(text) - self._seen
            if not missing:
                return
            with self._load_lock:
                for ch in missing:
                    if ch not in self._seen:
                        block = self.prepared.block(ch)
                        if block:
                            # add_word reads a word's blocks first, so no added word is overwritten here
                            self.FREQ.update(block)
                        self._seen.add(ch)

        def get_DAG(self, sentence: str) -> dict[int, list[int]]:
            self._ensure(sentence)
            dag: dict[int, list[int]] = super().get_DAG(sentence)
            return dag

        def add_word(self, word: str, freq: int | None = None, tag: str | None = None) -> None:
            self._ensure(word)
            super().add_word(word, freq, tag)

    _LAZY_CLASS = LazyTokenizer
    return LazyTokenizer


_CUT_CACHE = 20_000  # runs of text whose tokens a Segmenter keeps


class Segmenter:
    """The checker's tokenizer: a prepared dictionary read block by block, never changed after start-up."""

    def __init__(self, words: Sequence[UserWord] = (), *, directory: Path | None = None) -> None:
        jieba = _import_jieba()
        self.words = tuple(words)
        self.prepared = prepare(self.words, directory)
        self._tk = _lazy_tokenizer_class(jieba)(self.prepared)
        # the same short runs recur in report after report (the templates' wording around a term): four
        # cuts in five of a batch are of a run already cut (measured on 300 synthetic reports)
        self._cuts: dict[str, tuple[str, ...]] = {}

    def cut(self, text: str) -> list[str]:
        """Segment ``text`` (already normalised) exactly as ``jieba.cut(text, HMM=False)`` would."""
        tokens = self._cuts.get(text)
        if tokens is None:
            # HMM off: the HMM guesses new words, which would make a term's tokens depend on its neighbours
            tokens = tuple(self._tk.cut(text, HMM=False))
            if len(self._cuts) >= _CUT_CACHE:
                self._cuts.clear()  # (a bound, not an LRU: a batch's recurring runs come back at once)
            self._cuts[text] = tokens
        return list(tokens)

    def forget(self) -> None:
        """Drop the kept tokens: the next cut of every text segments it afresh (benchmarks measure that)."""
        self._cuts.clear()

    def cut_term(self, term: str) -> tuple[str, ...]:
        """Return the tokens of a (normalised) term by the same tokenizer."""
        return tuple(t for t in self.cut(term) if not t.isspace())


_SEGMENTERS: dict[tuple[UserWord, ...], Segmenter] = {}
_SEGMENTERS_LOCK = threading.Lock()


def segmenter(words: Sequence[UserWord] = ()) -> Segmenter:
    """Return this process's Segmenter for a user dictionary (one per distinct word list)."""
    key = tuple(words)
    with _SEGMENTERS_LOCK:
        seg = _SEGMENTERS.get(key)
        if seg is None:
            seg = _SEGMENTERS[key] = Segmenter(key)
        return seg


def tokenizer(words: Sequence[UserWord] | None = None) -> Any:
    """Return a new ``jieba.Tokenizer`` over the prepared dictionary, for callers that add their own words.

    ``words`` defaults to the built-in lexicon's terms.txt, whose prepared dictionary the checker
    already keeps in the cache. Each call returns a separate tokenizer: a caller's ``add_word``
    must not change how the checker segments, or a report would check differently depending on
    what else ran in the process.
    """
    jieba = _import_jieba()
    if words is None:
        words = _builtin_terms()
    existing = _SEGMENTERS.get(tuple(words))
    prepared = existing.prepared if existing is not None else prepare(tuple(words))
    return _lazy_tokenizer_class(jieba)(prepared)


@cache
def _builtin_terms() -> tuple[UserWord, ...]:
    # the shipped terms.txt; the checker reads the same file (and a user's overlay) through read_terms
    return read_terms(lexicon_dir() / "terms.txt")


# -- the user dictionary format (terms.txt): read here, where it is used, so that composing (narrative/causes
# tokenizes cause texts) never imports the checker

_TERM_LINE = re.compile(r"^(\S+)(?:\s+(\S+))?(?:\s+(\S+))?$")


def read_terms(path: Path) -> tuple[UserWord, ...]:
    """Read a jieba user dictionary: ``word [freq] [tag]`` per line, ``#`` comments allowed."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError as exc:
        raise LexiconError("词典文件不是 UTF-8 编码", where=str(path), hint="请用 UTF-8 保存该文件") from exc
    except OSError as exc:
        raise LexiconError(f"无法读取词典文件：{exc.strerror or exc}", where=str(path)) from exc
    words: list[UserWord] = []
    for n, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = _TERM_LINE.match(line)
        if not m:
            raise LexiconError(
                f"无法识别“{line}”：每行应是“词语 [词频] [词性]”",
                where=f"{path}:{n}",
                hint="词语中不能有空格；词频是正整数，可省略",
            )
        word, freq, tag = m.groups()
        if freq is not None and not freq.isdigit():
            if tag is None and re.fullmatch(r"[a-zA-Z]+", freq):
                freq, tag = None, freq  # "词语 n": jieba accepts a tag without a frequency
            else:
                raise LexiconError(f"词频“{freq}”不是整数", where=f"{path}:{n}", hint="写正整数，或省略词频")
        words.append(UserWord(normalize(word), int(freq) if freq else None, tag))
    # shorter words first: jieba suggests a new word's frequency from its current segmentation,
    # so "预算执行率" must be added after "执行率" or adding "执行率" would split it again
    return tuple(sorted(words, key=lambda w: len(w.word)))
