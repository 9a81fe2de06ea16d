"""The evaluation form as data: what a 项目支出绩效自评表 says, kept as printed.

Canonical keys are English; the Chinese labels users know are accepted as aliases
(``项目名称`` for ``project``…). Targets and actuals stay raw strings — parsing them is
``values``' job and scoring is ``scoring``'s — so nothing printed on the form is lost.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from reportgen.defaults import MAX_NAME_CHARS, MAX_NUMBER_CHARS, MAX_TEXT_CHARS
from reportgen.errors import Place
from reportgen.evaluation import vocabulary

# What validation changed on purpose (a cell in 元 converted to the form's 万元), as (path, message): validators
# cannot return findings, so ``validate_data`` collects these notes around ``model_validate`` and turns them
# into findings with the cell's place.
_NOTES: ContextVar[list[tuple[str, str]] | None] = ContextVar("reportgen_model_notes", default=None)


@contextmanager
def collect_notes() -> Iterator[list[tuple[str, str]]]:
    """Collect the (field path, message) notes validators leave while a form is validated."""
    notes: list[tuple[str, str]] = []
    token = _NOTES.set(notes)
    try:
        yield notes
    finally:
        _NOTES.reset(token)


def _note(path: str, message: str) -> None:
    notes = _NOTES.get()
    if notes is not None:
        notes.append((path, message))

_SEPARATORS = str.maketrans({"，": ",", "．": ".", "％": "%", "　": " "})
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def to_decimal(value: Any) -> Any:
    """Turn printed numbers (``2,440.91``, ``１００``, ``98分``) into Decimal; leave the rest to pydantic."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, float, Decimal)):
        # repr round-trips a float's shortest decimal, so 2440.91 stays 2440.91
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        # NaN/Infinity go back to pydantic, which rejects them: they would break every comparison downstream
        return number if number.is_finite() else value
    if isinstance(value, str):
        text = value.translate(_SEPARATORS).translate(_FULLWIDTH_DIGITS).strip()
        if text in ("", "-", "—", "/", "无"):
            return None
        text = _THOUSANDS.sub("", text)
        text = _UNIT_SUFFIX.sub("", text)
        if len(text) > MAX_NUMBER_CHARS and text[:1].isdigit():
            # thousands of digits are no figure a form prints: say so, instead of parsing (and printing) them
            raise ValueError(f"数字位数过多（{len(text)} 位），不是自评表上的数值")
        try:
            number = Decimal(text)
        except InvalidOperation:
            return value  # pydantic reports it as "not a number" with the field path
        return number if number.is_finite() else value
    return value


# a comma between digits with exactly three digits after it: "3,200万元", "1,234,567", "2,440.91"; \b would
# not match between a digit and a Chinese character, so the lookahead only refuses a fourth digit
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_UNIT_SUFFIX = re.compile(r"\s*(分|万元|元)$")
# an amount's own unit, for converting it to the form's: how many 元 one of it is
_MONEY_UNITS = {"元": Decimal(1), "万元": Decimal(10_000), "亿元": Decimal(100_000_000)}
_AMOUNT_WITH_UNIT = re.compile(r"^(?P<number>.*?\d.*?)\s*(?P<unit>亿元|万元|元|万|亿)$")
# forms write "150万" for 150万元 as often as not (a bare 万 after an amount means nothing else)
_SHORT_UNITS = {"万": "万元", "亿": "亿元"}


def convert_amount(value: Any, unit: str, path: str) -> Any:
    """Read an amount printed with its own unit (``810万元`` in a form kept in 元) in the form's ``unit``.

    Stripping the unit would be a 10,000-fold error; the conversion is noted (a finding naming the cell).
    Values without a unit, or in the form's unit, are returned unchanged for ``to_decimal``.
    """
    if not isinstance(value, str):
        return value
    text = value.translate(_SEPARATORS).translate(_FULLWIDTH_DIGITS).strip()
    m = _AMOUNT_WITH_UNIT.match(text)
    if m is None or unit not in _MONEY_UNITS:
        return value
    own = _SHORT_UNITS.get(m["unit"], m["unit"])
    if own == unit:
        return value if own == m["unit"] else to_decimal(m["number"])
    number = to_decimal(m["number"])
    if not isinstance(number, Decimal):
        return value
    converted = number * _MONEY_UNITS[own] / _MONEY_UNITS[unit]
    shown = format(converted.normalize(), "f")
    _note(path, f"“{value.strip()}”的单位与表内金额单位（{unit}）不同，已按{own}换算为 {shown}{unit}")
    return converted


