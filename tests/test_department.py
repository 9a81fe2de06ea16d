"""Department-wide forms (部门整体支出绩效自评表): recognition, scoring, workbook and text layouts, validate."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from reportgen.cli import main
from reportgen.errors import InputError
from reportgen.evaluation.scoring import Evaluation, evaluate
from reportgen.loaders import load
from reportgen.loaders.xlsx_template import write_template

# A flat department form in the spirit of the Chongqing layout: management indicators mixed with the
# unit's outputs, 得分系数 and 核心指标 columns, caps printed without an operator.
FLAT = """\
type: department
year: 2023
unit: 某某区文化和旅游局
functions: 负责全区文化和旅游事业发展，承担公共文化服务体系建设。
organisation: 内设机构5个，编制28人，实有26人。
budget:
  initial: 1200
  adjusted: 1350
  executed: 1420
  weight: 10
  score: 10
  spending:
    - {name: 基本支出, adjusted: 850, executed: 860}
    - {name: 项目支出, adjusted: 500, executed: 560}
goals:
  planned: 1、完成全年公共文化场馆免费开放；2、举办文化惠民演出60场；3、完成文物安全巡查全覆盖。
  achieved: 1、全年免费开放图书馆、文化馆共计320天；2、举办文化惠民演出62场。
indicators:
  - {name: 预算调整率, target: 5%, actual: 12.5%, weight: 10, score: 4, coef: 40%, core: 是, cause: 年中追加文物修缮资金}
  - {name: 结转结余率, target: 3%, actual: 1.2%, weight: 10, score: 10, coef: 100%}
  - {name: 三公经费控制率, target: 100%, actual: 95%, weight: 10, score: 10, coef: 100%}
  - {name: 文化惠民演出场次, target: ≥60场, actual: 62场, weight: 20, score: 20, coef: 100%, core: 是}
  - {name: 政府采购执行率, target: 100%, actual: 80%, weight: 10, score: 8, coef: 80%, core: 是}
  - {name: 群众满意度, target: ≥90%, actual: 93%, weight: 30, score: 30, coef: 100%}
total_score: 92
"""

# The same unit with 一级/二级指标 columns (Anhui uses the project layout for department forms)
HIERARCHICAL = """\
title: 2022年度单位整体支出绩效自评表
year: 2022
unit: 某某县档案馆
budget: {adjusted: 300, executed: 270, weight: 10, score: 9}
tasks:
  - {name: 档案数字化, planned: 完成馆藏档案数字化5万卷, result: 完成5.2万卷}
  - {name: 档案开放鉴定, planned: 完成开放鉴定1万卷}
indicators:
  - {level1: 管理指标, level2: 预算管理, name: 预算执行率, target: ≥90%, actual: 90%, weight: 10, score: 10}
  - {level1: 管理指标, level2: 预算管理, name: 结转结余率, target: ≤5%, actual: 8%, weight: 10, score: 6, cause: 年底资金到位}
  - {level1: 产出指标, level2: 数量指标, name: 档案数字化卷数, target: ≥5万卷, actual: 5.2万卷, weight: 30, score: 30}
  - {level1: 产出指标, level2: 质量指标, name: 档案鉴定合格率, target: ≥95%, actual: 92%, weight: 20, score: 18, core: 是}
  - {level1: 满意度指标, level2: 服务对象满意度, name: 查档群众满意度, target: ≥90%, actual: 96%, weight: 20, score: 20}
