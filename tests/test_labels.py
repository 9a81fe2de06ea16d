"""One vocabulary (lexicon/labels.yaml): YAML, the grid reader, the blank workbook and the value parser agree."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import AliasChoices, BaseModel

from reportgen.evaluation import vocabulary
from reportgen.evaluation.direction import operator_direction
from reportgen.evaluation.model import Budget, Contacts, EvaluationForm, FundSource, Goals, Indicator, Task
from reportgen.evaluation.values import _copies_operator, parse_value
from reportgen.loaders import reader
from reportgen.loaders.grid import label_key

# part of labels.yaml -> the models that accept its labels in YAML, and what the reader matches them with
_MODELS: dict[str, tuple[type[BaseModel], ...]] = {
    "form": (EvaluationForm,),
    "contacts": (Contacts,),
    "budget": (Budget, FundSource),
    "goals": (Goals,),
    "indicator": (Indicator,),
    "task": (Task,),
}
_GOALS = {"planned": reader._GOAL_PLANNED, "revised": reader._GOAL_ADJUSTED, "achieved": reader._GOAL_ACHIEVED}


def _yaml_keys(model: type[BaseModel], name: str) -> set[str]:
    alias = model.model_fields[name].validation_alias
    assert isinstance(alias, AliasChoices), f"{model.__name__}.{name} has no aliases"
    return {c for c in alias.choices if isinstance(c, str)}


def _grid_labels(part: str, name: str) -> set[str]:
    """The label cores the reader maps to this field."""
    if part == "goals":
        return set(_GOALS[name])
    table, role = {
        "form": (reader.FIELD_LABELS, name),
        "contacts": (reader.FIELD_LABELS, f"contacts.{name}"),
        "budget": (reader._BUDGET_COLUMNS, name),
        "indicator": (reader._INDICATOR_COLUMNS, "op" if name == "nature" else name),
        "task": (reader._TASK_COLUMNS, name),
    }[part]
    return {label for label, field in table.items() if field == role}


_FIELDS = [(part, name) for part in _MODELS for name in vocabulary.fields(part)]


@pytest.mark.parametrize(("part", "name"), _FIELDS, ids=[f"{p}.{n}" for p, n in _FIELDS])
def test_a_label_a_workbook_accepts_is_a_yaml_key_and_back(part: str, name: str) -> None:
    grid = _grid_labels(part, name)
    assert grid, f"the reader does not look for {part}.{name}"
    for model in _MODELS[part]:
        if name not in model.model_fields:
            continue  # FundSource rows have no weight, rate or score
        keys = _yaml_keys(model, name) - {name} - set(vocabulary.yaml_only(part, name))
        # YAML takes the printed spelling (预算数(A)) and its core (预算数); a grid matches the core
        assert {label_key(k) for k in keys} == grid, f"{model.__name__}.{name}"
        assert grid <= keys, f"{model.__name__}.{name}: a label's core is not a YAML key"


def test_every_field_of_the_models_is_in_the_vocabulary() -> None:
    """A field with Chinese keys takes them from labels.yaml, never from a list of its own."""
    known = {(part, name) for part, name in _FIELDS}
    for part, models in _MODELS.items():
        for model in models:
            for name in model.model_fields:
                if name == "kind_inferred":
                    continue
                keys = _yaml_keys(model, name)
                # a fund row's name (本年财政拨款, 上年结转 …) has keys of its own
                where = "fund_source" if model is FundSource and name == "name" else part
                expected = set(vocabulary.yaml_keys(where, name))
                if name in ("budget", "goals", "indicators", "tasks") and model is EvaluationForm:
                    expected = set(vocabulary.block_keys(name))
                assert keys == expected, f"{model.__name__}.{name}"
                assert (part, name) in known or vocabulary.yaml_only(where, name) or name in (
                    "budget", "goals", "indicators", "tasks"
                ), f"{model.__name__}.{name} has no labels"


@pytest.mark.parametrize(("label", "field", "value"), [
    ("综合得分", "total_score", Decimal("91.5")),
    ("整改措施", "improvement_measures", ["完善项目管理"]),
    ("填表日期", "filled_on", "2021年3月"),
    ("存在的问题", "deviation_analysis", ["进度偏慢"]),
    ("其他说明", "other_notes", "无"),
])
def test_labels_once_refused_in_yaml_are_read(label: str, field: str, value: object) -> None:
    raw = value[0] if isinstance(value, list) else value
    form = EvaluationForm.model_validate({"项目名称": "示例项目", "指标": [{"指标": "培训人数"}], label: raw})
    assert getattr(form, field) == value


def test_the_blank_workbook_prints_the_first_label_and_known_levels() -> None:
    from reportgen.loaders.xlsx_template import DEFAULT_LEVELS, build_workbook

    ws = build_workbook()["自评表"]
    printed = {str(c.value) for row in ws.iter_rows() for c in row if c.value is not None}
    for part, name in (("form", "project"), ("form", "grade"), ("budget", "adjusted"), ("indicator", "cause")):
        assert vocabulary.label(part, name) in printed
    for level1, _, level2s in DEFAULT_LEVELS:
        assert set(level2s) <= set(vocabulary.levels()[level1])


_WORDS = [*vocabulary.comparator_words(), *vocabulary.comparator_symbols()]
_DIRECTION = {">=": "higher", ">": "higher", "<=": "lower", "<": "lower", "=": None}


@pytest.mark.parametrize(("word", "op"), _WORDS, ids=[w for w, _ in _WORDS])
def test_every_comparator_is_read_the_same_by_values_scoring_and_the_reader(word: str, op: str) -> None:
    value = parse_value(f"{word}5次")
    assert value.op == op
    # scoring judges an indicator in the direction its target's operator states
    assert operator_direction(word) == _DIRECTION[op]
    # the reader joins no 指标性质 operator to a value that prints its own
    assert reader._join_target("≥", f"{word}5", "次") == f"{word}5次"
    # status: an actual printed with a target-only comparator copies the target
    target_only = word in vocabulary.target_only_words() or (word in dict(vocabulary.comparator_symbols()) and op != "=")
    assert _copies_operator(value) == target_only


def test_grade_spellings_are_one_for_the_model_and_the_checker() -> None:
    from reportgen.checking import facts

    for spelling, grade in vocabulary.grade_spellings().items():
        form = EvaluationForm.model_validate({"项目名称": "示例", "指标": [{"指标": "x"}], "自评等级": spelling})
        assert form.grade == grade
        assert facts._GRADE.search(f"自评等级为“{spelling}”")
        assert spelling in reader._GRADES
