"""Chunks in Qdrant Edge: the embedded engine, one in-process shard folder per collection."""

from __future__ import annotations

import fcntl
import re
import shutil
import threading
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from corpus.records import Chunk
from index.store import (
    DENSE,
    INDEXED_FIELDS,
    SCROLL_DOCS,
    SPARSE,
    Hit,
    Sparse,
    StoreError,
    StoreLockedError,
    chunk_from_payload,
    chunk_payload,
    point_id,
    point_with_vectors,
)

if TYPE_CHECKING:
    from qdrant_edge import EdgeShard, Filter

_BATCH = 128  # points per update: bounds the Python -> Rust conversion of one call, as QdrantStore batches
_RRF_K = 2  # the RRF constant of the Qdrant server and of qdrant-client local mode: same fused ranking
_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*")  # a plain folder name: no "..", no "/", no dot files
_NEW, _DROP = ".new-", ".drop-"  # prefixes of folders in the middle of a create or a drop
_LOCKED = (
    "The index at {path} is in use by another process (a running `plans serve` or `plans chat`?). The "
    "embedded store allows one process at a time: add plans from the web UI's \"Add plans\" tab while it runs, "
    "or stop the other process and run the command again, or run a Qdrant server and set QDRANT_URL so several "
    "processes can share it."
)


