"""The annual tasks of a department-wide form, planned against reported: ``task_results(form)``.

A 部门整体支出绩效自评表 states its goal as a numbered list of annual tasks (年度主要工作任务) and
the year's results as text. Tasks given as a table (``tasks:``) carry their own results; tasks
read from the goal text are paired with the numbered items of the achievement text — by
position when both lists are as long, otherwise by shared wording — and a task nothing
reports on is kept with no result, so the report names it and leaves a 【待补充】.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from reportgen.defaults import TASK_PAIRING_OVERLAP
from reportgen.evaluation.model import EvaluationForm, split_numbered
from reportgen.evaluation.similarity import text_overlap

#: a reported item shares at least this much wording with a planned task to count as its result

ResultSource = Literal["task", "goals", "none"]


@dataclass(frozen=True)
class TaskResult:
    """One annual task: its name, what was planned, and what the form reports (None: nothing)."""

    index: int
    name: str
    planned: str | None
    result: str | None
    source: ResultSource  # "task": the task's own result cell; "goals": an item of the achievement text
    path: str  # the field the task was read from, for findings

    @property
    def reported(self) -> bool:
        return self.result is not None


def task_results(form: EvaluationForm) -> list[TaskResult]:
    """Return the form's annual tasks with their reported results (only department-wide forms have them)."""
    if not form.is_department:
        return []
    if form.tasks:
        return [
            TaskResult(i, t.name, t.planned, t.result, "task" if t.result else "none", f"tasks[{i}]")
            for i, t in enumerate(form.tasks)
        ]
    goals = form.goals
    plan_text = (goals.revised or goals.planned) if goals else None
    if not plan_text:
        return []
    field = "goals.revised" if goals and goals.revised else "goals.planned"
    planned = split_numbered(plan_text)
    reported = split_numbered(goals.achieved) if goals and goals.achieved else []
    pairs = _pair(planned, reported)
    return [
        TaskResult(i, task, None, result, "goals" if result else "none", field)
        for i, (task, result) in enumerate(zip(planned, pairs, strict=True))
    ]


def unpaired_results(form: EvaluationForm, tasks: list[TaskResult]) -> list[str]:
    """The numbered items of the achievement text that no task took as its result (kept, never dropped)."""
    goals = form.goals
    if form.tasks or not tasks or goals is None or not goals.achieved:
        return []
    taken = {t.result for t in tasks if t.source == "goals"}
    reported = split_numbered(goals.achieved)
    if len(tasks) == 1 and reported:
        return []  # one task: the whole report is its result
    return [item for item in reported if item not in taken]


def _pair(planned: list[str], reported: list[str]) -> list[str | None]:
    """The reported item for each planned task: same position when the lists match, else best shared wording."""
    if len(planned) == len(reported):
        return list(reported)
    if len(planned) == 1 and reported:
        return ["；".join(reported) if len(reported) > 1 else reported[0]]  # one task: the whole report is its result
    taken: set[int] = set()
    out: list[str | None] = []
    for task in planned:
        best, best_score = None, TASK_PAIRING_OVERLAP
        for j, item in enumerate(reported):
            score = text_overlap(task, item)
            if j not in taken and score >= best_score:
                best, best_score = j, score
        if best is not None:
            taken.add(best)
        out.append(reported[best] if best is not None else None)
    return out
