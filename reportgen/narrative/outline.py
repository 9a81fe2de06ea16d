"""Outlines are data: which sections, in which order, under which headings.

``templates/outlines/<name>.yaml`` (a user adds one by dropping a file into their
``--templates`` folder's ``outlines/``, or passes a path). Headings are numbered here in the
official style — 一、 for the first level, （一） for the second — skipping sections the form
cannot feed (a category that has no indicators), so numbering never has gaps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from reportgen.errors import TemplateError
from reportgen.loaders.safeyaml import load_bounded
from reportgen.resources import confined, templates_dir


@dataclass(frozen=True)
class OutlineNode:
    key: str
    heading: str | None
    template: str | None = None
    children: tuple[OutlineNode, ...] = ()
    for_each: str | None = None  # "category": one node per level-1 category present
    numbered: bool = True


@dataclass(frozen=True)
class Outline:
    name: str
    title: str | None
    sections: tuple[OutlineNode, ...]
    signature: bool = True
    description: str = ""
    path: str = ""
    appendix_title: str = field(default="")

    def has(self, key: str) -> bool:
        """Whether any section (at any depth) has this key, e.g. "other" for 其他需要说明的问题."""
        return _has(self.sections, key)


def _has(nodes: tuple[OutlineNode, ...], key: str) -> bool:
    # a function of the module, not a recursive closure: that is a reference cycle (the closure holds its own
    # cell), left to the cycle collector on every report
    return any(n.key == key and n.template or _has(n.children, key) for n in nodes)


def _node(data: object, where: str) -> OutlineNode:
    if not isinstance(data, dict) or "key" not in data:
        raise TemplateError("提纲中的每一节都需要 key 字段", where=where)
    children = data.get("children") or []
    if not isinstance(children, list):
        raise TemplateError(f"“{data['key']}”的 children 应为列表", where=where)
    if not data.get("template") and not children:
        raise TemplateError(f"“{data['key']}”需要 template 或 children", where=where)
    return OutlineNode(
        key=str(data["key"]),
        heading=str(data["heading"]) if data.get("heading") else None,
        template=str(data["template"]) if data.get("template") else None,
        children=tuple(_node(c, where) for c in children),
        for_each=str(data["for_each"]) if data.get("for_each") else None,
        numbered=bool(data.get("numbered", True)),
    )


def find_outline(name: str, user_dir: Path | None = None) -> Path:
    """Resolve ``--outline``: a path to a YAML file, or a name in (user, then built-in) outlines/."""
    direct = Path(name)
    if direct.suffix in (".yaml", ".yml") and direct.is_file():
        return direct
    if user_dir is not None and (user_dir / "outlines" / f"{name}.yaml").is_file():
        return confined(user_dir, Path("outlines") / f"{name}.yaml", TemplateError)
    if (templates_dir() / "outlines" / f"{name}.yaml").is_file():
        return templates_dir() / "outlines" / f"{name}.yaml"
    raise TemplateError(
        f"找不到提纲“{name}”",
        hint="可用的提纲：" + "、".join(available_outlines(user_dir)) + "；也可以给出提纲 YAML 文件的路径",
    )


def available_outlines(user_dir: Path | None = None) -> list[str]:
    names = {p.stem for p in (templates_dir() / "outlines").glob("*.yaml")}
    if user_dir is not None:
        names |= {p.stem for p in (user_dir / "outlines").glob("*.yaml")}
    return sorted(names)


def load_outline(name: str, user_dir: Path | None = None) -> Outline:
    path = find_outline(name, user_dir)
    try:
        data = load_bounded(path.read_text(encoding="utf-8"), str(path), TemplateError)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 0
        raise TemplateError(f"提纲 YAML 语法错误（{exc.problem}）", where=f"{path}:{line}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("sections"), list):
        raise TemplateError("提纲需要 sections 列表", where=str(path))
    return Outline(
        name=str(data.get("name") or path.stem),
        title=str(data["title"]) if data.get("title") else None,
        sections=tuple(_node(s, str(path)) for s in data["sections"]),
        signature=bool(data.get("signature", True)),
        description=str(data.get("description") or ""),
        path=str(path),
    )