total_score: 93
"""


def _evaluate(tmp_path: Path, text: str, name: str = "dept.yaml") -> Evaluation:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return evaluate(load(path))


def _codes(ev: Evaluation, code: str) -> list[str]:
    return [f.message for f in ev.findings if f.code == code]


def _result(ev: Evaluation, name: str):  # noqa: ANN202 - IndicatorResult
    return next(r for r in ev.indicators if r.name == name)


# --- recognition -----------------------------------------------------------------------------------


def test_type_department_needs_no_project_name(tmp_path: Path) -> None:
    ev = _evaluate(tmp_path, FLAT)
    assert ev.form.kind == "department" and ev.form.project is None
    assert ev.form.subject == "某某区文化和旅游局"
    assert ev.form.budget is not None and [s.name for s in ev.form.budget.spending] == ["基本支出", "项目支出"]


def test_a_department_title_marks_the_form(tmp_path: Path) -> None:
    ev = _evaluate(tmp_path, HIERARCHICAL)
    assert ev.form.kind == "department"
    assert ev.form.kind_basis == "表名含“单位整体”"


@pytest.mark.parametrize("label", ["部门整体", "单位整体支出", "department"])
def test_the_chinese_label_names_the_kind(tmp_path: Path, label: str) -> None:
    ev = _evaluate(tmp_path, FLAT.replace("type: department", f"type: {label}"))
    assert ev.form.kind == "department"


def test_project_type_words_stay_the_project_type(tmp_path: Path) -> None:
    text = "project: 甲项目\ntype: 常年性项目\nindicators:\n  - {name: 甲, target: 1次, actual: 1次}\n"
    ev = _evaluate(tmp_path, text)
    assert ev.form.kind == "project" and ev.form.type == "常年性项目"


def test_management_indicators_without_a_project_name_make_a_department_form(tmp_path: Path) -> None:
    # the Chongqing layout prints no 部门整体 in the table and no 项目名称: its 预算调整率, 三公经费… say what it is
    path = tmp_path / "x.yaml"
    path.write_text(FLAT.replace("type: department\n", ""), encoding="utf-8")
    form = load(path)
    assert form.kind == "department" and form.project is None
    assert "部门整体管理类指标" in form.kind_basis and "请填写项目名称" in form.kind_basis


def test_neither_project_nor_department_marker_says_which_to_give(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    # one management-like row alone (a project's own 预算执行率) does not make a department form
    own = "\n".join(line for line in FLAT.splitlines()
                    if not any(w in line for w in ("结转结余率", "三公经费", "政府采购")))
    path.write_text(own.replace("type: department\n", ""), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load(path)
    message = str(exc.value)
    assert f"{path}:1 字段 project" in message
    assert "项目名称" in message and "type: department" in message and "单位整体" in message


# --- scoring ---------------------------------------------------------------------------------------


def test_lower_is_better_caps_met_without_false_shortfall(tmp_path: Path) -> None:
    ev = _evaluate(tmp_path, FLAT)
    for name in ("结转结余率", "三公经费控制率"):
        r = _result(ev, name)
        assert r.lower_better and r.status == "met", name
    assert not any("结转结余率" in m or "三公经费控制率" in m for m in _codes(ev, "missed-no-deduction"))


def test_lower_is_better_cap_missed(tmp_path: Path) -> None:
    ev = _evaluate(tmp_path, FLAT)
    r = _result(ev, "预算调整率")
    assert r.lower_better and r.status in ("partial", "missed")
    assert any("预算调整率" in m for m in _codes(ev, "core-shortfall"))


def test_core_shortfall_and_coefficients(tmp_path: Path) -> None:
    ev = _evaluate(tmp_path, FLAT)
    assert [r.name for r in ev.core_short] == ["预算调整率", "政府采购执行率"]
    assert _codes(ev, "coef-mismatch") == []  # every printed score is 权重 × 得分系数
    wrong = _evaluate(tmp_path, FLAT.replace("score: 8, coef: 80%", "score: 10, coef: 80%"))
    assert any("政府采购执行率" in m and "8分" in m for m in _codes(wrong, "coef-mismatch"))


def test_a_missing_score_is_computed_from_the_coefficient(tmp_path: Path) -> None:
    ev = _evaluate(tmp_path, FLAT.replace("score: 8, coef: 80%", "coef: 80%"))
    r = _result(ev, "政府采购执行率")
    assert r.score == 8 and r.score_source == "computed"


def test_over_spend_is_a_finding(tmp_path: Path) -> None:
    ev = _evaluate(tmp_path, FLAT)
    assert any("1,420.00万元超过预算数1,350.00万元" in m for m in _codes(ev, "over-executed"))


def test_planned_task_without_result(tmp_path: Path) -> None:
    ev = _evaluate(tmp_path, FLAT)
    assert [(t.name, t.reported) for t in ev.tasks] == [
        ("完成全年公共文化场馆免费开放；", True),
        ("举办文化惠民演出60场；", True),
        ("完成文物安全巡查全覆盖。", False),
    ]
    assert any("完成文物安全巡查全覆盖" in m for m in _codes(ev, "task-no-result"))
    table = _evaluate(tmp_path, HIERARCHICAL)
    assert [(t.name, t.result) for t in table.tasks] == [("档案数字化", "完成5.2万卷"), ("档案开放鉴定", None)]


def test_hierarchical_department_form(tmp_path: Path) -> None:
    ev = _evaluate(tmp_path, HIERARCHICAL)
    assert [c.level1 for c in ev.level1] == ["管理指标", "产出指标", "满意度指标"]
    assert _result(ev, "结转结余率").status in ("partial", "missed")
    assert [r.name for r in ev.core_short] == ["档案鉴定合格率"]
    assert ev.total == 93 and not ev.errors


# --- workbooks and text ----------------------------------------------------------------------------


@pytest.mark.parametrize("text", [FLAT, HIERARCHICAL], ids=["flat", "hierarchical"])
def test_a_department_form_survives_the_workbook(tmp_path: Path, text: str) -> None:
    src = tmp_path / "dept.yaml"
    src.write_text(text, encoding="utf-8")
    form = load(src)
    book = tmp_path / "dept.xlsx"
    write_template(book, form)
    back = load(book)
    assert back.kind == "department"
    want, got = form.model_dump(), back.model_dump()
    got["budget"]["rate"] = want["budget"]["rate"]  # the workbook's 执行率 is a formula Excel has not calculated
    got["title"] = want["title"]  # the workbook prints its own title
    assert got == want


def test_the_blank_department_workbook_reads_as_a_department_form(tmp_path: Path, runner: CliRunner) -> None:
    book = tmp_path / "blank.xlsx"
    result = runner.invoke(main, ["template-xlsx", str(book), "--type", "department"])
    assert result.exit_code == 0, result.output
    form = load(book)
    assert form.kind == "department"
    assert [i.name for i in form.indicators][:3] == ["预算调整率", "结转结余率", "三公经费控制率"]
    imported = runner.invoke(main, ["import", str(book)])
    assert "# 表式：部门整体支出绩效自评表（表名含“部门整体”）" in imported.stdout
    assert "未识别的内容" not in imported.stderr


# tab-separated text as extracted from a Word/PDF department form (flat Chongqing columns, no levels)
TEXT_FORM = "\n".join(
    "\t".join(row)
    for row in (
        ["2021年度部门整体绩效自评表"],
        ["单位名称", "某某市融媒体中心", "", "", "自评总分", "96"],
        ["部门预算执行情况", "年初预算数", "全年预算数", "全年执行数", "执行率", "执行率权重", "执行率得分"],
        ["", "500", "520", "499.2", "96%", "10", "9.6"],
        ["当年绩效目标", "年初绩效目标", "全年(调整)绩效目标", "全年目标实际完成情况"],
        ["", "做好新闻宣传工作", "无", "全年播发稿件2859篇"],
        ["指标名称", "计量单位", "指标性质", "年初指标值", "调整指标值", "全年完成值", "得分系数(%)", "指标权重",
         "指标得分", "是否核心指标"],
        ["财政供养人员控制率", "%", "定量指标", "100%", "", "92%", "100%", "10", "10", "否"],
        ["预算调整率", "%", "定量指标", "3%", "", "0", "100%", "10", "10", "否"],
        ["播发稿件数量", "篇", "定量指标", "2200", "", "2859", "100%", "70", "70", "是"],
    )
)


def test_text_of_a_flat_department_form(tmp_path: Path) -> None:
    path = tmp_path / "form.txt"
    path.write_text(TEXT_FORM + "\n", encoding="utf-8")
    ev = evaluate(load(path))
    form = ev.form
    assert form.kind == "department" and form.unit == "某某市融媒体中心"
    assert form.goals is not None and form.goals.planned == "做好新闻宣传工作" and form.goals.revised is None
    first = form.indicators[0]
    assert (first.nature, first.unit, first.target, first.actual) == ("定量指标", "%", "100%", "92%")
    assert form.indicators[2].core and form.indicators[2].target == "2200篇"
    assert all(r.status == "met" for r in ev.indicators)  # 92% and 0 under their caps
    assert _codes(ev, "missed-no-deduction") == []
    assert ev.total == 96


# --- validate --------------------------------------------------------------------------------------


def test_validate_says_what_it_checked(tmp_path: Path, runner: CliRunner) -> None:
    path = tmp_path / "dept.yaml"
    path.write_text(FLAT, encoding="utf-8")
    result = runner.invoke(main, ["validate", str(path)])
    out = result.stdout
    assert "表式：部门整体支出绩效自评表（注明了 type: department），不要求项目名称" in out
    assert "预算执行（含按支出性质（基本支出、项目支出））" in out
    assert "6项绩效指标（核心指标3项，按得分系数核对得分6项，越低越好的指标3项按上限判断）" in out
    assert "年度工作任务3项（已填报完成情况2项）" in out
    assert "完成文物安全巡查全覆盖。  未填报完成情况" in out
    data = json.loads(runner.invoke(main, ["validate", "--json", str(path)]).stdout)
    assert data["kind"] == "department" and data["subject"] == "某某区文化和旅游局"
    assert data["core_short"] == ["预算调整率", "政府采购执行率"]


# --- the report ------------------------------------------------------------------------------------


def _report(tmp_path: Path, text: str, outline: str = "default", name: str = "dept.yaml"):  # noqa: ANN202 - Report
    from reportgen.narrative import compose

    return compose(_evaluate(tmp_path, text, name), outline=outline)


def _section(markdown: str, heading: str) -> str:
    return markdown.split(heading, 1)[1].split("\n## ", 1)[0]


def test_department_forms_get_the_department_outline_by_default(tmp_path: Path) -> None:
    md = _report(tmp_path, FLAT).markdown
    assert md.startswith("# 2023年度某某区文化和旅游局部门整体支出绩效自评报告\n")
    headings = [line for line in md.splitlines() if line.startswith("## ")]
    assert headings[:8] == [
        "## 一、部门（单位）基本情况",
        "## 二、部门整体支出情况",
        "## 三、年度工作任务完成情况",
        "## 四、部门整体绩效指标完成情况",
        "## 五、综合评价结论",
        "## 六、存在的问题及原因",
        "## 七、改进措施",
        "## 八、结果应用及公开",
    ]
    assert md == _report(tmp_path, FLAT, outline="department").markdown
    # a project form keeps the project outline
    project = _report(tmp_path, "project: 甲项目\nindicators:\n  - {name: 甲, target: 1次, actual: 1次}\n").markdown
    assert "## 一、基本情况" in project and "部门整体" not in project


def test_basic_situation_budget_and_over_spend(tmp_path: Path) -> None:
    md = _report(tmp_path, FLAT).markdown
    basic = _section(md, "## 一、部门（单位）基本情况")
    assert "负责全区文化和旅游事业发展" in basic and "内设机构5个，编制28人" in basic
    assert "一是完成全年公共文化场馆免费开放" in basic
    budget = _section(md, "## 二、部门整体支出情况")
    assert "全年预算数1,350.00万元（年初预算数1,200.00万元，年度中调增150.00万元）" in budget
    assert "其中基本支出预算数850.00万元、执行数860.00万元" in budget
    assert "全年执行数超过全年预算数70.00万元" in budget and "【待补充：执行数超过预算数的原因】" in budget


def test_tasks_planned_against_reported(tmp_path: Path) -> None:
    tasks = _section(_report(tmp_path, FLAT).markdown, "## 三、年度工作任务完成情况")
    assert "对照年初确定的3项工作任务，其中2项的完成情况如下" in tasks
    assert "2.举办文化惠民演出60场。完成情况：举办文化惠民演出62场。" in tasks
    assert "3.完成文物安全巡查全覆盖。完成情况：【待补充：“完成文物安全巡查全覆盖”任务的完成情况】。" in tasks


def test_management_indicators_read_with_their_direction(tmp_path: Path) -> None:
    md = _report(tmp_path, FLAT).markdown
    management = _section(md, "### （一）管理指标完成情况")
    assert "“结转结余率”指标值3%，全年完成值1.2%；“三公经费控制率”指标值100%，全年完成值95%，均控制在指标值以内" in management
    assert "“预算调整率（核心指标）”指标值5%，全年完成值12.5%，超过指标值上限，得分系数40%" in management
    # a cap kept is no problem: neither named among the problems nor given a gap
    problems = _section(md, "## 六、存在的问题及原因")
    assert "结转结余率" not in problems and "三公经费控制率" not in problems
    assert not any("结转结余率" in p or "控制率" in p for p in _report(tmp_path, FLAT).placeholders)


def test_core_shortfalls_come_first_and_are_named(tmp_path: Path) -> None:
    md = _report(tmp_path, FLAT).markdown
    problems = _section(md, "## 六、存在的问题及原因")
    items = [p for p in problems.split("\n\n") if p[:2] in ("1.", "2.", "3.", "4.", "5.")]
    # a cap (预算调整率 ≤ 5%) exceeded is said to exceed it, never "not reached" (status.py decides)
    assert "“预算调整率（核心指标）”" in items[0][:20] and "超出上限7.5个百分点" in items[0]
    assert "未达到" not in items[0] and "未完成" not in items[0]
    assert "年中追加文物修缮资金" in items[0]
    assert items[1].startswith("2.“政府采购执行率（核心指标）”") and "未达到年度目标" in items[1]
    assert "【待补充：“政府采购执行率”指标的偏差原因】" in items[1]
    conclusion = _section(md, "## 五、综合评价结论")
    assert "“政府采购执行率（核心指标）”未达到指标值，“预算调整率（核心指标）”超出控制上限" in conclusion


def test_hierarchical_department_report(tmp_path: Path) -> None:
    md = _report(tmp_path, HIERARCHICAL).markdown
    assert "### （一）管理指标完成情况" in md and "### （二）产出指标完成情况" in md
    assert "“结转结余率”" in md and "指标值≤5%，全年完成值8%，超过指标值上限" in md
    assert "| 一级指标 | 二级指标 | 指标名称 |" in md  # the table keeps the printed levels
    assert "1.档案数字化。主要内容：完成馆藏档案数字化5万卷；完成情况：完成5.2万卷。" in md  # plan against result


def test_department_report_passes_its_check_but_for_gaps(tmp_path: Path, runner: CliRunner) -> None:
    path = tmp_path / "dept.yaml"
    path.write_text(FLAT, encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(main, ["render", str(path), "-o", str(out)])
    assert result.exit_code == 1, result.output  # the form leaves gaps: placeholders, nothing else
    check = json.loads(next(out.glob("*.check.json")).read_text(encoding="utf-8"))
    errors = [p for p in check["problems"] if p["severity"] == "error"]
    assert errors and all(p["kind"] == "placeholder" for p in errors), errors
    assert check["counts"]["required_found"] == check["counts"]["required_total"]


def test_flat_text_form_renders_without_false_shortfall(tmp_path: Path) -> None:
    from reportgen.narrative import compose

    path = tmp_path / "form.txt"
    path.write_text(TEXT_FORM + "\n", encoding="utf-8")
    report = compose(evaluate(load(path)))
    assert "“财政供养人员控制率”指标值100%，全年完成值92%；“预算调整率”指标值3%，全年完成值0%，均控制在指标值以内" in report.markdown
    assert "未达到指标值" not in report.markdown and "超过指标值上限" not in report.markdown


# --- forms without indicator rows ------------------------------------------------------------------

PARTIAL = """\
year: 2022
unit: 某某县农业农村局
project: 高标准农田建设项目
budget: {adjusted: 800, executed: 720, weight: 10, score: 9}
total_score: 88
grade: 良
deviation_analysis:
  - 部分工程因雨季施工延期，资金未能在年内全部拨付。
