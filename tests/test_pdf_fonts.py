from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from conftest import SEED_EXAMPLE

from reportgen.errors import RenderError
from reportgen.renderers import fonts
from reportgen.renderers.fonts import Coverage, Face, choose_fonts, missing_chars


def face(family: str, style: str = "Regular", weight: int = 80, path: str | None = None) -> Face:
    return Face(path=Path(path or f"/fonts/{family}-{style}.ttf"), index=0, families=(family,), style=style,
                weight=weight, charset="20-7e 4e00-9fa5")


NOTO = [face("Noto Serif CJK SC"), face("Noto Serif CJK SC", "Bold", 200), face("Noto Sans CJK SC", "Bold", 200),
        face("Noto Sans CJK SC")]


def test_official_faces_are_preferred_when_installed() -> None:
    installed = [*NOTO, face("SimSun"), face("FangSong", path="/fonts/simfang.ttf"), face("KaiTi"), face("SimHei")]
    chosen = choose_fonts(faces=installed)
    assert {role: f.family for role, f in chosen.faces.items()} == {
        "body": "FangSong", "bold": "Noto Serif CJK SC", "hei": "SimHei", "kai": "KaiTi"}
    assert chosen.faces["bold"].bold
    assert chosen.notes == ()


def test_noto_alone_sets_every_role_and_says_what_is_missing() -> None:
    chosen = choose_fonts(faces=NOTO)
    assert chosen.faces["body"] == NOTO[0]
    assert chosen.faces["bold"] == NOTO[1]
    assert chosen.faces["hei"] == NOTO[2]
    assert "kai" not in chosen.faces  # （一） headings fall back to bold
    assert len(chosen.unique_faces()) == 3
    assert any("仿宋" in note for note in chosen.notes)
    assert any("楷体" in note for note in chosen.notes)


def test_songti_is_the_second_choice_for_body_text() -> None:
    chosen = choose_fonts(faces=[*NOTO, face("宋体")])
    assert chosen.faces["body"].family == "宋体"
    assert any("改用宋体" in note for note in chosen.notes)


def test_no_cjk_font_names_the_package() -> None:
    with pytest.raises(RenderError, match="没有可用的中文字体") as caught:
        choose_fonts(faces=[])
    assert "fonts-noto-cjk" in str(caught.value)


def test_installed_faces_come_from_fontconfig() -> None:
    families = {name for f in fonts.cjk_faces() for name in f.families}
    assert "Noto Serif CJK SC" in families  # fonts-noto-cjk, installed by scripts/setup.sh
    assert all(f.charset for f in fonts.cjk_faces())


def test_coverage_reads_fontconfig_charsets() -> None:
    covered = Coverage.parse("20-7e a0 4e00-9fa5 zz 3000-303f")
    assert ord("A") in covered and 0xA0 in covered and ord("中") in covered and ord("。") in covered
    assert 0xA1 not in covered and 0x2B820 not in covered and "中" not in covered
    assert len(covered) == 95 + 1 + 0x9FA5 - 0x4E00 + 1 + 0x40
    assert Coverage.of([(5, 9), (1, 3), (4, 4), (20, 20)]) == Coverage((1, 20), (9, 20))


def test_missing_chars_give_line_and_position() -> None:
    covered = Coverage.parse("20-7e 4e00-9fa5 3000-303f")
    runs = [(1, "标题"), (7, "地址：某某村𫠠组 \t"), (9, "正常")]
    missing = missing_chars(runs, covered)
    assert [(m.char, m.line, m.column) for m in missing] == [("：", 7, 3), ("𫠠", 7, 7)]
    assert missing[1].describe().startswith("“𫠠”（U+2B820）第7行第7字")


def test_presubset_builds_once_and_stays_readable(tmp_path: Path) -> None:
    body = choose_fonts().faces["body"]
    built = fonts.presubset(body, tmp_path)
    assert built is not None and built.parent == tmp_path / "fonts"
    assert built.stat().st_size < body.path.stat().st_size / 4
    mtime = built.stat().st_mtime_ns
    assert fonts.presubset(body, tmp_path) == built and built.stat().st_mtime_ns == mtime  # cached
    # fontconfig reads it, and it covers GB2312 (level 2 too) but nothing beyond what it was cut to
    query = subprocess.run(["fc-query", "--format", "%{charset}", str(built)], capture_output=True, text=True,
                           check=True)
    covered = Coverage.parse(query.stdout)
    assert all(ord(ch) in covered for ch in "中华人民共和国绩效自评报告齄≥≤～×★—")
    assert ord("镕") not in covered  # outside GB2312: drawn by the full face that follows in the stack


def test_presubset_refuses_a_cache_others_can_write(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    (shared / "fonts").mkdir(parents=True)
    os.chmod(shared / "fonts", 0o777)
    assert fonts.presubset(choose_fonts().faces["body"], shared) is None


def test_harfbuzz_subsetting_is_available() -> None:
    assert fonts.harfbuzz() is not None  # libharfbuzz-subset0, installed by scripts/setup.sh


def test_render_says_once_when_the_body_is_not_fangsong(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from reportgen.cli import main

    result = CliRunner().invoke(main, ["render", str(SEED_EXAMPLE), str(SEED_EXAMPLE), "-o", str(tmp_path),
                                       "-f", "pdf", "--no-check"])
    assert result.exit_code == 0, result.output
    note = fonts.body_fallback_note(fonts.choose_fonts())
    if note is None:
        assert "仿宋" not in result.stderr
    else:
        assert result.stderr.count("未找到仿宋字体，PDF 正文改用") == 1 and "--font" in result.stderr
