"""What the commands share: the terminal console (rich) and the report options of render and batch."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import click
from rich.console import Console


@cache
def console(stderr: bool = False) -> Console:
    # soft_wrap keeps long Chinese lines intact when piped to a file
    return Console(stderr=stderr, soft_wrap=True, highlight=False)


def report_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The options ``render`` and ``batch`` share: formats, outline, templates, lexicon, cover, toc, attach, final,
    font, check."""
    options = [
        click.option("-f", "--format", "formats", default="md", show_default=True,
                     help="输出格式，逗号分隔：md,html,pdf,docx / formats, comma-separated."),
        click.option("--outline", default="default", show_default=True,
                     help="报告提纲：default、mof、transfer、summary 或提纲 YAML 路径 / report outline."),
        click.option("--templates", type=click.Path(file_okay=False, exists=True, path_type=Path),
                     help="用户模板文件夹，逐文件覆盖内置模板 / folder of templates overriding the built-in ones."),
        click.option("--lexicon", type=click.Path(file_okay=False, exists=True, path_type=Path),
                     help="用户词库文件夹，逐文件覆盖内置词库 / folder of lexicon files overriding the built-in ones."),
        click.option("--cover", is_flag=True,
                     help="PDF/HTML/Word 加封面（项目名称、主管部门、实施单位、评价年度、报告日期、盖章处）/ add a cover page."),
        click.option("--toc", is_flag=True, help="Word 文件加目录页（打开时更新域）/ add a table of contents to the Word file."),
        click.option("--attach", "attach", multiple=True, type=click.Choice(["form"]),
                     help="附加附件：form 把自评表本身排成附件 / extra attachment: form = the 自评表 itself."),
        click.option("--final", is_flag=True,
                     help="定稿：仍有【待补充】时拒绝生成，且不加高亮 / final copy: refuse while placeholders remain."),
        click.option("--font", type=click.Path(dir_okay=False, exists=True, path_type=Path),
                     help="正文字体文件（如单位自有的仿宋）/ body font file for PDF."),
        click.option("--no-check", is_flag=True, help="不检查生成的报告 / skip the wording check."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn
