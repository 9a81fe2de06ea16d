"""Wording that is data: completion words by score band, grade words (``templates/wording.yaml``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import yaml

from reportgen.errors import TemplateError
from reportgen.loaders.safeyaml import load_bounded


@dataclass(frozen=True)
class Wording:
    all_met: str
    bands: tuple[tuple[Decimal, str], ...]
    grades: dict[str, str]

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


def load_wording(path: Path) -> Wording:
    """Read wording.yaml; a malformed file is a TemplateError naming the file."""
    try:
        data = load_bounded(path.read_text(encoding="utf-8"), str(path), TemplateError)
        completion = data["completion"]
        bands = tuple(
            sorted(((Decimal(str(b["min"])), str(b["word"])) for b in completion["bands"]), reverse=True)
        )
        return Wording(str(completion["all_met"]), bands, {str(k): str(v) for k, v in data["grades"].items()})
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 0
        raise TemplateError(f"YAML 语法错误（{exc.problem}）", where=f"{path}:{line}") from exc
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        raise TemplateError(
            f"用语文件格式不正确（缺少或错误的字段：{exc}）", where=str(path), hint="请参照内置的 templates/wording.yaml"
        ) from exc
