"""Indicator-level facts in a draft: what a sentence says about a named indicator or category must agree.

A sentence that names an indicator (its target, actual value, completion rate, score, lost points), a
category (its count, points available, score) or the whole set of indicators (三级指标N项) is read from
the name to the end of its statement: the next 。, the next named indicator or category. Completion
words are checked against the numbers: 全面完成 where points were lost is a contradiction. Duplicate
names (two rows of one name) are skipped: the sentence cannot say which row it means.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from reportgen import formatting as fmt
from reportgen.checking.document import Line
from reportgen.checking.numbers import agrees, stated_number
from reportgen.checking.result import Problem
from reportgen.evaluation import vocabulary
from reportgen.evaluation.scoring import Evaluation
from reportgen.evaluation.values import parse_value
from reportgen.narrative import text as ntext
from reportgen.segment import normalize

# (line, written, expected, what) -> the problem, worded and placed by the caller's draft
ProblemMaker = Callable[[Line, str, str, str], Problem]

_N = r"(\d+(?:\.\d+)?)"
_STOP = "。;!?"
_ACTUAL = re.compile(r"实际完成(?:值|情况)?(?:为|是)?[:“\"]?(?P<v>[^,。;()“”\"]+)")
# "为目标值的101.55%" is a ratio to the target, not the target: the key must not run on into 值/的/之
_TARGET = re.compile(r"(?:年度目标值?|目标值|年初设定目标|目标设定为|年初目标)(?![值的之])(?:为|是)?[:“\"]?(?P<v>[^,。;()“”\"]+)")
_RATIO = re.compile(rf"完成率(?:为)?{_N}%")
_SCORE = re.compile(rf"(?<![满分值])(?:自评)?得(?:分)?(?:为)?{_N}分")
_LOST = re.compile(rf"扣(?:除)?{_N}分")
_COUNT_AFTER = re.compile(rf"^(?:方面,)?(?:共|合计设置|共设)?{_N}项")
_COUNT_BEFORE = re.compile(rf"{_N}项$")
_WEIGHT = re.compile(rf"(?:分值|合计|满分)(?:为)?{_N}分")
_INDICATOR_COUNT = re.compile(rf"{_N}项三级(?:绩效)?指标|三级(?:绩效)?指标(?:共)?{_N}项")
_FULL_WORD = "全面完成"
_DIGIT = re.compile(r"\d")  # a line without a digit states no figure (searched in C, not char by char)


def _norm(value: str | None) -> str:
    return normalize(ntext.clause(value or "")).replace(" ", "")


def _same_value(stated: str, printed: str | None) -> bool:
    """Whether a stated target/actual is the form's: same text, or the same number and unit."""
    if printed is None:
        return True
    a, b = _norm(stated), _norm(printed)
    if not a or a == b or b.startswith(a) or a.startswith(b):
        return True
    va, vb = parse_value(a), parse_value(b)
    if va.number is None or vb.number is None:
        return True  # descriptive text reworded: not a number to compare
    return va.number == vb.number and va.high == vb.high


# what the budget block is called; a form may also file indicators under a 二级指标 of that name
_BUDGET_NAMES = frozenset({"预算执行", "预算执行情况"})


def _group_names(ev: Evaluation) -> list[str]:
    """Every name a report may give a group of indicators: the known levels, the department report's groups."""
    from reportgen.narrative.department import management_lexicon  # (the narrative imports the checker's kin)

    return [*vocabulary.level1_names(), *vocabulary.level2_names(), "其他指标", "预算执行",
            *management_lexicon(ev.rules.lexicon).groups.values()]


