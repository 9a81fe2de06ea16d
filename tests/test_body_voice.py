"""The body of a project report speaks as the unit and tells results (issue 13), on real forms and forms built here.

The body sections are 基本情况, 绩效目标实现情况 (budget and each 一级指标), 综合评价结论 and 结果应用. The deviation
analysis, measures and 其他需要说明的问题 are judged elsewhere; the transfer outline's 总体绩效目标完成情况 too.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, SEED_EXAMPLE, example_paths

from reportgen import evaluate, load
from reportgen.checking import check
from reportgen.evaluation.model import EvaluationForm
from reportgen.narrative import Composer, compose
from reportgen.narrative.names import short_name

FORMS = ROOT.parent / "shared" / "forms"
OUTLINES = ("default", "mof", "transfer")
BODY_KEYS = {"basic", "work", "achievement", "conclusion", "application"}
NOT_BODY = ("总体绩效目标完成情况", "其他需要说明的问题", "其他事项")
#: what an auditor writes about a form, never the unit about its own work
AUDITOR = re.compile(
    r"自评表填报的完成情况|自评表未填写|自评表未载明|自评表未说明|自评表未打分|自评表按满分|自评表以文字|自评表仍|"
    r"已达到目标但被扣分|本报告依据|本报告据|本报告按|未明确说明是否达到目标|照抄|属定性指标|"
    r"定量与定性评价相结合的比较法|总体全面完成|本部分\d|指标\d+项指标"
)


def _real_forms() -> list[Path]:
    paths = sorted(FORMS.glob("*/input.yaml")) if FORMS.is_dir() else []
    # a published but unfilled form is refused, never narrated; a department-wide one has its own outline
    return [p for p in paths if "unfilled" not in p.parent.name and "department" not in p.parent.name]


def _project_examples() -> list[Path]:
    return [p for p in example_paths() if not load(p).is_department]


def _cases() -> list[Any]:
    return [pytest.param(p, o, id=f"{p.parent.name if p.name == 'input.yaml' else p.stem}-{o}")
            for p in [*_real_forms(), *_project_examples()] for o in OUTLINES]


def _body(markdown_sections: list[tuple[str, str]]) -> list[str]:
    """The body's prose paragraphs, in order (headings and tables dropped; excluded subsections left out)."""
    paragraphs: list[str] = []
    for key, md in markdown_sections:
        if key not in BODY_KEYS:
            continue
        skip = False
        for block in md.splitlines():  # by the Markdown contract a paragraph is one line
            block = block.strip()
            if block.startswith("#"):
                skip = any(word in block for word in NOT_BODY)
                continue
            if block and not skip and not block.startswith("|"):
                paragraphs.append(block)
    return paragraphs


def _report_body(path: Path, outline: str, **kw: Any) -> tuple[str, list[str]]:
    report = compose(evaluate(load(path)), outline=outline, **kw)
    return report.markdown, _body([(s.key, s.markdown) for s in report.sections])


def _form(**fields: Any) -> EvaluationForm:
    data: dict[str, Any] = {
        "project": "测试项目", "year": 2023, "unit": "某某县文化馆", "department": "某某县文化和旅游局",
        "budget": {"weight": 10, "adjusted": 100, "executed": 100, "score": 10},
        "indicators": [
            {"level1": "产出指标", "level2": "数量指标", "name": "举办公益培训场次", "weight": 30, "target": "≥40场",
             "actual": "46场", "score": 30},
            {"level1": "产出指标", "level2": "数量指标", "name": "培训群众人次", "weight": 20, "target": "≥2000人次",
             "actual": "2150人次", "score": 20},
            {"level1": "效益指标", "level2": "社会效益指标", "name": "群众文化生活", "weight": 30, "target": "持续丰富",
             "actual": "开展广场舞、书法、非遗剪纸等公益培训，组建群众文艺团队12支，参与群众明显增多", "score": 30},
            {"level1": "满意度指标", "level2": "服务对象满意度指标", "name": "参训群众满意度", "weight": 10,
             "target": "≥90%", "actual": "96%", "score": 10},
        ],
        "total_score": 100, "grade": "优",
    }
    data.update(fields)
    return EvaluationForm.model_validate(data)


@pytest.mark.parametrize(("path", "outline"), _cases())
def test_the_body_speaks_as_the_unit(path: Path, outline: str) -> None:
    _, body = _report_body(path, outline)
    said = [p for p in body if AUDITOR.search(p)]
    assert not said, said


@pytest.mark.parametrize(("path", "outline"), _cases())
def test_body_paragraphs_are_short_and_neighbours_open_differently(path: Path, outline: str) -> None:
    _, body = _report_body(path, outline)
    assert all(len(p) <= 300 for p in body), [p[:40] for p in body if len(p) > 300]
    openings = []
    for p in body:
        text = re.sub(r"^(\d+\.|[（(][一二三四五六七八九十\d]+[)）])", "", p)
        openings.append(re.sub(r"“[^”]*”", "“名”", text)[:8])
    repeated = [a for a, b in zip(openings, openings[1:], strict=False) if a == b]
    assert not repeated, repeated
    for p in body:
        for sentence in re.split(r"[。；！？]", p):
            plain = re.sub(r"“[^”]*”|【[^】]*】", "名", sentence)  # quoted form text keeps its own punctuation
            assert len(plain) <= 80 or "，" in plain or "：" in plain, sentence


