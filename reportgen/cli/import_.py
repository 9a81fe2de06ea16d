"""``reportgen import`` (a workbook, Word table or form text → our YAML) and ``reportgen template-xlsx``."""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import click
import yaml
from pydantic import BaseModel

from reportgen.cli.base import Command
from reportgen.errors import InputError, RenderError, ReportgenError, UsageError
from reportgen.evaluation.model import EvaluationForm

TABULAR = (".xlsx", ".xlsm", ".docx", ".txt", ".tsv")


class _Dumper(yaml.SafeDumper):
    """YAML that reads like the examples: numbers plain, long texts as blocks, Chinese unescaped."""


def _decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    if value == value.to_integral_value():
        return dumper.represent_scalar("tag:yaml.org,2002:int", str(int(value)))
    return dumper.represent_scalar("tag:yaml.org,2002:float", format(value.normalize(), "f"))


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(Decimal, _decimal)
_Dumper.add_representer(str, _text)


def _plain(model: BaseModel) -> dict[str, Any]:
    """Return a model's set fields as plain data, canonical keys in the model's (= the format's) order."""
    out: dict[str, Any] = {}
    for name in type(model).model_fields:
        value = getattr(model, name)
        if value is None or value == [] or value == {} or (name == "core" and value is False):
            continue
        if name == "kind" and value == "project":
            continue  # the usual form; a department-wide one says so
        if isinstance(value, BaseModel):
            value = _plain(value)
        elif isinstance(value, list):
            value = [_plain(v) if isinstance(v, BaseModel) else v for v in value]
        elif name in ("rate", "coef") and isinstance(value, Decimal):
            value = format((value * 100).normalize(), "f") + "%"  # 执行率 reads best as printed
        out[name] = value
    return out


# the YAML carries the hash of its own text (this line left out): a file whose text still matches it
# is as reportgen wrote it, and may be replaced by a new import; an edited one never is
_SEAL = re.compile(r"^# 导入校验 ([0-9a-f]{16})（.*\n", re.MULTILINE)
_SEAL_LINE = "# 导入校验 {}（reportgen 据此判断文件导入后是否改过，改过的不会被覆盖）\n"


def _seal_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def form_yaml(form: EvaluationForm, source: str, warnings: list[str]) -> str:
    """Return the form as reviewable YAML, with where it came from and the reader's warnings as comments."""
    head = [f"# 由 reportgen import 从 {source} 导入，请逐项核对后使用。"]
    head.append(f"# 表式：{form.kind_label}（{form.kind_basis}）")
    if warnings:
        head.append(f"# 导入时有 {len(warnings)} 条警告（这些单元格没有导入）：")
        head.extend(f"#   {w}" for w in warnings)
    body = yaml.dump(_plain(form), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000)
    text = "\n".join(head) + "\n\n" + body
    return text.replace("\n\n", "\n" + _SEAL_LINE.format(_seal_of(text)) + "\n", 1)


def written_by_import(text: str) -> bool:
    """Say whether ``text`` is a YAML written by ``reportgen import`` and not changed since."""
    m = _SEAL.search(text)
    return m is not None and _seal_of(text[: m.start()] + text[m.end() :]) == m[1]


def _read(file: Path) -> tuple[list[tuple[EvaluationForm, list[str]]], list[ReportgenError]]:
    """The projects read from ``file`` with their warnings, and the error of each project that could not be read."""
    from reportgen.loaders import load_parts

    if not (file.suffix.lower() in TABULAR and file.is_file()):
        loaded = load_parts(file)
        return [(form, []) for form in loaded.forms], loaded.failures
    from reportgen.loaders.report_like import looks_like_report, report_error
    from reportgen.loaders.tabular import read_tabular_parts

    try:
        parts = read_tabular_parts(file)
        read = [(p[0], [w.format(str(file)) for w in p[1]]) for p in parts if not isinstance(p, ReportgenError)]
        failed = [p for p in parts if isinstance(p, ReportgenError)]
        if not read:
            raise failed[0] if failed else InputError("文件中没有找到自评表", where=str(file))
    except InputError as exc:
        if looks_like_report(file):
            raise report_error(file) from exc
        raise
    return read, failed


def _refuse_overwrite(path: Path, force: bool) -> None:
    """A file reportgen did not just write (or that was edited since) is never replaced without --force."""
    if force or not path.exists():
        return
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeError):
        text = ""
    if path.is_file() and written_by_import(text):
        return
    raise UsageError(
        "文件已存在，且不是 reportgen import 刚写入的（或导入后已修改），已保留原文件，没有覆盖",
        where=str(path),
        hint="请换一个文件名；如确要覆盖，请加 --force",
    )


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise RenderError(f"无法写入文件（{exc.strerror}）", where=str(path), hint="请检查目录是否存在、是否有写权限") from exc


def _file_name(form: EvaluationForm, taken: set[str]) -> str:
    stem = re.sub(r'[\\/:*?"<>|\s]+', "_", form.subject or "").strip("._") or "项目"
    name, n = f"{stem}.yaml", 1
    while name in taken:
        n += 1
        name = f"{stem}-{n}.yaml"
    taken.add(name)
    return name


