"""Load the checking lexicon: policy terms, required groups, discouraged wording, section kinds.

The lexicon is plain data under ``lexicon/`` that users edit. ``load_lexicon(DIR)`` overlays a
user's directory on the built-in one file by file: a file present in DIR replaces the built-in
file of the same name, and files the checker does not know (``causes.yaml`` belongs to the
narrative) are left alone. A malformed file raises LexiconError naming the file and line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml

from reportgen.errors import LexiconError
from reportgen.loaders.safeyaml import load_bounded
from reportgen.resources import confined, lexicon_dir
from reportgen.segment import UserWord, normalize, read_terms

FILES = ("terms.txt", "required.yaml", "discouraged.yaml", "sections.yaml")
DOCUMENT = "document"  # the section of a group that is looked for in the whole report

IfAbsent = Literal["missing", "document", "skip"]
Level = Literal["required", "recommended"]


@dataclass(frozen=True)
class SectionKind:
    """A kind of report section and the heading words that name it."""

    kind: str
    label: str
    words: tuple[str, ...]
    unless: tuple[str, ...] = ()
    exclusive: bool = False
    container: bool = False
    if_absent: IfAbsent = "skip"
    wording: bool = True
    where: str = ""

    def matches(self, heading: str) -> bool:
        """Whether a heading's words name this kind."""
        return any(w in heading for w in self.words) and not any(w in heading for w in self.unless)


@dataclass(frozen=True)
class RequiredGroup:
    """A requirement: any of ``terms`` must occur at least ``min`` times in ``section``."""

    id: str
    name: str
    section: str
    terms: tuple[str, ...]
    min: int = 1
    level: Level = "required"
    explain: str = ""
    where: str = ""


@dataclass(frozen=True)
class Discouraged:
    """Wording an official report should avoid, with the reason and a better phrasing."""

    terms: tuple[str, ...]
    category: str
    why: str
    suggest: str
    when: str | None = None  # "lost-points": only when the evaluation lost points
    where: str = ""


@dataclass(frozen=True)
class Placeholder:
    """A pattern of leftover placeholder text (【待补充…】)."""

    pattern: re.Pattern[str]
    why: str
    suggest: str
    where: str = ""


@dataclass(frozen=True)
class Lexicon:
    """Everything the checker reads from the lexicon directory (after overlaying)."""

    words: tuple[UserWord, ...]
    groups: tuple[RequiredGroup, ...]
    discouraged: tuple[Discouraged, ...]
    placeholders: tuple[Placeholder, ...]
    kinds: tuple[SectionKind, ...]
    files: dict[str, Path] = field(default_factory=dict, compare=False)

    def kind(self, name: str) -> SectionKind | None:
        """Return the section kind called ``name``."""
        return next((k for k in self.kinds if k.kind == name), None)

    def label(self, name: str | None) -> str:
        """Return the Chinese name of a section kind (全文 for the whole document)."""
        if name is None or name == DOCUMENT:
            return "全文"
        k = self.kind(name)
        return k.label if k else name


# --- YAML with line numbers -------------------------------------------------------------------


class _Map(dict[Any, Any]):
    """A YAML mapping that remembers the line it started on."""

    line = 0


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """A safe loader (libyaml's when available: 4× faster parsing) that keeps mapping lines."""


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> Iterator[_Map]:
    data = _Map()
    data.line = node.start_mark.line + 1
    yield data
    data.update(loader.construct_mapping(node))


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LexiconError("词库文件不是 UTF-8 编码", where=str(path), hint="请用 UTF-8 保存该文件") from exc
    except OSError as exc:
        raise LexiconError(f"无法读取词库文件：{exc.strerror or exc}", where=str(path)) from exc
    try:
        return load_bounded(text, str(path), LexiconError, _Loader)  # _Loader is a SafeLoader: no arbitrary objects
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise LexiconError(
            f"YAML 格式错误：{exc.problem or exc}", where=where, hint="检查缩进、冒号和引号是否成对"
        ) from exc
    except yaml.YAMLError as exc:
        raise LexiconError(f"YAML 格式错误：{exc}", where=str(path)) from exc


