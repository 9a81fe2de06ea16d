"""Every finding code, triggered by a minimal form written to disk so that lines are real."""

from __future__ import annotations

import string
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

import pytest
from conftest import SEED_EXAMPLE

from reportgen.evaluation.findings import CODES, SEVERITY_LABEL, Finding, make, message, variants
from reportgen.evaluation.scoring import Evaluation, evaluate
from reportgen.loaders import load

HEAD = """\
year: 2020
unit: 测试单位
project: 测试项目
budget:
  weight: 10
  adjusted: 100
  executed: 100
  score: 10
"""


def indicator(
    name: str = "培训场次",
    weight: str | None = "90",
    target: str | None = "≥10次",
    actual: str | None = "10次",
    score: str | None = "90",
    level1: str = "产出指标",
    level2: str = "数量指标",
    **extra: str,
) -> str:
    """Return one indicator as YAML list item; a None cell is left out, as a blank cell is."""
    cells = {"level1": level1, "level2": level2, "weight": weight, "target": target, "actual": actual}
    cells |= {"score": score, **extra}
    lines = [f"  - name: {name}"] + [f"    {key}: {value}" for key, value in cells.items() if value is not None]
    return "\n".join(lines) + "\n"


def doc(*indicators: str, head: str = HEAD, total: str | None = "100", extra: str = "") -> str:
    """Return a whole form: header and budget, indicators, total and anything extra."""
    body = head + "indicators:\n" + "".join(indicators or (indicator(),))
    if total is not None:
        body += f"total_score: {total}\n"
    return body + extra


class Case(NamedTuple):
    code: str
    text: str
    path: str
    marker: str  # text on the line the finding must point at; "" = the document's first line


