"""Done-when items of issue 11: errors reach the gate, computed said as computed, unfilled refused, drafts read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import SEED_EXAMPLE

import reportgen
from reportgen.checking import check
from reportgen.cli import main
from reportgen.errors import InputError


def _seed(tmp_path: Path, name: str = "表.yaml", **changes: object) -> Path:
    data = yaml.safe_load(SEED_EXAMPLE.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _facts(markdown: str, ev: reportgen.Evaluation) -> list[str]:
    return [p.message for p in check(markdown, data=ev).problems if p.kind == "fact-mismatch"]


def test_a_printed_total_that_differs_from_its_rows_fails_render_and_is_said(tmp_path: Path) -> None:
    form = _seed(tmp_path, total_score=95)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["render", str(form), "-o", str(out)])
    assert result.exit_code == 1
    assert "自评表错误 1 处（总分与各项得分之和不符）" in result.output
    check_json = json.loads(next(out.glob("*.check.json")).read_text(encoding="utf-8"))
    errors = [p for p in check_json["problems"] if p["kind"] == "form-error"]
    assert errors and "填报总分95分，各项得分合计98分" in errors[0]["message"]
    markdown = next(out.glob("*.md")).read_text(encoding="utf-8")
    assert "综合得分95分（自评表填报数；按各项得分合计为98分，二者不一致）" in markdown
    assert "本报告按自评表填报的总分表述" in markdown and "无其他需要说明的问题" not in markdown
    # check --data on the same report fails on the form's error too
    again = CliRunner().invoke(main, ["check", str(next(out.glob("*.md"))), "--data", str(form)])
    assert again.exit_code == 1 and "总分与各项得分之和不符" in again.output


def test_an_outline_without_other_section_closes_with_a_note(tmp_path: Path) -> None:
    report = reportgen.render(_seed(tmp_path, total_score=95), outline="transfer")
    notes = report.section("notes")
    assert notes is not None and "## 附注" in notes.markdown and "二者不一致" in notes.markdown


def test_without_total_and_grade_the_sum_is_said_as_computed_and_no_grade_derived(tmp_path: Path) -> None:
    report = reportgen.render(_seed(tmp_path, total_score=None, grade=None))
    md = report.markdown
    assert "各项得分合计为98分，自评总分和等级为【待补充：自评总分和等级】" in md
    assert "等级为“优”" not in md and "对应为“优”" not in md
    total = next(e for e in report.figures if e.figure.path == "total_computed")
    assert total.origin.kind == "computed" and total.text == "98"
    ev = report.evaluation
    assert ev is not None and ev.grade is None
    assert _facts(md, ev) == []  # the honest wording passes
    dishonest = md.replace("各项得分合计为98分，自评总分和等级为【待补充：自评总分和等级】", "综合得分98分，自评等级为“优”")
    problems = _facts(dishonest, ev)
    assert any("未填写总分" in p for p in problems) and any("等级" in p for p in problems)


def test_a_printed_grade_without_a_total_is_stated_as_printed_and_only_the_total_asked_for(tmp_path: Path) -> None:
    # a workbook saved by a tool that keeps no formula results: the 总分 cell reads blank, the grade was typed
    report = reportgen.render(_seed(tmp_path, total_score=None, grade="优"))
    md = report.markdown
    assert "各项得分合计为98分，自评表填报的等级为“优”，自评总分为【待补充：自评总分】" in md
    assert "自评总分和等级" not in md
    assert "请在自评表中补填总分后一并核对" in md
    grade = next(e for e in report.figures if e.figure.path == "grade")
    assert grade.origin.kind == "printed" and grade.text == "优"
    ev = report.evaluation
    assert ev is not None and _facts(md, ev) == []
    assert [g.what for g in report.gaps if g.path == "total_score"] == ["自评总分"]


def test_a_category_with_no_scores_is_not_said_to_have_scored_0(tmp_path: Path) -> None:
    data = yaml.safe_load(SEED_EXAMPLE.read_text(encoding="utf-8"))
    last = data["indicators"][-1]["level1"]
    for ind in data["indicators"]:
        if ind["level1"] == last:  # no score, and no actual value a score could be computed from
            ind.pop("score", None)
            ind.pop("actual", None)
    data.pop("total_score")
    form = tmp_path / "未打分.yaml"
    form.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    report = reportgen.render(form)
    conclusion = report.section("conclusion")
    assert conclusion is not None
    assert f"{last}得分未填写（分值" in conclusion.markdown
    assert f"{last}得0分" not in report.markdown
    # scores left blank where some can be computed by the rules (targets met): the sum says what it covers
    for ind in data["indicators"]:
        if ind["level1"] == last:
            ind["actual"] = ind["target"]
    form.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    partial = reportgen.render(form).section("conclusion")
    assert partial is not None and "已有得分的指标合计得" in partial.markdown


def test_an_unfilled_form_is_refused_with_exit_2(tmp_path: Path) -> None:
    data = yaml.safe_load(SEED_EXAMPLE.read_text(encoding="utf-8"))
    for ind in data["indicators"]:
        ind.pop("actual", None)
        ind.pop("score", None)
    data.pop("total_score")
    form = tmp_path / "空表.yaml"
    form.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputError, match="自评表尚未填写：27项绩效指标都只有年度目标值，没有实际完成值和得分"):
        reportgen.render(form)
    result = CliRunner().invoke(main, ["render", str(form), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2 and "尚未填写" in result.output
    assert not list(tmp_path.glob("out/*.md"))


EDITS = {
    "actual": ("目标值为≥2次/年，实际完成1次/年", "目标值为≥2次/年，实际完成2次/年", "实际完成值"),
    "score": ("自评得分1分（满分2分），扣1分", "自评得分2分（满分2分），扣1分", "得分1分"),
    "category": ("合计36分，自评得分35分", "合计36分，自评得分36分", "“产出指标”得分35分"),
    "count": ("共设置三级绩效指标27项", "共设置三级绩效指标28项", "三级指标数27项"),
    "completion": ("扣1分，较好完成年度目标", "扣1分，全面完成年度目标", "有扣分"),
}


@pytest.mark.parametrize("edit", EDITS, ids=list(EDITS))
def test_each_draft_edit_is_caught(edit: str) -> None:
    report = reportgen.render(SEED_EXAMPLE)
    assert report.evaluation is not None
    before, after, said = EDITS[edit]
    assert before in report.markdown
    assert _facts(report.markdown, report.evaluation) == []
    problems = _facts(report.markdown.replace(before, after, 1), report.evaluation)
    assert problems and said in problems[0]


@pytest.mark.parametrize("phrase", ["本项目得分95分", "项目得分95分", "自评得分为95分", "综合得分95分", "自评总分95分"])
def test_total_statements_in_common_phrasings(phrase: str) -> None:
    ev = reportgen.evaluate(reportgen.load(SEED_EXAMPLE))
    problems = _facts(f"# 报告\n\n## 三、综合评价结论\n\n{phrase}。\n", ev)
    assert problems and "总分98分" in problems[0]


def test_generated_report_is_verified_against_its_ledger() -> None:
    report = reportgen.render(SEED_EXAMPLE)
    result = check(report)
    assert result.figures_checked == len(report.figures) > 50
    assert f"核对数字 {len(report.figures)} 处，全部一致" in result.summary_line()
    # a figure changed after composing is caught where it stands
    e = next(x for x in report.figures if x.figure.path == "budget.executed")
    tampered = report.markdown[: e.start] + "2,000.00万元" + report.markdown[e.end :]
    from dataclasses import replace

    bad = check(replace(report, markdown=tampered))
    assert any(p.kind == "ledger-mismatch" for p in bad.problems)


def test_the_ledger_is_checked_against_the_form_as_it_stands(monkeypatch: pytest.MonkeyPatch) -> None:
    """An unchanged form is not scored again; a form changed after composing is, and its report fails."""
    from decimal import Decimal

    from reportgen.evaluation import scoring

    report = reportgen.render(SEED_EXAMPLE)
    assert report.evaluation is not None
    calls = []
    real = scoring.evaluate
    monkeypatch.setattr(scoring, "evaluate", lambda *a: calls.append(1) or real(*a))
    good = check(report)
    assert good.figures_checked == len(report.figures) and calls == []
    assert not any(p.kind == "ledger-mismatch" for p in good.problems)
    budget = report.evaluation.form.budget
    assert budget is not None and budget.executed is not None
    budget.executed = budget.executed + Decimal(1)  # the form, edited after the report was composed
    bad = check(report)
    assert calls == [1]
    assert any(p.kind == "ledger-mismatch" and "自评表的数字为" in p.message for p in bad.problems)


def test_sources_file_lists_the_yaml_line_and_the_workbook_cell(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["render", str(SEED_EXAMPLE), "-o", str(out), "--no-check"]).exit_code == 0
    sources = json.loads(next(out.glob("*.sources.json")).read_text(encoding="utf-8"))
    executed = next(f for f in sources["figures"] if f["path"] == "budget.executed")
    assert executed["origin"] == "printed" and executed["place"].endswith("社会保障专项-2020.yaml:41")
    assert executed["text"] == "2,440.91万元"
    workbook = tmp_path / "表.xlsx"
    from reportgen.loaders.xlsx_template import write_template

    write_template(workbook, reportgen.load(SEED_EXAMPLE))
    report = reportgen.render(workbook)
    total = next(e for e in report.figures if e.figure.path == "total_score")
    assert "表.xlsx!" in total.origin.place and total.origin.place[-1].isdigit()


def test_html_shows_the_origin_of_a_figure_on_hover() -> None:
    from reportgen.renderers.html import render_html

    page = render_html(reportgen.render(SEED_EXAMPLE))
    import re

    found = re.search(r'<span class="figure" data-source="([^"]+)" title="\1">98</span>', page)
    assert found and found[1].startswith("自评表填报：") and found[1].endswith("社会保障专项-2020.yaml:259（total_score）")
    assert "\ue010" not in page and "\ue012" not in page


def test_batch_keeps_printed_and_computed_totals_apart(tmp_path: Path) -> None:
    from reportgen.batch.index import overview_markdown
    from reportgen.batch.run import BatchOptions, run_batch

    src = tmp_path / "forms"
    src.mkdir()
    _seed(src, "甲.yaml")
    _seed(src, "乙.yaml", project="另一项目", total_score=None)
    result = run_batch([src], BatchOptions(outdir=tmp_path / "out", formats=("md",), jobs=1, check=False))
    rows = {r.project: r for r in result.rows}
    assert rows["另一项目"].total == "98（计算）" and rows["另一项目"].total_value is None
    assert rows["另一项目"].grade == "" and rows["社会保障专项"].total_value == 98
    overview = overview_markdown(result)
    assert "另有1个项目的自评表未填写总分" in overview and "“优”1个" in overview


def test_an_incomplete_form_is_said_to_be_incomplete(tmp_path: Path) -> None:
    data = yaml.safe_load(SEED_EXAMPLE.read_text(encoding="utf-8"))
    data["categories"]["满意度指标"] = 10
    data["indicators"] = data["indicators"][:-1]  # 5 points of weight gone
    data.pop("total_score")
    path = tmp_path / "残表.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    other = reportgen.render(path).section("application")
    assert other is not None
    assert "自评表各项分值合计95分，少于满分100分，本报告仅就已填报的指标进行分析" in other.markdown
    assert "自评表列有“满意度指标”（10分），但其下没有填写任何指标" in other.markdown
    assert "无其他需要说明的问题" not in other.markdown
    for ind in data["indicators"]:
        ind.pop("score")
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert "自评表未填写任何指标的得分。【待补充：各项指标的得分】" in reportgen.render(path).markdown


def test_a_grade_contradicting_the_total_is_noted_and_the_note_passes_its_own_check(tmp_path: Path) -> None:
    # the seed prints 98 and no grade; printed as 良, the grade contradicts the total's band (优)
    report = reportgen.render(_seed(tmp_path, grade="良"))
    ev = report.evaluation
    assert ev is not None and ev.grade_computed == "优"
    md = report.markdown
    assert "自评表填报的等级为“良”，按填报总分98分对应的等级应为“优”" in md
    assert _facts(md, ev) == []  # the note states the total's band: not a contradiction of the printed grade
    # an edited note is still checked, against the band of the printed total
    messages = _facts(md.replace("对应的等级应为“优”", "对应的等级应为“中”"), ev)
    assert messages and "评分标准对应的等级为“优”" in messages[0]
    # and a plain statement of the grade is checked against the printed one
    assert "自评等级为“良”" in md
    assert _facts(md.replace("自评等级为“良”", "自评等级为“中”", 1), ev)


def test_source_rows_not_adding_up_are_noted_with_figures_the_ledger_knows(tmp_path: Path) -> None:
    data = yaml.safe_load(SEED_EXAMPLE.read_text(encoding="utf-8"))
    budget = data["budget"]
    budget["sources"] = [{"name": "本年财政拨款", "adjusted": 1, "executed": 1},
                         {"name": "上年结转", "adjusted": 1, "executed": 1}]
    path = tmp_path / "表.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    report = reportgen.render(path)
    notes = next(s for s in report.sections if "notes" in s.key or "其他需要说明" in s.heading)
    assert "自评表资金来源各行的全年执行数合计2.00万元，与年度资金总额的全年执行数" in notes.markdown
    assert "本报告按年度资金总额叙述，请核实" in notes.markdown
    entry = next(e for e in report.figures if e.figure.path == "notes.budget.sources.executed")
    assert entry.origin.kind == "computed" and entry.text == "2.00万元"
    assert report.evaluation is not None and _facts(report.markdown, report.evaluation) == []


def test_a_printed_total_over_what_the_rows_could_reach_is_an_error_said_with_the_bound(tmp_path: Path) -> None:
    """Some scores blank, so the rows cannot be summed, yet the printed total exceeds the printed scores plus the
    full 分值 of every unscored row: the form contradicts itself although no sum of rows exists."""
    data = yaml.safe_load(SEED_EXAMPLE.read_text(encoding="utf-8"))
    for row in data["indicators"][:2]:  # 2 + 2 points left open; the other rows and the budget scored 94
        row.pop("score"), row.pop("actual")
    data["total_score"] = 99
    form = tmp_path / "表.yaml"
    form.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["render", str(form), "-o", str(out)])
    assert result.exit_code == 1 and "总分超过各项可得的最高分" in result.output
    md = next(out.glob("*.md")).read_text(encoding="utf-8")
    assert "（自评表填报数，超过按各项分值计算最多可得的98分）" in md
    assert "已填得分合计94分，未填得分的各项分值合计4分，即使全部得满分，各项最多可得98分" in md
    report = reportgen.render(form)
    reachable = next(e for e in report.figures if e.figure.path == "total_reachable")
    assert reachable.origin.kind == "computed" and reachable.text == "98"
    assert report.evaluation is not None and _facts(md, report.evaluation) == []
    # a bound the printed total stays within is no contradiction
    data["total_score"] = 97
    form.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    ev = reportgen.evaluate(reportgen.load(form))
    assert not any(f.code == "total-over-reachable" for f in ev.findings)


def test_a_form_without_a_date_signs_with_a_date_gap(tmp_path: Path) -> None:
    """The 落款 closes with a date; a form without 填报日期 leaves a gap there, never an undated signature."""
    report = reportgen.render(_seed(tmp_path, filled_on=None))
    mark = "【待补充：报告日期】"
    assert report.markdown.rstrip().endswith(f"武汉市东湖新技术开发区花山街道办事处\n\n{mark}")
    assert report.signature[-1] == mark and report.date is None
    assert any(g.path == "filled_on" and g.mark == mark for g in report.gaps)
    dated = reportgen.render(SEED_EXAMPLE)
    assert mark not in dated.markdown and dated.signature[-1] == "2021年6月30日"
