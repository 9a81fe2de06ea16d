from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import DATA, SEED_EXAMPLE, example_paths

from reportgen import evaluate, load
from reportgen.checking import CheckResult, check
from reportgen.checking.checker import to_draft
from reportgen.checking.numbers import Stated, agrees
from reportgen.evaluation.model import Goals

CLEAN = DATA / "draft_clean.md"
HANDWRITTEN = DATA / "draft_handwritten.md"


@pytest.fixture(scope="module")
def seed_ev():  # type: ignore[no-untyped-def]
    return evaluate(load(SEED_EXAMPLE))


def kinds(result: CheckResult) -> list[tuple[str, int | None]]:
    return [(p.kind, p.line) for p in result.problems]


def line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


# --- the two hand-written drafts ----------------------------------------------------------------


def test_clean_draft_passes_with_facts(seed_ev) -> None:  # type: ignore[no-untyped-def]
    result = check(CLEAN, data=seed_ev)
    assert result.ok
    assert result.problems == []
    assert result.facts_checked
    assert result.summary_line() == f"检查通过：必备用语 {result.required_total}/{result.required_total}，无待补充项"
    found = {p.group: p for p in result.present}
    assert found["execution-rate"].term == "预算执行率"
    assert found["execution-rate"].line == line_of(CLEAN, "预算执行率100%")
    assert found["output-indicators"].term == "产出指标"  # the longest term at a position wins


def test_handwritten_draft_has_exactly_the_five_problems() -> None:
    result = check(HANDWRITTEN, data=SEED_EXAMPLE)
    assert not result.ok
    assert kinds(result) == [
        ("fact-mismatch", line_of(HANDWRITTEN, "综合得分96分")),
        ("missing-term", line_of(HANDWRITTEN, "（一）资金使用情况")),
        ("discouraged", line_of(HANDWRITTEN, "差不多")),
        ("deduction-not-mentioned", line_of(HANDWRITTEN, "五、存在的问题及原因")),
        ("placeholder", line_of(HANDWRITTEN, "【待补充")),
    ]
    by_kind = {p.kind: p for p in result.problems}
    assert by_kind["fact-mismatch"].term == "综合得分96分"
    assert "98分" in by_kind["fact-mismatch"].message
    assert by_kind["missing-term"].group == "execution-rate"
    assert by_kind["missing-term"].heading == "（一）资金使用情况"
    assert by_kind["discouraged"].term == "差不多"
    assert by_kind["discouraged"].severity == "warning"
    assert by_kind["deduction-not-mentioned"].term == "提供各类便民服务,惠及民生,改善居民日常生活环境"
    assert by_kind["placeholder"].term == "【待补充：文体活动未按计划开展的原因】"
    assert not by_kind["placeholder"].forced
    assert result.summary_line() == (
        "检查未通过：必备用语 13/14，待补充项 1 处，与自评表不符 1 处，扣分指标未说明 1 项，提示 1 条"
    )


def test_without_data_only_wording_is_checked() -> None:
    result = check(HANDWRITTEN)
    assert [p.kind for p in result.problems] == ["missing-term", "discouraged", "placeholder"]
    assert not result.facts_checked


def test_to_dict_is_json_with_stable_keys() -> None:
    result = check(HANDWRITTEN, data=SEED_EXAMPLE)
    data = result.to_dict()
    assert list(data) == ["source", "ok", "summary", "line_unit", "facts_checked", "figures_checked", "counts", "sections", "present",
                          "problems"]
    assert list(data["problems"][0]) == ["kind", "severity", "section", "heading", "line", "message", "suggestion",
                                         "term", "group", "forced"]
    assert data["counts"]["errors"] == 4 and data["counts"]["warnings"] == 1
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert json.dumps(check(HANDWRITTEN, data=SEED_EXAMPLE).to_dict()) == json.dumps(data)  # deterministic


