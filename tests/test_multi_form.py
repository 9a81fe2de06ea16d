"""A YAML/JSON file of several forms (a top-level list, or YAML documents) is read as a workbook of several
sheets is: each form placed by its own lines, a bad one named (第2个自评表) while the others go on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import SEED_EXAMPLE
from openpyxl import load_workbook

from reportgen.batch import worker as batch
from reportgen.cli import main
from reportgen.errors import InputError
from reportgen.evaluation.model import source_of
from reportgen.loaders import load, load_all, load_parts
from reportgen.loaders import structured as structured_module


def form(project: str, score: str = "90", total: str = "100") -> str:
    """One short form as a YAML mapping (nine lines)."""
    return (
        "year: 2020\n"
        "unit: 测试单位\n"
        f"project: {project}\n"
        "budget: {weight: 10, adjusted: 100, executed: 100, score: 10}\n"
        "indicators:\n"
        "  - name: 培训场次\n"
        f"    weight: 90\n    score: {score}\n"
        f"total_score: {total}\n"
    )


def as_item(text: str) -> str:
    """The mapping as an item of a YAML list."""
    lines = text.splitlines(keepends=True)
    return "- " + lines[0] + "".join("  " + line for line in lines[1:])


def listed(*forms: str) -> str:
    return "".join(as_item(f) for f in forms)


def line_of(text: str, needle: str, start: int = 0) -> int:
    """The 1-based line of the first ``needle`` at or after character ``start``."""
    return text[: text.index(needle, start)].count("\n") + 1


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


THREE = listed(form("甲项目"), form("乙项目", score="很多"), form("丙项目"))
BAD_LINE = line_of(THREE, "score: 很多")


# --- the loader -----------------------------------------------------------------------------------


def test_a_list_is_several_forms_each_placed_by_its_own_lines(tmp_path: Path) -> None:
    text = listed(form("甲项目"), form("乙项目", score="80"), form("丙项目"))
    path = write(tmp_path, "forms.yaml", text)
    forms = load_all(path)
    assert [f.project for f in forms] == ["甲项目", "乙项目", "丙项目"]
    for f in forms:
        start = text.index(f"project: {f.project}")
        source = source_of(f)
        assert source.locate("project") == f"{path}:{line_of(text, 'project', start)}"
        assert source.locate("indicators[0].score") == f"{path}:{line_of(text, 'name: 培训场次', start) + 2}"
    assert source_of(forms[1]).locate("") == f"{path}:10"  # the item's own "- year:" line
    assert forms[1].indicators[0].score == 80


def test_yaml_documents_are_several_forms(tmp_path: Path) -> None:
    text = "# 两个项目\n---\n" + form("甲项目") + "---\n" + form("乙项目") + "---\n"  # a trailing --- holds nothing
    path = write(tmp_path, "forms.yml", text)
    forms = load_all(path)
    assert [f.project for f in forms] == ["甲项目", "乙项目"]
    assert source_of(forms[1]).locate("project") == f"{path}:{line_of(text, 'project: 乙项目')}" == f"{path}:15"
    assert source_of(forms[1]).locate("indicators[0].score") == f"{path}:20"


def test_a_json_list_is_several_forms_with_their_lines(tmp_path: Path) -> None:
    data = [yaml.safe_load(form("甲项目")), yaml.safe_load(form("乙项目"))]
    text = json.dumps(data, ensure_ascii=False, indent=2)
    path = write(tmp_path, "forms.json", text)
    forms = load_all(path)
    assert [f.project for f in forms] == ["甲项目", "乙项目"]
    assert source_of(forms[1]).locate("project") == f"{path}:{line_of(text, '乙项目')}"


def test_a_bad_form_is_named_with_its_line_and_the_others_are_read(tmp_path: Path) -> None:
    path = write(tmp_path, "forms.yaml", THREE)
    loaded = load_parts(path)
    assert [f.project for f in loaded.forms] == ["甲项目", "丙项目"]
    assert [str(e) for e in loaded.failures] == [
        f"第2个自评表：自评表数据有误：{path}:{BAD_LINE} 字段 indicators[0].score：应为数字（实际为“很多”）。"
        "请按 docs/input-format.md 修改后重试。"
    ]
    assert loaded.failures[0].line == BAD_LINE and loaded.failures[0].field == "indicators[0].score"
    with pytest.raises(InputError, match="第2个自评表"):  # the strict API refuses the file
        load_all(path)


def test_an_error_with_its_own_place_is_numbered_after_it(tmp_path: Path) -> None:
    text = "---\n" + form("甲项目") + "---\n" + form("乙项目").replace("year: 2020", "filled_on: 2021-13-45")
    path = write(tmp_path, "forms.yaml", text)
    (failure,) = load_parts(path).failures
    assert str(failure).startswith(f"{path}:12：第2个自评表：无法识别的值“2021-13-45”。")


def test_load_of_a_file_of_several_forms_says_how_many_and_what_reads_them(tmp_path: Path) -> None:
    path = write(tmp_path, "forms.yaml", listed(form("甲项目"), form("乙项目")))
    with pytest.raises(InputError) as exc:
        load(path)
    assert str(exc.value) == (
        f"{path}：文件包含 2 个项目，此处只能处理一个。reportgen render、validate 和 batch 会逐个处理文件中的每个项目。"
    )


def test_a_list_of_one_form_is_that_form(tmp_path: Path) -> None:
    path = write(tmp_path, "one.yaml", listed(form("甲项目", score="很多")))
    with pytest.raises(InputError) as exc:
        load(path)
    assert str(exc.value).startswith(f"第1个自评表：自评表数据有误：{path}:8 字段 indicators[0].score")
    assert load(write(tmp_path, "ok.yaml", listed(form("甲项目")))).project == "甲项目"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[]\n", "{path}:1：文件是一个空列表，没有自评表"),
        ("# 没有项目\n[]\n", "{path}:2：文件是一个空列表，没有自评表"),
        ("---\n---\n", "{path}：文件为空"),
        ("- 甲项目\n- 乙项目\n", "{path}:1：第1个自评表：应为键值表（项目名称、指标等字段），实际为单个值"),
        ("- [甲项目]\n", "{path}:1：第1个自评表：应为键值表（项目名称、指标等字段），实际为列表"),
    ],
    ids=["empty-list", "empty-list-after-comment", "empty-documents", "list-of-text", "list-of-lists"],
)
def test_lists_that_hold_no_form_are_refused(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, "odd.yaml", text)
    with pytest.raises(InputError) as exc:
        load_parts(path)
    assert str(exc.value).startswith(message.format(path=path))


def test_an_item_that_is_no_form_is_named_and_the_others_are_read(tmp_path: Path) -> None:
    text = as_item(form("甲项目")) + "- 这一项不是自评表\n" + "---\n" + form("乙项目")
    with pytest.raises(InputError, match="第1个自评表：应为键值表.*实际为列表"):  # a list among documents is no form
        load_all(write(tmp_path, "mixed.yaml", text))
    text = as_item(form("甲项目")) + "- 这一项不是自评表\n"
    path = write(tmp_path, "forms.yaml", text)
    loaded = load_parts(path)
    assert [f.project for f in loaded.forms] == ["甲项目"]
    assert [str(e) for e in loaded.failures] == [
        f"{path}:10：第2个自评表：应为键值表（项目名称、指标等字段），实际为单个值。"
        "列表的每一项（或以 --- 分开的每个 YAML 文档）是一张自评表，见 docs/input-format.md。"
    ]


def test_a_json_item_that_is_no_form_is_named(tmp_path: Path) -> None:
    text = json.dumps([yaml.safe_load(form("甲项目")), 3], ensure_ascii=False, indent=1)
    path = write(tmp_path, "forms.json", text)
    loaded = load_parts(path)
    assert [f.project for f in loaded.forms] == ["甲项目"]
    assert str(loaded.failures[0]).startswith(f"{path}:{text.count(chr(10))}：第2个自评表：应为键值表")
    with pytest.raises(InputError, match="空列表"):
        load_parts(write(tmp_path, "empty.json", "[]"))


def test_the_bound_on_values_is_the_files_not_each_forms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    one = form("甲项目")
    path = write(tmp_path, "forms.yaml", listed(*[one] * 3))
    monkeypatch.setattr(structured_module, "_MAX_NODES", 40)  # one form has 18 values: one or two pass, three do not
    assert load(write(tmp_path, "one.yaml", one)).project == "甲项目"
    with pytest.raises(InputError, match="内容过多（超过 40 个值）"):
        load_parts(path)


def test_a_syntax_error_in_a_later_document_refuses_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "forms.yaml", form("甲项目") + "---\nproject: [乙项目\n")
    with pytest.raises(InputError) as exc:
        load_parts(path)
    assert exc.value.line == 12 and "YAML 语法错误" in str(exc.value) and "问题始于第 11 行" in str(exc.value)


# --- the commands ---------------------------------------------------------------------------------


def test_render_writes_one_report_per_form_with_names_kept_apart(runner: CliRunner, tmp_path: Path) -> None:
    path = write(tmp_path, "forms.yaml", listed(form("甲项目"), form("甲项目"), form("乙项目")))
    out = tmp_path / "out"
    result = runner.invoke(main, ["render", str(path), "-o", str(out), "--no-check"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.glob("*.md")) == [
        "2020年度乙项目绩效自评报告.md", "2020年度甲项目绩效自评报告-2.md", "2020年度甲项目绩效自评报告.md"]


def test_render_names_the_bad_form_and_writes_the_others(runner: CliRunner, tmp_path: Path) -> None:
    path = write(tmp_path, "forms.yaml", THREE)
    out = tmp_path / "out"
    result = runner.invoke(main, ["render", str(path), "-o", str(out), "--no-check"])
    assert result.exit_code == 1
    assert sorted(p.name for p in out.glob("*.md")) == ["2020年度丙项目绩效自评报告.md", "2020年度甲项目绩效自评报告.md"]
    assert f"输入错误：第2个自评表：自评表数据有误：{path}:{BAD_LINE} 字段 indicators[0].score" in result.stderr
    assert "有 1 项未能生成报告（见上），其余 2 份已生成。" in result.stderr


def test_validate_shows_each_form_at_its_place(runner: CliRunner, tmp_path: Path) -> None:
    path = write(tmp_path, "forms.yaml", THREE)
    result = runner.invoke(main, ["validate", str(path)])
    assert result.exit_code == 2  # part of the input cannot be read
    heads = [line for line in result.stdout.splitlines() if line.endswith(tuple("0123456789")) and "项目  " in line]
    assert heads == [f"甲项目  {path}:1", f"丙项目  {path}:19"]
    assert f"第2个自评表：自评表数据有误：{path}:{BAD_LINE}" in result.stderr
    as_json = json.loads(runner.invoke(main, ["validate", "--json", str(path)]).stdout)
    assert [(r.get("project"), r.get("where")) for r in as_json] == [
        (None, None), ("甲项目", f"{path}:1"), ("丙项目", f"{path}:19")]
    assert "第2个自评表" in as_json[0]["error"]["message"]


def test_validate_of_one_form_is_unchanged(runner: CliRunner) -> None:
    as_json = json.loads(runner.invoke(main, ["validate", "--json", str(SEED_EXAMPLE)]).stdout)
    assert "where" not in as_json
    assert runner.invoke(main, ["validate", str(SEED_EXAMPLE)]).stdout.splitlines()[0] == f"社会保障专项  {SEED_EXAMPLE}"


def test_an_empty_list_is_bad_input(runner: CliRunner, tmp_path: Path) -> None:
    path = write(tmp_path, "forms.yaml", "[]\n")
    for command in ("validate", "render"):
        result = runner.invoke(main, [command, str(path), *(["-o", str(tmp_path / "o")] if command == "render" else [])])
        assert result.exit_code == 2, (command, result.output)
        assert result.stderr.startswith(f"输入错误：{path}:1：文件是一个空列表，没有自评表。")


# --- batch ----------------------------------------------------------------------------------------


def _summary(out: Path) -> list[dict[str, object]]:
    ws = load_workbook(out / "summary.xlsx")["汇总"]
    header = [c.value for c in ws[1]]
    return [dict(zip(header, (c.value for c in r), strict=True)) for r in ws.iter_rows(min_row=2)]


def test_batch_gives_one_row_per_form_and_resumes_per_form(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = tmp_path / "forms"
    src.mkdir()
    write(src, "三个项目.yaml", listed(form("甲项目"), form("乙项目"), form("丙项目")))
    (src / "社会保障专项.yaml").write_bytes(SEED_EXAMPLE.read_bytes())
    log, broken = tmp_path / "calls.txt", tmp_path / "broken"
    broken.touch()
    real = batch._render_form

    def logged(f, task, options):  # noqa: ANN001, ANN202 - the pool's workers are forked: they inherit the patch
        with log.open("a", encoding="utf-8") as out:
            out.write(f"{f.project}\n")
        if f.project == "乙项目" and broken.exists():
            raise RuntimeError("这一次失败")
        return real(f, task, options)

    monkeypatch.setattr(batch, "_render_form", logged)
    out = tmp_path / "out"
    result = runner.invoke(main, ["batch", str(src), "-o", str(out), "--no-check", "-j", "1"])
    assert result.exit_code == 1, result.output
    rows = _summary(out)
    assert [(r["项目"], r["状态"]) for r in rows] == [
        ("甲项目", "完成"), ("乙项目", "失败"), ("丙项目", "完成"), ("社会保障专项", "完成")]
    # (the failing one is tried twice: an exception out of the task counts as a worker that died)
    assert sorted(set(log.read_text(encoding="utf-8").split())) == ["丙项目", "乙项目", "甲项目", "社会保障专项"]

    # --resume: only the form that failed is made again, the others of its file are not
    log.unlink()
    broken.unlink()
    result = runner.invoke(main, ["batch", str(src), "-o", str(out), "--no-check", "-j", "1", "--resume"])
    assert result.exit_code == 0, result.output
    assert log.read_text(encoding="utf-8").split() == ["乙项目"]
    assert [r["状态"] for r in _summary(out)] == ["完成"] * 4
    assert sorted(p.name for p in out.rglob("*.md") if p.name.startswith("2020")) == [  # a folder per unit
        "2020年度丙项目绩效自评报告.md", "2020年度乙项目绩效自评报告.md",
        "2020年度甲项目绩效自评报告.md", "2020年度社会保障专项绩效自评报告.md"]


# --- the documented example -------------------------------------------------------------------------


def _documented() -> tuple[str, str]:
    """The YAML example and the error quoted in docs/input-format.md §1.1."""
    doc = (Path(__file__).resolve().parent.parent / "docs" / "input-format.md").read_text(encoding="utf-8")
    section = doc[doc.index("### 1.1 一个文件中的多个自评表") :]
    example = section[section.index("```yaml\n") + 8 : section.index("```\n")]
    error = section[section.index("```text\n") + 8 :].splitlines()[0].strip()
    return example, error


def test_the_documented_example_reads_as_documented(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    example, error = _documented()
    path = write(tmp_path, "两个项目.yaml", example)
    result = runner.invoke(main, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert f"社区养老服务  {path}:2" in result.stdout and f"老旧小区改造  {path}:10" in result.stdout
    broken = example.replace("actual: 6个, score: 40", "actual: 6个, score: 很多")
    assert broken != example
    write(tmp_path, "两个项目.yaml", broken)
    monkeypatch.chdir(tmp_path)  # the message names the file as it was given
    result = runner.invoke(main, ["render", "两个项目.yaml", "-o", "out", "--no-check"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == error
