from __future__ import annotations

import os
import stat
from pathlib import Path

import jieba
import pytest

from reportgen.checking import load_lexicon
from reportgen.checking.document import from_text
from reportgen.checking.terms import TermMatcher
from reportgen.segment import (
    BLOCK,
    PreparedDictionary,
    Segmenter,
    UserWord,
    cache_dir,
    normalize,
    prepare,
    segmenter,
)

TERMS = ["公开", "PPP模式", "12345热线", "5G基站", "花钱必问效、无效必问责", "服务对象满意度", "可能", "非常",
         "估计", "执行率", "预算安排", "满意度"]


@pytest.fixture(scope="module")
def matcher() -> TermMatcher:
    lexicon = load_lexicon()
    return TermMatcher(TERMS, segmenter(lexicon.words), [w.word for w in lexicon.words])


def found(matcher: TermMatcher, text: str) -> tuple[list[str], list[str]]:
    """Terms found by raw substring search and by token matching."""
    scan = matcher.scan(from_text(text).lines)
    return sorted(scan.candidates), sorted({h.term for h in scan.hits(matcher.tokens)})


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("结果按规定向社会公开", ["公开"]),
        ("采用PPP模式建设", ["PPP模式"]),
        ("ＰＰＰ 模式", ["PPP模式"]),  # full-width letters and a space beside Chinese are normalised away
        ("拨打12345热线反映", ["12345热线"]),
        ("新建5G基站20座", ["5G基站"]),
        ("坚持花钱必问效、无效必问责", ["花钱必问效、无效必问责"]),
        ("预算执行率为100%", ["执行率"]),  # inside the lexicon word 预算执行率
        ("服务对象满意度指标得10分", ["服务对象满意度", "满意度"]),
        ("下年度预算安排", ["预算安排"]),
    ],
)
def test_terms_found_at_token_boundaries(matcher: TermMatcher, text: str, tokens: list[str]) -> None:
    assert found(matcher, text)[1] == tokens


@pytest.mark.parametrize(
    ("text", "substring"),
    [
        ("办公开支合计3万元", "公开"),  # 办公/开支: the characters sit side by side across two words
        ("采用PPPP模式", "PPP模式"),  # PPPP/模式: Latin letters
        ("912345热线", "12345热线"),  # 912345/热线: digits
        ("15G基站", "5G基站"),
        ("可能性不大", "可能"),  # inside a jieba word that is not a lexicon word
        ("非常规做法", "非常"),
        ("估计数为10万元", "估计"),
    ],
)
def test_raw_substring_search_is_wrong_where_tokens_are_right(matcher: TermMatcher, text: str, substring: str) -> None:
    candidates, tokens = found(matcher, text)
    assert substring in candidates  # a substring search would report it
    assert substring not in tokens  # the token rule does not


def test_term_with_punctuation_needs_its_own_punctuation(matcher: TermMatcher) -> None:
    assert found(matcher, "花钱必问效，无效必问责")[1] == []  # a comma is not 、


def test_normalize_folds_width_and_spaces() -> None:
    assert normalize("ＰＰＰ 项目，执行率１００％") == "PPP项目,执行率100%"
    assert normalize("PPP  project 推进") == "PPP project推进"
    assert normalize("全年\u3000预算") == "全年预算"


def test_segmenter_agrees_with_jieba(tmp_path: Path) -> None:
    """The lazily loaded prepared dictionary segments exactly as jieba with the same words added."""
    words = (UserWord("预算执行率"), UserWord("服务对象满意度指标"), UserWord("得分", 5000))
    text = normalize(
        (Path(__file__).parent / "data" / "draft_clean.md").read_text(encoding="utf-8").replace("\n", "。")
    )
    ours = Segmenter(words, directory=tmp_path)
    reference = jieba.Tokenizer()
    reference.FREQ, reference.total = reference.gen_pfdict(reference.get_dict_file())
    reference.initialized = True
    for w in words:
        reference.add_word(w.word, w.freq or max(reference.suggest_freq(w.word, False), 1000))
    assert ours.cut(text) == list(reference.cut(text, HMM=False))
    # the second cut of a text comes from the cache: the same tokens, and a list of the caller's own
    again = ours.cut(text)
    again.append("改动")
    assert ours.cut(text) == list(reference.cut(text, HMM=False))
    ours.forget()
    assert not ours._cuts and ours.cut(text) == list(reference.cut(text, HMM=False))
    for sentence in text.split("。")[:40]:
        assert ours.cut(sentence) == ours.cut(sentence) == list(reference.cut(sentence, HMM=False))