CASES: list[Case] = [
    Case("weight-sum", doc(indicator(weight="80", score="80"), total="90"), "indicators", "indicators:"),
    Case("total-mismatch", doc(total="99"), "total_score", "total_score:"),
    Case("total-over-reachable", doc(indicator(weight="45", score="40"),
                                     indicator(name="培训人次", weight="45", actual=None, score=None), total="100"),
         "total_score", "total_score:"),
    Case("level1-from-level2", doc(indicator(level1="(90分)")), "indicators", "indicators:"),
    Case("subtotal-mismatch", doc(extra="categories:\n  产出指标: 80\n"), "categories.产出指标", "产出指标: 80"),
    Case("sources-mismatch", doc(head=HEAD.replace("  score: 10\n", "  score: 10\n  sources:\n"
                                                   "    - {name: 本年财政拨款, adjusted: 120}\n")),
         "budget.sources", "sources:"),
    Case("subtotal-unknown", doc(extra="categories:\n  满意度指标: 10\n"), "categories.满意度指标", "满意度指标: 10"),
    Case("score-over-weight", doc(indicator(score="95"), total="105"), "indicators[0].score", "score: 95"),
    Case("score-negative", doc(indicator(score="-1"), total="9"), "indicators[0].score", "score: -1"),
    Case(
        "over-executed",
        doc(head=HEAD.replace("executed: 100", "executed: 120")),
        "budget.executed",
        "executed: 120",
    ),
    Case("rate-mismatch", doc(head=HEAD + "  rate: 95%\n"), "budget.rate", "rate: 95%"),
    Case(
        "budget-score-mismatch",
        doc(head=HEAD.replace("score: 10", "score: 9"), total="99"),
        "budget.score",
        "score: 9\n",
    ),
    Case(
        "score-mismatch",
        doc(indicator(actual="5次", score="30", cause="场地改造"), total="40"),
        "indicators[0].score",
        "score: 30",
    ),
    Case("deduction-no-cause", doc(indicator(actual="5次", score="45"), total="55"), "indicators[0].cause", "- name:"),
    Case("deducted-but-met", doc(indicator(score="80"), total="90"), "indicators[0].score", "score: 80"),
    Case("missed-no-deduction", doc(indicator(actual="5次")), "indicators[0].score", "score: 90"),
    Case("exceeded-far", doc(indicator(actual="20次")), "indicators[0].actual", "actual: 20次"),
    Case("share-over-100", doc(indicator(name="群众满意度", target="≥90%", actual="290%")), "indicators[0].actual",
         "actual: 290%"),
    Case("actual-copies-target", doc(indicator(actual="≥10次")), "indicators[0].actual", "actual: ≥10次"),
    Case("category-suspect", doc(indicator(name="培训成本")), "indicators[0].level2", "level2: 数量指标"),
    Case(
        "duplicate-name",
        doc(indicator(weight="45", score="45"), indicator(weight="45", score="45")),
        "indicators[0].name",
        "- name: 培训场次",
    ),
    Case("weight-missing", doc(indicator(weight=None)), "indicators[0].weight", "- name:"),
    Case("target-missing", doc(indicator(target=None)), "indicators[0].target", "- name:"),
    Case("actual-missing", doc(indicator(actual=None)), "indicators[0].actual", "- name:"),
    Case(
        "score-missing",
        doc(indicator(target="合格", actual="基本合格", score=None)),
        "indicators[0].score",
        "- name:",
    ),
    Case("score-computed", doc(indicator(score=None)), "indicators[0].score", "- name:"),
    Case("placeholder", doc(indicator(target="≥**次")), "indicators[0]", "- name:"),
    Case(
        "instruction-text",
        doc(indicator(cause="请填写偏差原因")),
        "indicators[0].cause",
        "cause: 请填写偏差原因",
    ),
    Case(
        "no-budget",
        doc(indicator(weight="100", score="100"), head="year: 2020\nunit: 测试单位\nproject: 测试项目\n"),
        "budget",
        "",
    ),
    Case(
        "budget-incomplete",
        doc(head=HEAD.replace("  executed: 100\n", ""), total="100"),
        "budget",
        "budget:",
    ),
    Case("grade-mismatch", doc(extra="grade: 良\n"), "grade", "grade: 良"),
    Case("total-computed", doc(total=None), "total_score", ""),
    Case("field-missing", doc(head=HEAD.replace("year: 2020\n", "")), "year", ""),
    Case(
        "budget-under-executed",
        doc(head=HEAD.replace("executed: 100", "executed: 80").replace("score: 10", "score: 8"), total="98"),
        "budget.executed",
        "executed: 80",
    ),
    Case(
        "budget-total-zero",
        doc(head=HEAD.replace("adjusted: 100", "adjusted: 0").replace("executed: 100", "executed: 0")
            .replace("score: 10", "score: 0") + "  sources:\n    - name: 本年财政拨款\n      adjusted: 100\n"
            "      executed: 100\n", total="90"),
        "budget",
        "budget:",
    ),
    Case("implementer-missing", doc(head=HEAD.replace("unit: 测试单位\n", "")), "implementer", ""),
    Case(
        "unit-from-implementer",
        doc(head=HEAD.replace("unit: 测试单位", "implementer: 测试实施单位")),
        "implementer",
        "implementer: 测试实施单位",
    ),
    Case("goal-hollow", doc(extra="goals:\n  planned: 测试项目\n"), "goals.planned", "planned: 测试项目"),
    Case("name-cut-off", doc(indicator(name="公众满…")), "indicators[0].name", "- name: 公众满…"),
    Case("no-indicators", HEAD + "total_score: 100\n", "indicators", ""),
    Case("form-unfilled", doc(indicator(actual=None, score=None)), "indicators", "indicators:"),
    Case(
        "task-no-result",
        doc(
            head=HEAD.replace("project: 测试项目", "type: department"),
            extra="goals:\n  planned: 1、完成宣传活动；2、完成档案整理。\n  achieved: 1、完成宣传活动12次；\n",
        ),
        "goals.achieved",
        "achieved:",
    ),
    Case("coef-mismatch", doc(indicator(coef="50%")), "indicators[0].score", "score: 90"),
    Case(
        "core-shortfall",
        doc(indicator(actual="8次", score="72", core="是", cause="天气影响"), total="82"),
        "indicators[0].actual",
        "actual: 8次",
    ),
    Case("direction-contradiction", doc(indicator(target="≤10次")), "indicators[0].target", "target: ≤10次"),
    Case(
        "control-characters",
        doc(indicator(actual="5次", score="45", cause='"场地\\f改造"'), total="55"),
        "indicators[0].cause",
        "cause:",
    ),
    Case(
        "bidi-control",
        doc(indicator(actual="5次", score="45", cause='"场地\\u202e改造"'), total="55"),
        "indicators[0].cause",
        "cause:",
    ),
    Case(
        "unit-converted",
        doc(head=HEAD.replace("executed: 100", "executed: 1,000,000元")),
        "budget.executed",
        "executed: 1,000,000元",
    ),
]


def line_of(text: str, marker: str) -> int:
    """Return the 1-based line first holding ``marker`` (the first line for an empty marker)."""
    if not marker:
        return 1
    assert marker in text
    return text[: text.index(marker)].count("\n") + 1


def evaluate_text(tmp_path: Path, text: str, name: str = "form.yaml") -> tuple[Evaluation, Path]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return evaluate(load(path)), path