# Beyond these a figure is no amount, score or rate a form prints, and Decimal arithmetic (28 digits) would
# overflow when rounding rates and scores: such input is refused as impossible rather than crashing later.
_LARGEST = Decimal("1e12")
_SMALLEST = Decimal("1e-6")


def plausible(value: Decimal | None) -> Decimal | None:
    """Refuse numbers no form prints (1e30万元, 1e-20分) with a message pydantic attaches to the field."""
    if value is not None and (abs(value) >= _LARGEST or (value and abs(value) < _SMALLEST)):
        shown = str(value) if len(str(value)) <= 24 else f"{value:.6E}"
        raise ValueError(f"数值“{shown}”超出合理范围（绝对值应小于1万亿，且不小于0.000001）")
    return value


def to_percent(value: Any) -> Any:
    """Read a printed rate: ``100%``, ``100.00%``, ``1`` (a fraction) or ``0.95``; return a fraction."""
    if isinstance(value, str):
        text = value.translate(_SEPARATORS).translate(_FULLWIDTH_DIGITS).strip()
        if text.endswith("%"):
            number = to_decimal(text[:-1])
            return number / 100 if isinstance(number, Decimal) else value
        value = text
    number = to_decimal(value)
    if isinstance(number, Decimal) and number > Decimal("1.5"):
        # forms print "100" in a rate column meaning 100 %; a fraction above 1.5 is implausible
        return number / 100
    return number


