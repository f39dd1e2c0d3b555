"""Ingest into real Qdrant local mode (temp dir): incremental, idempotent, crash-safe, locked, mismatched."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import fakes
import pytest

from assistant.service import Assistant
from assistant.settings import REPO_ROOT, Settings
from index.build import ingest, open_store
from index.record import IndexMismatchError, NoIndexError, load_record
from index.store import QdrantStore, StoreLockedError


def _count(settings: Settings) -> int:
    record = load_record(settings.build_record)
    assert record is not None
    store = open_store(settings)
    try:
        return store.count(record.collection)
    finally:
        store.close()


def test_ingest_is_incremental_and_idempotent(tmp_settings: Settings) -> None:
    first = ingest(tmp_settings)
    assert len(first.indexed) == 5 and first.chunks > 200
    total = _count(tmp_settings)
    assert total == first.total_chunks
    again = ingest(tmp_settings)
    assert again.indexed == [] and len(again.unchanged) == 5 and again.chunks == 0
    assert _count(tmp_settings) == total
    # Change one plan: only it is re-embedded; the point count stays exact (old chunks removed).
    path = tmp_settings.corpus_dir / "002_8d078f4651206baf.txt"
    path.write_text(path.read_text(encoding="utf-8") + "\nBổ sung: báo cáo kết quả trước ngày 31/12/2025.\n",
                    encoding="utf-8")
    changed = ingest(tmp_settings)
    assert changed.indexed == ["002_8d078f4651206baf.txt"] and len(changed.unchanged) == 4
    assert _count(tmp_settings) == changed.total_chunks
    # Remove a plan: it disappears from the index.
    (tmp_settings.corpus_dir / "003_5169ba26eefcfb70.txt").unlink()
    removed = ingest(tmp_settings)
    assert removed.removed == ["003_5169ba26eefcfb70.txt"]
    record = load_record(tmp_settings.build_record)
    assert record is not None and "003_5169ba26eefcfb70.txt" not in record.plans
    assert _count(tmp_settings) == removed.total_chunks


def test_broken_files_are_skipped_and_the_rest_indexed(tmp_settings: Settings) -> None:
    (tmp_settings.corpus_dir / "empty.txt").write_text("")
    (tmp_settings.corpus_dir / "legacy.txt").write_bytes(fakes.to_cp1258("Kế hoạch của xã Tân Lập năm 2025") * 5)
    report = ingest(tmp_settings)
    assert len(report.indexed) == 5
    assert {s.doc for s in report.skipped} == {"empty.txt", "legacy.txt"}
    assert any("iconv" in line for line in report.lines())


def test_no_index_message_names_ingest(tmp_settings: Settings) -> None:
    with pytest.raises(NoIndexError, match="plans ingest"):
        Assistant.open(tmp_settings)


def test_mismatched_embedder_is_refused(tmp_settings: Settings) -> None:
    from dataclasses import replace

    ingest(tmp_settings)
    from fakes import FakeHashEmbedder

    other = FakeHashEmbedder(dim=32)
    with pytest.raises(IndexMismatchError, match="plans ingest"):
        Assistant.open(replace(tmp_settings), embedder=other)


def test_locked_store_names_qdrant_url(tmp_path: Path) -> None:
    first = QdrantStore(path=tmp_path / "q")
    try:
        with pytest.raises(StoreLockedError, match="QDRANT_URL"):
            QdrantStore(path=tmp_path / "q")
    finally:
        first.close()


def test_failed_ingest_keeps_previous_index(tmp_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    ingest(tmp_settings)
    before = load_record(tmp_settings.build_record)
    path = tmp_settings.corpus_dir / "000_35dce5dc0de49619.txt"
    path.write_text(path.read_text(encoding="utf-8") + "\nthêm một dòng\n", encoding="utf-8")

    def boom(*_: object, **__: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(QdrantStore, "delete_except", boom)  # crash after upsert, before cleanup
    monkeypatch.setattr("index.build.save_record", boom)
    with pytest.raises(RuntimeError):
        ingest(tmp_settings)
    monkeypatch.undo()
    after = load_record(tmp_settings.build_record)
    assert after is not None and before is not None and after.plans == before.plans
    assistant = Assistant.open(tmp_settings)
    try:
        answer = assistant.ask("Ai phải báo cáo trước ngày 10/11/2025?", k=20)
        spans = [(c.doc, c.lines) for c in answer.citations]
        assert len(spans) == len(set(spans))  # orphaned new chunks are invisible: no duplicates
        assert all(h[0] != "" for h in answer.retrieved)
        docs = [r for r in answer.retrieved if r[0] == path.name]
        assert len(docs) == len(set(docs))
    finally:
        assistant.close()
    ingest(tmp_settings)  # the next ingest repairs the index
    assert _count(tmp_settings) == sum(p["chunks"] for p in load_record(tmp_settings.build_record).plans.values())  # type: ignore[union-attr]


KILL_SCRIPT = """
import sys, fakes
from assistant.settings import load_settings
from index.build import ingest
from fakes import FakeHashEmbedder
s = load_settings(corpus_dir=sys.argv[1], store_dir=sys.argv[2], manifest=sys.argv[3], repair=False, embedder="fake-hash")
print("start", flush=True)
ingest(s, embedder=FakeHashEmbedder(delay=0.5), rebuild=True)
"""


def test_kill_9_mid_ingest_leaves_previous_index_usable(tmp_settings: Settings) -> None:
    ingest(tmp_settings)
    before = load_record(tmp_settings.build_record)
    count_before = _count(tmp_settings)
    env = {**os.environ, "PYTHONPATH": f"{REPO_ROOT}{os.pathsep}{Path(__file__).parent}"}
    proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(tmp_settings.corpus_dir),
                             str(tmp_settings.store_dir), str(tmp_settings.manifest)], env=env,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "start"
    time.sleep(6)  # well into embedding/upserting
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    after = load_record(tmp_settings.build_record)
    assert after is not None and before is not None and after.plans == before.plans
    assert _count(tmp_settings) == count_before
    assistant = Assistant.open(tmp_settings)
    try:
        assert not assistant.ask("Ai phải báo cáo trước ngày 10/11/2025?").abstained
    finally:
        assistant.close()


def test_ingest_of_named_files_keeps_the_other_plans(tmp_settings: Settings) -> None:
    ingest(tmp_settings)
    path = tmp_settings.corpus_dir / "002_8d078f4651206baf.txt"
    path.write_text(path.read_text(encoding="utf-8") + "\nBổ sung một dòng.\n", encoding="utf-8")
    report = ingest(tmp_settings, [path])
    assert report.indexed == ["002_8d078f4651206baf.txt"] and report.removed == []
    record = load_record(tmp_settings.build_record)
    assert record is not None and len(record.plans) == 5
    assert _count(tmp_settings) == report.total_chunks


def test_rebuild_replaces_an_unreadable_record(tmp_settings: Settings) -> None:
    ingest(tmp_settings)
    tmp_settings.build_record.write_text("{not json", encoding="utf-8")
    with pytest.raises(NoIndexError, match="--rebuild"):
        ingest(tmp_settings)
    report = ingest(tmp_settings, rebuild=True)
    assert len(report.indexed) == 5 and load_record(tmp_settings.build_record) is not None
