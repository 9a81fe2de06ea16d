"""wording.yaml: the phrases Python fills in, overlaid key by key by a --templates folder's copy."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, SEED_EXAMPLE

import reportgen
from reportgen import evaluate, load
from reportgen.errors import TemplateError
from reportgen.narrative import Composer
from reportgen.narrative.wording import load_wording
from reportgen.resources import templates_dir

WATER = ROOT / "examples" / "农村饮水工程维修养护-2021.yaml"
HEALTH = ROOT / "examples" / "基本公共卫生服务-2022.yaml"


def _user(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "wording.yaml").write_text(text, encoding="utf-8")
    return folder


def test_every_shipped_phrase_fills_with_its_own_fields() -> None:
    wording = load_wording(templates_dir() / "wording.yaml")
    assert wording.phrases, "wording.yaml has phrases"
    for key, phrasings in wording.phrases.items():
        for i, phrase in enumerate(phrasings):
            fields = {name: f"<{name}>" for name in re.findall(r"\{(\w+)\}", phrase)}
            said = wording.say(key, i, **fields)
            assert "{" not in said and "}" not in said, key


def test_a_user_phrase_changes_the_report_and_the_rest_stays_shipped(tmp_path: Path) -> None:
    ev = evaluate(load(WATER))
    shipped = Composer().compose(ev).markdown
    assert "【待补充：预算执行率偏低的原因】" in shipped
    folder = _user(tmp_path, "phrases:\n  gaps:\n    budget_low: 预算执行率低于85%的具体原因\n")
    report = Composer(templates=folder).compose(ev)
    assert "【待补充：预算执行率低于85%的具体原因】" in report.markdown
    assert "【待补充：预算执行率偏低的原因】" not in report.markdown
    # everything else is as shipped: only that phrase differs
    assert report.markdown.replace("预算执行率低于85%的具体原因", "预算执行率偏低的原因") == shipped


def test_a_user_file_of_completion_words_only_still_reads(tmp_path: Path) -> None:
    text = (templates_dir() / "wording.yaml").read_text(encoding="utf-8").split("\nphrases:")[0]
    folder = _user(tmp_path, text)
    ev = evaluate(load(HEALTH))
    assert Composer(templates=folder).compose(ev).markdown == Composer().compose(ev).markdown


def test_the_short_name_introduction_is_wording(tmp_path: Path) -> None:
    ev = evaluate(load(HEALTH))
    assert "（以下简称“" in Composer().compose(ev).markdown
    folder = _user(tmp_path, "phrases:\n  short_name: \"{full}（简称“{short}”）\"\n")
    markdown = Composer(templates=folder).compose(ev).markdown
    assert "（以下简称“" not in markdown and "（简称“" in markdown


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("phrases:\n  gaps:\n    budget_lo: 原因\n", "不是已有的用语"),
        ("phrases:\n  gaps:\n    deducted: \"“{indicator}”的原因\"\n", "不是该用语可用的字段"),
        ("phrases:\n  measures:\n    lead: 3\n", "格式不正确"),
        ("phrases: [a, b]\n", "格式不正确"),
    ],
    ids=["unknown-key", "unknown-field", "not-text", "not-a-mapping"],
)
def test_a_wrong_user_phrase_is_a_template_error_naming_the_file(tmp_path: Path, text: str, message: str) -> None:
    folder = _user(tmp_path, text)
    with pytest.raises(TemplateError, match=message) as caught:
        Composer(templates=folder)
    assert "wording.yaml" in str(caught.value.where)


def test_measure_lead_ins_are_listed_and_each_one_is_used() -> None:
    wording = load_wording(templates_dir() / "wording.yaml")
    ev = evaluate(load(WATER))
    leads = wording.choices("measures.lead")
    seen = set()
    for force in range(len(leads)):
        measures = Composer().compose(ev, force=force).markdown.split("改进措施", 1)[-1]
        seen.update(lead for lead in leads if lead in measures)
    assert seen == set(leads)


def _seed_saying(tmp_path: Path, outline: str, analysis: list[str], measures: list[str]) -> str:
    """The seed example's report in ``outline`` with the form's general causes and measures replaced."""
    data = yaml.safe_load(SEED_EXAMPLE.read_text(encoding="utf-8"))
    data["deviation_analysis"] = analysis
    data["improvement_measures"] = measures
    form = tmp_path / "表.yaml"
    form.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return reportgen.render(form, outline=outline).markdown


@pytest.mark.parametrize("outline", ["default", "mof", "transfer", "summary", "department"])
def test_items_the_form_numbers_itself_are_not_numbered_twice(tmp_path: Path, outline: str) -> None:
    """A cause or measure the form writes as "一是……" or "（1）……" is listed once by the report's own numbering,
    never "一是一是" or "1.（1）"."""
    md = _seed_saying(tmp_path, outline, ["一是各社区公共文化服务基础设施建设不足。", "（2）资金使用指导还需加强。"],
                      ["1、优化社区惠民资金的使用方向。", "二是加大社区便民设施的资金投入。"])
    assert "各社区公共文化服务基础设施建设不足" in md and "加大社区便民设施的资金投入" in md
    marks = r"(?:[一二三四五六七八九十]是|（\d）|\d、)"
    for doubled in re.findall(rf"(?:[一二三四五六七八九十]是|\d+\.|原因是|原因在于|整体看，){marks}", md):
        pytest.fail(f"numbered twice: {doubled}")


@pytest.mark.parametrize("outline", ["default", "mof", "summary"])
def test_a_cause_numbering_its_own_items_follows_a_colon(tmp_path: Path, outline: str) -> None:
    """ "主要原因是一是A；二是B" reads as a slip: a cause that enumerates itself comes after "原因：". """
    data = yaml.safe_load(SEED_EXAMPLE.read_text(encoding="utf-8"))
    deducted = [i for i in data["indicators"] if i.get("score") is not None and i["score"] < i["weight"]]
    assert len(deducted) >= 2
    for i in deducted:
        i["cause"] = "一是活动经费到位较晚；二是部分社区活动场地不足"
    form = tmp_path / "表.yaml"
    form.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    md = reportgen.render(form, outline=outline).markdown
    # never "原因是一是", "（一是A）" or a second 一是 list inside the summary's own
    assert not re.search(r"(?:是|为|在于|因为|，|（)一是活动经费", md), re.findall(r".{12}一是活动经费", md)
    if outline == "summary":  # one paragraph listing 一是……二是……: the cause is said as one clause in it
        assert "原因在于活动经费到位较晚，部分社区活动场地不足；" in md or "原因是活动经费到位较晚，部分社区活动场地不足；" in md
    else:  # a numbered paragraph of its own: the form's list after a colon
        assert "原因：一是活动经费到位较晚；二是部分社区活动场地不足。" in md
    assert "（活动经费到位较晚）" in md  # the measure answering it quotes the first item, unnumbered


@pytest.mark.parametrize("outline", ["default", "mof", "transfer", "summary", "department"])
def test_an_item_numbering_its_own_points_inside_a_numbered_list_reads_as_one_item(tmp_path: Path, outline: str) -> None:
    """An item of the report's own "一是……；二是……" list that numbers its own points ("一是A；二是B") is said as one
    clause there ("一是A，B；二是C"), never "一是一是A；二是B；二是C" — two lists run into one."""
    md = _seed_saying(tmp_path, outline, ["一是项目前期论证不充分；二是资金拨付进度偏慢。", "绩效目标设置不够细化。"],
                      ["一是加强项目前期论证；二是加快资金拨付进度。", "细化绩效目标设置。"])
    assert "项目前期论证不充分" in md and "加强项目前期论证" in md
    for said in re.findall(r".{6}(?:项目前期论证不充分|加强项目前期论证).{12}", md):
        # after a colon or a numbered paragraph's own number the form's list may stand as written; after the
        # report's own 一是 it may not
        assert not re.search(r"[一二三四五六七八九十]是[一二三四五六七八九十]是", said), said
        own_list = re.search(r"[一二三四五六七八九十]是(?:项目前期论证不充分|加强项目前期论证)；二是", said)
        assert not own_list or "：一是" in said or re.search(r"\d\.一是", said), said


@pytest.mark.parametrize("outline", ["default", "mof", "transfer", "summary", "department"])
def test_operators_in_the_forms_free_text_are_written_with_standard_glyphs(tmp_path: Path, outline: str) -> None:
    """Causes, measures and the summary of results typed with look-alike operators (≧ ≦ ＝ >=) read in the
    report with the glyphs its own prose uses (≥ ≤ =), wherever they are quoted."""
    data = yaml.safe_load(SEED_EXAMPLE.read_text(encoding="utf-8"))
    for i in data["indicators"]:
        if i.get("score") is not None and i["score"] < i["weight"]:
            i["cause"] = "服务覆盖率≧90%的社区仅3个，达标社区＝3个，>=50%的社区未开展活动"
    data["deviation_analysis"] = ["覆盖率≦80%的社区较多。"]
    data["improvement_measures"] = ["力争覆盖率≧95%。"]
    data.setdefault("goals", {})["achieved"] = "服务覆盖率≧90%"
    form = tmp_path / "表.yaml"
    form.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    md = reportgen.render(form, outline=outline).markdown
    assert "覆盖率≥90%" in md and "覆盖率≤80%" in md
    assert not re.search(r"[≧≦＝﹦═]|>=|<=", md), re.findall(r".{8}(?:[≧≦＝﹦═]|>=|<=)", md)
