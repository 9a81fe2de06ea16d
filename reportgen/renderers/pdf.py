"""Render a report as a PDF in official-document style with WeasyPrint.

A ``PdfRenderer`` is long-lived: it chooses and checks the fonts, pre-subsets them, builds one
FontConfiguration and compiles the stylesheet once, then renders report after report (a batch
keeps one per worker process). Each render first checks that the chosen fonts can draw every
character, then lays out the HTML with a fetcher that refuses every URL, captures WeasyPrint's
log, and turns what matters (a refused fetch, a missing glyph, a font that would not load) into a
RenderError instead of letting it scroll by. Other WeasyPrint warnings are kept in
``last_warnings``. Not thread-safe: use one renderer per thread or process.
"""

from __future__ import annotations

import gc
import logging
import re
import warnings
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reportgen.errors import RenderError
from reportgen.renderers import fonts, justify
from reportgen.renderers.html import final_check, html_document, parse_markdown, print_body, printed_text, report_css
from reportgen.renderers.layout import Attachment
from reportgen.renderers.timebound import RENDER_TIMEOUT_S, time_bound
from reportgen.report import Report

if TYPE_CHECKING:
    from markdown_it.token import Token

    from reportgen.renderers.fetcher import RestrictedFetcher

_ALIAS = {role: f"reportgen-{role}" for role in fonts.ROLES}
_ROLE_WEIGHT = {"body": "normal", "bold": "bold", "hei": "bold", "kai": "normal"}
_MAX_LISTED = 12
# WeasyPrint log messages that mean the PDF is wrong (boxes, missing fonts, a resource it tried to
# load), as opposed to ones that only cost speed or size (e.g. subsetting with fontTools)
_FATAL = re.compile(r"glyph|font-face|cannot be loaded|failed to load|fetch|\buri\b|\burl\b|refused", re.I)


def _quote(family: str) -> str:
    return '"' + family.replace("\\", "").replace('"', "") + '"'


