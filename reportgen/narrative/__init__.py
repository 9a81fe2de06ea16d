"""The narrative: ``compose(evaluation) -> Report``, the canonical Markdown of a 绩效自评报告.

facts (Python computes) → outline (data picks the sections) → section templates (Jinja2 says
the words) → one Markdown text. Same evaluation, templates and lexicon: byte-identical output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from reportgen.errors import ReportgenError, TemplateError
from reportgen.evaluation.figures import Figure, Ledger, unmark
from reportgen.evaluation.scoring import Evaluation
from reportgen.narrative import text
from reportgen.narrative.causes import classifier
from reportgen.narrative.department import department_facts, management_lexicon
from reportgen.narrative.env import build_environment, template_error
from reportgen.narrative.facts import CategoryFacts, Facts, build_facts
from reportgen.narrative.outline import Outline, OutlineNode, load_outline
from reportgen.narrative.themes import load_themes
from reportgen.narrative.wording import Wording, load_wording
from reportgen.report import Report, Section
from reportgen.resources import confined, templates_dir

__all__ = ["Composer", "compose", "Facts"]

_PLACEHOLDER = re.compile(r"【待补充：[^】]*】")
_SUBSECTION_KIND = {"outputs", "benefits", "satisfaction", "cost", "other"}


@cache
def _wording(user_dir: str | None) -> Wording:
    """The shipped wording.yaml, overlaid key by key by the one in the user's templates folder."""
    shipped = load_wording(templates_dir() / "wording.yaml")
    if user_dir and (Path(user_dir) / "wording.yaml").is_file():
        return load_wording(confined(Path(user_dir), "wording.yaml", TemplateError), shipped)
    return shipped


@dataclass
class _Rendered:
    key: str
    heading: str | None
    markdown: str


class Composer:
    """Compose reports with one outline, template folder and lexicon (reused across a batch)."""

    def __init__(
        self, outline: str = "default", templates: str | Path | None = None, lexicon: str | Path | None = None
    ) -> None:
        self.user_dir = str(Path(templates).resolve()) if templates else None
        self.env = build_environment(self.user_dir)
        self.outline: Outline = load_outline(outline, Path(self.user_dir) if self.user_dir else None)
        # "default" means the default for the kind of form: a department-wide form gets the department outline
        self._by_kind: dict[str, tuple[Outline, jinja2.Template]] = {}
        self._default = outline == "default"
        self.wording = _wording(self.user_dir)
        self.lexicon = str(Path(lexicon).resolve()) if lexicon else None
        self.classifier = classifier(self.lexicon)
        # read (and refused, if broken) now, as the other lexicon files are: the facts look it up only for
        # the forms that need it, which would report a broken user file on some forms and not others
        management_lexicon(self.lexicon)
        self._templates: dict[str, jinja2.Template] = {}
        self.last_trace: list[tuple[str, int, int]] = []
        try:
            self._title = self.env.from_string(self.outline.title or "{{ f.title }}")
        except jinja2.TemplateError as exc:
            template_error(exc, self.outline.path)

    def _template(self, name: str) -> jinja2.Template:
        template = self._templates.get(name)
        if template is None:
            try:
                template = self.env.get_template(name)
            except jinja2.TemplateError as exc:
                template_error(exc, name)
            self._templates[name] = template
        return template

    def _render(self, name: str, **context: Any) -> str:
        template = self._template(name)
        try:
            return template.render(**context)
        except ReportgenError:
            raise
        except Exception as exc:  # noqa: BLE001 - any failure inside a template is the template's
            template_error(exc, template.filename or name)

    def outline_for(self, ev: Evaluation) -> tuple[Outline, jinja2.Template]:
        """The outline a form is written with, and its title template (department forms: ``department``)."""
        if not (self._default and ev.form.is_department):
            return self.outline, self._title
        if "department" not in self._by_kind:
            outline = load_outline("department", Path(self.user_dir) if self.user_dir else None)
            try:
                title = self.env.from_string(outline.title or "{{ f.title }}")
            except jinja2.TemplateError as exc:
                template_error(exc, outline.path)
            self._by_kind["department"] = (outline, title)
        return self._by_kind["department"]

    def facts(self, ev: Evaluation, force: int | None = None) -> Facts:
        return build_facts(ev, self.wording, self.classifier, department=department_facts, force=force,
                           themes=load_themes(self.lexicon))

    def compose(self, ev: Evaluation, *, force: int | None = None) -> Report:
        """Write the report for one evaluation; an unfilled form (targets only) is refused, not narrated."""
        refuse_unfilled(ev)
        f = self.facts(ev, force)
        outline, title_template = self.outline_for(ev)
        self.last_trace = f.vary.trace  # the phrasing choices made, for tests of variation
        counters = [0, 0]
        parts: list[str] = []
        ledger = Ledger()
        try:
            with ledger.active("title"):
                title = title_template.render(f=f).strip()
                # the default title states the year through the prepared f.title: mark it where it stands
                if isinstance(f.year, Figure) and not ledger.entries:
                    title = ledger.mark(f.year, f.year.format(), title)
        except jinja2.TemplateError as exc:
            template_error(exc, outline.path)
        parts.append(f"# {title}\n")
        sections: list[Section] = []
        for node in outline.sections:
            for item in self._expand(node, f):
                key = item[1].kind if item[1] is not None and item[0].key == "category" else item[0].key
                with ledger.active(key):
                    rendered = self._node(item, f, 0, counters, ledger)
                if rendered is None:
                    continue  # a section left out states nothing (its figures never reach the text)
                parts.append(rendered.markdown)
                sections.append(Section(rendered.key, unmark(rendered.heading or ""), unmark(rendered.markdown)))
        if f.notes.any and not outline.has("other"):
            # the outline has no 其他需要说明的问题: what the form contradicts or lacks closes the report as 附注
            with ledger.active("notes"):
                body = self._render("sections/notes.md.j2", f=f).strip()
            if body:
                heading = self.wording.say("notes_heading")
                markdown_notes = f"## {heading}\n\n{body}\n"
                parts.append(markdown_notes)
                sections.append(Section("notes", heading, unmark(markdown_notes)))
        if outline.signature:
            with ledger.active("signature"):
                parts.append(self._render("signature.md.j2", f=f))
        markdown, entries = ledger.resolve(_normalise("\n".join(parts)))
        title = unmark(title)
        form = ev.form
        date = f.date.format() if isinstance(f.date, Figure) else None
        signed = date or (f.date if isinstance(f.date, str) else "")  # a missing date is a gap in the 落款
        signature = tuple(s for s in (form.unit or "", signed) if s and outline.signature)
        plain_title = text.unescape(title)
        gaps = tuple(g for g in f.gaps if g.mark in markdown)
        return Report(
            name=text.safe_filename(plain_title),
            title=plain_title,
            markdown=markdown,
            unit=form.unit,
            date=date,
            sections=tuple(sections),
            signature=signature,
            placeholders=tuple(_PLACEHOLDER.findall(markdown)),
            evaluation=ev,
            figures=tuple(entries),
            gaps=gaps,
        )

    def _expand(self, node: OutlineNode, f: Facts) -> list[tuple[OutlineNode, CategoryFacts | None]]:
        if node.for_each == "category":
            return [(node, c) for c in f.categories]
        if node.for_each == "dept_group":
            # the department outline's indicator groups: 管理指标, 产出/效益/满意度 (narrative.department)
            return [(node, g) for g in (f.dept.groups if f.dept is not None else [])]
        return [(node, None)]

    def _node(
        self,
        item: tuple[OutlineNode, CategoryFacts | None],
        f: Facts,
        depth: int,
        counters: list[int],
        ledger: Ledger,
    ) -> _Rendered | None:
        node, category = item
        heading = node.heading
        if heading and category is not None:
            heading = heading.replace("{name}", category.name)
        key = category.kind if category is not None and node.key == "category" else node.key
        lines: list[str] = []
        before = list(counters)
        if heading:
            if node.numbered:
                counters[depth] += 1
                number = f"{text.ordinal(counters[depth])}、" if depth == 0 else f"（{text.ordinal(counters[depth])}）"
            else:
                number = ""
            lines.append(f"{'#' * (depth + 2)} {number}{heading}\n")
        if depth == 0:
            counters[1] = 0
        if node.template:
            ledger.part = key
            body = self._render(node.template, f=f, c=category, key=key).strip()
            if body:
                lines.append(body + "\n")
        for child in node.children:
            for sub in self._expand(child, f):
                rendered = self._node(sub, f, min(depth + 1, 1), counters, ledger)
                if rendered is not None:
                    lines.append(rendered.markdown)
        if len(lines) == (1 if heading else 0):
            counters[:] = before  # a section left out takes no number: （一） stays （一）
            return None  # nothing to say and nothing below: leave the heading out rather than print it empty
        return _Rendered(key, heading, "\n".join(lines))


