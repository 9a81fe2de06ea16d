from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from conftest import DATA, SEED_EXAMPLE

from reportgen.cli import main

HANDWRITTEN = DATA / "draft_handwritten.md"


def test_check_failing_draft_prints_table_and_exits_1(runner: CliRunner) -> None:
    result = runner.invoke(main, ["check", str(HANDWRITTEN), "--data", str(SEED_EXAMPLE)])
    assert result.exit_code == 1, result.output
    out = result.output
    assert "必备用语" in out and "问题" in out
    for words in ("与自评表不符", "综合得分96分", "缺少必备用语", "差不多", "扣分指标未说明", "待补充项", "建议："):
        assert words in out
    assert out.strip().splitlines()[-1] == (
        "检查未通过：必备用语 13/14，待补充项 1 处，与自评表不符 1 处，扣分指标未说明 1 项，提示 1 条"
    )


def test_check_json(runner: CliRunner) -> None:
    result = runner.invoke(main, ["check", str(HANDWRITTEN), "--data", str(SEED_EXAMPLE), "--json"])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert [(p["kind"], p["line"]) for p in data["problems"]] == [
        ("fact-mismatch", 15), ("missing-term", 19), ("discouraged", 29), ("deduction-not-mentioned", 31),
        ("placeholder", 33),
    ]
    assert data["ok"] is False and data["facts_checked"] is True


def test_check_clean_draft_exits_0(runner: CliRunner) -> None:
    result = runner.invoke(main, ["check", str(DATA / "draft_clean.md"), "--data", str(SEED_EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert "检查通过" in result.output
    without = runner.invoke(main, ["check", str(DATA / "draft_clean.md")])
    assert without.exit_code == 0
    assert "未提供自评表" in without.output


def test_check_docx(runner: CliRunner) -> None:
    result = runner.invoke(main, ["check", str(DATA / "draft_handwritten.docx"), "--data", str(SEED_EXAMPLE), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.output)["line_unit"] == "段"


def test_check_unreadable_inputs_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    missing = runner.invoke(main, ["check", str(tmp_path / "nope.md")])
    assert missing.exit_code == 2
    assert "文件不存在" in missing.output
    wrong = runner.invoke(main, ["check", str(SEED_EXAMPLE)])
    assert wrong.exit_code == 2
    assert "不支持检查“.yaml”文件" in wrong.output
    bad_form = tmp_path / "form.yaml"
    bad_form.write_text("project: [unclosed\n", encoding="utf-8")
    assert runner.invoke(main, ["check", str(HANDWRITTEN), "--data", str(bad_form)]).exit_code == 2


def test_check_bad_lexicon_exits_2_with_file_and_line(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "required.yaml").write_text("groups:\n  - id: x\n    section: nowhere\n    terms: [a]\n", "utf-8")
    result = runner.invoke(main, ["check", str(HANDWRITTEN), "--lexicon", str(tmp_path)])
    assert result.exit_code == 2
    assert f"词库错误：{tmp_path / 'required.yaml'}:2" in result.output
    assert "Traceback" not in result.output
