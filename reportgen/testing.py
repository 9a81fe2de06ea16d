"""Realistic synthetic forms for tests and benchmarks (deterministic: same seed, same forms).

Varied sizes (6–30 indicators), weight splits, deductions with and without causes, budget
under-execution, qualitative indicators and over-achievement — the shapes real forms have. With
``shaped=True``, a second generator (seeded from the same seed) gives a share of the forms one of the
shapes of real forms the narrative finds hardest (``SHAPES``): a long list of themed count indicators
(孕产妇…, 慢病…, 老年人…) with many deductions and no causes; descriptive actual values and a rich
实际完成情况; or no cause and no measure anywhere.
"""

from __future__ import annotations

import random
from collections import Counter
from decimal import Decimal
from typing import Any

_UNITS = ("青山区民政局", "东湖街道办事处", "南岸区教育局", "西城区卫生健康局", "北湖镇人民政府", "江夏区农业农村局",
          "河西区文化和旅游局", "临江县交通运输局", "梅园街道办事处", "石桥区住房和城乡建设局")
_PROJECTS = ("社区养老服务补贴", "义务教育学生资助", "农村人居环境整治", "公共文化服务体系建设", "基层医疗卫生服务",
             "城乡低保资金", "农村公路养护", "老旧小区改造", "社区党建工作经费", "困难群众临时救助", "职业技能培训补贴",
             "河道保洁管护", "全民健身设施建设", "残疾人康复服务", "食品安全抽检")
_QUANTITY = (("服务对象人数", "人", 500, 5000), ("开展活动次数", "次", 4, 60), ("建设站点数量", "个", 5, 40),
             ("培训人次", "人次", 200, 3000), ("改造户数", "户", 100, 2000), ("养护里程", "公里", 20, 300),
             ("发放补贴人数", "人", 300, 6000), ("检测批次", "批次", 50, 800))
_RATE = ("验收合格率", "资金发放准确率", "设施完好率", "按时完成率", "覆盖率", "资助对象认定准确率", "任务完成率")
_TIME = ("资金发放及时率", "项目开工及时率", "按期完工率")
_COST = (("人均补助标准", "元/人", 800, 3000), ("单位建设成本", "万元/个", 5, 40), ("户均改造成本", "元/户", 2000, 6000))
_BENEFIT_Q = ("群众生活条件", "基层服务能力", "社会保障水平", "公共服务均等化水平", "居民健康意识")
_SUSTAIN = ("长效管护机制", "部门协同机制", "资金保障机制")
_CAUSES = (
    "受疫情影响，部分活动改为线上开展，参与人数未达预期",
    "上级资金拨付滞后，部分资金年底才到位",
    "政府采购流程较长，合同签订时间推迟",
    "年初预算测算偏高，实际需求少于预期",
    "项目实施过程中根据实际需要调整了建设内容",
    "部分工程跨年度实施，尚在建设中",
    "场地和设施不足，不能满足实际需求",
    "部分补助对象资格审核未完成",
)
_MEASURES = (
    "加强与财政部门沟通，加快资金拨付进度",
    "提前谋划政府采购工作，合理安排采购时间",
    "科学测算资金需求，提高预算编制精准度",
    "加强项目进度管理，按计划节点推进实施",
    "完善绩效目标管理，合理设定年度指标值",
)


