from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SEED_EXAMPLE = EXAMPLES / "社会保障专项-2020.yaml"
SEED_TEXT = ROOT.parent / "shared" / "seeds" / "000_4158cb152188c568.txt"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def seed_path() -> Path:
    return SEED_EXAMPLE


def example_paths() -> list[Path]:
    return sorted(EXAMPLES.glob("*.yaml"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--regen-goldens", action="store_true", help="rewrite tests/golden/*.md from current output")
