#!/usr/bin/env bash
# Create .venv in the checkout and install the project (offline-capable: only package registries are used).
# Usage: scripts/setup.sh [dev]
set -euo pipefail
cd "$(dirname "$0")/.."
extra="${1:-}"
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
# torch first and pinned in every call: an unpinned resolve pulls gigabytes of CUDA wheels.
.venv/bin/pip install -q --disable-pip-version-check torch==2.13.0
if [ "$extra" = "dev" ]; then
  .venv/bin/pip install -q --disable-pip-version-check torch==2.13.0 -e ".[dev]"
else
  .venv/bin/pip install -q --disable-pip-version-check torch==2.13.0 -e .
fi
# Scans (PDFs without a text layer, images) are read by Tesseract with its Vietnamese model, from Debian's
# packages; without it such files are skipped with a reason that says how to install it.
if ! command -v tesseract >/dev/null || ! tesseract --list-langs 2>/dev/null | grep -qx vie; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tesseract-ocr tesseract-ocr-vie \
      >/dev/null) || echo "warning: could not install Tesseract; scanned plans will be skipped" >&2
  else
    echo "note: install tesseract-ocr and tesseract-ocr-vie to read scanned plans" >&2
  fi
fi
