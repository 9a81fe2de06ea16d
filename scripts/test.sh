#!/usr/bin/env bash
# Install (with the test tools), then run the whole test suite against the installed package.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev
repo="$(pwd)"
# prove the installed wheel works from any folder: templates and lexicon must ship inside it
( cd "$(mktemp -d)" && "$repo/.venv/bin/reportgen" validate "$repo/examples/社会保障专项-2020.yaml" >/dev/null )
.venv/bin/ruff check reportgen tests benchmarks
.venv/bin/python -m mypy reportgen  # configuration in pyproject.toml [tool.mypy]
# tests import the source tree (python -m puts it first on sys.path); the smoke run above covers the wheel
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
