"""One pipeline behind every door: the Engine's bytes are what render, batch and the API write."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SEED_EXAMPLE, example_paths

import reportgen
from reportgen.batch.run import BatchOptions, run_batch
from reportgen.cli import main
from reportgen.engine import Engine, Options, parse_formats, unique_stem
from reportgen.errors import UsageError


def test_run_renders_every_format_in_memory_and_checks() -> None:
    outcome = Engine(formats=("md", "html", "docx")).run(SEED_EXAMPLE)
    assert set(outcome.files) == {"md", "html", "docx", "check.json", "sources.json"}
    md = outcome.files["md"].decode("utf-8")
    assert md == outcome.report.markdown and "2,440.91万元" in md
    assert outcome.files["html"].startswith(b"<!DOCTYPE html>")
    assert outcome.files["docx"][:2] == b"PK"
    check = json.loads(outcome.files["check.json"])
    assert check == outcome.check.to_dict()
    assert outcome.ok is outcome.check.ok is False  # the seed lacks one cause: a placeholder remains


def test_no_check_means_no_check_file() -> None:
    outcome = Engine(check=False).run(SEED_EXAMPLE)
    assert set(outcome.files) == {"md", "sources.json"} and outcome.check is None and outcome.ok


def test_options_normalise_so_equal_configurations_compare_equal(tmp_path: Path) -> None:
    a = Options(formats="md,pdf", templates=tmp_path)
    b = Options(formats=("md", "pdf"), templates=tmp_path / ".")
    assert a == b and a.formats == ("md", "pdf") and a.templates == tmp_path.resolve()
    with pytest.raises(UsageError, match="不支持的输出格式：rtf"):
        Options(formats="md,rtf")
    assert parse_formats(" PDF , md,pdf") == ("pdf", "md")


def test_unique_stem_keeps_two_projects_of_one_title() -> None:
    used: set[str] = set()
    assert [unique_stem("甲", used) for _ in range(3)] == ["甲", "甲-2", "甲-3"]


def test_write_puts_each_file_beside_the_others(tmp_path: Path) -> None:
    engine = Engine(formats=("md",))
    outcome = engine.run(SEED_EXAMPLE)
    paths = engine.write(outcome, tmp_path, "报告")
    assert paths == {"md": tmp_path / "报告.md", "check": tmp_path / "报告.check.json",
                     "sources": tmp_path / "报告.sources.json"}
    assert paths["md"].read_bytes() == outcome.files["md"]


@pytest.mark.parametrize("example", example_paths(), ids=lambda p: p.stem)
def test_cli_batch_and_api_write_the_same_bytes(example: Path, tmp_path: Path, runner) -> None:
    formats = ("md", "docx")
    expected = Engine(formats=formats).run(example)
    name = expected.report.name

    result = runner.invoke(main, ["render", str(example), "-o", str(tmp_path / "cli"), "--format", "md,docx"])
    assert result.exit_code in (0, 1), result.output
    run_batch([example], BatchOptions(outdir=tmp_path / "batch", formats=formats, jobs=1))
    reportgen.write_report(reportgen.render(example), tmp_path / "api", formats)

    for folder in ("cli", "batch", "api"):
        for suffix in ("md", "docx", "check.json"):
            assert (tmp_path / folder / f"{name}.{suffix}").read_bytes() == expected.files[suffix], (folder, suffix)


def test_a_file_with_several_forms_goes_through_run_file(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = Engine()
    form = engine.load(SEED_EXAMPLE)[0]
    monkeypatch.setattr(engine, "load", lambda path: [form, form])  # as a workbook with two form sheets
    assert [o.report.name for o in engine.run_file("book.xlsx")] == [form_name := engine.run(form).report.name] * 2
    assert form_name.endswith("绩效自评报告")
    with pytest.raises(UsageError, match="含有 2 张自评表"):
        engine.run("book.xlsx")


def test_a_user_lexicon_reaches_scoring(tmp_path: Path) -> None:
    # a name the built-in direction lexicon does not know is read as higher-is-better; the user's says lower
    import yaml

    data = yaml.safe_load(SEED_EXAMPLE.read_text(encoding="utf-8"))
    data["indicators"][0] |= {"name": "社区用房闲置面积", "target": "50平方米", "actual": "30平方米"}
    form_path = tmp_path / "form.yaml"
    form_path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    lexicon = tmp_path / "lexicon"
    lexicon.mkdir()
    (lexicon / "direction.yaml").write_text("lower:\n  - 闲置面积\nhigher:\n  - 完成率\n", encoding="utf-8")

    built_in = Engine(check=False).run(form_path).evaluation.indicators[0]
    users = Engine(check=False, lexicon=lexicon).run(form_path).evaluation.indicators[0]
    assert not built_in.lower_better and users.lower_better
    assert users.status != built_in.status


def test_prepare_renderers_builds_the_pdf_renderer_before_any_report() -> None:
    """A Dask worker builds WeasyPrint and the fonts at start, not inside its first task's --timeout."""
    import subprocess
    import sys

    code = ("from reportgen.engine import Engine, Options\n"
            "from reportgen.renderers import pdf\n"
            "import sys\n"
            "assert 'weasyprint.html' not in sys.modules\n"
            "Engine(Options(formats=('md', 'pdf'))).prepare_renderers()\n"
            "assert 'weasyprint.html' in sys.modules and pdf._renderer.cache_info().currsize == 1\n"
            "Engine(Options(formats=('md',))).prepare_renderers()\n"
            "assert pdf._renderer.cache_info().currsize == 1\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=Path(reportgen.__file__).resolve().parent.parent)
    assert done.returncode == 0, done.stderr


def test_json_files_are_the_bytes_the_json_module_writes_indented() -> None:
    """sources.json and check.json come from orjson; their bytes are those of json.dumps(indent=2, no ASCII escapes)."""
    from reportgen.engine import _json_bytes

    engine = reportgen.Engine(reportgen.Options(formats=("md",)))
    for path in example_paths():
        outcome = engine.run(reportgen.load(path))
        for name, data in (("sources.json", outcome.report.sources()), ("check.json", outcome.check.to_dict())):
            assert outcome.files[name] == (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode(), name
    odd = {"整数键": {1: "一", 2: ["二", None, True, 1.5]}, "空": [], "空表": {}}
    assert _json_bytes(odd) == (json.dumps(odd, ensure_ascii=False, indent=2) + "\n").encode()
