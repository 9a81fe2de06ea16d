"""A batch run again into its folder never replaces a report the user edited (issue 15): the same content record as
``reportgen render`` (reportgen.overwrite), in every format, when names are settled into unit folders, and --force."""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner

from reportgen import overwrite
from reportgen.batch.run import BatchOptions, run_batch
from reportgen.cli import main
from reportgen.testing import synthetic_form

FORMATS = ("md", "html", "docx", "pdf")


def _forms(folder: Path, n: int, units: int = 1) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        data = synthetic_form(300 + i)
        data["unit"] = f"单位{i % units}"
        (folder / f"p{i}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _files(out: Path) -> dict[str, bytes]:
    """Every report file (not the index, the overview or the hidden records), by path relative to ``out``."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()
            and not any(part.startswith(".") for part in p.relative_to(out).parts)
            and not p.name.startswith(("summary.", "overview."))}


def _batch(runner: CliRunner, src: Path, out: Path, *extra: str):  # noqa: ANN202 - click's Result
    return runner.invoke(main, ["batch", str(src), "-o", str(out), "--jobs", "1", "--timeout", "0", "--no-check",
                                "--format", ",".join(FORMATS), *extra])


def test_an_edited_report_is_kept_in_every_format_until_force(tmp_path: Path) -> None:
    runner = CliRunner()
    src, out = tmp_path / "forms", tmp_path / "out"
    _forms(src, 5)
    first = _batch(runner, src, out)
    assert first.exit_code == 0, first.output
    made = _files(out)
    assert sum(name.endswith(".pdf") for name in made) == 5

    again = _batch(runner, src, out)  # nothing edited: every report is rendered again, same bytes, exit 0
    assert again.exit_code == 0, again.output
    assert "未覆盖" not in again.output and _files(out) == made

    reports = {suffix: sorted(n for n in made if n.endswith(f".{suffix}")) for suffix in FORMATS}
    edited = {reports[suffix][i]: made[reports[suffix][i]] + b"\n" for i, suffix in enumerate(FORMATS)}
    for name, data in edited.items():  # one project's Markdown, another's HTML, Word file, PDF
        (out / name).write_bytes(data)
    kept = _batch(runner, src, out)
    assert kept.exit_code == 1, kept.output
    assert "未覆盖 4 个" in kept.output, kept.output
    text = " ".join(kept.output.split())
    for name in edited:
        assert f"{Path(name).name} 在上次生成后被修改过" in text and "--force" in text, kept.output
    # the user's files as the user left them; the other projects' reports rendered again (the same bytes)
    assert _files(out) == {**made, **edited}
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert summary.count("| 未覆盖 |") == 4
    assert "4个项目的报告在上次生成后被修改过" in (out / "overview.md").read_text(encoding="utf-8")

    resumed = _batch(runner, src, out, "--resume")  # a kept project is not done: --resume tries it again
    assert resumed.exit_code == 1 and "未覆盖 4 个" in resumed.output, resumed.output

    forced = _batch(runner, src, out, "--force")
    assert forced.exit_code == 0, forced.output
    assert _files(out) == made  # the tool's reports again, every one


def test_a_changed_form_rewrites_its_unedited_report(tmp_path: Path) -> None:
    src, out = tmp_path / "forms", tmp_path / "out"
    _forms(src, 2)
    options = BatchOptions(outdir=out, formats=("md",), jobs=1, timeout=0, check=False)
    run_batch([src], options)
    data = yaml.safe_load((src / "p0.yaml").read_text(encoding="utf-8"))
    data["improvement_measures"] = ["加强资金监管，按季度通报执行进度。"]
    (src / "p0.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    before = _files(out)
    result = run_batch([src], options)
    assert [r.status for r in result.rows] == ["ok", "ok"]
    after = _files(out)
    assert sorted(after) == sorted(before) and sum(after[n] != before[n] for n in after) >= 1


def test_reports_moved_into_unit_folders_keep_their_record(tmp_path: Path) -> None:
    """Several units: each report is written, then moved into its unit's folder — its record goes with it, so an
    unedited report is replaced next time and an edited one is kept."""
    src, out = tmp_path / "forms", tmp_path / "out"
    _forms(src, 4, units=2)
    options = BatchOptions(outdir=out, formats=("md",), jobs=1, timeout=0, check=False)
    first = run_batch([src], options)
    assert all("/" in r.stem for r in first.rows), [r.stem for r in first.rows]  # in unit folders
    made = _files(out)
    assert run_batch([src], options).exit_code == 0 and _files(out) == made
    victim = first.rows[1]
    report = Path(victim.outputs[0])
    assert report.suffix == ".md"
    report.write_text("我改过的报告\n", encoding="utf-8")
    second = run_batch([src], options)
    assert [r.status for r in second.rows] == ["ok", "kept", "ok", "ok"], [r.message for r in second.rows]
    assert report.name in second.rows[1].message and "--force" in second.rows[1].message
    assert report.read_text(encoding="utf-8") == "我改过的报告\n"
    assert not [p for p in out.rglob("*.md") if p.parent == out and not p.name.startswith(("summary", "overview"))]
    forced = run_batch([src], BatchOptions(**{**options.__dict__, "force": True}))
    assert forced.exit_code == 0 and _files(out) == made
    assert overwrite.read_record(out, victim.stem)  # the record is where the report is


def test_an_edited_summary_or_overview_is_kept_and_the_new_one_written_beside_it(tmp_path: Path) -> None:
    import openpyxl

    runner = CliRunner()
    src, out = tmp_path / "in", tmp_path / "out"
    _forms(src, 2)
    assert _batch(runner, src, out).exit_code == 0
    book = openpyxl.load_workbook(out / "summary.xlsx")
    book.active["Q2"] = "财务科备注"
    book.save(out / "summary.xlsx")
    (out / "overview.md").write_text((out / "overview.md").read_text(encoding="utf-8") + "批注\n", encoding="utf-8")
    again = _batch(runner, src, out)
    assert again.exit_code == 0
    assert openpyxl.load_workbook(out / "summary.xlsx").active["Q2"].value == "财务科备注"
    assert (out / "overview.md").read_text(encoding="utf-8").endswith("批注\n")
    assert (out / "summary（新）.xlsx").exists() and (out / "overview（新）.md").exists()
    assert "summary.xlsx 在上次生成后被修改过，已保留；本次的新文件写入 summary（新）.xlsx" in again.output
    # an unedited index is replaced as before, and --force replaces the edited ones
    assert not (out / "summary（新）.md").exists()
    assert _batch(runner, src, out, "--force").exit_code == 0
    assert openpyxl.load_workbook(out / "summary.xlsx").active["Q2"].value is None
