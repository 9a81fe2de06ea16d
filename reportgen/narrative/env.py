"""The one place the Jinja2 environment is built.

Templates always run in Jinja2's SandboxedEnvironment with StrictUndefined: user templates
(``--templates DIR``, overlaid file by file on the built-in ones) are untrusted input, and the
built-in ones gain nothing from more power. Every Chinese formatting filter is registered
from one dict, like Jinja's own FILTERS.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, NoReturn

import jinja2
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from .. import formatting as fmt
from ..errors import TemplateError
from ..figures import Figure, computed
from ..resources import templates_dir


def _quoted(items: Iterable[Any], attr: str = "name", limit: int = 0) -> str:
    """“甲”“乙”和“丙” from objects' names (no 、 between quoted items, GB/T 15834); with ``limit``, 等N项."""
    names = [f"“{getattr(i, attr) if not isinstance(i, str) else i}”" for i in items]
    if limit and len(names) > limit:
        count = computed(Decimal(len(names)), "count", "所列指标项数", path="", unit="项", label="所列指标项数")
        return "".join(names[:limit]) + f"等{count}项"
    if len(names) <= 1:
        return "".join(names)
    return "".join(names[:-1]) + "和" + names[-1]


def _paren_ordinal(n: int) -> str:
    return f"（{fmt.ordinal(n)}）"


def _trend(delta: Decimal | float | int) -> str:
    value = Decimal(str(delta))
    return "增长" if value > 0 else "下降" if value < 0 else "持平"


def _percent(value: Figure | Decimal | float | None) -> str:
    if isinstance(value, Figure):
        return value.stated()
    return fmt.percent(Decimal(str(value)) if value is not None else None)


def _money(value: Figure | Decimal | float | None, unit: str | None = None) -> str:
    if isinstance(value, Figure):
        return value.stated(unit)
    return fmt.money(Decimal(str(value)) if value is not None else None, unit or "万元")


def _score(value: Figure | Decimal | float | None) -> str:
    if isinstance(value, Figure):
        return value.stated()
    return fmt.score(Decimal(str(value)) if value is not None else None)


def _cell(value: Figure | str | None) -> str:
    """A table cell: a computed figure marked ※ (the table's note explains it), a missing one as —."""
    if not isinstance(value, Figure):
        return value or "—"
    if value.missing:
        return "—"
    return value.stated() + ("※" if value.computed else "")


def _count(value: Figure | int) -> str:
    return value.stated() if isinstance(value, Figure) else str(value)


# A figure formatted by these filters (or printed as {{ figure }}) is recorded in the report's ledger;
# plain numbers are formatted as before, for user templates written against them.
FILTERS: dict[str, Callable[..., Any]] = {
    "money": _money,
    "percent": _percent,
    "score": _score,
    "count": _count,
    "cell": _cell,
    "cn_enum": lambda items, last="和": fmt.enumerate_cn([str(i) for i in items], last),
    "ordinal": fmt.ordinal,
    "paren_ordinal": _paren_ordinal,
    "quoted": _quoted,
    "trend": _trend,
}


def _loader(user_dir: Path | None) -> jinja2.BaseLoader:
    builtin = jinja2.FileSystemLoader(str(templates_dir()), encoding="utf-8")
    if user_dir is None:
        return builtin
    if not user_dir.is_dir():
        raise TemplateError("模板目录不存在", where=str(user_dir), hint="--templates 应指向一个包含 .md.j2 文件的文件夹")
    # user files shadow built-in ones of the same name; everything else falls through
    return jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(user_dir), encoding="utf-8"), builtin])


@cache
def build_environment(user_dir: str | None = None) -> jinja2.Environment:
    """Build (once per template folder) the environment with our filters.

    With a user template folder every template runs sandboxed (a user file may be included by,
    or include, any other). The built-in templates alone are trusted code shipped with the
    package, and the sandbox's per-attribute checks would cost a quarter of the render time.
    """
    cls = SandboxedEnvironment if user_dir else jinja2.Environment
    env = cls(
        loader=_loader(Path(user_dir) if user_dir else None),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,  # Markdown, not HTML: data is escaped for Markdown when the facts are built
        auto_reload=False,
    )
    env.filters.update(FILTERS)
    return env


def template_error(exc: BaseException, name: str) -> NoReturn:
    """Re-raise a Jinja failure as a TemplateError naming the template file and line."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        where = f"{exc.filename or exc.name or name}:{exc.lineno}"
        raise TemplateError(f"模板语法错误：{exc.message}", where=where, hint="请检查该行的 {{ }} 与 {% %} 标记") from exc
    if isinstance(exc, jinja2.TemplateNotFound):
        raise TemplateError(f"找不到模板“{exc.name}”", where=name, hint="请检查提纲中的模板文件名") from exc
    where = _template_line(exc) or name
    if isinstance(exc, SecurityError):
        raise TemplateError(
            f"模板试图执行不允许的操作（{exc}）", where=where, hint="模板只能使用提供的数据和过滤器，不能访问内部属性"
        ) from exc
    if isinstance(exc, jinja2.UndefinedError):
        raise TemplateError(
            f"模板使用了不存在的数据：{exc.message}", where=where, hint="可用的数据字段见 docs/templates.md"
        ) from exc
    raise TemplateError(f"模板执行出错：{type(exc).__name__}: {exc}", where=where) from exc


def _template_line(exc: BaseException) -> str | None:
    """Find the innermost template frame of a traceback (Jinja rewrites frames to template lines)."""
    found = None
    tb = exc.__traceback__ or sys.exc_info()[2]
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2") or "templates" in filename and not filename.endswith(".py"):
            found = f"{filename}:{tb.tb_lineno}"
        tb = tb.tb_next
    return found