class PdfRenderer:
    """Render reports to PDF bytes, reusing fonts and compiled CSS across documents."""

    def __init__(self, *, font: Path | None = None, presubset: bool = True) -> None:
        """Choose and check fonts (``font``: the user's body font file) and compile the stylesheet.

        ``presubset=False`` uses the full system font files (slower; for comparison and diagnosis).
        """
        self.fontset = fonts.choose_fonts(font)
        self.covered = fonts.coverage(self.fontset)
        self.last_warnings: tuple[str, ...] = ()
        try:
            with warnings.catch_warnings():
                # WeasyPrint warns at import when fontconfig lists no font at all; choose_fonts has
                # already refused that case unless --font supplies the face, which then suffices
                warnings.simplefilter("ignore")
                import weasyprint
                from weasyprint.text.fonts import FontConfiguration
        except (ImportError, OSError) as exc:  # OSError: Pango/HarfBuzz libraries missing
            raise RenderError(f"无法加载 PDF 排版库 WeasyPrint：{exc}",
                              hint="请按 README 安装依赖（scripts/setup.sh），或运行 reportgen doctor 查看缺少什么",
                              ) from exc
        from reportgen.renderers.fetcher import RestrictedFetcher

        self._weasyprint = weasyprint
        self.fetcher: RestrictedFetcher = RestrictedFetcher()
        font_css = self._font_css(presubset)
        self._font_config = FontConfiguration()
        with self._captured() as records:
            self._stylesheet = weasyprint.CSS(string=report_css() + font_css, font_config=self._font_config,
                                              url_fetcher=self.fetcher)
        self._raise_for(records, self._take_refused(), where="templates/css/report.css")
        self.justified = justify.install()  # inter-character justification of Chinese lines

    def _font_css(self, presubset: bool) -> str:
        """@font-face rules for each role and the --rg-* variables that name them first.

        A role's stack is its alias (a pre-subset copy, or the --font file loaded as a web font),
        then a full system face by family name, which draws characters outside the subset.
        """
        faces = self.fontset.faces
        user = self.fontset.user_font.resolve() if self.fontset.user_font is not None else None
        rules, variables = [], []
        for role in fonts.ROLES:
            face = faces.get(role)
            if face is None:
                continue
            is_user = face.path == user
            # the user's file is unknown to fontconfig, so it is always loaded through @font-face
            source = face.path if is_user else (fonts.presubset(face) if presubset else None)
            stack = []
            if source is not None:
                self.fetcher.allow(source)
                rules.append(
                    f'@font-face {{ font-family: "{_ALIAS[role]}"; src: url("{source.as_uri()}"); '
                    f"font-weight: {_ROLE_WEIGHT[role]}; font-style: normal; }}"
                )
                stack.append(_ALIAS[role])
            stack.append(faces["bold"].family if is_user else face.family)
            variables.append(f"  --rg-{role}: {', '.join(_quote(name) for name in dict.fromkeys(stack))};")
        if "kai" in faces:
            variables.append("  --rg-kai-weight: normal;")
        else:
            variables.append("  --rg-kai: var(--rg-bold);\n  --rg-kai-weight: bold;")
        return "\n" + "\n".join(rules) + "\n:root {\n" + "\n".join(variables) + "\n}\n"

    @property
    def body_note(self) -> str | None:
        """Said when the body is not set in a 仿宋 face (None when it is), e.g. for the CLI to print once."""
        return fonts.body_fallback_note(self.fontset)

    def render(self, report: Report, *, cover: bool = False, final: bool = False,
               attachments: Sequence[Attachment] = (), timeout: float | None = RENDER_TIMEOUT_S) -> bytes:
        """Lay out ``report`` and return the PDF; RenderError names what went wrong and where.

        ``final``: refuse while 【待补充】 gaps remain and highlight nothing. ``attachments``: added
        after the report's own (``layout.form_attachment`` for ``--attach form``). ``timeout``: seconds
        this document may take (None: unbounded); past it the render stops with a RenderError.
        """
        if final:
            final_check(report)
        with time_bound(timeout, "PDF", report.name):
            return self._render(report, cover=cover, final=final, attachments=attachments)

    def _render(self, report: Report, *, cover: bool, final: bool, attachments: Sequence[Attachment]) -> bytes:
        tokens = parse_markdown(report)  # parsed once for the glyph check and the body
        self._check_glyphs(report, cover=cover, tokens=tokens, attachments=attachments)
        body = print_body(report, cover=cover, tokens=tokens, final=final, attachments=attachments)
        document = html_document(report, body, css=None)
        self._take_refused()
        # WeasyPrint allocates a few hundred thousand short-lived objects per document; in a process
        # that also holds jieba's dictionary each automatic full collection walks all of it. Pausing
        # the collector for the render measured ~10 % faster; the garbage goes at the next collection.
        collecting = gc.isenabled()
        gc.disable()
        try:
            with self._captured() as records:
                html = self._weasyprint.HTML(string=document, url_fetcher=self.fetcher, media_type="print")
                laid_out = html.render(font_config=self._font_config, stylesheets=[self._stylesheet])
                show_group_labels(laid_out)
                pdf = laid_out.write_pdf(finisher=_deflate_fonts_fast)
                # drop the document while the collector is still paused: most of it is then freed by
                # reference counting, and the first collection after the pause no longer walks (and
                # promotes to an older generation) every box and style of a document still alive
                del html, laid_out
        except Exception as exc:  # WeasyPrint raises many kinds; none may reach the CLI raw
            raise RenderError(f"PDF 排版失败：{type(exc).__name__}: {exc}", where=report.name,
                              hint="请用 --debug 重试并报告此问题") from exc
        finally:
            if collecting:
                gc.enable()
        self._raise_for(records, self._take_refused(), where=report.name)
        assert isinstance(pdf, bytes)
        return pdf

    # --- checks -------------------------------------------------------------------------------

    def _check_glyphs(self, report: Report, *, cover: bool, tokens: list[Token] | None = None,
                      attachments: Sequence[Attachment] = ()) -> None:
        runs = printed_text(report, cover=cover, tokens=tokens, attachments=attachments)
        missing = fonts.missing_chars(runs, self.covered)
        if not missing:
            return
        by_char: dict[str, list[fonts.MissingChar]] = {}
        for m in missing:
            by_char.setdefault(m.char, []).append(m)
        listed = []
        for char, places in list(by_char.items())[:_MAX_LISTED]:
            first = places[0]
            where = "、".join(f"第{m.line}行第{m.column}字" for m in places[:3])
            more = f"等{len(places)}处" if len(places) > 3 else ""
            listed.append(f"“{char}”（U+{ord(char):04X}）见{where}{more}（{first.context}）")
        if len(by_char) > _MAX_LISTED:
            listed.append(f"另有{len(by_char) - _MAX_LISTED}个字符")
        faces = "、".join(sorted({f.family for f in self.fontset.faces.values()}))
        raise RenderError(
            f"以下字符所选字体（{faces}）无法显示，PDF 中会成为方框：{'；'.join(listed)}",
            where=f"{report.name}.md:{missing[0].line}",
            hint="请改用通行字或加注说明，或用 --font 指定包含这些字的字体文件",
        )

    def _take_refused(self) -> list[str]:
        refused = list(self.fetcher.refused)
        self.fetcher.refused.clear()
        return refused

    def _raise_for(self, records: list[logging.LogRecord], refused: list[str], *, where: str) -> None:
        """Raise RenderError for refused URLs and fatal log records; keep the rest as ``last_warnings``."""
        fatal = [r.getMessage() for r in records if _FATAL.search(r.getMessage())]
        self.last_warnings = tuple(r.getMessage() for r in records if not _FATAL.search(r.getMessage()))
        if refused:
            urls = "、".join(dict.fromkeys(u[:120] for u in refused))
            raise RenderError(f"渲染时试图读取外部资源，已拒绝：{urls}", where=where,
                              hint="报告中不应出现图片、链接或样式引用；请检查模板与数据中的 HTML 或 URL")
        if fatal:
            raise RenderError("PDF 排版出现问题：" + "；".join(dict.fromkeys(fatal)), where=where,
                              hint="请运行 reportgen doctor 检查字体环境")

    @contextmanager
    def _captured(self) -> Iterator[list[logging.LogRecord]]:
        """Collect WeasyPrint's warnings and errors for the duration of the block."""
        logger = logging.getLogger("weasyprint")
        records: list[logging.LogRecord] = []
        handler = _ListHandler(records)
        old_level, old_propagate = logger.level, logger.propagate
        logger.addHandler(handler)
        logger.setLevel(logging.WARNING)
        logger.propagate = False  # captured, so not printed a second time by the root logger
        try:
            yield records
        finally:
            logger.removeHandler(handler)
            logger.setLevel(old_level)
            logger.propagate = old_propagate


