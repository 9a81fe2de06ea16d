"""The web page in a real browser: Debian's chromium, headless, driven by Playwright (no browser download).

One server and one browser for the module; each test gets a fresh browser context (a new session).
Set REPORTGEN_SCREENSHOT=1 to refresh docs/serve-page.png from the generate test.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
import yaml
from conftest import ROOT, SEED_EXAMPLE
from serve_support import running

from reportgen.evaluation.model import SourceMap
from reportgen.loaders import load
from reportgen.loaders.structured import validate_data
from reportgen.loaders.xlsx_template import write_template
from reportgen.serve import create_app
from reportgen.testing import synthetic_form

CHROMIUM = Path("/usr/bin/chromium")
playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (scripts/setup.sh dev)")

# without these, chromium on a machine with no network waits on connections it will never get
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
CAUSE = "受疫情影响，大型群众文体活动暂停举办"
TIMEOUT = 30_000


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running(create_app(workspace_root=tmp_path_factory.mktemp("ws"))) as url:
        yield url


@pytest.fixture(scope="module")
def browser_context_factory() -> Iterator[object]:
    profile = tempfile.mkdtemp(prefix="reportgen-chromium-")
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        yield browser
        browser.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser_context_factory, base_url: str):  # type: ignore[no-untyped-def]
    # bypass_csp: the tests evaluate scripts, and the hostile-form test must prove escaping alone keeps
    # injected markup inert (the page's Content-Security-Policy is a second wall, tested in test_serve.py)
    context = browser_context_factory.new_context(accept_downloads=True, viewport={"width": 1440, "height": 960},
                                                  locale="zh-CN", bypass_csp=True)
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.dialogs = dialogs  # type: ignore[attr-defined]
    page.goto(base_url + "/")
    page.wait_for_selector("body[data-ready='1']")
    yield page
    context.close()


def test_generate_fill_and_download(page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    workbook = tmp_path / "社会保障专项-2020.xlsx"
    write_template(workbook, load(SEED_EXAMPLE))
    page.set_input_files("#form-file", str(workbook))
    page.wait_for_selector("#gen-result:not([hidden])")
    assert page.inner_text("#ev-total").startswith("98")
    assert "计算" in page.inner_text("#ev-grade")  # the grade is computed, and says so
    assert re.fullmatch(r"自评表：社会保障专项-2020\.xlsx!\S+![A-Z]+\d+", page.get_attribute("#ev-total", "title") or "")
    findings = page.inner_text("#findings")
    assert "扣分指标缺少偏差原因" in findings
    assert re.search(r"社会保障专项-2020\.xlsx!\S+![A-Z]+\d+", findings)  # each finding names its cell
    preview = page.frame_locator("#preview")
    assert preview.locator("mark.placeholder").count() == 1
    # what a reviewer copies from the preview carries no invisible word joiner (nowrap spans hold the tokens)
    shown = preview.locator("main").inner_text()
    assert "\u2060" not in shown and preview.locator("span.nowrap").count() > 0

    page.fill("[data-gap='indicators[4].cause']", CAUSE)
    page.wait_for_function("document.querySelector('#gaps-count').textContent.includes('还有 0 处')")
    preview.get_by_text(CAUSE, exact=False).first.wait_for()
    assert preview.locator("mark.placeholder").count() == 0
    assert "检查通过" in page.inner_text("#gen-check")
    shot = tmp_path / "serve-page.png"
    page.evaluate("document.activeElement.blur(); window.scrollTo(0, 0)")
    page.screenshot(path=str(shot))
    if os.environ.get("REPORTGEN_SCREENSHOT"):
        shutil.copy(shot, ROOT / "docs" / "serve-page.png")

    with page.expect_download() as download:
        page.click("#dl-docx")
    word = tmp_path / download.value.suggested_filename
    download.value.save_as(word)
    assert word.name == "2020年度社会保障专项绩效自评报告.docx"
    assert any(CAUSE in p.text for p in docx.Document(str(word)).paragraphs)

    with page.expect_download() as download:
        page.click("#dl-xlsx")
    filled = tmp_path / download.value.suggested_filename
    download.value.save_as(filled)
    assert load(filled).indicators[4].cause == CAUSE  # the typed text is part of the form now


def test_check_a_draft(page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import reportgen

    markdown = reportgen.render(SEED_EXAMPLE).markdown
    assert "综合得分98分" in markdown
    draft = tmp_path / "初稿.md"
    draft.write_text(markdown.replace("综合得分98分", "综合得分95分", 1), encoding="utf-8")
    page.click("#tab-check")
    page.set_input_files("#check-draft", str(draft))
    page.set_input_files("#check-data", str(SEED_EXAMPLE))
    page.click("#check-run")
    page.wait_for_selector("#check-result:not([hidden])")
    assert "检查未通过" in page.inner_text("#check-summary")
    problems = page.inner_text("#check-problems")
    assert "待补充项" in problems and re.search(r"第\d+行", problems)
    assert "与自评表不符" in page.inner_text("#check-facts")
    assert "✓ 有" in page.inner_text("#check-terms")


def test_batch_of_twenty_and_the_zip(page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    archive = tmp_path / "部门.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for i in range(20):
            zf.writestr(f"表{i + 1:02d}.yaml", yaml.safe_dump(synthetic_form(i), allow_unicode=True, sort_keys=False))
        zf.writestr("坏表.yaml", "项目名称: 缺指标的表\n")
    page.click("#tab-batch")
    page.set_input_files("#batch-files", str(archive))
    page.click("#batch-run")
    page.wait_for_selector("#batch-zip:not([hidden])", timeout=120_000)
    status = page.inner_text("#batch-status")
    assert "共 21 个文件" in status and "失败 1 个" in status
    assert "坏表.yaml" in page.inner_text("#batch-failures") and "缺少必填字段" in page.inner_text("#batch-failures")
    assert page.locator("#batch-rows tr").count() == 22  # header + one row per project
    assert page.evaluate("document.querySelector('#batch-progress').value") == 21
    with page.expect_download() as download:
        page.click("#batch-zip")
    names = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes())).namelist()
    assert {"summary.xlsx", "overview.md"} <= set(names)
    assert sum(n.endswith(".docx") for n in names) == 20 and sum(n.endswith(".md") and "overview" not in n
                                                                 and "summary" not in n for n in names) == 20


def test_hostile_form_is_shown_escaped(page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    form = yaml.safe_load(SEED_EXAMPLE.read_text(encoding="utf-8"))
    form["project"] = "<script>window.__pwned=1</script>{{ 7*7 }}"
    form["unit"] = "**粗体** <b>单位</b>"
    form["indicators"][4]["cause"] = "[点我](file:///etc/passwd) <img src=x onerror=\"window.__pwned=2\">"
    hostile = tmp_path / "恶意.xlsx"  # hostile cells of a workbook, as a colleague's form would carry them
    write_template(hostile, validate_data(form, SourceMap("恶意.yaml")))
    page.set_input_files("#form-file", str(hostile))
    page.wait_for_selector("#gen-result:not([hidden])")
    assert "<script>window.__pwned=1</script>{{ 7*7 }}" in page.inner_text("#gen-title")
    assert page.evaluate("window.__pwned") is None and page.dialogs == []
    assert page.locator("#gen-title script, #gen-result img, #findings b").count() == 0
    preview = page.frame_locator("#preview")
    body = preview.locator("body").inner_text()
    assert "<img src=x onerror=" in body and "{{ 7*7 }}" in body and "<b>单位</b>" in body
    assert preview.locator("img, script, a, b").count() == 0


def test_bad_upload_is_a_chinese_message_and_the_page_keeps_working(page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    broken = tmp_path / "坏表.yaml"
    broken.write_text("项目名称: 测试\n指标: [\n", encoding="utf-8")
    page.set_input_files("#form-file", str(broken))
    page.wait_for_selector("#gen-error:not([hidden])")
    message = page.inner_text("#gen-error")
    assert "坏表.yaml" in message and "Traceback" not in message and re.search(r"[\u4e00-\u9fff]", message)
    page.set_input_files("#form-file", str(SEED_EXAMPLE))
    page.wait_for_selector("#gen-result:not([hidden])")
    assert page.is_hidden("#gen-error")
