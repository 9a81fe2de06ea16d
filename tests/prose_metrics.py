"""Structure metrics of a generated report (issue 13): does the prose read like a template?

Four figures per report, each computed from the Markdown and the evaluation behind it:

- ``repeat_share`` — share of prose paragraphs whose first 8 characters repeat the previous prose
  paragraph's (target 0). Headings do not separate neighbours (two subsections that open alike read
  alike), tables do. Numbering ("1." "（一）") is dropped and quoted names, category names and numbers
  are masked first: “甲”指标… and “乙”指标… open the same way.
- ``frame_share`` — per level-2 section (## …), the largest share of any one sentence *frame* (target
  ≤ 40 %). A sentence is a clause ending in 。！？ or ；. Its frame is the sentence with placeholders,
  quoted text, the form's names (indicators, categories, project, units), the form's target/actual
  strings and numbers with their units masked. A frame's share is the larger of the share of the
  section's sentences that have it (judged from ``MIN_SENTENCES`` sentences on) and the share of the
  section's paragraphs that contain it (judged from ``MIN_PARAGRAPHS`` paragraphs on): thirteen
  paragraphs of four sentences that all say "自评表未填写该指标的偏差原因" are a template even though
  that sentence is only a quarter of the section's sentences.
- ``longest`` — the longest prose paragraph in characters (target ≤ 300); headings and tables excluded.
- ``cause_placeholders`` against ``groups`` — placeholders that ask for a cause (【待补充：…原因/理由/扣分/
  偏差…】, not for a measure) against the number of *groups* of unexplained deviations the evaluation
  shows (target: at most one per group). Unexplained: an indicator that lost points or fell short with
  no cause of its own (``IndicatorResult.cause`` empty); budget money unspent, an in-year adjustment or
  an over-spend with no cause. Indicators are grouped by theme, independently of the narrative: the
  subject of the name (numbering, ages and types such as "0-6岁" "65岁及以上" "2型" dropped; its first two
  characters: 孕产妇…, 老年人…, 高血压…) and whether the target was met (a deduction on a met target is
  a different question from a shortfall). The narrative may group more coarsely; it must not enumerate.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from reportgen.evaluation.scoring import Evaluation
from reportgen.report import Report

OPENING = 8
MIN_SENTENCES = 5
MIN_PARAGRAPHS = 4
THRESHOLDS = {"repeat_share": 0.0, "frame_share": 0.40, "longest": 300, "placeholder_excess": 0}

_NUMBERING = re.compile(r"^(\d+[.、]|[（(][一二三四五六七八九十\d]+[)）])\s*")
_PLACEHOLDER = re.compile(r"【待补充：[^】]*】")
_QUOTED = re.compile(r"“[^”]*”|「[^」]*」|‘[^’]*’")
_NUMBER = re.compile(r"[-+]?\d[\d,，.]*(?:\s*%)?")
_ORDINAL = re.compile(r"[一二三四五六七八九十]+(?=是)")
_SENTENCE = re.compile(r"[^。！？；]+[。！？；]?")
_CAUSE_WORDS = ("原因", "理由", "扣分", "偏差")
_THEME_NOISE = re.compile(
    r"^(指标\s*\d+\s*[:：]\s*)|^([\d.\-~～—]+\s*(岁|月龄|周岁)?\s*(及以上|以上|以下)?)|^(\d+型)"
)
_DEFAULT_UNITS = ("万元", "元", "个百分点", "百分点", "人次", "小时", "公里", "天", "人", "次", "个", "处",
                  "户", "座", "场", "名", "份", "篇", "册", "项", "分", "年", "月", "日", "倍", "例", "批次")


@dataclass
class Paragraph:
    section: str
    text: str


@dataclass
class ReportMetrics:
    name: str
    paragraphs: int = 0
    repeats: list[tuple[str, str]] = field(default_factory=list)  # (previous, this) openings that repeat
    frame_share: float = 0.0
    frame_section: str = ""
    frame: str = ""
    frame_counts: tuple[int, int] = (0, 0)  # (sentences or paragraphs with the frame, of how many)
    longest: int = 0
    longest_text: str = ""
    placeholders: int = 0
    cause_placeholders: int = 0
    groups: int = 0
    unexplained: int = 0

    @property
    def repeat_share(self) -> float:
        return len(self.repeats) / self.paragraphs if self.paragraphs else 0.0

    @property
    def placeholder_excess(self) -> int:
        return self.cause_placeholders - self.groups

    def failures(self) -> list[str]:
        out = []
        if self.repeat_share > THRESHOLDS["repeat_share"]:
            out.append(f"repeat_share: {len(self.repeats)} repeated openings, e.g. {self.repeats[0][1]!r}")
        if self.frame_share > THRESHOLDS["frame_share"]:
            used, total = self.frame_counts
            out.append(f"frame_share: {used}/{total} in {self.frame_section}: {self.frame!r}")
        if self.longest > THRESHOLDS["longest"]:
            out.append(f"longest: paragraph of {self.longest} chars: {self.longest_text[:40]!r}…")
        if self.placeholder_excess > THRESHOLDS["placeholder_excess"]:
            out.append(f"placeholder_excess: {self.cause_placeholders} cause placeholders for {self.groups} groups")
        return out


def _plain(markdown: str) -> str:
    return re.sub(r"\\([\\`*_\[\]<>|~&!#+\-=.)(])", r"\1", markdown)


def paragraphs(markdown: str) -> list[Paragraph | None]:
    """Prose paragraphs in order, each with its level-2 section; ``None`` marks a table (it separates)."""
    out: list[Paragraph | None] = []
    section = ""
    for block in markdown.split("\n\n"):
        block = block.strip()
        if not block:
            continue
        if block.startswith("#"):
            if block.startswith("## ") or block.startswith("# "):
                section = block.lstrip("#").strip()
            continue
        if block.startswith("|"):
            out.append(None)
            continue
        out.append(Paragraph(section, _plain(block)))
    return out


class _Masker:
    """Masks what varies from project to project, so that what is left is the template's frame."""

    def __init__(self, ev: Evaluation | None) -> None:
        names: set[str] = set()
        values: set[str] = set()
        units: set[str] = set(_DEFAULT_UNITS)
        if ev is not None:
            form = ev.form
            for text in (form.project, form.unit, form.department, form.implementer, ev.implementer):
                if text:
                    names.add(str(text))
            for r in ev.indicators:
                for text in (r.name, r.display_name, r.indicator.level1, r.indicator.level2):
                    if text:
                        names.add(str(text))
                for raw in (r.indicator.target, r.indicator.actual):
                    if raw:
                        values.add(str(raw))
                        m = re.search(r"\d([^\d\s,，.%]{1,6})$", str(raw))
                        if m:
                            units.add(m.group(1))
            for c in (*ev.level1, *ev.level2):
                names.add(str(c.name))
        for generic in ("产出指标", "效益指标", "满意度指标", "数量指标", "质量指标", "时效指标", "成本指标",
                        "社会效益指标", "经济效益指标", "生态效益指标", "可持续影响指标", "服务对象满意度指标",
                        "管理指标"):
            names.add(generic)
        self.names = sorted((n for n in names if len(n) >= 2), key=len, reverse=True)
        self.values = sorted((v for v in values if len(v) >= 2 and not v.isdigit()), key=len, reverse=True)
        unit_alt = "|".join(re.escape(u) for u in sorted(units, key=len, reverse=True))
        self._number_unit = re.compile(rf"[-+]?\d[\d,，.]*(?:\s*%|(?:{unit_alt}))?")

    def common(self, text: str) -> str:
        text = _PLACEHOLDER.sub("【P】", text)
        text = _QUOTED.sub("“Q”", text)
        for v in self.values:
            text = text.replace(v, "V")
        for n in self.names:
            text = text.replace(n, "N")
        return text

    def frame(self, sentence: str) -> str:
        text = self._number_unit.sub("#", self.common(sentence))
        return _ORDINAL.sub("X", text).strip()

    def opening(self, paragraph: str) -> str:
        text = _NUMBERING.sub("", paragraph)
        text = _PLACEHOLDER.sub("【P】", text)
        text = _QUOTED.sub("“Q”", text)
        for n in self.names:
            if n.endswith("指标") or len(n) <= 12:  # categories and short names; a project name is the subject
                text = text.replace(n, "N")
        return _NUMBER.sub("#", text)[:OPENING]