def to_text(value: Any) -> Any:
    """Keep printed cells as text: numbers become their printed form, blanks become None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    typed = getattr(value, "typed", None)
    if isinstance(typed, str):
        return typed.strip() or None  # a YAML number where text is expected: the digits as the user wrote them
    if isinstance(value, float):
        value = repr(value).removesuffix(".0")
    if isinstance(value, (int, Decimal)):
        value = str(value)
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def to_text_list(value: Any) -> Any:
    """Accept a string or a list of strings; split a numbered string (``1、… 2、…``) into items."""
    if value is None:
        return []
    if isinstance(value, str):
        return split_numbered(value)
    if isinstance(value, list):
        return [t for t in (to_text(v) for v in value) if t]
    return value


# an item's number as forms print it (also what makes a text enumerate itself: cleaning.unnumbered)
ITEM_MARK = re.compile(
    r"(?:^|(?<=[\s。；;]))\s*"
    r"(?:[（(]?\d{1,2}[)）]|\d{1,2}(?:、|[.．](?!\d))|[一二三四五六七八九十]是|[一二三四五六七八九十]、)"
)


def split_numbered(text: str) -> list[str]:
    """Split ``"1、甲。 2、乙。"`` into ``["甲。", "乙。"]``; text without numbering stays one item."""
    text = text.strip()
    if not text:
        return []
    marks = list(ITEM_MARK.finditer(text))
    if len(marks) < 2 or marks[0].start() > 0:
        return [text]
    items = []
    for mark, nxt in zip(marks, [*marks[1:], None], strict=True):
        item = text[mark.end() : nxt.start() if nxt else len(text)].strip()
        if item:
            items.append(item)
    return items


def to_date(value: Any) -> Any:
    """Read ``2021-06-30``, ``2021年6月30日``, ``2021/6/30`` or a YAML date."""
    if isinstance(value, _dt.datetime):
        return value.date()  # a YAML timestamp "2021-06-30 10:00"; the form prints a day
    if value is None or isinstance(value, _dt.date):
        return value
    if isinstance(value, (bool, int, float, Decimal)):
        return to_text(value)  # printed as is ("20210630"); a date type would read it as a timestamp
    if isinstance(value, str):
        text = value.translate(_FULLWIDTH_DIGITS).strip()
        if not text:
            return None
        m = re.fullmatch(r"(\d{4})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})\s*日?", text)
        if m:
            try:
                return _dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                return value
    return value




def _bounded(limit: int, what: str) -> Any:
    def check(value: Any) -> Any:
        if isinstance(value, str) and len(value) > limit:
            raise ValueError(f"{what}过长（{len(value)} 字，最多 {limit} 字），请删去多余的内容")
        if isinstance(value, list):
            for item in value:
                check(item)
        return value

    return check


_short = _bounded(MAX_NAME_CHARS, "名称")
_long = _bounded(MAX_TEXT_CHARS, "文字")

Amount = Annotated[Decimal | None, BeforeValidator(to_decimal), AfterValidator(plausible)]
Rate = Annotated[Decimal | None, BeforeValidator(to_percent), AfterValidator(plausible)]
Text = Annotated[str | None, BeforeValidator(to_text), AfterValidator(_long)]
Name = Annotated[str | None, BeforeValidator(to_text), AfterValidator(_short)]
TextList = Annotated[list[str], BeforeValidator(to_text_list), AfterValidator(_long)]


def _not_negative(what: str) -> AfterValidator:
    def check(value: Decimal | None) -> Decimal | None:
        if value is not None and value < 0:
            raise ValueError(f"{what}不能为负数")
        return value

    return AfterValidator(check)


def _required(what: str) -> BeforeValidator:
    """A name the form cannot do without (项目名称, 三级指标名称): present, not blank, not overlong."""

    def check(value: Any) -> Any:
        text = to_text(value)
        if not text:
            raise ValueError(f"{what}不能为空")
        return _short(text)

    return BeforeValidator(check)


Money = Annotated[Amount, _not_negative("金额")]
Points = Annotated[Amount, _not_negative("分值")]


def _keys(part: str, name: str) -> AliasChoices:
    """The keys YAML accepts for a field: its English name and its labels (lexicon/labels.yaml)."""
    return AliasChoices(*vocabulary.yaml_keys(part, name))


def _alias(part: str, name: str) -> Any:
    return Field(default=None, validation_alias=_keys(part, name))


def _field_keys(model: type[BaseModel], name: str) -> list[str]:
    """The keys a user may write for field ``name`` (its aliases)."""
    alias = model.model_fields[name].validation_alias
    return [c for c in alias.choices if isinstance(c, str)] if isinstance(alias, AliasChoices) else [name]


class _Model(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid", frozen=False)


class FundSource(_Model):
    """One 资金来源 row: 本年财政拨款, 上年结转, 其他资金…"""

    name: str = Field(validation_alias=_keys("fund_source", "name"))
    initial: Money = _alias("budget", "initial")
    adjusted: Money = _alias("budget", "adjusted")
    executed: Money = _alias("budget", "executed")

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value: Any) -> Any:
        return _short(to_text(value))


class Budget(_Model):
    """项目资金 / 预算执行情况: the money block, in the form's own unit."""

    unit: str = Field(default="万元", validation_alias=_keys("budget", "unit"))
    weight: Points = _alias("budget", "weight")
    initial: Money = _alias("budget", "initial")
    adjusted: Money = _alias("budget", "adjusted")
    executed: Money = _alias("budget", "executed")
    rate: Rate = _alias("budget", "rate")
    score: Amount = _alias("budget", "score")
    sources: list[FundSource] = Field(default_factory=list, validation_alias=_keys("budget", "sources"))
    # department-wide forms (Hunan's 按收入性质分 / 按支出性质分): rows such as 财政拨款收入, 基本支出, 项目支出
    income: list[FundSource] = Field(default_factory=list, validation_alias=_keys("budget", "income"))
    spending: list[FundSource] = Field(default_factory=list, validation_alias=_keys("budget", "spending"))

    @model_validator(mode="before")
    @classmethod
    def _own_units(cls, data: Any) -> Any:
        """Convert amounts printed in another unit than the form's (``500元`` in a 万元 form)."""
        if not isinstance(data, dict):
            return data
        unit_key = next((k for k in _field_keys(cls, "unit") if k in data), None)
        unit = to_text(data[unit_key]) if unit_key else "万元"
        # any other value (a mapping, a list) is left for the unit field to refuse with its message
        unit = _SHORT_UNITS.get(unit, unit) if isinstance(unit, str) and unit else (unit or "万元")
        out = dict(data)
        for field in ("initial", "adjusted", "executed"):
            for key in _field_keys(cls, field):
                if key in out:
                    out[key] = convert_amount(out[key], unit, f"budget.{field}")
        sources_key = next((k for k in _field_keys(cls, "sources") if k in out), None)
        if sources_key and isinstance(out[sources_key], list):
            rows = []
            for i, row in enumerate(out[sources_key]):
                if isinstance(row, dict):
                    row = dict(row)
                    for field in ("initial", "adjusted", "executed"):
                        for key in _field_keys(FundSource, field):
                            if key in row:
                                row[key] = convert_amount(row[key], unit, f"budget.sources[{i}].{field}")
                rows.append(row)
            out[sources_key] = rows
        return out

    @field_validator("unit", mode="before")
    @classmethod
    def _unit(cls, value: Any) -> Any:
        text = to_text(value) or "万元"
        text = _SHORT_UNITS.get(text, text) if isinstance(text, str) else text
        if text in ("万元", "元"):
            return text
        raise ValueError("金额单位只能是“万元”或“元”")