def test_the_base_form_is_clean(tmp_path: Path) -> None:
    ev, _ = evaluate_text(tmp_path, doc())
    assert ev.findings == []
    assert ev.total == 100 and ev.grade == "优"


def test_every_code_has_a_case() -> None:
    assert sorted({case.code for case in CASES}) == sorted(CODES)


@pytest.mark.parametrize("case", CASES, ids=[case.code for case in CASES])
def test_code_is_raised_with_its_place(tmp_path: Path, case: Case) -> None:
    ev, path = evaluate_text(tmp_path, case.text)
    hits = [f for f in ev.findings if f.code == case.code]
    assert hits, f"{case.code} not raised; got {[f.code for f in ev.findings]}"
    finding = hits[0]
    assert finding.severity == CODES[case.code][0]
    assert finding.path == case.path
    assert finding.where == f"{path}:{line_of(case.text, case.marker)}"
    assert finding.message and finding.title == CODES[case.code][1]


def test_budget_score_over_weight(tmp_path: Path) -> None:
    text = doc(head=HEAD.replace("score: 10", "score: 12"), total="102")
    ev, path = evaluate_text(tmp_path, text)
    over = [f for f in ev.findings if f.code == "score-over-weight"]
    assert [f.path for f in over] == ["budget.score"]
    assert over[0].where == f"{path}:{line_of(text, 'score: 12')}"


def test_error_findings_are_the_errors(tmp_path: Path) -> None:
    ev, _ = evaluate_text(tmp_path, doc(total="99"))
    assert [f.code for f in ev.errors] == ["total-mismatch"]
    assert "99" in ev.errors[0].message and "100" in ev.errors[0].message


def test_total_mismatch_notes_a_total_without_the_budget(tmp_path: Path) -> None:
    ev, _ = evaluate_text(tmp_path, doc(total="90"))
    (finding,) = ev.errors
    assert "未计入预算执行得分" in finding.message


def test_deduction_with_a_cause_raises_no_finding(tmp_path: Path) -> None:
    ev, _ = evaluate_text(tmp_path, doc(indicator(actual="5次", score="45", cause="受疫情影响停办"), total="55"))
    assert "deduction-no-cause" not in {f.code for f in ev.findings}
    assert ev.indicators[0].cause == "受疫情影响停办"


def test_a_linked_analysis_item_counts_as_the_cause(tmp_path: Path) -> None:
    extra = 'deviation_analysis: ["培训场次未达到目标，受疫情影响停办五次。"]\n'
    ev, _ = evaluate_text(tmp_path, doc(indicator(actual="5次", score="45"), total="55", extra=extra))
    assert "deduction-no-cause" not in {f.code for f in ev.findings}
    assert ev.indicators[0].cause_source == "analysis"
    assert ev.linked_analysis == {0}


def test_exceeding_with_a_note_needs_no_comment(tmp_path: Path) -> None:
    ev, _ = evaluate_text(tmp_path, doc(indicator(actual="20次(上级追加任务)")))
    assert "exceeded-far" not in {f.code for f in ev.findings}


def test_a_copied_actual_gives_no_completion_ratio(tmp_path: Path) -> None:
    ev, _ = evaluate_text(tmp_path, doc(indicator(actual="≥10次")))
    assert ev.indicators[0].ratio is None


def test_findings_keep_the_alias_files_lines(tmp_path: Path) -> None:
    text = (
        "评价年度: 2020\n单位名称: 测试单位\n项目名称: 测试项目\n项目资金:\n  分值: 10\n  预算数: 100\n"
        "  执行数: 80\n  得分: 8\n绩效指标:\n  - 三级指标: 培训场次\n    分值: 85\n    年度指标值: ≥10次\n"
        "    实际完成值: 10次\n    得分: 80\n总分: 90\n等级: 优秀\n"
    )
    ev, path = evaluate_text(tmp_path, text)
    where = {f.code: f.where for f in ev.findings}
    assert where["budget-under-executed"] == f"{path}:{line_of(text, '执行数: 80')}"
    assert where["deducted-but-met"] == f"{path}:{line_of(text, '得分: 80')}"
    assert where["total-mismatch"] == f"{path}:{line_of(text, '总分: 90')}"
    assert where["weight-sum"] == f"{path}:{line_of(text, '绩效指标:')}"
    assert ev.grade == "优" and "grade-mismatch" not in where


