"""The checker: one prepared lexicon, automaton and tokenizer that checks many reports.

Batch workers build one ``Checker`` each and call ``check`` per report; ``reportgen.checking.check``
uses a cached one. The order of work follows the cost: sections and placeholders are regular
expressions over lines, terms are found by Aho-Corasick and only their surroundings are
segmented, and a required group stops looking once it has found enough.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from reportgen import formatting as fmt
from reportgen.checking.document import SUFFIXES, Draft, Line, from_markdown, read_draft
from reportgen.checking.facts import FactChecker, mentioned
from reportgen.checking.facts import form_text as form_text_of
from reportgen.checking.lexicon import DOCUMENT, Lexicon, RequiredGroup, SectionKind, load_lexicon
from reportgen.checking.result import KIND_LABEL, CheckResult, Present, Problem, SectionFound
from reportgen.checking.sections import Heading, assign
from reportgen.checking.terms import Scan, TermMatcher
from reportgen.errors import InputError
from reportgen.evaluation.model import EvaluationForm
from reportgen.evaluation.scoring import Evaluation, evaluate, figures_of
from reportgen.report import Report
from reportgen.segment import normalize, segmenter

# category kinds of sections.yaml that a form fills with indicators of that 一级指标
_INDICATOR_KINDS = frozenset({"outputs", "benefits", "satisfaction"})

ReportInput = str | Path | Report
DataInput = Evaluation | EvaluationForm | str | Path | None

_KIND_ORDER = {kind: n for n, kind in enumerate(KIND_LABEL)}


def to_draft(report: ReportInput) -> Draft:
    """Turn a file path, Markdown text or a generated Report into a Draft.

    A ``str`` is a path when it is one line ending in .md/.txt/.docx; anything else is Markdown text.
    """
    if isinstance(report, Report):
        draft = from_markdown(report.markdown, report.name)
        draft.forced = tuple(report.placeholders)
        return draft
    if isinstance(report, Path):
        return read_draft(report)
    if isinstance(report, str):
        if "\n" not in report and len(report) < 1024 and Path(report).suffix.lower() in SUFFIXES:
            return read_draft(report)  # a missing file is an error, not a one-line Markdown text
        return from_markdown(report)
    raise InputError(f"无法检查 {type(report).__name__} 类型的报告", hint="请传入文件路径、Markdown 文本或 Report")


def to_evaluation(data: DataInput, report: ReportInput | None = None) -> Evaluation | None:
    """Turn form data (a path, a form or an evaluation) into an Evaluation; a Report brings its own."""
    if data is None:
        return report.evaluation if isinstance(report, Report) else None
    if isinstance(data, Evaluation):
        return data
    if isinstance(data, EvaluationForm):
        return evaluate(data)
    from reportgen.loaders import load

    return evaluate(load(data))


def _section_spans(report: Report) -> dict[str, list[tuple[int, int]]]:
    """Where each top-level section's text lies in the report's Markdown (a key may occur more than once)."""
    starts: list[tuple[int, str]] = []
    pos = 0
    for s in report.sections:
        head = s.markdown.lstrip().split("\n", 1)[0]
        at = report.markdown.find(head, pos) if head else -1
        if at >= 0:
            starts.append((at, s.key))
            pos = at + len(head)
    spans: dict[str, list[tuple[int, int]]] = {}
    for n, (at, key) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(report.markdown)
        spans.setdefault(key, []).append((at, end))
    return spans


def _lost_points(ev: Evaluation) -> bool:
    budget_lost = ev.budget.lost if ev.budget is not None else Decimal(0)
    return bool(ev.deducted) or budget_lost > 0


class Checker:
    """Check reports against one lexicon; build once, call ``check`` per report."""

    def __init__(self, lexicon: Lexicon | None = None) -> None:
        self.lexicon = lexicon if lexicon is not None else load_lexicon()
        self.segmenter = segmenter(self.lexicon.words)
        terms = [t for g in self.lexicon.groups for t in g.terms]
        terms += [t for d in self.lexicon.discouraged for t in d.terms]
        self.matcher = TermMatcher(terms, self.segmenter, (w.word for w in self.lexicon.words))
        self._no_wording = frozenset(k.kind for k in self.lexicon.kinds if not k.wording)

    def check(self, report: ReportInput, *, data: DataInput = None) -> CheckResult:
        """Check one report (file, Markdown text or Report), against form data when given.

        A Report the tool generated is also verified figure by figure against its ledger.
        """
        generated = report if isinstance(report, Report) else None
        return _Run(self, to_draft(report), to_evaluation(data, report), generated).result()

    def check_draft(self, draft: Draft, ev: Evaluation | None = None) -> CheckResult:
        """Check a draft that has already been read, against an evaluation when given."""
        return _Run(self, draft, ev).result()


class _Run:
    """The state of checking one draft."""

    def __init__(self, checker: Checker, draft: Draft, ev: Evaluation | None, report: Report | None = None) -> None:
        self.checker = checker
        self.report = report
        self.lexicon = checker.lexicon
        self.draft = draft
        self.ev = ev
        self.headings: list[Heading] = assign(draft, self.lexicon.kinds)
        self.present_kinds: set[str] = set().union(*(h.kinds for h in self.headings))
        self.scan: Scan = checker.matcher.scan(draft.lines)
        self.body = {i for i, line in enumerate(draft.lines) if not line.kinds & checker._no_wording}
        # a one-paragraph summary (综述) has no section headings at all: the whole text is every section
        self.flat = all(line.heading in (None, 0) for line in draft.lines)
        # line indices per section kind, without the headings that name the kind themselves:
        # "五、偏差原因分析" is no analysis of causes
        self.in_kind: dict[str, set[int]] = {}
        for i, line in enumerate(draft.lines):
            for kind in line.kinds - line.names:
                self.in_kind.setdefault(kind, set()).add(i)
        self.problems: list[Problem] = []
        self.present: list[Present] = []
        self.required_total = 0

    def heading(self, kind: str) -> Line | None:
        """Return the first heading that opens a section of ``kind``."""
        return next((h.line for h in self.headings if kind in h.kinds), None)

    def result(self) -> CheckResult:
        """Run every check and collect the result."""
        placeholder_spans = self.placeholders()
        self.sections_missing()
        for group in self.lexicon.groups:
            self.group(group)
        self.discouraged(placeholder_spans)
        if self.ev is not None:
            self.facts()
            self.form_errors()
        if self.report is not None and self.report.figures:
            self.ledger()
        # by line, then kind; within both, the (deterministic) order of detection, i.e. position
        problems = sorted(self.problems, key=lambda p: (p.line if p.line is not None else -1, _KIND_ORDER[p.kind]))
        return CheckResult(
            source=self.draft.source,
            ok=not any(p.severity == "error" for p in problems),
            problems=problems,
            present=self.present,
            sections=[SectionFound(tuple(sorted(h.kinds)), h.line.raw, h.line.number) for h in self.headings],
            required_total=self.required_total,
            line_unit=self.draft.unit,
            facts_checked=self.ev is not None,
            figures_checked=len(self.report.figures) if self.report is not None else 0,
        )

    # --- sections and required groups ---------------------------------------------------------
    def sections_missing(self) -> None:
        """Report the sections every report needs (deviation, measures) that the draft lacks."""
        deducted = len(self.ev.deducted) if self.ev is not None else 0
        if self.flat:
            return
        for kind in self.lexicon.kinds:
            if kind.if_absent != "missing" or kind.kind in self.present_kinds:
                continue
            note = f"；自评表有{deducted}项扣分指标需要在此说明" if kind.kind == "deviation" and deducted else ""
            self.problems.append(
                Problem(
                    kind="missing-section",
                    severity="error",
                    section=kind.kind,
                    line=None,
                    message=f"报告缺少“{kind.label}”部分{note}",
                    suggestion=f"增加一节，标题中含“{'”“'.join(kind.words[:3])}”等词，如“{kind.label}”",
                )
            )

    def _scope(self, group: RequiredGroup) -> set[int] | None:
        """Line indices to search for a group, or None when the group does not apply."""
        if group.section == DOCUMENT:
            return self.body
        if group.section in self.present_kinds:
            return self.in_kind.get(group.section, set())
        kind = self.lexicon.kind(group.section)
        if kind is not None and kind.if_absent == "document" and self.ev is not None and not self._form_has(kind):
            # the form itself has no such indicators (a flat 部门整体 list, a 综述-only form): nothing to report on
            return None
        if kind is not None and (kind.if_absent == "document" or (self.flat and kind.if_absent == "missing")):
            return self.body
        return None

    def _form_has(self, kind: SectionKind) -> bool:
        """Whether the form has indicators of a category kind (产出, 效益…), by their printed 一级指标."""
        assert self.ev is not None
        if kind.kind not in _INDICATOR_KINDS:
            return True
        return any(any(w in (r.indicator.level1 or "") for w in kind.words) for r in self.ev.indicators)

    def group(self, group: RequiredGroup) -> None:
        """Look for one required group in its section; record it as present or missing."""
        kind = self.lexicon.kind(group.section)
        scope = self._scope(group)
        if scope is None:
            if group.level == "required" and kind is not None and kind.if_absent == "missing":
                self.required_total += 1  # counted as not found: its section is missing
            return
        if group.level == "required":
            self.required_total += 1
        count, first = 0, None
        for hit in self.scan.hits(group.terms, scope):
            count += 1
            first = first or hit
            if count >= group.min:
                break
        if first is not None and count >= group.min:
            line = self.draft.lines[first.index]
            self.present.append(
                Present(group.id, group.name, group.section, first.term, line.number, count, group.level)
            )
            return
        heading = self.heading(group.section) if group.section != DOCUMENT else None
        where = "全文" if heading is None else f"“{heading.raw}”部分"
        shortfall = f"（只出现{count}次，至少需要{group.min}次）" if count else ""
        self.problems.append(
            Problem(
                kind="missing-term",
                severity="error" if group.level == "required" else "warning",
                section=group.section,
                heading=heading.raw if heading else None,
                line=heading.number if heading else None,
                message=f"{where}缺少“{group.name}”方面的用语{shortfall}：{group.explain}",
                suggestion="写明其中之一：" + "、".join(group.terms[:6]),
                group=group.id,
            )
        )

    # --- wording --------------------------------------------------------------------------------
    def placeholders(self) -> dict[int, list[tuple[int, int]]]:
        """Report leftover placeholders; return their spans (in the raw text) per line index."""
        spans: dict[int, list[tuple[int, int]]] = {}
        for i, line in enumerate(self.draft.lines):
            # matched on the text as written, so the message quotes it exactly (【待补充：…】)
            found = sorted(
                (m.start(), -m.end(), n, m[0])
                for n, p in enumerate(self.lexicon.placeholders)
                for m in p.pattern.finditer(line.raw)
            )
            for start, neg_end, n, text in found:
                taken = spans.setdefault(i, [])
                if any(a < -neg_end and start < b for a, b in taken):
                    continue
                taken.append((start, -neg_end))
                forced = text in self.draft.forced
                why = "自评表缺少相应数据，生成报告时留下了待补充项" if forced else self.lexicon.placeholders[n].why
                self.problems.append(
                    Problem(
                        kind="placeholder",
                        severity="error",
                        section=self._section_of(line),
                        line=line.number,
                        message=f"{self.draft.where(line.number)}仍有待补充内容“{text}”：{why}",
                        suggestion=self.lexicon.placeholders[n].suggest,
                        term=text,
                        forced=forced,
                    )
                )
        return spans

    def discouraged(self, placeholder_spans: dict[int, list[tuple[int, int]]]) -> None:
        """Report discouraged wording in the draft's own words (not quotations of the form)."""
        form_text: str | None = None  # built on the first hit only: a clean report needs none
        lost = self.ev is not None and _lost_points(self.ev)
        for entry in self.lexicon.discouraged:
            if entry.when == "lost-points" and not lost:
                continue
            for hit in self.scan.hits(entry.terms, self.body):
                if self._in_placeholder(hit.index, hit.term, placeholder_spans):
                    continue
                if self.ev is not None:
                    if form_text is None:
                        form_text = form_text_of(self.ev)
                    if hit.term in form_text:
                        continue  # the report quotes the form's own words
                line = self.draft.lines[hit.index]
                self.problems.append(
                    Problem(
                        kind="discouraged",
                        severity="warning",
                        section=self._section_of(line),
                        line=line.number,
                        message=f"{self.draft.where(line.number)}用了“{hit.term}”（{entry.category}）：{entry.why}",
                        suggestion=entry.suggest,
                        term=hit.term,
                    )
                )

    # --- facts ----------------------------------------------------------------------------------
    def facts(self) -> None:
        """Compare stated figures with the evaluation; require every deduction in the deviation section."""
        assert self.ev is not None
        lines = [self.draft.lines[i] for i in sorted(self.body)]
        self.problems.extend(FactChecker(self.draft, self.ev, self._section_of).check(lines))
        if "deviation" not in self.present_kinds:
            return  # reported as a missing section, with the count of deducted indicators
        heading = self.heading("deviation")
        section = [line for line in self.draft.lines if "deviation" in line.kinds]
        for r in self.ev.deducted:
            if mentioned(r.name, section):
                continue
            self.problems.append(
                Problem(
                    kind="deduction-not-mentioned",
                    severity="error",
                    section="deviation",
                    heading=heading.raw if heading else None,
                    line=heading.number if heading else None,
                    message=(
                        f"扣分指标“{r.name}”（分值{fmt.score(r.weight)}分，得{fmt.score(r.score)}分）"
                        f"未在“{heading.raw if heading else self.lexicon.label('deviation')}”部分说明"
                    ),
                    suggestion="写明该指标的年度指标值、实际完成值、扣分和原因",
                    term=r.name,
                )
            )

    def form_errors(self) -> None:
        """The form's own error-level findings fail the check: a report cannot be right about a wrong form."""
        assert self.ev is not None
        for finding in self.ev.errors:
            self.problems.append(
                Problem(
                    kind="form-error",
                    severity="error",
                    section="document",
                    line=None,
                    message=f"自评表有错误（{finding.where or finding.path}）：{finding.message}",
                    suggestion="核对自评表并改正后重新生成；报告按自评表填报的数字表述，并在“其他需要说明的问题”中说明",
                    term=finding.title,
                )
            )

    def ledger(self) -> None:
        """Verify every figure a generated report states: in its place and section, equal to the form's value."""
        assert self.report is not None
        report = self.report
        fresh = figures_of(report.evaluation) if report.evaluation else {}
        spans = _section_spans(report)
        for e in report.figures:
            why = None
            if report.markdown[e.start : e.end] != e.text:
                why = "不在报告记录的位置"
            elif e.section in spans and not any(a <= e.start < b for a, b in spans[e.section]):
                why = f"不在“{e.section}”部分"
            elif e.figure.path in fresh and fresh[e.figure.path].format() != e.figure.format():
                # compared as printed: a ratio kept to more places than it is shown is the same figure to a reader
                why = f"自评表的数字为{fresh[e.figure.path].format()}"
            if why is None:
                continue
            line = report.markdown.count("\n", 0, max(e.start, 0)) + 1
            self.problems.append(
                Problem(
                    kind="ledger-mismatch",
                    severity="error",
                    section=e.section,
                    line=line,
                    message=f"第{line}行的“{e.text}”（{e.figure.label or e.figure.path}）{why}",
                    suggestion=f"出处：{e.origin.describe()}",
                    term=e.text,
                )
            )

    def _in_placeholder(self, index: int, term: str, spans: dict[int, list[tuple[int, int]]]) -> bool:
        raw = self.draft.lines[index].raw
        return any(term in normalize(raw[a:b]) for a, b in spans.get(index, ()))

    def _section_of(self, line: Line) -> str | None:
        # the most specific kind: the innermost heading's own kinds win over inherited ones
        for kind in self.lexicon.kinds[::-1]:
            if kind.kind in line.kinds:
                return kind.kind
        return None
