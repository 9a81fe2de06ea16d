"""The ``reportgen`` command: a thin shell over the library.

Every sub-command lives in its own module and registers itself on ``main``. Errors
derived from ReportgenError become one readable paragraph and their exit code;
``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from ..errors import ReportgenError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class _Group(click.Group):
    """Click group that turns our exceptions into messages and exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ReportgenError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"{exc.kind}：{exc}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("已中断 (interrupted)", err=True)
            ctx.exit(130)
        except (OSError, UnicodeError) as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"错误：{exc}。如需排查请加 --debug 重试。", err=True)
            ctx.exit(2)


@click.group(cls=_Group, context_settings=CONTEXT)
@click.version_option(package_name="reportgen", message="reportgen %(version)s")
@click.option("--debug", is_flag=True, help="出错时显示完整的调用栈 / show tracebacks on errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """reportgen：根据项目支出绩效自评表生成、检查并批量输出绩效自评报告。

    reportgen: turn scored performance self-evaluation forms into Chinese
    self-evaluation reports (Markdown, HTML, PDF, Word), check report wording,
    and produce whole departments' reports in one batch.
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


def _register() -> None:
    # each module adds its command to ``main``; imports stay light (heavy libraries load inside commands)
    from . import validate  # noqa: F401

    for optional in ("render", "check", "import_", "batch", "doctor", "serve"):
        try:
            __import__(f"{__name__}.{optional}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{optional}":
                raise


_register()


def run() -> None:  # pragma: no cover - console entry point alias
    sys.exit(main())
