"""The same ingest and query path against a Qdrant server: runs only when QDRANT_URL is set."""

from __future__ import annotations

import os
import uuid
from dataclasses import replace

import fakes  # noqa: F401  (registers the fake-hash embedder)
import pytest

from assistant.service import Assistant
from assistant.settings import Settings
from index.build import ingest, open_store

pytestmark = [pytest.mark.server,
              pytest.mark.skipif(not os.environ.get("QDRANT_URL"), reason="no Qdrant server: set QDRANT_URL to run")]


def test_ingest_and_ask_through_a_qdrant_server(tmp_settings: Settings) -> None:
    settings = replace(tmp_settings, qdrant_url=os.environ["QDRANT_URL"],
                       qdrant_api_key=os.environ.get("QDRANT_API_KEY", ""), collection=f"test_{uuid.uuid4().hex[:8]}")
    report = ingest(settings)
    assert len(report.indexed) == 5 and report.total_chunks > 200
    assistant = Assistant.open(settings)
    try:
        answer = assistant.ask("Ai phải báo cáo trước ngày 10/11/2025?")
        assert {c.doc for c in answer.citations} >= {"000_35dce5dc0de49619.txt", "002_8d078f4651206baf.txt"}
    finally:
        assistant.close()
    store = open_store(settings)
    try:
        store.drop_collection(report.collection)
    finally:
        store.close()
