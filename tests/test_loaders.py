"""Loading YAML and JSON forms: same model either way, real line numbers, readable refusals, robustness."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import DATA, EXAMPLES, SEED_EXAMPLE, example_paths

import reportgen.loaders as loaders_module
from reportgen.errors import InputError, ReportgenError
from reportgen.evaluation.model import EvaluationForm, SourceMap, source_of
from reportgen.evaluation.scoring import evaluate
from reportgen.loaders import load, load_all, register_loader, supported_suffixes
from reportgen.loaders import structured as structured_module
from reportgen.loaders.structured import validate_data

BROKEN = DATA / "broken"
MINIMAL = "project: 测试项目\nindicators:\n  - name: 培训场次\n    weight: 10\n"


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def seed_data() -> dict[str, Any]:
    return yaml.safe_load(SEED_EXAMPLE.read_text(encoding="utf-8"))


def as_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)


# --- loading ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", example_paths(), ids=lambda p: p.stem)
def test_examples_load_and_evaluate(path: Path) -> None:
    form = load(path)
    assert (form.project or form.is_department) and form.indicators
    assert evaluate(form).total is not None


def test_seed_is_transcribed() -> None:
    form = load(SEED_EXAMPLE)
    assert (form.year, form.project, form.department) == (2020, "社会保障专项", "花山街道办事处")
    assert str(form.filled_on) == "2021-06-30"
    assert form.budget is not None and str(form.budget.adjusted) == "2440.91"
    assert len(form.indicators) == 27 and len(form.deviation_analysis) == 2


def test_yaml_and_json_give_the_same_model(tmp_path: Path) -> None:
    json_path = write(tmp_path, "seed.json", as_json(seed_data()))
    assert load(json_path).model_dump() == load(SEED_EXAMPLE).model_dump()


def test_tab_indented_json_loads(tmp_path: Path) -> None:
    text = json.dumps(seed_data(), ensure_ascii=False, indent="\t", default=str)
    assert "\n\t" in text
    assert load(write(tmp_path, "tabs.json", text)).model_dump() == load(SEED_EXAMPLE).model_dump()


def test_json_findings_name_json_lines(tmp_path: Path) -> None:
    data = {
        "project": "测试",
        "indicators": [{"name": "甲", "weight": 10, "target": "≥2次", "actual": "1次", "score": 5}],
    }
    text = json.dumps(data, ensure_ascii=False, indent=2)
    path = write(tmp_path, "form.json", text)
    ev = evaluate(load(path))
    (finding,) = [f for f in ev.findings if f.code == "deduction-no-cause"]
    assert finding.where == f"{path}:4"  # the line of the indicator's opening brace


def test_json_keeps_its_own_reading_of_values(tmp_path: Path) -> None:
    text = '{"project": "A\\/B \\ud83d\\ude00", "indicators": [{"name": "甲", "weight": 1e1}]}'
    form = load(write(tmp_path, "escapes.json", text))
    assert form.project == "A/B 😀" and form.indicators[0].weight == 10


def test_json_duplicate_keys_are_refused_with_their_line(tmp_path: Path) -> None:
    text = '{\n  "project": "甲",\n  "project": "乙",\n  "indicators": [{"name": "a"}]\n}\n'
    with pytest.raises(InputError) as exc:
        load(write(tmp_path, "dup.json", text))
    assert exc.value.where == f"{tmp_path / 'dup.json'}:3" and "重复的键“project”" in str(exc.value)


def test_yaml_duplicate_keys_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "dup.yaml", MINIMAL + "    weight: 20\n")
    with pytest.raises(InputError) as exc:
        load(path)
    assert exc.value.where == f"{path}:5"


def test_chinese_keyed_file_loads_with_canonical_places(tmp_path: Path) -> None:
    text = "项目名称: 测试项目\n项目资金:\n  预算数: 100\n  执行数: 100\n绩效指标:\n  - 三级指标: 甲\n    得分: 5\n"
    path = write(tmp_path, "zh.yaml", text)
    form = load(path)
    source = source_of(form)
    assert source.locate("budget.executed") == f"{path}:4"
    assert source.locate("indicators[0].score") == f"{path}:7"
    assert source.locate("indicators[0].weight") == f"{path}:6"
    assert source.locate("budget") == f"{path}:2"


def test_block_fields_are_located_at_their_key(tmp_path: Path) -> None:
    path = write(tmp_path, "f.yaml", "# 注释\n\nproject: 甲\nbudget:\n  weight: 10\nindicators:\n  - name: a\n")
    source = source_of(load(path))
    assert source.locate("budget") == f"{path}:4"
    assert source.locate("indicators") == f"{path}:6"
    assert source.locate("indicators[0]") == f"{path}:7"
    assert source.locate("total_score") == f"{path}:3"  # absent: the document's first key


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    assert load(write(tmp_path, "bom.yaml", "\ufeff".encode() + MINIMAL.encode())).project == "测试项目"


def test_yml_suffix_and_upper_case(tmp_path: Path) -> None:
    assert load(write(tmp_path, "F.YML", MINIMAL)).project == "测试项目"


def test_load_all_returns_a_list(tmp_path: Path) -> None:
    forms = load_all(write(tmp_path, "f.yaml", MINIMAL))
    assert [f.project for f in forms] == ["测试项目"]


def test_registered_loader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loaders_module, "_FORMATS", dict(loaders_module._FORMATS))
    two = [EvaluationForm.model_validate({"project": p, "indicators": [{"name": "a"}]}) for p in ("甲", "乙")]
    register_loader(".Pair", lambda path: two)
    register_loader(".none", lambda path: [])
    assert ".pair" in supported_suffixes()
    path = write(tmp_path, "x.pair", "")
    assert [f.project for f in load_all(path)] == ["甲", "乙"]
    with pytest.raises(InputError, match="2 个项目"):
        load(path)
    with pytest.raises(InputError, match="没有找到自评表"):
        load(write(tmp_path, "x.none", ""))


# --- refusals --------------------------------------------------------------------------------------

REFUSALS = [
    ("empty.yaml", "文件为空", ""),
    ("syntax.yaml", "引号或括号没有闭合", ":6:1"),
    ("text-number.yaml", "indicators[0].weight：应为数字（实际为“很多”）", ":4"),
    ("negative-weight.yaml", "indicators[1].weight：分值不能为负数", ":6"),
    ("no-indicator-name.yaml", "indicators[1].name：缺少必填字段", ":5"),
    ("no-project.yaml", "project：缺少项目名称，也没有部门整体支出的标记", ":1"),
    ("no-indicators.yaml", "indicators：缺少必填字段", ":1"),
    ("syntax.json", "JSON 语法错误", ":4:35"),
    ("gbk.yaml", "不是 UTF-8 编码", ":3"),
    ("list-of-text.yaml", "第1个自评表：应为键值表（项目名称、指标等字段），实际为单个值", ":1"),
    ("empty-list.yaml", "文件是一个空列表，没有自评表", ":2"),
    ("form.toml", "不支持的文件类型“.toml”", ""),
    ("bad-date.yaml", "无法识别的值“2021-13-45”", ":2"),
]


@pytest.mark.parametrize(("name", "message", "line"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_broken_inputs_are_refused_with_their_place(name: str, message: str, line: str) -> None:
    path = BROKEN / name
    with pytest.raises(InputError) as exc:
        load(path)
    text = str(exc.value)
    assert message in text
    assert f"{path}{line}" in text
    assert "\n" not in text


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="文件不存在"):
        load(tmp_path / "nope.yaml")


def test_directory_is_not_a_form(tmp_path: Path) -> None:
    (tmp_path / "d.yaml").mkdir()
    with pytest.raises(InputError, match="文件夹"):
        load(tmp_path / "d.yaml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("project: 甲\nstatus: !secret x\nindicators:\n  - name: a\n", "不支持的 YAML 标记“!secret”"),
        ("a: &a [*a]\n", "引用了自身"),
        ("project: 甲\nindicators:\n  - name: a\n---\nproject: 乙\n", "第2个自评表：自评表数据有误：.*odd.yaml:5 字段 indicators"),
        ("project: 甲: 乙\n", "此处不能出现冒号"),
        ("project: 甲\nindicators:\n\t- name: a\n", "不能开始一个值的字符"),
        ("project: 甲\nindicators: *nothing\n", "未定义的别名"),
        ("   \n\n", "文件为空"),
        ("# 只有注释\n", "文件为空"),
        ("null\n", "顶层应为键值表"),
        ("project: 甲\n", "indicators：缺少必填字段"),
    ],
    ids=[
        "unknown-tag",
        "recursive-alias",
        "second-document-without-indicators",
        "colon",
        "tab",
        "undefined-alias",
        "blank",
        "comment",
        "null",
        "no-list",
    ],
)
def test_odd_yaml_is_refused_readably(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        load(write(tmp_path, "odd.yaml", text))


def test_alias_bombs_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(structured_module, "_MAX_NODES", 1000)
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 6)]
    with pytest.raises(InputError, match="内容过多"):
        load(write(tmp_path, "bomb.yaml", "\n".join(lines) + "\n"))


def test_validation_errors_are_summed_up_in_one_paragraph(tmp_path: Path) -> None:
    rows = "".join(f"  - name: 指标{i}\n    weight: 很多\n" for i in range(8))
    path = write(tmp_path, "many.yaml", "project: 甲\nindicators:\n" + rows)
    with pytest.raises(InputError) as exc:
        load(path)
    text = str(exc.value)
    assert text.count("应为数字") == 5 and "另有 3 处问题" in text and "\n" not in text
    assert f"{path}:4 字段 indicators[0].weight" in text


def test_alias_keys_are_named_as_written(tmp_path: Path) -> None:
    path = write(tmp_path, "zh.yaml", "项目名称: 甲\n绩效指标:\n  - 三级指标: a\n    分值: 很多\n")
    with pytest.raises(InputError, match=r"zh\.yaml:4 字段 绩效指标\[0\]\.分值：应为数字"):
        load(path)


# --- robustness ------------------------------------------------------------------------------------

JUNK: list[Any] = [
    "",
    "   ",
    "很多",
    "≥",
    "≥**人",
    "指标1:",
    "nan",
    "-inf",
    "1e999",
    "1e-30",
    "１２３",
    "2,44,0",
    "100%%",
    "—",
    "\u200b",
    "≥-5次",
    "≤0元",
    "0",
    "1/0",
    "2021年13月45日",
    "甲" * 300,
    "1、2、3、",
    "≥" + "9" * 40 + "次",
    "0." + "0" * 40 + "1%",
    "≥4次/年、其中体育活动≥2次、其中",
    -1,
    -0.5,
    0,
    10**30,
    1e300,
    1e-30,
    float("inf"),
    True,
    None,
    [],
    {},
    ["x"],
    {"name": "x"},
]


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _paths(value, (*prefix, i))
    return out


def _mutate(rng: random.Random, data: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of ``data`` with one to three random cells dropped or replaced by junk."""
    data = copy.deepcopy(data)
    for _ in range(rng.randint(1, 3)):
        paths = _paths(data)
        if not paths:
            break
        path = rng.choice(paths)
        parent: Any = data
        for part in path[:-1]:
            parent = parent[part]
        if rng.random() < 0.3:
            del parent[path[-1]]
        else:
            parent[path[-1]] = copy.deepcopy(rng.choice(JUNK))
    return data


