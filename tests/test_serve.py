"""The web page's server without a browser: the API, the limits, zip checks, errors, the workspace."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from urllib.parse import unquote

import pytest
import yaml
from conftest import SEED_EXAMPLE
from serve_support import Client, running

from reportgen.cli.serve import is_loopback
from reportgen.loaders import load
from reportgen.serve import Limits, create_app
from reportgen.serve.workspace import extract_zip, safe_name

SEED = SEED_EXAMPLE.read_bytes()
GAP = "indicators[4].cause"  # 年组织开展群众文体活动: deducted, no cause on the form


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    app = create_app(Limits(file_bytes=200_000, batch_bytes=600_000, files=5),
                     workspace_root=tmp_path_factory.mktemp("ws"), warm=False)
    with running(app) as base:
        yield app, base


@pytest.fixture
def client(server) -> Client:  # type: ignore[no-untyped-def]
    app, base = server
    c = Client(base)  # a fresh cookie jar: a new session per test
    c.workspace = app.state.workspaces.root  # type: ignore[attr-defined]
    return c


def upload_seed(client: Client, name: str = "社会保障专项-2020.yaml", data: bytes = SEED, **fields: str):
    return client.post_files("/api/generate", [("form", name, data)], fields)


def test_page_is_chinese_and_self_contained(client: Client) -> None:
    page = client.get("/")
    assert page.status == 200
    for tab in ("生成报告", "检查报告", "批量生成"):
        assert tab in page.text
    # every script and stylesheet is the server's own: nothing from a CDN or a font service
    assert "http://" not in page.text and "https://" not in page.text
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "default-src 'none'" in policy
    assert client.get("/static/app.js").status == 200


def test_generate_shows_evaluation_findings_gaps_and_preview(client: Client) -> None:
    view = upload_seed(client).json()
    ev = view["evaluation"]
    assert ev["total"] == "98" and not ev["total_computed"]
    assert ev["grade"] == "优" and ev["grade_computed"]  # the seed prints no grade: it is computed
    assert re.fullmatch(r"自评表：社会保障专项-2020\.yaml:\d+", ev["total_source"])
    assert ev["grade_source"].startswith("计算：按总分确定（90分及以上为优")
    codes = {f["title"] for f in view["findings"]}
    assert "扣分指标缺少偏差原因" in codes
    missing = next(f for f in view["findings"] if f["path"] == GAP)
    assert missing["where"] == "社会保障专项-2020.yaml:87"  # the user's file and line, not the workspace copy
    assert [g["path"] for g in view["gaps"]] == [GAP]
    assert 'class="placeholder"' in view["preview"]
    assert not view["check"]["ok"]


def test_fill_goes_into_the_data_and_survives_the_workbook(client: Client, tmp_path: Path) -> None:
    upload_seed(client)
    cause = "受疫情影响，大型群众活动暂停举办"
    view = client.post_json("/api/fill", {"fills": {GAP: cause}}).json()
    assert view["gaps"] == [] and view["placeholders"] == 0 and view["check"]["ok"]
    assert cause in client.get("/api/download/md").text
    workbook = client.get("/api/download/xlsx")
    assert "已填写.xlsx" in unquote(workbook.headers["content-disposition"])
    path = tmp_path / "back.xlsx"
    path.write_bytes(workbook.content)
    assert load(path).indicators[4].cause == cause  # what import reads back


def test_fill_year_is_validated_like_a_loaded_form(client: Client) -> None:
    form = yaml.safe_load(SEED)
    del form["year"]
    view = upload_seed(client, "无年度.yaml", yaml.safe_dump(form, allow_unicode=True).encode()).json()
    assert "year" in [g["path"] for g in view["gaps"]]
    bad = client.post_json("/api/fill", {"fills": {"year": "去年"}})
    assert bad.status == 400 and "year" in bad.json()["error"] and "Traceback" not in bad.text
    good = client.post_json("/api/fill", {"fills": {"year": "2020"}}).json()
    assert "year" not in [g["path"] for g in good["gaps"]] and good["title"].startswith("2020年度")


def test_outline_is_chosen_by_name_never_by_path(client: Client) -> None:
    assert upload_seed(client, outline="mof").json()["outline"] == "mof"
    refused = upload_seed(client, outline="/etc/passwd")
    assert refused.status == 400 and "没有名为" in refused.json()["error"]


def test_bad_form_gets_the_cli_message_and_the_server_keeps_serving(client: Client) -> None:
    broken = upload_seed(client, "坏表.yaml", "项目名称: 测试\n指标: [\n".encode())
    assert broken.status == 400
    message = broken.json()["error"]
    assert "坏表.yaml" in message and str(client.workspace) not in message and "Traceback" not in message  # type: ignore[attr-defined]
    unknown = upload_seed(client, "表.pdf", b"%PDF-1.4")
    assert "不支持的文件类型" in unknown.json()["error"]
    assert upload_seed(client).status == 200


def test_upload_limits(client: Client) -> None:
    big = upload_seed(client, "大.yaml", SEED + b"#" * 300_000)
    assert big.status == 413 and "超过" in big.json()["error"]
    many = client.post_files("/api/batch", [("files", f"{i}.yaml", SEED) for i in range(6)])
    assert many.status == 400 and "最多上传 5 个" in many.json()["error"]


def test_cross_site_posts_are_refused(client: Client) -> None:
    foreign = client.post_files("/api/generate", [("form", "a.yaml", SEED)], headers={"Origin": "http://evil.example"})
    assert foreign.status == 403 and "其他网站" in foreign.json()["error"]


def test_download_before_upload_is_a_message(client: Client) -> None:
    response = client.get("/api/download/docx")
    assert response.status == 404 and "还没有生成报告" in response.json()["error"]


def _zip(members: dict[str, bytes], *, symlink: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (0o120777 << 16)
            zf.writestr(info, "/etc/passwd")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("members", "symlink", "expected"),
    [
        ({"../../evil.yaml": b"x"}, None, "指向压缩包以外"),
        ({"/abs/evil.yaml": b"x"}, None, "指向压缩包以外"),
        ({"ok.yaml": b"x"}, "link.yaml", "符号链接"),
        ({"bomb.txt": b"0" * 5_000_000}, None, "压缩炸弹"),
    ],
)
def test_zip_traversal_links_and_bombs_are_refused(tmp_path: Path, members, symlink, expected) -> None:
    archive = tmp_path / "a.zip"
    archive.write_bytes(_zip(members, symlink=symlink))
    dest = tmp_path / "out"
    dest.mkdir()
    with pytest.raises(Exception) as caught:
        extract_zip(archive, dest, Limits(), "上传.zip")
    assert expected in str(caught.value) and "上传.zip" in str(caught.value)
    assert not (tmp_path / "evil.yaml").exists() and not list(dest.rglob("*.yaml"))


def test_zip_unpacks_forms_and_skips_hidden_files(tmp_path: Path) -> None:
    archive = tmp_path / "a.zip"
    archive.write_bytes(_zip({"部门/甲.yaml": SEED, "__MACOSX/._甲.yaml": b"x", "~$乙.xlsx": b"x"}))
    out = extract_zip(archive, tmp_path / "out", Limits(), "a.zip")
    assert [p.relative_to(tmp_path / "out").as_posix() for p in out] == ["部门/甲.yaml"]


def test_safe_names_stay_in_their_folder() -> None:
    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("C:\\Users\\x\\表.xlsx") == "表.xlsx"
    assert safe_name("..") == "文件"
    taken: set[str] = set()
    assert [safe_name("表.xlsx", taken) for _ in range(2)] == ["表.xlsx", "表-2.xlsx"]


def test_workspace_is_removed_when_the_server_stops(tmp_path: Path) -> None:
    app = create_app(Limits(), workspace_root=tmp_path, warm=False)
    with running(app) as base:
        upload_seed(Client(base))
        root = app.state.workspaces.root
        assert any(root.rglob("*.yaml"))
    assert not root.exists()


def test_hostile_text_is_escaped_in_the_preview(client: Client) -> None:
    form = yaml.safe_load(SEED)
    form["project"] = "<script>alert(1)</script>{{ 7*7 }}"
    form["indicators"][4]["cause"] = "[点我](file:///etc/passwd) <img src=x onerror=alert(2)>"
    view = upload_seed(client, "恶意.yaml", yaml.safe_dump(form, allow_unicode=True).encode()).json()
    preview = view["preview"]
    assert "<script>alert" not in preview and "&lt;script&gt;alert(1)&lt;/script&gt;" in preview
    assert "<img" not in preview and "file:///etc/passwd" not in preview.replace("(file:///etc/passwd)", "")
    assert 'href="file:' not in preview and "49" not in view["title"]  # {{ }} is not evaluated
    assert json.dumps(view["title"], ensure_ascii=False).count("<script>") == 1  # the page shows it as text


def test_loopback_detection() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")


def test_serve_command_prints_the_address_serves_and_cleans_up(tmp_path: Path) -> None:
    import os
    import re
    import signal
    import subprocess
    import sys
    import urllib.request

    env = {**os.environ, "TMPDIR": str(tmp_path)}
    proc = subprocess.Popen([sys.executable, "-m", "reportgen", "serve", "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=Path(__file__).parent.parent)
    try:
        line = proc.stdout.readline()  # type: ignore[union-attr]
        url = re.search(r"http://127\.0\.0\.1:\d+/", line)
        assert url, line
        page = urllib.request.urlopen(url[0], timeout=60).read().decode()
        assert "生成报告" in page
        assert list(tmp_path.glob("reportgen-serve-*"))  # the workspace root exists while serving
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    assert "已停止" in out and "Traceback" not in err
    assert not list(tmp_path.glob("reportgen-serve-*"))


def test_serve_warns_beyond_loopback_and_explains_a_busy_port(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    import uvicorn
    from click.testing import CliRunner

    from reportgen.cli import main
    from reportgen.cli import serve as serve_cli

    real_bind = serve_cli.bind
    # never open a port beyond loopback in a test: bind loopback, but let the command believe the host
    monkeypatch.setattr(serve_cli, "bind", lambda host, port: real_bind("127.0.0.1", 0))
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, sockets=None: None)
    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 0
    assert "警告：正在监听 0.0.0.0" in result.output and "任何人" in result.output
    quiet = CliRunner().invoke(main, ["serve"])
    assert "警告" not in quiet.output and "http://127.0.0.1:" in quiet.output

    monkeypatch.setattr(serve_cli, "bind", real_bind)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        busy = CliRunner().invoke(main, ["serve", "--port", str(taken.getsockname()[1])])
    assert busy.exit_code == 2 and "端口已被占用" in busy.output and "--port" in busy.output


def test_a_file_with_several_projects_points_to_the_batch_tab(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    from reportgen.serve import draft

    real = draft.load_all
    monkeypatch.setattr(draft, "load_all", lambda path: real(path) * 2)
    reply = upload_seed(client, "多项目.yaml")
    assert reply.status == 400 and "2 个项目" in reply.json()["error"] and "批量生成" in reply.json()["error"]


def test_one_batch_at_a_time_per_session(client: Client) -> None:
    first = client.post_files("/api/batch", [("files", "甲.yaml", SEED)], {"formats": "md"})
    assert first.status == 200
    second = client.post_files("/api/batch", [("files", "乙.yaml", SEED)], {"formats": "md"})
    status = client.get(f"/api/batch/{first.json()['id']}").json()
    if not status["finished"]:  # the first batch was still running when the second arrived
        assert second.status == 400 and "上一批还在生成中" in second.json()["error"]
    for _ in range(600):
        if client.get(f"/api/batch/{first.json()['id']}").json()["finished"]:
            break
        import time

        time.sleep(0.1)
    assert client.post_files("/api/batch", [("files", "丙.yaml", SEED)], {"formats": "md"}).status == 200


def test_open_starts_the_browser_on_the_address(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    import uvicorn
    from click.testing import CliRunner

    from reportgen.cli import main

    opened: list[str] = []

    class Now:
        def __init__(self, delay: float, fn, args) -> None:  # type: ignore[no-untyped-def]
            self.fn, self.args = fn, args

        def start(self) -> None:
            self.fn(*self.args)

    monkeypatch.setattr(threading, "Timer", Now)
    monkeypatch.setattr("webbrowser.open", lambda url: opened.append(url))
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, sockets=None: None)
    result = CliRunner().invoke(main, ["serve", "--port", "0", "--open"])
    assert result.exit_code == 0 and len(opened) == 1 and opened[0] in result.output


def test_a_workbook_that_is_a_zip_bomb_is_refused(client: Client) -> None:
    bomb = _zip({"xl/worksheets/sheet1.xml": b"<" * 60_000_000})
    assert len(bomb) < 200_000
    reply = upload_seed(client, "炸弹.xlsx", bomb)
    assert reply.status == 400 and "压缩炸弹" in reply.json()["error"] and "炸弹.xlsx" in reply.json()["error"]
    broken = upload_seed(client, "坏.xlsx", b"not a zip")
    assert "不是有效的Excel 工作簿" in broken.json()["error"]


def test_only_the_latest_upload_is_kept_and_checked_drafts_are_not(client: Client) -> None:
    upload_seed(client, "第一份.yaml")
    upload_seed(client, "第二份.yaml")
    root: Path = client.workspace  # type: ignore[attr-defined]
    kept = {p.name for p in root.rglob("*.yaml")}
    assert "第二份.yaml" in kept and "第一份.yaml" not in kept
    client.post_files("/api/check", [("draft", "初稿.md", "# 报告\n\n正文。\n".encode())])
    assert not list(root.rglob("初稿.md"))