class IndicatorReader:
    """Reads one draft's lines against ``ev``; ``problem`` words a mismatch the way the other fact checks do."""

    def __init__(self, ev: Evaluation, problem: ProblemMaker) -> None:
        self.ev = ev
        self._problem = problem
        counts = Counter(_norm(r.name) for r in ev.indicators)
        self.indicators = {_norm(r.name): r for r in ev.indicators if counts[_norm(r.name)] == 1 and len(_norm(r.name)) >= 4}
        self.categories: dict[str, Any] = {}
        for c in [*ev.level1, *ev.level2]:
            key = _norm(c.name)
            if c.level2 is not None and c.level2 == c.level1:
                continue
            self.categories.setdefault(key, c)
        # names of groups the form does not have (满意度指标 on a form filing satisfaction under 效益, the
        # department report's 管理指标, 其他指标…) end the statement of the category before them: "产出指标得25分，
        # 满意度指标得15分" says nothing more about 产出
        known = {*self.categories, *self.indicators}
        self.stops = {n for n in map(_norm, _group_names(ev)) if n and n not in known
                      and n.removesuffix("指标") not in known and n + "指标" not in known}
        # longest names first, so 社会效益指标 is not read as 效益指标
        self.names = sorted([n for n in [*self.indicators, *self.categories, *self.stops] if n], key=len, reverse=True)
        goals = ev.form.goals
        # the form's own words may say 全面完成 (an actual, the goal's 实际完成情况 or a task's result quoted in the body)
        own = [r.indicator.actual or "" for r in ev.indicators]
        own += [goals.achieved or "", goals.planned or ""] if goals is not None else []
        own += [t.result or "" for t in getattr(ev.form, "tasks", None) or []]
        self.form_text = normalize("\n".join(ntext.tidy(t) for t in own))

    def _mentions(self, text: str) -> list[tuple[int, int, str]]:
        # each name's occurrences left to right, as re.finditer would find them; a plain substring test
        # first, because most lines name none of the form's indicators
        taken: list[tuple[int, int, str]] = []
        for name in self.names:
            start = text.find(name)
            while start >= 0:
                end = start + len(name)
                if not any(a < end and start < b for a, b, _ in taken):
                    taken.append((start, end, name))
                start = text.find(name, end)
        return sorted(taken)

    def check(self, line: Line) -> Iterator[Problem]:
        text = line.text
        if _FULL_WORD not in text and not _DIGIT.search(text):
            return
        mentions = self._mentions(text)
        for n, (start, end, name) in enumerate(mentions):
            stop = min([i for i in (text.find(c, end) for c in _STOP) if i >= 0] or [len(text)])
            nxt = mentions[n + 1][0] if n + 1 < len(mentions) else len(text)
            segment = text[end : min(stop, nxt)]
            before = text[max(0, start - 6) : start]
            if name in self.indicators:
                yield from self._indicator(line, name, segment)
            elif name in self.categories:
                yield from self._category(line, name, segment, before)
        yield from self._count(line)
        yield from self._completion(line, mentions)

    def _indicator(self, line: Line, name: str, seg: str) -> Iterator[Problem]:
        r = self.indicators[name]
        label = f"“{r.name}”"
        seg = seg.lstrip("”\"")
        for m in _ACTUAL.finditer(seg):
            if not _same_value(m["v"], r.indicator.actual):
                yield self._problem(line, m[0], f"“{r.indicator.actual}”", f"指标{label}实际完成值")
        for m in _TARGET.finditer(seg):
            if not _same_value(m["v"], r.indicator.target):
                yield self._problem(line, m[0], f"“{r.indicator.target}”", f"指标{label}年度目标值")
        if r.ratio is not None:
            for m in _RATIO.finditer(seg):
                stated = stated_number(m[1])
                if stated is not None and not agrees(stated, r.ratio * 100):
                    yield self._problem(line, m[0], fmt.percent(r.ratio), f"指标{label}完成率")
        if r.score is not None:
            for m in _SCORE.finditer(seg):
                stated = stated_number(m[1])
                if stated is not None and not agrees(stated, r.score):
                    yield self._problem(line, m[0], f"{fmt.score(r.score)}分", f"指标{label}得分")
        if r.weight is not None and r.score is not None:
            for m in _LOST.finditer(seg):
                stated = stated_number(m[1])
                if stated is not None and not agrees(stated, r.lost):
                    yield self._problem(line, m[0], f"{fmt.score(r.lost)}分", f"指标{label}扣分")

    def _budget_also(self, c: Any, stated: Any, what: str) -> bool:
        """Whether a category named as the budget block is ("预算执行" filed as a 二级指标 of 过程) is stated with
        the budget block's figure: the same words name both, so either figure is the text's."""
        b = self.ev.budget
        value = getattr(b, what, None) if b is not None else None
        return c.name.strip() in _BUDGET_NAMES and value is not None and agrees(stated, value)

    def _category(self, line: Line, name: str, seg: str, before: str) -> Iterator[Problem]:
        c = self.categories[name]
        seg = seg.split("“", 1)[0]
        count = len(c.indices)
        m = _COUNT_AFTER.search(seg) or _COUNT_BEFORE.search(before)
        if m:
            stated = stated_number(m[1])
            if stated is not None and stated.value != count:
                yield self._problem(line, f"{c.name}{m[0]}", f"{count}项", f"“{c.name}”的指标数")
        for m in _SCORE.finditer(seg):
            stated = stated_number(m[1])
            total = self.ev.total
            if stated is not None and total is not None and m[0].startswith("自评") and "," in seg[: m.start()]:
                # "综合预算执行和绩效指标完成情况，××自评得分97.6分": a later clause's 自评得分 equal to the
                # total is the total's statement (checked as such), not the category's
                if agrees(stated, total):
                    continue
            if stated is not None and not agrees(stated, c.score) and not self._budget_also(c, stated, "score"):
                yield self._problem(line, f"{c.name}……{m[0]}", f"{fmt.score(c.score)}分", f"“{c.name}”得分")
        if all(self.ev.indicators[i].weight is None for i in c.indices) and c.printed_weight is None:
            return  # the form prints no 分值 for this category: its 0 is no figure to hold a text to
        for m in _WEIGHT.finditer(seg):
            stated = stated_number(m[1])
            if stated is not None and "," in seg[: m.start()] and agrees(stated, self.ev.rules.total_weight):
                continue  # "综合预算执行……，自评得分92.6分（满分100分）": a later clause's full marks are the total's
            if stated is not None and not agrees(stated, c.weight) and (
                c.printed_weight is None or not agrees(stated, c.printed_weight)
            ) and not self._budget_also(c, stated, "weight"):
                yield self._problem(line, f"{c.name}……{m[0]}", f"{fmt.score(c.weight)}分", f"“{c.name}”分值")

    def _count(self, line: Line) -> Iterator[Problem]:
        if "三级" not in line.text:
            return  # (both phrasings name 三级指标: most lines are passed over without a regex)
        count = len(self.ev.counted)
        # a draft counting every printed row, breakdown rows (其中……) included, counts what the form prints too
        rows = len(self.ev.indicators)
        for m in _INDICATOR_COUNT.finditer(line.text):
            value = Decimal(m[1] or m[2])
            if value not in (count, rows):
                yield self._problem(line, m[0], f"{count}项", "三级指标数")

    def _completion(self, line: Line, mentions: list[tuple[int, int, str]]) -> Iterator[Problem]:
        text = line.text
        if _FULL_WORD not in text:
            return
        for m in re.finditer(_FULL_WORD, text):
            if text[m.start() : m.start() + 12] in self.form_text:
                continue  # quoting the form's own words
            sentence_start = max((text.rfind(c, 0, m.start()) for c in _STOP), default=-1) + 1
            about = [(b, name) for a, b, name in mentions
                     if sentence_start <= a < m.start() and (name in self.categories or name in self.stops)]
            if about and about[-1][1] in self.stops:
                continue  # a group the form does not have (its members are checked by name)
            clause_start = max(text.rfind(",", 0, m.start()), text.rfind("，", 0, m.start()), about[-1][0] if about else -1)
            if about and re.search(r"\d+项", text[clause_start : m.start()]):
                continue  # “8项中7项全面完成”: those items, not the category (“16项合计36分，扣1分，全面完成” is)
            if about:
                name = about[-1][1]
                c = self.categories[name]
                members = [self.ev.indicators[i] for i in c.indices]
                if c.score < c.weight or any(r.lost > 0 or r.status in ("partial", "missed") for r in members):
                    yield self._problem(line, m[0], "“较好完成”等与得分相符的用语", f"“{c.name}”的完成情况（有扣分）")
            elif "项目" in text[sentence_start : m.start()] or "总体" in text[sentence_start : m.start()]:
                budget_lost = self.ev.budget.lost if self.ev.budget is not None else 0
                if self.ev.deducted or budget_lost > 0:
                    yield self._problem(line, m[0], "与得分相符的完成用语", "项目的完成情况（有扣分）")
