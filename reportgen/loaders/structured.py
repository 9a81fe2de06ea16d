"""Read a form from YAML or JSON, remembering the line of every field for messages."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, get_args

import yaml
from pydantic import AliasChoices, BaseModel, ValidationError

from reportgen.defaults import MAX_FORM_DEPTH, MAX_FORM_NODES, MAX_INT_DIGITS
from reportgen.errors import InputError, Place, ReportgenError
from reportgen.evaluation.findings import make
from reportgen.evaluation.model import MISSING_SUBJECT, EvaluationForm, SourceMap, attach_source, collect_notes, detect_kind
from reportgen.loaders.clean import clean_data
from reportgen.loaders.limits import check_file_size


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys (a silently lost cell is worse than an error)."""


# libyaml, when PyYAML was built with it, composes the node tree ten times faster; the nodes are the same
_COMPOSER: type = getattr(yaml, "CSafeLoader", _LineLoader)


# bounds on a form's node tree (reportgen/defaults.py); module names so a test can lower one
_MAX_NODES = MAX_FORM_NODES
MAX_DEPTH = MAX_FORM_DEPTH
_MAX_INT_DIGITS = MAX_INT_DIGITS


class _TypedInt(int):
    """A YAML/JSON integer that remembers how it was written, for a field that expects text."""

    typed: str


class _TypedFloat(float):
    """A YAML/JSON float that remembers how it was written (``1.50``, ``1e-07``)."""

    typed: str


def _typed(value: Any, written: str) -> Any:
    number: Any
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        number = _TypedInt(value)
    elif isinstance(value, float):
        number = _TypedFloat(value)
    else:
        return value
    number.typed = written
    return number


def _json_int(written: str) -> Any:
    # thousands of digits stay text: "应为数字" with the place, instead of int()'s ValueError
    return _typed(int(written), written) if len(written.lstrip("-")) <= _MAX_INT_DIGITS else written


def _json_float(written: str) -> Any:
    return _typed(float(written), written)  # 1e999999999 is inf: refused as "应为有限数值" where a number is due


def _too_deep(where: str | Place) -> InputError:
    return InputError(
        f"数据嵌套层数过多（超过 {MAX_DEPTH} 层），不像一张自评表",
        where=where,
        hint="自评表只有几层（如 indicators → 每项指标 → 字段）；请检查括号是否成对，或锚点与别名（&/*）是否引用了自身",
    )


# PyYAML's most common complaints, said in Chinese (its English text follows in brackets)
_YAML_PROBLEMS: tuple[tuple[str, str], ...] = (
    ("found unexpected end of stream", "引号或括号没有闭合，文件就结束了"),
    ("mapping values are not allowed", "此处不能出现冒号；含冒号的文字请加引号"),
    ("that cannot start any token", "出现了不能开始一个值的字符（缩进里的 Tab 或未加引号的 @、`、%）"),
    ("could not find expected ':'", "缺少冒号"),
    ("did not find expected key", "缩进不一致"),
    ("did not find expected '-' indicator", "列表项的缩进不一致"),
    ("did not find expected node content", "缺少值"),
    ("found undefined alias", "引用了未定义的别名（*）"),
    ("found duplicate anchor", "锚点（&）重复"),
)


def _yaml_problem(exc: yaml.MarkedYAMLError) -> str:
    """Return the syntax error in Chinese, naming the line where an unclosed quote or bracket began."""
    problem = exc.problem or exc.context or ""
    said = next((chinese for english, chinese in _YAML_PROBLEMS if english in problem), None)
    text = f"YAML 语法错误：{said}（{problem}）" if said else f"YAML 语法错误（{problem}）"
    if exc.context_mark and exc.problem_mark and exc.context_mark.line != exc.problem_mark.line:
        text += f"；问题始于第 {exc.context_mark.line + 1} 行"
    return text


