"""The report's 【待补充】 gaps as fields of the form, and typed-in text put back into the form's data.

A gap is answered by writing into the form (an indicator's cause, the measures, the year…), never
by patching the report's text: the report is then composed again from the completed form, and the
workbook the user downloads carries what was typed, so ``reportgen import`` reads it back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from reportgen.errors import InputError
from reportgen.evaluation.model import EvaluationForm, SourceMap, attach_source, source_of
from reportgen.evaluation.scoring import Evaluation
from reportgen.loaders.structured import validate_data
from reportgen.narrative import text
from reportgen.report import Report

_MARK = re.compile(r"【待补充：([^】]*)】")
_INDICATOR = re.compile(r"^“(.+)”指标(?:扣分的理由|的偏差原因|未达目标值的原因)$")
# what a gap asks for -> (field path, label, hint); "[+]" appends one item to a list
_FIXED: dict[str, tuple[str, str, str]] = {
    "评价年度": ("year", "评价年度", "四位年份，如 2020"),
    "单位名称": ("unit", "单位名称", "填报单位全称"),
    "报告日期": ("filled_on", "填报日期", "报告落款的日期，如 2024-03-15"),
    "自评总分": ("total_score", "自评总分", "自评表上的总分，如 92.5"),
    "自评等级": ("grade", "自评等级", "优、良、中或差"),
    "自评总分和等级": ("total_score", "自评总分", "自评表上的总分，如 92.5（等级随之确定）"),
    "预算执行率偏低的原因": ("deviation_analysis[+]", "预算执行率偏低的原因",
                          "写明资金未执行的原因，如资金拨付较晚、政府采购未完成、尾款未结算"),
    "预算资金未全部执行的原因": ("deviation_analysis[+]", "预算资金未全部执行的原因",
                            "写明资金未执行的原因，如资金拨付较晚、政府采购未完成、尾款未结算"),
    "针对上述偏差的改进措施": ("improvement_measures[+]", "改进措施", "针对偏差准备采取的措施，可写多条，每条一行"),
}


@dataclass(frozen=True)
class Gap:
    """One 【待补充】 of a report and the form field that answers it."""

    id: str  # the field path (unique per gap; "[+]" paths get the gap's text as well)
    path: str
    label: str
    mark: str  # the placeholder as printed in the report
    hint: str = ""
    multiline: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "path": self.path, "label": self.label, "mark": self.mark, "hint": self.hint,
                "multiline": self.multiline}


_LISTS = ("deviation_analysis", "improvement_measures")  # a gap there is answered by one more item
_HINTS = {
    "year": "四位年份，如 2020",
    "unit": "填报单位全称",
    "total_score": "自评表上的总分，如 92.5",
    "grade": "优、良、中或差",
    "deviation_analysis": "写明资金未执行的原因，如资金拨付较晚、政府采购未完成、尾款未结算",
    "improvement_measures": "针对偏差准备采取的措施，可写多条，每条一行",
    "goals": "项目年度总体绩效目标，如“为3,000名老年人发放居家养老服务补贴……”",
    "overview": "项目立项依据、背景和主要实施内容",
    "self_evaluation": "本单位如何组织这次自评：组织方式、工作步骤和评价方法",
}


def _typed(report: Report) -> dict[str, str]:
    """mark → field path, from the report's typed gaps (``Report.gaps``) where the composer gives them."""
    out: dict[str, str] = {}
    for gap in getattr(report, "gaps", ()) or ():
        path, mark = getattr(gap, "path", ""), getattr(gap, "mark", "")
        if path and mark:
            out.setdefault(mark, path)
    return out


def gaps_of(report: Report, ev: Evaluation) -> list[Gap]:
    """Every placeholder of ``report`` that a field of the form can answer, in the report's order.

    The report's typed gaps say which field each placeholder stands for; placeholders written by a
    template (no typed gap) are recognised by what they ask for.
    """
    marks = list(dict.fromkeys([*report.placeholders, *(m[0] for m in _MARK.finditer(report.markdown))]))
    typed = _typed(report)
    names = [text.clause(r.name) for r in ev.indicators]
    used: set[int] = set()
    gaps: list[Gap] = []
    for mark in marks:
        found = _MARK.fullmatch(mark)
        what = found[1] if found else mark
        path = typed.get(mark)
        if path:
            base = path.split("[", 1)[0].split(".", 1)[0]
            if base in _LISTS and path == base:
                path += "[+]"
            gid = f"{path}:{what}" if path.endswith("[+]") else path
            hint = "写明未达成或扣分的具体原因" if path.startswith("indicators[") else _HINTS.get(base, "")
            gaps.append(Gap(gid, path, what, mark, hint, multiline=path.endswith("[+]") or path.endswith(".cause")))
            continue
        if what in _FIXED:
            path, label, hint = _FIXED[what]
            gid = path if not path.endswith("[+]") else f"{path}:{what}"
            gaps.append(Gap(gid, path, label, mark, hint, multiline=path.endswith("[+]")))
            continue
        m = _INDICATOR.match(what)
        if m:
            index = next((i for i, n in enumerate(names) if n == m[1] and i not in used), None)
            if index is not None:
                used.add(index)
                path = f"indicators[{index}].cause"
                gaps.append(Gap(path, path, what, mark, "写明未达成或扣分的具体原因"))
    return gaps


# indicators[3,4,5].cause: one text for several rows (a group's common cause, narrative.grouping)
_PATH = re.compile(r"^(?P<field>[a-z_]+)(?:\[(?P<index>\d+(?:,\d+)*|\+)\])?(?:\.(?P<sub>[a-z_]+))?$")


def apply_fills(form: EvaluationForm, fills: dict[str, str]) -> EvaluationForm:
    """A copy of ``form`` with each typed-in text written at its field path (blank texts are ignored).

    The copy is validated like a loaded form, so a year that is no year gets the loader's message.
    """
    if not any((v or "").strip() for v in fills.values()):
        return form  # nothing typed yet: the uploaded form as loaded
    data = form.model_dump()
    for gid, value in fills.items():
        value = (value or "").strip()
        if not value:
            continue
        path = gid.split(":", 1)[0]
        m = _PATH.match(path)
        if m is None or m["field"] not in EvaluationForm.model_fields:
            raise InputError(f"无法填写的字段“{path}”", hint="请刷新页面后重新填写")
        name, index, sub = m["field"], m["index"], m["sub"]
        if index is None and sub is not None:  # a field of a block: budget.unit, goals.planned…
            block = data.get(name) or {}
            block[sub] = value
            data[name] = block
        elif index is None:
            data[name] = value
        elif index == "+":
            items = value.splitlines() if name == "improvement_measures" else [" ".join(value.splitlines())]
            data[name] = [*data.get(name, []), *(i.strip() for i in items if i.strip())]
        else:
            rows = data.get(name) or []
            for i in (int(k) for k in index.split(",")):
                if i >= len(rows) or sub is None:
                    raise InputError(f"无法填写的字段“{path}”", hint="请刷新页面后重新填写")
                rows[i][sub] = value
    # validated as a loaded form is, so the messages are the loader's; the places stay the original file's
    filled = validate_data(data, SourceMap("页面填写的内容"))
    return attach_source(filled, source_of(form))