def refuse_unfilled(ev: Evaluation) -> None:
    """A published but unfilled form (targets, no actual values, no scores) is no evaluation to report on."""
    inds = ev.indicators
    if not inds or any(r.indicator.actual is not None or r.indicator.score is not None for r in inds):
        return
    from reportgen.errors import InputError
    from reportgen.evaluation.model import source_of

    budget = ev.form.budget
    executed = "，也没有预算执行数" if budget is None or budget.executed is None else ""
    targets = sum(1 for r in inds if r.indicator.target)
    what = ("都只有年度目标值，没有实际完成值和得分" if targets == len(inds)
            else "都没有填写年度目标值、实际完成值和得分" if targets == 0 else "都没有实际完成值和得分")
    raise InputError(
        f"自评表尚未填写：{len(inds)}项绩效指标{what}{executed}，无法撰写自评报告",
        where=source_of(ev.form).locate("indicators"),
        hint="请先在自评表中填写各项指标的实际完成值和得分" + ("（以及预算执行数、总分）" if executed else "（以及总分）")
        + "，再生成报告",
    )


def _normalise(markdown: str) -> str:
    """One blank line between blocks, no trailing spaces, one final newline.

    By the Markdown contract a paragraph is one line, so every line that is not a table row is
    its own block: templates need not count blank lines, and two paragraphs never merge.
    """
    blocks: list[str] = []
    for line in markdown.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("|") and blocks and blocks[-1].startswith("|"):
            blocks[-1] += "\n" + line
        else:
            blocks.append(line)
    return "\n\n".join(blocks) + "\n"


@cache
def _composer(outline: str, templates: str | None, lexicon: str | None) -> Composer:
    return Composer(outline, templates, lexicon)


def compose(
    ev: Evaluation,
    *,
    outline: str = "default",
    templates: str | Path | None = None,
    lexicon: str | Path | None = None,
) -> Report:
    """Compose the report of one evaluation (composers are cached per outline/templates/lexicon)."""
    return _composer(
        outline, str(Path(templates).resolve()) if templates else None, str(Path(lexicon).resolve()) if lexicon else None
    ).compose(ev)
