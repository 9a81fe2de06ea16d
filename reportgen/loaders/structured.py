"""Read a form from YAML or JSON, remembering the line of every field for messages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..errors import InputError
from ..model import EvaluationForm, SourceMap, attach_source


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys (a silently lost cell is worse than an error)."""


def _compose(text: str, file: str) -> tuple[Any, dict[str, str]]:
    """Parse YAML into plain data plus a map ``field path -> ':line'``."""
    try:
        node = yaml.compose(text, Loader=_LineLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{file}:{mark.line + 1}:{mark.column + 1}" if mark else file
        raise InputError(
            f"YAML 语法错误（{exc.problem or exc.context}）",
            where=where,
            hint="请检查该行的缩进、冒号和引号；含冒号或#的文字请加引号",
        ) from exc
    except yaml.YAMLError as exc:
        raise InputError(f"无法解析 YAML：{exc}", where=file) from exc
    if node is None:
        raise InputError("文件为空", where=file, hint="请按 docs/input-format.md 填写自评表数据")
    places: dict[str, str] = {}
    constructor = _LineLoader("")

    def build(n: yaml.Node, path: str) -> Any:
        places.setdefault(path, f":{n.start_mark.line + 1}")
        if isinstance(n, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for key_node, value_node in n.value:
                key = constructor.construct_object(key_node, deep=True)
                key = str(key) if not isinstance(key, str) else key
                if key in out:
                    raise InputError(
                        f"重复的键“{key}”",
                        where=f"{file}:{key_node.start_mark.line + 1}",
                        hint="同一层级的每个字段只能出现一次",
                    )
                out[key] = build(value_node, f"{path}.{key}" if path else key)
            return out
        if isinstance(n, yaml.SequenceNode):
            return [build(item, f"{path}[{i}]") for i, item in enumerate(n.value)]
        return constructor.construct_object(n, deep=True)

    return build(node, ""), places


def _json_syntax(text: str, file: str) -> None:
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"JSON 语法错误（{exc.msg}）", where=f"{file}:{exc.lineno}:{exc.colno}", hint="请检查逗号、引号和括号"
        ) from exc


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
    "int_type": "应为整数",
    "missing": "缺少必填字段",
    "extra_forbidden": "无法识别的字段",
    "list_type": "应为列表",
    "dict_type": "应为键值表",
    "model_type": "应为键值表",
    "string_type": "应为文字",
}


def validate_data(data: Any, source: SourceMap) -> EvaluationForm:
    """Validate plain data as a form; turn the first problems into one readable InputError."""
    if not isinstance(data, dict):
        raise InputError("顶层应为键值表（项目名称、指标等字段）", where=source.locate(""))
    try:
        form = EvaluationForm.model_validate(data)
    except ValidationError as exc:
        lines = []
        first_where = None
        for err in exc.errors()[:5]:
            path = _field_path(err["loc"], data)
            where = source.locate(path)
            first_where = first_where or where
            what = _TYPE_MESSAGES.get(err["type"]) or str(err["msg"]).removeprefix("Value error, ")
            shown = err.get("input")
            got = f"（实际为“{shown}”）" if isinstance(shown, (str, int, float)) and err["type"] != "missing" else ""
            lines.append(f"{where} 字段 {path or '(顶层)'}：{what}{got}")
        more = f"；另有 {len(exc.errors()) - 5} 处问题" if len(exc.errors()) > 5 else ""
        raise InputError(
            "自评表数据有误：" + "；".join(lines) + more,
            hint="请按 docs/input-format.md 修改后重试",
        ) from exc
    return attach_source(form, source)


def load_structured(path: Path) -> EvaluationForm:
    """Load one form from a .yaml/.yml/.json file."""
    file = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"无法读取文件（{exc.strerror}）", where=file) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError("文件不是 UTF-8 编码", where=file, hint="请以 UTF-8 编码另存后重试") from exc
    if not text.strip():
        raise InputError("文件为空", where=file, hint="请按 docs/input-format.md 填写自评表数据")
    if path.suffix.lower() == ".json":
        _json_syntax(text, file)
    data, places = _compose(text, file)
    return validate_data(data, SourceMap(file, places))
