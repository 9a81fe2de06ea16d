"""Check the facts a report states against the form: total, grade, budget figures, deducted indicators.

Numbers are read the way finance texts write them: 2,440.91万元 and 2440.91万元 are the same
amount, 100% and 100.00% the same rate, 98分 and 98.0分 the same score; 24,409,100元 is
2,440.91万元. A stated number agrees when it equals the form's figure rounded to the digits the
text gives — but the text must give at least as many decimals as the form prints (up to two), so
"98分" does not pass for 97.72. Approximations (约, 近, 超过, 不足…) and comparisons are not
statements of fact and are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from functools import lru_cache
from typing import Any

from reportgen import formatting as fmt
from reportgen.checking.document import Draft, Line
from reportgen.checking.indicators import IndicatorReader
from reportgen.checking.numbers import agrees, stated_number
from reportgen.checking.result import Problem
from reportgen.defaults import SAME_TEXT_OVERLAP
from reportgen.evaluation import vocabulary
from reportgen.evaluation.scoring import Evaluation
from reportgen.segment import normalize

_NUM = r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_HAN = "\u4e00-\u9fff"
# words that turn a number into an approximation or a comparison rather than a statement
_HEDGE = re.compile(
    r"约|近|超过|不足|低于|高于|不低于|不高于|不少于|不超过|达不到|未达到|未达|目标|要求|标准|应当|应|计划|预计|力争"
)
_HEDGE_BEFORE_NUMBER = "约近超逾"

_TOTAL = re.compile(
    rf"(?P<key>本项目得分|项目总得分|项目得分|综合得分|自评得分|自评总分|总得分|综合评分|最终得分|评价得分|"
    rf"得分合计|合计得分|总分|得分为)"
    rf"(?P<gap>[^\d。;\n]{{0,8}}?){_NUM}\s*分(?!以上|以下|之间)"
)
# 自评得分 also introduces a category's or an indicator's score ("产出指标……自评得分35分"): it names the
# total only in the conclusion section; any key preceded in its clause by a part's name is a part's score
_TOTAL_AMBIGUOUS = {"自评得分", "评价得分", "得分为"}
# a total the form does not print may be stated only as computed
_SAID_COMPUTED = re.compile(r"合计|计算|未填|加总|之和")
# a figure said as the rows' sum ("按各项得分合计为…", "各项得分之和为…"), as opposed to the total itself
_SAID_AS_SUM = re.compile(r"按各项|各项得分(?:合计|之和|加总)|得分之和|加总")
_PART = re.compile(r"指标|预算|分项|单项|产出|效益|满意度|本部分|已填")
# grades as lexicon/labels.yaml spells them: 优秀 → 优; a one-character grade must stand alone (not 优化)
_GRADES = vocabulary.grade_spellings()
_LONG_GRADES = "|".join(re.escape(w) for w in sorted((w for w in _GRADES if len(w) > 1), key=len, reverse=True))
_SHORT_GRADES = "".join(re.escape(w) for w in _GRADES if len(w) == 1)
_GRADE = re.compile(
    rf"(?:评价等级|自评等级|绩效等级|等级|等次|评定为|评为|评价结果|自评结果)(?P<gap>[^。;,\n\d]{{0,6}}?)"
    rf"[“\"「『‘']?(?:(?P<two>{_LONG_GRADES})|(?P<one>[{_SHORT_GRADES}])(?![{_HAN}]))"
)
_GRADE_KEYS = re.compile("等级|等次|评定为|评为|评价结果|自评结果")
# a grade said as the one the total implies ("按填报总分85分对应的等级应为“良”"), beside a printed one that differs
_GRADE_BY_TOTAL = re.compile("应为|对应的等级|对应等级")
_RATE = re.compile(rf"(?P<before>.{{0,2}})(?P<key>预算执行率|执行率)(?P<gap>[^\d。;\n]{{0,6}}?){_NUM}\s*%")
_BUDGET_SCORE = re.compile(rf"预算执行(?P<gap>[^。;\n]{{0,20}}?)得(?:分为?|到)?\s*{_NUM}\s*分")
_NOT_BUDGET_SCORE = re.compile(r"综合|总分|自评|满分|绩效指标|产出|效益|满意度")
_MONEY = re.compile(rf"{_NUM}\s*(?P<unit>亿元|万元|元)(?!\s*/)")
# what a money figure is, by the nearest label before it in its clause (年初 in the clause makes a
# budget figure the initial budget)
_MONEY_LABELS: tuple[tuple[str, str], ...] = (
    ("年初预算数", "budget"), ("调整后预算数", "budget"), ("全年预算数", "budget"), ("预算数", "budget"),
    ("预算资金", "budget"), ("预算总额", "budget"), ("预算金额", "budget"), ("安排预算", "budget"),
    ("预算安排", "budget"), ("下达预算", "budget"), ("总预算", "budget"), ("预算", "budget"),
    ("全年执行数", "executed"), ("执行数", "executed"), ("实际执行", "executed"), ("执行金额", "executed"),
    ("实际支出", "executed"), ("已支出", "executed"), ("支出", "executed"), ("执行", "executed"),
    ("实际使用", "executed"), ("使用资金", "executed"),
)
# a figure whose clause holds one of these is a part or a remainder, not the project's budget or spending
_NOT_TOTAL = re.compile(
    r"各行|资金来源|结余|结转|节约|节余|差额|未执行|未支出|剩余|缺口|其中|拨款|配套|自筹|其他资金|人均|户均|每|标准|"
    r"下年度|下一年度|明年|以上|以下|超过|不足|追加|调减|调增|增加|减少"
)
_LABEL_RE = re.compile("|".join(re.escape(w) for w, _ in sorted(_MONEY_LABELS, key=lambda x: -len(x[0]))))
_LABEL_KIND = dict(_MONEY_LABELS)
_CLAUSE_END = re.compile(r"[。;\n!?]|,(?!\d{3})|(?<!\d),")
_RATE_CONTEXT = ("资金", "项目", "总体", "整体", "全年", "年度", "专项", "当年", "预算")
_UNIT_FACTOR = {"元": Decimal(1), "万元": Decimal(10_000), "亿元": Decimal(100_000_000)}


def _hedged(text: str, start: int, gap: str) -> bool:
    return bool(_HEDGE.search(gap)) or (start > 0 and text[start - 1] in _HEDGE_BEFORE_NUMBER)


def form_text(ev: Evaluation) -> str:
    """All the words of the form, for telling a quotation of it from the report's own wording."""
    texts: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(ev.form.model_dump())
    return normalize("\n".join(texts))


