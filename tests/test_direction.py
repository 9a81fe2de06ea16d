"""Direction of an indicator: operator first, checked against the name lexicon (lexicon/direction.yaml)."""

from __future__ import annotations

import pytest

from reportgen.errors import LexiconError
from reportgen.evaluation.direction import (
    DirectionReading,
    direction_of,
    load_direction_lexicon,
    name_direction,
    operator_direction,
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("预算调整率", "lower"),
        ("结转结余率", "lower"),
        ("三公经费控制率", "lower"),
        ("财政供养人员控制率", "lower"),
        ("人均培训成本", "lower"),
        ("群众投诉率", "lower"),
        ("安全事故发生率", "lower"),
        ("成本节约率", "higher"),  # the longer word wins over 成本
        ("投诉办结率", "higher"),
        ("预算执行率", "higher"),
        ("政策知晓率", "higher"),
        ("培训次数", "higher"),
        ("新建道路长度", None),
    ],
)
def test_name_direction(name: str, expected: str | None) -> None:
    assert name_direction(name) == expected


@pytest.mark.parametrize(
    ("op", "expected"),
    [("≥", "higher"), ("≧", "higher"), (">=", "higher"), ("不少于", "higher"), ("≤", "lower"), ("≦", "lower"),
     ("<=", "lower"), ("不超过", "lower"), ("控制在", "lower"), ("=", None), ("═", None), ("﹦", None), (None, None),
     ("", None)],
)
def test_operator_direction(op: str | None, expected: str | None) -> None:
    assert operator_direction(op) == expected


def test_operator_decides_and_a_contradicting_name_is_flagged() -> None:
    assert direction_of("预算调整率", "≤") == DirectionReading("lower", False)
    # a count to be reached written with a cap: the operator is what the form printed, the name disagrees
    assert direction_of("开展培训次数", "≤") == DirectionReading("lower", True)
    assert direction_of("结转结余率", "≥") == DirectionReading("higher", True)
    direction, contradiction = direction_of("政策知晓率", "≧")
    assert (direction, contradiction) == ("higher", False)


def test_without_operator_the_name_decides_else_higher() -> None:
    assert direction_of("结转结余率", None) == DirectionReading("lower", False)
    assert direction_of("结转结余率", "=") == DirectionReading("lower", False)
    assert direction_of("新建道路长度", None) == DirectionReading("higher", False)
    assert direction_of("新建道路长度", "≤") == DirectionReading("lower", False)  # the name says nothing


def test_user_lexicon_overlays_the_file(tmp_path) -> None:
    (tmp_path / "direction.yaml").write_text("lower:\n  - 道路长度\nhigher: []\n", encoding="utf-8")
    assert name_direction("新建道路长度", tmp_path) == "lower"
    assert direction_of("新建道路长度", "≥", tmp_path) == DirectionReading("higher", True)
    assert name_direction("预算调整率", tmp_path) is None  # the user's file replaces the built-in one
    # a folder without direction.yaml keeps the built-in file
    other = tmp_path / "other"
    other.mkdir()
    assert name_direction("预算调整率", other) == "lower"


def test_broken_lexicon_names_the_file(tmp_path) -> None:
    (tmp_path / "direction.yaml").write_text("lower: 控制率\n", encoding="utf-8")
    with pytest.raises(LexiconError) as err:
        load_direction_lexicon(tmp_path)
    assert "direction.yaml" in str(err.value.where)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "direction.yaml").write_text("lower: [a\n", encoding="utf-8")
    with pytest.raises(LexiconError) as err:
        load_direction_lexicon(bad)
    assert "direction.yaml:" in str(err.value.where)


def test_validate_reports_the_contradiction() -> None:
    from reportgen.evaluation.model import EvaluationForm
    from reportgen.evaluation.scoring import evaluate

    form = EvaluationForm.model_validate(
        {
            "project": "测试项目",
            "indicators": [
                {"name": "开展培训次数", "target": "≤4次", "actual": "4次", "weight": 50, "score": 50},
                {"name": "结转结余率", "target": "≤5%", "actual": "3%", "weight": 50, "score": 50},
            ],
        }
    )
    hits = [f for f in evaluate(form).findings if f.code == "direction-contradiction"]
    assert [f.path for f in hits] == ["indicators[0].target"]
    assert "越低越好" in hits[0].message and "“≤4次”" in hits[0].message


def test_a_verdict_on_a_contradicted_symbol_is_said_as_the_printed_symbols_and_noted(tmp_path) -> None:
    import yaml

    import reportgen

    form = {
        "year": 2022, "unit": "某县卫健委", "project": "医疗服务提升",
        "budget": {"weight": 10, "adjusted": 100, "executed": 100, "score": 10},
        "indicators": [
            {"level1": "产出指标", "level2": "数量指标", "name": "诊疗人次", "weight": 60, "target": "≥1000人次",
             "actual": "1200人次", "score": 60},
            # ≥5% for a complaint rate: most likely a ≤ typed as ≥; 3% is "short" only by the printed symbol
            {"level1": "效益指标", "level2": "社会效益指标", "name": "患者投诉率", "weight": 30, "target": "≥5%",
             "actual": "3%", "score": 30},
        ],
        "total_score": 100,
    }
    path = tmp_path / "表.yaml"
    path.write_text(yaml.safe_dump(form, allow_unicode=True), encoding="utf-8")
    md = reportgen.render(path).markdown
    said = [line for line in md.splitlines() if "患者投诉率" in line and "3%" in line and not line.startswith("|")]
    assert said and all("按所印比较符号未达到年度目标" in line for line in said)
    assert "“患者投诉率”目标值的比较符号（≥ 或 ≤）与指标名称所示的方向相反，本报告按自评表所印的比较符号判断完成情况" in md
    assert "按所印比较符号" not in md.split("诊疗人次")[1].split("。")[0]  # an uncontested verdict is plain


def test_a_contested_range_actual_leaves_no_dangling_clause(tmp_path) -> None:
    import yaml

    import reportgen

    form = {
        "year": 2022, "unit": "某县卫健委", "project": "基层卫生服务",
        "indicators": [
            {"level1": "产出指标", "level2": "质量指标", "name": "差错率", "weight": 100, "target": "≥5%",
             "actual": "6%~8%", "score": 100},
        ],
        "total_score": 100,
    }
    path = tmp_path / "表.yaml"
    path.write_text(yaml.safe_dump(form, allow_unicode=True), encoding="utf-8")
    md = reportgen.render(path).markdown
    assert "按所印比较符号，" not in md and "按所印比较符号。" not in md
