"""Reading one YAML file of the lexicon (causes.yaml, themes.yaml): the user's copy or the built-in one,
bounded, with Chinese errors that name the file and line."""

from __future__ import annotations

from pathlib import Path

import yaml

from reportgen.errors import LexiconError
from reportgen.loaders.safeyaml import load_bounded
from reportgen.resources import confined, lexicon_dir


def lexicon_file(name: str, overlay: str | None = None) -> Path:
    """``name`` from the user's lexicon folder if it has one, else the built-in file."""
    if overlay:
        candidate = confined(Path(overlay), name, LexiconError)
        if candidate.is_file():
            return candidate
    return lexicon_dir() / name


def read_yaml(path: Path) -> object:
    """The file's data (``{}`` when empty); syntax and read errors as ``LexiconError`` with the place."""
    try:
        return load_bounded(path.read_text(encoding="utf-8"), str(path), LexiconError) or {}
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise LexiconError(f"词库文件 YAML 语法错误（{exc.problem}）", where=where) from exc
    except OSError as exc:
        raise LexiconError(f"无法读取词库文件（{exc.strerror}）", where=str(path)) from exc