def show_group_labels(document: Any) -> None:
    """Finish merged category cells where a table breaks across pages, after layout.

    A grouped table draws its category cells merged: the rows under a label carry the label laid
    out but hidden (``td.merge-cont`` in report.css), without the rules between them. Where the table
    continues on a new page, the first row's hidden labels are made visible, so every page says which
    一级/二级指标 its rows belong to, and the last row on the page before gets its bottom rule back,
    so the merged cells close at the foot of the page. Only styles and rules change: nothing moves.
    """
    from weasyprint.formatting_structure import boxes

    for page in document.pages:
        for table in _descendants(page._page_box, boxes.TableBox):
            groups = [g for g in table.children if isinstance(g, boxes.TableRowGroupBox)]
            body = [g for g in groups if not g.is_header and not g.is_footer]
            first = next((g.children[0] for g in body if g.children), None)
            if first is not None:
                for cell in first.children:
                    if cell.style["visibility"] == "hidden":
                        _make_visible(cell)
            if table.style["border_collapse"] == "collapse" and getattr(table, "collapsed_border_grid", None):
                _close_split(table, groups)


def _close_split(table: Any, groups: list[Any]) -> None:
    """Draw the rule under the last row of a table fragment that continues on the next page."""
    header_rows = len(groups[0].children) if groups and groups[0].is_header else 0
    if groups and groups[-1].is_footer:
        return  # WeasyPrint repeats the footer there: it closes the fragment itself
    rows = sum(len(g.children) for g in groups)
    bottom = rows + (table.skipped_rows or 0) - (header_rows if table.skipped_rows else 0)
    horizontal = table.collapsed_border_grid[1]
    if not 0 < bottom < len(horizontal) - 1:
        return  # the table ends on this page (or this is not a split): its own bottom rule is drawn
    line = horizontal[bottom]
    drawn = next((entry for entry in line if entry[1][1] > 0), None) or horizontal[-1][0]
    for x, entry in enumerate(line):
        if entry[1][1] == 0:
            line[x] = drawn


def _descendants(box: Any, kind: type) -> Iterator[Any]:
    for child in getattr(box, "children", ()):
        if isinstance(child, kind):
            yield child
        else:
            yield from _descendants(child, kind)


def _make_visible(box: Any) -> None:
    style = box.style.copy()  # styles are shared between boxes: change this box's own copy
    style["visibility"] = "visible"
    box.style = style
    for child in getattr(box, "children", ()):
        _make_visible(child)


def _deflate_fonts_fast(document: object, pdf: object) -> None:
    """Compress the embedded font files at zlib level 1 instead of pydyf's level 9.

    A WeasyPrint finisher: it runs after the fonts are subset and before the file is written. CFF
    outlines barely shrink further at level 9 (~2 % of the font bytes) but take 2.5 times as long, a
    tenth of a second per ten documents. Page content and the other streams keep level 9. A stream
    that does not look like pydyf's font file (one bytes chunk, still to be compressed) is left alone.
    """
    import pydyf

    for obj in getattr(pdf, "objects", ()):
        if not isinstance(obj, pydyf.Stream) or obj.compress is not True:
            continue
        extra = obj.extra
        is_font_file = extra.get("Subtype") == "/OpenType" or "Length1" in extra
        if is_font_file and len(obj.stream) == 1 and isinstance(obj.stream[0], bytes):
            obj.stream = [zlib.compress(obj.stream[0], 1)]
            obj.compress = False
            extra["Filter"] = "/FlateDecode"


class _ListHandler(logging.Handler):
    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__(level=logging.WARNING)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@cache
def _renderer(font: Path | None) -> PdfRenderer:
    return PdfRenderer(font=font)


def prepare_renderer(font: Path | None = None) -> PdfRenderer:
    """The renderer ``render_pdf`` will use, built now (see ``Engine.prepare_renderers``)."""
    return _renderer(font.resolve() if font is not None else None)


def render_pdf(report: Report, *, cover: bool = False, font: Path | None = None, final: bool = False,
               attachments: Sequence[Attachment] = (), timeout: float | None = RENDER_TIMEOUT_S) -> bytes:
    """Render ``report`` as PDF bytes with a renderer cached per process (and per ``font``)."""
    return _renderer(font.resolve() if font is not None else None).render(
        report, cover=cover, final=final, attachments=attachments, timeout=timeout)


def body_font_note(font: Path | None = None) -> str | None:
    """What the CLI says once when the PDF body is not set in a 仿宋 face (None when it is)."""
    return _renderer(font.resolve() if font is not None else None).body_note
