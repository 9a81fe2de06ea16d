"""Clean the form's text once, for prose: semantic empties, instruction text, hollow goals, display names.

Character-level normalisation (control characters, line-break characters) happens at load; this module
decides what the text MEANS:

* free text that says nothing ("无", "—", "／", "0", "/", "1.无。") is empty;
* instruction text the budget system left in a cell ("（200字以内）", "请说明…情况", "对照…说明") is removed,
  and the cell is empty when nothing else is left (a finding either way);
* a goal that is only the project name, a number or the table title is not a goal;
* display names drop table titles and years ("2021年度…自评表"), budget codes ("312004-", long numeric codes),
  template prefixes ("指标1:"), and the ★ marker (→ a core-indicator note); a name visibly cut off is marked;
* operators read ≥ ≤ = in prose (≧ ═ ﹦ stay only in the appendix, which keeps the form's text as printed);
* a quotation inside a quotation uses ‘’;
* composite cells are split: a cause cell holding "改进措施：…", a measure cell opening with a sub-heading.

``clean_form(form)`` applies the free-text rules to a copy of the form (the printed form is kept by the
caller) and returns the findings; the display helpers are used by the narrative.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reportgen.evaluation import vocabulary
from reportgen.evaluation.findings import Finding, found
from reportgen.evaluation.model import ITEM_MARK, EvaluationForm, SourceMap, source_of, split_numbered

__all__ = [
    "CleanName",
    "clean_form",
    "clean_text",
    "display_name",
    "hollow_goal",
    "is_semantic_empty",
    "prose_operators",
    "quote",
    "split_cause",
    "strip_subheading",
    "title_name",
]

#: what a free-text cell holds when it says nothing (compared after stripping punctuation and numbering)
SEMANTIC_EMPTY: frozenset[str] = frozenset(
    {"", "无", "暂无", "没有", "无无", "—", "——", "–", "-", "--", "－", "／", "/", "//", "\\", "0", "〇", "空", "略",
     "不适用", "无此项", "na", "n/a", "none", "null", "nan", "…", "……", "..."}
)
_EDGE = " \t\r\n。．.，,；;：:、！!？?\"'“”‘’（）()【】[]"
_NUMBERING = re.compile(r"^\s*(?:[（(]?\s*[0-9一二三四五六七八九十]{1,2}\s*[)）]|[0-9]{1,2}\s*[、.．]|[一二三四五六七八九十]{1,2}\s*、)")
_LEAD_LABEL = re.compile(r"^\s*(?:总体分析|原因分析|偏差原因|改进措施|存在问题|说明|分析)(?:为|是)?\s*[:：]\s*")

#: instruction text left by form templates and budget systems; each pattern removes one fragment
INSTRUCTION_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"[（(]\s*[0-9]{2,4}\s*字(?:以内|以下|内)?\s*[）)]"),
    re.compile(r"[（(][^（）()]{0,20}(?:请|需)(?:填写|说明|填报)[^（）()]{0,30}[）)]"),
    re.compile(r"(?:^|(?<=[。；;\n]))\s*请(?:简要|详细|具体|逐项|分别)?(?:说明|填写|填报|描述|阐述|列明|分析|根据|按照|对照|结合)"
               r"[^。；;\n]*(?:[。；;]|$)"),
    re.compile(r"(?:^|(?<=[。；;\n]))\s*(?:对照|结合|针对|根据)[^。；;\n]{0,40}(?:说明|阐述|分析|提出|填写)[^。；;\n]{0,60}"
               r"(?:情况|原因|问题|意见|建议|措施|结论)[^。；;\n]{0,20}(?:[。；;]|$)"),
    # any "对照/结合…说明…" segment that ends at a "(200字以内)" mark is the system's instruction
    re.compile(r"(?:^|(?<=[。；;\n]))\s*(?:请|对照|结合|针对|根据)[^。；;\n]{0,40}(?:说明|阐述|分析|提出|填写|描述)"
               r"[^。；;\n]*?(?=\s*[（(]\s*[0-9]{2,4}\s*字)"),
    re.compile(r"填表说明|填报说明|填写说明"),
)
_INSTRUCTION_HINT = re.compile(r"字以内|字以下|请(?:简要|详细|具体|逐项|分别)?(?:说明|填写|填报|描述)|填表说明|填报说明|填写说明")


def is_semantic_empty(text: str | None) -> bool:
    """Whether a free-text cell says nothing: "无", "—", "／", "0", "/", "1.无。", "总体分析为：无"."""
    if text is None:
        return True
    t = text.strip()
    for _ in range(3):
        t = _LEAD_LABEL.sub("", _NUMBERING.sub("", t)).strip(_EDGE)
    return t.lower() in SEMANTIC_EMPTY


def _instruction_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for pattern in INSTRUCTION_PATTERNS:
        spans.extend(m.span() for m in pattern.finditer(text) if m.end() > m.start())
    return sorted(spans)


def clean_text(text: str | None) -> tuple[str | None, bool]:
    """Return (the cell's real content or None, whether instruction text was removed from it)."""
    if text is None:
        return None, False
    spans = _instruction_spans(text)
    instruction = bool(spans) or bool(_INSTRUCTION_HINT.search(text))
    if spans:
        kept, pos = [], 0
        for start, end in spans:
            if start > pos:
                kept.append(text[pos:start])
            pos = max(pos, end)
        kept.append(text[pos:])
        text = "".join(kept)
    elif instruction:
        text = ""  # a hint of instruction text that no pattern could cut out: the cell is not content
    text = text.strip()
    if is_semantic_empty(text):
        return None, instruction
    return text, instruction


# ---------------------------------------------------------------------------------------------------------
# Goals.
# ---------------------------------------------------------------------------------------------------------

_TABLE_TITLE = re.compile(r"(?:项目支出|部门整体|部门|整体)?(?:绩效)?(?:自评表|目标表|评价表|自评报告|目标申报表)")


def _core(text: str) -> str:
    return re.sub(r"[\s\"'“”‘’（）()【】\[\]、，,。．.；;：:\-—_/]", "", text)


def hollow_goal(goal: str | None, project: str | None) -> bool:
    """A goal that is only the project name, only a number or code, or the table title, is not a goal."""
    if not goal:
        return False
    core = _core(goal)
    if not core:
        return True
    if re.fullmatch(r"[0-9A-Za-z]+", core):
        return True
    stripped = _core(_TABLE_TITLE.sub("", re.sub(r"(?:19|20)[0-9]{2}\s*年度?", "", goal)))
    if not stripped:
        return True
    for name in {project or "", title_name(project or "")}:
        key = _core(name)
        if key and (core == key or stripped == key or stripped == _core(title_name(name))):
            return True
    return False


# ---------------------------------------------------------------------------------------------------------
# Display names.
# ---------------------------------------------------------------------------------------------------------

_BUDGET_CODE = re.compile(r"^\s*[0-9A-Za-z]{3,}[0-9A-Za-z]*\s*[-－—_：:]\s*(?=\S)")
_LONG_CODE = re.compile(r"(?<![0-9A-Za-z])[0-9][0-9A-Za-z]{9,}(?![0-9A-Za-z])\s*[-－—_]?\s*")
# "指标1：" left by the MoF template, with or without its colon ("指标1工程完工率", "指标1项目完成及时率"), but
# not a count ("指标3个月", "指标3项")
_TEMPLATE_PREFIX = re.compile(r"^\s*(?:指标|三级指标)\s*(?:[0-9一二三四五六七八九十]{1,3}\s*[:：.、．]\s*"
                              r"|[0-9]{1,2}\s*(?=[\u4e00-\u9fff])(?![个月年日天次人户件期批])(?!项(?!目)))")
_LEADING_YEARS = re.compile(r"^(?:\s*[（(]?(?:19|20)[0-9]{2}\s*(?:年度|年)[）)]?)+")
_TITLE_WORDS = re.compile(r"(?:项目支出|部门整体|部门)?绩效(?:自评表|目标表|评价表|自评报告)|自评表$")
_CUT_MARK = re.compile(r"(?:…+|\.{3,}|。{3,})\s*$")
_OPENERS, _CLOSERS = "（(“‘《【[", "）)”’》】]"


@dataclass(frozen=True)
class CleanName:
    """A name as prose prints it, with what was noted about the printed one."""

    text: str
    core: bool = False  # the form marked it ★ (a core indicator)
    cut_off: bool = False  # visibly cut off on the form: the prose adds 【待核实】
    changed: bool = False


def _unbalanced(text: str) -> bool:
    for opener, closer in zip(_OPENERS, _CLOSERS, strict=True):
        if text.count(opener) > text.count(closer):
            return True
    return False


def display_name(name: str | None) -> CleanName:
    """Clean an indicator's name for prose; the appendix keeps the printed one."""
    raw = (name or "").strip()
    text = raw
    core = "★" in text or "☆" in text
    text = text.replace("★", "").replace("☆", "")
    text = _TEMPLATE_PREFIX.sub("", text)
    text = _BUDGET_CODE.sub("", text)
    text = text.strip(" \t:：、")
    cut = bool(_CUT_MARK.search(text)) or _unbalanced(text)
    text = _CUT_MARK.sub("", text).strip()
    if not text:
        text = raw
    return CleanName(text=text, core=core, cut_off=cut, changed=text != raw)


def title_name(project: str | None, year: int | None = None) -> str:
    """The project's name for titles and prose: no table title, budget code or leading years.

    The evaluation year is cut wherever it is ("2021年度2021年…": the title prints it once; without a known year,
    years at the start); another year inside the name ("2020年结转资金") is part of the name and stays.
    """
    raw = (project or "").strip()
    text = _BUDGET_CODE.sub("", raw)
    text = _LONG_CODE.sub("", text)
    text = _TITLE_WORDS.sub("", text).strip(" \t-－—_:：、")
    if year:
        text = re.sub(rf"[（(]?{year}\s*年度?[）)]?", "", text)
    else:
        text = _LEADING_YEARS.sub("", text)
    text = re.sub(r"^[（(]\s*[）)]|[（(]\s*[）)]$", "", text.strip())
    text = text.strip(" \t-－—_:：、")
    return text or raw


def _named(implementer: str | None, unit: str | None, department: str | None) -> str | None:
    """The implementer the report names: "本单位"/"同上" is the 填报单位, "同主管部门" the department."""
    if not implementer:
        return implementer
    key = re.sub(r"[\s（）()。.]", "", implementer)
    if key in vocabulary.self_references("unit"):
        return unit or None
    if key in vocabulary.self_references("department"):
        return department or None
    return implementer


def unit_name(unit: str | None) -> str | None:
    """A unit's name without the budget code some systems print before it ("219001-…人民政府")."""
    if not unit:
        return unit
    text = _BUDGET_CODE.sub("", unit.strip())
    return text.strip() or unit.strip()


# ---------------------------------------------------------------------------------------------------------
# Operators and quotations in prose.
# ---------------------------------------------------------------------------------------------------------

_PROSE_OPERATORS = str.maketrans({"≧": "≥", "⩾": "≥", "≦": "≤", "⩽": "≤", "═": "=", "﹦": "=", "＝": "=",
                                  "＞": ">", "＜": "<", "﹥": ">", "﹤": "<"})
_ASCII_OPERATORS = re.compile(r">=|=>|<=|=<")


def prose_operators(text: str) -> str:
    """≧ → ≥, ≦ → ≤, ═ ﹦ ＝ → =, >= → ≥: in prose and in the appendix's value cells alike."""
    text = text.translate(_PROSE_OPERATORS)
    return _ASCII_OPERATORS.sub(lambda m: "≥" if ">" in m[0] else "≤", text)


def quote(text: str) -> str:
    """“text”, with quotation marks inside turned into ‘’ (a quotation inside a quotation)."""
    inner = text.replace("“", "‘").replace("”", "’")
    return f"“{inner}”"


def inner_quotes(text: str) -> str:
    """The text to put inside “…”: its own “” become ‘’."""
    return text.replace("“", "‘").replace("”", "’")


# ---------------------------------------------------------------------------------------------------------
# Composite cells.
# ---------------------------------------------------------------------------------------------------------

_MEASURE_SPLIT = re.compile(
    r"[。；;\n\s]*(?:[0-9一二三四五六七八九十]{1,2}\s*[、.．]\s*)?"
    r"(?:改进措施|整改措施|下一步措施|拟采取的改进措施|下一步工作)\s*[:：]"
)
_CAUSE_LABEL = re.compile(r"^\s*(?:偏差原因分析|偏差原因|原因分析|未完成原因|原因)\s*[:：]\s*")
_SUBHEADING = re.compile(r"^[^。，,；;！？]{2,24}?(?:情况|措施|方案|计划|建议|问题|应用)\s*[:：]?$")


# a sentence that says what will be done, not why ("提高预算准确度。", "下一步将加快支付进度。")
_MEASURE_SENTENCE = re.compile(
    r"^\s*(?:[0-9一二三四五六七八九十]{1,2}\s*[、.．]\s*)?(?:下一步|今后|下阶段|下一年度|[我本]单位)?[，,]?\s*"
    r"(?:将|要|需|应|拟)?\s*(?:进一步|继续|切实|持续|尽快)?"
    r"(?:提高|提升|加强|强化|加快|完善|健全|建立|严格|规范|优化|确保|做好|加大|落实|细化|科学|合理)"
)
_CAUSE_WORDS = re.compile(r"原因|导致|由于|因为|造成|致使|影响|未能|滞后|不到位|不足")
_SENTENCE_END = re.compile(r"(?<=[。！？])")


def _trailing_measures(cause: str) -> tuple[str, str] | None:
    """A cause cell whose last sentences are measures, unlabelled ("资金拨付较晚。提高预算准确度。"): (cause,
    measures); None when every sentence explains, or when all of them read as measures (then it is no cause)."""
    sentences = [s for s in _SENTENCE_END.split(cause.strip()) if s.strip()]
    if _MEASURE_SENTENCE.match(sentences[0]) and not _CAUSE_WORDS.search(sentences[0]):
        return None
    for k in range(1, len(sentences)):
        rest = sentences[k:]
        if all(_MEASURE_SENTENCE.match(s) and not _CAUSE_WORDS.search(s) for s in rest):
            return "".join(sentences[:k]).strip(), "".join(rest).strip()
    return None


def split_cause(cause: str | None, unlabelled: bool = False) -> tuple[str | None, str | None]:
    """Split a cause cell that also holds the measure ("原因：…。改进措施：…") into (cause, measure); with
    ``unlabelled``, also trailing sentences that read as measures without a label."""
    if not cause:
        return cause, None
    m = _MEASURE_SPLIT.search(cause)
    if not m:
        split = _trailing_measures(cause) if unlabelled else None
        return split if split is not None else (cause, None)
    head = _CAUSE_LABEL.sub("", cause[: m.start()]).strip()
    tail = cause[m.end() :].strip()
    return (head or None), (tail or None)


# the form's own enumeration at the head of an item: "一是", "1、", "（2）", "3.", "二、", "第一，", "首先，"
_ITEM_HEAD = re.compile(
    r"^\s*(?:[（(]\s*(?:\d{1,2}|[一二三四五六七八九十]{1,2})\s*[)）]|\d{1,2}\s*(?:[、]|[.．](?!\d))"
    r"|[一二三四五六七八九十]{1,2}\s*(?:是|、)|第[一二三四五六七八九十]{1,2}\s*[，,、：:]|(?:首先|其次|再次|最后)\s*[，,、：:])\s*"
)
def enumerates(text: str) -> bool:
    """Whether ``text`` numbers its own items from its start ("一是……；二是……", "1.……2.……")."""
    head = _ITEM_HEAD.match(text)
    return head is not None and head.end() < len(text) and ITEM_MARK.search(text, head.end()) is not None


def flat(text: str) -> str:
    """A text numbering its own items as one sentence, for a list the report numbers itself: an item of an
    "一是……；二是……" list saying "一是A；二是B" inside reads as two lists in one. 一是A；二是B → A，B."""
    if not enumerates(text):
        return text
    return "，".join(item for item in (_ITEM_END.sub("", i) for i in split_numbered(text)) if item)


_ITEM_END = re.compile(r"[；;。，,、\s]+$")


def unnumbered(item: str) -> str:
    """An item without the form's own enumeration, for a list the report numbers itself (no "一是一是"); a text
    with a later item mark ("一是……；二是……") enumerates itself and keeps its numbering."""
    head = _ITEM_HEAD.match(item)
    if head is None or head.end() >= len(item) or enumerates(item):
        return item
    return item[head.end() :]


def strip_subheading(text: str | None) -> str | None:
    """Drop a first line that is a sub-heading ("拟与预算安排相结合情况"), not part of the sentence."""
    if not text:
        return text
    lines = text.strip().split("\n")
    if len(lines) > 1 and _SUBHEADING.match(lines[0].strip()):
        rest = "\n".join(lines[1:]).strip()
        return rest or None
    first, sep, rest = text.strip().partition("：")
    if sep and rest.strip() and _SUBHEADING.match(first.strip()) and len(first) <= 24:
        return rest.strip()
    # a cell that set the heading off by a space ("拟与预算安排相结合情况 加大……的资金投入。"): the space
    # would read as a comma, making the heading part of the measure
    spaced = _SPACED_HEAD.match(text.strip())
    if spaced and _SUBHEADING.match(spaced[1]) and len(spaced[2]) >= _MIN_AFTER_HEAD:
        return spaced[2]
    return text


_SPACED_HEAD = re.compile(r"([^\s。，,；;：:]{2,24})[ \t\u3000]+(\S.*)", re.S)
_MIN_AFTER_HEAD = 6  # "措施 到位" is a sentence, not a heading and its measure


# ---------------------------------------------------------------------------------------------------------
# The form, cleaned once.
# ---------------------------------------------------------------------------------------------------------

_FIELD_LABELS = {
    "overview": "项目概况",
    "goals.planned": "年度目标",
    "goals.achieved": "年度目标实际完成情况",
    "other_notes": "其他需要说明的问题",
    "self_evaluation": "自评工作开展情况",
    "deviation_analysis": "偏差原因分析",
    "improvement_measures": "改进措施",
    "cause": "偏差原因",
    "measure": "改进措施",
}


def clean_form(form: EvaluationForm) -> tuple[EvaluationForm, list[Finding]]:
    """Return a copy of the form with every free-text field cleaned, and the findings about it."""
    source = source_of(form)
    findings: list[Finding] = []
    # a copy of what this function and evaluate change (the form's own fields, its goals, each indicator), the
    # rest shared with the printed form: nothing changes it, and a deep copy was a fifth of evaluating a form
    data = form.model_copy()
    if form.goals is not None:
        data.goals = form.goals.model_copy()
    data.indicators = [ind.model_copy() for ind in form.indicators]

    def note(path: str, label: str, printed: str) -> None:
        shown = printed.strip().replace("\n", " ")
        shown = shown if len(shown) <= 40 else shown[:40] + "…"
        findings.append(found("instruction-text", path, source.locate(path), "field", label=label, text=shown))

    def one(value: str | None, path: str, label: str) -> str | None:
        cleaned, instruction = clean_text(value)
        if instruction and value:
            note(path, label, value)
        return cleaned

    if form.project:
        data.project = title_name(form.project, form.year)
    data.unit = unit_name(form.unit)
    data.department = unit_name(form.department)
    data.implementer = _named(unit_name(form.implementer), data.unit, data.department)
    data.overview = one(form.overview, "overview", _FIELD_LABELS["overview"])
    data.other_notes = one(form.other_notes, "other_notes", _FIELD_LABELS["other_notes"])
    data.self_evaluation = one(form.self_evaluation, "self_evaluation", _FIELD_LABELS["self_evaluation"])
    if data.goals is not None and form.goals is not None:
        data.goals.planned = one(form.goals.planned, "goals.planned", _FIELD_LABELS["goals.planned"])
        data.goals.achieved = one(form.goals.achieved, "goals.achieved", _FIELD_LABELS["goals.achieved"])
    for key in ("deviation_analysis", "improvement_measures"):
        items = []
        for j, item in enumerate(getattr(form, key)):
            cleaned = one(item, f"{key}[{j}]", _FIELD_LABELS[key])
            if key == "improvement_measures":
                cleaned = strip_subheading(cleaned)
            if cleaned:
                items.append(unnumbered(cleaned))  # the report numbers the items itself
        setattr(data, key, items)
    for i, (ind, out) in enumerate(zip(form.indicators, data.indicators, strict=True)):
        label = f"指标“{ind.name}”的"
        cause = one(ind.cause, f"indicators[{i}].cause", label + "偏差原因")
        measure = one(ind.measure, f"indicators[{i}].measure", label + "改进措施")
        cause, inline_measure = split_cause(cause, unlabelled=not measure)
        if inline_measure and not measure:
            measure = inline_measure
        out.cause = unnumbered(cause) if cause else cause
        measure = strip_subheading(measure)
        out.measure = unnumbered(measure) if measure else measure
    _levels_from_children(data, findings, source)
    object.__setattr__(data, "_source", source)
    return data, findings


# a 一级指标 cell that names nothing: blank, or only its points ("(50分)", "（50）", "50分")
_POINTS_ONLY = re.compile(r"^\s*(?:[（(]?\s*\d+(?:\.\d+)?\s*分?\s*[)）]?)?\s*$")


def _parent_of(level2: str) -> str | None:
    """The 一级指标 a standard 二级指标 belongs to (lexicon/labels.yaml ``levels``): 数量指标 → 产出指标."""
    key = level2.strip().removesuffix("指标")
    for parent, children in vocabulary.levels().items():
        if any(key == child.removesuffix("指标") for child in children):
            return parent
    return None


def _levels_from_children(data: EvaluationForm, findings: list[Finding], source: SourceMap) -> None:
    """Rows whose 一级指标 cell prints only its points ("(50分)") or nothing, under a standard 二级指标: filed
    under that 二级指标's 一级指标 instead of 未分类指标 (one finding names how many)."""
    filed = [(ind, parent) for ind in data.indicators
             if _POINTS_ONLY.match(ind.level1 or "") and ind.level2 and (parent := _parent_of(ind.level2))]
    if not filed:
        return
    for ind, parent in filed:
        ind.level1 = parent
    first, parent = filed[0]
    findings.append(found("level1-from-level2", "indicators", source.locate("indicators"), count=len(filed),
                          name=first.name, level2=first.level2, level1=parent))
