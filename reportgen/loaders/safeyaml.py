"""Read the YAML files users may supply (outlines, lexicon, wording) with a bound on their size.

``yaml.safe_load`` builds no objects, but an alias bomb ("billion laughs": ten aliases of ten
aliases of …) is a few hundred bytes that becomes billions of values as soon as the data is
walked, and an alias may refer to itself. The node tree is measured as if every alias were
expanded, before anything is constructed; beyond ``MAX_NODES`` (a lexicon has a few thousand
values) or with a self-reference, the file is refused with a message naming it.
"""

from __future__ import annotations

from typing import Any

import yaml

from reportgen.defaults import MAX_DATA_FILE_NODES
from reportgen.errors import ReportgenError

MAX_NODES = MAX_DATA_FILE_NODES

_SafeLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def expanded_size(root: yaml.Node, limit: int = MAX_NODES) -> int | None:
    """Return how many values ``root`` holds with every alias expanded, or None if an alias refers to itself.

    Counting stops early (returning a value above ``limit``) once the bound is passed.
    """
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            sizes[key] = 1 + sum(sizes[id(c)] for c in _children(node))
            if sizes[key] > limit:
                return sizes[key]
            continue
        if key in sizes:
            continue
        if key in on_path:
            return None
        on_path.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in on_path:
                return None
            if id(child) not in sizes:
                stack.append((child, False))
    return sizes[id(root)]


def load_bounded(text: str, where: str, error: type[ReportgenError], loader: type | None = None) -> Any:
    """Parse ``text`` like ``yaml.load`` with a safe loader, refusing alias bombs and self-references.

    YAML syntax errors propagate unchanged (callers report them with their line).
    """
    parser = (loader or _SafeLoader)(text)
    try:
        node = parser.get_single_node()
        if node is None:
            return None
        size = expanded_size(node)
        if size is None:
            raise error("YAML 别名（*）引用了自身，无法展开", where=where, hint="请去掉自我引用的锚点与别名")
        if size > MAX_NODES:
            raise error(
                f"内容过多（展开别名后超过 {MAX_NODES} 个值）",
                where=where,
                hint="请检查锚点与别名（&/*）的用法：别名的别名会成倍展开",
            )
        return parser.construct_document(node)
    finally:
        parser.dispose()
