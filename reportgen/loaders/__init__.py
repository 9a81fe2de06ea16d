"""Turn files into forms. Only loaders (and renderers) touch the file system.

``load_all`` returns every project a file holds (a workbook may hold many);
``load`` insists on exactly one.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..errors import InputError
from ..model import EvaluationForm
from .structured import load_structured

Loader = Callable[[Path], list[EvaluationForm]]

# suffix -> loader; tabular loaders register themselves here (see register_loader)
_LOADERS: dict[str, Loader] = {
    ".yaml": lambda p: [load_structured(p)],
    ".yml": lambda p: [load_structured(p)],
    ".json": lambda p: [load_structured(p)],
}


def register_loader(suffix: str, loader: Loader) -> None:
    """Make ``load`` accept files ending in ``suffix``."""
    _LOADERS[suffix.lower()] = loader


def supported_suffixes() -> tuple[str, ...]:
    _import_tabular()
    return tuple(sorted(_LOADERS))


def _import_tabular() -> None:
    # the tabular readers pull in openpyxl/python-docx; import them only when asked for
    try:
        from . import tabular  # noqa: F401
    except ImportError:  # pragma: no cover - tabular readers not installed in this build
        pass


def load_all(path: str | Path) -> list[EvaluationForm]:
    """Load every form in ``path``."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in _LOADERS:
        _import_tabular()
    loader = _LOADERS.get(suffix)
    if loader is None:
        raise InputError(
            f"不支持的文件类型“{suffix or '无扩展名'}”",
            where=str(path),
            hint="支持的格式：" + "、".join(supported_suffixes()),
        )
    if not path.exists():
        raise InputError("文件不存在", where=str(path), hint="请检查路径")
    if path.is_dir():
        raise InputError("这是一个文件夹，不是文件", where=str(path), hint="批量处理文件夹请用 reportgen batch")
    forms = loader(path)
    if not forms:
        raise InputError("文件中没有找到自评表", where=str(path))
    return forms


def load(path: str | Path) -> EvaluationForm:
    """Load the single form in ``path``."""
    forms = load_all(path)
    if len(forms) > 1:
        raise InputError(
            f"文件包含 {len(forms)} 个项目，此处只能处理一个",
            where=str(path),
            hint="请使用 reportgen batch 处理多个项目",
        )
    return forms[0]
