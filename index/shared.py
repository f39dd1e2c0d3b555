"""An index several machines fill together (a Qdrant server or cluster, QDRANT_URL): the build record and the
plans' readings live in the store beside the chunks, and a plan is claimed before it is embedded.

Two collections sit beside a build's chunk collection `C`:
- `C__plans`: one point per committed plan (no vector): its record entry and its reading (raw lines and restored
  reading). Writing it is the commit point of a plan: every machine's answers see the plan from then on.
- `C__claims`: one point per plan being indexed: which worker, since when. A claim older than CLAIM_TTL_S is
  abandoned (the worker died) and may be taken over.

A machine that answers (or ingests) copies what it lacks into its own store folder first (`sync`): the record
entries and the readings; index.build.catch_up_lexicon then counts the new plans' words for its English lexicon.
"""

from __future__ import annotations

import json
import os
import socket
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from index.store import QdrantStore

PLANS = "__plans"
CLAIMS = "__claims"
CLAIM_TTL_S = 3600.0  # a batch of 50 plans takes minutes; a claim this old belongs to a worker that died
CLAIM_SETTLE_S = 2.0  # wait after writing claims, then read them back: of two workers that wrote, one wins
_NAMESPACE = uuid.UUID("0b1d3a5e-8f5c-4b8e-9a51-6c2f0e7d4a19")


def worker_id() -> str:
    """This process, as claims name it: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _doc_id(key: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, key))


def host() -> str:
    """This machine, as the record names who published a plan."""
    return socket.gethostname()


_BUILD = _doc_id("build")  # the point of the record that holds what all plans share


def published(store: QdrantStore, collection: str) -> dict[str, dict[str, Any]]:
    """The committed plans of a shared build: doc -> record entry (without the reading)."""
    out: dict[str, dict[str, Any]] = {}
    for payload in store.docs(collection + PLANS, fields=("doc", "entry")):
        if "doc" in payload:
            out[str(payload["doc"])] = dict(payload["entry"])
    return out


def avgdl(store: QdrantStore, collection: str) -> float:
    """The BM25 length norm all workers of a shared build use (0.0 before the first one set it)."""
    found = store.get_docs(collection + PLANS, [_BUILD]).get(_BUILD) or {}
    return float(found.get("avgdl", 0.0))


def set_avgdl(store: QdrantStore, collection: str, value: float) -> float:
    """Keep the first worker's length norm for the others; returns the one in force (a race keeps the last)."""
    store.ensure_docs(collection + PLANS)
    store.put_docs(collection + PLANS, [(_BUILD, {"avgdl": value})])
    return avgdl(store, collection) or value


def publish(store: QdrantStore, collection: str, entries: dict[str, dict[str, Any]], readings: dict[str, Any]) -> None:
    """Commit plans to the shared record, one point per file name (a new version replaces the old one): each
    doc's entry, marked with the publishing host, with its reading (sha256 -> reading JSON)."""
    store.ensure_docs(collection + PLANS)
    store.put_docs(collection + PLANS, [(_doc_id(f"doc:{doc}"), {"doc": doc, "entry": {**e, "host": host()},
                                                                  "reading": readings[e["sha256"]]})
                                        for doc, e in entries.items()])


def committed(store: QdrantStore, collection: str, docs: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The committed entries of these file names, as the store has them now (doc -> entry)."""
    found = store.get_docs(collection + PLANS, [_doc_id(f"doc:{d}") for d in docs])
    return {str(p["doc"]): dict(p["entry"]) for p in found.values() if "doc" in p}


def claim(store: QdrantStore, collection: str, sha256s: Sequence[str], me: str,
          settle_s: float | None = None, now: Callable[[], float] = time.time) -> tuple[list[str], dict[str, str]]:
    """Claim plans (by content hash) for this worker: (the ones it holds now, the others' holders).

    Qdrant has no insert-if-absent: a worker skips plans with a live claim, writes its claims, waits `settle_s`
    and reads them back; of two workers that wrote the same claim within that time the last write wins for both
    readers. A worker that looked before the other wrote sees the other's claim, so the window is the few
    milliseconds between looking and writing, far shorter than `settle_s`.
    """
    name = collection + CLAIMS
    store.ensure_docs(name)
    ids = {s: _doc_id(s) for s in sha256s}
    current = store.get_docs(name, list(ids.values()))
    others: dict[str, str] = {}
    free: list[str] = []
    for sha, pid in ids.items():
        held = current.get(pid)
        if held and held.get("worker") != me and now() - float(held.get("at", 0.0)) < CLAIM_TTL_S:
            others[sha] = str(held.get("worker"))
        else:
            free.append(sha)
    if not free:
        return [], others
    store.put_docs(name, [(ids[s], {"sha256": s, "worker": me, "at": now()}) for s in free])
    time.sleep(CLAIM_SETTLE_S if settle_s is None else settle_s)
    back = store.get_docs(name, [ids[s] for s in free])
    mine = [s for s in free if back.get(ids[s], {}).get("worker") == me]
    others.update({s: str(back.get(ids[s], {}).get("worker", "?")) for s in free if s not in mine})
    return mine, others


def release(store: QdrantStore, collection: str, sha256s: Sequence[str]) -> None:
    """Drop this worker's claims (the plans are committed, or failed)."""
    if sha256s:
        store.delete_docs(collection + CLAIMS, [_doc_id(s) for s in sha256s])


def sync(store: QdrantStore, collection: str, local: dict[str, dict[str, Any]],
         write_reading: Callable[[str, dict[str, Any]], None]) -> dict[str, dict[str, Any]]:
    """The shared record, with what this machine lacks copied in: for each plan not in `local` (doc -> entry),
    its reading (written with `write_reading(sha256, reading)`)."""
    if not store.has_collection(collection + PLANS):
        return {}
    entries = published(store, collection)
    new = {doc: e for doc, e in entries.items() if (local.get(doc) or {}).get("sha256") != e["sha256"]}
    if new:
        wanted = {_doc_id(f"doc:{doc}") for doc in new}
        for payload in store.get_docs(collection + PLANS, sorted(wanted), fields=("entry", "reading")).values():
            write_reading(str(payload["entry"]["sha256"]), dict(payload["reading"]))
    return entries


def reading_json(path: Path) -> dict[str, Any]:
    """A reading file saved by ingest, as it goes into the shared record."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
