"""``reportgen doctor``: check that this machine can produce PDFs, and say what to install."""

from __future__ import annotations

import os
import tempfile
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import click

from reportgen.cli.base import Command

if TYPE_CHECKING:
    from reportgen.renderers.fonts import FontSet

OK, WARN, FAIL, INFO = "✓", "!", "✗", "·"


@dataclass(frozen=True)
class Check:
    """One line of the doctor's report."""

    mark: str  # OK, WARN (works, but slower or plainer), FAIL (required and missing), INFO
    what: str
    detail: str = ""
    hint: str = ""

    @property
    def required_missing(self) -> bool:
        return self.mark == FAIL


def run_checks() -> list[Check]:
    """Check fonts, HarfBuzz subsetting, WeasyPrint and the cache directory."""
    from reportgen.errors import ReportgenError
    from reportgen.renderers import fonts

    checks: list[Check] = []
    try:
        fontset = fonts.choose_fonts()
    except ReportgenError as exc:
        checks.append(Check(FAIL, "中文字体（fontconfig）", exc.message, exc.hint or ""))
        fontset = None
    if fontset is not None:
        names = {"body": "正文", "bold": "标题/粗体", "hei": "一级标题（黑体）", "kai": "二级标题（楷体）"}
        checks.append(Check(OK, "中文字体（fontconfig）", f"共 {len(fonts.cjk_faces())} 个中文字面"))
        for role, label in names.items():
            face = fontset.faces.get(role)
            if face is not None:
                checks.append(Check(INFO, f"  {label}", face.describe()))
        for note in fontset.notes:
            checks.append(Check(INFO, "  可选字体", note, "单位自有的仿宋/宋体字体文件可用 --font 指定"))
        checks.extend(official_font_checks(fontset))

    if fonts.harfbuzz() is None:
        checks.append(Check(FAIL, "HarfBuzz 字体子集化（libharfbuzz-subset0）", "未安装",
                            "sudo apt-get install libharfbuzz-subset0；缺少它每份 PDF 慢 30 倍以上"))
    else:
        checks.append(Check(OK, "HarfBuzz 字体子集化（libharfbuzz-subset0）"))

    try:
        with warnings.catch_warnings():
            # WeasyPrint warns at import when fontconfig has no fonts: the font check above says it better
            warnings.simplefilter("ignore")
            import weasyprint
            from weasyprint.text.ffi import harfbuzz_subset
    except (ImportError, OSError) as exc:
        checks.append(Check(FAIL, "PDF 排版库 WeasyPrint", str(exc), "请运行 scripts/setup.sh 安装 Pango 等依赖"))
    else:
        if harfbuzz_subset is None:
            checks.append(Check(FAIL, f"PDF 排版库 WeasyPrint {weasyprint.__version__}", "找不到 HarfBuzz 子集化库",
                                "sudo apt-get install libharfbuzz-subset0"))
        else:
            checks.append(Check(OK, f"PDF 排版库 WeasyPrint {weasyprint.__version__}"))

    directory = fonts.cache_dir()
    usable = fonts.private_dir(directory)
    if usable is not None and _writable(usable):
        checks.append(Check(OK, "缓存目录（分词词典、字体子集）", str(directory)))
    else:
        checks.append(Check(WARN, "缓存目录（分词词典、字体子集）", f"{directory} 不可写或不安全",
                            "程序仍可运行，但每次启动更慢；可用环境变量 REPORTGEN_CACHE_DIR 指定其他目录"))
    return checks


_ADD_FONTS = ("PDF 正文可用 --font 指定单位自有的仿宋字体文件；或把单位的字体文件（.ttf/.otf）复制到 "
              "~/.local/share/fonts/ 后运行 fc-cache -f，PDF 与 LibreOffice/WPS 即按公文字体排版")


def official_font_checks(fontset: FontSet) -> list[Check]:
    """Which of the GB/T 9704 faces are installed, what PDF and Word/WPS use instead, how to add them."""
    from reportgen.renderers import fonts
    from reportgen.renderers.docx import FONT_ALT_NAMES

    used = {"标题": "bold", "一级标题（一、）": "hei", "二级标题（（一））": "kai", "正文": "body"}
    faces = fontset.faces
    checks = [Check(INFO, "公文字体（GB/T 9704）")]
    missing = 0
    for official in fonts.official_faces():
        if official.found is not None:
            checks.append(Check(OK, f"  {official.name}（{official.use}）", official.found.describe()))
            continue
        missing += 1
        face = faces.get(used[official.use]) or faces.get("bold")
        pdf = face.family + ("（加粗）" if used[official.use] == "kai" and "kai" not in faces else "") if face else "—"
        alt = FONT_ALT_NAMES.get(official.name)
        desktop = fonts.desktop_substitute(official.name) or "默认中文字体"
        word = (f"Word 按文档字体表改用“{alt}”（若已安装），" if alt else "Word ") + f"LibreOffice/WPS 在本机显示为 {desktop}"
        checks.append(Check(WARN, f"  {official.name}（{official.use}）", f"未安装；PDF 改用 {pdf}；{word}"))
    note = fonts.body_fallback_note(fontset) if isinstance(fontset, fonts.FontSet) else None
    if note:
        checks.append(Check(WARN, "  PDF 正文字体", note))
    if missing or note:
        checks.append(Check(WARN, "  添加公文字体", f"缺少 {missing} 种；各级标题均加粗，字体被替换时层次仍可分辨",
                            _ADD_FONTS))
    return checks


def _writable(directory: os.PathLike[str]) -> bool:
    try:
        with tempfile.TemporaryFile(dir=directory):
            return True
    except OSError:
        return False


@click.command(cls=Command, context_settings={"help_option_names": ["-h", "--help"]})
def doctor() -> None:
    """检查运行环境：中文字体与公文字体、HarfBuzz 子集化、WeasyPrint、缓存目录。

    Check the environment PDF output needs: CJK fonts (and which 仿宋/宋体/
    楷体/黑体 faces were found), the official faces (方正小标宋简体, 黑体,
    楷体_GB2312, 仿宋_GB2312) with what PDF and Word/WPS use in their place
    and how to add them, HarfBuzz subsetting, WeasyPrint and a writable
    cache directory. Exit 0 when reports can be produced, 1 when
    something required is missing.
    """
    checks = run_checks()
    for check in checks:
        line = f"{check.mark} {check.what}"
        if check.detail:
            line += f"：{check.detail}"
        click.echo(line)
        if check.hint and check.mark in (FAIL, WARN):
            click.echo(f"    → {check.hint}")
    missing = [c for c in checks if c.required_missing]
    if missing:
        click.echo(f"缺少 {len(missing)} 项必需组件，请按上面的提示安装后重试。", err=True)
        raise SystemExit(1)
    click.echo("环境可用。")
