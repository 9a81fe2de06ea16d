"""The 生成报告 tab's work: one uploaded form, the text typed into its gaps, and what the page shows.

The form goes through the CLI's own pipeline, ``reportgen.engine.Engine`` (load → evaluate →
compose → check → render); the text typed into the gap fields is written into the form's data first (``gaps.apply_fills``), so
the preview, every download and the filled workbook come from one completed form.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from reportgen import formatting as fmt
from reportgen.engine import Engine, Options
from reportgen.evaluation.findings import SEVERITY_LABEL
from reportgen.evaluation.model import EvaluationForm, source_of
from reportgen.evaluation.scoring import Evaluation
from reportgen.loaders import load_all
from reportgen.narrative.outline import available_outlines
from reportgen.report import Report
from reportgen.serve.gaps import apply_fills, gaps_of
from reportgen.serve.preview import preview_document

OUTLINE_LABELS = {
    "default": "通用提纲",
    "mof": "财政部参考提纲",
    "transfer": "转移支付提纲",
    "summary": "一段式综述",
}


def outlines() -> list[dict[str, str]]:
    names = available_outlines()
    ordered = [n for n in OUTLINE_LABELS if n in names] + sorted(n for n in names if n not in OUTLINE_LABELS)
    return [{"name": n, "label": OUTLINE_LABELS.get(n, n)} for n in ordered]


def check_outline(name: str) -> str:
    """Only the shipped outlines are offered: a name from the page is never taken as a path."""
    from reportgen.errors import UsageError

    if name not in available_outlines():
        raise UsageError(f"没有名为“{name}”的提纲", hint="可选：" + "、".join(o["label"] for o in outlines()))
    return name


_ENGINES: dict[str, Engine] = {}


def engine(outline: str) -> Engine:
    """The pipeline for one outline, kept for the server's life (templates, taxonomy, lexicon load once).

    It renders the HTML the page previews and checks the report; downloads render from the same engine.
    """
    if outline not in _ENGINES:
        _ENGINES[outline] = Engine(Options(outline=outline, formats=("html",), check=True)).prepare()
    return _ENGINES[outline]


@dataclass
class Draft:
    """A session's form in the 生成报告 tab."""

    original: EvaluationForm
    source: str  # the uploaded file's name, as the user knows it
    outline: str = "default"
    fills: dict[str, str] = field(default_factory=dict)
    # what the last run produced (the downloads render from it)
    form: EvaluationForm | None = None
    evaluation: Evaluation | None = None
    report: Report | None = None

    @classmethod
    def from_file(cls, path: Path, shown: str, outline: str) -> Draft:
        from reportgen.errors import UsageError

        forms = load_all(path)
        if len(forms) > 1:
            raise UsageError(f"文件中有 {len(forms)} 个项目，“生成报告”一次处理一个", where=shown,
                             hint="请在“批量生成”标签页中上传此文件，每个项目各得一份报告")
        return cls(forms[0], shown, outline)

    def run(self) -> dict[str, Any]:
        """Compose the report from the form with its fills; return what the page shows."""
        self.form = apply_fills(self.original, self.fills)
        outcome = engine(self.outline).run(self.form)
        self.evaluation, self.report = outcome.evaluation, outcome.report
        result = outcome.check
        assert result is not None  # the engine is built with check=True
        gaps = gaps_of(self.report, self.evaluation)
        return {
            "project": self.form.project,
            "source": self.source,
            "outline": self.outline,
            "title": self.report.title,
            "evaluation": evaluation_view(self.evaluation, self.source),
            "findings": findings_view(self.evaluation, self.source),
            "gaps": [{**g.to_dict(), "value": self.fills.get(g.id, "")} for g in gaps],
            "filled": [{"id": k, "value": v} for k, v in self.fills.items() if v.strip()],
            "placeholders": len(self.report.placeholders),
            "check": {"ok": result.ok, "summary": result.summary_line()},
            "preview": preview_document(outcome.files["html"].decode("utf-8")),
        }

    # downloads -----------------------------------------------------------------------------------
    def download(self, kind: str) -> tuple[bytes, str, str]:
        """The current report (or filled workbook) as bytes, its file name and media type."""
        assert self.report is not None and self.form is not None
        name = self.report.name
        media = {"docx": DOCX, "pdf": "application/pdf", "md": "text/markdown; charset=utf-8"}
        if kind in media:
            return engine(self.outline).render(self.report, kind), f"{name}.{kind}", media[kind]
        if kind == "xlsx":
            from reportgen.loaders.xlsx_template import build_workbook

            buffer = io.BytesIO()
            build_workbook(self.form).save(buffer)
            stem = Path(self.source).stem or self.form.project
            return buffer.getvalue(), f"{stem}-已填写.xlsx", XLSX
        raise KeyError(kind)


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- what the page shows ----------------------------------------------------------------------------


