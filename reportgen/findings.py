"""Findings: every inconsistency or gap in a form, with a stable code, severity and place.

Codes are part of the interface (users filter on them, the checker and batch index list
them), so they never change meaning; new ones are added at the end of ``CODES``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning", "info"]

SEVERITY_LABEL: dict[str, str] = {"error": "错误", "warning": "警告", "info": "提示"}

# code -> (severity, short Chinese title)
CODES: dict[str, tuple[Severity, str]] = {
    "weight-sum": ("warning", "分值合计不等于100"),
    "total-mismatch": ("error", "总分与各项得分之和不符"),
    "subtotal-mismatch": ("warning", "分类分值与所含指标分值之和不符"),
    "subtotal-unknown": ("info", "分类分值找不到对应指标"),
    "score-over-weight": ("error", "得分超过分值"),
    "score-negative": ("error", "得分为负数"),
    "over-executed": ("warning", "执行数超过预算数"),
    "rate-mismatch": ("warning", "填报的执行率与计算值不符"),
    "budget-score-mismatch": ("warning", "填报的预算执行得分与计算值不符"),
    "score-mismatch": ("info", "填报得分与按公式计算的得分不同"),
    "deduction-no-cause": ("warning", "扣分指标缺少偏差原因"),
    "deducted-but-met": ("warning", "目标已完成却被扣分"),
    "missed-no-deduction": ("warning", "目标未完成却未扣分"),
    "exceeded-far": ("warning", "大幅超额完成且未作说明"),
    "actual-copies-target": ("warning", "实际完成值照抄目标值（含比较符号）"),
    "category-suspect": ("warning", "指标名称与所属类别不一致"),
    "duplicate-name": ("warning", "指标名称重复"),
    "weight-missing": ("warning", "未填分值"),
    "target-missing": ("warning", "未填目标值"),
    "actual-missing": ("warning", "未填实际完成值"),
    "score-missing": ("warning", "未填得分且无法自动计算"),
    "score-computed": ("info", "未填得分，已按公式计算"),
    "placeholder": ("warning", "模板占位内容未替换"),
    "instruction-text": ("warning", "单元格中残留填表说明"),
    "no-budget": ("warning", "缺少预算执行情况"),
    "budget-incomplete": ("warning", "预算执行数据不全"),
    "grade-mismatch": ("warning", "填报等级与总分不符"),
    "total-computed": ("info", "未填总分，已按各项得分合计"),
    "field-missing": ("warning", "基本信息缺项"),
    "budget-under-executed": ("warning", "预算执行率偏低"),
    # department-wide forms and forms without indicator rows (issue 14)
    "no-indicators": ("warning", "没有绩效指标行"),
    "task-no-result": ("warning", "年度工作任务缺少完成情况"),
    "coef-mismatch": ("warning", "指标得分与权重×得分系数不符"),
    "core-shortfall": ("warning", "核心指标未达目标"),
    "direction-contradiction": ("warning", "比较符号与指标名称的方向相反"),
    "budget-total-zero": ("warning", "资金总额行为0而资金来源行有金额"),
    "implementer-missing": ("warning", "未填项目实施单位"),
    "goal-hollow": ("warning", "年度目标只有项目名称、编号或标题"),
    "name-cut-off": ("warning", "指标名称不完整"),
    "unit-from-implementer": ("info", "未填单位名称，已取项目实施单位"),
    "control-characters": ("warning", "文字中的控制字符已清除"),
    "bidi-control": ("warning", "文字中含双向排版控制字符"),
    "unit-converted": ("warning", "金额单位与表内单位不同，已换算"),
}


@dataclass(frozen=True)
class Finding:
    """One inconsistency or gap, where it is, and what it means."""

    code: str
    message: str
    path: str = ""
    where: str = ""
    severity: Severity = "warning"

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
    """Build a finding with the code's registered severity."""
    severity, _ = CODES[code]
    return Finding(code=code, message=message, path=path, where=where, severity=severity)
