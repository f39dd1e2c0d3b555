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
