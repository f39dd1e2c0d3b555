#!/usr/bin/env bash
# Quickstart 1: set everything up, build the index if needed, start the assistant (web UI on 127.0.0.1:7860).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1 GRADIO_ANALYTICS_ENABLED=False
.venv/bin/plans ingest
if .venv/bin/python -c "import ui.app" 2>/dev/null; then
  exec .venv/bin/plans serve "$@"
else
  exec .venv/bin/plans chat
fi
