"""Import the third-party packages a stage needs only when it runs, and name the package when one fails.

Reading a workbook needs openpyxl, a Word document python-docx, a PDF WeasyPrint. They are imported
late (``reportgen validate form.yaml`` should not pay for them), so a missing or broken install
surfaces far from the command that asked for it; ``require`` turns it into one message that says
which package, for what, and how to install it, instead of a traceback or a misleading
"不支持的文件类型".
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType

from reportgen.errors import DependencyError

#: import name -> the distribution pip installs it from (where the two differ, the user needs the latter)
PACKAGES: dict[str, str] = {"docx": "python-docx"}


def require(module: str, purpose: str, *, where: str | None = None) -> ModuleType:
    """Import ``module`` for ``purpose`` (e.g. “读取 Excel 工作簿”), or raise DependencyError naming its package."""
    try:
        return importlib.import_module(module)
    except (ImportError, OSError) as exc:  # OSError: a compiled extension whose shared library is gone
        raise dependency_error(module, purpose, exc, where=where) from exc


def dependency_error(module: str, purpose: str, exc: BaseException, *, where: str | None = None) -> DependencyError:
    """The error for ``module`` failing to import with ``exc``: missing (not installed) or broken."""
    package = PACKAGES.get(module, module)
    missing = isinstance(exc, ModuleNotFoundError) and exc.name == module
    state = "未安装" if missing else "已安装但无法导入（安装可能已损坏）"
    reinstall = "" if missing else "--force-reinstall "
    return DependencyError(
        f"{purpose}需要 Python 包 {package}，但它{state}：{type(exc).__name__}: {exc}",
        where=where,
        hint=f"请运行 {sys.executable} -m pip install {reinstall}{package}，或重新运行 scripts/setup.sh",
    )