def test_results_in_the_forms_words_reach_the_benefit_narrative() -> None:
    for outline in OUTLINES:
        report = compose(evaluate(load(SEED_EXAMPLE)), outline=outline)
        achievement = report.section("achievement")
        assert achievement is not None
        # descriptive actual values, told as what was done — not only named or sent to the appendix
        assert "评选出“好家风”“好婆媳”“好邻里”“好社工”“好志愿者”“好管家”共计118名优秀代表" in achievement.markdown
        assert "每社区每周一次义务大清理" in achievement.markdown


@pytest.mark.parametrize("outline", ("default", "mof"))
def test_the_goals_actual_completion_opens_the_output_analysis(outline: str) -> None:
    path = next(p for p in example_paths() if p.stem.startswith("农村人居环境整治"))
    report = compose(evaluate(load(path)), outline=outline)
    achievement = report.section("achievement")
    assert achievement is not None
    outputs = achievement.markdown.split("产出指标完成情况", 1)[1]
    assert outputs.index("全年完成户用卫生厕所改造1,560户") < outputs.index("产出指标共")


def test_a_form_built_here_tells_its_result_and_builds_its_overview() -> None:
    md = compose(evaluate(_form())).markdown
    overview = md.split("（二）")[0]
    # no 项目概况 on the form: one sentence from the main output targets, nothing said about what is missing
    assert "举办公益培训场次≥40场和培训群众人次≥2000人次" in overview and "自评表" not in overview
    benefits = md.split("效益指标完成情况", 1)[1].split("满意度指标完成情况", 1)[0]
    assert "开展广场舞、书法、非遗剪纸等公益培训，组建群众文艺团队12支，参与群众明显增多" in benefits
    # one body named once: “由某某县文化馆组织实施”; two bodies: both named, each once
    same = compose(evaluate(_form(department="某某县文化馆"))).markdown.split("（二）")[0]
    assert same.count("某某县文化馆") == 1 and "主管部门为某某县文化馆" not in same
    assert overview.count("某某县文化馆") == 1 and overview.count("某某县文化和旅游局") == 1


def test_the_method_is_the_units_own_words_or_only_what_the_form_shows() -> None:
    plain = compose(evaluate(_form())).markdown
    # no method, no 自评小组 the form does not name: only that budget and the 4 indicators were scored
    assert "比较法" not in plain and "小组" not in plain and "预算执行情况和4项三级绩效指标的完成情况逐项" in plain
    given = compose(evaluate(_form(self_evaluation="馆务会研究部署，成立自评小组，逐项核对台账并打分"))).markdown
    assert "馆务会研究部署，成立自评小组，逐项核对台账并打分。" in given and "逐项评分" not in given
    # the Chinese label works too
    data = _form().model_dump(exclude_none=True)
    data.pop("self_evaluation", None)
    data["自评工作开展情况"] = "由办公室牵头组织自评"
    assert "由办公室牵头组织自评" in compose(evaluate(EvaluationForm.model_validate(data))).markdown


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("义务教育营养改善计划专项资金", "义务教育营养改善计划"),
        ("2023年度城乡居民基本医疗保险财政补助专项资金", "城乡居民基本医疗保险财政补助"),
        ("全民健身设施建设项目（一期）工程", "全民健身设施建设项目工程"),
        ("基本公共卫生服务项目补助资金", "基本公共卫生服务"),
        ("国家基本公共卫生服务", ""),  # short enough: no 简称
        ("社会保障专项", ""),
    ],
)
def test_short_name_rules(name: str, short: str) -> None:
    assert short_name(name) == short


@pytest.mark.parametrize("outline", OUTLINES)
def test_a_long_name_is_introduced_once_then_shortened(outline: str) -> None:
    full = "2023年度城乡居民基本医疗保险财政补助专项资金"
    report = compose(evaluate(_form(project=full)), outline=outline)
    short = "城乡居民基本医疗保险财政补助"
    body = "\n\n".join(_body([(s.key, s.markdown) for s in report.sections]))
    intro = f"（以下简称“{short}”）"
    if outline == "transfer":  # its body never names the project: the title does
        assert full not in body and intro not in body
        return
    assert body.count(intro) == 1
    after = body.split(intro, 1)[1]
    assert full not in after and short in after


@pytest.mark.parametrize("path", _project_examples(), ids=lambda p: p.stem)
def test_every_forced_alternative_passes_the_checker(path: Path) -> None:
    ev = evaluate(load(path))
    composer = Composer()
    for force in range(3):
        report = composer.compose(ev, force=force)
        bad = [p.message for p in check(report).problems if p.severity == "error" and not p.forced]
        assert not bad, (force, bad)
