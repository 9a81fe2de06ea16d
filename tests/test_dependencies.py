"""A missing or broken package is named as such (and how to install it), never read as an unsupported file."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SEED_EXAMPLE

from reportgen.cli import COMMANDS, main
from reportgen.loaders import supported_suffixes
from reportgen.loaders.tabular import SUFFIXES
from reportgen.loaders.xlsx_template import write_template


def _missing(monkeypatch: pytest.MonkeyPatch, module: str) -> None:
    # None in sys.modules makes the next ``import module`` fail as if the package were not installed
    monkeypatch.setitem(sys.modules, module, None)


def _broken(monkeypatch: pytest.MonkeyPatch, package: str, part: str) -> None:
    # the package is present but one of its own modules cannot be imported: a damaged install
    monkeypatch.delitem(sys.modules, package, raising=False)
    monkeypatch.setitem(sys.modules, f"{package}.{part}", None)


def _workbook(tmp_path: Path) -> Path:
    path = tmp_path / "自评表.xlsx"
    write_template(path)
    return path


def _document(tmp_path: Path) -> Path:
    import docx

    path = tmp_path / "自评表.docx"
    docx.Document().save(str(path))
    return path


@pytest.mark.parametrize(
    ("command", "make", "missing", "said"),
    [
        ("validate", _workbook, "openpyxl", "读取 Excel 工作簿需要 Python 包 openpyxl，但它未安装"),
        ("import", _workbook, "openpyxl", "读取 Excel 工作簿需要 Python 包 openpyxl，但它未安装"),
        ("validate", _document, "docx", "读取 Word 文档需要 Python 包 python-docx，但它未安装"),
        ("check", _document, "docx", "检查 Word 文档需要 Python 包 python-docx，但它未安装"),
    ],
)
def test_a_missing_package_is_named_not_an_unsupported_file(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    command: str, make: Callable[[Path], Path], missing: str, said: str,
) -> None:
    path = make(tmp_path)
    _missing(monkeypatch, missing)
    result = runner.invoke(main, [command, str(path)])
    assert result.exit_code == 2
    assert f"环境错误：{path}：{said}" in result.output
    package = "python-docx" if missing == "docx" else missing
    assert f"-m pip install {package}，或重新运行 scripts/setup.sh。" in result.output
    assert "不支持的文件类型" not in result.output and "Traceback" not in result.output


def test_a_broken_python_docx_is_named_with_its_pip_name(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = _document(tmp_path)
    _broken(monkeypatch, "docx", "api")
    result = runner.invoke(main, ["import", str(document)])
    assert result.exit_code == 2
    assert f"环境错误：{document}：读取 Word 文档需要 Python 包 python-docx，但它已安装但无法导入" in result.output
    assert "docx.api" in result.output  # the failing import itself, for whoever repairs the install
    assert "-m pip install --force-reinstall python-docx" in result.output


def test_render_to_word_without_python_docx_says_so(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(sys.modules, "reportgen.renderers.docx", raising=False)
    _missing(monkeypatch, "docx")
    result = runner.invoke(main, ["render", str(SEED_EXAMPLE), "-f", "docx", "-o", str(tmp_path / "报告.docx")])
    assert result.exit_code == 2
    assert "生成 Word 文档需要 Python 包 python-docx，但它未安装" in result.output
    assert not (tmp_path / "报告.docx").exists()


def test_every_tabular_suffix_is_in_the_loader_table() -> None:
    assert set(SUFFIXES) <= set(supported_suffixes())


def test_every_command_is_on_main() -> None:
    assert sorted(c.name for c in COMMANDS if c.name) == sorted(main.commands)
