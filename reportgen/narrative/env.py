"""The one place the Jinja2 environment is built.

Templates always run in Jinja2's SandboxedEnvironment with StrictUndefined: user templates
(``--templates DIR``, overlaid file by file on the built-in ones) are untrusted input, and the
built-in ones gain nothing from more power. Every Chinese formatting filter is registered
from one dict, like Jinja's own FILTERS.
"""

from __future__ import annotations

import re
import string
import sys
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from decimal import Decimal
from functools import cache
from pathlib import Path
from types import BuiltinFunctionType, MethodType
from typing import Any, NoReturn

import jinja2
import jinja2.filters
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.loaders import split_template_path
from jinja2.runtime import Context, Macro
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from jinja2.utils import Namespace

from reportgen import formatting as fmt
from reportgen.errors import TemplateError
from reportgen.evaluation.cleaning import enumerates, flat, unnumbered
from reportgen.evaluation.figures import Figure, computed
from reportgen.resources import confined, templates_dir


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
_LINK = re.compile(r"(?:主要是因为|是因为|在于|是|为)$")


def _led(text: str, lead: str) -> str:
    """``lead`` then ``text``; a text numbering its own items follows a colon ("原因是一是……" reads as a slip).

    The lead's linking word goes (原因是 → 原因：, 主要原因在于 → 主要原因：); a lead without one
    (经分析，) is followed by the list as it is ("经分析，一是……").
    """
    head = _LINK.sub("", lead)
    if enumerates(text) and head.endswith(("原因", "理由")):
        return f"{head}：{text}"
    return lead + text


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
    "unnumbered": unnumbered,  # the form's own 一是/1、 off an item the template numbers itself
    "flat": flat,  # 一是A；二是B → A，B: a text numbering itself, inside a list the template numbers
    "led": _led,  # a lead-in and the form's text: 原因是X, or 原因：一是……；二是…… when X enumerates itself
    "trend": _trend,
}


# Resource bounds for user templates. A report is some 20,000 characters; a template that produces 5 million,
# counts through more than 100,000 range() items, or formats a number 10,000 characters wide is an attack or
# a mistake, and is stopped with a message before it takes gigabytes or minutes.
MAX_OUTPUT_CHARS = 5_000_000
MAX_VALUE_CHARS = 1_000_000  # one string or list built inside a template ("x" * n, replace, namespace values)
MAX_RANGE_ITEMS = 100_000  # all range() items of one render together (nested loops multiply)
MAX_WIDTH = 1_000  # a format width or precision (%.2000000000f, {:>999999}, center(10**9))
MAX_EXPONENT = 1_000

_WIDTHS = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d*))?")
_SPEC_NUMBERS = re.compile(r"\d+")


class _Budget:
    range_items = 0


_BUDGET: ContextVar[_Budget | None] = ContextVar("reportgen_template_budget", default=None)


def _refuse(what: str) -> NoReturn:
    raise SecurityError(what)


def _check_percent_format(fmt: Any) -> None:
    if not isinstance(fmt, str):
        return
    for width, precision in _WIDTHS.findall(fmt):
        for number in (width, precision):
            if number == "*":
                _refuse("格式中的宽度不能用 * 从参数取")
            if number and int(number) > MAX_WIDTH:
                _refuse(f"格式宽度或精度 {number} 超过上限 {MAX_WIDTH}")


def _check_spec(spec: str) -> None:
    for number in _SPEC_NUMBERS.findall(spec):
        if len(number) > 4 or int(number) > MAX_WIDTH:
            _refuse(f"格式宽度或精度 {number[:12]} 超过上限 {MAX_WIDTH}")


def _check_size(value: Any) -> Any:
    if isinstance(value, (str, list, tuple)) and len(value) > MAX_VALUE_CHARS:
        _refuse(f"模板中生成的文字或列表过长（超过 {MAX_VALUE_CHARS} 项）")
    return value


def _bounded_range(*args: int) -> range:
    items = range(*args)
    budget = _BUDGET.get()
    if budget is not None:
        budget.range_items += len(items)
        if budget.range_items > MAX_RANGE_ITEMS:
            _refuse(f"模板中的循环次数过多（range 合计超过 {MAX_RANGE_ITEMS} 次）")
    elif len(items) > MAX_RANGE_ITEMS:
        _refuse(f"模板中的循环次数过多（range 超过 {MAX_RANGE_ITEMS} 次）")
    return items


class _BoundedNamespace(Namespace):
    """``namespace()`` whose values cannot grow without bound (``{% set ns.s = ns.s ~ ns.s %}`` in a loop)."""

    def __setitem__(self, name: str, value: Any) -> None:
        super().__setitem__(name, _check_size(value))


