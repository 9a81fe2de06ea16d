from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from reportgen.cli import main
from reportgen.renderers import fonts


@pytest.fixture(autouse=True)
def fresh_font_lookup() -> Iterator[None]:
    # fontconfig answers are cached per process; each test asks again under its own environment
    fonts.cjk_faces.cache_clear()
    fonts.default_zh_face.cache_clear()
    yield
    fonts.cjk_faces.cache_clear()
    fonts.default_zh_face.cache_clear()


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("REPORTGEN_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_doctor_reports_a_usable_machine(runner: CliRunner, cache: Path) -> None:
    result = runner.invoke(main, ["doctor"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "✓ 中文字体（fontconfig）" in out
    assert "Noto Serif CJK SC" in out  # the face chosen for body text is named
    assert "✓ HarfBuzz 字体子集化（libharfbuzz-subset0）" in out
    assert "✓ PDF 排版库 WeasyPrint" in out
    assert f"✓ 缓存目录（分词词典、字体子集）：{cache}" in out
    assert "楷体" in out  # optional faces are reported either way
    assert out.rstrip().endswith("环境可用。")


def test_doctor_fails_without_cjk_fonts(
    runner: CliRunner, cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty.conf"
    empty.write_text('<?xml version="1.0"?>\n<fontconfig></fontconfig>\n', encoding="utf-8")
    monkeypatch.setenv("FONTCONFIG_FILE", str(empty))
    result = runner.invoke(main, ["doctor"])
    assert result.exit_code == 1
    assert "✗ 中文字体（fontconfig）" in result.stdout
    assert "fonts-noto-cjk" in result.stdout
    assert "缺少 1 项必需组件" in result.stderr


def test_doctor_fails_without_harfbuzz_subsetting(
    runner: CliRunner, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fonts, "harfbuzz", lambda: None)
    result = runner.invoke(main, ["doctor"])
    assert result.exit_code == 1
    assert "✗ HarfBuzz 字体子集化（libharfbuzz-subset0）：未安装" in result.stdout
    assert "sudo apt-get install libharfbuzz-subset0" in result.stdout


def test_unwritable_cache_is_a_warning_only(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("REPORTGEN_CACHE_DIR", str(blocker / "cache"))
    result = runner.invoke(main, ["doctor"])
    assert result.exit_code == 0, result.output
    assert "! 缓存目录" in result.stdout
    assert "REPORTGEN_CACHE_DIR" in result.stdout


def test_doctor_names_missing_official_faces_and_their_stand_ins(runner: CliRunner, cache: Path) -> None:
    out = runner.invoke(main, ["doctor"]).stdout
    lines = out.splitlines()
    for name in ("方正小标宋简体", "黑体", "楷体_GB2312", "仿宋_GB2312"):
        line = next(x for x in lines if x.lstrip("✓! ").startswith(name))
        found = next(f for f in fonts.official_faces() if f.name == name).found
        if found is None:
            assert line.startswith("!") and "未安装；PDF 改用 " in line and "LibreOffice/WPS 在本机显示为" in line
        else:
            assert line.startswith("✓") and found.family in line
    if any(f.found is None for f in fonts.official_faces()):
        assert "--font" in out and "fc-cache" in out


def test_body_fallback_is_said_unless_a_fangsong_face_is_used() -> None:
    serif = fonts.Face(Path("/f/serif.ttc"), 0, ("Noto Serif CJK SC",), "Regular", 80, "4e00-9fff")
    fangsong = fonts.Face(Path("/f/fs.ttf"), 0, ("FangSong", "仿宋"), "Regular", 80, "4e00-9fff")
    note = fonts.body_fallback_note(fonts.choose_fonts(faces=[serif]))
    assert note is not None and "Noto Serif CJK SC" in note and "--font" in note
    assert fonts.body_fallback_note(fonts.choose_fonts(faces=[serif, fangsong])) is None
    assert fonts.choose_fonts(faces=[serif, fangsong]).faces["body"].family == "FangSong"
