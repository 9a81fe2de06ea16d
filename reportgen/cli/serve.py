"""``reportgen serve``: start the local web page (127.0.0.1:8000 unless told otherwise)."""

from __future__ import annotations

import ipaddress
import socket
import threading
import webbrowser

import click

from reportgen.cli.base import Command
from reportgen.errors import UsageError


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bind(host: str, port: int) -> socket.socket:
    """Bind the listening socket first, so a busy port is a Chinese message and the address printed is real."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        busy = exc.errno in (98, 48, 10048)
        raise UsageError(
            f"无法在 {host}:{port} 上启动（{'端口已被占用' if busy else exc.strerror}）",
            hint="请用 --port 换一个端口" if busy else "请检查 --host 是否为本机地址",
        ) from exc
    sock.listen(128)
    return sock


@click.command(cls=Command, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--host", default="127.0.0.1", show_default=True,
              help="监听地址；默认只允许本机访问 / address to listen on (loopback by default).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="端口 / port.")
@click.option("--open", "open_browser", is_flag=True, help="启动后打开浏览器 / open the page in the browser.")
@click.option("--max-file-mb", type=click.IntRange(1, 2048), default=20, show_default=True,
              help="单个上传文件的大小上限（MB）/ size limit of one uploaded file.")
@click.option("--max-batch-mb", type=click.IntRange(1, 8192), default=200, show_default=True,
              help="一次上传（或一个 zip 解压后）的合计上限（MB）/ limit of one upload in all.")
@click.option("--max-files", type=click.IntRange(1, 100_000), default=500, show_default=True,
              help="一次上传的文件数上限 / files per upload (and per zip).")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, open_browser: bool, max_file_mb: int, max_batch_mb: int,
          max_files: int) -> None:
    """启动本机网页：在浏览器中生成报告、检查报告、批量生成。

    Start the local web page: generate a report from a form (evaluation,
    findings, preview, fill in the gaps, downloads), check a draft, and run a
    batch. Listens on 127.0.0.1 only unless --host says otherwise. Stop it
    with Ctrl-C; every uploaded file is removed then.
    """
    import uvicorn

    from reportgen.serve import Limits, create_app

    limits = Limits(file_bytes=max_file_mb * 1024 * 1024, batch_bytes=max_batch_mb * 1024 * 1024, files=max_files)
    sock = bind(host, port)
    port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else shown}:{port}/"
    if not is_loopback(host):
        click.echo(
            f"警告：正在监听 {host}，同一网络中的任何人都可以打开此页面并上传、查看数据。"
            "如只在本机使用，请去掉 --host（默认 127.0.0.1）。",
            err=True,
        )
    click.echo(f"reportgen 网页已启动：{url}  （按 Ctrl-C 停止）")
    debug = bool(ctx.obj and ctx.obj.get("debug"))
    app = create_app(limits, debug=debug)
    config = uvicorn.Config(app, log_level="info" if debug else "warning", access_log=debug, lifespan="on")
    server = uvicorn.Server(config)
    if open_browser:
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # uvicorn has shut down cleanly (workspaces removed) and re-raises the Ctrl-C it caught
    finally:
        sock.close()
    click.echo("已停止，上传的文件已清除。")
