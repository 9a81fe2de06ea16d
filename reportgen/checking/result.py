"""What a check found: problems (with lines and suggestions) and the required groups present."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["missing-term", "discouraged", "placeholder", "missing-section", "fact-mismatch",
               "deduction-not-mentioned", "form-error", "ledger-mismatch"]
Severity = Literal["error", "warning"]

KIND_LABEL: dict[str, str] = {
    "missing-term": "缺少必备用语",
    "missing-section": "缺少章节",
    "placeholder": "待补充项",
    "fact-mismatch": "与自评表不符",
    "deduction-not-mentioned": "扣分指标未说明",
    "discouraged": "不宜用语",
    "form-error": "自评表错误",
    "ledger-mismatch": "数字与出处不符",
}


@dataclass(frozen=True)
class Problem:
    """One thing to fix, with where it is and what to write instead."""

    kind: Kind
    severity: Severity  # "error" fails the check; "warning" is advice
    section: str | None  # section kind ("deviation"…), "document" for the whole report
    line: int | None  # line (段 for .docx) the problem is on; None when it is an absence
    message: str
    suggestion: str = ""
    term: str | None = None  # the discouraged word, placeholder text, or number as written
    group: str | None = None  # the required group's id
    heading: str | None = None  # the heading of the section as written in the draft
    forced: bool = False  # a placeholder the data forced: the form lacks what it asks for

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "severity": self.severity,
            "section": self.section,
            "heading": self.heading,
            "line": self.line,
            "message": self.message,
            "suggestion": self.suggestion,
            "term": self.term,
            "group": self.group,
            "forced": self.forced,
        }


@dataclass(frozen=True)
class Present:
    """A required group found: which of its terms, where, and how often."""

    group: str
    name: str
    section: str
    term: str
    line: int
    count: int
    level: Literal["required", "recommended"] = "required"

    def to_dict(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "name": self.name,
            "section": self.section,
            "term": self.term,
            "line": self.line,
            "count": self.count,
            "level": self.level,
        }


@dataclass(frozen=True)
class SectionFound:
    """A heading of the draft that names section kinds."""

    kinds: tuple[str, ...]
    heading: str
    line: int

    def to_dict(self) -> dict[str, Any]:
        return {"kinds": list(self.kinds), "heading": self.heading, "line": self.line}


@dataclass
class CheckResult:
    """The outcome of checking one report."""

    source: str
    ok: bool
    problems: list[Problem] = field(default_factory=list)
    present: list[Present] = field(default_factory=list)
    sections: list[SectionFound] = field(default_factory=list)
    required_total: int = 0  # required groups that applied to this report
    line_unit: str = "行"
    facts_checked: bool = False  # whether form data was available for the fact checks
    figures_checked: int = 0  # ledger entries of a generated report verified against the form

    @property
    def errors(self) -> list[Problem]:
        """Return the problems that fail the check."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def required_found(self) -> int:
        """Return how many required (not merely recommended) groups were found."""
        return sum(1 for p in self.present if p.level == "required")

    def count(self, kind: str) -> int:
        """Return how many problems of ``kind`` there are."""
        return sum(1 for p in self.problems if p.kind == kind)

    def summary_line(self) -> str:
        """One Chinese line: 检查通过：必备用语 23/23，无待补充项 / 检查未通过：…"""
        parts = [f"必备用语 {self.required_found}/{self.required_total}"]
        placeholders = [p for p in self.problems if p.kind == "placeholder"]
        if placeholders:
            forced = sum(1 for p in placeholders if p.forced)
            note = f"（其中{forced}处因自评表缺少数据）" if forced else ""
            parts.append(f"待补充项 {len(placeholders)} 处{note}")
        else:
            parts.append("无待补充项")
        for kind, unit in (("missing-section", "个"), ("fact-mismatch", "处"), ("deduction-not-mentioned", "项")):
            n = self.count(kind)
            if n:
                parts.append(f"{KIND_LABEL[kind]} {n} {unit}")
        if self.figures_checked:
            wrong = self.count("ledger-mismatch")
            parts.append(f"核对数字 {self.figures_checked} 处，" + (f"{wrong} 处不符" if wrong else "全部一致"))
        errors = [p for p in self.problems if p.kind == "form-error"]
        if errors:
            titles = "、".join(dict.fromkeys(p.term or "" for p in errors))
            parts.append(f"自评表错误 {len(errors)} 处（{titles}）")
        advice = sum(1 for p in self.problems if p.severity == "warning")
        if advice:
            parts.append(f"提示 {advice} 条")
        return ("检查通过：" if self.ok else "检查未通过：") + "，".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-able dict with a stable key order (written as ``<name>.check.json``)."""
        return {
            "source": self.source,
            "ok": self.ok,
            "summary": self.summary_line(),
            "line_unit": self.line_unit,
            "facts_checked": self.facts_checked,
            "figures_checked": self.figures_checked,
            "counts": {
                "required_total": self.required_total,
                "required_found": self.required_found,
                "errors": len(self.errors),
                "warnings": len(self.problems) - len(self.errors),
                **{kind: self.count(kind) for kind in KIND_LABEL},
            },
            "sections": [s.to_dict() for s in self.sections],
            "present": [p.to_dict() for p in self.present],
            "problems": [p.to_dict() for p in self.problems],
        }
