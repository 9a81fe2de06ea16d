"""``reportgen import`` and ``reportgen template-xlsx`` through the CLI runner."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import yaml
from click.testing import CliRunner
from conftest import DATA, EXAMPLES, SEED_EXAMPLE, SEED_TEXT

from reportgen.cli import main
from reportgen.evaluation.model import EvaluationForm
from reportgen.loaders import load

SEED = SEED_TEXT if SEED_TEXT.exists() else DATA / "seed.txt"


def test_import_seed_writes_reviewable_yaml(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "form.yaml"
    result = runner.invoke(main, ["import", str(SEED), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "已导入“社会保障专项”" in result.stderr
    text = out.read_text(encoding="utf-8")
    assert text.startswith(f"# 由 reportgen import 从 {SEED.name} 导入，请逐项核对后使用。\n")
    assert "项目" in text and "\\u" not in text  # Chinese written as such
    assert "rate: 100%\n" in text and "adjusted: 2440.91\n" in text
    assert load(out).model_dump() == load(SEED_EXAMPLE).model_dump()


def test_import_yaml_keys_follow_the_format_order(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "form.yaml"
    runner.invoke(main, ["import", str(SEED), "-o", str(out)])
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    fields = list(EvaluationForm.model_fields)
    assert list(data) == sorted(data, key=fields.index)
    assert list(data["indicators"][0]) == ["level1", "level2", "name", "weight", "target", "actual", "score"]


def test_import_prints_to_stdout_without_output(runner: CliRunner) -> None:
    result = runner.invoke(main, ["import", str(SEED)])
    assert result.exit_code == 0
    assert "project: 社会保障专项\n" in result.stdout
    assert result.stderr == ""


def _with_stray_cells(path: Path) -> Path:
    runner = CliRunner()
    assert runner.invoke(main, ["template-xlsx", str(path), "--from", str(EXAMPLES / "农村人居环境整治-2021.yaml")]).exit_code == 0
    wb = openpyxl.load_workbook(path)
    wb["自评表"]["K3"] = "审核意见：同意"
    wb["自评表"]["J16"] = "备用"
    wb.save(path)
    return path


def test_import_warns_for_every_cell_not_placed(runner: CliRunner, tmp_path: Path) -> None:
    path = _with_stray_cells(tmp_path / "stray.xlsx")
    out = tmp_path / "stray.yaml"
    result = runner.invoke(main, ["import", str(path), "-o", str(out)])
    assert result.exit_code == 0
    warnings = [line for line in result.stderr.splitlines() if line.startswith("警告")]
    assert warnings == [
        f"警告：{path}!自评表!K3：未识别的内容“审核意见：同意”，没有导入",
        f"警告：{path}!自评表!J16：未识别的内容“备用”，没有导入",
    ]
    assert f"#   {path}!自评表!K3：未识别的内容“审核意见：同意”，没有导入" in out.read_text(encoding="utf-8")
    quiet = runner.invoke(main, ["import", "-q", str(path), "-o", str(out)])
    assert "警告" not in quiet.stderr


def test_import_workbook_of_several_projects_into_a_folder(runner: CliRunner, tmp_path: Path) -> None:
    from reportgen.loaders.xlsx_template import build_workbook

    wb = build_workbook(load(SEED_EXAMPLE))
    second = wb.copy_worksheet(wb["自评表"])
    second["B3"] = "第二个项目"
    path = tmp_path / "two.xlsx"
    wb.save(path)
    result = runner.invoke(main, ["import", str(path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["社会保障专项.yaml", "第二个项目.yaml"]
    one_file = runner.invoke(main, ["import", str(path), "-o", str(tmp_path / "x.yaml")])
    assert one_file.exit_code == 2
    assert "2 个项目" in one_file.stderr and "文件夹" in one_file.stderr


def test_template_xlsx_from_a_form_imports_back(runner: CliRunner, tmp_path: Path) -> None:
    book = tmp_path / "社保.xlsx"
    result = runner.invoke(main, ["template-xlsx", str(book), "--from", str(SEED_EXAMPLE)])
    assert result.exit_code == 0 and book.exists()
    assert "已生成填报模板" in result.stderr
    out = tmp_path / "back.yaml"
    assert runner.invoke(main, ["import", str(book), "-o", str(out)]).exit_code == 0
    assert load(out).model_dump() == load(SEED_EXAMPLE).model_dump()


def test_blank_template_is_refused_until_filled(runner: CliRunner, tmp_path: Path) -> None:
    book = tmp_path / "blank.xlsx"
    assert runner.invoke(main, ["template-xlsx", str(book)]).exit_code == 0
    result = runner.invoke(main, ["validate", str(book)])
    assert result.exit_code == 2
    assert f"{book}!自评表 字段 project：缺少项目名称，也没有部门整体支出的标记" in result.stderr


def test_validate_reads_a_workbook_directly(runner: CliRunner, tmp_path: Path) -> None:
    book = tmp_path / "f.xlsx"
    runner.invoke(main, ["template-xlsx", str(book), "--from", str(SEED_EXAMPLE)])
    result = runner.invoke(main, ["validate", "--json", str(book)])
    assert '"project": "社会保障专项"' in result.stdout
    assert '"total": "98"' in result.stdout