def test_plain_text_draft_is_read_by_numbering(tmp_path: Path) -> None:
    text = tmp_path / "draft.txt"
    lines = [line.lstrip("# ") for line in HANDWRITTEN.read_text(encoding="utf-8").splitlines()]
    text.write_text("\n".join(lines), encoding="utf-8")
    result = check(text, data=SEED_EXAMPLE)
    assert kinds(result) == kinds(check(HANDWRITTEN, data=SEED_EXAMPLE))


def test_gb18030_text_is_read(tmp_path: Path) -> None:
    text = tmp_path / "draft.txt"
    text.write_bytes(CLEAN.read_text(encoding="utf-8").replace("#", "").encode("gb18030"))
    assert check(text).ok


def test_markdown_string_and_path_inputs_agree() -> None:
    markdown = HANDWRITTEN.read_text(encoding="utf-8")
    assert kinds(check(markdown)) == kinds(check(HANDWRITTEN)) == kinds(check(str(HANDWRITTEN)))


# --- generated reports --------------------------------------------------------------------------


def _generated(path: Path, project: str | None = None):  # type: ignore[no-untyped-def]
    from reportgen.narrative import compose

    form = load(path)
    if project:
        form = form.model_copy(update={"project": project})
    return compose(evaluate(form))


@pytest.mark.parametrize("path", example_paths(), ids=lambda p: p.stem)
def test_generated_reports_pass_except_forced_placeholders(path: Path) -> None:
    report = _generated(path)
    result = check(report)
    assert result.facts_checked  # the Report brings its evaluation
    errors = [p for p in result.problems if p.severity == "error"]
    assert all(p.kind == "placeholder" and p.forced for p in errors), [p.message for p in errors]
    assert len(errors) == len(report.placeholders)
    assert result.ok == (not report.placeholders)
    assert result.required_found == result.required_total


def test_generated_phrasing_variants_pass() -> None:
    # the narrative picks phrasings by a hash of the project: renamed copies exercise the variants
    for path in example_paths():
        for n in range(6):
            report = _generated(path, f"{load(path).project}{'甲乙丙丁戊己'[n]}")
            result = check(report)
            bad = [p.message for p in result.problems if p.severity == "error" and not p.forced]
            assert not bad, (path.stem, n, bad)


def test_a_wrong_figure_in_a_generated_report_is_caught() -> None:
    report = _generated(SEED_EXAMPLE)
    markdown = report.markdown.replace("综合得分98分", "综合得分96分").replace("预算执行率为100%", "预算执行率为99%")
    assert markdown != report.markdown
    result = check(markdown, data=report.evaluation)
    mismatches = [p.term for p in result.problems if p.kind == "fact-mismatch"]
    assert mismatches == ["预算执行率为99%", "综合得分96分"]


# --- facts ----------------------------------------------------------------------------------------

FACT_DRAFT = """# 2020年度社会保障专项绩效自评报告

## 一、基本情况

社会保障专项由花山街道办事处主管，年度绩效目标是建设和谐社区。

## 二、综合评价结论

{summary}

## 三、偏差原因分析

年组织开展群众文体活动未完成，提供各类便民服务,惠及民生,改善居民日常生活环境扣1分，原因是设施不足。

## 四、改进措施

加强社区资金使用指导。
"""


