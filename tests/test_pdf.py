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
    from reportgen.evaluation.scoring import evaluate
    from reportgen.loaders import load
    from reportgen.narrative import compose

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


def _grouped_report(rows: int = 70) -> Report:
    """One 产出指标/数量指标 group long enough to run over several pages."""
    lines = [f"| {'产出指标' if i == 0 else ''} | {'数量指标' if i == 0 else ''} | 第{i + 1}项指标 | 1 | ≥2,000户 | 2,100户 | 1 |"
             for i in range(rows)]
    markdown = (f"# {TITLE}\n\n## 一、基本情况\n\n正文。\n\n## 附表：绩效指标完成情况表\n\n"
                "| 一级指标 | 二级指标 | 三级指标 | 分值 | 年度目标值 | 实际完成值 | 得分 |\n"
                "| --- | --- | --- | ---: | --- | --- | ---: |\n" + "\n".join(lines) + f"\n\n{UNIT}\n\n{DATE}\n")
    return Report(name="grouped", title=TITLE, markdown=markdown, unit=UNIT, date=DATE, signature=(UNIT, DATE))


def test_signature_closes_the_body_and_the_attachment_follows_on_its_own_page(seed_pdf: bytes) -> None:
    pages = page_texts(seed_pdf)
    flat = [p.replace("\n", "") for p in pages]
    signed = next(i for i, p in enumerate(flat) if UNIT in p and DATE in p)
    # reading order on the signing page: the body, “附件：绩效指标完成情况表”, the unit, the date
    page = flat[signed]
    assert page.index("附件：绩效指标完成情况表") < page.index(UNIT) < page.index(DATE)
    assert "实际完成值" not in page  # the table is not on the signing page
    label = flat[signed + 1]
    assert re.match(r"附件\s*绩效指标完成情况表", pages[signed + 1].strip().replace("\n", "")), label[:40]
    assert label.index("绩效指标完成情况表") < label.index("一级指标") < label.index("实际完成值")
    assert all(UNIT not in p for p in flat[signed + 1:])  # nothing signs after the attachment


def test_merged_category_label_repeats_on_continuation_pages(renderer: PdfRenderer) -> None:
    pages = page_texts(renderer.render(_grouped_report()))
    with_table = [p for p in pages if "实际完成值" in p]
    assert len(with_table) >= 3
    # the label is printed once per page: in the group's first row, then on each page it continues on
    assert [p.count("产出指标") for p in with_table] == [1] * len(with_table)
    assert [p.count("数量指标") for p in with_table] == [1] * len(with_table)


def test_value_tokens_and_headers_do_not_break(seed_pdf: bytes) -> None:
    lines = [line.strip() for line in pdftotext(seed_pdf).splitlines()]
    # a line never starts with the unit of a number cut from it (“≥2,000⏎户”), nor ends a header early
    assert not [x for x in lines if re.fullmatch(r"(户|次|人|万元|元|个|场)(/\S+)?", x)]
    # each header whole on one line (pdftotext joins the narrow 一级/二级 headers into one line)
    for header in ("一级指标", "二级指标", "三级指标", "年度目标值", "实际完成值"):
        assert any(header in x for x in lines), header
    assert any("财预〔2020〕10号" in x for x in lines)  # a document number stays on one line


def test_a_compound_unit_token_stays_whole_in_the_indicator_table(renderer: PdfRenderer) -> None:
    # the 义务教育 example's 成本指标 print “1,000元/生·年”: it broke before 年 in the 年度目标值 column
    from reportgen.evaluation.scoring import evaluate
    from reportgen.loaders import load
    from reportgen.narrative import compose

    report = compose(evaluate(load(ROOT / "examples" / "义务教育学生资助-2022.yaml")))
    assert "| 1,000元/生·年 |" in report.markdown.replace("\\", "")
    lines = [line.strip() for line in pdftotext(renderer.render(report)).splitlines()]
    table = lines[max(i for i, x in enumerate(lines) if x == "附件"):]
    cut = [x for x in lines if re.search(r"元/生·?$", x) or re.match(r"·?年$", x)]
    assert not cut, cut
    assert sum("1,000元/生·年" in x for x in table) == 2 and sum("1,250元/生·年" in x for x in table) == 2


