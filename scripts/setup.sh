#!/usr/bin/env bash
# Install everything reportgen needs on a fresh Debian machine (Python 3.11+):
# Debian packages when missing (CJK fonts, HarfBuzz subsetting, pdftotext), then a venv in .venv.
# Usage: bash scripts/setup.sh [dev|preview]
#   dev      adds the test tools and the Dask extra (its tests run in CI).
#   preview  dev, plus LibreOffice (Debian's libreoffice-writer-nogui, ~300 MB) for scripts/preview.py's
#            Word pages and the .docx conversion test. Opt-in: CI and the dev path never install it.
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-}"
case "$mode" in
  ""|dev|preview) ;;
  *) echo "usage: bash scripts/setup.sh [dev|preview]" >&2; exit 2 ;;
esac
need=()
pkgs=(fonts-noto-cjk libharfbuzz-subset0 poppler-utils)
# the web page's browser tests drive Debian's chromium (Playwright never downloads a browser here)
if [ "$mode" = "dev" ] || [ "$mode" = "preview" ]; then pkgs+=(chromium); fi
# soffice converts the .docx to PDF for its preview pages (scripts/preview.py)
if [ "$mode" = "preview" ]; then pkgs+=(libreoffice-writer-nogui); fi
for pkg in "${pkgs[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "安装系统软件包 / installing Debian packages: ${need[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

PY="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
extra=""; [ -n "$mode" ] && extra="[dev,dask]"
# a regular (non-editable) install: the wheel must carry templates/ and lexicon/ itself
.venv/bin/python -m pip install -q --force-reinstall --no-deps ".$extra" >/dev/null
.venv/bin/python -m pip install -q ".$extra" >/dev/null