@pytest.mark.parametrize(
    ("sentence", "wrong"),
    [
        ("经自评，该项目综合得分98分，评价等级为“优”。", []),
        ("经自评，该项目综合得分98.0分，自评等级为优秀。", []),
        ("经自评，该项目综合得分96分，评价等级为“优”。", ["综合得分96分"]),
        ("经自评，该项目自评得分97分。", ["自评得分97分"]),
        ("该项目总分100分，得分98分，评价等级为良好。", ["评价等级为良好"]),
        ("全年预算数2440.91万元，实际执行2,440.91万元，预算执行率100.00%。", []),
        ("全年预算数24,409,100元，实际支出2,440.91万元，执行率100%。", []),
        ("全年预算数2,440.19万元，实际执行2,440.91万元。", ["全年预算数2,440.19万元"]),
        ("项目预算执行率为99%，得20分。", ["预算执行率为99%"]),
        ("预算执行率100%，预算执行得19分。", ["预算执行率100%,预算执行得19分"]),
        ("全年预算约2,400万元，执行率超过95%。", []),
        ("其中：当年财政拨款2,000.00万元，上年结转440.91万元。", []),
        ("综合得分不低于90分。", []),
    ],
)
def test_stated_facts_against_the_form(seed_ev, sentence: str, wrong: list[str]) -> None:  # type: ignore[no-untyped-def]
    result = check(FACT_DRAFT.format(summary=sentence), data=seed_ev)
    assert [p.term for p in result.problems if p.kind == "fact-mismatch"] == wrong
    mismatch = [p for p in result.problems if p.kind == "fact-mismatch"]
    assert all(p.line == 9 for p in mismatch)


@pytest.mark.parametrize(
    ("raw", "actual", "same"),
    [
        ("100", Decimal("100"), True),
        ("100.00", Decimal("100"), True),
        ("98.0", Decimal("98"), True),
        ("98", Decimal("97.72"), False),  # the text may not round away the form's decimals
        ("70.04", Decimal("70.0407"), True),
        ("70", Decimal("70.0407"), False),
        ("2440.9", Decimal("2440.91"), False),
    ],
)
def test_number_agreement(raw: str, actual: Decimal, same: bool) -> None:
    places = len(raw.split(".")[1]) if "." in raw else 0
    assert agrees(Stated(Decimal(raw), places, raw), actual) is same


def test_deduction_mentioned_by_a_reworded_name(seed_ev) -> None:  # type: ignore[no-untyped-def]
    draft = FACT_DRAFT.format(summary="综合得分98分。").replace(
        "年组织开展群众文体活动未完成", "群众文体活动开展次数不足"
    )
    assert not [p for p in check(draft, data=seed_ev).problems if p.kind == "deduction-not-mentioned"]


def test_missing_deviation_section_reports_the_deductions(seed_ev) -> None:  # type: ignore[no-untyped-def]
    draft = FACT_DRAFT.format(summary="综合得分98分。").replace("## 三、偏差原因分析", "## 三、工作亮点")
    problems = check(draft, data=seed_ev).problems
    missing = [p for p in problems if p.kind == "missing-section"]
    assert len(missing) == 1 and missing[0].section == "deviation"
    assert "2项扣分指标" in missing[0].message
    assert not [p for p in problems if p.kind == "deduction-not-mentioned"]


# --- wording --------------------------------------------------------------------------------------


def test_discouraged_word_quoted_from_the_form_is_not_flagged() -> None:
    form = load(SEED_EXAMPLE)
    form.indicators[0] = form.indicators[0].model_copy(update={"actual": "大概10个"})
    ev = evaluate(form)
    draft = FACT_DRAFT.format(summary="综合得分98分，评价等级为“优”。").replace(
        "加强社区资金使用指导。", "办公用房维修实际完成“大概10个”，差不多达到目标。"
    )
    assert [p.term for p in check(draft, data=ev).problems if p.kind == "discouraged"] == ["差不多"]
    assert [p.term for p in check(draft).problems if p.kind == "discouraged"] == ["大概", "差不多"]


def test_yuanman_only_flagged_when_points_were_lost(seed_ev) -> None:  # type: ignore[no-untyped-def]
    draft = FACT_DRAFT.format(summary="综合得分98分，圆满完成年度目标。")
    assert [p.term for p in check(draft, data=seed_ev).problems if p.kind == "discouraged"] == ["圆满完成"]
    assert not [p for p in check(draft).problems if p.kind == "discouraged"]  # without data: unknown


