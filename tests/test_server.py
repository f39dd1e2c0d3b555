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


def test_two_machines_fill_one_server_index(tmp_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Two ingests with their own folders (two machines) fill one collection; a third machine answers from it."""
    base = replace(tmp_settings, qdrant_url=os.environ["QDRANT_URL"],
                   qdrant_api_key=os.environ.get("QDRANT_API_KEY", ""), collection=f"test_{uuid.uuid4().hex[:8]}")
    docs = sorted(p.name for p in base.corpus_dir.glob("*.txt"))
    machines = []
    for name, part in (("a", docs[:3]), ("b", docs[2:])):
        folder = tmp_path_factory.mktemp(f"machine-{name}")
        (folder / "plans").mkdir()
        for doc in part:
            (folder / "plans" / doc).write_bytes((base.corpus_dir / doc).read_bytes())
        machines.append(replace(base, corpus_dir=folder / "plans", store_dir=folder / "store"))
    first = ingest(machines[0])
    second = ingest(machines[1])
    assert second.unchanged == [docs[2]] and len(second.indexed) == len(docs) - 3
    reader = replace(base, store_dir=tmp_path_factory.mktemp("machine-c") / "store")
    assistant = Assistant.open(reader)
    try:
        assert {m.doc for m in assistant.plan_list()} == set(docs)
    finally:
        assistant.close()
    store = open_store(base)
    try:
        for name in store.collections():
            if name.startswith(first.collection):
                store.drop_collection(name)
    finally:
        store.close()