def _compose(text: str, file: str) -> list[yaml.Node]:
    """Parse YAML into the node tree of each document (a file of several forms may have several)."""
    try:
        return list(yaml.compose_all(text, Loader=_COMPOSER))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Place(file, line=mark.line + 1, column=mark.column + 1) if mark else Place(file)
        hint = "请检查该行的缩进、冒号和引号；含冒号或#的文字请加引号"
        raise InputError(_yaml_problem(exc), where=where, hint=hint) from exc
    except yaml.reader.ReaderError as exc:
        # a control character typed or pasted into the file itself: YAML allows none but tab and line ends
        line = text[: exc.position].count("\n") + 1 if isinstance(exc.position, int) else 0
        raise InputError(
            f"文件第 {line} 行含有 YAML 不允许的控制字符 U+{exc.character:04X}"
            if isinstance(exc.character, int)
            else "文件含有 YAML 不允许的控制字符",
            where=Place(file, line=line) if line else Place(file),
            hint="请删除该字符；确需保留时请放在双引号中并写成转义形式（如换页符写作 \\f）",
        ) from exc
    except yaml.YAMLError as exc:
        raise InputError(f"无法解析 YAML：{exc}", where=file) from exc


@dataclass
class _Tally:
    """How many values the file's node trees have held so far: the bound is on the file, not on each form."""

    count: int = 0

    @property
    def exceeded(self) -> bool:
        return self.count > _MAX_NODES


