"""Hostile and broken inputs, each class run through the real CLI in a subprocess with 1 GB of address space.

The files are built here, small (the largest is a 70 MB zip part that compresses to kilobytes). Every input
must end in exit 0, 1 or 2 — never a traceback, a MemoryError or a kill — within the subprocess's time
bound; exit 2 names the place. A few inputs share one subprocess (one interpreter start per class) to keep
the suite near half a minute.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from form_files import filled_workbook, with_part, word_form

import reportgen

MEMORY_LIMIT = 1 << 30  # bytes of address space for the whole interpreter
TIME_LIMIT = 60  # seconds for one subprocess (all its inputs together)

# runs each argument list through the CLI inside one bounded interpreter; prints one JSON result per run
_RUNNER = r"""
import contextlib, io, json, resource, sys, traceback
resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
from reportgen.cli import main
results = []
for args in json.loads(sys.argv[1]):
    out, err = io.StringIO(), io.StringIO()
    code = None
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main.main(args=args, prog_name="reportgen")
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 2
        except BaseException:
            code = "crash"
            err.write(traceback.format_exc())
    results.append({"code": code, "out": out.getvalue()[-3000:], "err": err.getvalue()[-3000:]})
print(json.dumps(results, ensure_ascii=False))
"""


def bounded(*runs: list[str], cwd: Path) -> list[dict[str, object]]:
    """Run each CLI argument list in one subprocess limited to MEMORY_LIMIT and TIME_LIMIT."""
    env = dict(os.environ, PYTHONPATH=str(Path(reportgen.__file__).resolve().parent.parent))
    proc = subprocess.run(
        [sys.executable, "-c", _RUNNER.replace("MEMORY_BYTES", str(MEMORY_LIMIT)), json.dumps(list(runs))],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads(proc.stdout.strip().splitlines()[-1])
    for run, result in zip(runs, results, strict=True):
        text = f"{result['out']}\n{result['err']}"
        assert result["code"] in (0, 1, 2), f"{run}: {text}"
        assert "Traceback" not in text and "MemoryError" not in text, f"{run}: {text}"
    return results


def refused(result: dict[str, object], place: str, *words: str, codes: tuple[int, ...] = (2,)) -> None:
    """Exit 2 (``render`` of several items: 1, "some items failed") with a message naming ``place`` and ``words``."""
    assert result["code"] in codes, result
    message = str(result["err"])
    assert place in message, message
    for word in words:
        assert word in message, message


FORM = """\
year: 2021
unit: 测试单位
project: 测试项目
budget:
  weight: 10
  adjusted: 100
  executed: 95
  score: 9.5
indicators:
  - name: 培训场次
    level1: 产出指标
    level2: 数量指标
    weight: 90
    target: ≥10次
    actual: 10次
    score: 90
