"""Wording that is data (``templates/wording.yaml``): completion and grade words, and the phrases Python fills in.

Most of a report's words are in its Jinja templates. A few phrases are put together while the facts are
built, before any template runs — the 【待补充：…】 of each gap, the lead-ins of derived measures, a report's
title, the 简称 introduction: they live in ``phrases:``, keyed, with named fields (``“{name}”指标的偏差原因``)
that Python fills; a list is a set of equivalent phrasings the report rotates among (``force=`` lists them).
A user's ``wording.yaml`` (``--templates DIR``) overlays the shipped one key by key, and may use only the
fields the shipped phrase uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from reportgen.errors import TemplateError
from reportgen.loaders.safeyaml import load_bounded

_FIELD = re.compile(r"\{(\w*)\}")


@dataclass(frozen=True)
class Wording:
    all_met: str
    bands: tuple[tuple[Decimal, str], ...]
    grades: dict[str, str]
    #: dotted key (``gaps.indicator_cause``) → its phrasings (one, or the alternatives rotated among)
    phrases: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def completion(self, score: Decimal, weight: Decimal, all_met: bool) -> str:
        """全面完成 when every target was met; otherwise the word of the band score/weight falls in."""
        if all_met:
            return self.all_met
        share = score / weight if weight else Decimal(0)
        for lower, word in self.bands:
            if share >= lower:
                return word
        return self.bands[-1][1]

    def grade_word(self, grade: str | None) -> str:
        return self.grades.get(grade or "", grade or "")

    def choices(self, key: str) -> tuple[str, ...]:
        """The phrasings of ``key`` (unfilled), for a caller that picks one with ``Variation``."""
        return self.phrases[key]

    def say(self, key: str, choice: int = 0, /, **values: object) -> str:
        """Phrase ``key`` (its ``choice``-th phrasing) with its fields filled from ``values``."""
        return fill(self.phrases[key][choice], values)


def fill(phrase: str, values: dict[str, object]) -> str:
    """``{name}`` → ``values["name"]``; nothing else is evaluated (a user's phrase is data, not code)."""
    return _FIELD.sub(lambda m: str(values[m[1]]), phrase)


def _phrases(data: Any, prefix: str = "") -> dict[str, tuple[str, ...]]:
    """Flatten the ``phrases:`` mapping to dotted keys; each value is one phrase or a list of phrasings."""
    if not isinstance(data, dict):
        raise TypeError(f"{prefix or 'phrases'} 应为键值表")
    out: dict[str, tuple[str, ...]] = {}
    for name, value in data.items():
        key = f"{prefix}.{name}" if prefix else str(name)
        if isinstance(value, dict):
            out.update(_phrases(value, key))
        elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            out[key] = tuple(value)
        elif isinstance(value, str):
            out[key] = (value,)
        else:
            raise TypeError(f"phrases.{key} 应为文字或文字的列表")
    return out


def _fields(phrase: str) -> set[str]:
    return set(_FIELD.findall(phrase))


def load_wording(path: Path, base: Wording | None = None) -> Wording:
    """Read wording.yaml; with ``base`` (the shipped wording) what the file leaves out is the base's.

    A malformed file is a TemplateError naming the file; so is a phrase that uses a field its key does not
    have, or a key the shipped file does not know (a typo would otherwise be silently ignored).
    """
    try:
        data = load_bounded(path.read_text(encoding="utf-8"), str(path), TemplateError)
        if base is not None and not isinstance(data, dict):
            raise TypeError("顶层应为键值表")
        if base is not None and "completion" not in data:
            all_met, bands = base.all_met, base.bands
        else:
            completion = data["completion"]
            all_met = str(completion["all_met"])
            bands = tuple(
                sorted(((Decimal(str(b["min"])), str(b["word"])) for b in completion["bands"]), reverse=True)
            )
        if base is not None and "grades" not in data:
            grades = base.grades
        else:
            grades = {str(k): str(v) for k, v in data["grades"].items()}
        phrases = _phrases(data.get("phrases") or {})
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 0
        raise TemplateError(f"YAML 语法错误（{exc.problem}）", where=f"{path}:{line}") from exc
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        raise TemplateError(
            f"用语文件格式不正确（缺少或错误的字段：{exc}）", where=str(path), hint="请参照内置的 templates/wording.yaml"
        ) from exc
    if base is not None:
        for key, given in phrases.items():
            shipped = base.phrases.get(key)
            if shipped is None:
                raise TemplateError(f"用语文件中的“phrases.{key}”不是已有的用语", where=str(path),
                                    hint="请参照内置的 templates/wording.yaml 中 phrases 下的键")
            allowed = set().union(*map(_fields, shipped))
            for phrase in given:
                unknown = _fields(phrase) - allowed
                if unknown:
                    raise TemplateError(
                        f"用语“phrases.{key}”中的 {{{'}、{'.join(sorted(unknown))}}} 不是该用语可用的字段",
                        where=str(path), hint="可用的字段：" + ("、".join(f"{{{f}}}" for f in sorted(allowed)) or "无"),
                    )
        phrases = {**base.phrases, **phrases}
    return Wording(all_met, bands, grades, phrases)
