"""An index several machines fill together: the record, readings and claims live in the store (index/shared.py).

These run the shared code through qdrant-client's local mode, a real Qdrant store in a temp folder opened as
shared; tests/test_server.py runs the same against a server when QDRANT_URL is set."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import fakes
import pytest

from assistant.service import Assistant
from assistant.settings import Settings, load_settings
from index import shared
from index.build import build_config, collection_name, ingest
from index.embedders import Kind, Vectors
from index.store import QdrantStore

PLANS = Path(__file__).resolve().parent / "plans"


class CountingFakeEmbedder(fakes.FakeHashEmbedder):
    """The fake hash embedder, counting the passages it embeds (a plan committed elsewhere must not be)."""

    def __init__(self) -> None:
        super().__init__()
        self.passages = 0

    def embed(self, texts: Sequence[str], kind: Kind) -> Vectors:
        if kind == "passage":
            self.passages += len(texts)
        return super().embed(texts, kind)


@pytest.fixture(autouse=True)
def no_settle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shared, "CLAIM_SETTLE_S", 0.0)  # one process here: no other writer to wait for


@pytest.fixture
def store(tmp_path: Path) -> Iterator[QdrantStore]:
    s = QdrantStore(path=tmp_path / "qdrant", shared=True)
    yield s
    s.close()


def machine(tmp_path: Path, name: str, files: Sequence[str]) -> Settings:
    """One machine: its own corpus folder and store folder (readings, lexicon, its copy of the record)."""
    corpus = tmp_path / name / "plans"
    corpus.mkdir(parents=True)
    for f in files:
        shutil.copy(PLANS / f, corpus / f)
    return load_settings(corpus_dir=corpus, store_dir=tmp_path / name / "store", manifest=tmp_path / "none.toml",
                         repair=False, embedder="fake-hash")


def test_two_machines_fill_one_index_and_a_third_answers_from_it(tmp_path: Path, store: QdrantStore) -> None:
    a = machine(tmp_path, "a", ["ward_targets.txt", "field_blocks.txt"])
    b = machine(tmp_path, "b", ["field_blocks.txt", "decision_with_table.txt"])
    first = ingest(a, embedder=CountingFakeEmbedder(), store=store)
    assert sorted(first.indexed) == ["field_blocks.txt", "ward_targets.txt"]
    counting = CountingFakeEmbedder()
    second = ingest(b, embedder=counting, store=store)
    # The plan machine a committed is not embedded again; machine b's own folder does not remove a's plans.
    assert second.indexed == ["decision_with_table.txt"] and second.unchanged == ["field_blocks.txt"]
    assert not second.removed
    assert counting.passages == second.pieces - second.cached
    # Exactly the texts of its one new plan: as many as that plan alone makes in an index of its own.
    alone_store = QdrantStore(path=tmp_path / "qdrant-alone", shared=True)
    try:
        alone = ingest(machine(tmp_path, "alone", ["decision_with_table.txt"]), embedder=CountingFakeEmbedder(),
                       store=alone_store)
    finally:
        alone_store.close()
    assert counting.passages == alone.pieces - alone.cached > 0
    assert second.total_chunks == first.chunks + second.chunks

    c = machine(tmp_path, "c", [])  # answers only: nothing local yet
    assistant = Assistant.open(c, embedder=fakes.FakeHashEmbedder(), store=store)
    assert {m.doc for m in assistant.plan_list()} == {"ward_targets.txt", "field_blocks.txt",
                                                      "decision_with_table.txt"}
    answer = assistant.ask("Phường Hạc Thành có bao nhiêu trạm phát sóng 5G?")
    assert "188" in answer.answer
    cited = answer.citations[0]
    lines = (PLANS / cited.doc).read_text(encoding="utf-8").splitlines()
    assert cited.quote in " ".join(" ".join(lines[cited.lines[0] - 1:cited.lines[1]]).split())
    # Machine c read the texts from the store: the plans' readings are now in its own folder.
    assert len(list((c.store_dir / "readings").glob("*.json"))) == 3


def test_a_plan_another_worker_holds_is_left_to_it_until_its_claim_expires(tmp_path: Path,
                                                                           store: QdrantStore) -> None:
    a = machine(tmp_path, "a", ["ward_targets.txt", "field_blocks.txt"])
    embedder = fakes.FakeHashEmbedder()
    collection = collection_name(a, build_config(a, embedder))
    held = fakes_sha(PLANS / "ward_targets.txt")
    mine, others = shared.claim(store, collection, [held], "other-host:1", settle_s=0)
    assert mine == [held] and not others
    report = ingest(a, embedder=embedder, store=store)
    assert report.indexed == ["field_blocks.txt"] and report.elsewhere == ["ward_targets.txt"]
    assert "ward_targets.txt" not in shared.published(store, collection)
    # The other worker died: an hour later its claim is taken over.
    shared.claim(store, collection, [held], "other-host:1", settle_s=0,
                 now=lambda: time.time() - 2 * shared.CLAIM_TTL_S)
    again = ingest(a, embedder=embedder, store=store)
    assert again.indexed == ["ward_targets.txt"] and not again.elsewhere
    assert set(shared.published(store, collection)) == {"ward_targets.txt", "field_blocks.txt"}
    # Claims are released once their plans are committed.
    assert not store.docs(collection + shared.CLAIMS)


def test_a_changed_plan_replaces_its_old_version_for_every_machine(tmp_path: Path, store: QdrantStore) -> None:
    a = machine(tmp_path, "a", ["ward_targets.txt"])
    embedder = fakes.FakeHashEmbedder()
    ingest(a, embedder=embedder, store=store)
    path = a.corpus_dir / "ward_targets.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("188 trạm", "190 trạm"), encoding="utf-8")
    ingest(a, embedder=embedder, store=store)
    collection = collection_name(a, build_config(a, embedder))
    entries = shared.published(store, collection)
    assert list(entries) == ["ward_targets.txt"] and entries["ward_targets.txt"]["sha256"] == fakes_sha(path)
    assert store.count(collection) == entries["ward_targets.txt"]["chunks"]  # the old version's chunks are gone
    c = machine(tmp_path, "c", [])
    assistant = Assistant.open(c, embedder=embedder, store=store)
    assert "190" in assistant.ask("Phường Hạc Thành có bao nhiêu trạm phát sóng 5G?").answer


def fakes_sha(path: Path) -> str:
    """The content hash ingest keys a plan by."""
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_rebuild_of_a_shared_index_is_refused_with_the_way_to_start_over(tmp_path: Path,
                                                                          store: QdrantStore) -> None:
    from index.store import StoreError

    a = machine(tmp_path, "a", ["ward_targets.txt"])
    ingest(a, embedder=fakes.FakeHashEmbedder(), store=store)
    with pytest.raises(StoreError, match="delete the collections"):
        ingest(a, embedder=fakes.FakeHashEmbedder(), store=store, rebuild=True)
    assert store.count(collection_name(a, build_config(a, fakes.FakeHashEmbedder()))) > 0


def test_a_different_file_of_the_same_name_does_not_replace_another_machine_s_plan(
        tmp_path: Path, store: QdrantStore, monkeypatch: pytest.MonkeyPatch) -> None:
    a = machine(tmp_path, "a", ["ward_targets.txt"])
    ingest(a, embedder=fakes.FakeHashEmbedder(), store=store)
    b = machine(tmp_path, "b", [])
    other = (PLANS / "field_blocks.txt").read_bytes()
    (b.corpus_dir / "ward_targets.txt").write_bytes(other)  # another plan under the same file name
    monkeypatch.setattr(shared, "host", lambda: "machine-b")
    report = ingest(b, embedder=fakes.FakeHashEmbedder(), store=store)
    assert [s.doc for s in report.skipped] == ["ward_targets.txt"] and "rename" in report.skipped[0].reason
    collection = collection_name(a, build_config(a, fakes.FakeHashEmbedder()))
    assert shared.published(store, collection)["ward_targets.txt"]["sha256"] == fakes_sha(PLANS / "ward_targets.txt")


def test_a_damaged_local_record_does_not_stop_a_shared_ingest(tmp_path: Path, store: QdrantStore) -> None:
    a = machine(tmp_path, "a", ["ward_targets.txt"])
    ingest(a, embedder=fakes.FakeHashEmbedder(), store=store)
    a.build_record.write_text("{not json", encoding="utf-8")  # the local copy only; the store holds the record
    again = ingest(a, embedder=fakes.FakeHashEmbedder(), store=store)
    assert again.unchanged == ["ward_targets.txt"] and not again.indexed


def test_a_running_assistant_takes_in_plans_other_machines_commit(tmp_path: Path, store: QdrantStore,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import assistant.service
    from index.store import StoreError

    a = machine(tmp_path, "a", ["ward_targets.txt"])
    ingest(a, embedder=fakes.FakeHashEmbedder(), store=store)
    c = machine(tmp_path, "c", [])
    serving = Assistant.open(c, embedder=fakes.FakeHashEmbedder(), store=store)  # e.g. `plans serve`
    assert {m.doc for m in serving.plan_list()} == {"ward_targets.txt"}
    assert not serving.refresh()  # nothing new committed
    b = machine(tmp_path, "b", ["field_blocks.txt"])
    ingest(b, embedder=fakes.FakeHashEmbedder(), store=store)
    # Within the refresh interval the assistant serves the index as it opened it; after it, the new plan too.
    assert {m.doc for m in serving.plan_list()} == {"ward_targets.txt"}
    monkeypatch.setattr(assistant.service, "SHARED_REFRESH_S", 0.0)
    answer = serving.ask("Theo kế hoạch chuyển đổi số nông nghiệp của tỉnh Hòa Bình, ai chủ trì xây dựng cơ sở dữ "
                         "liệu giống cây trồng?")
    assert {m.doc for m in serving.plan_list()} == {"ward_targets.txt", "field_blocks.txt"}
    assert answer.citations and answer.citations[0].doc == "field_blocks.txt"

    # A server that fails at a refresh: the question is still answered, from the index as last seen.
    def down(*_: object, **__: object) -> None:
        raise StoreError("The Qdrant server failed")

    monkeypatch.setattr(assistant.service, "sync_shared", down)
    still = serving.ask("Phường Hạc Thành có bao nhiêu trạm phát sóng 5G?")
    assert "188" in still.answer
    with pytest.raises(StoreError):
        serving.refresh()
