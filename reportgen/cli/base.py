"""What every command is made of: Chinese help formatting, and the group that turns errors into exit codes.

The sub-command modules build their commands from ``Command`` and never import the ``main`` group;
``reportgen.cli`` lists them all in one table and adds them to ``main``.
"""

from __future__ import annotations

from typing import Any

import click

from reportgen.cli import zh
from reportgen.errors import ReportgenError

# before any command is built (every command module imports this one first): click looks its strings up as
# options are made
zh.install()

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class Formatter(click.HelpFormatter):
    """Help text with Chinese punctuation: “用法：…”, “选项：”."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, "用法：" if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading}：\n")


class Context(click.Context):
    formatter_class = Formatter


class Command(click.Command):
    context_class = Context


class Group(click.Group):
    """Click group that turns our exceptions into messages and exit codes."""

    context_class = Context
    command_class = Command

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