def test_forced_placeholder_is_reported_as_such() -> None:
    report = _generated(SEED_EXAMPLE)
    assert report.placeholders, "the seed lacks a cause for one deducted indicator"
    result = check(report)
    placeholders = [p for p in result.problems if p.kind == "placeholder"]
    assert [p.term for p in placeholders] == list(report.placeholders)
    assert all(p.forced and "缺少相应数据" in p.message for p in placeholders)
    assert f"（其中{len(report.placeholders)}处因自评表缺少数据）" in result.summary_line()


def test_placeholder_patterns() -> None:
    draft = to_draft("## 一、基本情况\n\n××单位承担【待填写：项目内容】，XX项目……\n")
    result = check("## 一、基本情况\n\n××单位承担【待填写：项目内容】，XX项目……\n")
    assert [p.term for p in result.problems if p.kind == "placeholder"] == ["××", "【待填写：项目内容】", "XX"]
    assert draft.lines[1].raw.startswith("××单位")


def test_a_missing_file_named_as_a_string_is_an_error(tmp_path: Path) -> None:
    from reportgen.errors import InputError

    with pytest.raises(InputError, match="文件不存在"):
        check(str(tmp_path / "missing.md"))


def test_reportgen_check_is_a_plain_function_of_the_api() -> None:
    import inspect

    import reportgen
    import reportgen.checking  # importing the package leaves the API function in place

    assert inspect.isfunction(reportgen.check) and reportgen.check is check
    assert reportgen.check(HANDWRITTEN).to_dict() == check(HANDWRITTEN).to_dict()


@pytest.mark.parametrize("outline", ["default", "mof", "transfer", "summary"])
def test_every_alternative_of_every_section_passes_the_checker(outline: str) -> None:
    # force=k picks the k-th phrasing of every varied pattern at once: each alternative is rendered and checked
    from reportgen.narrative import Composer

    composer = Composer(outline)
    for path in example_paths():
        ev = evaluate(load(path))
        for force in range(3):
            result = check(composer.compose(ev, force=force))
            bad = [p.message for p in result.problems if p.severity == "error" and not p.forced]
            assert not bad, (path.stem, outline, force, bad)


def test_a_budget_figure_inside_the_forms_own_words_is_not_compared() -> None:
    # the form's goal says what was applied for ("申请预算资金2,500万元"); the report quotes it as the goal
    form = load(SEED_EXAMPLE)
    goals = Goals(planned="本项目共申请预算资金2,500万元，用于社区服务设施建设。")
    ev = evaluate(form.model_copy(update={"goals": goals}))
    quoted = FACT_DRAFT.format(summary="项目年度总体目标：本项目共申请预算资金2,500万元，用于社区服务设施建设。")
    assert [p.term for p in check(quoted, data=ev).problems if p.kind == "fact-mismatch"] == []
    # the same figure as the report's own statement is still a wrong budget
    own = FACT_DRAFT.format(summary="本年度项目全年预算资金2,500万元。")
    assert [p.term for p in check(own, data=ev).problems if p.kind == "fact-mismatch"] == ["预算资金2,500万元"]


@pytest.mark.parametrize(
    ("sentence", "wrong"),
    [
        # a later clause's 自评得分 that is the project's total speaks of the project, not of 产出指标
        ("综合预算执行和产出指标完成情况，本项目自评得分98分，评价等级为“优”。", []),
        # one that is neither the total nor the category's score is still wrong
        ("综合预算执行和产出指标完成情况，本项目自评得分97分，评价等级为“优”。", ["自评得分97分"]),
    ],
)
def test_a_total_after_a_category_named_in_passing(seed_ev, sentence: str, wrong: list[str]) -> None:  # type: ignore[no-untyped-def]
    result = check(FACT_DRAFT.format(summary=sentence), data=seed_ev)
    terms = [p.term for p in result.problems if p.kind == "fact-mismatch"]
    assert [t for t in terms if "产出指标……" not in t] == wrong
    assert not [t for t in terms if t.startswith("产出指标……") and "98分" in t]