def _survives(load_and_evaluate: Any) -> str:
    """Run one load+evaluate; return "ok" or "refused", failing on anything but a ReportgenError."""
    try:
        ev = load_and_evaluate()
    except ReportgenError as exc:
        text = str(exc)
        assert text and "\n" not in text and "Input should" not in text, text
        return "refused"
    for finding in ev.findings:
        assert finding.message and finding.where
    return "ok"


def test_mutated_seed_data_loads_or_is_refused() -> None:
    rng = random.Random(20200630)
    base = seed_data()
    outcomes = []
    for _ in range(300):
        data = _mutate(rng, base)
        outcomes.append(_survives(lambda d=data: evaluate(validate_data(d, SourceMap("mutated.yaml")))))
    # both branches are exercised: most mutations still validate, some must be refused
    assert outcomes.count("ok") > 50 and outcomes.count("refused") > 50


def test_mutated_seed_files_load_or_are_refused(tmp_path: Path) -> None:
    rng = random.Random(98)
    base = seed_data()
    outcomes = []
    for i in range(40):
        data = _mutate(rng, base)
        text = yaml.dump(data, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), allow_unicode=True)
        path = write(tmp_path, f"m{i}.yaml", text)
        outcomes.append(_survives(lambda p=path: evaluate(load(p))))
    assert "ok" in outcomes and "refused" in outcomes


def test_mangled_seed_text_loads_or_is_refused(tmp_path: Path) -> None:
    rng = random.Random(7)
    lines = SEED_EXAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    outcomes = []
    for i in range(60):
        mangled = list(lines)
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(mangled))
            how = rng.choice(["drop", "repeat", "indent", "char", "truncate"])
            if how == "drop":
                del mangled[at]
            elif how == "repeat":
                mangled.insert(at, mangled[at])
            elif how == "indent":
                mangled[at] = " " + mangled[at]
            elif how == "char":
                line = mangled[at]
                cut = rng.randrange(len(line) + 1)
                mangled[at] = line[:cut] + rng.choice([":", "\t", '"', "[", "&", "*", "!", "{", "%", "#"]) + line[cut:]
            else:
                mangled = mangled[:at]
        path = write(tmp_path, f"t{i}.{'json' if i % 10 == 0 else 'yaml'}", "".join(mangled))
        outcomes.append(_survives(lambda p=path: evaluate(load(p))))
    assert "ok" in outcomes and "refused" in outcomes


def test_examples_dir_exists() -> None:
    assert EXAMPLES.is_dir() and SEED_EXAMPLE in example_paths()
