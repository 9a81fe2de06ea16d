from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import DATA, ROOT

from reportgen.checking import Checker, check, load_lexicon
from reportgen.errors import LexiconError

SHARED_KINDS = {"summary", "basic", "budget", "outputs", "benefits", "satisfaction", "deviation", "measures",
                "application", "other", "appendix"}


def test_builtin_lexicon_loads() -> None:
    lexicon = load_lexicon()
    assert SHARED_KINDS <= {k.kind for k in lexicon.kinds}
    assert {g.section for g in lexicon.groups} >= {"summary", "budget", "outputs", "benefits", "deviation",
                                                   "measures", "application", "document"}
    assert all(g.terms and g.explain for g in lexicon.groups)
    assert any(w.word == "预算执行率" for w in lexicon.words)
    assert [len(w.word) for w in lexicon.words] == sorted(len(w.word) for w in lexicon.words)  # short words first
    assert lexicon.placeholders[0].pattern.search("【待补充：原因】")
    assert load_lexicon() is lexicon  # cached


def test_overlay_replaces_files_one_by_one(tmp_path: Path) -> None:
    (tmp_path / "discouraged.yaml").write_text(
        "words:\n  - terms: [有力推动]\n    category: 空话\n    why: 空泛。\n    suggest: 写出做了什么。\n",
        encoding="utf-8",
    )
    (tmp_path / "causes.yaml").write_text("this: [is, the narrative's file, not ours", encoding="utf-8")
    lexicon = load_lexicon(tmp_path)
    assert [d.terms for d in lexicon.discouraged] == [("有力推动",)]
    assert lexicon.placeholders == ()  # the overlay's discouraged.yaml has no placeholders section
    assert lexicon.groups == load_lexicon().groups  # required.yaml still the built-in one
    assert lexicon.files["discouraged.yaml"] == tmp_path / "discouraged.yaml"
    assert lexicon.files["required.yaml"].parent == ROOT / "lexicon"

    draft = (DATA / "draft_clean.md").read_text(encoding="utf-8").replace("加大社区", "有力推动社区")
    result = check(draft, lexicon=tmp_path)
    assert [(p.kind, p.term) for p in result.problems] == [("discouraged", "有力推动")]
    assert not [p for p in check(draft).problems if p.kind == "discouraged"]


def test_overlay_terms_change_segmentation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPORTGEN_CACHE_DIR", str(tmp_path / "cache"))  # keep test dictionaries out of ~/.cache
    shutil.copy(ROOT / "lexicon" / "terms.txt", tmp_path / "terms.txt")
    (tmp_path / "required.yaml").write_text(
        "groups:\n  - id: hotline\n    name: 热线\n    section: document\n    terms: [热线办理]\n"
        "    explain: 写明热线办理情况。\n",
        encoding="utf-8",
    )
    text = "## 一、基本情况\n\n12345热线办理率100%。\n"
    # without the word in the dictionary 热线办理 is 热线/办理, found as a run of tokens either way
    assert check(text, lexicon=tmp_path).present[0].term == "热线办理"
    with (tmp_path / "terms.txt").open("a", encoding="utf-8") as f:
        f.write("热线办理率\n")
    other = tmp_path / "with-word"
    shutil.copytree(tmp_path, other)
    checker = Checker(load_lexicon(other))
    assert checker.segmenter.cut("12345热线办理率") == ["12345", "热线办理率"]
    # now a term inside the lexicon word 热线办理率
    assert checker.check(text).present[0].term == "热线办理"


@pytest.mark.parametrize(
    ("name", "content", "line", "words"),
    [
        ("required.yaml", "groups:\n  - id: a\n    section: budget\n    terms: [执行率\n", 5, "YAML 格式错误"),
        ("required.yaml", "groups:\n  - id: a\n    section: budjet\n    terms: [执行率]\n", 2, "budjet"),
        ("required.yaml", "groups:\n  - id: a\n    section: budget\n    term: [执行率]\n", 2, "不认识的键"),
        ("required.yaml", "groups:\n  - id: a\n    section: budget\n    terms: [执行率]\n    min: 0\n", 2, "min"),
        ("required.yaml", "groups:\n  - id: a\n    section: budget\n    terms: []\n", 2, "“terms”"),
        ("required.yaml", "groups:\n  - id: a\n    section: budget\n    terms: [执行率]\n    level: must\n", 2,
         "level"),
        ("required.yaml", "grups: []\n", 1, "groups:"),
        ("discouraged.yaml", "words: []\nplaceholders:\n  - pattern: \"【待补充\"\n  - pattern: \"(\"\n", 4,
         "正则表达式"),
        ("discouraged.yaml", "words:\n  - terms: [大概]\n    when: always\n", 2, "when"),
        ("sections.yaml", "kinds:\n  - kind: budget\n    words: [预算]\n    if_absent: maybe\n", 2, "if_absent"),
        ("terms.txt", "# 注释\n预算执行率\n预算执行率 很多\n", 3, "词频"),
        ("terms.txt", "预算执行率 100 n extra\n", 1, "无法识别"),
    ],
)
def test_malformed_lexicon_names_file_and_line(tmp_path: Path, name: str, content: str, line: int, words: str) -> None:
    (tmp_path / name).write_text(content, encoding="utf-8")
    with pytest.raises(LexiconError) as info:
        load_lexicon(tmp_path)
    assert info.value.where == f"{tmp_path / name}:{line}"
    assert words in str(info.value)
    assert info.value.exit_code == 2


def test_missing_overlay_directory(tmp_path: Path) -> None:
    with pytest.raises(LexiconError, match="词库目录不存在"):
        load_lexicon(tmp_path / "nope")


def test_terms_file_accepts_tags_and_frequencies(tmp_path: Path) -> None:
    (tmp_path / "terms.txt").write_text("绩效自评 n\n预算执行率 3000 n\n三会一课 20\n", encoding="utf-8")
    words = {w.word: (w.freq, w.tag) for w in load_lexicon(tmp_path).words}
    assert words == {"绩效自评": (None, "n"), "预算执行率": (3000, "n"), "三会一课": (20, None)}