improvement_measures:
  - 加快工程结算进度，督促施工单位按期完工。
"""


def test_the_summary_of_a_form_without_indicator_rows(tmp_path: Path, runner: CliRunner) -> None:
    report = _report(tmp_path, PARTIAL, outline="summary")
    md = report.markdown
    assert "高标准农田建设项目2022年度" in md and re.search(r"项目综合得分88分，等级为“良”", md)
    assert "全年预算数800.00万元，执行数720.00万元，预算执行率90%" in md
    assert "尚有80.00万元未执行（按全年预算数减执行数计算），预算执行扣1分" in md
    assert "自评表未列出绩效指标，产出、效益和满意度指标完成情况【待补充：绩效指标完成情况】" in md
    assert "部分工程因雨季施工延期" in md and "加快工程结算进度" in md
    path = tmp_path / "partial.yaml"
    path.write_text(PARTIAL, encoding="utf-8")
    result = runner.invoke(main, ["render", str(path), "--outline", "summary", "-o", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output  # not 2: the form is read; the gap fails the check


def test_the_default_outline_on_a_form_without_indicator_rows(tmp_path: Path) -> None:
    md = _report(tmp_path, PARTIAL).markdown
    assert "【待补充：绩效指标完成情况】" in md
    assert "均得满分" not in md and "0项" not in md  # nothing is said about indicators the form does not have
    assert "项目未设置三级绩效指标，只对预算执行率赋分10分" in md
    ev = _evaluate(tmp_path, PARTIAL)
    assert [f.code for f in ev.findings if f.code in ("no-indicators", "weight-sum", "total-mismatch")] == ["no-indicators"]


def test_a_department_form_without_indicator_rows(tmp_path: Path) -> None:
    text = "type: department\nunit: 某某街道办事处\nyear: 2023\nbudget: {adjusted: 100, executed: 95, weight: 10, score: 9.5}\n"
    text += "total_score: 95\n"
    md = _report(tmp_path, text).markdown
    assert "本年度未设置绩效指标" in md and "【待补充：绩效指标完成情况】" in md


# --- batch -----------------------------------------------------------------------------------------


def test_a_batch_mixing_project_and_department_forms(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from reportgen.batch.run import BatchOptions, run_batch

    src = tmp_path / "in"
    src.mkdir()
    (src / "dept.yaml").write_text(FLAT, encoding="utf-8")
    (src / "project.yaml").write_text(
        "project: 甲项目\nunit: 甲单位\nyear: 2023\nbudget: {adjusted: 100, executed: 100, weight: 10, score: 10}\n"
        "indicators:\n  - {name: 培训场次, target: ≥10次, actual: 10次, weight: 90, score: 90}\ntotal_score: 100\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = run_batch([src], BatchOptions(outdir=out, formats=("md",), jobs=1))
    assert sorted(r.kind for r in result.rows) == ["部门整体", "项目支出"]
    ws = load_workbook(out / "summary.xlsx")["汇总"]
    header = [c.value for c in ws[1]]
    rows = {r[header.index("项目")].value: r[header.index("类型")].value for r in ws.iter_rows(min_row=2)}
    assert rows == {"某某区文化和旅游局": "部门整体", "甲项目": "项目支出"}
    overview = (out / "overview.md").read_text(encoding="utf-8")
    assert "按表式分，项目支出自评表1份，部门整体支出自评表1份。" in overview
    assert "全年预算数合计100.00万元" in overview  # the department's own budget is not added to its projects'
    assert any(p.name.endswith("部门整体支出绩效自评报告.md") for p in out.rglob("*.md"))


def test_a_word_department_form(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("2022年度单位整体支出绩效自评表")
    rows = [
        ["单位名称", "某某县档案馆", "", "", ""],
        ["预算执行情况", "全年预算数", "全年执行数", "分值", "得分"],
        ["年度资金总额", "300", "270", "10", "9"],
        ["指标名称", "年初指标值", "全年完成值", "指标权重", "指标得分"],
        ["结转结余率", "5%", "3%", "40", "40"],
        ["查档群众满意度", "≥90%", "96%", "50", "50"],
        ["自评总分", "", "", "", "99"],
    ]
    table = document.add_table(rows=len(rows), cols=5)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    path = tmp_path / "form.docx"
    document.save(str(path))
    ev = evaluate(load(path))
    assert ev.form.kind == "department" and ev.form.unit == "某某县档案馆"
    assert [r.status for r in ev.indicators] == ["met", "met"]
    assert ev.total == 99


def test_a_broken_user_management_lexicon_is_refused_when_the_composer_is_built(tmp_path: Path) -> None:
    """Not only when a form happens to need the management words (the facts look them up lazily)."""
    from reportgen.errors import LexiconError
    from reportgen.narrative import Composer

    (tmp_path / "management.yaml").write_text("words: 调整率\n", encoding="utf-8")  # a word, not a list
    with pytest.raises(LexiconError, match="words 列表"):
        Composer(lexicon=tmp_path)


# points lost where the form gives nothing to judge the target by: a blank actual, a worded one against a cap
UNJUDGED = (FLAT.replace("{name: 结转结余率, target: 3%, actual: 1.2%, weight: 10, score: 10, coef: 100%}",
                         "{name: 结转结余率, target: 3%, actual: 按规定控制, weight: 10, score: 8}")
            .replace("{name: 文化惠民演出场次, target: ≥60场, actual: 62场, weight: 20, score: 20, coef: 100%, core: 是}",
                     "{name: 文化惠民演出场次, target: ≥60场, weight: 20, score: 17}")
            .replace("total_score: 92", "total_score: 87"))


def test_points_lost_without_a_comparable_actual_are_no_shortfall(tmp_path: Path) -> None:
    assert "按规定控制" in UNJUDGED and "score: 17" in UNJUDGED
    report = _report(tmp_path, UNJUDGED)
    md = report.markdown
    lines = [x for x in md.splitlines() if "结转结余率" in x or "文化惠民演出场次" in x]
    said = [x for x in lines if "扣" in x and not x.startswith("|")]
    assert said, md
    for x in said:
        assert "未达到指标值" not in x and "超过指标值上限" not in x and "未达到年度目标" not in x, x
        assert "未完成年度目标" not in x, x
    assert "指标值“3%”，完成情况“按规定控制”，无法与指标值直接比较" in md
    assert "指标值≥60场，完成值为【待补充：“文化惠民演出场次”指标的实际完成值】，" in md
    problems = _section(md, "、存在的问题及原因\n")
    assert "以上2项指标自评表未填写实际完成值或完成值无法与年度目标值比较，是否完成年度目标无从判断，但自评共扣5分" in problems
    assert "【待补充：上述指标的实际完成情况及扣分原因】" in problems
    # the real shortfalls keep their wording
    assert "“政府采购执行率”" in md and "未达到指标值" in md


def test_reported_items_that_pair_with_no_task_are_kept_not_dropped(tmp_path: Path) -> None:
    # three tasks planned, two results reported in other words: nothing pairs by position or by wording
    text = FLAT.replace(
        "  achieved: 1、全年免费开放图书馆、文化馆共计320天；2、举办文化惠民演出62场。",
        "  achieved: 1、全年接待群众逾12万人次；2、组织非遗进校园活动15次。")
    assert "逾12万人次" in text
    ev = _evaluate(tmp_path, text)
    assert ev.unpaired_results == ["全年接待群众逾12万人次；", "组织非遗进校园活动15次。"]
    unpaired = [f for f in ev.findings if f.code == "task-no-result"]
    assert unpaired and all(f.variant == "unpaired" and "未能与任务对应" in f.message for f in unpaired)
    md = _report(tmp_path, text).markdown
    assert "以下内容未能与上述任务逐项对应，照录如下：一是全年接待群众逾12万人次" in md
    assert "二是组织非遗进校园活动15次。" in md
    assert "对照年初确定的3项工作任务，自评表未逐项填报各项任务的完成情况，有待补充。" in md and "其中0项" not in md


def test_a_department_verdict_on_a_contradicted_symbol_says_it_follows_the_printed_symbol(tmp_path: Path) -> None:
    text = FLAT.replace("{name: 结转结余率, target: 3%, actual: 1.2%, weight: 10, score: 10, coef: 100%}",
                        "{name: 结转结余率, target: ≥5%, actual: 3%, weight: 10, score: 6}").replace(
        "total_score: 92", "total_score: 88")
    assert "≥5%" in text
    md = _report(tmp_path, text).markdown
    said = [x for x in md.splitlines() if x.startswith(("“结转结余率”", "从“结转结余率”", "就“结转结余率”"))]
    assert said and "按所印比较符号未达到指标值" in said[0]
    assert "“结转结余率”目标值的比较符号（≥ 或 ≤）与指标名称所示的方向相反" in md


def test_rows_with_neither_target_nor_actual_are_said_so(tmp_path: Path) -> None:
    both = (FLAT.replace("{name: 结转结余率, target: 3%, actual: 1.2%, weight: 10, score: 10, coef: 100%}",
                         "{name: 结转结余率, weight: 10, score: 10}")
            .replace("{name: 三公经费控制率, target: 100%, actual: 95%, weight: 10, score: 10, coef: 100%}",
                     "{name: 三公经费控制率, weight: 10, score: 10}"))
    md = _report(tmp_path, both).markdown
    assert "以下指标自评表未填写指标值和完成值：“结转结余率”，指标值【待补充" in md, md
    # one of them with its target printed: only the actual is said to be missing
    one = both.replace("{name: 结转结余率, weight: 10, score: 10}", "{name: 结转结余率, target: 3%, weight: 10, score: 10}")
    md = _report(tmp_path, one, name="one.yaml").markdown
    assert "以下指标自评表未填写完成值：“结转结余率”，指标值3%，" in md, md


# a department form of the 投入/过程/产出/效益 framework, its satisfaction indicator filed under 效益
STAGES = """\
title: 部门整体支出绩效自评表
year: 2022
unit: 某县文化馆
budget: {unit: 万元, weight: 10, initial: 500, adjusted: 520, executed: 500, rate: 96.15%, score: 9.6}
categories: {投入: 20, 过程: 30, 产出: 25, 效益: 15}
indicators:
  - {level1: 投入, level2: 预算编制, name: 财政供养人员控制率, target: ≤100%, actual: 95%, weight: 10, score: 10}
  - {level1: 投入, level2: 预算编制, name: 三公经费变动率, target: ≤0, actual: -5%, weight: 10, score: 10}
  - {level1: 过程, level2: 资金管理, name: 结转结余率, target: ≤5%, actual: 3%, weight: 15, score: 15}
  - {level1: 过程, level2: 资金管理, name: 政府采购执行率, target: 100%, actual: 90%, weight: 15, score: 13.5}
  - {level1: 产出, name: 文艺演出场次, target: ≥60场, actual: 62场, weight: 25, score: 25}
  - {level1: 效益, name: 群众满意度, target: ≥90%, actual: 93%, weight: 15, score: 15}
