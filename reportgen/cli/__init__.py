"""The ``reportgen`` command: a thin shell over the library.

Every sub-command lives in its own module; ``COMMANDS`` below adds them all to ``main``. Errors
derived from ReportgenError become one readable paragraph and their exit code;
``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import sys

import click

from reportgen.cli import batch, check, doctor, import_, render, serve, validate
from reportgen.cli.base import CONTEXT, Group


@click.group(cls=Group, context_settings=CONTEXT, options_metavar="[选项]", subcommand_metavar="命令 [参数]...")
@click.version_option(package_name="reportgen", message="reportgen %(version)s",
                      help="显示版本号并退出 / show the version and exit.")
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


# every sub-command, in one place: a command module that cannot be imported fails here, loudly
COMMANDS: tuple[click.Command, ...] = (
    validate.validate, render.render, check.check, import_.import_command, import_.template_xlsx, batch.batch,
    doctor.doctor, serve.serve,
)
for _command in COMMANDS:
    main.add_command(_command)


# what a parameter's value is, for the usage line and the option list (click would print FILE, PATH, TEXT)
_NOUNS = {"files": "文件", "file": "文件", "inputs": "文件或文件夹", "report": "报告文件", "output": "输出文件"}


def _noun(param: click.Parameter) -> str | None:
    kind = param.type
    if isinstance(param, click.Argument) and param.name in _NOUNS:
        return _NOUNS[param.name]
    if isinstance(kind, click.Path):
        return "文件" if not kind.dir_okay else "文件夹" if not kind.file_okay else "路径"
    if isinstance(kind, click.types.IntParamType):
        return "整数"
    if isinstance(kind, click.types.FloatParamType):
        return "数值"
    if isinstance(kind, click.types.StringParamType):
        return "文本"
    return None


def localize(group: click.Group) -> None:
    """Chinese metavars for every command's usage line and options (those that set none)."""
    for command in group.commands.values():
        command.options_metavar = "[选项]"
        if isinstance(command, click.Group):
            localize(command)
        for param in command.params:
            if param.metavar is not None or getattr(param, "is_flag", False):
                continue
            noun = _noun(param)
            if noun is None:
                continue
            if isinstance(param, click.Argument):
                noun = noun if param.required else f"[{noun}]"
            param.metavar = noun + ("..." if param.nargs != 1 else "")


localize(main)


def run() -> None:  # pragma: no cover - console entry point alias
    sys.exit(main())