# a clause this short ("预算资金90万元") could be the draft's own claim that happens to occur in the form
_MIN_QUOTED_CLAUSE = 10
_QUOTE_LEAD = re.compile(r"[:“\"「]")


class FactChecker:
    """Compare the figures stated in a draft with one evaluation."""

    def __init__(self, draft: Draft, ev: Evaluation, section_of: Callable[[Line], str | None]) -> None:
        self.draft = draft
        self.ev = ev
        self.section_of = section_of
        self._form_text: str | None = None  # built on the first figure that needs it

    def _quoted(self, text: str, start: int, end: int) -> bool:
        """Whether the clause holding text[start:end] is the form's own words, quoted.

        A report quotes the form's goal or its causes as printed ("本项目共申请预算资金90万元…"); a figure in
        such a quotation is the form's statement, not a claim of the report about the budget, so it is not
        compared with the budget figures. The clause, from its start to the figure's end, must be long
        enough and occur in the form as it stands.
        """
        clause = normalize(text[_clause_start(text, start) : end])
        # the quotation may follow a lead-in of the report's own ("项目年度总体目标：…", "原因为“…")
        candidates = [clause] + [clause[m.end() :] for m in _QUOTE_LEAD.finditer(clause)]
        candidates = [c.strip() for c in candidates if len(c.strip()) >= _MIN_QUOTED_CLAUSE]
        if not candidates:
            return False
        if self._form_text is None:
            self._form_text = form_text(self.ev)
        return any(c in self._form_text for c in candidates)

    def _problem(self, line: Line, written: str, expected: str, what: str) -> Problem:
        where = self.draft.where(line.number)
        return Problem(
            kind="fact-mismatch",
            severity="error",
            section=self.section_of(line),
            line=line.number,
            message=f"{where}写“{written}”，与自评表的{what}{expected}不符",
            suggestion=f"核对自评表后改为{expected}",
            term=written,
        )

    def check(self, lines: Iterable[Line]) -> Iterator[Problem]:
        """Yield a problem for every stated figure that contradicts the form."""
        reader = IndicatorReader(self.ev, self._problem)
        for line in lines:
            yield from self._total(line)
            yield from self._grade(line)
            yield from self._rate(line)
            yield from self._budget_score(line)
            yield from self._money(line)
            if line.heading is None:
                yield from reader.check(line)

    def _total(self, line: Line) -> Iterator[Problem]:
        total = self.ev.total
        if total is None or "分" not in line.text:
            return
        text = line.text
        for m in _TOTAL.finditer(text):
            if m["key"] in _TOTAL_AMBIGUOUS and "summary" not in line.kinds:
                continue
            if _PART.search(text[_clause_start(text, m.start()) : m.start()]):
                continue
            stated = stated_number(m[3])
            if stated is None or _hedged(text, m.start(3), m["gap"]) or "满分" in m["gap"]:
                continue
            # "总分100分" usually means the full marks, not the score
            if m["key"] == "总分" and stated.value == self.ev.total_weight:
                continue
            said_as_sum = bool(_SAID_AS_SUM.search(text[_clause_start(text, m.start()) : m.end()]))
            if said_as_sum and self.ev.total_computed is not None:
                # "按各项得分合计为77.6分" beside a printed 97.6 states the rows' sum, not the total: check it as such
                if not agrees(stated, self.ev.total_computed):
                    yield self._problem(line, m[0], f"{fmt.score(self.ev.total_computed)}分", "各项得分合计")
                continue
            if not agrees(stated, total):
                yield self._problem(line, m[0], f"{fmt.score(total)}分", "总分")
            elif self.ev.total_source != "printed" and not _SAID_COMPUTED.search(
                text[_clause_start(text, max(m.start() - 30, 0)) : m.end()]
            ):
                yield Problem(
                    kind="fact-mismatch", severity="error", section=self.section_of(line), line=line.number,
                    message=f"{self.draft.where(line.number)}写“{m[0]}”，但自评表未填写总分，这是按各项得分计算的合计",
                    suggestion=f"写明“自评表未填写总分，按各项得分合计为{fmt.score(total)}分”，并请补填总分和等级",
                    term=m[0],
                )

    def _grade(self, line: Line) -> Iterator[Problem]:
        grade = self.ev.grade
        if not grade and self.ev.grade_computed and _GRADE_KEYS.search(line.text):
            # no printed total, no printed grade: a grade stated is one the form never gave
            for m in _GRADE.finditer(line.text):
                yield Problem(
                    kind="fact-mismatch", severity="error", section=self.section_of(line), line=line.number,
                    message=f"{self.draft.where(line.number)}写“{m[0]}”，但自评表未填写总分和等级，不能据计算的合计评定等级",
                    suggestion="删去等级，写明“自评表未填写总分和等级”，请补填后再表述",
                    term=m[0],
                )
            return
        if not grade or not _GRADE_KEYS.search(line.text):
            return
        text = line.text
        for m in _GRADE.finditer(text):
            word = m["two"] or m["one"]
            if self.ev.grade_computed and _GRADE_BY_TOTAL.search(text[_clause_start(text, m.start()) : m.end()]):
                # the grade the printed total implies: checked against the scoring rules, not the printed grade
                implied = self.ev.grade_computed
                if _GRADES.get(word, word) != _GRADES.get(implied, implied):
                    yield Problem(
                        kind="fact-mismatch", severity="error", section=self.section_of(line), line=line.number,
                        message=f"{self.draft.where(line.number)}写“{m[0]}”，但按自评表填报的总分，评分标准对应的等级为“{implied}”",
                        suggestion=f"核对后改为“{implied}”", term=m[0],
                    )
                continue
            if _GRADES.get(word, word) != _GRADES.get(grade, grade):
                yield self._problem(line, m[0], f"“{grade}”", "评价等级")

    def _rate(self, line: Line) -> Iterator[Problem]:
        budget = self.ev.budget
        if budget is None or budget.rate is None or "执行率" not in line.text:
            return
        for m in _RATE.finditer(line.text):
            before = m["before"]
            # a bare 执行率 may be another rate (政府采购执行率): accept it at a clause start or after a budget word
            if m["key"] == "执行率" and before and re.match(f"[{_HAN}]", before[-1]) and before not in _RATE_CONTEXT:
                continue
            stated = stated_number(m[4])
            if stated is None or _hedged(line.text, m.start(4), m["gap"]):
                continue
            if not agrees(stated, budget.rate * 100):
                yield self._problem(line, m[0][len(before):], fmt.percent(budget.rate), "预算执行率")

    def _budget_score(self, line: Line) -> Iterator[Problem]:
        budget = self.ev.budget
        if budget is None or budget.score is None or "预算执行" not in line.text:
            return
        for m in _BUDGET_SCORE.finditer(line.text):
            # the budget's own score follows it closely; 自评/综合/总分 belong to the total
            if m["gap"].count(",") > 1 or _NOT_BUDGET_SCORE.search(m["gap"]):
                continue
            stated = stated_number(m[2])
            if stated is None or _hedged(line.text, m.start(2), m["gap"]):
                continue
            if not agrees(stated, budget.score):
                yield self._problem(line, m[0], f"{fmt.score(budget.score)}分", "预算执行得分")

    def _money(self, line: Line) -> Iterator[Problem]:
        budget = self.ev.budget
        if budget is None or "元" not in line.text:
            return
        text = line.text
        for m in _MONEY.finditer(text):
            start = m.start()
            if start > 0 and (text[start - 1].isdigit() or text[start - 1] == "."):
                continue
            window = text[max(_clause_start(text, start), start - 30) : start]
            labels = list(_LABEL_RE.finditer(window))
            if not labels or _NOT_TOTAL.search(window):
                continue
            label = labels[-1]
            field = _LABEL_KIND[label[0]]
            if field == "budget":
                field = "initial" if "年初" in window else "adjusted"
            actual = {"initial": budget.initial, "adjusted": budget.base, "executed": budget.executed}[field]
            stated = stated_number(m[1])
            if actual is None or stated is None or _hedged(text, start, window[label.end() :]):
                continue
            if self._quoted(text, start, m.end()):
                continue
            factor = _UNIT_FACTOR[budget.unit] / _UNIT_FACTOR[m["unit"]]
            if not agrees(stated, actual * factor):
                what = {"initial": "年初预算数", "adjusted": "预算数", "executed": "执行数"}[field]
                written = window[label.start() :] + m[0]
                yield self._problem(line, written, fmt.money(actual, budget.unit), what)


