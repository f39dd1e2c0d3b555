"""Chunks in Qdrant: embedded (local folder) by default, a server or cluster when QDRANT_URL is set."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from corpus.errors import PlansError
from corpus.records import Chunk

DENSE = "dense"
SPARSE = "sparse"
_NAMESPACE = uuid.UUID("6f1c7a52-3c1e-4c55-9a55-0b5e8f1e2d10")
# Keyword payload indexes: the plan filter of every search, and filters by place or level, resolve from the
# index instead of reading each point's payload (what keeps filtered search fast at thousands of plans).
INDEXED_FIELDS = ("plan_id", "plan_hash", "doc", "locality", "level")
Sparse = tuple[list[int], list[float]]


class StoreError(PlansError, RuntimeError):
    """The vector store cannot be opened or used."""


class StoreLockedError(StoreError):
    """Another process holds the embedded store."""


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its fused rank score and (when asked for) its dense vector."""

    chunk: Chunk
    score: float
    locality: str
    dense: tuple[float, ...] = ()


def point_id(chunk: Chunk) -> str:
    """Deterministic id from plan content hash and line span: re-ingest never duplicates."""
    return str(uuid.uuid5(_NAMESPACE, f"{chunk.plan_hash}:{chunk.line_start}:{chunk.line_end}"))


def chunk_payload(chunk: Chunk, locality: str, level: str) -> dict[str, Any]:
    """Everything needed to rebuild the Chunk and filter by plan or locality."""
    return {"plan_id": chunk.plan_id, "doc": chunk.doc, "heading_path": list(chunk.heading_path),
            "line_start": chunk.line_start, "line_end": chunk.line_end, "raw_text": chunk.raw_text,
            "restored_text": chunk.restored_text, "segmented_text": chunk.segmented_text,
            "kind": chunk.kind, "plan_hash": chunk.plan_hash, "locality": locality, "level": level} | (
                {"cells": [list(c) for c in chunk.cells]} if chunk.cells else {})


def chunk_from_payload(payload: dict[str, Any]) -> Chunk:
    """Inverse of chunk_payload."""
    return Chunk(plan_id=payload["plan_id"], doc=payload["doc"], heading_path=tuple(payload["heading_path"]),
                 line_start=int(payload["line_start"]), line_end=int(payload["line_end"]),
                 raw_text=payload["raw_text"], restored_text=payload["restored_text"],
                 segmented_text=payload.get("segmented_text", ""), kind=payload.get("kind", "body"),
                 plan_hash=payload["plan_hash"],
                 cells=tuple((int(a), int(b), int(c), int(d), str(h), str(u))
                             for a, b, c, d, h, u in payload.get("cells", [])))


def point_with_vectors(payload: dict[str, Any] | None, vector: Any) -> tuple[Chunk, list[float], Sparse]:
    """(chunk, dense, sparse) of a point read with its vectors (either client's point: vector by name)."""
    named: Any = vector if isinstance(vector, dict) else {}
    sp = named.get(SPARSE)
    return (chunk_from_payload(payload or {}), [float(x) for x in named.get(DENSE, [])],
            (list(sp.indices), list(sp.values)) if sp is not None else ([], []))


class Store(Protocol):
    """What ingest and answering need from a vector store (QdrantStore, EdgeStore)."""

    location: str
    is_remote: bool

    def close(self) -> None: ...
    def has_collection(self, name: str) -> bool: ...
    def ensure_collection(self, name: str, dim: int) -> None: ...
    def drop_collection(self, name: str) -> None: ...
    def collections(self) -> list[str]: ...
    def upsert(self, name: str, chunks: Sequence[Chunk], dense: Sequence[Sequence[float]],
               sparse: Sequence[tuple[list[int], list[float]]], meta: dict[str, tuple[str, str]]) -> None: ...
    def delete_except(self, name: str, keep_hashes: Iterable[str]) -> None: ...
    def count(self, name: str) -> int: ...
    def hybrid(self, name: str, dense: Sequence[float], sparse: tuple[list[int], list[float]],
               plan_hashes: Sequence[str], plan_ids: Sequence[str] = (), limit: int = 8,
               prefetch: int = 40, mode: str = "hybrid") -> list[Hit]: ...
    def scroll_plan(self, name: str, doc: str, plan_hash: str, kinds: Sequence[str] = ()) -> list[Chunk]: ...
    def scroll_plans(self, name: str, plans: Mapping[str, str], kinds: Sequence[str] = ()
                     ) -> dict[str, list[Chunk]]: ...
    def iter_chunks(self, name: str) -> Iterator[list[Chunk]]: ...
    def plan_points(self, name: str, doc: str, plan_hash: str) -> list[tuple[Chunk, list[float], Sparse]]: ...


