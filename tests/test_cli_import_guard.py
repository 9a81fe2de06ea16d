"""``import -o`` and ``template-xlsx`` never replace a file the user filled in or edited."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from click.testing import CliRunner
from conftest import DATA, SEED_EXAMPLE

from reportgen.cli import main
from reportgen.cli.import_ import written_by_import

SEED = DATA / "seed.txt"


def test_reimport_replaces_an_unchanged_yaml(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "form.yaml"
    assert runner.invoke(main, ["import", str(SEED), "-o", str(out)]).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert written_by_import(text)
    head = text.split("\n\n", 1)[0].splitlines()
    assert head[-1].startswith("# 导入校验 ")  # the seal closes the comment block
    again = runner.invoke(main, ["import", str(SEED), "-o", str(out)])
    assert again.exit_code == 0, again.output
    assert out.read_text(encoding="utf-8") == text


def test_an_edited_yaml_is_kept(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "form.yaml"
    runner.invoke(main, ["import", str(SEED), "-o", str(out)])
    edited = out.read_text(encoding="utf-8").replace("project: 社会保障专项", "project: 社会保障专项（已核对）")
    out.write_text(edited, encoding="utf-8")
    assert not written_by_import(edited)
    result = runner.invoke(main, ["import", str(SEED), "-o", str(out)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"用法错误：{out}：文件已存在，且不是 reportgen import 刚写入的（或导入后已修改），已保留原文件")
    assert "--force" in result.stderr
    assert out.read_text(encoding="utf-8") == edited
    forced = runner.invoke(main, ["import", str(SEED), "-o", str(out), "--force"])
    assert forced.exit_code == 0 and "已核对" not in out.read_text(encoding="utf-8")


def test_a_yaml_the_tool_did_not_write_is_kept(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "form.yaml"
    mine = SEED_EXAMPLE.read_text(encoding="utf-8")
    out.write_text(mine, encoding="utf-8")
    result = runner.invoke(main, ["import", str(SEED), "-o", str(out)])
    assert result.exit_code == 2 and "已保留原文件" in result.stderr
    assert out.read_text(encoding="utf-8") == mine


def test_folder_import_writes_nothing_when_one_file_is_kept(runner: CliRunner, tmp_path: Path) -> None:
    from reportgen.loaders import load
    from reportgen.loaders.xlsx_template import build_workbook

    wb = build_workbook(load(SEED_EXAMPLE))
    second = wb.copy_worksheet(wb["自评表"])
    second["B3"] = "第二个项目"
    book = tmp_path / "two.xlsx"
    wb.save(book)
    out = tmp_path / "out"
    out.mkdir()
    (out / "第二个项目.yaml").write_text("# 我的笔记\n", encoding="utf-8")
    result = runner.invoke(main, ["import", str(book), "-o", str(out)])
    assert result.exit_code == 2 and "第二个项目.yaml" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["第二个项目.yaml"]  # all or nothing
    assert (out / "第二个项目.yaml").read_text(encoding="utf-8") == "# 我的笔记\n"


def test_template_xlsx_never_replaces_an_existing_workbook(runner: CliRunner, tmp_path: Path) -> None:
    book = tmp_path / "自评表.xlsx"
    assert runner.invoke(main, ["template-xlsx", str(book)]).exit_code == 0
    wb = openpyxl.load_workbook(book)
    wb["自评表"]["B3"] = "已经填好的项目"
    wb.save(book)
    filled = book.read_bytes()
    result = runner.invoke(main, ["template-xlsx", str(book)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"用法错误：{book}：文件已存在（可能已经填写），已保留原文件，没有生成模板")
    assert book.read_bytes() == filled
    forced = runner.invoke(main, ["template-xlsx", str(book), "--force"])
    assert forced.exit_code == 0
    assert openpyxl.load_workbook(book)["自评表"]["B3"].value != "已经填好的项目"
