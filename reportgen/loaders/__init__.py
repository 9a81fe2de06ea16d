"""Turn files into forms. Only loaders (and renderers) touch the file system.

``load_all`` returns every project a file holds: a workbook may hold many (one a sheet), so may a
YAML/JSON file (a top-level list, or YAML documents); ``load`` insists on exactly one. Both refuse
a file with any unreadable project; ``load_parts`` returns the projects that could be read together
with the error of each part (sheet, list item, document) that could not, so one bad part does not
cost the good ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from reportgen.errors import InputError, ReportgenError
from reportgen.evaluation.model import EvaluationForm
from reportgen.loaders.structured import load_structured_parts

Loader = Callable[[Path], list[EvaluationForm]]
#: a loader that reads each project of a file on its own: a form, or the error that part raised
PartsLoader = Callable[[Path], list[EvaluationForm | ReportgenError]]


@dataclass(frozen=True)
class Format:
    """One kind of file ``load`` reads: its loader, and the loader that reads each project on its own."""

    load: Loader
    parts: PartsLoader | None = None


def _structured(path: Path) -> list[EvaluationForm]:
    forms = []
    for part in load_structured_parts(path):
        if isinstance(part, ReportgenError):
            raise part
        forms.append(part)
    return forms


_STRUCTURED = Format(_structured, load_structured_parts)


# imported only when such a file is read; the readers import openpyxl/python-docx through ``require``, so a
# missing or broken package is named as such
def _tabular(path: Path) -> list[EvaluationForm]:
    from reportgen.loaders.tabular import load_forms

    return load_forms(path)


def _tabular_parts(path: Path) -> list[EvaluationForm | ReportgenError]:
    from reportgen.loaders.tabular import load_form_parts

    return load_form_parts(path)


_TABULAR = Format(_tabular, _tabular_parts)

# suffix -> how to read it: every file type reportgen reads, in one table (register_loader adds to it)
_FORMATS: dict[str, Format] = {
    ".yaml": _STRUCTURED,
    ".yml": _STRUCTURED,
    ".json": _STRUCTURED,
    ".xlsx": _TABULAR,
    ".xlsm": _TABULAR,
    ".docx": _TABULAR,
    ".txt": _TABULAR,
    ".tsv": _TABULAR,
}


@dataclass
class Loaded:
    """What one file held: the forms read, in file order, and the error of each part that could not be read."""

    path: Path
    forms: list[EvaluationForm] = field(default_factory=list)
    failures: list[ReportgenError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def register_loader(suffix: str, loader: Loader, parts: PartsLoader | None = None) -> None:
    """Make ``load`` accept files ending in ``suffix``; ``parts`` reads each project on its own."""
    _FORMATS[suffix.lower()] = Format(loader, parts)


def supported_suffixes() -> tuple[str, ...]:
    return tuple(sorted(_FORMATS))


def _format(path: Path) -> Format:
    suffix = path.suffix.lower()
    kind = _FORMATS.get(suffix)
    if kind is None:
        raise InputError(
            f"不支持的文件类型“{suffix or '无扩展名'}”",
            where=str(path),
            hint="支持的格式：" + "、".join(supported_suffixes()),
        )
    if not path.exists():
        raise InputError("文件不存在", where=str(path), hint="请检查路径")
    if path.is_dir():
        raise InputError("这是一个文件夹，不是文件", where=str(path), hint="批量处理文件夹请用 reportgen batch")
    return kind


def load_parts(path: str | Path) -> Loaded:
    """Load every form in ``path`` that can be read; name each part (sheet, project) that cannot.

    Raises when the file as a whole cannot be read (missing, unsupported, damaged, no form in it).
    """
    from reportgen.loaders.report_like import REPORT_SUFFIXES, looks_like_report, report_error

    path = Path(path)
    if path.suffix.lower() in REPORT_SUFFIXES and path.is_file():
        raise report_error(path)
    kind = _format(path)
    try:
        if kind.parts is None:
            return Loaded(path, forms=_some(kind.load(path), path))
        loaded = Loaded(path)
        for part in kind.parts(path):
            if isinstance(part, ReportgenError):
                loaded.failures.append(part)
            else:
                loaded.forms.append(part)
        if not loaded.failures:
            _some(loaded.forms, path)
        elif not loaded.forms:
            raise loaded.failures[0]
        return loaded
    except InputError as exc:
        # not a form: a report draft handed to validate/render is told where it belongs
        if looks_like_report(path):
            raise report_error(path) from exc
        raise


def _some(forms: list[EvaluationForm], path: Path) -> list[EvaluationForm]:
    if not forms:
        raise InputError("文件中没有找到自评表", where=str(path))
    return forms


def load_all(path: str | Path) -> list[EvaluationForm]:
    """Load every form in ``path``; any part that cannot be read refuses the file (see ``load_parts``)."""
    loaded = load_parts(path)
    if loaded.failures:
        raise loaded.failures[0]
    return loaded.forms


def load(path: str | Path) -> EvaluationForm:
    """Load the single form in ``path``."""
    forms = load_all(path)
    if len(forms) > 1:
        raise InputError(
            f"文件包含 {len(forms)} 个项目，此处只能处理一个",
            where=str(path),
            hint="reportgen render、validate 和 batch 会逐个处理文件中的每个项目",
        )
    return forms[0]