def _indicator(rng: random.Random, level1: str, level2: str, weight: float) -> dict[str, Any]:
    kind = rng.random()
    name: str
    actual: float  # a count in some branches, a percentage in others
    ind: dict[str, Any]
    if level2 == "数量指标":
        name, unit, lo, hi = rng.choice(_QUANTITY)
        target = rng.randint(lo, hi)
        roll = rng.random()
        if roll < 0.7:
            actual = target + rng.randint(0, max(1, target // 10))
        elif roll < 0.8:
            actual = int(target * rng.uniform(1.6, 2.5))
        else:
            actual = int(target * rng.uniform(0.5, 0.97))
        ratio = min(actual / target, 1)
        ind = {"name": name, "target": f"≥{target:,}{unit}", "actual": f"{actual:,}{unit}"}
        score = weight * ratio
    elif level2 in ("质量指标", "时效指标"):
        name = rng.choice(_RATE if level2 == "质量指标" else _TIME)
        target = rng.choice((90, 95, 98, 100))
        actual = round(min(100, target + rng.uniform(-12, 5)), 1) if kind < 0.35 else min(100.0, float(target))
        ratio = min(actual / target, 1)
        ind = {"name": name, "target": f"≥{target}%", "actual": f"{actual:g}%"}
        score = weight * ratio
    elif level2 == "成本指标":
        name, unit, lo, hi = rng.choice(_COST)
        target = rng.randint(lo, hi)
        actual = target if kind < 0.75 else round(target * rng.uniform(1.02, 1.2))
        ratio = min(target / actual, 1)
        ind = {"name": name, "target": f"≤{target:,}{unit}", "actual": f"{actual:,}{unit}"}
        score = weight * ratio
    elif level1 == "满意度指标":
        name = rng.choice(("服务对象满意度", "群众满意度", "受益对象满意率"))
        actual = round(rng.uniform(86, 99), 1)
        ind = {"name": name, "target": "≥90%", "actual": f"{actual:g}%"}
        score = weight if actual >= 90 else weight * actual / 90
    else:
        pool = _SUSTAIN if level2 == "可持续影响指标" else _BENEFIT_Q
        name = rng.choice(pool)
        if kind < 0.7:
            ind = {"name": f"{name}提升", "target": "有效提升", "actual": "有效提升"}
            score = weight
        else:
            ind = {"name": f"{name}提升", "target": "显著提升", "actual": "基本达到"}
            score = round(weight * rng.choice((0.6, 0.7, 0.8)), 1)
    if rng.random() < 0.05 and score == weight:
        score = weight * 0.9  # real forms deduct on met targets too
    score = min(round(score, 2), weight)
    ind.update({"level1": level1, "level2": level2, "weight": weight, "score": score})
    if score < weight and rng.random() < 0.6:
        ind["cause"] = rng.choice(_CAUSES)
        if rng.random() < 0.5:
            ind["measure"] = rng.choice(_MEASURES)
    return ind


def synthetic_form(seed: int, *, shaped: bool = False) -> dict[str, Any]:
    """One plausible form as plain data (the YAML structure), fully determined by ``seed``.

    ``shaped``: give the form the shape ``shape_of(seed)`` names (themed lists, descriptive actuals, no
    causes or measures); off by default so the forms that tests and benchmarks already use stay the same.
    """
    data = _base_form(seed)
    shape = shape_of(seed) if shaped else "plain"
    if shape != "plain":
        _SHAPERS[shape](random.Random(f"shape-{seed}"), data)
        data["total_score"] = _total(data)
    return data


def _base_form(seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    unit = rng.choice(_UNITS)
    project = rng.choice(_PROJECTS) + ("" if rng.random() < 0.6 else f"（{rng.choice('一二三四')}期）")
    year = rng.choice((2020, 2021, 2022, 2023))
    split = rng.choice(((10, 50, 30, 10), (20, 40, 40, 0), (10, 60, 30, 0), (10, 40, 30, 20)))
    budget_w, out_w, ben_w, sat_w = split
    size = rng.choice((6, 8, 10, 12, 16, 20, 30))
    n_out = max(2, round(size * 0.55))
    n_ben = max(1, round(size * 0.3))
    n_sat = 1 if sat_w else 0
    indicators: list[dict[str, Any]] = []
    out_groups = ("数量指标", "质量指标", "时效指标", "成本指标")
    def share(total: int, n: int, i: int) -> float:
        # equal shares to two decimals, the remainder on the last one, so weights add up exactly
        each = round(total / n, 2)
        return float(Decimal(str(total)) - Decimal(str(each)) * (n - 1)) if i == n - 1 else each

    for i in range(n_out):
        indicators.append(_indicator(rng, "产出指标", out_groups[i % 4] if i < 4 else out_groups[rng.randrange(4)],
                                     share(out_w, n_out, i)))
    ben_groups = ("社会效益指标", "可持续影响指标", "经济效益指标")
    for i in range(n_ben):
        indicators.append(_indicator(rng, "效益指标", ben_groups[i % 2] if i < 2 else rng.choice(ben_groups),
                                     share(ben_w, n_ben, i)))
    for _ in range(n_sat):
        indicators.append(_indicator(rng, "满意度指标", "服务对象满意度指标", float(sat_w)))
    seen: Counter[str] = Counter()
    for ind in indicators:  # real forms rarely repeat a name; keep them distinct as a careful unit would
        seen[ind["name"]] += 1
        if seen[ind["name"]] > 1:
            ind["name"] = f"{ind['name']}（{'甲乙丙丁戊己庚辛'[seen[ind['name']] - 2]}类）"
    indicators.sort(key=lambda d: (("产出指标", "效益指标", "满意度指标").index(d["level1"]),
                                   (*out_groups, *ben_groups, "服务对象满意度指标").index(d["level2"])))
    adjusted = round(rng.uniform(20, 3000), 2)
    rate = 1.0 if rng.random() < 0.6 else rng.uniform(0.6, 0.99)
    executed = round(adjusted * rate, 2)
    b_score = round(budget_w * min(executed / adjusted, 1), 2)
    total = float(Decimal(str(b_score)) + sum((Decimal(str(i["score"])) for i in indicators), Decimal(0)))
    analysis = []
    if rate < 0.9:
        analysis.append(f"预算执行率偏低，主要原因是{rng.choice(_CAUSES[1:4])}")
    if any(i["score"] < i["weight"] and "cause" not in i for i in indicators) and rng.random() < 0.5:
        analysis.append(rng.choice(_CAUSES))
    return {
        "year": year,
        "unit": unit,
        "filled_on": f"{year + 1}-0{rng.randint(3, 6)}-{rng.randint(10, 28)}",
        "project": project,
        "department": unit,
        "implementer": unit,
        "category": rng.choice(("部门预算项目", "转移支付项目")),
        "budget": {"unit": "万元", "weight": budget_w, "adjusted": adjusted, "executed": executed,
                   "score": b_score},
        "goals": {"planned": f"按计划实施{project}，保障服务对象基本需求，提升服务质量和群众满意度。"},
        "indicators": indicators,
        "total_score": total,
        "deviation_analysis": analysis,
        "improvement_measures": rng.sample(_MEASURES, k=rng.randint(0, 2)),
    }


# --- shapes of real forms ------------------------------------------------------------------------

SHAPES = ("plain", "themed", "descriptive", "bare")
_SHAPE_WEIGHTS = (0.4, 0.25, 0.2, 0.15)

# public-service count indicators by theme, as health centres and civil-affairs offices list them
_THEMED = (
    (("孕产妇早孕建册人数", "孕产妇产后访视人数", "孕产妇产后42天健康检查人数"), "人", 80, 400),
    (("0-6岁儿童健康管理人数", "0-36月龄儿童中医药健康管理人数", "新生儿访视人数"), "人", 150, 2000),
    (("65岁及以上老年人健康体检人数", "老年人中医药健康管理人数", "老年人健康随访人数"), "人", 1000, 6000),
    (("高血压患者规范管理人数", "高血压患者随访人数", "2型糖尿病患者规范管理人数", "2型糖尿病患者随访人数"),
     "人", 300, 4000),
    (("健康教育讲座次数", "健康教育宣传咨询活动次数"), "次", 6, 24),
    (("严重精神障碍患者规范管理人数", "肺结核患者规范管理人数"), "人", 8, 250),
    (("居家养老上门服务人数", "特困老人集中供养人数", "高龄津贴发放人数"), "人", 200, 3000),
    (("残疾人康复训练人数", "残疾儿童康复救助人数"), "人", 30, 600),
)
# (actual as the form describes it, target as the form sets it); {n} is a count the text states
_DESCRIPTIVE = (
    ("评选出{n}名优秀代表", "评选优秀代表不少于{t}名"),
    ("每社区每周一次义务大清理", "每社区每月不少于2次集中整治"),
    ("建成服务站点{n}个，实现社区全覆盖", "建成服务站点{t}个"),
    ("开展志愿服务活动{n}场次，群众广泛参与", "开展志愿服务活动不少于{t}场次"),
    ("各季度活动均按计划开展", "按季度计划开展"),
    ("背街小巷和楼道杂物基本清除，环境明显改善", "明显改善"),
    ("组建宣讲队伍{n}支，常态化开展宣讲", "组建宣讲队伍不少于{t}支"),
    ("困难群众应保尽保，救助资金按月足额发放", "应保尽保"),
)


def shape_of(seed: int) -> str:
    """Which shape ``synthetic_form(seed)`` has (deterministic; a quarter are themed lists)."""
    return random.Random(f"which-{seed}").choices(SHAPES, weights=_SHAPE_WEIGHTS)[0]


def _total(data: dict[str, Any]) -> float:
    scores = [Decimal(str(i["score"])) for i in data["indicators"]]
    return float(Decimal(str(data["budget"]["score"])) + sum(scores, Decimal(0)))


def _themed(rng: random.Random, data: dict[str, Any]) -> None:
    """The 数量指标 become a long themed list at 1–2 points each; most shortfalls carry no cause."""
    inds = data["indicators"]
    # keep one 质量/时效/成本 row each; the rest of the output weight goes to the long list
    kept: dict[str, dict[str, Any]] = {}
    for i in inds:
        if i["level1"] == "产出指标" and i["level2"] != "数量指标":
            kept.setdefault(i["level2"], i)
    replaced = [i for i in inds if i["level1"] == "产出指标" and i not in kept.values()]
    weight = sum((Decimal(str(i["weight"])) for i in replaced), Decimal(0))
    themes = rng.sample(_THEMED, k=rng.randint(4, 6))
    names = [(n, unit, lo, hi) for names, unit, lo, hi in themes for n in names]
    count = max(1, min(len(names), int(weight)))  # at least one point each
    names = names[:count]
    each = max(Decimal("0.5"), (weight / count * 2).to_integral_value(rounding="ROUND_FLOOR") / 2)
    count = min(count, int(weight / each))
    names = names[:count]
    numbered = rng.random() < 0.4
    themed: list[dict[str, Any]] = []
    for k, (name, unit, lo, hi) in enumerate(names):
        w = weight - each * (count - 1) if k == count - 1 else each
        target = rng.randint(lo, hi)
        roll = rng.random()
        if roll < 0.55:
            actual = int(target * rng.uniform(0.6, 0.97))
            # real forms score such rows by judgement, not by the ratio: one decimal near it
            score = min(w, max(Decimal(0), (w * Decimal(actual) / Decimal(target)).quantize(Decimal("0.1"))
                               + Decimal(rng.choice((-1, 0, 0, 1))) / 10))
            if score >= w:
                score = w - Decimal("0.1")
        elif roll < 0.65:
            actual = int(target * rng.uniform(2, 6))
            score = w
        else:
            actual = target
            score = w
        label = f"指标{k + 1}:{name}" if numbered else name
        row: dict[str, Any] = {"level1": "产出指标", "level2": "数量指标", "name": label, "weight": float(w),
                               "target": f"≥{target:,}{unit}", "actual": f"{actual:,}{unit}", "score": float(score)}
        if score < w and rng.random() < 0.1:
            row["cause"] = rng.choice(_CAUSES)
        themed.append(row)
    first = inds.index(replaced[0])
    rest = [i for i in inds if i not in replaced]
    data["indicators"] = rest[:first] + themed + rest[first:]
    data["goals"]["achieved"] = data["project"]  # the hollow 实际完成情况 such forms often have
    if rng.random() < 0.6:
        data["improvement_measures"] = []


def _descriptive(rng: random.Random, data: dict[str, Any]) -> None:
    """Two to four rows state their result in words; 实际完成情况 lists what was done (一是…二是…)."""
    inds = data["indicators"]
    picks = rng.sample(range(len(inds)), k=min(len(inds), rng.randint(2, 4)))
    texts = rng.sample(_DESCRIPTIVE, k=len(picks))
    done: list[str] = []
    for k, (actual, target) in zip(picks, texts, strict=True):
        ind = inds[k]
        if ind["level1"] == "满意度指标":
            continue
        t = rng.randint(8, 120)
        n = t + rng.randint(0, max(1, t // 5))
        ind["actual"] = actual.format(n=n)
        ind["target"] = target.format(t=t)
        ind["score"] = ind["weight"]
        ind.pop("cause", None)
        ind.pop("measure", None)
        done.append(ind["actual"])
    if done:
        parts = [f"{'一二三四五'[i]}是{d}" for i, d in enumerate(done)]
        data["goals"]["achieved"] = "；".join(parts) + "。"


def _bare(rng: random.Random, data: dict[str, Any]) -> None:
    """No cause and no measure anywhere, whatever was lost."""
    for ind in data["indicators"]:
        ind.pop("cause", None)
        ind.pop("measure", None)
    data["deviation_analysis"] = []
    data["improvement_measures"] = []


_SHAPERS = {"themed": _themed, "descriptive": _descriptive, "bare": _bare}