class Goals(_Model):
    """年度总体目标: what was planned and what was achieved (free text)."""

    planned: Text = _alias("goals", "planned")
    revised: Text = _alias("goals", "revised")
    achieved: Text = _alias("goals", "achieved")


class Task(_Model):
    """One 年度主要工作任务 of a department-wide form: what was planned, and what the form reports done."""

    name: Annotated[str, _required("任务名称")] = Field(validation_alias=_keys("task", "name"))
    planned: Text = _alias("task", "planned")
    result: Text = _alias("task", "result")

    @model_validator(mode="before")
    @classmethod
    def _plain(cls, value: Any) -> Any:
        # a task may be written as a bare line ("- 完成全年新闻宣传任务")
        return {"name": value} if isinstance(value, str) else value


_YES = {"是", "√", "✓", "★", "y", "yes", "true", "1", "核心", "核心指标"}
_NO = {"否", "", "n", "no", "false", "0", "×", "非核心"}


def to_flag(value: Any) -> Any:
    """Read a 是/否 column (是否核心指标): 是, √, ★, true; 否, empty, false."""
    if value is None or isinstance(value, bool):
        return bool(value)
    text = str(value).strip().lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    return value  # pydantic says "应为是/否"


Flag = Annotated[bool, BeforeValidator(to_flag)]


def to_task_list(value: Any) -> Any:
    """Accept the tasks as a list, or as one numbered text (``1、… 2、…``): one task per item."""
    return split_numbered(value) if isinstance(value, str) else value


class Indicator(_Model):
    """One 三级指标 row, every cell as printed."""

    level1: Name = _alias("indicator", "level1")
    level2: Name = _alias("indicator", "level2")
    name: Annotated[str, _required("三级指标名称")] = Field(validation_alias=_keys("indicator", "name"))
    weight: Points = _alias("indicator", "weight")
    target: Text = _alias("indicator", "target")
    actual: Text = _alias("indicator", "actual")
    score: Amount = _alias("indicator", "score")
    cause: Text = _alias("indicator", "cause")
    measure: Text = _alias("indicator", "measure")
    core: Flag = Field(default=False, validation_alias=_keys("indicator", "core"))
    # the Chongqing department layout (domain.md §2.2): 指标得分 = 指标权重 × 得分系数
    coef: Rate = _alias("indicator", "coef")
    adjusted_target: Text = _alias("indicator", "adjusted_target")
    nature: Text = _alias("indicator", "nature")
    unit: Text = _alias("indicator", "unit")