class EdgeStore:
    """QdrantStore's interface over qdrant-edge shards: named dense (cosine) + named sparse (IDF) vectors."""

    is_remote = False

    def __init__(self, path: Path) -> None:
        try:
            import qdrant_edge  # noqa: F401  (fail here, with the fix, rather than at the first query)
        except ImportError as exc:
            raise StoreError("The embedded store needs qdrant-edge-py: pip install qdrant-edge-py==0.9.0, "
                             "or set QDRANT_URL to use a Qdrant server.") from exc
        self.location = str(path)
        self._root = path / "edge"
        self._shards: dict[str, EdgeShard] = {}
        # Gradio serves requests from worker threads: opening, creating and dropping shards must not race.
        self._mutex = threading.RLock()
        # Per collection, the plan hashes its points carry (None: some point carries none), counted at the first
        # search after a write: only this process writes to an embedded store (the folder lock). While a write is
        # under way (`_writing`), searches name the committed hashes instead.
        self._present: dict[str, frozenset[str] | None] = {}
        self._writing: dict[str, int] = {}
        self._epochs: dict[str, int] = {}  # writes begun, per collection: a search that a write overlapped is redone
        self._lock_file: IO[bytes] | None = None
        try:
            self._root.mkdir(parents=True, exist_ok=True)
            lock_file = (self._root / ".lock").open("ab")
        except OSError as exc:
            raise StoreError(f"Cannot open the Qdrant Edge store at {self._root}: {exc}. Check that the folder "
                             "is writable, or set PLANS_STORE_DIR to another folder.") from exc
        try:
            # One store-wide lock, as local mode has: a second process fails here, at open, not mid-ingest;
            # flock also conflicts between two handles in one process, like the shards' own WAL locks.
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            lock_file.close()
            raise StoreLockedError(_LOCKED.format(path=self._root)) from exc
        self._lock_file = lock_file
        for leftover in self._root.iterdir():
            # A create or a drop cut short by a crash: never a collection, safe to remove under the lock.
            if leftover.is_dir() and leftover.name.startswith((_NEW, _DROP)):
                shutil.rmtree(leftover, ignore_errors=True)

    @contextmanager
    def _edge_errors(self, action: str, folder: Path) -> Iterator[None]:
        """Turn qdrant-edge failures (plain Exception, or OSError) into StoreError naming the folder and the fix."""
        try:
            yield
        except StoreError:
            raise
        except Exception as exc:
            # qdrant-edge raises bare Exception for engine errors; TypeError and the like are our own bugs.
            if type(exc) is not Exception and not isinstance(exc, OSError):
                raise
            if "WouldBlock" in str(exc):  # another handle holds the shard's write-ahead log
                raise StoreLockedError(_LOCKED.format(path=folder)) from exc
            raise StoreError(f"Cannot {action} in the Qdrant Edge store at {folder}: {exc}. If the folder is "
                             "damaged, delete it and rebuild with: plans ingest --rebuild") from exc

    def _folder(self, name: str) -> Path:
        """The shard folder of a collection (the name must be a plain folder name)."""
        if not _NAME.fullmatch(name):
            raise StoreError(f"Invalid collection name {name!r}: use letters, digits, '_', '-' and '.'.")
        return self._root / name

    def _shard(self, name: str) -> EdgeShard:
        """The open shard of a collection, loaded on first use."""
        from qdrant_edge import EdgeShard

        with self._mutex:
            if self._lock_file is None:
                raise StoreError(f"The store at {self.location} is closed.")
            shard = self._shards.get(name)
            if shard is None:
                folder = self._folder(name)
                if not folder.is_dir():
                    raise StoreError(f"No collection {name!r} in the store at {self._root}. "
                                     "Build it with: plans ingest")
                with self._edge_errors("open the collection", folder):
                    shard = EdgeShard.load(str(folder))
                self._shards[name] = shard
            return shard

    def close(self) -> None:
        """Release the store: close every shard (their WAL locks), then the folder lock."""
        with self._mutex:
            shards, self._shards = list(self._shards.values()), {}
            for shard in shards:
                shard.close()
            if self._lock_file is not None:
                self._lock_file.close()  # closing the file releases the flock
                self._lock_file = None

    def has_collection(self, name: str) -> bool:
        """Whether the collection exists."""
        return self._folder(name).is_dir()

    def ensure_collection(self, name: str, dim: int) -> None:
        """Create the collection with named dense and sparse vectors if it is missing."""
        from qdrant_edge import (
            Distance,
            EdgeConfig,
            EdgeShard,
            EdgeSparseVectorParams,
            EdgeVectorParams,
            Modifier,
            PayloadSchemaType,
            UpdateOperation,
        )

        with self._mutex:
            if self._lock_file is None:
                raise StoreError(f"The store at {self.location} is closed.")
            folder = self._folder(name)
            if folder.is_dir():
                return
            # No HNSW and no optimize(): appendable segments are searched exactly, fast at our sizes.
            config = EdgeConfig(vectors={DENSE: EdgeVectorParams(size=dim, distance=Distance.Cosine)},
                                sparse_vectors={SPARSE: EdgeSparseVectorParams(modifier=Modifier.Idf)})
            # Built aside and renamed into place: a crash never leaves a half-made collection behind.
            staging = self._root / f"{_NEW}{name}-{uuid.uuid4().hex[:8]}"
            try:
                with self._edge_errors("create the collection", folder):
                    shard = EdgeShard.create(str(staging), config)
                    try:
                        for field in INDEXED_FIELDS:
                            shard.update(UpdateOperation.create_field_index(field, PayloadSchemaType.Keyword))
                        shard.flush()
                    finally:
                        shard.close()  # the shard remembers its path: reopen it once it is in place
                    staging.rename(folder)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
            self._shard(name)

    def drop_collection(self, name: str) -> None:
        """Delete a collection (an old build configuration)."""
        with self._mutex:
            if self._lock_file is None:
                raise StoreError(f"The store at {self.location} is closed.")
            folder = self._folder(name)
            if not folder.is_dir():
                return
            self._present.pop(name, None)
            shard = self._shards.pop(name, None)
            if shard is not None:
                shard.close()
            # Renamed first so that a crash mid-delete leaves a leftover, not a damaged collection.
            trash = self._root / f"{_DROP}{name}-{uuid.uuid4().hex[:8]}"
            with self._edge_errors("drop the collection", folder):
                folder.rename(trash)
            shutil.rmtree(trash, ignore_errors=True)

    def collections(self) -> list[str]:
        """Names of all collections."""
        return sorted(p.name for p in self._root.iterdir() if p.is_dir() and _NAME.fullmatch(p.name))

    def upsert(self, name: str, chunks: Sequence[Chunk], dense: Sequence[Sequence[float]],
               sparse: Sequence[tuple[list[int], list[float]]], meta: dict[str, tuple[str, str]]) -> None:
        """Write chunks with their vectors; `meta` maps plan_id to (locality label, level)."""
        from qdrant_edge import Point, SparseVector, UpdateOperation

        shard = self._shard(name)
        points = [
            Point(point_id(c),
                  {DENSE: [float(x) for x in d], SPARSE: SparseVector(list(s[0]), [float(v) for v in s[1]])},
                  chunk_payload(c, *meta.get(c.plan_id, ("", ""))))
            for c, d, s in zip(chunks, dense, sparse, strict=True)
        ]
        with self._edge_errors(f"write to collection {name!r}", self._folder(name)), self._write(name):
            for start in range(0, len(points), _BATCH):
                shard.update(UpdateOperation.upsert_points(points[start:start + _BATCH]))
            shard.flush()  # the WAL already makes the write durable; flushing keeps the next open's replay short

    def delete_except(self, name: str, keep_hashes: Iterable[str]) -> None:
        """Remove every chunk whose plan hash is not in keep_hashes (changed or removed plans)."""
        from qdrant_edge import FieldCondition, Filter, MatchAny, UpdateOperation

        shard = self._shard(name)
        keep = sorted(set(keep_hashes))
        # An empty filter matches every point: nothing to keep means delete everything, as QdrantStore does.
        selector = Filter(must_not=[FieldCondition("plan_hash", match=MatchAny(keep))]) if keep else Filter()
        with self._edge_errors(f"delete from collection {name!r}", self._folder(name)), self._write(name):
            shard.update(UpdateOperation.delete_points_by_filter(selector))
            shard.flush()

    def count(self, name: str) -> int:
        """Number of points in a collection."""
        from qdrant_edge import CountRequest

        shard = self._shard(name)
        with self._edge_errors(f"count collection {name!r}", self._folder(name)):
            return int(shard.count(CountRequest(exact=True)))

    def hybrid(self, name: str, dense: Sequence[float], sparse: tuple[list[int], list[float]],
               plan_hashes: Sequence[str], plan_ids: Sequence[str] = (), limit: int = 8,
               prefetch: int = 40, mode: str = "hybrid") -> list[Hit]:
        """Dense and sparse candidates fused by Qdrant (RRF), limited to committed plans."""
        from qdrant_edge import (
            FieldCondition,
            Filter,
            MatchAny,
            Query,
            SparseVector,
        )

        shard = self._shard(name)
        with self._mutex:
            epoch = self._epochs.get(name, 0)
        must, must_not = self._committed(name, shard, plan_hashes)
        scope: list[Any] = [FieldCondition("plan_id", match=MatchAny(list(plan_ids)))] if plan_ids else []
        dense_q = Query.Nearest([float(x) for x in dense], using=DENSE)
        sparse_q = Query.Nearest(SparseVector(list(sparse[0]), [float(v) for v in sparse[1]]), using=SPARSE)
        hits = self._query(name, shard, Filter(must=must + scope, must_not=must_not), dense_q, sparse_q, limit,
                           prefetch, mode)
        with self._mutex:
            written = self._epochs.get(name, 0) != epoch
        if not must and written:  # the hashes were left out, not named
            # A write began while this search ran: its points' hash was not among those left out. Searched again
            # with the committed hashes named, as a search during a write is.
            hits = self._query(name, shard, Filter(must=_named(plan_hashes) + scope), dense_q, sparse_q, limit,
                               prefetch, mode)
        return hits

    def _query(self, name: str, shard: EdgeShard, flt: Filter, dense_q: Any, sparse_q: Any, limit: int,
               prefetch: int, mode: str) -> list[Hit]:
        """One search of hybrid's, with this filter."""
        from qdrant_edge import Fusion, Prefetch, QueryRequest

        if mode in ("dense", "sparse"):
            request = QueryRequest(limit=limit, query=dense_q if mode == "dense" else sparse_q, filter=flt,
                                   with_payload=True, with_vector=[DENSE])
            with self._edge_errors(f"search collection {name!r}", self._folder(name)):
                points = shard.query(request)
            return [_hit(p.payload, p.score, p.vector) for p in points]
        # RRF ties are common (rank r in one leg only ties rank r in the other only) and edge orders them
        # differently from one call to the next: take every fused candidate (ids and scores only, at most
        # both prefetches), break ties by id so that the same question always gets the same chunks, then
        # read payload and dense vector of the winners alone.
        # The 0.9.0 stubs list Fusion but not its Rrf variant among query types; the engine accepts it.
        request = QueryRequest(limit=max(limit, 2 * prefetch), query=Fusion.Rrf(k=_RRF_K),  # type: ignore[arg-type]
                               prefetches=[Prefetch(prefetch, query=dense_q, filter=flt),
                                           Prefetch(prefetch, query=sparse_q, filter=flt)])
        with self._edge_errors(f"search collection {name!r}", self._folder(name)):
            fused = sorted(shard.query(request), key=lambda p: (-p.score, str(p.id)))[:limit]
            records = {str(r.id): r for r in shard.retrieve([p.id for p in fused], with_payload=True,
                                                             with_vector=[DENSE])}
        # A point deleted between the two calls (a concurrent delete_except) is simply left out.
        return [_hit(r.payload, p.score, r.vector) for p in fused if (r := records.get(str(p.id))) is not None]

    @contextmanager
    def _write(self, name: str) -> Iterator[None]:
        """Mark a write to a collection: its hashes are counted again at the next search after it."""
        with self._mutex:
            self._writing[name] = self._writing.get(name, 0) + 1
            self._epochs[name] = self._epochs.get(name, 0) + 1
            self._present.pop(name, None)
        try:
            yield
        finally:
            with self._mutex:
                self._writing[name] -= 1
                self._present.pop(name, None)

    def _committed(self, name: str, shard: EdgeShard, plan_hashes: Sequence[str]) -> tuple[list[Any], list[Any]]:
        """The (must, must_not) conditions that keep the points of committed plans: leaving out the few hashes of
        uncommitted points (a crash mid-ingest), when every point carries one, rather than naming thousands of
        committed ones (at 3,500 plans that filter cost a search 60 of its 100 ms)."""
        from qdrant_edge import CountRequest, FacetRequest, FieldCondition, MatchAny

        with self._mutex:
            if self._writing.get(name):
                return _named(plan_hashes), []
            if name not in self._present:
                with self._edge_errors(f"count collection {name!r}", self._folder(name)):
                    points = int(shard.count(CountRequest(exact=True)))
                try:
                    hits = list(shard.facet(FacetRequest("plan_hash", limit=points + 1, exact=True)).hits)
                except Exception:  # a collection without the field's index: its searches name the hashes
                    hits = []
                self._present[name] = (frozenset(str(h.value) for h in hits)
                                       if sum(h.count for h in hits) == points else None)
            present = self._present[name]
        if present is None:
            return _named(plan_hashes), []
        stale = sorted(present - set(plan_hashes))
        return [], [FieldCondition("plan_hash", match=MatchAny(stale))] if stale else []

    def scroll_plan(self, name: str, doc: str, plan_hash: str, kinds: Sequence[str] = ()) -> list[Chunk]:
        """All chunks of one committed plan (of these kinds, when given), in file order."""
        return self.scroll_plans(name, {doc: plan_hash}, kinds).get(doc, [])

    def scroll_plans(self, name: str, plans: Mapping[str, str], kinds: Sequence[str] = ()
                     ) -> dict[str, list[Chunk]]:
        """The chunks (of these kinds) of committed plans given as file -> content hash, each plan's in file
        order, read in one pass (at 3,500 plans, the headers of 350: 0.4 s, against 8 s plan by plan)."""
        from qdrant_edge import FieldCondition, Filter, MatchAny, ScrollRequest

        shard = self._shard(name)
        out: dict[str, list[Chunk]] = {doc: [] for doc in plans}
        docs = list(plans)
        with self._edge_errors(f"read collection {name!r}", self._folder(name)):
            for start in range(0, len(docs), SCROLL_DOCS):
                must: list[Any] = [FieldCondition("doc", match=MatchAny(docs[start:start + SCROLL_DOCS]))]
                if kinds:
                    must.append(FieldCondition("kind", match=MatchAny(list(kinds))))
                flt = Filter(must=must)
                offset: Any = None
                while True:
                    records, offset = shard.scroll(ScrollRequest(offset=offset, limit=256, filter=flt,
                                                                 with_payload=True))
                    for chunk in (chunk_from_payload(r.payload or {}) for r in records):
                        if chunk.plan_hash == plans.get(chunk.doc):  # not the points of an older reading
                            out[chunk.doc].append(chunk)
                    if offset is None:
                        break
        return {doc: sorted(chunks, key=lambda c: c.line_start) for doc, chunks in out.items()}

    def iter_chunks(self, name: str) -> Iterator[list[Chunk]]:
        """Every chunk of a collection, a page at a time (any order)."""
        from qdrant_edge import ScrollRequest

        shard = self._shard(name)
        offset: Any = None
        with self._edge_errors(f"read collection {name!r}", self._folder(name)):
            while True:
                records, offset = shard.scroll(ScrollRequest(offset=offset, limit=512, with_payload=True))
                yield [chunk_from_payload(r.payload or {}) for r in records]
                if offset is None:
                    return

    def plan_points(self, name: str, doc: str, plan_hash: str) -> list[tuple[Chunk, list[float], Sparse]]:
        """One committed plan's chunks with their dense and sparse vectors (to copy them elsewhere)."""
        from qdrant_edge import FieldCondition, Filter, MatchValue, ScrollRequest

        shard = self._shard(name)
        flt = Filter(must=[FieldCondition("doc", match=MatchValue(doc)),
                           FieldCondition("plan_hash", match=MatchValue(plan_hash))])
        out: list[tuple[Chunk, list[float], Sparse]] = []
        offset: Any = None
        with self._edge_errors(f"read collection {name!r}", self._folder(name)):
            while True:
                records, offset = shard.scroll(ScrollRequest(offset=offset, limit=256, filter=flt,
                                                             with_payload=True, with_vector=True))
                out.extend(point_with_vectors(r.payload, r.vector) for r in records)
                if offset is None:
                    break
        return sorted(out, key=lambda x: x[0].line_start)


def _named(plan_hashes: Sequence[str]) -> list[Any]:
    """The condition that keeps the points of these plan hashes, naming every one."""
    from qdrant_edge import FieldCondition, MatchAny

    return [FieldCondition("plan_hash", match=MatchAny(list(plan_hashes)))]


def _hit(payload: dict[str, Any] | None, score: float, vector: Any) -> Hit:
    """A Hit from an edge point: chunk and locality from the payload, the dense vector when returned."""
    payload = payload or {}
    vec = vector.get(DENSE, []) if isinstance(vector, dict) else []
    return Hit(chunk_from_payload(payload), float(score), str(payload.get("locality", "")),
               tuple(map(float, vec)))  # map: a genexpr per float costs 2x over thousands of hits