@click.command("import", cls=Command, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="写入的 YAML 文件；文件含多个项目时为文件夹。省略则输出到屏幕 / output YAML file (a folder for several projects).",
)
@click.option("-q", "--quiet", is_flag=True, help="不显示警告 / do not print warnings.")
@click.option("--force", is_flag=True, help="覆盖已有的（或已修改过的）YAML 文件 / overwrite existing YAML files.")
def import_command(file: Path, output: Path | None, quiet: bool, force: bool) -> None:
    """把 Excel 工作簿、Word 表格或提取的表格文字导入为 YAML 自评表数据，供核对。

    Import a form from an Excel workbook (.xlsx), a Word table (.docx) or
    tab-separated form text (.txt/.tsv) as our YAML, for review. Every cell
    that could not be placed is reported with its place (Sheet1!H20, line:column).
    A sheet that cannot be read is named and the others are imported (exit 1).
    An existing YAML is replaced only while it is as an earlier import wrote it.
    """
    results, failed = _read(file)
    for exc in failed:
        click.echo(f"{exc.kind}：{exc}", err=True)
    _import(file, results, output, quiet, force)
    if failed:
        part = "工作表（项目）" if file.suffix.lower() in {".xlsx", ".xlsm"} else "项目"  # a YAML list has no sheets
        click.echo(f"有 {len(failed)} 个{part}未能导入（见上），其余 {len(results)} 个已导入。", err=True)
        raise SystemExit(1)


def _import(file: Path, results: list[tuple[EvaluationForm, list[str]]], output: Path | None, quiet: bool,
            force: bool) -> None:
    if not quiet:
        for _, warns in results:
            for w in warns:
                click.echo(f"警告：{w}", err=True)
    texts = [(form, form_yaml(form, file.name, warns)) for form, warns in results]
    if output is None:
        click.echo("---\n".join(text for _, text in texts), nl=False)
        return
    if len(texts) == 1 and not output.is_dir():
        _refuse_overwrite(output, force)
        _write(output, texts[0][1])
        form = texts[0][0]
        click.echo(f"已导入“{form.subject or '（未填名称）'}”（{form.kind_label}）：{output}", err=True)
        return
    if output.suffix and not output.is_dir():
        raise UsageError(
            f"文件中有 {len(texts)} 个项目，无法写入一个 YAML 文件", where=str(output), hint="请用 -o 指定一个文件夹"
        )
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RenderError(f"无法创建文件夹（{exc.strerror}）", where=str(output)) from exc
    taken: set[str] = set()
    named = [(output / _file_name(form, taken), text) for form, text in texts]
    for path, _ in named:  # refuse before writing any: all or nothing
        _refuse_overwrite(path, force)
    for path, text in named:
        _write(path, text)
    click.echo(f"已导入 {len(texts)} 个项目到 {output}", err=True)


@click.command("template-xlsx", cls=Command, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--from",
    "source",
    type=click.Path(dir_okay=False, path_type=Path),
    help="用这份自评表数据预先填好 / fill the workbook with this form.",
)
@click.option(
    "--type",
    "kind",
    type=click.Choice(["project", "department"]),
    default=None,
    help="表式：project 项目支出（默认），department 部门整体支出 / form type (default: project, "
    "or the --from form's own).",
)
@click.option("--force", is_flag=True, help="覆盖已有的工作簿 / overwrite an existing workbook.")
def template_xlsx(output: Path, source: Path | None, kind: str | None, force: bool) -> None:
    """生成标准格式的自评表 Excel 填报模板（含填表说明），填好后可直接读取。

    Write a fill-in workbook in the standard 项目支出绩效自评表 layout (merged
    headers, 10/50/30/10 defaults, validation, formulas, instructions sheet),
    or with --type department the 部门整体支出绩效自评表 layout (tasks table,
    flat indicator list with 得分系数 and 是否核心指标); reportgen reads it back
    as it was filled. An existing workbook is never replaced (it may be filled
    in) unless --force.
    """
    if output.suffix.lower() != ".xlsx":
        raise UsageError("模板文件名应以 .xlsx 结尾", where=str(output), hint="例如：reportgen template-xlsx 自评表.xlsx")
    if output.exists() and not force:
        raise UsageError(
            "文件已存在（可能已经填写），已保留原文件，没有生成模板",
            where=str(output),
            hint="请换一个文件名；如确要用空白模板替换，请加 --force",
        )
    form = None
    if source is not None:
        from reportgen.loaders import load

        form = load(source)
    from reportgen.loaders.xlsx_template import write_template

    if form is not None and kind is not None and kind != form.kind:
        raise UsageError(
            f"--type {kind} 与数据的表式（{form.kind_label}）不一致", hint="省略 --type 即按数据的表式生成"
        )
    write_template(output, form, kind)
    click.echo(f"已生成填报模板：{output}", err=True)