def _build(root: yaml.Node, file: str, tally: _Tally | None = None) -> tuple[Any, dict[str, str]]:
    """Construct plain data from a composed node tree, recording each field path's line.

    ``tally`` counts the values of every form of one file, so that the bound holds for the file.
    """
    places: dict[str, str] = {}
    constructor = yaml.constructor.SafeConstructor()
    counted = tally if tally is not None else _Tally()

    def construct(n: yaml.Node) -> Any:
        try:
            if n.tag == "tag:yaml.org,2002:int" and len(str(n.value).lstrip("+-")) > _MAX_INT_DIGITS:
                return str(n.value)  # thousands of digits: kept as text, refused as "应为数字" where a number is due
            value = constructor.construct_object(n, deep=True)
            return _typed(value, str(n.value)) if isinstance(n, yaml.ScalarNode) else value
        except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
            # e.g. "2021-13-45" matches YAML's date pattern but is no date; "!foo" is an unknown tag
            known = n.tag.startswith("tag:yaml.org,2002:")
            what = f"无法识别的值“{n.value}”" if known and isinstance(n.value, str) else f"不支持的 YAML 标记“{n.tag}”"
            raise InputError(
                what, where=Place(file, line=n.start_mark.line + 1), hint="日期请写成 2021-06-30；其他特殊写法请加引号"
            ) from exc

    def build(n: yaml.Node, path: str, depth: int = 0) -> Any:
        counted.count += 1
        if depth > MAX_DEPTH:
            raise _too_deep(Place(file, line=n.start_mark.line + 1))
        if counted.exceeded:
            raise InputError(
                f"内容过多（超过 {_MAX_NODES} 个值），不像一张自评表", where=file, hint="请检查锚点与别名（&/*）的用法"
            )
        places.setdefault(path, f":{n.start_mark.line + 1}")
        if isinstance(n, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for key_node, value_node in n.value:
                key = construct(key_node)
                key = str(key) if not isinstance(key, str) else key
                child = f"{path}.{key}" if path else key
                if key in out:
                    raise InputError(
                        f"重复的键“{key}”",
                        where=Place(file, line=key_node.start_mark.line + 1, field=child),
                        hint="同一层级的每个字段只能出现一次",
                    )
                # a block ("budget:" then indented lines) is located at its key, not at its first child
                places.setdefault(child, f":{key_node.start_mark.line + 1}")
                out[key] = build(value_node, child, depth + 1)
            return out
        if isinstance(n, yaml.SequenceNode):
            return [build(item, f"{path}[{i}]", depth + 1) for i, item in enumerate(n.value)]
        return construct(n)

    try:
        return build(root, ""), places
    except RecursionError as exc:
        raise InputError("YAML 别名（*）引用了自身，无法展开", where=file, hint="请去掉自我引用的锚点与别名") from exc


_JSON_PROBLEMS: tuple[tuple[str, str], ...] = (
    ("Expecting property name", "键名须加双引号，或最后一项后多了逗号"),
    ("Expecting ',' delimiter", "缺少逗号"),
    ("Expecting ':' delimiter", "缺少冒号"),
    ("Expecting value", "缺少值，或多了逗号"),
    ("Unterminated string", "引号没有闭合"),
    ("Invalid control character", "字符串中有未转义的换行或 Tab"),
    ("Extra data", "JSON 结束后还有多余内容"),
)


def _parse_json(text: str, file: str) -> tuple[Any, yaml.Node | None]:
    """Parse JSON strictly, then read it as YAML (a superset) for its node tree, which knows each field's line."""
    try:
        data = json.loads(text, parse_int=_json_int, parse_float=_json_float)
    except RecursionError as exc:
        raise _too_deep(file) from exc
    except json.JSONDecodeError as exc:
        said = next((chinese for english, chinese in _JSON_PROBLEMS if exc.msg.startswith(english)), None)
        raise InputError(
            f"JSON 语法错误：{said}（{exc.msg}）" if said else f"JSON 语法错误（{exc.msg}）",
            where=Place(file, line=exc.lineno, column=exc.colno),
            hint="请检查逗号、引号和括号",
        ) from exc
    try:
        # JSON allows tabs between tokens where YAML does not; a tab inside a JSON string must be escaped
        # ("\\t"), so after json.loads accepted the text every raw tab is whitespace and a space is the same
        node = yaml.compose(text.replace("\t", " "), Loader=_COMPOSER)
    except yaml.YAMLError:
        return data, None  # valid JSON that YAML 1.1 cannot read: keep it, without line numbers
    return data, node  # None for an empty document: nothing to place


def _json_places(node: yaml.Node | None, file: str, tally: _Tally) -> dict[str, str]:
    # the values are JSON's own reading (YAML 1.1 would take 1e5 for text); YAML adds lines and refuses duplicate keys
    return _build(node, file, tally)[1] if node is not None else {}


def _field_path(loc: tuple[Any, ...], data: Any) -> str:
    """Turn a pydantic loc into ``indicators[3].weight``, using the key the user actually wrote."""
    path = ""
    node = data
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            continue
        key = str(part)
        if isinstance(node, dict) and key not in node:
            # pydantic reports the canonical name; show the alias the user wrote if there is one
            key = next((k for k in node if k == key), key)
        path += f".{key}" if path else key
        node = node.get(key) if isinstance(node, dict) else None
    return path


_TYPE_MESSAGES = {
    "decimal_parsing": "应为数字",
    "decimal_type": "应为数字",
    "int_parsing": "应为整数",
    "int_parsing_size": "数字位数过多，不是自评表上的数值",
    "int_type": "应为整数",
    "missing": "缺少必填字段",
    "extra_forbidden": "无法识别的字段",
    "list_type": "应为列表",
    "dict_type": "应为键值表",
    "model_type": "应为键值表",
    "string_type": "应为文字",
    "finite_number": "应为有限数值",
    "int_from_float": "应为整数",
    "bool_type": "应为是/否（true/false）",
    "bool_parsing": "应为是/否（true/false）",
    "date_type": "应为日期",
}


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    """Return the model class inside ``Budget | None`` or ``list[Indicator]``, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _nested_model(arg)
        if found is not None:
            return found
    return None


@cache
def _fields(model: type[BaseModel]) -> tuple[tuple[str, tuple[str, ...], type[BaseModel] | None], ...]:
    """Each field of ``model``: its name, the keys a form may write it under, the model nested in it."""
    fields = []
    for name, info in model.model_fields.items():
        alias = info.validation_alias
        choices = alias.choices if isinstance(alias, AliasChoices) else [name]
        fields.append((name, tuple(c for c in choices if isinstance(c, str)), _nested_model(info.annotation)))
    return tuple(fields)


def _canonical_places(model: type[BaseModel], data: Any, user: str, canon: str, places: dict[str, str]) -> None:
    """Record each field's line under its canonical path too (``总分`` → ``total_score``).

    Findings name fields canonically while the lines were recorded under the keys the user wrote.
    """
    if not isinstance(data, dict):
        return
    for name, choices, nested in _fields(model):
        key = next((c for c in choices if c in data), None)
        if key is None:
            continue
        u, c = (f"{user}.{key}", f"{canon}.{name}") if user else (key, name)
        value = data[key]
        if u != c:
            if u in places:
                places.setdefault(c, places[u])
            if nested is None or isinstance(value, list):
                # plain dicts and lists (categories, deviation_analysis) and list items: copy what lies under them
                for path, line in list(places.items()):
                    if path.startswith((u + ".", u + "[")) and (nested is None or "." not in path[len(u) :]):
                        places.setdefault(c + path[len(u) :], line)
        if nested is None:
            continue
        items = value if isinstance(value, list) else [value]
        for i, item in enumerate(items):
            suffix = f"[{i}]" if isinstance(value, list) else ""
            _canonical_places(nested, item, u + suffix, c + suffix, places)


def validate_data(data: Any, source: SourceMap) -> EvaluationForm:
    """Validate plain data as a form; turn the first problems into one readable InputError."""
    if not isinstance(data, dict):
        raise InputError("顶层应为键值表（项目名称、指标等字段）", where=source.place(""))
    data, cleaned = clean_data(data)
    if detect_kind(data) is None:
        # neither 项目名称 nor a department-wide marker: say which of the two to give, at the top of the form
        error = InputError(
            f"自评表数据有误：{source.locate('')} 字段 project：{MISSING_SUBJECT}",
            hint="请按 docs/input-format.md 修改后重试",
        )
        error.place = source.place("", field="project")  # named in the message; kept as attributes
        raise error
    try:
        with collect_notes() as notes:
            form = EvaluationForm.model_validate(data)
    except RecursionError as exc:  # data built in code can nest deeper than any file we parse
        raise _too_deep(source.place("")) from exc
    except ValidationError as exc:
        lines = []
        places = []
        for err in exc.errors()[:5]:
            path = _field_path(err["loc"], data)
            place = source.place(path)
            places.append(place)
            where = str(place)
            what = _TYPE_MESSAGES.get(err["type"]) or str(err["msg"]).removeprefix("Value error, ")
            shown = err.get("input")
            got = ""
            if isinstance(shown, (str, int, float)) and err["type"] != "missing":
                text = str(shown)
                got = f"（实际为“{text[:30]}…”）" if len(text) > 30 else f"（实际为“{text}”）"
            lines.append(f"{where} 字段 {path or '(顶层)'}：{what}{got}")
        more = f"；另有 {len(exc.errors()) - 5} 处问题" if len(exc.errors()) > 5 else ""
        error = InputError("自评表数据有误：" + "；".join(lines) + more, hint="请按 docs/input-format.md 修改后重试")
        error.place = places[0]  # the message names each place itself; the attributes hold the first
        raise error from exc
    _canonical_places(EvaluationForm, data, "", "", source.places)
    for note in cleaned:
        code = "bidi-control" if note.bidi else "control-characters"
        source.findings.append(make(code, note.message(), note.path, source.locate(note.path)))
    for path, message in notes:
        source.findings.append(make("unit-converted", message, path, source.locate(path)))
    return attach_source(form, source)


def _read_text(path: Path) -> str:
    file = str(path)
    check_file_size(path)  # the whole file, however many forms it holds
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"无法读取文件（{exc.strerror}）", where=file) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            f"文件不是 UTF-8 编码（第 {line} 行起无法解码）", where=Place(file, line=line), hint="请以 UTF-8 编码另存后重试"
        ) from exc
    if not text.strip():
        raise _empty(file)
    return text


def _empty(file: str) -> InputError:
    return InputError("文件为空", where=file, hint="请按 docs/input-format.md 填写自评表数据")


def _blank(node: yaml.Node) -> bool:
    """An empty document: nothing between two ``---`` (or after the last one)."""
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null" and node.value == ""


def _line(node: yaml.Node | None) -> int | None:
    return node.start_mark.line + 1 if node is not None else None


def _not_a_form(data: Any, file: str, node: yaml.Node | None) -> InputError:
    what = "列表" if isinstance(data, list) else "空值" if data is None else "单个值"
    return InputError(
        f"应为键值表（项目名称、指标等字段），实际为{what}",
        where=Place(file, line=_line(node)) if node is not None else Place(file),
        hint="列表的每一项（或以 --- 分开的每个 YAML 文档）是一张自评表，见 docs/input-format.md",
    )


def _numbered(exc: ReportgenError, ordinal: int) -> ReportgenError:
    """Say which form of the file the error is about (its place already names the file and the line)."""
    exc.message = f"第{ordinal}个自评表：{exc.message}"
    exc.args = (exc.message,)
    return exc


def _item(given: Any, node: yaml.Node | None, file: str, tally: _Tally) -> EvaluationForm:
    """One form of a file of several: ``given`` is JSON's data (None: YAML's, built from ``node``)."""
    if given is None and node is not None:
        data, places = _build(node, file, tally)
    else:
        data, places = given, _json_places(node, file, tally)
    if not isinstance(data, dict):
        raise _not_a_form(data, file, node)
    return validate_data(data, SourceMap(file, places))


def load_structured_parts(path: Path) -> list[EvaluationForm | ReportgenError]:
    """Load each form of a .yaml/.yml/.json file: its form, or the error it raised.

    A file holds one form (a mapping) or several: a top-level list of mappings, or YAML documents
    separated by ``---``. Each is placed by its own lines in the file, and its errors say which it is
    (第2个自评表). A file of one form raises its error, as it always has. The bounds on size and on
    values are the file's, shared by its forms.
    """
    file = str(path)
    text = _read_text(path)
    tally = _Tally()
    items: list[tuple[Any, yaml.Node | None]]  # each form: JSON's data (None for YAML), its node (for lines)
    root: yaml.Node | None
    if path.suffix.lower() == ".json":
        data, root = _parse_json(text, file)
        if not isinstance(data, list):
            return [validate_data(data, SourceMap(file, _json_places(root, file, tally)))]
        nodes = root.value if isinstance(root, yaml.SequenceNode) and len(root.value) == len(data) else [None] * len(data)
        items = list(zip(data, nodes, strict=True))
    else:
        documents = _compose(text, file)
        if len(documents) > 1:
            documents = [d for d in documents if not _blank(d)]  # nothing after a trailing ``---``: no form
        if not documents:
            raise _empty(file)
        root = documents[0]
        if len(documents) == 1 and not isinstance(root, yaml.SequenceNode):
            data, places = _build(root, file, tally)
            return [validate_data(data, SourceMap(file, places))]
        items = [(None, n) for n in (root.value if len(documents) == 1 else documents)]
    if not items:
        raise InputError(
            "文件是一个空列表，没有自评表",
            where=Place(file, line=_line(root) or 1),
            hint="列表的每一项是一张自评表（项目名称、指标等字段），见 docs/input-format.md",
        )
    parts: list[EvaluationForm | ReportgenError] = []
    for ordinal, (given, node) in enumerate(items, start=1):
        try:
            parts.append(_item(given, node, file, tally))
        except InputError as exc:
            if tally.exceeded:
                raise  # the bound is the file's: none of its forms is read
            parts.append(_numbered(exc, ordinal))
    return parts

