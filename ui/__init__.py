"""Web UI for Trợ lý Kế hoạch: `ui.app.build_app` builds the Gradio app, `ui.app.serve` runs it locally."""

from __future__ import annotations
