"""The demo's first screen ends with why the seed's check did not pass and what to do (scripts/demo.sh)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from conftest import ROOT, SEED_EXAMPLE

from reportgen.cli import main

DEMO = ROOT / "scripts" / "demo.sh"


def _explainer() -> str:
    """The Python the demo runs last, exactly as written in demo.sh."""
    m = re.search(r"<<'EOF'\n(.*?)\nEOF\n", DEMO.read_text(encoding="utf-8"), re.DOTALL)
    assert m, "demo.sh no longer ends with its explanation"
    return m[1]


def _last_line(outdir: Path) -> str:
    done = subprocess.run([sys.executable, "-", str(outdir)], input=_explainer(), capture_output=True, text=True, check=True)
    return done.stdout.strip().splitlines()[-1]


def test_demo_renders_as_the_script_says() -> None:
    text = DEMO.read_text(encoding="utf-8")
    assert "reportgen render examples/社会保障专项-2020.yaml" in text and "--force" not in text


def test_the_seed_demo_ends_with_the_reason_and_what_to_do(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["render", str(SEED_EXAMPLE), "-o", str(tmp_path)])
    assert result.exit_code == 1
    line = _last_line(tmp_path)
    assert line == (
        "检查未通过的原因：自评表缺少内容，报告中留下了 1 处待补充（【待补充：“年组织开展群众文体活动”指标的偏差原因】）；"
        "请在自评表中补上这项内容后重新运行，或直接在报告中补写后用 reportgen check 复查。"
    )


def test_a_report_that_passes_says_so(tmp_path: Path) -> None:
    text = SEED_EXAMPLE.read_text(encoding="utf-8")
    assert "年组织开展群众文体活动" in text
    # give the seed's one deducted indicator without a cause a cause: nothing is left to fill in
    from reportgen.loaders import load

    form = load(SEED_EXAMPLE)
    missing = [i for i in form.indicators if i.name == "年组织开展群众文体活动"]
    assert missing and not missing[0].cause
    fixed = tmp_path / "seed.yaml"
    fixed.write_text(text.replace("name: 年组织开展群众文体活动", "name: 年组织开展群众文体活动\n    cause: 受疫情影响，活动场次减少", 1),
                     encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["render", str(fixed), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert _last_line(out) == "检查通过：报告写到了全部必备用语，没有待补充项。"