def theme(name: str) -> str:
    """The subject an indicator's name is about: the first two characters once numbering and ages go."""
    text = name.strip()
    for _ in range(3):
        stripped = _THEME_NOISE.sub("", text).strip()
        if stripped == text:
            break
        text = stripped
    text = re.sub(r"^[^\u4e00-\u9fff]+", "", text)
    return text[:2] or name[:2]


def deviation_groups(ev: Evaluation) -> tuple[int, int]:
    """(groups, unexplained items): what the form leaves unexplained, grouped by theme (module docstring)."""
    keys: set[tuple[str, bool]] = set()
    unexplained = 0
    for r in ev.indicators:
        deviates = r.lost > 0 or r.status in ("partial", "missed")
        if not deviates or r.cause:
            continue
        unexplained += 1
        keys.add((theme(r.display_name or r.name), r.status in ("met", "exceeded")))
    groups = len(keys)
    rec = ev.reconciliation
    b = ev.budget
    # unspent money counts unless an indicator explains it; an overall analysis item may or may not be about
    # the money (the narrative's classifier decides), so the bound allows for one gap here either way
    if b is not None and b.lost > Decimal(0) and not (rec and rec.under_cause):
        groups += 1
        unexplained += 1
    if rec is not None and rec.adjustment is not None and not rec.adjustment.cause:
        groups += 1
        unexplained += 1
    if rec is not None and rec.over and not rec.over_cause:
        groups += 1
        unexplained += 1
    return groups, unexplained


