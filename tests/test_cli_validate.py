"""``reportgen validate`` through click's runner: summaries, JSON, exit codes and refusals."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import DATA, SEED_EXAMPLE, example_paths

from reportgen.cli import main

BROKEN = DATA / "broken"
CLEAN = """\
year: 2020
unit: 测试单位
project: 测试项目
budget: {weight: 10, adjusted: 100, executed: 100, score: 10}
indicators:
  - {name: 培训场次, weight: 90, target: ≥10次, actual: 10次, score: 90}
total_score: 100
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- the seed form ---------------------------------------------------------------------------------


def test_seed_summary(runner: CliRunner) -> None:
    result = runner.invoke(main, ["validate", str(SEED_EXAMPLE)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("社会保障专项")
    assert "预算数 2,440.91万元，执行数 2,440.91万元，执行率 100%，得分 20 / 20" in out
    assert "总分：98" in out and "等级：优" in out
    assert "扣分指标：年组织开展群众文体活动  目标 ≥2次/年，实际 1次/年，得分 1 / 2" in out
    assert re.search(r"扣分指标：提供各类便民服务,惠及民生,改善居民日常生活环境 .*得分 3 / 4", out)
    assert out.count("扣分指标：") == 2
    for name, printed, summed in [("产出指标", 40, 36), ("环境效益指标", 5, 28), ("时效指标", 3, 5)]:
        assert f"[subtotal-mismatch] “{name}”标注{printed}分，所含指标分值合计{summed}分" in out
    assert out.count("[subtotal-mismatch]") == 8
    assert "错误 [" not in out
    assert result.stderr == ""


def test_seed_category_table(runner: CliRunner) -> None:
    out = runner.invoke(main, ["validate", str(SEED_EXAMPLE)]).stdout
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines() if line.strip().endswith(tuple("0123456789"))}
    assert rows["产出指标"] == ["16", "36", "40", "35"]
    assert rows["效益指标"] == ["11", "44", "40", "43"]
    assert rows["数量指标"] == ["8", "16", "20", "15"]
    assert rows["环境效益指标"] == ["6", "28", "5", "28"]


def test_seed_json(runner: CliRunner) -> None:
    result = runner.invoke(main, ["validate", "--json", str(SEED_EXAMPLE)])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["project"] == "社会保障专项" and data["file"] == str(SEED_EXAMPLE)
    budget = data["budget"]
    assert (budget["unit"], budget["adjusted"], budget["executed"]) == ("万元", "2440.91", "2440.91")
    assert (budget["rate"], budget["weight"], budget["score"], budget["score_source"]) == ("1", "20", "20", "printed")
    assert data["total"] == data["total_computed"] == "98"
    assert data["grade"] == "优"
    assert data["deducted"] == [
        {"name": "年组织开展群众文体活动", "weight": "2", "score": "1", "lost": "1"},
        {"name": "提供各类便民服务,惠及民生,改善居民日常生活环境", "weight": "4", "score": "3", "lost": "1"},
    ]
    subtotals = {f["path"]: f for f in data["findings"] if f["code"] == "subtotal-mismatch"}
    assert len(subtotals) == 8 and subtotals["categories.环境效益指标"]["severity"] == "warning"
    assert all(f["severity"] != "error" for f in data["findings"])
    categories = {(c["level1"], c["level2"]): c for c in data["categories"]}
    assert categories[("产出指标", None)] | {"indicators": 16} == {
        "level1": "产出指标",
        "level2": None,
        "weight": "36",
        "printed_weight": "40",
        "score": "35",
        "indicators": 16,
    }


@pytest.mark.parametrize("path", example_paths(), ids=lambda p: p.stem)
def test_examples_validate(runner: CliRunner, path: Path) -> None:
    result = runner.invoke(main, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "总分：" in result.stdout


def test_several_files_give_a_json_list(runner: CliRunner) -> None:
    paths = [str(p) for p in example_paths()]
    result = runner.invoke(main, ["validate", "--json", *paths])
    data = json.loads(result.stdout)
    assert [d["file"] for d in data] == paths


# --- exit codes ------------------------------------------------------------------------------------


def test_clean_form_exits_0(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["validate", str(write(tmp_path, "clean.yaml", CLEAN))])
    assert result.exit_code == 0 and "未发现问题" in result.stdout


def test_error_finding_exits_1(runner: CliRunner, tmp_path: Path) -> None:
    path = write(tmp_path, "wrong-total.yaml", CLEAN.replace("total_score: 100", "total_score: 95"))
    result = runner.invoke(main, ["validate", str(path)])
    assert result.exit_code == 1
    assert "错误 [total-mismatch] 填报总分95分，各项得分合计100分" in result.stdout
    assert f"{path}:7" in result.stdout
    assert runner.invoke(main, ["validate", "--json", str(path)]).exit_code == 1


def test_warnings_alone_exit_0(runner: CliRunner, tmp_path: Path) -> None:
    path = write(tmp_path, "grade.yaml", CLEAN + "grade: 良\n")
    result = runner.invoke(main, ["validate", str(path)])
    assert result.exit_code == 0 and "警告 [grade-mismatch]" in result.stdout


# --- refusals --------------------------------------------------------------------------------------

BROKEN_CASES = [
    ("empty.yaml", "", "文件为空"),
    ("syntax.yaml", ":6:1", "YAML 语法错误"),
    ("text-number.yaml", ":4", "indicators[0].weight：应为数字"),
    ("negative-weight.yaml", ":6", "indicators[1].weight：分值不能为负数"),
    ("no-indicator-name.yaml", ":5", "indicators[1].name：缺少必填字段"),
    ("no-project.yaml", ":1", "project：缺少项目名称，也没有部门整体支出的标记"),
    ("no-indicators.yaml", ":1", "indicators：缺少必填字段"),
    ("syntax.json", ":4:35", "JSON 语法错误"),
    ("gbk.yaml", ":3", "不是 UTF-8 编码"),
    ("list-of-text.yaml", ":1", "第1个自评表：应为键值表（项目名称、指标等字段），实际为单个值"),
    ("empty-list.yaml", ":2", "文件是一个空列表，没有自评表"),
    ("form.toml", "", "不支持的文件类型"),
    ("bad-date.yaml", ":2", "无法识别的值"),
    ("missing.yaml", "", "文件不存在"),
]


def _one_paragraph(stderr: str) -> str:
    text = stderr.strip()
    assert text and "\n" not in text, stderr
    assert "Traceback" not in text
    return text


@pytest.mark.parametrize(("name", "line", "message"), BROKEN_CASES, ids=[c[0] for c in BROKEN_CASES])
def test_broken_input_gives_one_paragraph_and_exit_2(runner: CliRunner, name: str, line: str, message: str) -> None:
    path = BROKEN / name
    result = runner.invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    text = _one_paragraph(result.stderr)
    assert text.startswith("输入错误：")
    assert f"{path}{line}" in text and message in text
    assert result.stdout == ""


def test_broken_input_in_json_mode_still_says_it_on_stderr(runner: CliRunner) -> None:
    result = runner.invoke(main, ["validate", "--json", str(BROKEN / "negative-weight.yaml")])
    assert result.exit_code == 2 and "分值不能为负数" in _one_paragraph(result.stderr)


def test_one_broken_file_among_several(runner: CliRunner, tmp_path: Path) -> None:
    clean = write(tmp_path, "clean.yaml", CLEAN)
    broken = BROKEN / "text-number.yaml"
    result = runner.invoke(main, ["validate", str(SEED_EXAMPLE), str(broken), str(clean)])
    assert result.exit_code == 2
    assert "社会保障专项" in result.stdout and "测试项目" in result.stdout
    assert f"{broken}:4" in _one_paragraph(result.stderr)


def test_one_broken_file_among_several_in_json(runner: CliRunner, tmp_path: Path) -> None:
    clean = write(tmp_path, "clean.yaml", CLEAN)
    broken = BROKEN / "syntax.json"
    result = runner.invoke(main, ["validate", "--json", str(clean), str(broken)])
    assert result.exit_code == 2
    first, second = json.loads(result.stdout)
    assert first["project"] == "测试项目"
    assert second["file"] == str(broken) and second["error"]["kind"] == "输入错误"
    assert second["error"]["where"] == f"{broken}:4:35"


def test_refusal_outranks_error_findings(runner: CliRunner, tmp_path: Path) -> None:
    wrong = write(tmp_path, "wrong.yaml", CLEAN.replace("total_score: 100", "total_score: 1"))
    result = runner.invoke(main, ["validate", str(wrong), str(BROKEN / "empty.yaml")])
    assert result.exit_code == 2 and "[total-mismatch]" in result.stdout


def test_debug_shows_the_traceback(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--debug", "validate", str(BROKEN / "empty.yaml")])
    assert result.exit_code != 0 and result.exception is not None


# --- usage -----------------------------------------------------------------------------------------


def test_no_file_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(main, ["validate"])
    assert result.exit_code == 2


def test_help_is_chinese_with_an_english_gloss(runner: CliRunner) -> None:
    result = runner.invoke(main, ["validate", "--help"])
    assert result.exit_code == 0
    assert "校验自评表" in result.stdout and "Validate forms" in result.stdout
    assert "--json" in result.stdout and "machine-readable" in result.stdout


def test_form_text_is_not_read_as_terminal_markup(runner: CliRunner, tmp_path: Path) -> None:
    text = CLEAN.replace("name: 培训场次", "name: '培训[/x]场次'").replace("score: 90}", "score: 80}")
    text = text.replace("total_score: 100", "total_score: 90\ngrade: '[/b]良'")
    result = runner.invoke(main, ["validate", str(write(tmp_path, "markup.yaml", text))])
    assert result.exit_code == 0, result.output
    assert "扣分指标：培训[/x]场次" in result.stdout and "等级：[/b]良" in result.stdout


def test_mutated_forms_never_crash_the_command(runner: CliRunner, tmp_path: Path) -> None:
    rng = random.Random(2021)
    data = yaml.safe_load(SEED_EXAMPLE.read_text(encoding="utf-8"))
    junk: list[object] = ["[/x]", "[bold]", "≥**人", "", -1, 10**20, None, [], {"a": 1}, "甲" * 200, "100%%"]
    codes = set()
    for i in range(30):
        mutated = json.loads(json.dumps(data, default=str))
        for _ in range(2):
            row = rng.choice(mutated["indicators"])
            row[rng.choice(sorted(row))] = rng.choice(junk)
        path = write(tmp_path, f"m{i}.yaml", yaml.safe_dump(mutated, allow_unicode=True))
        for args in (["validate", str(path)], ["validate", "--json", str(path)]):
            result = runner.invoke(main, args)
            assert result.exit_code in (0, 1, 2), result.output
            assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
            assert "Traceback" not in result.output
            codes.add(result.exit_code)
    assert 2 in codes and codes - {2}
