from __future__ import annotations

import io
import logging
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import ROOT, SEED_EXAMPLE
from pypdf import PdfReader
from test_html import DATE, HOSTILE, TITLE, UNIT, sample_report

from reportgen.errors import RenderError
from reportgen.renderers import fonts
from reportgen.renderers import pdf as pdf_module
from reportgen.renderers.fetcher import RestrictedFetcher
from reportgen.renderers.pdf import PdfRenderer, render_pdf
from reportgen.report import Report

NO_LINE_START = "，。、；：？！）》」』”’％"  # Chinese line breaking never starts a line with these


@pytest.fixture(scope="module")
def font_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    # a fresh cache: the pre-subset fonts are built once here, as on a new machine
    directory = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("REPORTGEN_CACHE_DIR", str(directory))
        yield directory


@pytest.fixture(scope="module")
def renderer(font_cache: Path) -> PdfRenderer:
    return PdfRenderer()


@pytest.fixture(scope="module")
def seed_report() -> Report:
    from reportgen.loaders import load
    from reportgen.narrative import compose
    from reportgen.scoring import evaluate

    return compose(evaluate(load(SEED_EXAMPLE)))


@pytest.fixture(scope="module")
def seed_pdf(renderer: PdfRenderer, seed_report: Report) -> bytes:
    return renderer.render(seed_report)