@pytest.fixture
def cheap_build(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    """Replace the one-second dictionary build by a tiny one; record what was built."""
    built: list[tuple[str, ...]] = []

    def build(cls: type[PreparedDictionary], jieba: object, words: tuple[UserWord, ...]) -> PreparedDictionary:
        built.append(tuple(w.word for w in words))
        return cls(len(words), {w.word[0]: (0, 0) for w in words}, b"", None)

    monkeypatch.setattr(PreparedDictionary, "build", classmethod(build))
    return built


def test_prepared_dictionary_is_cached_privately(tmp_path: Path, cheap_build: list[tuple[str, ...]]) -> None:
    folder = tmp_path / "cache"
    words = (UserWord("绩效自评"),)
    first = prepare(words, folder)
    (path,) = folder.glob("jieba-*.dict")
    assert first.path == path
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0
    again = prepare(words, folder)  # read back from the cache, not built again
    assert (again.index, again.total, again.path) == (first.index, first.total, path)
    assert cheap_build == [("绩效自评",)]
    prepare((UserWord("单位自评"),), folder)  # another dictionary, another file
    assert len(list(folder.glob("jieba-*.dict"))) == 2
    path.write_bytes(b"garbage")  # a damaged cache is rebuilt, not trusted
    assert prepare(words, folder).index == first.index
    assert cheap_build == [("绩效自评",), ("单位自评",), ("绩效自评",)]


def test_cache_refuses_a_shared_writable_directory(tmp_path: Path, cheap_build: list[tuple[str, ...]]) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)
    prepared = prepare((UserWord("绩效自评"),), shared)
    assert prepared.path is None and not list(shared.iterdir())


def test_default_cache_is_the_user_cache_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REPORTGEN_CACHE_DIR", raising=False)
    default = cache_dir()
    assert default.name == "reportgen" and not str(default).startswith("/tmp")
    monkeypatch.setenv("REPORTGEN_CACHE_DIR", "/somewhere/else")
    assert cache_dir() == Path("/somewhere/else")


def test_prepared_dictionary_round_trips() -> None:
    prepared = PreparedDictionary(10, {"a": (0, 3)}, b"xyz", None)
    restored = PreparedDictionary.from_bytes(prepared.to_bytes())
    assert (restored.total, restored.index, restored.data) == (10, {"a": (0, 3)}, b"xyz")
    with pytest.raises(ValueError):
        PreparedDictionary.from_bytes(b"nope")


def test_tokenizer_for_other_callers_is_separate_from_the_checker() -> None:
    from reportgen.segment import tokenizer

    words = load_lexicon().words
    checker_seg = segmenter(words)
    before = checker_seg.cut("由于资金拨付滞后，疫情防控")
    tk = tokenizer()
    tk.add_word("资金拨付滞后", freq=2_000_000)
    tk.add_word("疫情", freq=2_000_000)  # a dictionary word: its block is read first, so the boost stays
    assert tk.lcut("由于资金拨付滞后，疫情防控", HMM=False) == ["由于", "资金拨付滞后", "，", "疫情", "防控"]
    assert tk.FREQ["疫情"] == 2_000_000
    assert checker_seg.cut("由于资金拨付滞后，疫情防控") == before  # the checker's dictionary is untouched
    assert tokenizer().lcut("由于资金拨付滞后", HMM=False) != ["由于", "资金拨付滞后"]


def test_block_pattern_mirrors_jieba() -> None:
    sample = "预算执行率100%，PPP项目（2020年度）a+b#c&d_e.f-g 花钱必问效、无效必问责【待补充】"
    ours = [m.group() for m in BLOCK.finditer(sample)]
    theirs = [b for b in jieba.re_han_default.split(sample) if b and jieba.re_han_default.match(b)]
    assert ours == theirs