class _Reader:
    """Validate one mapping of a lexicon file, reporting errors at its line."""

    def __init__(self, path: Path, data: Any, what: str, allowed: set[str]) -> None:
        self.where = f"{path}:{getattr(data, 'line', 0) or 1}"
        if not isinstance(data, dict):
            raise LexiconError(f"{what}应是“键: 值”形式的条目", where=self.where, hint="参照内置词库的写法")
        unknown = sorted(set(map(str, data)) - allowed)
        if unknown:
            raise LexiconError(
                f"{what}中有不认识的键“{'、'.join(unknown)}”",
                where=self.where,
                hint="可用的键：" + "、".join(sorted(allowed)),
            )
        self.data = data
        self.what = what

    def text(self, key: str, default: str | None = None) -> str:
        value = self.data.get(key, default)
        if value is None:
            raise LexiconError(f"{self.what}缺少“{key}”", where=self.where)
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise LexiconError(f"{self.what}的“{key}”应是一段文字", where=self.where)
        return str(value).strip()

    def words(self, key: str, *, required: bool = True) -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            if required:
                raise LexiconError(f"{self.what}缺少“{key}”", where=self.where, hint=f"{key}: [词语1, 词语2]")
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
            raise LexiconError(f"{self.what}的“{key}”应是词语列表", where=self.where, hint=f"{key}: [词语1, 词语2]")
        out = tuple(normalize(str(v)).strip() for v in value)
        if any(not v for v in out) or (required and not out):
            raise LexiconError(f"{self.what}的“{key}”含有空词语", where=self.where)
        return out

    def flag(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise LexiconError(f"{self.what}的“{key}”应是 true 或 false", where=self.where)
        return value

    def choice(self, key: str, options: tuple[str, ...], default: str) -> str:
        value = self.data.get(key, default)
        if value not in options:
            raise LexiconError(
                f"{self.what}的“{key}”不能是“{value}”", where=self.where, hint="可选：" + "、".join(options)
            )
        return str(value)


def _items(path: Path, key: str) -> list[Any]:
    data = _read_yaml(path)
    if data is None:
        return []
    if not isinstance(data, dict) or key not in data:
        raise LexiconError(f"词库文件应以“{key}:”开头，下面逐条列出", where=f"{path}:1")
    items = data[key]
    if items is None:
        return []
    if not isinstance(items, list):
        raise LexiconError(f"“{key}”下应是以“- ”开头的条目列表", where=f"{path}:{getattr(data, 'line', 1)}")
    return items


# --- the four files ---------------------------------------------------------------------------

def read_kinds(path: Path) -> tuple[SectionKind, ...]:
    """Read sections.yaml: the section kinds in matching order."""
    kinds: list[SectionKind] = []
    allowed = {"kind", "label", "words", "unless", "exclusive", "container", "if_absent", "wording"}
    for item in _items(path, "kinds"):
        r = _Reader(path, item, "章节类别", allowed)
        kind = r.text("kind")
        if any(k.kind == kind for k in kinds):
            raise LexiconError(f"章节类别“{kind}”重复定义", where=r.where)
        kinds.append(
            SectionKind(
                kind=kind,
                label=r.text("label", kind),
                words=r.words("words"),
                unless=r.words("unless", required=False),
                exclusive=r.flag("exclusive", False),
                container=r.flag("container", False),
                if_absent=r.choice("if_absent", ("missing", "document", "skip"), "skip"),  # type: ignore[arg-type]
                wording=r.flag("wording", True),
                where=r.where,
            )
        )
    return tuple(kinds)


def read_groups(path: Path, kinds: tuple[SectionKind, ...]) -> tuple[RequiredGroup, ...]:
    """Read required.yaml, checking each group's section against the known kinds."""
    known = {k.kind for k in kinds} | {DOCUMENT}
    groups: list[RequiredGroup] = []
    allowed = {"id", "name", "section", "terms", "min", "level", "explain"}
    for item in _items(path, "groups"):
        r = _Reader(path, item, "必备用语组", allowed)
        gid = r.text("id")
        section = r.text("section")
        if section not in known:
            raise LexiconError(
                f"必备用语组“{gid}”的章节“{section}”未在 sections.yaml 中定义",
                where=r.where,
                hint="可用的章节：" + "、".join(sorted(known)),
            )
        minimum = item.get("min", 1)
        if not isinstance(minimum, int) or isinstance(minimum, bool) or minimum < 1:
            raise LexiconError(f"必备用语组“{gid}”的 min 应是正整数", where=r.where)
        if any(g.id == gid and g.section == section for g in groups):
            raise LexiconError(f"必备用语组“{gid}”重复定义", where=r.where)
        groups.append(
            RequiredGroup(
                id=gid,
                name=r.text("name", gid),
                section=section,
                terms=r.words("terms"),
                min=minimum,
                level=r.choice("level", ("required", "recommended"), "required"),  # type: ignore[arg-type]
                explain=r.text("explain", ""),
                where=r.where,
            )
        )
    return tuple(groups)


def read_discouraged(path: Path) -> tuple[tuple[Discouraged, ...], tuple[Placeholder, ...]]:
    """Read discouraged.yaml: discouraged words and placeholder patterns."""
    data = _read_yaml(path)
    if data is None:
        return (), ()
    if not isinstance(data, dict) or not set(data) <= {"words", "placeholders"}:
        raise LexiconError("不宜用语文件应包含“words:”和“placeholders:”两部分", where=f"{path}:1")
    words: list[Discouraged] = []
    for item in data.get("words") or []:
        r = _Reader(path, item, "不宜用语", {"terms", "category", "why", "suggest", "when"})
        when = item.get("when")
        if when not in (None, "lost-points"):
            raise LexiconError(f"不宜用语的 when 不能是“{when}”", where=r.where, hint="可选：lost-points")
        words.append(Discouraged(r.words("terms"), r.text("category", "不宜"), r.text("why", ""),
                                 r.text("suggest", ""), when, r.where))
    placeholders: list[Placeholder] = []
    for item in data.get("placeholders") or []:
        r = _Reader(path, item, "占位符", {"pattern", "why", "suggest"})
        source = r.text("pattern")
        try:
            pattern = re.compile(source)
        except re.error as exc:
            raise LexiconError(f"占位符的正则表达式有误：{exc}", where=r.where) from exc
        placeholders.append(Placeholder(pattern, r.text("why", ""), r.text("suggest", ""), r.where))
    return tuple(words), tuple(placeholders)


def _resolve(overlay: Path | None) -> dict[str, Path]:
    base = lexicon_dir()
    files = {name: base / name for name in FILES}
    if overlay is not None:
        if not overlay.is_dir():
            raise LexiconError("词库目录不存在", where=str(overlay), hint="--lexicon 应指向包含词库文件的文件夹")
        for name in FILES:
            if (overlay / name).is_file():
                files[name] = confined(overlay, name, LexiconError)
    return files


@lru_cache(maxsize=8)
def _load(overlay: str | None) -> Lexicon:
    files = _resolve(Path(overlay) if overlay else None)
    kinds = read_kinds(files["sections.yaml"])
    words, placeholders = read_discouraged(files["discouraged.yaml"])
    return Lexicon(
        words=read_terms(files["terms.txt"]),
        groups=read_groups(files["required.yaml"], kinds),
        discouraged=words,
        placeholders=placeholders,
        kinds=kinds,
        files=files,
    )


def load_lexicon(overlay: str | Path | None = None) -> Lexicon:
    """Load the built-in lexicon with ``overlay``'s files replacing it file by file (cached per path)."""
    return _load(str(Path(overlay).resolve()) if overlay is not None else None)