def _num(value: Decimal | None, kind: str, unit: str = "") -> str:
    if value is None:
        return "—"
    if kind == "money":
        return fmt.money(value, unit)
    if kind == "percent":
        return fmt.percent(value)
    return fmt.score(value)


def evaluation_view(ev: Evaluation, shown: str) -> dict[str, Any]:
    """The evaluation as rows of (label, value, computed?, source): computed figures say how they were computed."""
    source = source_of(ev.form)

    def place(path: str) -> str:
        return "自评表：" + _shown_place(source.locate(path), source.file, shown)

    rows: list[dict[str, Any]] = []
    b = ev.budget
    form_budget = ev.form.budget
    if b is not None:
        rate_computed = b.rate is not None and form_budget is not None and form_budget.rate is None
        rows += [
            {"label": "年初预算数", "value": _num(b.initial, "money", b.unit), "computed": False,
             "source": place("budget.initial") if b.initial is not None else ""},
            {"label": "全年预算数", "value": _num(b.adjusted, "money", b.unit), "computed": False,
             "source": place("budget.adjusted") if b.adjusted is not None else ""},
            {"label": "全年执行数", "value": _num(b.executed, "money", b.unit), "computed": False,
             "source": place("budget.executed") if b.executed is not None else ""},
            {"label": "预算执行率", "value": _num(b.rate, "percent"), "computed": rate_computed,
             "source": "计算：全年执行数 ÷ 全年预算数" if rate_computed else place("budget.rate") if b.rate is not None else ""},
            {"label": "预算执行得分", "value": _num(b.score, "score") + (f" / {_num(b.weight, 'score')}" if b.weight else ""),
             "computed": b.score_source == "computed",
             "source": "计算：分值 × 执行率（不超过分值）" if b.score_source == "computed" else place("budget.score")},
        ]
    categories = [
        {"label": c.level1, "weight": _num(c.weight, "score"), "score": _num(c.score, "score"),
         "source": "计算：所含各项指标得分之和"} for c in ev.level1
    ]
    return {
        "budget": rows,
        "categories": categories,
        "total": _num(ev.total, "score"),
        "total_computed": ev.total_source == "computed",
        "total_source": "计算：预算执行得分与各项指标得分之和" if ev.total_source == "computed"
        else place("total_score") if ev.total is not None else "",
        "grade": ev.grade or "—",
        "grade_computed": ev.grade is not None and not ev.form.grade,
        "grade_source": f"计算：按总分确定（{_bands(ev)}）" if ev.grade and not ev.form.grade
        else place("grade") if ev.grade else "",
        "indicators": len(ev.counted),
        "deducted": [{"name": r.name, "lost": _num(r.lost, "score")} for r in ev.deducted],
    }


def _bands(ev: Evaluation) -> str:
    bands = sorted(ev.rules.grade_bands, key=lambda band: band[0], reverse=True)
    return "，".join(f"{fmt.score(lower)}分及以上为{name}" if lower else f"其余为{name}" for lower, name in bands)


def findings_view(ev: Evaluation, shown: str) -> list[dict[str, str]]:
    source = source_of(ev.form)
    out = []
    for f in ev.findings:
        where = f.where or (source.locate(f.path) if f.path else "")
        out.append({
            "severity": f.severity,
            "severity_label": SEVERITY_LABEL[f.severity],
            "title": f.title,
            "message": f.message,
            "where": _shown_place(where, source.file, shown),
            "path": f.path,
        })
    return out


def _shown_place(where: str, stored: str, shown: str) -> str:
    """Places name the user's file, not the workspace copy: /tmp/…/自评表.xlsx!Sheet1!I12 → 自评表.xlsx!Sheet1!I12."""
    return where.replace(stored, shown) if stored else where
