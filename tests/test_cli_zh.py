"""Every string the command line prints is Chinese, click's own included (usage, errors, help)."""

from __future__ import annotations

import ast
import importlib.util
import re
import string
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SEED_EXAMPLE

from reportgen.cli import main, zh

# click's English, as it would appear: the usage prefix, error words, help boilerplate, metavars
ENGLISH = re.compile(
    r"Usage:|Error:|Try '|Missing (?:argument|option|parameter)|No such (?:command|option)|Show this message"
    r"|Show the version|Invalid value|Options:|Commands:|\[default:|\[required\]|does not exist|is not a valid"
    r"|is not in the range|requires an argument|unexpected extra|Did you mean|\b(?:TEXT|PATH|FILE|DIRECTORY|INTEGER|FILES|INPUTS)\b"
)


def _click_strings() -> set[str]:
    """Every literal click passes to ``_`` or ``ngettext`` in the modules zh.install() patches."""
    spec = importlib.util.find_spec("click")
    assert spec is not None and spec.origin is not None
    folder = Path(spec.origin).parent
    found: set[str] = set()
    for name in zh.MODULES:
        tree = ast.parse((folder / f"{name}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "ngettext"):
                found.update(a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str))
    return found


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_every_click_string_has_a_chinese_translation() -> None:
    strings = _click_strings()
    assert len(strings) > 50  # the scan found click's messages (it would pass vacuously otherwise)
    missing = sorted(s for s in strings if s not in zh.CATALOGUE)
    assert missing == []


@pytest.mark.parametrize("english", sorted(zh.CATALOGUE))
def test_a_translation_uses_only_its_originals_placeholders(english: str) -> None:
    chinese = zh.CATALOGUE[english]
    assert _fields(chinese) <= _fields(english)
    assert ("%(prog)s" in chinese) == ("%(prog)s" in english)
    assert re.search(r"[\u4e00-\u9fff]", chinese), chinese


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], "用法："),
        (["rendr"], "错误：没有命令 'rendr'。"),
        (["render"], "错误：缺少参数 '文件...'"),
        (["validate"], "错误：缺少参数 '文件...'"),
        (["import"], "错误：缺少参数 '文件'"),
        (["check"], "错误：缺少参数 '报告文件'"),
        (["batch", str(SEED_EXAMPLE)], "错误：缺少选项 '-o'"),
        (["batch", str(SEED_EXAMPLE), "-o", "x", "-j", "-3"], "'-j' / '--jobs' 的值无效：-3 不在允许的范围"),
        (["batch", str(SEED_EXAMPLE), "-o", "x", "-j", "多"], "'多' 不是有效的数字"),
        (["render", str(SEED_EXAMPLE), "--format"], "错误：选项 '--format' 需要一个值"),
        (["render", str(SEED_EXAMPLE), "--colour"], "错误：没有选项 '--colour'"),
        (["render", str(SEED_EXAMPLE), "--templates", "没有这个文件夹"], "文件夹 '没有这个文件夹' 不存在"),
        (["check", "a.md", "b.md"], "错误：多余的参数（b.md）"),
        (["--frobnicate"], "错误：没有选项 '--frobnicate'"),
    ],
)
def test_usage_errors_are_chinese(runner: CliRunner, args: list[str], expected: str) -> None:
    result = runner.invoke(main, args)
    assert result.exit_code == 2, result.output
    assert expected in result.output
    assert not ENGLISH.search(result.output), result.output
    if args:
        assert result.stderr.startswith(("用法：", "错误："))


def _commands() -> list[list[str]]:
    return [[], *([name] for name in sorted(main.commands))]


@pytest.mark.parametrize("command", _commands(), ids=lambda c: " ".join(c) or "reportgen")
def test_help_is_chinese(runner: CliRunner, command: list[str]) -> None:
    result = runner.invoke(main, [*command, "--help"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("用法：") and "选项：" in out and "显示本帮助并退出" in out
    assert not ENGLISH.search(out), out
    # every option's own help starts in Chinese (an English gloss may follow)
    for line in out.split("选项：", 1)[1].splitlines():
        if line.startswith("  -"):
            assert re.search(r"[\u4e00-\u9fff]", line), line


def test_version_and_group_help(runner: CliRunner) -> None:
    help_text = runner.invoke(main, ["--help"]).stdout
    assert "命令：" in help_text and "显示版本号并退出" in help_text
    version = runner.invoke(main, ["--version"])
    assert version.exit_code == 0 and version.stdout.startswith("reportgen ")
