#!/usr/bin/env bash
# Install, then produce the seed project's report into out/ (or the folder given).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
outdir="${1:-out}"
.venv/bin/reportgen validate examples/社会保障专项-2020.yaml
