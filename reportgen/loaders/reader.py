"""Read a form out of a grid by its labels: ``read_grid(grid) -> (data, places, warnings)``.

One reader serves every tabular source (xlsx, Word tables, extracted text). It looks for
the labels printed on 项目支出绩效自评表 variants — 项目名称, 预算数(A), 三级指标, 得分 … —
never for fixed addresses, and returns plain data in our YAML structure (canonical keys,
cells as printed), a map ``field path -> place`` and a warning for every cell it could
not place. ``read_form`` validates that data with the same code as YAML input, so the
messages are the same whatever the source.

Every label is matched on its core (``label_key``): brackets (units, weights, formulas)
and ``其中：`` are stripped, so ``预算执行情况(万)(20分)`` is found as ``预算执行情况``
and its unit and weight are read from what was stripped. The grid is indexed once, so
reading is linear in the number of cells.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from reportgen.errors import InputError, Place
from reportgen.evaluation import vocabulary
from reportgen.evaluation.model import EvaluationForm, SourceMap, split_numbered, to_decimal
from reportgen.loaders.grid import Cell, Grid, is_number, label_key, norm
from reportgen.loaders.structured import validate_data

# ---------------------------------------------------------------------------------------------
# Vocabulary: what a printed label means. Labels are written as label_key() forms (brackets and
# 其中： stripped), alternatives separated by spaces.


def _grid_labels(part: str, prefix: str = "", rename: dict[str, str] | None = None) -> dict[str, str]:
    """Return ``{label core: field}`` for one part of the form (lexicon/labels.yaml)."""
    out: dict[str, str] = {}
    for name, printed in vocabulary.fields(part).items():
        for text in printed:
            out.setdefault(label_key(text), prefix + (rename or {}).get(name, name))
    return out


def _cores(words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(label_key(w) for w in words))


FIELD_LABELS: dict[str, str] = _grid_labels("form") | _grid_labels("contacts", "contacts.")
#: fields whose value may sit under the label instead of beside it (long free text)
_TEXT_BELOW = {
    "overview", "deviation_analysis", "improvement_measures", "other_notes", "self_evaluation", "functions",
    "organisation",
}
_LIST_FIELDS = {"deviation_analysis", "improvement_measures"}
_CHOICE_FIELDS = {"category", "attribute", "type"}
#: labels that end an indicator block when they open a row; 合计 only counts there
_TOTAL_KEYS = set(_cores(vocabulary.total_rows()))
_FOOTNOTE = re.compile(r"^(注|说明|备注|填表说明|填报说明)\d*[:：.、]")

# a budget title is matched at the start of a cell's core (预算执行情况(万元)(20分) and 预算执行情况表)
_BUDGET_TITLES = _cores(vocabulary.block_titles("budget"))
_BUDGET_COLUMNS: dict[str, str] = _grid_labels("budget")
_AMOUNT_ROLES = ("initial", "adjusted", "executed")
_TOTAL_ROW = re.compile(r"总额|合计|总计|小计")
_FUND_ROW = re.compile(r"总额|合计|总计|小计|拨款|结转|结余|资金|财政|自筹|收入|支出")

_GOAL_BLOCK = set(_cores(vocabulary.block_titles("goals")))
_GOAL_PLANNED = set(_cores(vocabulary.labels("goals", "planned")))
_GOAL_ADJUSTED = set(_cores(vocabulary.labels("goals", "revised")))
_GOAL_ACHIEVED = set(_cores(vocabulary.labels("goals", "achieved")))

# 指标性质 is read as role "op": an operator to join to the target, unless it names the kind (定量/定性)
_INDICATOR_COLUMNS: dict[str, str] = _grid_labels("indicator", rename={"nature": "op"}) | dict.fromkeys(
    _cores(vocabulary.ignored_columns()), "ignore"
)
#: the annual-task table of department-wide forms: 任务名称 | 主要内容 | 完成情况
_TASK_COLUMNS: dict[str, str] = _grid_labels("task")
_TASK_TITLES = set(_cores(vocabulary.block_titles("tasks")))
#: the block's own names (年度主要任务), which some forms print as the task column's header and others as the
#: title left of 任务名称 | 主要内容 | 完成情况
_TASK_BLOCK = set(_cores(vocabulary.block_keys("tasks")))
_INDICATOR_TITLES = set(_cores(vocabulary.block_titles("indicators")))
_NUMERIC_ROLES = {"weight", "score"}
_UNIT_ONLY = re.compile(r"^\s*(?:分|万元|元|%|％)\s*$")
_UNIT_REMARK = re.compile(r"^\s*(?:分|万元|元|%|％)?\s*[（(]([^()（）\d]{4,})[)）]\s*$")
_NUMERIC_PATHS = {"total_score", "budget.weight", "budget.score", "budget.rate"}

# 成本指标 is a level-2 label on older forms and a level-1 one on newer ones; alone in a row it is
# taken as level 2, beside another label the row's order decides (domain.md §2.2)
_LEVEL1 = set(vocabulary.level1_names())
_LEVEL2 = set(vocabulary.level2_names())
_LEVELS = _LEVEL1 | _LEVEL2
_GRADES = set(vocabulary.grade_spellings())

_WEIGHT_SUFFIX = re.compile(r"[(（]\s*(\d+(?:\.\d+)?)\s*分\s*[)）]\s*$")
_BARE_SUFFIX = re.compile(r"[(（]\s*(\d+(?:\.\d+)?)\s*(?:分\s*)?[)）]\s*$")
_LABEL_WEIGHT = re.compile(r"[(（]\s*(\d+(?:\.\d+)?)\s*分?\s*[)）]|(\d+(?:\.\d+)?)\s*分")
_UNIT_IN_TITLE = re.compile(r"[(（]\s*(万元|万|元)\s*[)）]")
_UNIT_NOTE = re.compile(r"^(?:金额)?单位[:：](万元|万|元)$")
_YEAR_IN_TITLE = re.compile(r"(\d{4})\s*年度?")
# a value that prints its own comparator (symbol, look-alike or word: lexicon/labels.yaml) needs none joined
_COMPARATORS = {w for w, _ in (*vocabulary.comparator_symbols(), *vocabulary.comparator_words())}
_LEADING_OPERATOR = re.compile(
    r"\s*(?:[≧≦⩾⩽═﹦＝]|" + "|".join(re.escape(w) for w in sorted(_COMPARATORS, key=len, reverse=True)) + r"|不得)"
)
# "（2022年度）" under the title; extraction loses a bracket now and then ("2019年度)")
_YEAR_SUBTITLE = re.compile(r"\s*[（(]?\s*((?:19|20)\d{2})\s*(?:年度\s*[）)]?|年?\s*[）)])\s*")
_PLACEHOLDER_NAME = re.compile(r"^(?:指标\d*[:：]?|…+|\.{3,}|—+|-+)$")
_CORE_MARK = re.compile(r"^[★☆*]+\s*")
_MEASURE_MARK = re.compile(r"(?:^|\n)\s*(?:拟采取的)?(?:改进措施|整改措施|措施)\s*[:：]")
_CAUSE_PREFIX = re.compile(r"^\s*(?:偏差原因分析|偏差原因|未完成原因|原因)\s*[:：]\s*")
_BOX_ON = "☑☒■√✓✔▣"
_BOX_ALL = _BOX_ON + "☐□"
_OPTION_NUMBER = re.compile(r"(?:^|(?<=\s))\d{1,2}\s*[、.．]\s*")
_OCR_BOX = re.compile(r"(?<=[\u4e00-\u9fff])[口0○OＯ](?=\s|$|[、,，;；])")


@dataclass(frozen=True)
class ReadWarning:
    """A cell the reader could not place, or a value it had to work out."""

    ref: str
    message: str

    def format(self, file: str) -> str:
        """Return the warning with its full place: ``form.xlsx!Sheet1!H20：…``."""
        return f"{file}{self.ref}：{self.message}"


def _all_label_keys() -> frozenset[str]:
    keys = set(FIELD_LABELS) | set(_BUDGET_COLUMNS) | set(_INDICATOR_COLUMNS) | _INDICATOR_TITLES
    keys |= set(_TASK_COLUMNS) | _TASK_TITLES
    return frozenset(keys | _GOAL_BLOCK | _GOAL_PLANNED | _GOAL_ADJUSTED | _GOAL_ACHIEVED | _TOTAL_KEYS)


_LABELS = _all_label_keys()
_INLINE = re.compile(
    "(" + "|".join(sorted((re.escape(k) for k in FIELD_LABELS), key=len, reverse=True)) + r")\s*[:：]"
)


def read_grid(grid: Grid, file: str = "") -> tuple[dict[str, Any], dict[str, str], list[ReadWarning]]:
    """Read one project's form from ``grid``: plain data, ``field path -> place`` and warnings.

    Raises InputError (placed at ``file`` + the grid's place) when the grid is empty or has
    no indicator header; everything else is left to validation.
    """
    return _Reader(grid, file).read()


def read_form(grid: Grid, file: str) -> tuple[EvaluationForm, list[ReadWarning]]:
    """Read and validate one project's form from ``grid``; messages name ``file`` and the cell."""
    data, places, warnings = read_grid(grid, file)
    return validate_data(data, SourceMap(file, places, grid.name or None)), warnings


# ---------------------------------------------------------------------------------------------
# Finding projects in a grid


def _inline_fields(text: str) -> list[tuple[str, str]]:
    """Split ``单位名称：甲 填报日期：乙`` into ``[("unit", "甲"), ("filled_on", "乙")]``; [] when not such a cell."""
    stripped = text.strip()
    matches = list(_INLINE.finditer(stripped))
    if not matches or matches[0].start() != 0:
        return []
    pairs = []
    for match, nxt in zip(matches, [*matches[1:], None], strict=True):
        value = stripped[match.end() : nxt.start() if nxt else len(stripped)].strip()
        pairs.append((FIELD_LABELS[match.group(1)], value))
    return pairs


def _is_project_label(cell: Cell) -> bool:
    if "项目名称" not in cell.text:
        return False
    return label_key(cell.text) == "项目名称" or any(f == "project" for f, _ in _inline_fields(cell.text))


def has_project(grid: Grid) -> bool:
    """Say whether the grid names a project (a 项目名称 label)."""
    return any(_is_project_label(cell) for cell in grid.cells())


#: a title naming a department-wide form: 部门整体支出绩效自评表, 单位整体绩效自评表…
_DEPARTMENT_TITLE = re.compile(r"(?:部门|单位)整体.{0,12}(?:自评|评价|绩效)")
#: 指标性质 printed as the kind of indicator rather than an operator (Chongqing: 定量指标 / 定性指标)
_NATURE_WORDS = {"定量", "定性", "定量指标", "定性指标"}


def is_department_title(text: str) -> bool:
    """Say whether a printed title names a department-wide form (部门整体…自评表)."""
    return bool(_DEPARTMENT_TITLE.search(norm(text)))


def has_department_title(grid: Grid) -> bool:
    """Say whether the grid holds a department-wide form's title (it has no 项目名称)."""
    return any(is_department_title(cell.text) for cell in grid.cells())


def has_department_form(grid: Grid) -> bool:
    """A department-wide form: its title, and an indicator table or a budget block (not a 填表说明 sheet)."""
    if not has_department_title(grid):
        return False
    if has_indicator_header(grid):
        return True
    keys = {(c.row, c.col): label_key(c.text) for c in grid.cells()}
    return any(_budget_roles(grid, r, keys) for r in grid.row_numbers)


def has_indicator_header(grid: Grid) -> bool:
    """Say whether the grid holds an indicator table header."""
    return any(_indicator_roles(grid, r) for r in grid.row_numbers)


def split_projects(grid: Grid) -> list[Grid]:
    """Cut a document holding several forms into one grid per project.

    A new project starts at each 项目名称 label once the previous part has an indicator
    header; the title lines just above it (…自评表, 单位名称：…) go with the new project.
    """
    starts = [r for r in grid.row_numbers if any(_is_project_label(c) for c in grid.row(r))]
    if len(starts) < 2:
        return [grid]
    cuts = [grid.row_numbers[0]]
    for start in starts[1:]:
        if not has_indicator_header(grid.sub(cuts[-1], start - 1)):
            continue
        top = start
        for r in reversed(grid.rows_between(cuts[-1] + 1, start - 1)):
            cells = grid.row(r)
            if len(cells) == 1 and ("自评表" in cells[0].text or _inline_fields(cells[0].text)):
                top = r
            else:
                break
        cuts.append(top)
    bounds = [*cuts, grid.row_numbers[-1] + 1]
    return [grid.sub(a, b - 1) for a, b in zip(bounds, bounds[1:], strict=False)]


def _indicator_roles(grid: Grid, r: int, keys: dict[tuple[int, int], str] | None = None) -> dict[str, Cell]:
    """Return ``role -> header cell`` when row ``r`` is an indicator table header, else {}."""
    roles: dict[str, Cell] = {}
    for cell in grid.row(r):
        role = _INDICATOR_COLUMNS.get(keys[cell.row, cell.col] if keys is not None else label_key(cell.text))
        if role and role not in roles:
            roles[role] = cell
    if "name" in roles and roles.keys() & {"target", "actual", "score"}:
        return roles
    return {}


def _budget_roles(grid: Grid, r: int, keys: dict[tuple[int, int], str]) -> dict[str, Cell]:
    """Return ``role -> header cell`` when row ``r`` is the money block's header, else {}."""
    roles: dict[str, Cell] = {}
    for cell in grid.row(r):
        role = _BUDGET_COLUMNS.get(keys[cell.row, cell.col])
        if role and role not in roles:
            roles[role] = cell
    if len(roles.keys() & {"initial", "adjusted", "executed", "rate"}) >= 2:
        return roles
    return {}


# ---------------------------------------------------------------------------------------------
# Small readers of one cell


def _level_label(text: str) -> tuple[str, str | None] | None:
    """Return ``(label, printed weight)`` for ``产出指标(40分)``, ``质量指标(10)``; None otherwise."""
    key = label_key(text).removesuffix("分")  # 成本指标(0-20)分 on newer target tables
    # "服务对象满意度", "数量": a known level printed without its 指标 is a level label too (kept as printed)
    if (not key.endswith("指标") and key + "指标" not in _LEVELS) or len(key) > 12 or key in _INDICATOR_COLUMNS \
            or key in _INDICATOR_TITLES:
        return None
    match = _LABEL_WEIGHT.search(norm(text))
    return key, ((match.group(1) or match.group(2)) if match else None)


def _printed_label(text: str) -> tuple[str, str | None]:
    """A level of the form's own in a level column, with its printed weight: ``投入(20分)`` → ("投入", "20")."""
    normed = norm(text)
    match = _LABEL_WEIGHT.search(normed)
    if match is None:
        return label_key(text), None
    return label_key(normed[: match.start()] + normed[match.end():]), match.group(1) or match.group(2)


def _name_and_weight(text: str, bare_weights: bool) -> tuple[str, str | None]:
    """Split ``开展文艺演出场次(2分)`` into the name and its printed weight."""
    match = (_BARE_SUFFIX if bare_weights else _WEIGHT_SUFFIX).search(text)
    if not match:
        return text.strip(), None
    return text[: match.start()].strip(), match.group(1)


_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUMBER = re.compile(r"^([零〇一二两三四五六七八九十百]+)(?:点([零〇一二三四五六七八九]+))?分?$")


def _other_project(first: str, second: str) -> bool:
    """Two names for two projects, not one name printed again on a repeated page header (with 项目, a year…)."""
    def core(name: str) -> str:
        name = re.sub(r"[（(][^（）()]*[）)]|(?:19|20)\d{2}\s*年度?", "", norm(name))
        return name.strip().removesuffix("项目")

    a, b = core(first), core(second)
    return a not in b and b not in a


def chinese_number(text: str) -> Decimal | None:
    """95 for "九十五", 100 for "一百", 92.5 for "九十二点五"; None for anything else (up to 999)."""
    m = _CN_NUMBER.match(norm(text))
    if not m:
        return None
    whole, rest = 0, m[1]
    for unit, size in (("百", 100), ("十", 10)):
        if unit in rest:
            head, rest = rest.split(unit, 1)
            if len(head) > 1 or unit in rest:
                return None
            whole += (_CN_DIGITS[head] if head else 1) * size
    rest = rest.lstrip("零〇") if whole else rest  # 一百零五
    if len(rest) > 1:
        return None
    whole += _CN_DIGITS[rest] if rest else 0
    digits = "".join(str(_CN_DIGITS[c]) for c in m[2] or "")
    return Decimal(f"{whole}.{digits}") if digits else Decimal(whole)


def checked_option(text: str) -> str | None:
    """Return the ticked option(s) of ``1、甲 ☑ 2、乙 ☐``; None when nothing is ticked.

    Boxes follow their option on forms extracted from HTML and precede it on Word forms
    (``☑甲 □乙``); the side is told by whether the text opens with a box.
    """
    body = text.strip()
    if _OPTION_NUMBER.match(body):
        parts = [p for p in _OPTION_NUMBER.split(body) if p.strip()]
        options = [(p, any(b in p for b in _BOX_ON)) for p in parts]
    elif body[:1] in _BOX_ALL:
        options = [(m.group(2), m.group(1) in _BOX_ON) for m in re.finditer(f"([{_BOX_ALL}])([^{_BOX_ALL}]*)", body)]
    else:
        options = [(m.group(1), m.group(2) in _BOX_ON) for m in re.finditer(f"([^{_BOX_ALL}]+)([{_BOX_ALL}])", body)]
    chosen = [_clean_option(p) for p, ticked in options if ticked]
    chosen = [c for c in chosen if c]
    return "、".join(chosen) or None


def _clean_option(text: str) -> str:
    text = re.sub(f"[{_BOX_ALL}\\[\\]［］()（）]", "", text)
    return _OPTION_NUMBER.sub("", text).strip(" \t\n、,，;；")


def _split_cause(text: str) -> tuple[str | None, str | None]:
    """Split a 偏差原因分析及改进措施 cell into cause and measure (``改进措施：`` starts the measure)."""
    match = _MEASURE_MARK.search(text)
    cause, measure = (text[: match.start()], text[match.end() :]) if match else (text, "")
    cause = _CAUSE_PREFIX.sub("", cause).strip()
    return cause or None, measure.strip() or None


def _percent_text(ratio: Decimal) -> str:
    text = format((ratio * 100).quantize(Decimal("0.01")).normalize(), "f")
    return f"{text}%"


# ---------------------------------------------------------------------------------------------


@dataclass
class _Levels:
    """The level-1/level-2 labels in force while walking down an indicator block."""

    level1: Cell | None = None
    level1_text: str | None = None
    level2: Cell | None = None
    level2_text: str | None = None


@dataclass
class _Block:
    """Column roles of the indicator header in force."""

    header_row: int
    cols: dict[str, int] = field(default_factory=dict)
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)
    bare_weights: bool = False

    def update(self, roles: dict[str, Cell]) -> None:
        for role, cell in roles.items():
            self.cols[role] = cell.col
            self.spans[role] = (cell.col, cell.last_col)
            if role == "name" and "权重" in cell.text:
                self.bare_weights = True