def test_seed_has_no_error_and_exactly_the_printed_subtotal_warnings() -> None:
    ev = evaluate(load(SEED_EXAMPLE))
    assert ev.errors == []
    subtotals = {f.path: f.message for f in ev.findings if f.code == "subtotal-mismatch"}
    expected = {
        "产出指标": (40, 36),
        "数量指标": (20, 16),
        "质量指标": (10, 9),
        "时效指标": (3, 5),
        "成本指标": (7, 6),
        "效益指标": (40, 44),
        "社会效益指标": (20, 16),
        "环境效益指标": (5, 28),
    }
    assert set(subtotals) == {f"categories.{name}" for name in expected}
    for name, (printed, summed) in expected.items():
        assert subtotals[f"categories.{name}"] == f"“{name}”标注{printed}分，所含指标分值合计{summed}分"
    text = SEED_EXAMPLE.read_text(encoding="utf-8")
    for f in ev.findings:
        if f.code == "subtotal-mismatch":
            name = f.path.removeprefix("categories.")
            assert f.where == f"{SEED_EXAMPLE}:{line_of(text, f'  {name}: ')}"


def test_seed_findings_name_real_lines() -> None:
    ev = evaluate(load(SEED_EXAMPLE))
    codes = [f.code for f in ev.findings]
    assert codes.count("duplicate-name") == 1
    assert codes.count("category-suspect") == 3
    assert all(f.where.startswith(f"{SEED_EXAMPLE}:") for f in ev.findings)


def test_make_uses_the_registered_severity() -> None:
    finding = make("total-mismatch", "消息", "total_score", "f.yaml:3")
    assert finding == Finding("total-mismatch", "消息", "total_score", "f.yaml:3", "error")
    assert finding.to_dict() == {
        "code": "total-mismatch",
        "severity": "error",
        "title": "总分与各项得分之和不符",
        "message": "消息",
        "path": "total_score",
        "where": "f.yaml:3",
    }


def test_codes_are_well_formed() -> None:
    for code, (severity, title, _) in CODES.items():
        assert code == code.lower() and " " not in code
        assert severity in SEVERITY_LABEL
        assert title


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_sentence_of_a_code_is_said_from_its_parameters(code: str) -> None:
    for variant in variants(code):
        template = CODES[code].message
        text = template[variant] if isinstance(template, dict) else template
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name}
        said = message(code, variant, **{name: f"<{name}>" for name in names})
        assert "{" not in said and all(f"<{name}>" in said for name in names)
        assert message(code, variant, **dict.fromkeys(names)).count("（空）") == len(
            [1 for _, name, _, _ in string.Formatter().parse(text) if name]
        )


def test_unknown_code_is_refused() -> None:
    with pytest.raises(KeyError):
        make("no-such-code", "x")


def test_finding_amounts_are_formatted(tmp_path: Path) -> None:
    ev, _ = evaluate_text(tmp_path, doc(head=HEAD.replace("executed: 100", "executed: 120")))
    (over,) = [f for f in ev.findings if f.code == "over-executed"]
    assert over.message.startswith("执行数120.00万元超过预算数100.00万元（执行率120%）")
    assert ev.budget is not None and ev.budget.rate_computed == Decimal("1.2")


def test_notes_read_finding_parameters_not_their_wording(monkeypatch: pytest.MonkeyPatch) -> None:
    """其他需要说明的问题 takes names and counts from a finding's parameters: rewording a code changes nothing there."""
    import yaml

    from reportgen.evaluation import findings
    from reportgen.evaluation.model import SourceMap
    from reportgen.loaders.structured import validate_data
    from reportgen.narrative import Composer

    data = yaml.safe_load(SEED_EXAMPLE.read_text(encoding="utf-8"))
    seed = evaluate(load(SEED_EXAMPLE))
    assert seed.total_computed is not None and seed.budget is not None and seed.budget.score
    # a printed total that leaves out the budget block: said as such ("未计入预算执行得分")
    data["total_score"] = str(seed.total_computed - seed.budget.score)
    data.pop("grade", None)

    def notes() -> str:
        report = Composer("mof").compose(evaluate(validate_data(data, SourceMap("表.yaml"))))  # has 其他需要说明的问题
        return next(s.markdown for s in report.sections if s.key == "other")

    before = notes()
    assert "预算执行得分" in before and "出现2次" in before and "名称属时效指标" in before
    reworded = {
        "category-suspect": findings.Code("warning", "归类存疑", "“{name}”疑似{suggested}（现在{filed}）"),
        "duplicate-name": findings.Code("warning", "重名", "{name}重复{count}次"),
        "total-mismatch": findings.Code("error", "总分不符", {"": "总分{total}≠{computed}",
                                                           "budget-left-out": "总分{total}≠{computed}（无预算）"}),
    }
    monkeypatch.setattr(findings, "CODES", {**findings.CODES, **reworded})
    assert notes() == before