@pytest.fixture
def trap() -> Iterator[tuple[str, list[str]]]:
    """A web server on the loopback address that records every request it gets."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"body { color: red }")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()


def pdftotext(pdf: bytes, *args: str) -> str:
    done = subprocess.run(["pdftotext", *args, "-", "-"], input=pdf, capture_output=True, check=True, timeout=60)
    return done.stdout.decode("utf-8")


def page_texts(pdf: bytes) -> list[str]:
    return pdftotext(pdf).split("\f")[:-1]


def footer(page_text: str) -> str | None:
    """The page number printed as “— n —” on a line of its own (pdftotext drops the spaces)."""
    found = re.findall(r"^—\s*(\d+)\s*—$", page_text, flags=re.M)
    assert len(found) <= 1, found
    return found[0] if found else None


def test_seed_report_text_is_extractable(seed_pdf: bytes, seed_report: Report) -> None:
    text = pdftotext(seed_pdf)
    flat = text.replace("\n", "")
    assert seed_report.title in flat
    assert "2,440.91" in text
    assert "98" in text
    assert "优" in text
    assert UNIT in flat and DATE in text


def test_seed_report_embeds_subset_cjk_fonts(seed_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(seed_pdf))
    embedded = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            files = [k for k in ("/FontFile", "/FontFile2", "/FontFile3") if k in descriptor]
            embedded[str(font["/BaseFont"])] = files
    assert embedded, "no fonts"
    assert all(files for files in embedded.values()), embedded
    # subset fonts carry a six-letter tag; the faces are our pre-subset CJK ones
    assert all(name[7] == "+" for name in embedded), embedded
    assert any("reportgen-body" in name for name in embedded)
    assert any("reportgen-hei" in name for name in embedded)
    assert len(seed_pdf) < 1_500_000


def test_embedded_font_files_decode(seed_pdf: bytes) -> None:
    # the font files are deflated by our finisher (level 1), not by pydyf: they must still read back
    reader = PdfReader(io.BytesIO(seed_pdf))
    files = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            stream = descriptor["/FontFile3"].get_object()
            files[str(font.get_object()["/BaseFont"])] = (stream["/Filter"], stream.get_data()[:4])
    assert files and all(value == ("/FlateDecode", b"OTTO") for value in files.values()), files


def test_only_font_files_are_deflated_fast() -> None:
    import zlib

    import pydyf

    otf, ttf = b"OTTO" + bytes(2000), b"\0\1\0\0" + bytes(2000)
    pdf = pydyf.PDF()
    streams = {
        "otf": pydyf.Stream([otf], pydyf.Dictionary({"Subtype": "/OpenType"}), compress=True),
        "ttf": pydyf.Stream([ttf], pydyf.Dictionary({"Length1": len(ttf)}), compress=True),
        "page": pydyf.Stream([b"BT", b"ET"], compress=True),
        "plain": pydyf.Stream([otf], pydyf.Dictionary({"Subtype": "/OpenType"}), compress=False),
    }
    for stream in streams.values():
        pdf.add_object(stream)
    pdf_module._deflate_fonts_fast(None, pdf)
    for name, data in (("otf", otf), ("ttf", ttf)):
        stream = streams[name]
        assert (stream.compress, stream.extra["Filter"]) == (False, "/FlateDecode")
        assert zlib.decompress(stream.stream[0]) == data
    assert (streams["page"].compress, streams["page"].stream) == (True, [b"BT", b"ET"])
    assert streams["plain"].stream == [otf] and "Filter" not in streams["plain"].extra
    assert b"/FlateDecode" in streams["otf"].data  # and pydyf writes it as it stands


def test_weasyprint_is_called_with_stack_room() -> None:
    assert pdf_module._with_stack_room(lambda: b"%PDF") == b"%PDF"
    with pytest.raises(ZeroDivisionError):
        pdf_module._with_stack_room(lambda: bytes(1 // 0))
    # a ~60 KB frame: Python opens a 128 KB stack chunk for it, leaving room for the whole layout
    assert pdf_module._stack_room_caller().__code__.co_nlocals * 8 > 56 * 1024


def test_seed_report_has_page_numbers_and_a_sane_length(seed_pdf: bytes) -> None:
    pages = page_texts(seed_pdf)
    assert 4 <= len(pages) <= 15
    assert [footer(text) for text in pages] == [str(n) for n in range(1, len(pages) + 1)]


def test_metadata_is_fixed_by_the_report(seed_pdf: bytes, seed_report: Report) -> None:
    info = PdfReader(io.BytesIO(seed_pdf)).metadata
    assert info is not None
    assert info.title == seed_report.title
    assert info.author == seed_report.unit
    assert info["/CreationDate"].startswith("D:20210630")  # the form's date, not the clock
    assert "/ModDate" not in info


def test_output_is_deterministic(renderer: PdfRenderer, seed_report: Report, seed_pdf: bytes) -> None:
    assert renderer.render(seed_report) == seed_pdf
    assert PdfRenderer().render(seed_report) == seed_pdf


def test_no_line_starts_with_closing_punctuation(seed_pdf: bytes) -> None:
    lines = [line.strip() for line in pdftotext(seed_pdf).splitlines() if line.strip()]
    offenders = [line for line in lines if line[0] in NO_LINE_START]
    assert offenders == []


def test_clean_render_leaves_no_warnings(renderer: PdfRenderer, seed_report: Report) -> None:
    renderer.render(seed_report, cover=True)
    assert renderer.last_warnings == ()
    assert renderer.fetcher.refused == []


def test_cover_page_has_no_number_and_body_starts_at_one(renderer: PdfRenderer) -> None:
    pages = page_texts(renderer.render(sample_report(), cover=True))
    cover = pages[0].replace("\n", "")
    assert TITLE in cover and UNIT in cover and DATE in cover
    assert footer(pages[0]) is None and "—" not in cover
    assert [footer(text) for text in pages[1:]] == [str(n) for n in range(1, len(pages))]


def test_long_table_repeats_its_header(renderer: PdfRenderer) -> None:
    pages = page_texts(renderer.render(sample_report()))
    with_table = [p for p in pages if "实际完成值" in p]
    assert len(with_table) >= 2  # the 27-row appendix spans pages, each with the header row


def test_hostile_data_is_printed_not_fetched(renderer: PdfRenderer, trap: tuple[str, list[str]]) -> None:
    base, hits = trap
    hostile = tuple(h.replace("http://127.0.0.1:9", base) for h in HOSTILE) + HOSTILE
    pdf = renderer.render(sample_report(hostile=hostile))
    text = pdftotext(pdf).replace("\n", "")
    assert hits == []
    assert renderer.fetcher.refused == []
    assert all(url.startswith("file://") and "/fonts/" in url for url in renderer.fetcher.served)
    assert "<script>alert('x')</script>" in text
    assert '<img src="file:///etc/passwd">' in text
    assert "root:x:0:0" not in text


def test_fetcher_refuses_what_slips_through(
    renderer: PdfRenderer, trap: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # second line of defence: even if raw HTML reached WeasyPrint, nothing is read or fetched
    base, hits = trap
    raw = (f'<link rel="stylesheet" href="{base}/x.css"><img src="file:///etc/passwd">'
           f'<div style="background: url({base}/bg.png)">x</div><img src="data:image/png;base64,iVBORw0KGgo=">')
    monkeypatch.setattr(pdf_module, "print_body", lambda report, **kw: f"<p>正文</p>{raw}")
    with pytest.raises(RenderError, match="已拒绝") as caught:
        renderer.render(sample_report())
    assert "file:///etc/passwd" in str(caught.value)
    assert hits == []


def test_restricted_fetcher_serves_only_its_allow_list(tmp_path: Path) -> None:
    allowed = tmp_path / "a.css"
    allowed.write_text("p { color: black }", encoding="utf-8")
    fetcher = RestrictedFetcher([allowed])
    assert fetcher(allowed.as_uri()).read() == b"p { color: black }"
    for url in ("file:///etc/passwd", (tmp_path / "b.css").as_uri(), "http://127.0.0.1:9/x",
                "https://example.org/", "data:text/css,p{}", f"file://otherhost{allowed}",
                allowed.as_uri().replace("a.css", "sub/../a.css/../../../etc/passwd")):
        with pytest.raises(ValueError):
            fetcher(url)
    assert len(fetcher.refused) == 7


def test_missing_glyph_is_reported_with_its_place(renderer: PdfRenderer) -> None:
    rare = "\U0002B820"  # CJK Extension E: no Noto CJK face draws it
    report = sample_report(extra=f"涉及{rare}村的项目点。")
    line = report.markdown.splitlines().index(next(x for x in report.markdown.splitlines() if rare in x)) + 1
    with pytest.raises(RenderError) as caught:
        renderer.render(report)
    message = str(caught.value)
    assert "U+2B820" in message and rare in message
    assert f"第{line}行" in message
    assert caught.value.where == f"sample.md:{line}"


def test_log_records_are_sorted_into_errors_and_warnings(renderer: PdfRenderer) -> None:
    logger = logging.getLogger("weasyprint")
    with renderer._captured() as records:
        logger.warning("Ignored `foo: bar` at 1:1, unknown property.")
    renderer._raise_for(records, [], where="x")
    assert renderer.last_warnings == ("Ignored `foo: bar` at 1:1, unknown property.",)
    with renderer._captured() as records:
        logger.warning('.notdef glyph rendered for Unicode string unsupported by fonts: "x" (U+0078)')
    with pytest.raises(RenderError, match="notdef"):
        renderer._raise_for(records, [], where="x")


def test_user_font_is_used_for_body_text(renderer: PdfRenderer, font_cache: Path) -> None:
    body_face = renderer.fontset.faces["body"]
    own = fonts.presubset(body_face)
    assert own is not None and own.is_relative_to(font_cache)
    with_font = PdfRenderer(font=own)
    assert with_font.fontset.faces["body"].path == own.resolve()
    pdf = with_font.render(sample_report())
    assert own.as_uri() in with_font.fetcher.served
    assert "2,440.91" in pdftotext(pdf)


def test_bad_user_font_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "仿宋.ttf"
    fake.write_text("not a font", encoding="utf-8")
    with pytest.raises(RenderError, match="无法读取字体文件") as caught:
        PdfRenderer(font=fake)
    assert caught.value.where == str(fake)
    with pytest.raises(RenderError, match="找不到"):
        PdfRenderer(font=tmp_path / "missing.ttf")


def test_render_pdf_reuses_one_renderer(font_cache: Path, seed_report: Report, seed_pdf: bytes) -> None:
    assert render_pdf(seed_report) == seed_pdf
    assert pdf_module._renderer(None) is pdf_module._renderer(None)


def test_missing_cjk_font_names_the_package(tmp_path: Path) -> None:
    config = tmp_path / "empty.conf"
    config.write_text('<?xml version="1.0"?>\n<fontconfig></fontconfig>\n', encoding="utf-8")
    code = (
        "from reportgen.renderers.pdf import render_pdf\n"
        "from reportgen.report import Report\n"
        "from reportgen.errors import RenderError\n"
        "try:\n"
        "    render_pdf(Report(name='x', title='标题', markdown='# 标题\\n'))\n"
        "except RenderError as exc:\n"
        "    print(exc)\n"
        "    raise SystemExit(3)\n"
    )
    env = {**os.environ, "FONTCONFIG_FILE": str(config), "REPORTGEN_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 3, done.stderr
    assert "fonts-noto-cjk" in done.stdout
    assert "Traceback" not in done.stderr
