"""Findings: every inconsistency or gap in a form, with a stable code, severity and place.

Codes are part of the interface (users filter on them, the checker and batch index list
them), so they never change meaning; new ones are added at the end of ``CODES``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

Severity = Literal["error", "warning", "info"]

SEVERITY_LABEL: dict[str, str] = {"error": "错误", "warning": "警告", "info": "提示"}


class Code(NamedTuple):
    """A finding code: its severity, its short title and the sentence(s) that say it.

    ``message`` is a ``str.format`` template with named parameters, or ``{variant: template}`` when a code
    is said in more than one way; scoring supplies the parameters (figures already formatted, names as
    printed) and never builds the sentence. A parameter given as None prints as ``（空）``.
    """

    severity: Severity
    title: str
    message: str | Mapping[str, str] = "{message}"


_SHOWN = "目标值{target}，实际完成值{actual}"

CODES: dict[str, Code] = {
    "weight-sum": Code("warning", "分值合计不等于100", {
        "": "各项分值合计{total}分（含预算执行{budget}分），不等于{expected}分",
        "no-budget-weight": "各项指标分值合计{total}分（预算执行未填分值），不等于{expected}分",
    }),
    "total-mismatch": Code("error", "总分与各项得分之和不符", {
        "": "填报总分{total}分，各项得分合计{computed}分",
        "budget-left-out": "填报总分{total}分，各项得分合计{computed}分；填报总分似乎未计入预算执行得分",
    }),
    "total-over-reachable": Code(
        "error", "总分超过各项可得的最高分",
        "填报总分{total}分，已填得分合计{partial}分，未填得分的各项分值合计{open}分，各项最多可得{reachable}分",
    ),
    "subtotal-mismatch": Code(
        "warning", "分类分值与所含指标分值之和不符", "“{name}”标注{printed}分，所含指标分值合计{summed}分"
    ),
    "subtotal-unknown": Code("info", "分类分值找不到对应指标", "分类“{name}”（{printed}分）下没有任何指标"),
    "score-over-weight": Code("error", "得分超过分值", {
        "budget": "预算执行得分{score}超过分值{weight}",
        "indicator": "指标“{name}”得分{score}超过分值{weight}",
    }),
    "score-negative": Code("error", "得分为负数", "指标“{name}”得分为负数（{score}）"),
    "over-executed": Code(
        "warning", "执行数超过预算数",
        "执行数{executed}超过预算数{base}（执行率{rate}），请核实是否有预算调整未填报",
    ),
    "rate-mismatch": Code(
        "warning", "填报的执行率与计算值不符", "填报执行率{printed}，按执行数÷预算数计算为{computed}"
    ),
    "budget-score-mismatch": Code(
        "warning", "填报的预算执行得分与计算值不符", "填报预算执行得分{printed}分，按分值×执行率计算为{computed}分"
    ),
    "score-mismatch": Code(
        "info", "填报得分与按公式计算的得分不同", "指标“{name}”填报得分{printed}分，按完成比例计算为{computed}分"
    ),
    "deduction-no-cause": Code(
        "warning", "扣分指标缺少偏差原因",
        "指标“{name}”扣{lost}分（" + _SHOWN + "），但未填写偏差原因；报告中将留出【待补充】",
    ),
    "deducted-but-met": Code(
        "warning", "目标已完成却被扣分", "指标“{name}”" + _SHOWN + "，已达到目标，却扣{lost}分，请说明扣分理由"
    ),
    "missed-no-deduction": Code("warning", "目标未完成却未扣分", {
        "": "指标“{name}”" + _SHOWN + "，完成率{ratio}，未达目标却得满分，请核实评分或说明理由",
        "no-ratio": "指标“{name}”" + _SHOWN + "，未达目标却得满分，请核实评分或说明理由",
    }),
    "share-over-100": Code(
        "warning", "比例类指标的实际完成值超过100%",
        "指标“{name}”" + _SHOWN + "，该类比例不会超过100%，疑为填报或识别错误，报告未作完成程度比较；请核实",
    ),
    "exceeded-far": Code(
        "warning", "大幅超额完成且未作说明",
        "指标“{name}”" + _SHOWN + "，完成率{ratio}，大幅超额完成；财预〔2020〕10号要求分析原因（如年初目标值设定偏低）",
    ),
    "actual-copies-target": Code(
        "warning", "实际完成值照抄目标值（含比较符号）",
        "指标“{name}”的实际完成值“{actual}”照抄了目标值“{target}”（带比较符号），不是实际完成的数值；请填写实际数值",
    ),
    "category-suspect": Code(
        "warning", "指标名称与所属类别不一致", "指标“{name}”名称看似{suggested}，却填在“{filed}”下，请核实指标归类"
    ),
    "duplicate-name": Code("warning", "指标名称重复", "指标名称“{name}”出现{count}次，请核实是否重复填报"),
    "weight-missing": Code("warning", "未填分值", "指标“{name}”未填分值"),
    "target-missing": Code("warning", "未填目标值", "指标“{name}”未填年度目标值"),
    "actual-missing": Code("warning", "未填实际完成值", "指标“{name}”未填实际完成值"),
    "score-missing": Code(
        "warning", "未填得分且无法自动计算",
        "指标“{name}”未填得分，且实际完成值“{actual}”无法自动评分，"
        "请按10号文定性分档人工打分（达成100%–80%、部分达成80%–60%、未达成60%–0%）",
    ),
    "score-computed": Code("info", "未填得分，已按公式计算", "指标“{name}”未填得分，按公式计算为{score}分"),
    "placeholder": Code(
        "warning", "模板占位内容未替换", "指标“{name}”含模板占位内容（如“指标1:”“≥**”），请替换为实际内容"
    ),
    "instruction-text": Code("warning", "单元格中残留填表说明", {
        "indicator": "指标“{name}”的{key}单元格残留填表说明：“{text}”",
        "field": "{label}中残留填表说明“{text}”，已不作为内容使用；请填写实际内容",
    }),
    "no-budget": Code(
        "warning", "缺少预算执行情况", "自评表未填写预算执行情况（预算数、执行数），报告将无法说明资金执行"
    ),
    "budget-incomplete": Code("warning", "预算执行数据不全", {
        "no-base": "预算执行情况缺少预算数，无法计算执行率",
        "no-executed": "预算执行情况缺少执行数，无法计算执行率",
        "zero-base": "预算数为0，无法计算执行率",
    }),
    "grade-mismatch": Code("warning", "填报等级与总分不符", "填报等级“{grade}”，按总分{total}分应为“{computed}”"),
    "total-computed": Code("info", "未填总分，已按各项得分合计", "未填总分，按各项得分合计为{computed}分"),
    "field-missing": Code("warning", "基本信息缺项", "未填{label}，报告中将留出【待补充】"),
    "budget-under-executed": Code(
        "warning", "预算执行率偏低", "预算执行率{rate}，低于{threshold}，报告需说明原因"
    ),
    # department-wide forms and forms without indicator rows (issue 14)
    "form-unfilled": Code(
        "error", "自评表尚未填写", "{count}项绩效指标都没有实际完成值和得分：这是一张尚未填写的表，无法撰写自评报告（render 会拒绝）"
    ),
    "no-indicators": Code(
        "warning", "没有绩效指标行", "自评表没有绩效指标行，报告将按预算执行和总分撰写，指标完成情况留出【待补充】"
    ),
    "task-no-result": Code("warning", "年度工作任务缺少完成情况", {
        "": "年度工作任务“{name}”没有填报完成情况，报告中将留出【待补充】",
        "unpaired": "年度工作任务“{name}”找不到逐项对应的完成情况（填报的完成情况中有{count}条未能与任务对应，"
        "报告照录），报告中将留出【待补充】，请按任务逐项填写",
    }),
    "coef-mismatch": Code(
        "warning", "指标得分与权重×得分系数不符",
        "指标“{name}”填报得分{printed}分，按权重{weight}×得分系数{coef}计算为{computed}分",
    ),
    "core-shortfall": Code(
        "warning", "核心指标未达目标", "核心指标“{name}”未达目标（" + _SHOWN + "），报告将重点说明原因"
    ),
    "direction-contradiction": Code("warning", "比较符号与指标名称的方向相反", {
        "lower": "指标“{name}”的目标值“{target}”的比较符号表示越低越好，而指标名称表示越高越好；"
        "报告按自评表印的符号评价，请核实比较符号",
        "higher": "指标“{name}”的目标值“{target}”的比较符号表示越高越好，而指标名称表示越低越好；"
        "报告按自评表印的符号评价，请核实比较符号",
    }),
    "level1-from-level2": Code(
        "info", "一级指标未填写，按二级指标归类",
        "{count}项指标未印一级指标名称（如“{name}”），已按其二级指标归入相应的一级指标（如“{level2}”归入“{level1}”）",
    ),
    "sources-mismatch": Code(
        "warning", "资金来源各行合计与资金总额不符",
        "{group}各行的{column}合计{summed}，与年度资金总额的{column}{total}不符；报告按年度资金总额叙述，请核实",
    ),
    "budget-total-zero": Code("warning", "资金总额行为0而资金来源行有金额", {
        "row": "“年度资金总额”行各项金额均为0，而资金来源行有金额；报告按“{row}”行叙述（全年预算数{base}，"
        "全年执行数{executed}，执行率按该行计算）。请核实资金总额行和预算执行得分",
        "row-scored": "“年度资金总额”行各项金额均为0，预算执行得分{score}分，而资金来源行有金额；报告按“{row}”行叙述"
        "（全年预算数{base}，全年执行数{executed}，执行率按该行计算）。请核实资金总额行和预算执行得分",
        "rows": "“年度资金总额”行各项金额均为0，而资金来源行有金额；多个资金来源行有金额，报告不代为合计。"
        "请核实资金总额行和预算执行得分",
        "rows-scored": "“年度资金总额”行各项金额均为0，预算执行得分{score}分，而资金来源行有金额；"
        "多个资金来源行有金额，报告不代为合计。请核实资金总额行和预算执行得分",
    }),
    "implementer-missing": Code("warning", "未填项目实施单位", {
        "": "自评表未填写项目实施单位或填报单位，报告中将留出【待补充】",
        "department": "自评表未填写项目实施单位或填报单位（仅填写了主管部门“{department}”，报告不把主管部门当作实施单位），"
        "报告中将留出【待补充】",
    }),
    "goal-hollow": Code(
        "warning", "年度目标只有项目名称、编号或标题",
        "年度目标“{goal}”只是项目名称、编号或表格标题，不是绩效目标；请填写实际的年度总体目标",
    ),
    "name-cut-off": Code(
        "warning", "指标名称不完整", "指标名称“{name}”看似不完整（被截断），报告中标注【待核实】，请补全名称"
    ),
    "unit-from-implementer": Code(
        "info", "未填单位名称，已取项目实施单位", "自评表未填单位名称，报告以项目实施单位“{implementer}”作为填报单位，请核实"
    ),
    # said by the reader, which words its own notes (control characters removed, an amount converted)
    "control-characters": Code("warning", "文字中的控制字符已清除"),
    "bidi-control": Code("warning", "文字中含双向排版控制字符"),
    "unit-converted": Code("warning", "金额单位与表内单位不同，已换算"),
}


@dataclass(frozen=True)
class Finding:
    """One inconsistency or gap, where it is, and what it means."""

    code: str
    message: str
    path: str = ""
    where: str = ""
    severity: Severity = "warning"
    #: which way the code is said (a key of a ``CODES`` message mapping, "" for the plain one) and the
    #: parameters it was said with: code reading a finding asks these, never the sentence (which may be reworded)
    variant: str = ""
    params: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def title(self) -> str:
        return CODES[self.code][1]

    def to_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "severity": self.severity,
            "title": self.title,
            "message": self.message,
            "path": self.path,
            "where": self.where,
        }


def make(code: str, message: str, path: str = "", where: str = "") -> Finding:
    """Build a finding with the code's registered severity and a message already worded (a reader's note)."""
    severity = CODES[code].severity
    return Finding(code=code, message=message, path=path, where=where, severity=severity)


def message(code: str, variant: str = "", /, **params: Any) -> str:
    """Say finding ``code`` in its ``variant`` with ``params`` (None prints as （空）)."""
    template = CODES[code].message
    text = template[variant] if isinstance(template, Mapping) else template
    return text.format_map({key: "（空）" if value is None else value for key, value in params.items()})


def found(code: str, path: str = "", where: str = "", variant: str = "", /, **params: Any) -> Finding:
    """Build a finding of ``code`` from its parameters: the sentence is the code's, in ``CODES``."""
    return Finding(code=code, message=message(code, variant, **params), path=path, where=where,
                   severity=CODES[code].severity, variant=variant, params=params)


def variants(code: str) -> tuple[str, ...]:
    """Return the ways a code is said (``("",)`` for a code with one sentence), for tests and listings."""
    template = CODES[code].message
    return tuple(template) if isinstance(template, Mapping) else ("",)
