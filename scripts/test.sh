#!/usr/bin/env bash
# Quickstart 2: set up (with dev tools and headless Chromium) and run lint, types, tests and the quick eval.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev
export HF_HUB_OFFLINE=1 GRADIO_ANALYTICS_ENABLED=False
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  # The browser test drives Debian's Chromium; without it that test is skipped (and says why).
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-core fonts-noto-color-emoji >/dev/null) \
    || echo "warning: could not install chromium; browser tests will be skipped" >&2
fi
.venv/bin/ruff check .
.venv/bin/mypy
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
# Quick eval tier on a fresh temporary index: fails on regression below the recorded floor.
store="$(mktemp -d)"
trap 'rm -rf "$store"' EXIT
PLANS_STORE_DIR="$store" .venv/bin/plans ingest >/dev/null
PLANS_STORE_DIR="$store" .venv/bin/plans eval --tier quick --no-report \
  --fail-under "$(cat evals/quick_floor.txt)"