class Contacts(_Model):
    project_lead: Name = _alias("contacts", "project_lead")
    finance_lead: Name = _alias("contacts", "finance_lead")
    phone: Name = _alias("contacts", "phone")


FormKind = Literal["project", "department"]

#: what ``type:`` (or 表式/自评表类型) may say to name the kind of form; other 项目类型 values are 常年性项目…
_KIND_WORDS: dict[str, FormKind] = {
    **dict.fromkeys(("project", "项目", "项目支出", "项目支出绩效自评表"), "project"),
    **dict.fromkeys(
        (
            "department",
            "dept",
            "unit",
            "部门",
            "部门整体",
            "部门整体支出",
            "单位整体",
            "单位整体支出",
            "整体支出",
            "部门整体支出绩效自评表",
            "单位整体支出绩效自评表",
        ),
        "department",
    ),
}
#: the words in a form's printed title that make it department-wide
DEPARTMENT_MARKERS = ("部门整体", "单位整体")
_KIND_KEYS = vocabulary.yaml_keys("form", "kind")
_TYPE_KEYS = vocabulary.yaml_keys("form", "type")
_PROJECT_KEYS = vocabulary.yaml_keys("form", "project")
_TITLE_KEYS = vocabulary.yaml_keys("form", "title")
_INDICATOR_KEYS = vocabulary.block_keys("indicators")
_BUDGET_KEYS = vocabulary.block_keys("budget")
KIND_LABEL: dict[str, str] = {"project": "项目支出绩效自评表", "department": "部门整体支出绩效自评表"}
#: why a form without 项目名称 is refused, and what to write instead
MISSING_SUBJECT = (
    "缺少项目名称，也没有部门整体支出的标记：项目支出自评表请填写“项目名称”（project）；"
    "部门整体支出自评表请注明 type: department（或“部门整体”），或使用含“部门整体”“单位整体”的表名（title）"
)


def kind_word(value: Any) -> FormKind | None:
    """Return the form kind a ``type:`` value names (department, 部门整体…), or None for other words."""
    text = to_text(value)
    if not isinstance(text, str):
        return None
    return _KIND_WORDS.get(text.strip().lower().replace(" ", ""))


def detect_kind(data: dict[str, Any]) -> FormKind | None:
    """Work out the kind of form plain data describes: an explicit type, else a department title; None if unsure."""
    for key in (*_KIND_KEYS, *_TYPE_KEYS):
        kind = kind_word(data.get(key))
        if kind is not None:
            return kind
    title = next((data[k] for k in _TITLE_KEYS if isinstance(data.get(k), str)), "")
    if any(marker in title for marker in DEPARTMENT_MARKERS):
        return "department"
    if any(k in data for k in _PROJECT_KEYS):
        return "project"  # an empty 项目名称 is reported as such by the field's own validator
    if management_rows(data) >= _MANAGEMENT_ROWS:
        # no 项目名称, no marker, but the unit reports on 预算执行率, 三公经费, 结转结余率…: a whole-unit form
        # (the Chongqing layout prints no title in the table itself); validate and import say why it was read so
        return "department"
    return None


#: how many management indicators (lexicon/management.yaml) make a form without 项目名称 department-wide;
#: one alone could be a project's own 预算执行率 row, two or more are the generic 部门整体 set
_MANAGEMENT_ROWS = 2


@cache
def _management_words() -> tuple[str, ...]:
    from reportgen.resources import lexicon_dir

    data = yaml.safe_load((lexicon_dir() / "management.yaml").read_text(encoding="utf-8")) or {}
    return tuple(str(w) for w in data.get("words") or [] if str(w).strip())


