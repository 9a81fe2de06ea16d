"""The Starlette application: routes, the session cookie, the safety headers, errors as Chinese messages.

Every handler runs inside one error boundary: a ReportgenError becomes its Chinese message (with
the place and what to do) shown in the page; anything unexpected becomes one apologetic line and
is logged for ``--debug``; the server never answers with a traceback and keeps serving.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from reportgen import __version__
from reportgen.errors import ReportgenError, UsageError
from reportgen.resources import templates_dir
from reportgen.serve.limits import Limits
from reportgen.serve.routes import Handlers
from reportgen.serve.workspace import Workspaces

log = logging.getLogger("reportgen.serve")
COOKIE = "reportgen_session"

# the page loads only its own files; the preview iframe is sandboxed and gets no scripts at all
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; frame-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


def web_dir() -> Path:
    return templates_dir() / "web"


def create_app(
    limits: Limits | None = None, *, debug: bool = False, workspace_root: Path | None = None, warm: bool = True
) -> Starlette:
    """Build the application (one Workspaces for its life, removed at shutdown).

    ``warm``: before serving, run a few synthetic forms through the pipeline (templates, jieba's
    dictionary blocks, the checker), so the first real upload is not the one that pays for them.
    """
    limits = limits or Limits()
    workspaces = Workspaces(limits, workspace_root)
    env = Environment(loader=FileSystemLoader(str(web_dir())), autoescape=select_autoescape(default=True))
    handlers = Handlers(workspaces, limits)
    asset_tag = secrets.token_hex(4)  # cache-busts the page's assets per server start

    def page(request: Request) -> Response:
        from reportgen.serve.draft import outlines

        html = env.get_template("index.html.j2").render(
            version=__version__, outlines=outlines(), limits=limits.describe(), tag=asset_tag,
            max_file=limits.file_bytes, max_total=limits.batch_bytes, max_files=limits.files,
        )
        return HTMLResponse(html)

    def guarded(handler: Callable[..., Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            if request.method != "GET" and not _same_origin(request):
                return _error(UsageError("拒绝来自其他网站的请求", hint="请直接在本页面上操作"), 403)
            session = workspaces.get(request.cookies.get(COOKIE))
            fresh = session is None
            if session is None:
                session = workspaces.create()
            started = time.perf_counter()
            try:
                response = await handler(request, session)
            except ReportgenError as exc:
                response = _error(exc, getattr(exc, "status", 400), session.folder)
            except Exception:  # noqa: BLE001 - the page gets a message, the log the details
                log.exception("处理 %s 时出错", request.url.path)
                unexpected = ReportgenError("服务器处理时出现意外错误",
                                             hint="请重试；如仍出错，请用 reportgen --debug serve 启动并查看终端输出")
                response = _error(unexpected, 500)
            # the server's own time for this request (benchmarks/bench_serve.py reads it)
            response.headers["server-timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
            if fresh:
                response.set_cookie(COOKIE, session.id, httponly=True, samesite="strict", path="/")
            return response

        return endpoint

    routes = [
        Route("/", page),
        Route("/api/generate", guarded(handlers.generate), methods=["POST"]),
        Route("/api/fill", guarded(handlers.fill), methods=["POST"]),
        Route("/api/download/{kind}", guarded(handlers.download)),
        Route("/api/check", guarded(handlers.check), methods=["POST"]),
        Route("/api/batch", guarded(handlers.start_batch), methods=["POST"]),
        Route("/api/batch/{job}", guarded(handlers.batch_status)),
        Route("/api/batch/{job}/zip", guarded(handlers.batch_zip)),
        Mount("/static", app=StaticFiles(directory=str(web_dir() / "static")), name="static"),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # warm the pipeline once (templates, taxonomy, jieba) so the first upload is as fast as the rest
        if warm:
            await asyncio.get_running_loop().run_in_executor(None, _warm_up)
        try:
            yield
        finally:
            workspaces.close()

    app = Starlette(debug=False, routes=routes, lifespan=lifespan)
    app.state.workspaces = workspaces
    app.add_middleware(_Headers)
    del debug
    return app


def _warm_up() -> None:
    """Run one synthetic form through the whole 生成报告 path, so the first real upload is as fast as the rest."""
    with contextlib.suppress(Exception):
        from reportgen.evaluation.model import SourceMap
        from reportgen.loaders import tabular  # noqa: F401  (imports the workbook, Word and text readers)
        from reportgen.loaders.structured import validate_data
        from reportgen.serve.draft import Draft
        from reportgen.testing import synthetic_form

        for seed in range(6):  # varied texts load the dictionary blocks most forms need
            Draft(validate_data(synthetic_form(seed), SourceMap("预热")), "预热").run()


def _same_origin(request: Request) -> bool:
    """Refuse state-changing requests a foreign web page makes in the user's browser (CSRF)."""
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.headers.get("host", "")


def _error(exc: ReportgenError, status: int, folder: Path | None = None) -> JSONResponse:
    message = str(exc)
    if folder is not None:
        message = message.replace(str(folder) + "/", "")  # places name the user's file, not the workspace
    return JSONResponse({"error": message, "kind": exc.kind}, status_code=status)


class _Headers:
    """Security headers on every response; no caching of anything carrying a user's data."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.app(scope, receive, partial(self._send, send, scope["path"].startswith("/static/")))

    @staticmethod
    async def _send(send: Any, static: bool, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            headers += [
                (b"content-security-policy", CSP.encode()),
                (b"x-content-type-options", b"nosniff"),
                (b"referrer-policy", b"no-referrer"),
                (b"x-frame-options", b"DENY"),
            ]
            if not static:
                headers.append((b"cache-control", b"no-store"))
            message = {**message, "headers": headers}
        await send(message)
