"""A workbook with one bad sheet keeps its good sheets; a report handed over as a form is sent to ``check``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DATA, SEED_EXAMPLE

from reportgen.cli import main
from reportgen.errors import InputError
from reportgen.loaders import load, load_all, load_parts


@pytest.fixture
def three_sheets(tmp_path: Path) -> Path:
    """Three projects, one per sheet; the middle one has a score that is not a number."""
    from reportgen.loaders.xlsx_template import build_workbook

    wb = build_workbook(load(SEED_EXAMPLE))
    first = wb["自评表"]
    bad = wb.copy_worksheet(first)
    bad.title, bad["B3"], bad["H12"] = "第二张", "坏项目", "很多"
    third = wb.copy_worksheet(first)
    third.title, third["B3"] = "第三张", "好项目"
    path = tmp_path / "三个项目.xlsx"
    wb.save(path)
    return path


BAD_PLACE = "!第二张!H12 字段 indicators[0].score：应为数字（实际为“很多”）"


def test_load_parts_reads_the_good_sheets_and_names_the_bad_one(three_sheets: Path) -> None:
    loaded = load_parts(three_sheets)
    assert [f.project for f in loaded.forms] == ["社会保障专项", "好项目"]
    assert [str(e) for e in loaded.failures] == [
        f"自评表数据有误：{three_sheets}{BAD_PLACE}。请按 docs/input-format.md 修改后重试。"
    ]
    assert not loaded.ok
    with pytest.raises(InputError, match="第二张!H12"):  # the strict API still refuses the file
        load_all(three_sheets)


def test_load_parts_of_a_good_file_has_no_failures() -> None:
    loaded = load_parts(SEED_EXAMPLE)
    assert loaded.ok and [f.project for f in loaded.forms] == ["社会保障专项"]


def test_validate_shows_the_good_sheets_and_names_the_bad(runner: CliRunner, three_sheets: Path) -> None:
    result = runner.invoke(main, ["validate", str(three_sheets)])
    assert result.exit_code == 2  # part of the input cannot be read
    assert result.stdout.count("总分：98") == 2 and "好项目" in result.stdout
    assert f"{three_sheets}{BAD_PLACE}" in result.stderr
    as_json = json.loads(runner.invoke(main, ["validate", "--json", str(three_sheets)]).stdout)
    assert [r.get("project") for r in as_json] == [None, "社会保障专项", "好项目"]
    assert "第二张!H12" in json.dumps(as_json[0]["error"], ensure_ascii=False)


def test_import_writes_the_good_sheets_and_names_the_bad(runner: CliRunner, three_sheets: Path, tmp_path: Path) -> None:
    out = tmp_path / "yaml"
    result = runner.invoke(main, ["import", str(three_sheets), "-o", str(out)])
    assert result.exit_code == 1
    assert sorted(p.name for p in out.iterdir()) == ["好项目.yaml", "社会保障专项.yaml"]
    assert f"{three_sheets}{BAD_PLACE}" in result.stderr
    assert "有 1 个工作表（项目）未能导入（见上），其余 2 个已导入。" in result.stderr
    assert load(out / "好项目.yaml").project == "好项目"


def test_render_writes_the_good_sheets_and_names_the_bad(runner: CliRunner, three_sheets: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(main, ["render", str(three_sheets), "-o", str(out)])
    assert result.exit_code == 1
    assert sorted(p.name for p in out.glob("*.md")) == ["2020年度好项目绩效自评报告.md", "2020年度社会保障专项绩效自评报告.md"]
    assert f"{three_sheets}{BAD_PLACE}" in result.stderr
    assert "有 1 项未能生成报告（见上），其余 2 份已生成。" in result.stderr


def test_a_workbook_without_one_good_sheet_is_bad_input(runner: CliRunner, tmp_path: Path) -> None:
    from reportgen.loaders.xlsx_template import build_workbook

    wb = build_workbook(load(SEED_EXAMPLE))
    wb["自评表"]["H12"] = "很多"
    path = tmp_path / "坏.xlsx"
    wb.save(path)
    for command in ("validate", "render", "import"):
        result = runner.invoke(main, [command, str(path), *(["-o", str(tmp_path / "o")] if command != "validate" else [])])
        assert result.exit_code == 2, (command, result.output)
        assert "!自评表!H12" in result.stderr


# --- a report is not a form --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("reports")
    CliRunner().invoke(main, ["render", str(SEED_EXAMPLE), "-o", str(out), "-f", "md,docx,pdf,html", "--no-check"])
    found = {p.suffix: p for p in out.iterdir() if p.is_file()}
    text = out / "报告.txt"
    text.write_text(found[".md"].read_text(encoding="utf-8").replace("#", ""), encoding="utf-8")
    found[".txt"] = text
    found["handwritten.docx"] = DATA / "draft_handwritten.docx"
    return found


@pytest.mark.parametrize("kind", [".md", ".docx", ".pdf", ".html", ".txt", "handwritten.docx"])
@pytest.mark.parametrize("command", ["validate", "render", "import"])
def test_a_report_given_as_a_form_is_sent_to_check(
    runner: CliRunner, reports: dict[str, Path], tmp_path: Path, kind: str, command: str
) -> None:
    path = reports[kind]
    result = runner.invoke(main, [command, str(path), *(["-o", str(tmp_path / "o")] if command != "validate" else [])])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"输入错误：{path}：这是报告，请用 reportgen check 检查。")
    assert f"reportgen check {path.name}" in result.stderr
    assert not (tmp_path / "o").exists()


def test_a_broken_form_is_not_called_a_report(runner: CliRunner, tmp_path: Path) -> None:
    text = (DATA / "seed.txt").read_text(encoding="utf-8")
    broken = tmp_path / "表.txt"
    broken.write_text("\n".join(line for line in text.splitlines() if "三级指标" not in line), encoding="utf-8")
    result = runner.invoke(main, ["validate", str(broken)])
    assert result.exit_code == 2
    assert result.stderr.startswith("输入错误：") and str(broken) in result.stderr
    assert "这是报告" not in result.stderr  # the form's own problem is told, not a guess that it is a report
