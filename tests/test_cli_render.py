"""``reportgen render`` through click's runner: several files, one bad; ``-o`` as a file name; edited reports kept."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from conftest import SEED_EXAMPLE

from reportgen import overwrite
from reportgen.cli import main

GOOD = """\
year: 2022
unit: 测试单位
project: {project}
budget: {{weight: 10, adjusted: 100, executed: 100, score: 10}}
indicators:
  - {{name: 培训场次, weight: 90, target: ≥10次, actual: 10次, score: 90}}
total_score: 100
"""


RENDER = ["render", "--no-check"]  # the test form is not a model report: its check would fail on wording


def form(tmp_path: Path, name: str, project: str | None = None, text: str | None = None) -> Path:
    path = tmp_path / name
    path.write_text(text if text is not None else GOOD.format(project=project or path.stem), encoding="utf-8")
    return path


def report_md(outdir: Path, project: str) -> Path:
    return outdir / f"2022年度{project}绩效自评报告.md"


# --- several files: a bad one is reported, the others are rendered ---------------------------------


def test_a_bad_file_among_several_is_reported_and_the_rest_rendered(runner: CliRunner, tmp_path: Path) -> None:
    a = form(tmp_path, "甲.yaml")
    bad = form(tmp_path, "坏.yaml", text="year: 2022\nproject: [没有闭合\n")
    c = form(tmp_path, "丙.yaml")
    out = tmp_path / "out"
    result = runner.invoke(main, [*RENDER, str(a), str(bad), str(c), "-o", str(out)])
    assert result.exit_code == 1, result.output
    assert report_md(out, "甲").is_file() and report_md(out, "丙").is_file()  # c is rendered after the bad b
    assert f"输入错误：{bad}:3:1：YAML 语法错误" in result.stderr
    assert "有 1 项未能生成报告（见上），其余 2 份已生成。" in result.stderr
    assert "Traceback" not in result.output


def test_a_missing_file_among_several_does_not_stop_the_others(runner: CliRunner, tmp_path: Path) -> None:
    a = form(tmp_path, "甲.yaml")
    result = runner.invoke(main, [*RENDER, str(tmp_path / "没有.yaml"), str(a), "-o", str(tmp_path)])
    assert result.exit_code == 1
    assert "没有.yaml：文件不存在" in result.stderr
    assert report_md(tmp_path, "甲").is_file()


def test_every_file_bad_renders_nothing_and_says_so(runner: CliRunner, tmp_path: Path) -> None:
    bad = [form(tmp_path, f"坏{i}.yaml", text="year: 2022\n") for i in range(2)]
    result = runner.invoke(main, [*RENDER, *map(str, bad), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "有 2 项未能生成报告（见上），没有生成任何报告。" in result.stderr


def test_one_unreadable_file_alone_is_bad_input(runner: CliRunner, tmp_path: Path) -> None:
    bad = form(tmp_path, "坏.yaml", text="year: 2022\n")
    result = runner.invoke(main, [*RENDER, str(bad), "-o", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr.startswith("输入错误：") and "坏.yaml" in result.stderr


# --- -o: a folder, or one report's file name --------------------------------------------------------


def test_output_file_name_for_a_single_report(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "报告.md"
    result = runner.invoke(main, ["render", str(SEED_EXAMPLE), "-o", str(target)])
    assert result.exit_code == 1, result.output  # the seed's check fails (a placeholder); the file is written
    assert target.is_file()
    assert target.read_text(encoding="utf-8").startswith("# 2020年度社会保障专项绩效自评报告")
    assert (tmp_path / "报告.check.json").is_file()
    assert result.stdout.startswith("报告.md  检查未通过")
    again = runner.invoke(main, ["render", str(SEED_EXAMPLE), "-o", str(target)])  # the second run replaces it
    assert again.exit_code == 1 and "未覆盖" not in again.stderr


def test_output_file_name_sets_the_format(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "sub" / "报告.docx"
    result = runner.invoke(main, [*RENDER, str(form(tmp_path, "甲.yaml")), "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_bytes()[:2] == b"PK"
    assert "2022年度甲绩效自评报告" in "\n".join(p.text for p in docx.Document(str(target)).paragraphs)
    assert [p.name for p in target.parent.iterdir() if p.suffix == ".docx"] == ["报告.docx"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "报告.md", "-f", "pdf"], "-o 给的是一个 .md 文件，--format 却是 pdf"),
        (["-o", "报告.md", "-f", "md,docx"], "要多种格式请用 -o 指定文件夹"),
        (["-o", "报告.yaml"], "“报告.yaml”不是报告的文件名"),
        (["-o", "报告.txt"], "报告文件名应以 .md、.html、.pdf 或 .docx 结尾"),
    ],
)
def test_output_file_names_that_cannot_work_are_refused(
    runner: CliRunner, tmp_path: Path, args: list[str], message: str
) -> None:
    args = [a if not a.startswith("报告") else str(tmp_path / a) for a in args]
    result = runner.invoke(main, [*RENDER, str(SEED_EXAMPLE), *args])
    assert result.exit_code == 2
    assert result.stderr.startswith("用法错误：") and message in result.stderr
    assert list(tmp_path.iterdir()) == []  # neither a file nor a folder named 报告.md


def test_output_file_name_for_several_reports_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    files = [str(form(tmp_path, "甲.yaml")), str(form(tmp_path, "乙.yaml"))]
    result = runner.invoke(main, [*RENDER, *files, "-o", str(tmp_path / "报告.md")])
    assert result.exit_code == 2
    assert "共有 2 份报告，-o 只给了一个文件名" in result.stderr and "文件夹" in result.stderr
    assert not (tmp_path / "报告.md").exists()


def test_an_existing_folder_with_a_dot_is_a_folder(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "报告.md"
    folder.mkdir()  # as an older version made it
    result = runner.invoke(main, [*RENDER, str(form(tmp_path, "甲.yaml")), "-o", str(folder)])
    assert result.exit_code == 0, result.output
    assert report_md(folder, "甲").is_file()


# --- a report the user changed is kept ------------------------------------------------------------------


def test_an_edited_markdown_report_is_kept(runner: CliRunner, tmp_path: Path) -> None:
    src = form(tmp_path, "甲.yaml")
    out = tmp_path / "out"
    assert runner.invoke(main, [*RENDER, str(src), "-o", str(out), "-f", "md,html"]).exit_code == 0
    md = report_md(out, "甲")
    html = md.with_suffix(".html")
    edited = md.read_text(encoding="utf-8") + "\n局长批示：同意。\n"
    md.write_text(edited, encoding="utf-8")
    html_before = html.read_bytes()
    src.write_text(GOOD.format(project="甲").replace("unit: 测试单位", "unit: 新单位"), encoding="utf-8")

    result = runner.invoke(main, [*RENDER, str(src), "-o", str(out), "-f", "md,html"])
    assert result.exit_code == 1
    assert f"未覆盖：“甲”：{out}：{md.name} 在上次生成后被修改过" in result.stderr
    assert "已保留原文件" in result.stderr and "--force" in result.stderr
    assert md.read_text(encoding="utf-8") == edited
    assert html.read_bytes() == html_before  # nothing of that report was written: its files stay together

    forced = runner.invoke(main, [*RENDER, str(src), "-o", str(out), "-f", "md,html", "--force"])
    assert forced.exit_code == 0, forced.output
    assert "新单位" in md.read_text(encoding="utf-8") and "局长批示" not in md.read_text(encoding="utf-8")
    # after --force the new file is reportgen's again: the next run replaces it without asking
    assert runner.invoke(main, [*RENDER, str(src), "-o", str(out), "-f", "md,html"]).exit_code == 0


def test_an_edited_word_report_is_kept(runner: CliRunner, tmp_path: Path) -> None:
    src = form(tmp_path, "甲.yaml")
    assert runner.invoke(main, [*RENDER, str(src), "-o", str(tmp_path), "-f", "docx"]).exit_code == 0
    path = report_md(tmp_path, "甲").with_suffix(".docx")
    document = docx.Document(str(path))
    document.add_paragraph("审核意见：同意报送。")
    document.save(str(path))
    saved = path.read_bytes()
    result = runner.invoke(main, [*RENDER, str(src), "-o", str(tmp_path), "-f", "docx"])
    assert result.exit_code == 1
    assert f"{path.name} 在上次生成后被修改过" in result.stderr
    assert path.read_bytes() == saved


def test_a_file_reportgen_did_not_write_is_kept(runner: CliRunner, tmp_path: Path) -> None:
    mine = report_md(tmp_path, "甲")
    mine.write_text("# 我自己写的报告\n", encoding="utf-8")
    result = runner.invoke(main, [*RENDER, str(form(tmp_path, "甲.yaml")), "-o", str(tmp_path)])
    assert result.exit_code == 1
    assert "不是 reportgen 生成的" in result.stderr
    assert mine.read_text(encoding="utf-8") == "# 我自己写的报告\n"


def test_one_kept_report_does_not_stop_the_others(runner: CliRunner, tmp_path: Path) -> None:
    a, b = form(tmp_path, "甲.yaml"), form(tmp_path, "乙.yaml")
    out = tmp_path / "out"
    assert runner.invoke(main, [*RENDER, str(a), str(b), "-o", str(out)]).exit_code == 0
    report_md(out, "甲").write_text("改过了\n", encoding="utf-8")
    b.write_text(GOOD.format(project="乙").replace("测试单位", "乙单位"), encoding="utf-8")
    result = runner.invoke(main, [*RENDER, str(a), str(b), "-o", str(out)])
    assert result.exit_code == 1
    assert "乙单位" in report_md(out, "乙").read_text(encoding="utf-8")
    assert report_md(out, "甲").read_text(encoding="utf-8") == "改过了\n"


class _Killed(BaseException):
    pass


@pytest.mark.parametrize("killed", ["before-the-files", "between-the-files", "before-the-final-record"])
def test_a_write_killed_midway_is_still_accepted_next_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, killed: str
) -> None:
    """A process killed at any moment leaves files the next run recognises as its own and replaces."""
    overwrite.write_files(tmp_path, "r", {"r.md": b"one", "r.pdf": b"one"})
    real_record, real_write = overwrite._write_record, overwrite.atomic_write
    records = []

    def record(*args: object) -> None:
        records.append(1)
        if killed == "before-the-final-record" and len(records) == 2:
            raise _Killed
        real_record(*args)  # type: ignore[arg-type]

    def write(path: Path, data: bytes) -> None:
        is_report = path.parent == tmp_path
        if is_report and (killed == "before-the-files" or (killed == "between-the-files" and path.suffix == ".pdf")):
            raise _Killed
        real_write(path, data)

    monkeypatch.setattr(overwrite, "_write_record", record)
    monkeypatch.setattr(overwrite, "atomic_write", write)
    with pytest.raises(_Killed):
        overwrite.write_files(tmp_path, "r", {"r.md": b"two", "r.pdf": b"two"})
    monkeypatch.undo()
    expected_md = b"one" if killed == "before-the-files" else b"two"
    assert (tmp_path / "r.md").read_bytes() == expected_md  # the kill happened where the test says
    overwrite.write_files(tmp_path, "r", {"r.md": b"three", "r.pdf": b"three"})
    assert (tmp_path / "r.md").read_bytes() == (tmp_path / "r.pdf").read_bytes() == b"three"
    assert overwrite.read_record(tmp_path, "r") == {"r.md": [overwrite.digest(b"three")], "r.pdf": [overwrite.digest(b"three")]}


def test_the_record_is_never_taken_for_a_form(tmp_path: Path) -> None:
    from reportgen.batch.run import collect_inputs
    from reportgen.loaders import supported_suffixes

    overwrite.write_files(tmp_path / "表", "r", {"r.md": b"x"})
    records = list((tmp_path / "表" / overwrite.RECORD_DIR).iterdir())
    assert records and all(p.suffix not in supported_suffixes() for p in records)
    assert collect_inputs([tmp_path / "表"], tmp_path / "out") == []