def _words(pdf: bytes) -> list[tuple[int, float, float, str]]:
    """Every printed word as (page, top, left, text), in page order top to bottom.

    Words, not pdftotext's lines: it joins the lines of neighbouring table cells into one line.
    """
    words = []
    for page, xml in enumerate(pdftotext(pdf, "-bbox").split("</page>")):
        words += [(page, float(y), float(x), text) for x, y, text in
                  re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>', xml)]
    return sorted(words)


def _column_lines(words: list[tuple[int, float, float, str]], first_cell: str) -> list[str]:
    """The printed lines of the table column whose first body cell starts with ``first_cell``, in order."""
    left = next(x for _, _, x, text in words if text.startswith(first_cell))
    return [text for _, _, x, text in words if abs(x - left) < 1.0]


def test_indicator_names_get_the_room_and_values_just_their_width(renderer: PdfRenderer) -> None:
    # 三级指标 was 7 characters wide (the merged 二级指标 labels held 6): 17-character names took three lines
    from reportgen.evaluation.scoring import evaluate
    from reportgen.loaders import load
    from reportgen.narrative import compose

    report = compose(evaluate(load(ROOT / "examples" / "义务教育学生资助-2022.yaml")))
    rows = [line.split("|")[1:-1] for line in report.markdown.splitlines() if line.startswith("| ")]
    names = [row[2].strip() for row in rows[2:] if row[2].strip()]  # after the header and its rule; not 合计
    assert len(names) == 13
    pdf = renderer.render(report)
    words = _words(pdf)
    printed = _column_lines(words, "预算执行率")
    assert "".join(printed) == "".join(names)  # exactly the 三级指标 column, every name whole
    taken = []
    for name in names:
        text, count = "", 0
        while text != name:
            text, count = text + printed[len(taken) + count], count + 1
        taken.extend([name] * count)
        assert count <= 2, name
    for token in ("≥9,700人", "1,000元/生·年", "1,250元/生·年", "97.21%", "年度目标值", "实际完成值"):
        assert any(token == text for _, _, _, text in words), token
    # no cell ends on a line of one character (社会效益指⏎标, 受助学生及家长满意⏎度)
    first = next(page for page, _, _, text in words if text == "一级指标")
    lone = [text for page, _, _, text in words if page >= first and re.fullmatch(r"[\u4e00-\u9fff]", text)]
    assert lone == []


def test_preview_takes_the_attachment_label_page_not_the_note_above_the_signature() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("preview", ROOT / "scripts" / "preview.py")
    assert spec is not None and spec.loader is not None
    preview = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(preview)
    # the 义务教育 example: the note and the 落款 open the last body page, the attachment the next
    texts = ["封面", "一、基本情况", "附件：绩效指标完成情况表\n青石县学生资助管理中心\n2023年3月10日",
             "附件\n绩效指标完成情况表\n一级指标 二级指标", "续表"]
    assert preview.pick_pages(texts) == {"cover": 1, "body": 2, "attach-first": 4, "attach-last": 5}
    assert preview.pick_pages(["封面", "正文", "附件2\n项目支出绩效自评表"])["attach-first"] == 3


def test_cover_has_the_fields_a_bureau_expects(renderer: PdfRenderer, seed_report: Report) -> None:
    cover = page_texts(renderer.render(seed_report, cover=True))[0].replace("\n", "")
    for label in ("项目名称：社会保障专项", "主管部门：花山街道办事处", "实施单位：花山街社区办、民政办",
                  "评价年度：2020年度", "报告日期：2021年6月30日"):
        assert label in cover.replace(" ", ""), label
    assert cover.index(UNIT) < cover.index("（盖章）")


def test_chinese_lines_are_justified_to_the_margin(seed_pdf: bytes) -> None:
    # every line of a body paragraph but its last ends at the right margin (inter-character justification)
    xml = pdftotext(seed_pdf, "-bbox-layout", "-f", "2", "-l", "3")
    lines = [tuple(float(v) for v in m) for m in
             re.findall(r'<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)"', xml)]
    left = min(x for x, _, _ in lines)
    # a line followed, one line pitch lower, by a line at the left margin is not its paragraph's last
    inner = [end for (x, y, end), (nx, ny, _) in zip(lines, lines[1:], strict=False)
             if nx < left + 1 and 27 < ny - y < 31]
    assert len(inner) >= 10
    margin = max(inner)
    # the one exception: a line ending before the kept-together （财预〔2020〕10号） would need gaps over a
    # quarter em, so it stays ragged rather than spaced out (依 据 《 项 目 … 》)
    ragged = [end for end in inner if margin - end >= 1.5]
    assert len(ragged) <= 1, sorted(inner)


def _drawn_lines(renderer: PdfRenderer, report: Report) -> list[tuple[float, list[tuple[str, float, float]]]]:
    """Each laid-out line of the first page: its right end, and (character, ink left, natural advance).

    Read from the Pango layout each text box is drawn with (``draw_text`` rebuilds it the same way),
    so the gaps are the ones printed: letter spacing goes into the glyphs' advances and offsets.
    """
    from weasyprint.formatting_structure import boxes
    from weasyprint.text.ffi import FROM_UNITS, ffi
    from weasyprint.text.line_break import Layout

    from reportgen.renderers.html import html_document, print_body

    def glyphs(layout: Layout) -> list[tuple[float, float]]:
        first, _ = layout.get_first_line()
        found, runs = [], first.runs
        while runs != ffi.NULL:
            run = ffi.cast("PangoGlyphItem *", runs.data).glyphs
            found += [(run.glyphs[i].geometry.width * FROM_UNITS, run.glyphs[i].geometry.x_offset * FROM_UNITS)
                      for i in range(run.num_glyphs)]
            runs = runs.next
        return found

    def walk(box: object, kind: type, out: list[object]) -> list[object]:
        if isinstance(box, kind):
            out.append(box)
        else:
            for child in getattr(box, "children", ()):
                walk(child, kind, out)
        return out

    document = html_document(report, print_body(report), css=None)
    laid = renderer._weasyprint.HTML(string=document, media_type="print").render(
        font_config=renderer._font_config, stylesheets=[renderer._stylesheet])
    lines = []
    for line in walk(laid.pages[0]._page_box, boxes.LineBox, []):
        chars = []
        for box in walk(line, boxes.TextBox, []):
            box.pango_layout.reactivate(box.style)
            drawn, text = glyphs(box.pango_layout), box.pango_layout.text
            box.pango_layout.deactivate()
            plain = box.style.copy()
            plain["letter_spacing"] = "normal"
            x = box.position_x
            for ch, (advance, offset) in zip(text, drawn, strict=True):
                if ch != "\u2060":
                    natural = Layout(plain, 0)
                    natural.set_text(ch)
                    chars.append((ch, x + offset, glyphs(natural)[0][0]))
                x += advance
        lines.append((max(b.position_x + b.width for b in walk(line, boxes.TextBox, [])), chars))
    return lines


def test_justification_never_spaces_out_a_number(renderer: PdfRenderer) -> None:
    # 2,440.91万元 printed as “2 , 4 4 0 . 9 1 万 元” on a justified line: only gaps beside a Chinese
    # character widen, each by the same amount, and the line still ends at the margin
    paragraph = "项目全年预算数为2,440.91万元，全年执行数为2,440.91万元，预算执行率为100%，ABC系统运行正常。" * 3
    lines = _drawn_lines(renderer, Report(name="x", title="标题", markdown=f"# 标题\n\n{paragraph}\n"))[1:-2]
    margin = max(end for end, _ in lines)
    assert len(lines) >= 4
    numbers = 0
    for end, chars in lines:
        assert end == pytest.approx(margin, abs=0.1)
        gaps = [(a, b, right[1] - left[1] - left[2]) for left, right in zip(chars, chars[1:], strict=False)
                for a, b in [(left[0], right[0])]]
        inside = [g for a, b, g in gaps if re.fullmatch(r"[\d,.%A-Z]{2}", a + b)]
        beside = [g for a, b, g in gaps if not re.fullmatch(r"[\d,.%A-Z]{2}", a + b)]
        numbers += len(inside)
        assert inside == pytest.approx([0.0] * len(inside), abs=0.01)
        assert max(beside) - min(beside) < 0.05 and min(beside) > 0.1  # the same widening everywhere else
    assert numbers >= 20


def test_justification_plan_marks_only_gaps_beside_chinese() -> None:
    from reportgen.renderers.justify import _plan

    plans, weight = _plan(["为2,440.91\u2060万\u2060元，", "ABC系统"])
    first, second = plans
    # a joiner beside the number carries half of each gap there; the one between 万 and 元 goes
    assert first.text == "为\u20602,440.91\u2060万元，"
    assert first.sigma == [1, 0.5, 0, 0, 0, 0, 0, 0, 0, 0, 0.5, 1, 1, 1]
    assert (first.inner, first.after) == (4.0, 1.0)  # 为2, 1万, 万元, 元， inside; ，A up to the next box
    assert second.text == "ABC\u2060系统" and second.sigma == [0, 0, 0, 0.5, 1, 1] and second.inner == 2.0
    # widening gaps: 为|2, 1|万, 万|元, 元|，, ，|A (across the boxes), C|系, 系|统
    assert weight == 7


def test_endless_tokens_are_broken_and_rendered(renderer: PdfRenderer) -> None:
    # 5,000 "A"s (a pasted ID) ran for minutes before; with break points it is two ordinary pages
    pdf = renderer.render(sample_report(extra="编码：" + "A" * 5_000), timeout=None)
    text = pdftotext(pdf)
    assert text.count("A") >= 5_000
    assert max(len(line) for line in text.splitlines()) < 200


def test_every_render_has_a_time_bound(renderer: PdfRenderer, seed_report: Report) -> None:
    with pytest.raises(RenderError, match="排版超过 0.001 秒") as caught:
        renderer.render(seed_report, timeout=0.001)
    assert caught.value.where == seed_report.name
    assert renderer.render(_grouped_report(5))  # and the renderer is still usable


def test_a_time_bound_going_off_in_a_gc_callback_still_stops_the_document(monkeypatch: pytest.MonkeyPatch) -> None:
    # a library's gc callback (hypothesis has one) was running when the alarm came: Python reports and drops
    # exceptions raised there, so the render went on and the bound was lost
    import gc
    import time

    from reportgen.renderers.timebound import time_bound

    slow = [True]

    def slow_callback(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and slow:  # the first collection outlasts the bound: the alarm goes off in here
            slow.clear()
            until = time.perf_counter() + 0.02
            while time.perf_counter() < until:
                pass

    dropped: list[object] = []
    monkeypatch.setattr(sys, "unraisablehook", dropped.append)
    gc.callbacks.append(slow_callback)
    try:
        with pytest.raises(RenderError, match="排版超过 0.005 秒"), time_bound(0.005, "PDF", "x"):
            until = time.perf_counter() + 2
            while time.perf_counter() < until:
                gc.collect(0)  # the youngest generation: quick, and the callbacks run all the same
    finally:
        gc.callbacks.remove(slow_callback)
    assert not dropped and not slow
    assert time.perf_counter() < until - 1.5  # stopped right after the callback, not at the end of the block


def test_final_refuses_while_placeholders_remain(renderer: PdfRenderer) -> None:
    report = sample_report(extra="【待补充：偏差原因】")
    with pytest.raises(RenderError, match="不能生成定稿"):
        renderer.render(report, final=True)


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