class _Reader:
    """Read one grid: each block reader places the cells it uses; what is left becomes a warning."""

    def __init__(self, grid: Grid, file: str) -> None:
        self.grid = grid
        self.where = Place.within(file, grid.ref)
        self.file = file
        self.project_row = -1
        self.data: dict[str, Any] = {}
        self.places: dict[str, str] = {}
        self.warnings: list[tuple[int, int, ReadWarning]] = []
        self.placed: set[tuple[int, int]] = set()
        self.header_rows: set[int] = set()
        # every cell's label core is worked out once; all lookups below are dictionary hits
        self.keys: dict[tuple[int, int], str] = {(c.row, c.col): label_key(c.text) for c in grid.cells()}
        self.indicator_headers = {r: roles for r in grid.row_numbers if (roles := _indicator_roles(grid, r, self.keys))}
        self.budget_header = next((r for r in grid.row_numbers if _budget_roles(grid, r, self.keys)), None)
        self.department = has_department_title(grid)

    # -- bookkeeping ------------------------------------------------------------------------

    def place(self, *cells: Cell | None) -> None:
        for cell in cells:
            if cell is not None:
                self.placed.add((cell.row, cell.col))

    def key(self, cell: Cell) -> str:
        return self.keys[cell.row, cell.col]

    def put(self, path: str, value: Any, cell: Cell) -> None:
        """Set ``path`` (``contacts.phone``) in the data and remember the cell it came from."""
        if value is None or value == "" or value == []:
            return
        if path in _NUMERIC_PATHS and isinstance(value, str) and self.lost_digits(cell, value)[0]:
            return
        node = self.data
        parts = path.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
        self.places[path] = cell.ref

    def lost_digits(self, cell: Cell, text: str | None = None) -> tuple[bool, str | None]:
        """Whether a number's cell holds only its unit ("分", "万元") or a unit and a remark ("分（因……）").

        The digits were lost in extraction (or never typed): the cell is blank, not a bad number (the whole
        import used to fail on it). Warned here; returns the remark, for the row's cause.
        """
        text = (cell.text if text is None else text).strip()
        remark = _UNIT_REMARK.match(text)
        if not (remark or _UNIT_ONLY.match(text)):
            return False, None
        said = "只有单位没有数字" if remark is None or text[0] not in "（(" else "没有数字"  # "（未单独安排）": no unit
        self.warn(cell, f"“{text}”{said}，按未填写处理")
        return True, remark[1].strip() if remark else None

    def warn(self, cell: Cell, message: str) -> None:
        self.warnings.append((cell.row, cell.col, ReadWarning(cell.ref, message)))

    # -- the whole form ---------------------------------------------------------------------

    def read(self) -> tuple[dict[str, Any], dict[str, str], list[ReadWarning]]:
        if not self.grid:
            raise InputError("没有可读取的表格内容", where=self.where, hint="请选择填好的自评表")
        self.read_budget()
        self.read_indicators()
        self.read_tasks()
        self.read_goals()
        self.read_fields()
        self.read_titles()
        for cell in self.grid.cells():
            if (cell.row, cell.col) not in self.placed:
                shown = cell.text.strip().replace("\n", " ")
                shown = shown if len(shown) <= 30 else shown[:30] + "…"
                self.warn(cell, f"未识别的内容“{shown}”，没有导入")
        self.warnings.sort(key=lambda item: item[:2])
        return self.data, self.places, [w for _, _, w in self.warnings]

    def value_right(self, label: Cell) -> Cell | None:
        """Return the value cell beside a label, unless the next cell is itself a label."""
        cell = self.grid.right_of(label)
        if cell is None or self.key(cell) in _LABELS or (cell.row, cell.col) in self.placed:
            return None
        return cell

    def value_below(self, label: Cell) -> Cell | None:
        cell = self.grid.below(label)
        if cell is None or cell.row <= label.row or self.key(cell) in _LABELS or (cell.row, cell.col) in self.placed:
            return None
        if _FOOTNOTE.match(cell.text.strip()):
            return None  # "备注：1.预算执行情况口径……" under an empty field is the form's footnote, not its value
        return cell

    # -- header fields, summary fields, titles -----------------------------------------------

    def read_fields(self) -> None:
        for cell in self.grid.cells():
            if (cell.row, cell.col) in self.placed or cell.row in self.header_rows:
                continue
            path = FIELD_LABELS.get(self.key(cell))
            if path is not None:
                value = self.value_right(cell)
                if value is None and path in _TEXT_BELOW:
                    value = self.value_below(cell)
                self.place(cell)
                self.set_field(path, value.text if value else None, value or cell, cell)
                self.place(value)
                continue
            pairs = _inline_fields(cell.text) if ("：" in cell.text or ":" in cell.text) else []
            if pairs:
                self.place(cell)
                for path, text in pairs:
                    self.set_field(path, text, cell, cell)

    def set_field(self, path: str, text: str | None, cell: Cell, label: Cell) -> None:
        if path in self.data or path in self.places:
            first = self.data.get(path)
            tables = [h for h in self.indicator_headers if self.project_row < h < label.row]
            if path == "project" and text and isinstance(first, str) and _other_project(first, text) and tables \
                    and any(h > label.row for h in self.indicator_headers):
                # a second project with its own table on the same sheet: merged into the first it would make one
                # report of two (a name printed twice over one table, spelt two ways, only warns)
                raise InputError(
                    f"同一工作表中有两个项目：“{first.strip()}”和“{text.strip()}”",
                    where=Place.within(self.file, label.ref),
                    hint="请把每个项目放在单独的工作表（或文件）中，再生成报告",
                )
            if text:
                self.warn(label, f"“{label_key(label.text)}”重复出现，已使用第一次出现的值")
            return
        if not text or not text.strip():
            return
        text = text.strip()
        if path == "project":
            self.project_row = label.row
        value: Any = text
        if path in _CHOICE_FIELDS and len(_OPTION_NUMBER.findall(text)) >= 2:
            # OCR prints an empty box as 口, 0 or ○ after its option ("1、部门预算项目0 2、市直专项口")
            text = _OCR_BOX.sub("□", text)
        if path in _CHOICE_FIELDS and any(b in text for b in _BOX_ALL):
            value = checked_option(text)
            if value is None and len(_OPTION_NUMBER.findall(text)) >= 2:
                self.warn(cell, f"“{label_key(label.text)}”的选项中没有识别出勾选项，没有导入")
                return
        elif path in _LIST_FIELDS:
            value = split_numbered(text)
        self.put(path, value, cell)

    def read_titles(self) -> None:
        """Take the year from the title (``2020年度…自评表``) and the money unit from ``单位：万元`` notes."""
        for cell in self.grid.cells():
            if (cell.row, cell.col) in self.placed:
                continue
            text = norm(cell.text)
            note = _UNIT_NOTE.match(text)
            if note:
                self.place(cell)
                if "budget" in self.data and "budget.unit" not in self.places:
                    self.put("budget.unit", note.group(1), cell)
                continue
            if "自评表" in text or "评价表" in text or is_department_title(text):
                self.place(cell)
                if "title" not in self.data and is_department_title(text) and len(text) <= 60:
                    # the title is what marks a department-wide form (it has no 项目名称)
                    self.put("title", text, cell)
                year = _YEAR_IN_TITLE.search(text)
                if year and "year" not in self.data:
                    self.put("year", year.group(1), cell)
                continue
            subtitle = _YEAR_SUBTITLE.fullmatch(text)
            if subtitle:
                # the MoF layout prints the year on its own line under the title: "（2022年度）"
                self.place(cell)
                if "year" not in self.data:
                    self.put("year", subtitle.group(1), cell)

    # -- money block --------------------------------------------------------------------------

    def read_budget(self) -> None:
        header = self.budget_header
        if header is None:
            return
        roles = _budget_roles(self.grid, header, self.keys)
        self.header_rows.add(header)
        self.place(*roles.values())
        first_col = min(c.col for c in roles.values())
        title = None
        for col in range(first_col):
            cell = self.grid.at(header, col)
            if cell is not None and self.key(cell).startswith(_BUDGET_TITLES):
                title = cell
        for cell in self.grid.row(header):
            if cell.col < first_col and title is None and cell.text.strip():
                title = cell
        above = [r for r in self.grid.row_numbers if r < header][-1:]
        if title is None and above:
            # the block's title on a row of its own above the column labels
            title = next((c for c in self.grid.row(above[0]) if self.key(c).startswith(_BUDGET_TITLES)), None)
        budget: dict[str, Any] = {}
        places: dict[str, str] = {}
        if title is not None:
            self.place(title)
            places["budget"] = title.ref
            unit = _UNIT_IN_TITLE.search(norm(title.text))
            if unit:
                budget["unit"] = "元" if unit.group(1) == "元" else "万元"
                places["budget.unit"] = title.ref
        for source in (title, roles.get("score"), roles.get("weight")):
            match = _LABEL_WEIGHT.search(norm(source.text)) if source is not None else None
            if match and source is not None and "weight" not in budget:
                budget["weight"] = match.group(1) or match.group(2)
                places["budget.weight"] = source.ref

        rows, pairs = self.budget_rows(header, roles, first_col, title)
        total = next((i for i, (label, _) in enumerate(rows) if label and _TOTAL_ROW.search(label.text)), None)
        if total is None and rows:
            # no 合计 row: a lone row is the total; else the row carrying 分值/执行率/得分 (Sichuan's 财政资金)
            scored = (i for i, (_, values) in enumerate(rows) if values.keys() & {"weight", "rate", "score"})
            total = 0 if len(rows) == 1 else next(scored, None)
        breakdown: dict[str, list[dict[str, str]]] = {}
        for i, (label, values) in enumerate(rows):
            values = {role: cell for role, cell in values.items() if not self.lost_digits(cell)[0]}
            if i == total:
                for role, cell in values.items():
                    budget[role] = cell.text.strip()
                    places[f"budget.{role}"] = cell.ref
                continue
            amounts = {role: cell for role, cell in values.items() if role in _AMOUNT_ROLES}
            if label is None or not amounts:
                continue
            name = label_key(label.text) or label.text.strip()
            # department-wide forms break the money down by 收入 and by 支出 (基本支出 / 项目支出)
            group = "sources"
            if self.department:
                group = "spending" if "支出" in name else "income" if "收入" in name else "sources"
            rows_of = breakdown.setdefault(group, [])
            n = len(rows_of)
            rows_of.append({"name": name, **{r: c.text.strip() for r, c in amounts.items()}})
            places[f"budget.{group}[{n}]"] = label.ref
            places.update({f"budget.{group}[{n}].{r}": c.ref for r, c in amounts.items()})
        for role, cell in pairs.items():
            if self.lost_digits(cell)[0]:
                continue
            budget[role] = cell.text.strip()
            places[f"budget.{role}"] = cell.ref
        budget.update(breakdown)
        if not budget.keys() - {"unit"}:
            return
        if "rate" not in budget:
            self.compute_rate(budget, places, roles, rows[total][0] if total is not None else None)
        self.data["budget"] = budget
        self.places.update(places)

    def budget_rows(
        self, header: int, roles: dict[str, Cell], first_col: int, title: Cell | None
    ) -> tuple[list[tuple[Cell | None, dict[str, Cell]]], dict[str, Cell]]:
        """Return ``(row label, role -> value cell)`` for each row of the money block.

        Rows printed as label–value pairs under the amounts (``分值 | 10 | 执行率 | 97.21%``)
        come back separately, as ``role -> value cell`` of the total.
        """
        rows: list[tuple[Cell | None, dict[str, Cell]]] = []
        pairs: dict[str, Cell] = {}
        for r in self.grid.row_numbers:
            if r <= header:
                continue
            cells = [c for c in self.grid.row(r) if c is not title]
            if not cells:
                continue
            if self.ends_block(r) or r in self.indicator_headers:
                break
            label = next((c for c in cells if not is_number(c.text)), None)
            if label is not None and _BUDGET_COLUMNS.get(self.key(label)) in ("weight", "rate", "score"):
                for cell in cells:
                    role = _BUDGET_COLUMNS.get(self.key(cell))
                    value = self.value_right(cell) if role else None
                    if role and value is not None and role not in pairs:
                        pairs[role] = value
                        self.place(cell, value)
                continue
            if label is not None and label.col > max(c.col for c in roles.values()):
                label = None
            # extracted text can push the row label into the first value column: read values after it
            delta = label.last_col + 1 - first_col if label is not None and label.col >= first_col else 0
            values: dict[str, Cell] = {}
            for role, head in roles.items():
                at = self.grid.at(r, head.col + delta)
                if at is not None and at.row == r and at is not label:
                    values[role] = at
            # an empty fund row (a template's 其他资金) is part of the block; any other empty row ends it
            fund_row = label is not None and len(label.text) <= 20 and _FUND_ROW.search(label.text)
            if not values and not fund_row:
                break
            self.place(label, *values.values())
            rows.append((label, values))
        return rows, pairs

    def compute_rate(
        self, budget: dict[str, Any], places: dict[str, str], roles: dict[str, Cell], label: Cell | None
    ) -> None:
        """Work out 执行率 from the amounts when its cell is empty (or a formula never calculated)."""
        base, executed = to_decimal(budget.get("adjusted")), to_decimal(budget.get("executed"))
        if not isinstance(base, Decimal) or not isinstance(executed, Decimal) or base <= 0:
            return
        try:
            budget["rate"] = _percent_text(executed / base)
        except InvalidOperation:  # pragma: no cover - Decimal division of finite numbers
            return
        where = label or roles.get("rate") or next(iter(roles.values()))
        places["budget.rate"] = places.get("budget.executed", where.ref)
        self.warn(where, f"执行率未填写（或公式未计算），已按执行数/预算数计算为 {budget['rate']}")

    # -- annual tasks (department-wide forms) ---------------------------------------------------

    def task_header(self) -> tuple[int, dict[str, Cell]] | None:
        """The row holding 任务名称 and 完成情况 (or 主要内容), with its column roles."""
        for r in self.grid.row_numbers:
            if r in self.header_rows:
                continue
            roles: dict[str, Cell] = {}
            for cell in self.grid.row(r):
                key = self.key(cell)
                role = _TASK_COLUMNS.get(key)
                # a column header proper (任务名称) wins over the block's name printed before it
                if role and (role not in roles or self.key(roles[role]) in _TASK_BLOCK and key not in _TASK_BLOCK):
                    roles[role] = cell
            if "name" in roles and roles.keys() & {"planned", "result"}:
                return r, roles
        return None

    def read_tasks(self) -> None:
        """Read the 年度工作任务 table, one task per row, until a row that is not a task."""
        found = self.task_header()
        if found is None:
            return
        header, roles = found
        self.header_rows.add(header)
        self.place(*roles.values())
        for cell in self.grid.row(header):
            if self.key(cell) in _TASK_TITLES or self.key(cell) in _TASK_BLOCK:
                self.place(cell)
        tasks: list[dict[str, str]] = []
        for r in self.grid.row_numbers:
            if r <= header:
                continue
            if self.ends_block(r) or r in self.indicator_headers or r in self.header_rows:
                break
            at_row = {role: self.grid.at(r, head.col) for role, head in roles.items()}
            cells = {role: c for role, c in at_row.items() if c is not None and c.row == r and c.text.strip()}
            # the block title merged down the left edge is no task
            for cell in self.grid.row(r):
                if self.key(cell) in _TASK_TITLES:
                    self.place(cell)
            if "name" not in cells:
                if cells:
                    break
                continue
            path = f"tasks[{len(tasks)}]"
            task = {role: c.text.strip() for role, c in cells.items()}
            self.places[path] = cells["name"].ref
            self.places.update({f"{path}.{role}": c.ref for role, c in cells.items()})
            self.place(*cells.values())
            tasks.append(task)
        if tasks:
            self.data["tasks"] = tasks
            self.places["tasks"] = roles["name"].ref

    # -- goals --------------------------------------------------------------------------------

    def read_goals(self) -> None:
        goals: dict[str, str] = {}
        for cell in self.grid.cells():
            key = self.key(cell)
            if (cell.row, cell.col) in self.placed or cell.row in self.header_rows:
                continue
            part = (
                "planned"
                if key in _GOAL_PLANNED
                else "revised"
                if key in _GOAL_ADJUSTED
                else "achieved"
                if key in _GOAL_ACHIEVED
                else None
            )
            if part is None or part in goals:
                if key in _GOAL_BLOCK:
                    self.place(cell)
                continue
            value = self.value_right(cell) or self.value_below(cell)
            self.place(cell, value)
            if value is not None:
                goals[part] = value.text.strip()
                self.places[f"goals.{part}"] = value.ref
        # a bare 年度总体目标 row: the texts beside it are planned and achieved, in that order
        if not goals:
            block = next((c for c in self.grid.cells() if self.key(c) in _GOAL_BLOCK), None)
            if block is not None:
                values = [c for c in self.grid.row(block.row) if c.col > block.last_col][:2]
                for part, cell in zip(("planned", "achieved"), values, strict=False):
                    if self.key(cell) not in _LABELS:
                        goals[part] = cell.text.strip()
                        self.places[f"goals.{part}"] = cell.ref
                        self.place(cell)
        if norm(goals.get("revised", "")) in ("无", "/", "-", "—"):
            goals.pop("revised")  # "全年(调整)绩效目标：无" — the target was not adjusted
            self.places.pop("goals.revised", None)
        if goals:
            self.data["goals"] = goals

    # -- indicator block ------------------------------------------------------------------------

    def ends_block(self, r: int) -> bool:
        """Say whether row ``r`` opens with a summary label (总分, 偏差…分析, 注：…)."""
        first = self.grid.row(r)[0]
        key = self.key(first)
        if key in _TOTAL_KEYS or (key in FIELD_LABELS and FIELD_LABELS[key] not in ("year",)):
            return True
        if key in _GOAL_BLOCK or key in _GOAL_PLANNED or key in _TASK_TITLES:
            return True
        return bool(_FOOTNOTE.match(first.text.strip())) or bool(_inline_fields(first.text))

    def read_indicators(self) -> None:
        headers = sorted(self.indicator_headers)
        if not headers and "budget" in self.data:
            return  # a 综述-only form: budget, total and causes without indicator rows (issue 14)
        if not headers:
            raise InputError(
                "找不到绩效指标表头",
                where=self.where,
                hint="指标表的表头应有“三级指标”（或“指标名称”）以及“年度指标值”“实际完成值”“得分”等列",
            )
        indicators: list[dict[str, Any]] = []
        categories: dict[str, str] = {}
        self.data["indicators"] = indicators
        self.places["indicators"] = self.grid.row(headers[0])[0].ref
        rows = self.grid.row_numbers
        i = rows.index(headers[0])
        block = _Block(headers[0])
        levels = _Levels()
        while i < len(rows):
            r = rows[i]
            i += 1
            roles = self.indicator_headers.get(r)
            if roles:
                block = _Block(r)
                block.update(roles)
                self.start_block(r, roles, block, levels, categories)
                continue
            sub = self.sub_header(r)
            if sub and r - 1 in self.header_rows:
                block.update(sub)
                self.header_rows.add(r)
                self.place(*sub.values())
                continue
            if self.ends_block(r):
                if self.key(self.grid.row(r)[0]) in _TOTAL_KEYS:
                    self.read_total(r, block)
                # another indicator table further down (a 满意度 block after the notes) continues the list
                i = next((rows.index(h) for h in headers if h > r), len(rows))
                continue
            if i < len(rows) and rows[i] in self.indicator_headers and len(self.grid.row(r)) == 1:
                continue  # a lone cell over the next header ("年度绩效目标2(40分)") titles that table; left unread
            self.read_indicator_row(r, block, levels, indicators, categories)
        if categories:
            self.data["categories"] = categories

    def sub_header(self, r: int) -> dict[str, Cell]:
        """Return the roles of a second header row (指标性质 | 指标值 | 度量单位 under 年度指标值)."""
        cells = self.grid.row(r)
        roles = {_INDICATOR_COLUMNS.get(self.key(c)): c for c in cells}
        if None in roles or len(roles) < 2:
            return {}
        return {role: cell for role, cell in roles.items() if role}

    def start_block(
        self, r: int, roles: dict[str, Cell], block: _Block, levels: _Levels, categories: dict[str, str]
    ) -> None:
        """Place a header row; a level label printed in it (seed: ``产出指标(40分)``) opens the first group."""
        self.header_rows.add(r)
        self.place(*roles.values())
        for cell in self.grid.row(r):
            key = self.key(cell)
            if key in _INDICATOR_TITLES or key in _INDICATOR_COLUMNS:
                self.place(cell)
            elif _level_label(cell.text):
                self.set_levels([cell], block, levels, categories)
        # a title merged down the left edge (绩效指标) belongs to the block too
        for col in range(block.cols["name"]):
            title = self.grid.at(r, col)
            if title is not None and self.key(title) in _INDICATOR_TITLES:
                self.place(title)

    def set_levels(self, labels: list[Cell], block: _Block, levels: _Levels, categories: dict[str, str]) -> None:
        """Update the level-1/level-2 labels in force from the labels printed in one row."""
        seen: dict[str, Cell] = {}
        for cell in labels:
            found = _level_label(cell.text) or _printed_label(cell.text)
            seen.setdefault(found[0], cell)
            if found[1] is not None and found[0] not in categories:
                categories[found[0]] = found[1]
                self.places[f"categories.{found[0]}"] = cell.ref
            self.place(cell)
        distinct = list(seen.items())
        if len(distinct) >= 2:
            (k1, c1), (k2, c2) = distinct[:2]
            levels.level1, levels.level1_text, levels.level2, levels.level2_text = c1, k1, c2, k2
            return
        if not distinct:
            return
        key, cell = distinct[0]
        known = key if key in _LEVELS else key + "指标"
        if known in _LEVEL1:
            is_level1 = True
        elif known in _LEVEL2:
            is_level1 = False
        else:
            span = block.spans.get("level1")
            is_level1 = (
                not self.grid.ragged and span is not None and span[0] <= cell.col <= span[1] and "level2" in block.cols
            )
        if is_level1:
            levels.level1, levels.level1_text, levels.level2, levels.level2_text = cell, key, None, None
        else:
            levels.level2, levels.level2_text = cell, key

    def row_cells(self, r: int, block: _Block) -> dict[int, Cell]:
        """Return ``column -> cell`` for row ``r``, with a shifted row of extracted text moved back."""
        cells = self.grid.row(r)
        shift = 0
        anchor = block.cols.get("score", block.cols.get("weight"))
        last = cells[-1]
        if self.grid.ragged and anchor is not None and last.col < anchor and is_number(last.text):
            # text extraction drops empty cells at the start of some rows: the last number is the score
            shift = anchor - last.col
        return {cell.col + shift: cell for cell in cells}

    def role_cell(self, r: int, role: str, block: _Block, by_col: dict[int, Cell]) -> Cell | None:
        col = block.cols.get(role)
        if col is None:
            return None
        if col in by_col:
            return by_col[col]
        if self.grid.ragged:
            return None
        cell = self.grid.at(r, col)
        # only a cell anchored in this column: a note merged across the row is not a target or score
        if cell is None or cell.row <= block.header_row or cell.col != col:
            return None
        # a merged target or name applies to every row it spans; a merged weight or score only once
        if role in _NUMERIC_ROLES and cell.row != r:
            return None
        return cell

    def read_indicator_row(
        self,
        r: int,
        block: _Block,
        levels: _Levels,
        indicators: list[dict[str, Any]],
        categories: dict[str, str],
    ) -> None:
        by_col = self.row_cells(r, block)
        name_col = block.cols["name"]
        level_cols = {c for role in ("level1", "level2") if role in block.spans for c in range(*_closed(block.spans[role]))}
        labels: list[Cell] = []
        strays: list[Cell] = []
        for col in sorted(by_col):
            cell = by_col[col]
            if col >= name_col:
                continue
            # by column only when it stays within the level columns (a note merged across the row does not); in
            # extracted text only on a row whose name stands in its column (a row that slid left has its name
            # among these cells)
            by_column = col in level_cols and cell.last_col < name_col and not is_number(cell.text) and (
                not self.grid.ragged or name_col in by_col)
            if _level_label(cell.text) or by_column:
                labels.append(cell)
            else:
                strays.append(cell)
        cells = {role: self.role_cell(r, role, block, by_col) for role in block.cols if role not in ("level1", "level2")}
        name = cells.get("name")
        if name is None and self.grid.ragged and strays:
            # the name slid left with the row (seed lines 26–28, 36–37)
            name = strays.pop(0)
        self.set_levels(labels, block, levels, categories)
        values = {role: cell for role, cell in cells.items() if cell is not None and role not in ("name", "ignore")}
        self.place(*cells.values())
        if name is None and not values:
            return
        if name is not None and _PLACEHOLDER_NAME.match(norm(name.text)) and not values:
            self.place(name)
            return
        n = len(indicators)
        path = f"indicators[{n}]"
        row_ref = (name or next(iter(values.values()))).ref
        self.places[path] = row_ref
        item: dict[str, Any] = {}
        level_cells: tuple[tuple[str, Cell | None, str | None], ...] = (
            ("level1", levels.level1, levels.level1_text), ("level2", levels.level2, levels.level2_text)
        )
        for level, level_cell, text in level_cells:
            if text:
                item[level] = text
                self.places[f"{path}.{level}"] = level_cell.ref if level_cell else row_ref
        if name is not None:
            self.place(name)
            text, weight = _name_and_weight(name.text, block.bare_weights)
            if _CORE_MARK.match(text):
                text = _CORE_MARK.sub("", text)
                item["core"] = True
            item["name"] = text
            self.places[f"{path}.name"] = name.ref
            if weight is not None and "weight" not in values:
                item["weight"] = weight
                self.places[f"{path}.weight"] = name.ref
            elif weight is not None and to_decimal(weight) != to_decimal(values["weight"].text):
                self.warn(name, f"名称中的分值（{weight}分）与分值栏（{values['weight'].text.strip()}）不一致，已采用分值栏")
        self.fill_indicator(item, path, values)
        indicators.append(item)

    def fill_indicator(self, item: dict[str, Any], path: str, values: dict[str, Cell]) -> None:
        """Copy the role cells of one indicator row into ``item``."""
        text = {role: cell.text.strip() for role, cell in values.items()}
        for role in sorted(_NUMERIC_ROLES & text.keys()):
            blank, remark = self.lost_digits(values[role])
            if blank:
                del text[role]
                # a remark in the score cell is the row's cause when it has none of its own (one in the 分值
                # cell is about the weight, not a deviation: the warning quotes it)
                if remark and role == "score" and not text.get("cause"):
                    text["cause"] = remark
                    values = {**values, "cause": values[role]}
        for role in ("weight", "target", "actual", "score", "measure", "coef", "adjusted_target"):
            if text.get(role):
                item[role] = text[role]
                self.places[f"{path}.{role}"] = values[role].ref
        if norm(text.get("op", "")) in _NATURE_WORDS:
            # Chongqing prints the kind of indicator (定量指标/定性指标) in 指标性质, not an operator
            item["nature"] = norm(text.pop("op"))
            self.places[f"{path}.nature"] = values["op"].ref
        unit = text.get("unit", "")
        if unit:
            item["unit"] = unit
            self.places[f"{path}.unit"] = values["unit"].ref
        for role in ("target", "adjusted_target"):
            if role in text and ("op" in text or unit):
                # split-target layouts (指标性质 | 指标值 | 度量单位) print one value over three cells; a value that
                # already carries its operator or unit ("100%" over "%") must not get it twice ("100%%")
                item[role] = _join_target(text.get("op", "") if role == "target" else "", text[role], unit)
        if "actual" in text and unit and is_number(text["actual"]):
            item["actual"] = _join_target("", text["actual"], unit)
        if text.get("cause"):
            cause, measure = _split_cause(text["cause"])
            for role, part in (("cause", cause), ("measure", measure)):
                if part and role not in item:
                    item[role] = part
                    self.places[f"{path}.{role}"] = values["cause"].ref
        if text.get("core") and norm(text["core"]) in ("是", "√", "★", "Y", "y", "核心"):
            item["core"] = True

    def read_total(self, r: int, block: _Block) -> None:
        """Read 总分 (and a grade printed beside it) from the row that closes the indicator table."""
        cells = self.grid.row(r)
        label = cells[0]
        self.place(label)
        score_col, weight_col = block.cols.get("score"), block.cols.get("weight")
        numbers = [c for c in cells[1:] if is_number(c.text)]
        total = next((c for c in numbers if c.col == score_col), None)
        if total is None:
            total = next((c for c in reversed(numbers) if c.col != weight_col), None)
        self.place(*numbers)
        if total is None:
            # "九十五": a total written in Chinese numerals is read, and said to have been
            spelt = next(((c, n) for c in cells[1:] if (n := chinese_number(c.text)) is not None), None)
            if spelt is not None and "total_score" not in self.data:
                self.place(spelt[0])
                self.warn(spelt[0], f"总分“{spelt[0].text.strip()}”为中文数字，已按{spelt[1]}分读取，请核实")
                self.put("total_score", str(spelt[1]), spelt[0])
        if total is not None and "total_score" not in self.data:
            self.put("total_score", total.text.strip(), total)
        for cell in cells[1:]:
            if norm(cell.text) in _GRADES and "grade" not in self.data:
                self.place(cell)
                self.put("grade", norm(cell.text), cell)
            elif self.key(cell) in ("等级", "评价等级", "自评等级"):
                value = self.value_right(cell)
                self.place(cell, value)
                if value is not None and "grade" not in self.data:
                    self.put("grade", value.text.strip(), value)


def _join_target(op: str, value: str, unit: str) -> str:
    """指标性质 + 指标值 + 度量单位 as one target, without doubling what the value already prints."""
    op, value, unit = op.strip(), value.strip(), unit.strip()
    if op and (value.startswith(op) or _LEADING_OPERATOR.match(value) or norm(op) in ("定性", "定量", "正向", "反向")):
        op = ""  # the value repeats it, or the column names the kind of indicator rather than an operator
    if unit and (value.endswith(unit) or (unit in ("%", "％", "百分比") and value.endswith(("%", "％", "百分比")))):
        unit = ""
    return op + value + unit


def _closed(span: tuple[int, int]) -> tuple[int, int]:
    return span[0], span[1] + 1