total_score: 99.5
"""


def _rewrite_part(path: Path, name: str, change: Callable[[bytes], bytes | None]) -> Path:
    """Rewrite one part of a zip package in place (see ``with_part``)."""
    path.write_bytes(with_part(path.read_bytes(), name, change))
    return path


def _sheet_part(path: Path) -> str:
    with zipfile.ZipFile(path) as package:
        return next(n for n in package.namelist() if n.startswith("xl/worksheets/sheet"))


def _form_document(path: Path, span: str | None = None) -> Path:
    word_form(span).save(str(path))
    return path


def _inflating_part(path: Path, name: str, size: int, kind: str) -> Path:
    """A package with one part of ``size`` bytes of XML that compresses to almost nothing (a zip bomb)."""
    source = filled_workbook(path) if kind == "xlsx" else _form_document(path)
    with zipfile.ZipFile(source, "a", zipfile.ZIP_DEFLATED) as package:
        with package.open(name, "w", force_zip64=True) as part:
            chunk = b"<a/>" * (1 << 18)
            for _ in range(size // len(chunk) + 1):
                part.write(chunk)
    return path


# -- files that exhaust memory or hang ------------------------------------------------------------------


def test_zip_bombs_and_huge_merges_are_bounded(tmp_path: Path) -> None:
    bomb_xlsx = _inflating_part(tmp_path / "bomb.xlsx", "xl/media/bomb.xml", 70 << 20, "xlsx")
    bomb_docx = _inflating_part(tmp_path / "bomb.docx", "word/bomb.xml", 70 << 20, "docx")
    merge = filled_workbook(tmp_path / "merge.xlsx")
    _rewrite_part(
        merge,
        _sheet_part(merge),
        lambda xml: re.sub(rb"<mergeCells[^>]*>.*?</mergeCells>", b"", xml, flags=re.S).replace(
            b"</sheetData>", b'</sheetData><mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>'
        ),
    )
    span = _form_document(tmp_path / "span.docx", span="100000000")
    far = filled_workbook(tmp_path / "far.xlsx", A60000="迷路的单元格")
    results = bounded(
        ["validate", str(bomb_xlsx)],
        ["validate", str(bomb_docx)],
        ["validate", str(merge)],
        ["validate", str(span)],
        ["validate", str(far)],
        cwd=tmp_path,
    )
    refused(results[0], "bomb.xlsx", "解压后", "MB")
    refused(results[1], "bomb.docx", "解压后", "MB")
    # one merged area over the whole sheet: kept as one range, the form under it is still read
    assert results[2]["code"] in (0, 1), results[2]
    assert results[3]["code"] in (0, 1), results[3]  # an absurd span is bounded, the form is still read
    refused(results[4], "far.xlsx!自评表!A60000", "50000")


def test_alias_bombs_and_greedy_templates_are_stopped(tmp_path: Path) -> None:
    form = tmp_path / "form.yaml"
    form.write_text(FORM, encoding="utf-8")
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8)
    )
    outlines = tmp_path / "outline_bomb" / "outlines"
    outlines.mkdir(parents=True)
    (outlines / "bomb.yaml").write_text(bomb + "sections: []\n", encoding="utf-8")
    lexicon = tmp_path / "lexicon_bomb"
    lexicon.mkdir()
    (lexicon / "causes.yaml").write_text(bomb, encoding="utf-8")
    (tmp_path / "form_bomb.yaml").write_text(FORM + bomb.replace("a:", "x_a:", 1), encoding="utf-8")
    attacks = {
        "loops": "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        "multiply": '{{ "好" * 1000000000 }}',
        "width": '{{ "%.2000000000f" % 1.5 }}{{ "{:>999999999}".format(1) }}',
        "grow": '{% set ns = namespace(s="xx") %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}',
    }
    runs = [
        ["render", str(form), "--templates", str(outlines.parent), "--outline", "bomb", "--no-check", "-o", "out"],
        ["render", str(form), "--lexicon", str(lexicon), "--no-check", "-o", "out"],
        ["validate", str(tmp_path / "form_bomb.yaml")],
    ]
    for name, source in attacks.items():
        sections = tmp_path / name / "sections"
        sections.mkdir(parents=True)
        (sections / "overview.md.j2").write_text(source, encoding="utf-8")
        runs.append(["render", str(form), "--templates", str(sections.parent), "--no-check", "-o", "out"])
    results = bounded(*runs, cwd=tmp_path)
    refused(results[0], "bomb.yaml", "别名", codes=(1, 2))
    refused(results[1], "causes.yaml", "别名", codes=(1, 2))
    refused(results[2], "form_bomb.yaml", "别名")
    for result in results[3:]:
        refused(result, ".md.j2", "模板", codes=(1, 2))  # the CLI may shorten a long path in the middle
    assert not any(p.suffix == ".md" for p in tmp_path.glob("out/*"))


# -- broken files give a message, never a traceback ---------------------------------------------------------


def test_broken_packages_give_a_placed_message(tmp_path: Path) -> None:
    broken_xml = _rewrite_part(_form_document(tmp_path / "xml.docx"), "word/document.xml", lambda x: x[: len(x) // 2])
    bad_span = _form_document(tmp_path / "abc.docx", span="abc")
    stream = _form_document(tmp_path / "stream.docx")
    raw = bytearray(stream.read_bytes())
    with zipfile.ZipFile(stream) as package:
        info = package.getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    raw[start + 10 : start + 40] = bytes(30)  # damage the compressed stream itself
    stream.write_bytes(bytes(raw))
    no_book = _rewrite_part(
        filled_workbook(tmp_path / "nobook.xlsx"),
        "_rels/.rels",
        lambda x: re.sub(rb"<Relationship[^>]*officeDocument[^>]*/>", b"", x),
    )
    odd = filled_workbook(tmp_path / "odd.xlsx")
    raw = bytearray(odd.read_bytes())
    raw[8:10] = b"\x63\x00"  # compression method 99 (AES) in the first local header
    central = raw.rfind(b"PK\x01\x02", 0, len(raw))
    first_central = raw.find(b"PK\x01\x02")
    for at in {first_central, central}:
        raw[at + 10 : at + 12] = b"\x63\x00"
    odd.write_bytes(bytes(raw))
    results = bounded(*(["validate", str(p)] for p in (broken_xml, bad_span, stream, no_book, odd)), cwd=tmp_path)
    refused(results[0], "xml.docx", "损坏")
    assert results[1]["code"] in (0, 1), results[1]  # gridSpan="abc" counts as one column
    refused(results[2], "stream.docx", "损坏")
    refused(results[3], "nobook.xlsx", "officeDocument")
    refused(results[4], "odd.xlsx")


def test_impossible_json_gives_a_placed_message(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text('{"project": "x", "indicators": ' + "[" * 1500 + "]" * 1500 + "}", encoding="utf-8")
    digits = tmp_path / "digits.json"
    digits.write_text(json.dumps({"project": "x", "indicators": [{"name": "甲"}]})[:-1] + ', "total_score": ' + "9" * 5000 + "}")
    exponent = tmp_path / "exponent.json"
    exponent.write_text('{"project": "x", "indicators": [{"name": "甲", "weight": 1e999999999}]}', encoding="utf-8")
    deep_yaml = tmp_path / "deep.yaml"
    deep_yaml.write_text("project: x\nindicators: " + "[" * 900 + "]" * 900 + "\n", encoding="utf-8")
    results = bounded(*(["validate", str(p)] for p in (deep, digits, exponent, deep_yaml)), cwd=tmp_path)
    refused(results[0], "deep.json", "嵌套")
    refused(results[1], "digits.json", "total_score", "位数过多")
    refused(results[2], "exponent.json", "weight")
    refused(results[3], "deep.yaml", "嵌套")


# -- the report's structure cannot be changed by data ---------------------------------------------------


def _headings(markdown: str) -> list[str]:
    return [line for line in markdown.splitlines() if line.startswith("#")]


def test_line_breaks_and_rules_in_data_stay_text(tmp_path: Path) -> None:
    clean = tmp_path / "clean.yaml"
    clean.write_text(FORM, encoding="utf-8")
    # YAML's escapes for form feed, vertical tab, U+0085, U+2028 and U+2029, each followed by a would-be heading
    breaks = ["\\f", "\\v", "\\N", "\\L", "\\P"]
    hostile = FORM.replace("unit: 测试单位", 'unit: "---"').replace(
        "project: 测试项目", "project: 测试项目\noverview: \"" + "".join(f"甲{b}# 假标题" for b in breaks) + '"'
    )
    (tmp_path / "hostile.yaml").write_text(hostile, encoding="utf-8")
    results = bounded(
        ["render", str(clean), "--no-check", "-o", "clean"],
        ["render", str(tmp_path / "hostile.yaml"), "--no-check", "-o", "hostile", "-f", "md,docx"],
        cwd=tmp_path,
    )
    assert results[0]["code"] == 0 and results[1]["code"] == 0, results
    good = next((tmp_path / "clean").glob("*.md")).read_text(encoding="utf-8")
    bad = next((tmp_path / "hostile").glob("*.md")).read_text(encoding="utf-8")
    assert _headings(bad) == _headings(good)
    assert "假标题" in bad and not re.search(r"^\s*-{3,}\s*$", bad, re.M)
    assert not re.search("[\x0b\x0c\x85\u2028\u2029]", bad)
    # the unit closes the report as text, not as a rule (before the date's gap: the form has no 填报日期)
    assert bad.rstrip().splitlines()[-3:] == ["\\---", "", "【待补充：报告日期】"]
    document = docx.Document(str(next((tmp_path / "hostile").glob("*.docx"))))
    assert "---" in [p.text for p in document.paragraphs]


def test_long_names_are_bounded_and_files_shortened(tmp_path: Path) -> None:
    long_a = FORM.replace("project: 测试项目", "project: " + "农村人居环境整治提升" * 8 + "甲")
    long_b = FORM.replace("project: 测试项目", "project: " + "农村人居环境整治提升" * 8 + "乙")
    huge = FORM.replace("unit: 测试单位", "unit: " + "很长的单位名称" * 40)
    for name, text in (("a.yaml", long_a), ("b.yaml", long_b), ("huge.yaml", huge)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    results = bounded(
        ["render", "a.yaml", "b.yaml", "--no-check", "-o", "out", "-f", "md,docx"],
        ["render", "huge.yaml", "--no-check", "-o", "out2", "-f", "docx"],
        cwd=tmp_path,
    )
    assert results[0]["code"] == 0, results[0]
    names = sorted(p.name for p in (tmp_path / "out").iterdir() if p.suffix in (".md", ".docx"))
    assert len(names) == 4 and all(len(p.name.encode()) <= 200 for p in (tmp_path / "out").iterdir()), names
    assert len({n.rsplit(".", 1)[0] for n in names}) == 2  # two projects, two stems, though the first 80 characters agree
    refused(results[1], "huge.yaml", "unit", "过长", codes=(1, 2))


# -- the template sandbox stays closed -------------------------------------------------------------------


def test_links_out_of_overlay_folders_are_refused(tmp_path: Path) -> None:
    form = tmp_path / "form.yaml"
    form.write_text(FORM, encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text("机密内容-不应出现在报告中", encoding="utf-8")
    templates = tmp_path / "templates"
    (templates / "sections").mkdir(parents=True)
    (templates / "sections" / "overview.md.j2").symlink_to(secret)
    (templates / "outlines").mkdir()
    (templates / "outlines" / "evil.yaml").symlink_to(secret)
    lexicon = tmp_path / "lexicon"
    lexicon.mkdir()
    (lexicon / "causes.yaml").symlink_to(secret)
    linked_dir = tmp_path / "linked"
    linked_dir.mkdir()
    (linked_dir / "sections").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "overview.md.j2").write_text("{{ 1 }}", encoding="utf-8")
    results = bounded(
        ["render", str(form), "--templates", str(templates), "--no-check", "-o", "out"],
        ["render", str(form), "--templates", str(templates), "--outline", "evil", "--no-check", "-o", "out"],
        ["render", str(form), "--lexicon", str(lexicon), "--no-check", "-o", "out"],
        ["render", str(form), "--templates", str(linked_dir), "--no-check", "-o", "out"],
        cwd=tmp_path,
    )
    refused(results[0], ".md.j2", "文件夹之外", codes=(1, 2))
    refused(results[1], "evil.yaml", "文件夹之外", codes=(1, 2))
    refused(results[2], "causes.yaml", "文件夹之外", codes=(1, 2))
    refused(results[3], ".md.j2", "文件夹之外", codes=(1, 2))
    for result in results:
        assert "机密内容" not in str(result["out"]) + str(result["err"])
    assert not any(p.suffix == ".md" for p in tmp_path.glob("out/*"))


@pytest.mark.parametrize("field", ["project", "indicators[0].name"])
def test_long_names_in_place(tmp_path: Path, field: str) -> None:
    """A name over the bound names its field and line (in-process: the message is what matters)."""
    from reportgen.errors import InputError
    from reportgen.loaders import load

    text = FORM.replace("project: 测试项目", "project: " + "项" * 300) if field == "project" else FORM.replace(
        "name: 培训场次", "name: " + "项" * 300
    )
    path = tmp_path / "long.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load(path)
    assert field in str(err.value) and "过长" in str(err.value)


def test_an_edited_batch_journal_is_a_placed_message(tmp_path: Path) -> None:
    forms = tmp_path / "forms"
    forms.mkdir()
    (forms / "a.yaml").write_text(FORM, encoding="utf-8")
    first = bounded(["batch", str(forms), "-o", "out", "-j", "1", "--no-check"], cwd=tmp_path)
    assert first[0]["code"] in (0, 1), first
    journal = next((tmp_path / "out").glob(".reportgen-batch*.jsonl"))
    record = json.loads(journal.read_text(encoding="utf-8").splitlines()[0])
    edits = {
        "rows": json.dumps({"key": record["key"], "rows": "不是列表"}, ensure_ascii=False),
        "fields": json.dumps({"key": record["key"], "rows": [{"项目": "甲"}]}, ensure_ascii=False),
        "shape": json.dumps([1, 2, 3]),
    }
    runs = []
    for name, line in edits.items():
        out = tmp_path / name
        out.mkdir()
        (out / journal.name).write_text(line + "\n", encoding="utf-8")
        runs.append(["batch", str(forms), "-o", str(out), "-j", "1", "--no-check", "--resume"])
    for result in bounded(*runs, cwd=tmp_path):
        refused(result, f"{journal.name}:1", "--resume")