total_score: 98.1
"""


def test_levels_of_the_form_s_own_are_groups_under_its_names_in_its_order(tmp_path: Path) -> None:
    from reportgen.checking import check

    report = _report(tmp_path, STAGES)
    md = report.markdown
    assert "包括投入指标2项、过程指标2项、产出指标1项、效益指标1项" in md, md
    headings = [x for x in md.splitlines() if x.startswith("### （") and "指标完成情况" in x]
    assert headings == ["### （一）投入指标完成情况", "### （二）过程指标完成情况", "### （三）产出指标完成情况",
                        "### （四）效益指标完成情况"], headings
    assert "过程指标得28.5分（分值30分）" in md and "效益指标得15分（分值15分）" in md
    assert "满意度指标得" not in md and "其他指标" not in md
    assert "“群众满意度”从名称看属于满意度指标，自评表将其列在“效益”下，本报告按自评表的归类表述" in md
    result = check(report)
    assert not [p for p in result.problems if p.kind == "fact-mismatch"], [p.message for p in result.problems]


def test_a_group_the_form_does_not_have_ends_the_statement_of_the_category_before_it(tmp_path: Path) -> None:
    from reportgen.checking import check

    ev = _evaluate(tmp_path, STAGES)
    said = "分项看，产出指标得25分（分值25分），满意度指标得15分（分值15分），其他指标得48.5分（分值50分）。\n"
    assert not [p for p in check(said, data=ev).problems if p.kind == "fact-mismatch"]
    wrong = said.replace("产出指标得25分", "产出指标得20分")
    found = [p.message for p in check(wrong, data=ev).problems if p.kind == "fact-mismatch"]
    assert len(found) == 1 and "20分" in found[0] and "25分" in found[0], found


# extracted text of a 投入/过程/产出/效益 department form: levels of its own with printed weights, the task table
# titled 年度主要任务 left of its 任务名称 header
STAGES_TEXT = "\n".join(
    "\t".join(row) for row in (
        ["部门整体支出绩效自评表"],
        ["（2022年度）"],
        ["部门名称", "某县文化馆"],
        ["年度主要任务", "任务名称", "主要内容", "完成情况"],
        ["", "群众文化活动", "组织文艺演出", "完成演出62场"],
        ["", "非遗保护", "开展非遗项目申报", "申报省级项目2项"],
        ["年度资金总额", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
        ["", "500", "520", "500", "10", "96.15%", "9.6"],
        ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
        ["投入(20分)", "预算编制", "财政供养人员控制率", "≤100%", "95%", "10", "10"],
        ["", "", "三公经费变动率", "≤0", "-5%", "10", "10"],
        ["过程（30分）", "资金管理", "结转结余率", "≤5%", "3%", "15", "15"],
        ["", "", "政府采购执行率", "100%", "90%", "15", "13.5"],
        ["产出(25分)", "", "文艺演出场次", "≥60场", "62场", "25", "25"],
        ["效益(15分)", "", "群众满意度", "≥90%", "93%", "15", "15"],
        ["总分", "", "", "", "", "100", "98.1"],
    )
)


def test_text_of_a_form_with_levels_of_its_own(tmp_path: Path) -> None:
    from reportgen.loaders.tabular import read_tabular
    from reportgen.narrative import compose

    path = tmp_path / "form.txt"
    path.write_text(STAGES_TEXT + "\n", encoding="utf-8")
    [(form, warnings)] = read_tabular(path)
    assert not [w.message for w in warnings if "投入" in w.message or "预算编制" in w.message or "任务名称" in w.message]
    assert form.categories == {"投入": 20, "过程": 30, "产出": 25, "效益": 15}
    assert [(i.level1, i.level2) for i in form.indicators[:4]] == [("投入", "预算编制")] * 2 + [("过程", "资金管理")] * 2
    assert [(t.name, t.planned, t.result) for t in form.tasks] == [
        ("群众文化活动", "组织文艺演出", "完成演出62场"), ("非遗保护", "开展非遗项目申报", "申报省级项目2项")]
    md = compose(evaluate(form)).markdown
    assert "1.群众文化活动。主要内容：组织文艺演出；完成情况：完成演出62场。" in md
    assert "过程指标得28.5分（分值30分）" in md


def test_every_phrasing_of_the_application_names_its_basis(tmp_path: Path) -> None:
    seen = set()
    for n in range(12):
        md = _report(tmp_path, FLAT.replace("unit: ", f"unit: 第{n}", 1), name=f"u{n}.yaml").markdown
        application = _section(md, "、结果应用及公开\n")
        seen.add(application[:12])
        assert "预算绩效管理" in application, application
    assert len(seen) == 3, seen  # all three phrasings were tried


def test_the_appendix_has_a_core_column_only_when_the_form_marks_core_indicators(tmp_path: Path) -> None:
    from reportgen import render

    source = Path(__file__).resolve().parent.parent / "examples" / "区图书馆部门整体-2023.yaml"
    marked = render(source).markdown.split("## 附表")[1]
    assert "| 核心指标 |" in marked and "| 是 |" in marked
    unmarked_form = tmp_path / "无核心.yaml"
    unmarked_form.write_text(re.sub(r", core: [是否]", "", source.read_text(encoding="utf-8")), encoding="utf-8")
    unmarked = render(unmarked_form).markdown.split("## 附表")[1]
    rows = [line for line in unmarked.splitlines() if line.startswith("|")]
    assert "核心指标" not in unmarked and "| 否 |" not in unmarked
    assert len({line.count("|") for line in rows}) == 1  # every row as wide as the header


SCORE_ONLY = """\
type: department
year: 2022
unit: 某县文化和旅游局
budget: {initial: 500, executed: 480, weight: 10, score: 9.6}
indicators:
  - {level1: 投入, level2: 预算配置, name: 财政供养人员控制率, weight: 5, score: 5}
  - {level1: 投入, level2: 预算配置, name: 三公经费变动率, weight: 5, score: 5}
  - {level1: 过程, level2: 预算执行, name: 结转结余率, weight: 10, score: 8}
  - {level1: 过程, level2: 预算管理, name: 管理制度健全性, weight: 10, score: 10}
  - {level1: 过程, level2: 资产管理, name: 固定资产利用率, weight: 10, score: 9}
  - {level1: 产出, level2: 职责履行, name: 重点工作完成率, weight: 20, score: 18}
  - {level1: 效果, level2: 社会效益, name: 公共文化服务水平, weight: 20, score: 19}
  - {level1: 效果, level2: 满意度, name: 社会公众满意度, weight: 10, score: 9}