def measure(report: Report, ev: Evaluation | None = None) -> ReportMetrics:
    ev = ev if ev is not None else report.evaluation
    m = ReportMetrics(report.title)
    masker = _Masker(ev)
    body = report.markdown.split("\n## 附表", 1)[0]  # the appendix is tables and lists, not prose
    prev: str | None = None
    sentences: dict[str, list[str]] = {}
    per_paragraph: dict[str, list[set[str]]] = {}
    for p in paragraphs(body):
        if p is None:
            prev = None
            continue
        m.paragraphs += 1
        opening = masker.opening(p.text)
        if prev is not None and opening == prev:
            m.repeats.append((prev, opening))
        prev = opening
        length = len(p.text)
        if length > m.longest:
            m.longest, m.longest_text = length, p.text
        # a placeholder standing alone after a full stop is the author's gap, not a sentence of the template
        frames = [f for f in (masker.frame(x) for x in _SENTENCE.findall(_NUMBERING.sub("", p.text)))
                  if f.strip("。！？；，、 ") and f.strip("。！？；，、 ") != "【P】"]
        sentences.setdefault(p.section, []).extend(frames)
        per_paragraph.setdefault(p.section, []).append(set(frames))
    for section, frames in sentences.items():
        candidates: list[tuple[float, str, int, int]] = []
        if len(frames) >= MIN_SENTENCES:
            frame, used = Counter(frames).most_common(1)[0]
            candidates.append((used / len(frames), frame, used, len(frames)))
        paras = per_paragraph[section]
        if len(paras) >= MIN_PARAGRAPHS:
            frame, used = Counter(f for p_frames in paras for f in p_frames).most_common(1)[0]
            candidates.append((used / len(paras), frame, used, len(paras)))
        for share, frame, used, total in candidates:
            if share > m.frame_share:
                m.frame_share, m.frame_section, m.frame, m.frame_counts = share, section, frame, (used, total)
    marks = _PLACEHOLDER.findall(body)
    m.placeholders = len(marks)
    m.cause_placeholders = sum(1 for x in marks if any(w in x for w in _CAUSE_WORDS) and "措施" not in x)
    if ev is not None:
        m.groups, m.unexplained = deviation_groups(ev)
    return m


@dataclass
class Summary:
    reports: int
    worst: dict[str, float]
    failing: dict[str, int]
    mean: dict[str, float]


def summarise(metrics: list[ReportMetrics]) -> Summary:
    keys = ("repeat_share", "frame_share", "longest", "placeholder_excess")
    worst = {k: float(max((getattr(m, k) for m in metrics), default=0)) for k in keys}
    mean = {k: (sum(float(getattr(m, k)) for m in metrics) / len(metrics)) if metrics else 0.0 for k in keys}
    failing = {k: sum(1 for m in metrics if getattr(m, k) > THRESHOLDS[k]) for k in keys}
    return Summary(len(metrics), worst, failing, mean)
