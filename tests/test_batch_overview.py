"""The batch overview is worded by templates/batch/overview.md.j2, which a --templates folder may replace."""

from __future__ import annotations

from pathlib import Path

from reportgen.batch.index import overview_facts, overview_markdown
from reportgen.batch.run import BatchResult, Row

ROWS = [
    Row(input="a.yaml", unit="甲单位", project="道路养护", rate="78%", rate_value=0.78, total="87", total_value=87.0,
        grade="良", budget_value=100.0, executed_value=78.0, budget_unit="万元", placeholders=2, date="2024年3月1日"),
    Row(input="b.yaml", unit="甲单位", project="图书_采购", rate="100%", rate_value=1.0, total="70", total_value=70.0,
        grade="中", budget_value=50.0, executed_value=50.0, budget_unit="万元"),
    Row(input="c.yaml", status="failed", message="YAML 语法错误"),
]


def test_the_overview_states_the_facts_of_the_batch() -> None:
    text = overview_markdown(BatchResult(rows=ROWS, elapsed=1.0, skipped=1))
    assert "本批次共处理项目3个，其中生成报告2个，失败1个（另有1个输入文件的报告已是最新，未重新生成）。" in text
    assert "自评表填报的等级：“良”1个和“中”1个。" in text
    assert "2个项目全年预算数合计150.00万元，执行数合计128.00万元，总体预算执行率85.33%（按合计数计算）。" in text
    assert "- 道路养护（甲单位）：预算执行率78%，低于90%，报告有2处待补充" in text
    assert "- 图书\\_采购（甲单位）：等级为“中”" in text  # printed text is escaped for Markdown
    assert "| 3 | c.yaml | — | — | — | 处理失败：YAML 语法错误 |" in text
    assert text.endswith("\n\n甲单位\n\n2024年3月1日\n")


def test_a_user_template_words_the_overview(tmp_path: Path) -> None:
    (tmp_path / "batch").mkdir()
    (tmp_path / "batch" / "overview.md.j2").write_text(
        "# 概览\n\n共{{ o.projects }}个项目，最低{{ o.scores.lowest }}分（{{ md(o.scores.lowest_project) }}）。\n",
        encoding="utf-8",
    )
    text = overview_markdown(BatchResult(rows=ROWS, elapsed=1.0), templates=str(tmp_path))
    assert text == "# 概览\n\n共3个项目，最低70分（图书\\_采购）。\n"


def test_the_facts_hold_no_sentence() -> None:
    facts = overview_facts(BatchResult(rows=ROWS, elapsed=1.0))
    assert facts["rows"][0]["low_rate"] == "78%" and facts["rows"][1]["low_grade"] == "中"
    assert facts["budget"] == {"total": "150.00", "executed": "128.00", "unit": "万元", "rate": "85.33", "count": 2,
                               "incomplete": 0, "from_source": 0, "departments": 0}


def test_computed_figures_are_kept_apart_and_incomplete_money_left_out_of_the_sums() -> None:
    rows = [
        *ROWS[:2],
        # no grade printed (worked out from its total); no 执行数; printed rate 95 % against amounts giving 80 %
        Row(input="d.yaml", unit="甲单位", project="路灯维护", total="96", total_value=96.0, grade="优（计算）",
            grade_computed=True, budget_value=900.0, budget_unit="万元"),
        Row(input="e.yaml", unit="甲单位", project="绿化", total="98", total_value=98.0, grade="优", rate="95%",
            rate_value=0.95, rate_from_amounts=0.8, budget_value=100.0, executed_value=80.0, budget_unit="万元"),
        # the user edited its report: kept, still counted (its form is unchanged)
        Row(input="f.yaml", status="kept", unit="甲单位", project="保洁", total="90", total_value=90.0, grade="优",
            message="已保留原文件"),
    ]
    text = overview_markdown(BatchResult(rows=rows, elapsed=1.0))
    assert "自评表填报的等级：“优”2个、“良”1个和“中”1个。" in text
    assert "按填报总分对应评分标准得出的等级：“优”1个" in text
    assert "3个项目全年预算数合计250.00万元，执行数合计208.00万元" in text
    assert "另有1个项目的自评表只填写了预算数或执行数之一，未计入合计。" in text
    assert "- 绿化（甲单位）：预算执行率填报为95%，按执行数计算为80%，低于90%" in text
    facts = overview_facts(BatchResult(rows=rows, elapsed=1.0))
    assert facts["scores"]["mean"] == "88.2"  # 87, 70, 96, 98 and the kept project's 90