total_score: 92.6
grade: 优
"""


def test_a_score_only_table_is_said_by_its_points_once_not_with_a_placeholder_per_row(tmp_path: Path) -> None:
    """Published department tables often print 分值 and 得分 only: the report says so once and narrates the points;
    a 二级指标 named 预算执行 is not confused with the budget block by the checker."""
    from reportgen import render
    from reportgen.checking import check

    form = tmp_path / "部门.yaml"
    form.write_text(SCORE_ONLY, encoding="utf-8")
    report = render(form)
    md = report.markdown
    body = md.split("## 五、")[0]
    assert "自评表只填列了各项指标的分值和得分，未填写指标值和完成值" in body
    assert "指标的年度目标值】" not in body and "指标的实际完成值】" not in body
    assert "“结转结余率”得8分（分值10分），扣2分" in body and "“财政供养人员控制率”和“三公经费变动率”均得满分" in body
    assert "越低越好" not in body  # no values to hold against a cap
    ev = report.evaluation
    assert ev is not None
    assert [p.message for p in check(md, data=ev).problems if p.kind == "fact-mismatch"] == []


def test_a_theme_measure_states_only_what_its_indicators_call_for(tmp_path: Path) -> None:
    """A budget-management group short on 结转结余率 and 政府采购执行率 is told about those, not to 减少年中调整 or to
    control 三公经费 (lexicon/themes.yaml ``parts``)."""
    from reportgen import render

    form = tmp_path / "部门.yaml"
    form.write_text(
        "type: department\nyear: 2022\nunit: 某县文化和旅游局\n"
        "budget: {initial: 500, executed: 500, weight: 10, score: 10}\nindicators:\n"
        "  - {name: 结转结余率, target: ≤5%, actual: 8%, weight: 10, score: 6}\n"
        "  - {name: 政府采购执行率, target: 100%, actual: 90%, weight: 10, score: 9}\n"
        "  - {name: 全年开放天数, target: ≥300天, actual: 306天, weight: 70, score: 70}\ntotal_score: 95\n",
        encoding="utf-8",
    )
    measures = render(form).markdown.split("改进措施\n")[1].split("## ")[0]
    assert "结转结余资金" in measures and "政府采购" in measures
    assert "年中调整" not in measures and "三公" not in measures