def test_a_name_pointing_to_two_categories_raises_no_category_suspicion(tmp_path: Path) -> None:
    # 费用结算及时性 under 时效指标: "费用" is a cost word, "及时" a timeliness one; no advice to re-file it
    ev, _ = evaluate_text(tmp_path, doc(indicator(name="费用结算及时性", level2="时效指标", target="≥95%",
                                                  actual="98%")))
    assert "category-suspect" not in {f.code for f in ev.findings}


def test_a_category_with_rows_lacking_a_weight_contradicts_its_printed_weight_only_when_exceeded(
    tmp_path: Path,
) -> None:
    # 产出指标 printed 90: a row of 60 and a row without 分值 leave the sum open (the blank row is warned itself)
    open_sum = doc(indicator(weight="60", score="60"), indicator("资料归档率", weight=None, score="30"),
                   extra="categories:\n  产出指标: 90\n")
    ev, _ = evaluate_text(tmp_path, open_sum)
    codes = [f.code for f in ev.findings]
    assert "subtotal-mismatch" not in codes and "weight-missing" in codes
    # rows already over the printed weight contradict it whatever the blank row holds
    over = open_sum.replace("weight: 60", "weight: 95")
    ev, _ = evaluate_text(tmp_path, over, "over.yaml")
    assert [f.message for f in ev.findings if f.code == "subtotal-mismatch"] == ["“产出指标”标注90分，所含指标分值合计95分"]


SOURCES = HEAD.replace("  score: 10\n", "  score: 10\n  sources:\n{rows}")


@pytest.mark.parametrize(("rows", "expected"), [
    # two rows that add up, a cent of rounding, a lone 其中 row under the total: no contradiction
    ("    - {name: 本年财政拨款, adjusted: 80, executed: 80}\n    - {name: 上年结转, adjusted: 20, executed: 20}\n", []),
    ("    - {name: 本年财政拨款, adjusted: 79.996, executed: 80}\n    - {name: 上年结转, adjusted: 20, executed: 20}\n", []),
    ("    - {name: 本年财政拨款, adjusted: 60, executed: 60}\n", []),
    # a row broken down by the rows under it (其中：中央、省级): the parts are not more money
    ("    - {name: 本年财政拨款, adjusted: 80, executed: 80}\n    - {name: 其中：中央资金, adjusted: 50, executed: 50}\n"
     "    - {name: 省级资金, adjusted: 30, executed: 30}\n    - {name: 上年结转, adjusted: 20, executed: 20}\n", []),
    # rows over the total; two rows under it; rows of zeros under a total of 100
    ("    - {name: 本年财政拨款, adjusted: 120, executed: 100}\n",
     ["资金来源各行的全年预算数合计120.00万元，与年度资金总额的全年预算数100.00万元不符；报告按年度资金总额叙述，请核实"]),
    ("    - {name: 本年财政拨款, adjusted: 70, executed: 70}\n    - {name: 上年结转, adjusted: 20, executed: 30}\n",
     ["资金来源各行的全年预算数合计90.00万元，与年度资金总额的全年预算数100.00万元不符；报告按年度资金总额叙述，请核实"]),
    ("    - {name: 本年财政拨款, adjusted: 0, executed: 0}\n    - {name: 其他资金, adjusted: 0, executed: 0}\n",
     ["资金来源各行的全年预算数合计0.00万元，与年度资金总额的全年预算数100.00万元不符；报告按年度资金总额叙述，请核实",
      "资金来源各行的全年执行数合计0.00万元，与年度资金总额的全年执行数100.00万元不符；报告按年度资金总额叙述，请核实"]),
])
def test_source_rows_that_cannot_add_up_to_the_total_are_a_warning(
    tmp_path: Path, rows: str, expected: list[str]
) -> None:
    ev, _ = evaluate_text(tmp_path, doc(head=SOURCES.format(rows=rows)))
    found = [f for f in ev.findings if f.code == "sources-mismatch"]
    assert [f.message for f in found] == expected
    assert all(f.severity == "warning" and f.path == "budget.sources" for f in found)


def test_category_hints_apply_to_the_output_benefit_satisfaction_framework_only(tmp_path: Path) -> None:
    """资金到位及时性 under 过程 is no misfiled 时效指标: a 决策/过程 framework has no such category."""
    process, _ = evaluate_text(tmp_path, doc(indicator(name="资金到位及时性", level1="过程", level2="资金管理")))
    output, _ = evaluate_text(tmp_path, doc(indicator(name="资金到位及时性", level1="产出指标", level2="数量指标")))
    assert "category-suspect" not in {f.code for f in process.findings}
    assert "category-suspect" in {f.code for f in output.findings}