def _clause_start(text: str, pos: int) -> int:
    return max((c.end() for c in _CLAUSE_END.finditer(text, 0, pos)), default=0)


# --- deducted indicators must be explained in the deviation section ---------------------------

_PUNCT = re.compile(r"[\s,，。、；;：:！!？?“”\"'（）()《》【】\-—/|*#]+")


@lru_cache(maxsize=4096)
def _bigrams(text: str) -> frozenset[str]:
    # cached: every deducted indicator is looked for in the same lines of the deviation section
    text = _PUNCT.sub("", text)
    return frozenset(text[i : i + 2] for i in range(len(text) - 1))


def mentioned(name: str, lines: list[Line]) -> bool:
    """Whether an indicator's name (or a clear part of it) appears in ``lines``.

    Exact mention of the whole name, or of a comma-separated part of at least six characters,
    counts; so does a line holding 60 % of the name's character pairs, since a draft may reword
    a long name ("群众文体活动开展次数" for "年组织开展群众文体活动").
    """
    key = normalize(name).replace(" ", "")
    parts = [p for p in _PUNCT.split(key) if len(p) >= 6]
    pairs = _bigrams(key)
    for line in lines:
        text = line.text.replace(" ", "")
        if key in text or any(p in text for p in parts):
            return True
        if pairs and len(pairs & _bigrams(text)) >= SAME_TEXT_OVERLAP * len(pairs):
            return True
    return False