SCROLL_DOCS = 500  # files named in one scroll filter


def _already_exists(exc: Exception) -> bool:
    """Whether a create failed only because the collection is there (a server answers 409, local mode raises)."""
    return "already exists" in str(exc).lower() or "409" in str(exc)


class QdrantStore:
    """One collection per build configuration: named dense + named sparse (IDF) vectors per chunk."""

    def __init__(self, path: Path | None = None, url: str = "", api_key: str = "", shared: bool | None = None,
                 shards: int = 0, replicas: int = 0) -> None:
        from qdrant_client import QdrantClient

        self.location = url or str(path)
        self.is_remote = bool(url)
        # Shared: several machines fill it, so the record and readings live in it (index/shared.py). A server is;
        # a local folder is only when asked (tests run the shared code through qdrant-client's local mode).
        self.shared = bool(url) if shared is None else shared
        self._shards, self._replicas = (shards or None, replicas or None) if url else (None, None)
        try:
            if url:
                self.client = QdrantClient(url=url, api_key=api_key or None, timeout=30)
                self.client.get_collections()
            else:
                assert path is not None
                path.mkdir(parents=True, exist_ok=True)
                self.client = QdrantClient(path=str(path))
        except RuntimeError as exc:
            if "already accessed" in str(exc):
                raise StoreLockedError(
                    f"The index at {path} is in use by another process (a running `plans serve` or "
                    "`plans chat`?). The embedded store allows one process at a time: add plans from the web "
                    "UI's \"Add plans\" tab while it runs, or stop the other process and run the command again, "
                    "or run a Qdrant server and set QDRANT_URL so several processes can share it.") from exc
            raise StoreError(f"Cannot open the Qdrant store at {self.location}: {exc}") from exc
        except Exception as exc:
            raise StoreError(f"Cannot reach Qdrant at {self.location}: {exc}. Check QDRANT_URL / "
                             "QDRANT_API_KEY, or unset QDRANT_URL to use the embedded store.") from exc

    def close(self) -> None:
        """Release the store (and, in local mode, its folder lock)."""
        self.client.close()

    def has_collection(self, name: str) -> bool:
        """Whether the collection exists."""
        return bool(self.client.collection_exists(name))

    def ensure_collection(self, name: str, dim: int) -> None:
        """Create the collection with named dense and sparse vectors if it is missing."""
        from qdrant_client import models

        if self.has_collection(name):
            return
        self._create(name, vectors_config={DENSE: models.VectorParams(size=dim, distance=models.Distance.COSINE)},
                     sparse_vectors_config={SPARSE: models.SparseVectorParams(modifier=models.Modifier.IDF)})
        if self.is_remote:  # local mode ignores payload indexes (and warns)
            for field in INDEXED_FIELDS:
                self.client.create_payload_index(name, field, models.PayloadSchemaType.KEYWORD)

    def drop_collection(self, name: str) -> None:
        """Delete a collection (an old build configuration)."""
        if self.has_collection(name):
            self.client.delete_collection(name)

    def collections(self) -> list[str]:
        """Names of all collections."""
        return [c.name for c in self.client.get_collections().collections]

    def upsert(self, name: str, chunks: Sequence[Chunk], dense: Sequence[Sequence[float]],
               sparse: Sequence[tuple[list[int], list[float]]], meta: dict[str, tuple[str, str]]) -> None:
        """Write chunks with their vectors; `meta` maps plan_id to (locality label, level)."""
        from qdrant_client import models

        points = [
            models.PointStruct(
                id=point_id(c),
                vector={DENSE: list(map(float, d)), SPARSE: models.SparseVector(indices=s[0], values=s[1])},
                payload=chunk_payload(c, *meta.get(c.plan_id, ("", ""))),
            )
            for c, d, s in zip(chunks, dense, sparse, strict=True)
        ]
        for start in range(0, len(points), 128):
            self.client.upsert(name, points[start:start + 128], wait=True)

    def delete_except(self, name: str, keep_hashes: Iterable[str]) -> None:
        """Remove every chunk whose plan hash is not in keep_hashes (changed or removed plans)."""
        from qdrant_client import models

        keep = sorted(set(keep_hashes))
        selector = models.Filter(must_not=[models.FieldCondition(key="plan_hash", match=models.MatchAny(any=keep))]) \
            if keep else models.Filter()
        self.client.delete(name, points_selector=models.FilterSelector(filter=selector), wait=True)

    def count(self, name: str) -> int:
        """Number of points in a collection."""
        return int(self.client.count(name, exact=True).count)

    def hybrid(self, name: str, dense: Sequence[float], sparse: tuple[list[int], list[float]],
               plan_hashes: Sequence[str], plan_ids: Sequence[str] = (), limit: int = 8,
               prefetch: int = 40, mode: str = "hybrid") -> list[Hit]:
        """Dense and sparse candidates fused by Qdrant (RRF), limited to committed plans."""
        from qdrant_client import models

        must: list[Any] = [models.FieldCondition(key="plan_hash", match=models.MatchAny(any=list(plan_hashes)))]
        if plan_ids:
            must.append(models.FieldCondition(key="plan_id", match=models.MatchAny(any=list(plan_ids))))
        flt = models.Filter(must=must)
        dense_q = models.Prefetch(query=list(map(float, dense)), using=DENSE, limit=prefetch, filter=flt)
        sparse_q = models.Prefetch(query=models.SparseVector(indices=sparse[0], values=sparse[1]),
                                   using=SPARSE, limit=prefetch, filter=flt)
        if mode == "dense":
            result = self.client.query_points(name, query=list(map(float, dense)), using=DENSE, query_filter=flt,
                                              limit=limit, with_payload=True, with_vectors=[DENSE])
        elif mode == "sparse":
            result = self.client.query_points(name, query=sparse_q.query, using=SPARSE, query_filter=flt,
                                              limit=limit, with_payload=True, with_vectors=[DENSE])
        else:
            result = self.client.query_points(name, prefetch=[dense_q, sparse_q],
                                              query=models.FusionQuery(fusion=models.Fusion.RRF),
                                              limit=limit, with_payload=True, with_vectors=[DENSE])
        hits: list[Hit] = []
        for point in result.points:
            payload = point.payload or {}
            vec: Any = point.vector.get(DENSE, []) if isinstance(point.vector, dict) else []
            hits.append(Hit(chunk_from_payload(payload), float(point.score), str(payload.get("locality", "")),
                            tuple(float(x) for x in vec)))
        return hits

    def scroll_plan(self, name: str, doc: str, plan_hash: str, kinds: Sequence[str] = ()) -> list[Chunk]:
        """All chunks of one committed plan (of these kinds, when given), in file order."""
        return self.scroll_plans(name, {doc: plan_hash}, kinds).get(doc, [])

    def scroll_plans(self, name: str, plans: Mapping[str, str], kinds: Sequence[str] = ()
                     ) -> dict[str, list[Chunk]]:
        """The chunks (of these kinds) of committed plans given as file -> content hash, each plan's in file
        order, read together: a question over hundreds of plans' headers makes one pass, not hundreds."""
        from qdrant_client import models

        out: dict[str, list[Chunk]] = {doc: [] for doc in plans}
        docs = list(plans)
        for start in range(0, len(docs), SCROLL_DOCS):
            # The kinds are picked here, not filtered by the server: "kind" has no payload index, and a server in
            # strict mode refuses filters on unindexed fields (collections made before would lack one). The hash is
            # checked here too: one filter cannot pair each file with its own hash.
            flt = models.Filter(must=[models.FieldCondition(
                key="doc", match=models.MatchAny(any=docs[start:start + SCROLL_DOCS]))])
            offset = None
            while True:
                points, offset = self.client.scroll(name, scroll_filter=flt, limit=256, offset=offset,
                                                    with_payload=True)
                for chunk in map(chunk_from_payload, (p.payload or {} for p in points)):
                    if chunk.plan_hash == plans.get(chunk.doc) and (not kinds or chunk.kind in kinds):
                        out[chunk.doc].append(chunk)
                if offset is None:
                    break
        return {doc: sorted(chunks, key=lambda c: c.line_start) for doc, chunks in out.items()}

    def iter_chunks(self, name: str) -> Iterator[list[Chunk]]:
        """Every chunk of a collection, a page at a time (any order)."""
        offset = None
        while True:
            points, offset = self.client.scroll(name, limit=512, offset=offset, with_payload=True)
            yield [chunk_from_payload(p.payload or {}) for p in points]
            if offset is None:
                return

    def plan_points(self, name: str, doc: str, plan_hash: str) -> list[tuple[Chunk, list[float], Sparse]]:
        """One committed plan's chunks with their dense and sparse vectors (to copy them elsewhere)."""
        from qdrant_client import models

        flt = models.Filter(must=[models.FieldCondition(key="doc", match=models.MatchValue(value=doc)),
                                  models.FieldCondition(key="plan_hash", match=models.MatchValue(value=plan_hash))])
        out: list[tuple[Chunk, list[float], Sparse]] = []
        offset = None
        while True:
            points, offset = self.client.scroll(name, scroll_filter=flt, limit=256, offset=offset,
                                                with_payload=True, with_vectors=True)
            out.extend(point_with_vectors(p.payload, p.vector) for p in points)
            if offset is None:
                break
        return sorted(out, key=lambda x: x[0].line_start)

    # ------------------------------------------------------------ documents without vectors (index/shared.py)

    def _create(self, name: str, **config: Any) -> None:
        """Create a collection with the configured shards and replicas; one a concurrent worker created first
        (between the caller's check and here) is taken as it is."""
        try:
            self.client.create_collection(name, shard_number=self._shards, replication_factor=self._replicas,
                                          **config)
        except Exception as exc:
            if not _already_exists(exc):
                raise StoreError(f"Cannot create collection {name} at {self.location}: {exc}") from exc

    def ensure_docs(self, name: str) -> None:
        """Create a collection of payload-only points if it is missing."""
        if not self.has_collection(name):
            self._create(name, vectors_config={})

    def put_docs(self, name: str, items: Sequence[tuple[str, dict[str, Any]]]) -> None:
        """Write (id, payload) points, replacing any with the same id."""
        from qdrant_client import models

        points = [models.PointStruct(id=pid, vector={}, payload=payload) for pid, payload in items]
        for start in range(0, len(points), 64):
            self.client.upsert(name, points[start:start + 64], wait=True)

    def get_docs(self, name: str, ids: Sequence[str], fields: Sequence[str] = ()) -> dict[str, dict[str, Any]]:
        """The payloads (only `fields` when given) of the points with these ids that exist: id -> payload."""
        if not ids or not self.has_collection(name):
            return {}
        with_payload: Any = list(fields) if fields else True
        out: dict[str, dict[str, Any]] = {}
        for start in range(0, len(ids), 64):
            out.update((str(p.id), dict(p.payload or {}))
                       for p in self.client.retrieve(name, list(ids[start:start + 64]), with_payload=with_payload))
        return out

    def docs(self, name: str, fields: Sequence[str] = ()) -> list[dict[str, Any]]:
        """Payloads of all points, only `fields` when given."""
        if not self.has_collection(name):
            return []
        with_payload: Any = list(fields) if fields else True
        out: list[dict[str, Any]] = []
        offset = None
        while True:
            points, offset = self.client.scroll(name, limit=256, offset=offset, with_payload=with_payload)
            out += [dict(p.payload or {}) for p in points]
            if offset is None:
                return out

    def delete_docs(self, name: str, ids: Sequence[str]) -> None:
        """Delete points by id."""
        from qdrant_client import models

        if ids and self.has_collection(name):
            self.client.delete(name, points_selector=models.PointIdsList(points=list(ids)), wait=True)

    def delete_hashes(self, name: str, hashes: Iterable[str]) -> None:
        """Remove the chunks of these plan versions (and only those: other workers' plans stay)."""
        from qdrant_client import models

        drop = sorted(set(hashes))
        if drop:
            selector = models.Filter(must=[models.FieldCondition(key="plan_hash", match=models.MatchAny(any=drop))])
            self.client.delete(name, points_selector=models.FilterSelector(filter=selector), wait=True)