class _BoundedTemplate(jinja2.Template):
    """A template whose render has a fresh range budget and stops at MAX_OUTPUT_CHARS of output."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        token = _BUDGET.set(_Budget())
        try:
            parts: list[str] = []
            size = 0
            for piece in self.generate(*args, **kwargs):
                size += len(piece)
                if size > MAX_OUTPUT_CHARS:
                    raise SecurityError(f"模板输出超过 {MAX_OUTPUT_CHARS} 个字符")
                parts.append(piece)
            return "".join(parts)
        finally:
            _BUDGET.reset(token)


# str methods whose integer argument sets the size of the result
_SIZED_METHODS = frozenset({"ljust", "rjust", "center", "zfill", "expandtabs"})


class _FlatGlobals:
    """Template globals as one plain dict instead of Jinja's ``ChainMap(template, environment)``.

    Jinja walks a template's globals on every include, import and macro call (``new_context``, ``Context``,
    ``_get_default_module``), and a ChainMap is iterated and searched in Python: that cost a tenth of the
    render time. Our environments' globals are complete before the first template is loaded and never change
    afterwards (Jinja's own docs say not to modify them then), so a snapshot is the same mapping.
    """

    globals: dict[str, Any]

    def make_globals(self, d: Any) -> Any:  # noqa: ANN401 - Jinja's signature
        return {**self.globals, **(d or {})}


# Jinja's list, join, selectattr… filters check on every call whether the environment is async (ours never is)
# and then call these synchronous versions, which the compiled templates may as well call directly.
_SYNC_FILTERS: dict[str, Callable[..., Any]] = {
    name: getattr(jinja2.filters, f"sync_do_{name}")
    for name in ("unique", "join", "first", "slice", "groupby", "sum", "list", "map", "select", "reject",
                 "selectattr", "rejectattr")
}


class _InlineGetattr(CodeGenerator):
    """Compiles ``a.b`` to the attribute lookup itself, calling ``environment.getattr`` only when it finds nothing.

    Jinja compiles every ``a.b`` to ``environment.getattr(a, "b")``, a Python call on the way to what
    ``getattr(a, "b", missing)`` already answers for every attribute that exists; a report reads some 900
    attributes. The walrus targets hold the object and the result of the innermost lookup being evaluated,
    so ``a.b.c`` nests without evaluating ``a`` twice, and ``row.weight`` on a dict still reaches
    ``environment.getattr`` (its item), as does a missing attribute (its undefined).
    """

    @optimizeconst
    def visit_Getattr(self, node: jinja2.nodes.Getattr, frame: Frame) -> None:
        self.write("(_rg_r if (_rg_r := getattr((_rg_o := ")
        self.visit(node.node, frame)
        self.write(f"), {node.attr!r}, missing)) is not missing else environment.getattr(_rg_o, {node.attr!r}))")


class _Context(Context):
    """Jinja's Context, calling what templates call most (macros, methods, builtins) without Jinja's checks.

    ``Context.call`` asks every callable, and its ``__call__``, whether it wants the context passed
    (``pass_context``); a macro, a builtin or a method of an undecorated function never does. Everything
    else (classes such as ``namespace``, decorated functions) goes through Jinja's own ``call``.
    """

    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: ANN401, N805 - Jinja's signature
        cls = type(__obj)
        if cls is Macro or cls is BuiltinFunctionType or (
                cls is MethodType and not hasattr(__obj.__func__, "jinja_pass_arg")):
            if kwargs:  # what Jinja adds inside loops and blocks, for pass_context callables only
                kwargs.pop("_loop_vars", None)
                kwargs.pop("_block_vars", None)
            try:
                return __obj(*args, **kwargs)
            except StopIteration:
                return __self.environment.undefined(
                    "value was undefined because a callable raised a StopIteration exception")
        return super().call(__obj, *args, **kwargs)


class Environment(_FlatGlobals, jinja2.Environment):
    """The environment of the built-in templates (trusted code shipped with the package).

    ``getattr`` and ``getitem`` give what Jinja's give, without raising and catching an exception on the way:
    ``row.weight`` on a plain dict (the appendix rows) is its item, and ``selectattr("s.key")`` on an object
    that has no ``[]`` is its attribute. A report made some 150 such lookups; each exception cost as much as
    four attribute reads.
    """

    code_generator_class = _InlineGetattr
    context_class = _Context

    # Jinja's Environment.getattr and getitem, without raising on the way to an answer known beforehand (and
    # without a super() call: an extra call on every attribute a template reads costs more than it saves)
    def getattr(self, obj: Any, attribute: str) -> Any:  # noqa: ANN401 - Jinja's signature
        value = getattr(obj, attribute, _NOTHING)  # as try/except AttributeError, without an exception object
        if value is not _NOTHING:
            return value
        try:
            return obj[attribute]
        except (TypeError, LookupError, AttributeError):
            return self.undefined(obj=obj, name=attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:  # noqa: ANN401 - Jinja's signature
        if type(argument) is str and not isinstance(obj, type) and not hasattr(type(obj), "__getitem__"):
            # obj[argument] would raise TypeError: Jinja then takes the attribute
            value = getattr(obj, argument, _NOTHING)
            return self.undefined(obj=obj, name=argument) if value is _NOTHING else value
        return super().getitem(obj, argument)


_NOTHING = object()


class BoundedSandbox(_FlatGlobals, SandboxedEnvironment):
    """Jinja2's sandbox plus bounds on what a template may build: sizes, widths, exponents, loops, output."""

    intercepted_binops = frozenset({"*", "**", "%", "+"})
    template_class = _BoundedTemplate

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(times, int) and len(seq) * times > MAX_VALUE_CHARS:
                    _refuse(f"模板中生成的文字或列表过长（超过 {MAX_VALUE_CHARS} 项）")
        elif operator == "**":
            if isinstance(right, (int, float)) and abs(right) > MAX_EXPONENT and abs(left) > 1:
                _refuse(f"乘方的指数 {right} 超过上限 {MAX_EXPONENT}")
        elif operator == "%":
            _check_percent_format(left)
        result = super().call_binop(context, operator, left, right)
        return _check_size(result) if operator == "+" else result

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - Jinja's signature
        owner = getattr(__obj, "__self__", None)
        name = getattr(__obj, "__name__", "")
        if isinstance(owner, str):
            if name in _SIZED_METHODS and any(isinstance(a, int) and a > MAX_VALUE_CHARS for a in (*args, *kwargs.values())):
                _refuse(f"str.{name} 的宽度超过上限")
        return _check_size(super().call(__context, __obj, *args, **kwargs))

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        # Jinja hands templates a sandboxed wrapper of every str.format / format_map: check the format first
        wrapped = super().wrap_str_format(value)
        if wrapped is not None:
            _check_format_string(value.__self__)
        return wrapped


def _check_format_string(text: str) -> None:
    try:
        fields = list(string.Formatter().parse(text))
    except ValueError:
        return  # str.format will say what is wrong with it
    for _, _, spec, _ in fields:
        if spec and "{" in spec:
            _refuse("格式说明中不能再嵌套 {}（宽度须直接写出）")
        if spec:
            _check_spec(spec)


def _bounded_format(value: Any, *args: Any, **kwargs: Any) -> str:
    _check_percent_format(str(value))
    return _check_size(jinja2.filters.do_format(value, *args, **kwargs))


def _bounded_width(filter_name: str) -> Callable[..., Any]:
    original = jinja2.filters.FILTERS[filter_name]

    def bounded(value: Any, *args: Any, **kwargs: Any) -> Any:
        for arg in (*args, *kwargs.values()):
            if isinstance(arg, int) and not isinstance(arg, bool) and arg > MAX_WIDTH:
                _refuse(f"过滤器 {filter_name} 的宽度 {arg} 超过上限 {MAX_WIDTH}")
            if isinstance(arg, str) and len(arg) > MAX_WIDTH:
                _refuse(f"过滤器 {filter_name} 的参数过长")
        return _check_size(original(value, *args, **kwargs))

    return bounded


@jinja2.pass_eval_context
def _bounded_replace(eval_ctx: Any, value: Any, old: Any, new: Any, count: int | None = None) -> Any:
    text, old_text, new_text = str(value), str(old), str(new)
    times = (len(text) + 1 if not old_text else text.count(old_text)) if count is None else max(count, 0)
    if len(text) + times * len(new_text) > MAX_VALUE_CHARS:
        _refuse(f"过滤器 replace 生成的文字过长（超过 {MAX_VALUE_CHARS} 个字符）")
    return jinja2.filters.do_replace(eval_ctx, value, old, new, count)


_SANDBOX_FILTERS: dict[str, Callable[..., Any]] = {
    "format": _bounded_format,
    "replace": _bounded_replace,
    **{name: _bounded_width(name) for name in ("center", "indent")},
}


def _loader(user_dir: Path | None) -> jinja2.BaseLoader:
    builtin = jinja2.FileSystemLoader(str(templates_dir()), encoding="utf-8")
    if user_dir is None:
        return builtin
    if not user_dir.is_dir():
        raise TemplateError("模板目录不存在", where=str(user_dir), hint="--templates 应指向一个包含 .md.j2 文件的文件夹")
    # user files shadow built-in ones of the same name; everything else falls through
    return jinja2.ChoiceLoader([_ConfinedLoader(str(user_dir), encoding="utf-8"), builtin])


class _ConfinedLoader(jinja2.FileSystemLoader):
    """A FileSystemLoader that refuses templates whose real path (symlinks resolved) leaves its folder."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)
        for folder in self.searchpath:
            if Path(folder, *pieces).is_file():
                confined(Path(folder), Path(*pieces), TemplateError)
        return super().get_source(environment, template)


@cache
def build_environment(user_dir: str | None = None) -> jinja2.Environment:
    """Build (once per template folder) the environment with our filters.

    With a user template folder every template runs sandboxed (a user file may be included by,
    or include, any other). The built-in templates alone are trusted code shipped with the
    package, and the sandbox's per-attribute checks would cost a quarter of the render time.
    """
    cls = BoundedSandbox if user_dir else Environment
    env = cls(
        loader=_loader(Path(user_dir) if user_dir else None),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,  # Markdown, not HTML: data is escaped for Markdown when the facts are built
        auto_reload=False,
    )
    env.filters.update(_SYNC_FILTERS)
    env.filters.update(FILTERS)
    if user_dir:
        env.filters.update(_SANDBOX_FILTERS)
        env.globals.update(range=_bounded_range, namespace=_BoundedNamespace)
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
