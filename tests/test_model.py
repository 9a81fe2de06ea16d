"""The form model: Chinese aliases, printed-number parsing, validation and source maps."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from pydantic import AliasChoices, BaseModel, ValidationError

from reportgen.evaluation.model import (
    Budget,
    Contacts,
    EvaluationForm,
    FundSource,
    Goals,
    Indicator,
    SourceMap,
    attach_source,
    source_of,
    split_numbered,
    to_date,
    to_decimal,
    to_percent,
    to_text_list,
)
from reportgen.evaluation.scoring import evaluate

# --- aliases ---------------------------------------------------------------------------------------

# a value to write under each field, and what the model must hold afterwards
SAMPLES: dict[str, tuple[Any, Any]] = {
    "year": ("2020年度", 2020),
    "filled_on": ("2021年6月30日", dt.date(2021, 6, 30)),
    "budget": ({"weight": 20}, Decimal(20)),
    "goals": ({"planned": "目标"}, "目标"),
    "categories": ({"产出指标": "40"}, {"产出指标": Decimal(40)}),
    "indicators": ([{"name": "指标甲"}], "指标甲"),
    "total_score": ("98分", Decimal(98)),
    "grade": ("优秀", "优"),
    "deviation_analysis": ("1、甲。2、乙。", ["甲。", "乙。"]),
    "improvement_measures": (["措施一", ""], ["措施一"]),
    "contacts": ({"project_lead": "张三"}, "张三"),
    "unit": ("元", "元"),  # Budget.unit; EvaluationForm.unit is plain text and reads the same
    "weight": ("２０", Decimal(20)),
    "initial": ("2,440.91", Decimal("2440.91")),
    "adjusted": ("2,440.91万元", Decimal("2440.91")),
    "executed": (2440.91, Decimal("2440.91")),
    "rate": ("100.00%", Decimal(1)),
    "score": ("20", Decimal(20)),
    "sources": ([{"name": "本年财政拨款"}], "本年财政拨款"),
    "core": (True, True),
    "kind": ("部门整体", "department"),
    "tasks": ("1、甲。2、乙。", ["甲。", "乙。"]),
    "income": ([{"name": "财政拨款收入"}], "财政拨款收入"),
    "spending": ([{"name": "基本支出"}], "基本支出"),
    "coef": ("100%", Decimal(1)),
}


def _read(model: type[BaseModel], field: str, form: EvaluationForm) -> Any:
    """Return what the loaded form holds for ``model.field``, unwrapping nested blocks to one value."""
    holder: Any = {
        EvaluationForm: form,
        Budget: form.budget,
        FundSource: form.budget.sources[0] if form.budget and form.budget.sources else None,
        Goals: form.goals,
        Indicator: form.indicators[0],
        Contacts: form.contacts,
    }[model]
    value = getattr(holder, field)
    # nested blocks are compared through one value inside them
    unwrap = {
        (EvaluationForm, "budget"): lambda b: b.weight,
        (EvaluationForm, "goals"): lambda g: g.planned,
        (EvaluationForm, "indicators"): lambda i: i[0].name,
        (EvaluationForm, "contacts"): lambda c: c.project_lead,
        (Budget, "sources"): lambda s: s[0].name,
        (Budget, "income"): lambda s: s[0].name,
        (Budget, "spending"): lambda s: s[0].name,
        (EvaluationForm, "tasks"): lambda t: [x.name for x in t],
    }.get((model, field))
    return unwrap(value) if unwrap else value


def _data(model: type[BaseModel], field: str, key: str, value: Any) -> dict[str, Any]:
    """Return a minimal form that sets ``model.field`` through ``key``."""
    indicator: dict[str, Any] = {"name": "指标甲"}
    data: dict[str, Any] = {"project": "测试项目", "indicators": [indicator]}
    if model is EvaluationForm:
        data.pop(field, None)
        data[key] = value
    elif model is Indicator:
        if field == "name":
            indicator.pop("name")
        indicator[key] = value
    elif model is FundSource:
        source = {"name": "其他资金"}
        if field == "name":
            source.pop("name")
        data["budget"] = {"sources": [source | {key: value}]}
    else:
        block = {Budget: "budget", Goals: "goals", Contacts: "contacts"}[model]
        data[block] = {key: value}
    return data


def _alias_cases() -> list[Any]:
    cases = []
    for model in (EvaluationForm, Budget, FundSource, Goals, Indicator, Contacts):
        for field, info in model.model_fields.items():
            if info.exclude:  # set by the reader itself (kind_inferred), not a label a form prints
                continue
            alias = info.validation_alias
            keys = alias.choices if isinstance(alias, AliasChoices) else [field]
            for key in keys:
                assert isinstance(key, str)
                cases.append(pytest.param(model, field, key, id=f"{model.__name__}.{field}={key}"))
    return cases


@pytest.mark.parametrize(("model", "field", "key"), _alias_cases())
def test_every_alias_loads(model: type[BaseModel], field: str, key: str) -> None:
    written, expected = SAMPLES.get(field, ("某某文字", "某某文字"))
    if model is EvaluationForm and field == "unit":
        written, expected = "测试单位", "测试单位"
    form = EvaluationForm.model_validate(_data(model, field, key, written))
    assert _read(model, field, form) == expected


def test_aliases_cover_the_chinese_labels() -> None:
    cases = _alias_cases()
    chinese = [c.values[2] for c in cases if any("\u4e00" <= ch <= "\u9fff" for ch in c.values[2])]
    assert len(chinese) > 60
    for label in ("项目名称", "主管部门", "全年预算数", "全年执行数", "年度指标值", "实际完成值", "偏差原因"):
        assert label in chinese


@pytest.mark.parametrize("model", [EvaluationForm, Budget, FundSource, Goals, Indicator, Contacts])
def test_no_alias_is_shared_by_two_fields(model: type[BaseModel]) -> None:
    seen: dict[str, str] = {}
    for field, info in model.model_fields.items():
        alias = info.validation_alias
        for key in alias.choices if isinstance(alias, AliasChoices) else [field]:
            assert isinstance(key, str)
            assert seen.setdefault(key, field) == field, f"{key} names both {seen[key]} and {field}"


def test_unknown_key_is_refused() -> None:
    with pytest.raises(ValidationError) as exc:
        EvaluationForm.model_validate({"project": "p", "indicators": [{"name": "a", "权 重": 1}]})
    assert exc.value.errors()[0]["type"] == "extra_forbidden"


# --- printed values --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("2,440.91", Decimal("2440.91")),
        ("1,234,567.5", Decimal("1234567.5")),
        ("１００", Decimal(100)),
        ("２，４４０．９１", Decimal("2440.91")),
        ("98分", Decimal(98)),
        ("16.12万元", Decimal("16.12")),
        ("300元", Decimal(300)),
        (" 7 ", Decimal(7)),
        (2440.91, Decimal("2440.91")),
        (20, Decimal(20)),
        ("", None),
        ("—", None),
        ("/", None),
        ("无", None),
        (None, None),
    ],
)
def test_printed_numbers(printed: object, expected: Decimal | None) -> None:
    assert to_decimal(printed) == expected


@pytest.mark.parametrize("junk", ["很多", "nan", "Infinity", float("nan"), float("inf"), Decimal("NaN"), True])
def test_non_numbers_are_left_for_pydantic_to_refuse(junk: object) -> None:
    result = to_decimal(junk)
    assert not (isinstance(result, Decimal) and result.is_finite())
    with pytest.raises(ValidationError):
        Indicator.model_validate({"name": "a", "weight": junk})


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("100%", Decimal(1)),
        ("100.00%", Decimal(1)),
        ("70.04%", Decimal("0.7004")),
        ("１００％", Decimal(1)),
        ("1", Decimal(1)),
        (1, Decimal(1)),
        ("0.95", Decimal("0.95")),
        ("100", Decimal(1)),
        ("97.21", Decimal("0.9721")),
        ("", None),
    ],
)
def test_printed_rates_become_fractions(printed: object, expected: Decimal | None) -> None:
    assert to_percent(printed) == expected
    assert Budget.model_validate({"rate": printed}).rate == expected


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("2021年6月30日", dt.date(2021, 6, 30)),
        ("2021-06-30", dt.date(2021, 6, 30)),
        ("2021/6/30", dt.date(2021, 6, 30)),
        ("２０２１年６月３０日", dt.date(2021, 6, 30)),
        (dt.date(2021, 6, 30), dt.date(2021, 6, 30)),
        (dt.datetime(2021, 6, 30, 10, 0), dt.date(2021, 6, 30)),
        ("2021年6月", "2021年6月"),
        ("2021年2月30日", "2021年2月30日"),
        (20210630, "20210630"),
    ],
)
def test_filled_on_dates(printed: object, expected: object) -> None:
    assert to_date(printed) == expected
    form = EvaluationForm.model_validate({"project": "p", "indicators": [{"name": "a"}], "filled_on": printed})
    assert form.filled_on == expected


@pytest.mark.parametrize(
    ("printed", "year"), [("2020年度", 2020), ("2020年", 2020), ("2020", 2020), (2020, 2020), ("２０２０年度", 2020)]
)
def test_year(printed: object, year: int) -> None:
    form = EvaluationForm.model_validate({"project": "p", "indicators": [{"name": "a"}], "year": printed})
    assert form.year == year


@pytest.mark.parametrize(
    ("text", "items"),
    [
        ("1、甲。2、乙。", ["甲。", "乙。"]),
        ("1、资金使用指导需加强。 2、基础设施建设不足。", ["资金使用指导需加强。", "基础设施建设不足。"]),
        ("（1）甲；（2）乙", ["甲；", "乙"]),
        ("一是加强管理。二是完善制度。", ["加强管理。", "完善制度。"]),
        ("只有一段话，没有编号。", ["只有一段话，没有编号。"]),
        ("执行率达到1.5倍", ["执行率达到1.5倍"]),
        ("  ", []),
    ],
)
def test_numbered_text_is_split_into_items(text: str, items: list[str]) -> None:
    assert split_numbered(text) == items


def test_deviation_analysis_as_string_or_list() -> None:
    base = {"project": "p", "indicators": [{"name": "a"}]}
    as_text = EvaluationForm.model_validate(base | {"deviation_analysis": "1、设施不足。2、指导不够。"})
    as_list = EvaluationForm.model_validate(base | {"偏差大或目标未完成原因分析": ["设施不足。", "指导不够。"]})
    assert as_text.deviation_analysis == as_list.deviation_analysis == ["设施不足。", "指导不够。"]
    assert to_text_list(None) == [] and to_text_list([1, None, " x "]) == ["1", "x"]


def test_numbers_in_text_cells_stay_as_printed() -> None:
    ind = Indicator.model_validate({"name": 2020, "target": 10, "actual": 9.5, "cause": True})
    assert (ind.name, ind.target, ind.actual, ind.cause) == ("2020", "10", "9.5", "是")


# --- impossible input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"project": "p", "indicators": [{"name": "a", "weight": -1}]}, "分值不能为负数"),
        ({"project": "p", "indicators": [{"name": "a"}], "budget": {"weight": "-5"}}, "分值不能为负数"),
        ({"project": "p", "indicators": [{"name": "a"}], "budget": {"executed": -1}}, "金额不能为负数"),
        ({"project": "p", "indicators": [{"name": "  "}]}, "三级指标名称不能为空"),
        ({"project": "", "indicators": [{"name": "a"}]}, "项目名称不能为空"),
        ({"project": "p", "indicators": []}, "指标列表为空"),
        ({"project": "p", "indicators": [{"name": "a", "weight": "1e30"}]}, "超出合理范围"),
        ({"project": "p", "indicators": [{"name": "a", "score": "1e-20"}]}, "超出合理范围"),
        ({"project": "p", "indicators": [{"name": "a"}], "budget": {"unit": "美元"}}, "金额单位"),
    ],
    ids=["weight", "budget-weight", "amount", "blank-name", "blank-project", "no-indicators", "huge", "tiny", "unit"],
)
def test_impossible_values_are_refused(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError) as exc:
        EvaluationForm.model_validate(data)
    assert message in str(exc.value)


def test_indicators_are_required() -> None:
    with pytest.raises(ValidationError) as exc:
        EvaluationForm.model_validate({"project": "p"})
    assert exc.value.errors()[0]["type"] == "missing"


def test_a_form_with_neither_project_nor_department_marker_says_which_to_give() -> None:
    with pytest.raises(ValidationError) as exc:
        EvaluationForm.model_validate({"unit": "甲", "indicators": [{"name": "a"}]})
    message = str(exc.value)
    assert "项目名称" in message and "type: department" in message and "部门整体" in message


def test_negative_score_is_data_not_an_error() -> None:
    # a negative printed score is a finding (score-negative), not unreadable input
    form = EvaluationForm.model_validate({"project": "p", "indicators": [{"name": "a", "score": -1}]})
    assert form.indicators[0].score == -1


# --- source maps -----------------------------------------------------------------------------------


def test_locate_falls_back_to_parents() -> None:
    source = SourceMap("f.yaml", {"": ":1", "indicators": ":9", "indicators[2]": ":20", "indicators[2].name": ":20"})
    assert source.locate("indicators[2].name") == "f.yaml:20"
    assert source.locate("indicators[2].score") == "f.yaml:20"
    assert source.locate("indicators[5].score") == "f.yaml:9"
    assert source.locate("total_score") == "f.yaml:1"
    assert source.locate("budget.rate") == "f.yaml:1"
    assert source.locate("") == "f.yaml:1"


def test_locate_without_places_names_the_file_or_sheet() -> None:
    assert SourceMap("f.yaml").locate("total_score") == "f.yaml"
    assert SourceMap("b.xlsx", {"budget": "!Sheet1!C5"}, sheet="Sheet1").locate("year") == "b.xlsx!Sheet1"
    assert SourceMap("b.xlsx", {"budget": "!Sheet1!C5"}, sheet="Sheet1").locate("budget.rate") == "b.xlsx!Sheet1!C5"


def test_form_built_in_code_evaluates_with_anonymous_places() -> None:
    # every finding locates its path; forms built in code have no places at all
    form = EvaluationForm.model_validate({"project": "p", "indicators": [{"name": "a"}]})
    assert source_of(form).file == "<内存>"
    ev = evaluate(form)
    assert ev.findings and all(f.where == "<内存>" for f in ev.findings)


def test_attach_source_is_remembered() -> None:
    form = EvaluationForm.model_validate({"project": "p", "indicators": [{"name": "a"}]})
    source = SourceMap("x.yaml", {"": ":1"})
    assert attach_source(form, source) is form and source_of(form) is source