def management_rows(data: dict[str, Any]) -> int:
    """Count the indicator rows of plain form data whose names are generic 部门整体 management indicators."""
    rows: list[Any] = next((data[k] for k in _INDICATOR_KEYS if isinstance(data.get(k), list)), [])
    words = _management_words()
    name_keys = vocabulary.yaml_keys("indicator", "name")
    names = (str(next((row[k] for k in name_keys if row.get(k)), "")) for row in rows if isinstance(row, dict))
    return sum(1 for name in names if any(w in name for w in words))


class EvaluationForm(_Model):
    """A project's 绩效自评表 (or a department's 部门整体支出绩效自评表), as printed; scoring never changes it."""

    kind: FormKind = Field(default="project", validation_alias=_keys("form", "kind"))
    # True when nothing printed names the kind and the indicators decided it (said by validate and import)
    kind_inferred: bool = Field(default=False, exclude=True)
    title: Name = _alias("form", "title")
    year: int | None = _alias("form", "year")
    unit: Name = _alias("form", "unit")
    filled_on: Annotated[_dt.date | str | None, BeforeValidator(to_date)] = _alias("form", "filled_on")
    project: Annotated[str | None, _required("项目名称")] = _alias("form", "project")
    department: Name = _alias("form", "department")
    implementer: Name = _alias("form", "implementer")
    category: Name = _alias("form", "category")
    attribute: Name = _alias("form", "attribute")
    type: Name = _alias("form", "type")
    overview: Text = _alias("form", "overview")
    budget: Budget | None = Field(default=None, validation_alias=AliasChoices(*_BUDGET_KEYS))
    goals: Goals | None = Field(default=None, validation_alias=AliasChoices(*vocabulary.block_keys("goals")))
    categories: dict[str, Amount] = Field(default_factory=dict, validation_alias=_keys("form", "categories"))
    indicators: list[Indicator] = Field(validation_alias=AliasChoices(*_INDICATOR_KEYS))
    total_score: Amount = _alias("form", "total_score")
    grade: Name = _alias("form", "grade")
    deviation_analysis: TextList = Field(default_factory=list, validation_alias=_keys("form", "deviation_analysis"))
    improvement_measures: TextList = Field(default_factory=list, validation_alias=_keys("form", "improvement_measures"))
    other_notes: Text = _alias("form", "other_notes")
    # how the unit organised its self-evaluation (组织方式、步骤、方法): the report states it only when given
    self_evaluation: Text = _alias("form", "self_evaluation")
    contacts: Contacts | None = _alias("form", "contacts")
    # department-wide forms: the unit's functions, organisation and staff, and its annual tasks
    functions: Text = _alias("form", "functions")
    organisation: Text = _alias("form", "organisation")
    tasks: Annotated[list[Task], BeforeValidator(to_task_list)] = Field(
        default_factory=list, validation_alias=AliasChoices(*vocabulary.block_keys("tasks"))
    )

    @model_validator(mode="before")
    @classmethod
    def _kind_and_subject(cls, data: Any) -> Any:
        """Tell project from department forms; a department form needs no 项目名称, nor indicator rows with a budget."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for key in _KIND_KEYS:
            if key in data and kind_word(data[key]) is None:
                raise ValueError(f"表式“{data[key]}”无法识别：请写 project（项目支出）或 department（部门整体支出）")
        kind = detect_kind(data)
        if kind is None:
            raise ValueError(MISSING_SUBJECT)
        named = any(kind_word(data.get(k)) is not None for k in (*_KIND_KEYS, *_TYPE_KEYS))
        titled = any(m in str(data.get(k) or "") for k in _TITLE_KEYS for m in DEPARTMENT_MARKERS)
        data["kind_inferred"] = kind == "department" and not named and not titled
        for key in (*_KIND_KEYS, *_TYPE_KEYS):
            # `type: department` names the form kind; 常年性项目 and the like stay the 项目类型
            if kind_word(data.get(key)) is not None:
                data.pop(key)
        data["kind"] = kind
        # a 综述-only form (budget block, total and causes, no indicator rows) is read; without a budget it is no form
        has_indicators = any(k in data for k in _INDICATOR_KEYS)
        if not has_indicators and any(data.get(k) is not None for k in _BUDGET_KEYS):
            data["indicators"] = []
        return data

    @property
    def is_department(self) -> bool:
        return self.kind == "department"

    @property
    def kind_label(self) -> str:
        """The kind of form as users call it: 项目支出绩效自评表 / 部门整体支出绩效自评表."""
        return KIND_LABEL[self.kind]

    @property
    def kind_basis(self) -> str:
        """Why the form was read as its kind, for ``validate`` and ``import`` to say."""
        marker = next((m for m in DEPARTMENT_MARKERS if m in (self.title or "")), None)
        if self.is_department:
            if marker:
                return f"表名含“{marker}”"
            if self.kind_inferred:
                return "未填项目名称，指标为预算执行率、三公经费等部门整体管理类指标；如系项目支出自评表请填写项目名称"
            return "注明了 type: department"
        return "填有项目名称"

    @property
    def subject(self) -> str | None:
        """What the report is about: the project, or for a department-wide form the unit."""
        if self.is_department:
            return self.unit or self.department or self.project
        return self.project

    @field_validator("year", mode="before")
    @classmethod
    def _year(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError("年度应为四位数的年份，如 2021")
        if isinstance(value, str):
            m = re.fullmatch(r"\s*(\d{4})\s*年?度?\s*", value.translate(_FULLWIDTH_DIGITS))
            if m:
                return int(m[1])
        return value

    @field_validator("year")
    @classmethod
    def _plausible_year(cls, value: int | None) -> int | None:
        if value is not None and not 1900 <= value <= 2200:
            raise ValueError(f"年度“{value}”不是合理的年份（应为四位数，如 2021）")
        return value

    @model_validator(mode="after")
    def _indicators(self) -> EvaluationForm:
        # a form with its budget block or total but no indicator rows still gives a 综述 (issue 14)
        if not self.indicators and self.budget is None:
            raise ValueError("指标列表为空：自评表至少需要一项绩效指标（或预算执行情况）")
        return self

    @field_validator("grade")
    @classmethod
    def _grade(cls, value: str | None) -> str | None:
        # 优秀/良好 are printed too; keep one spelling so comparisons are simple
        return vocabulary.grade_spellings().get(value or "", value)


class SourceMap:
    """Where each field of a form came from: file plus YAML line or sheet!cell per field path."""

    def __init__(self, file: str, places: dict[str, str] | None = None, sheet: str | None = None) -> None:
        self.file = file
        self.places = places or {}
        self.sheet = sheet
        # findings about reading itself (control characters removed, an amount converted), for ``evaluate``
        self.findings: list[Any] = []

    def locate(self, path: str = "") -> str:
        """Return ``file:line`` (or ``file!Sheet!E14``) for a field path, falling back to its parents."""
        probe = path
        while True:
            if probe in self.places:
                return f"{self.file}{self.places[probe]}"
            if not probe:
                break
            parent = re.sub(r"(\.[^.\[]+|\[\d+\])$", "", probe)
            # a top-level key ("total_score") has no ".x"/"[i]" tail: its parent is the document itself
            probe = parent if parent != probe else ""
        return self.file + (f"!{self.sheet}" if self.sheet else "")

    def place(self, path: str = "", field: str | None = None) -> Place:
        """``locate`` as a structured place, with ``field`` (``path`` unless given) as its field path."""
        return Place.within(self.file, self.locate(path)[len(self.file):], field=field or path or None)


def attach_source(form: EvaluationForm, source: SourceMap) -> EvaluationForm:
    """Remember where a form was read from, for messages and findings."""
    object.__setattr__(form, "_source", source)
    return form


def source_of(form: EvaluationForm) -> SourceMap:
    """Return the form's SourceMap (an anonymous one for forms built in code)."""
    return getattr(form, "_source", None) or SourceMap("<内存>")
