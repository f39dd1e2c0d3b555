"""Embedded Qdrant engines on our retrieval workload: qdrant-client local mode against qdrant-edge.

Run: python evals/bench_store.py [--sizes 300,2000,20000] [--queries 50] [--engines local,edge,edge-hnsw]

Workload (as index/store.py writes and queries it): one collection, named dense vector "dense" (384-d, cosine)
and named sparse vector "sparse" (IDF modifier); uuid5 point ids; payload plan_hash / plan_id / text (~1.3 KB,
the median of our real chunks); upserts in batches of 128. Query = dense prefetch (40) + sparse prefetch (40),
each filtered by plan_hash MatchAny over 5 values (4 present, 1 stale; optionally plan_id too), fused by RRF
(k=2, the default of both engines), limit 8, with payload and the dense vector of the hits.

Engines: "local" = QdrantClient(path=...) (the code path we share with a server); "edge" = qdrant_edge.EdgeShard
as created (appendable segments, brute-force dense); "edge-hnsw" = the same after optimize() (HNSW where a segment
passes the default indexing threshold). Prints timings and an exactness check (top-8 ids under exact search
against each other and against a numpy reference). Timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import os
import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any, Protocol

os.environ.setdefault("OMP_NUM_THREADS", "1")  # as `plans serve` does (see ui.app.serve)

import numpy as np

DENSE, SPARSE, COLLECTION = "dense", "sparse", "bench"
DIM, VOCAB, N_PLANS = 384, 50_000, 5
PREFETCH, LIMIT, RRF_K, BATCH = 40, 8, 2, 128
EPS = 1e-9
_NAMESPACE = uuid.UUID("0d3a2f4e-8b7c-4a61-9e2d-5c1b7f6a9e30")
_TEXT = ("kế hoạch triển khai thực hiện nhiệm vụ giải pháp chuyển đổi số phường xã quận huyện ủy ban nhân "
         "dân năm 2026 mục tiêu chỉ tiêu yêu cầu cán bộ công chức dịch vụ công trực tuyến hồ sơ thủ tục "
         "hành chính đơn vị chủ trì phối hợp báo cáo kết quả kinh phí nguồn ngân sách tổ chức")
_SYLLABLES = _TEXT.split(" ")

Ids = list[str]
SparseVec = tuple[list[int], list[float]]


@dataclass
class Workload:
    """Points and queries for one corpus size, generated from a fixed seed."""

    ids: list[str]
    dense: np.ndarray
    sparse: list[SparseVec]
    payloads: list[dict[str, Any]]
    q_dense: np.ndarray
    q_sparse: list[SparseVec]
    hashes: list[str]
    plan_ids: list[str]


def _zipf_cdf(vocab: int, s: float = 1.1) -> np.ndarray:
    """Cumulative Zipf(s) distribution over `vocab` term ranks."""
    weights = 1.0 / np.arange(1, vocab + 1) ** s
    return np.cumsum(weights / weights.sum())


def _draw_terms(rng: np.random.Generator, cdf: np.ndarray, k: int, id_map: np.ndarray) -> list[int]:
    """k distinct Zipf-distributed term ids (mapped through id_map), sorted."""
    seen: dict[int, None] = {}
    while len(seen) < k:
        for rank in np.searchsorted(cdf, rng.random(2 * k)):
            seen.setdefault(int(rank), None)
            if len(seen) == k:
                break
    return sorted(int(id_map[r]) for r in seen)


def _unit(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (float32)."""
    unit: np.ndarray = (x / np.linalg.norm(x, axis=-1, keepdims=True)).astype(np.float32)
    return unit


def make_workload(n: int, n_queries: int, seed: int, near: bool, hashed: bool) -> Workload:
    """Random unit dense vectors, Zipf sparse vectors (~150 nnz), 5 plans; queries near a doc or random."""
    rng = np.random.default_rng(seed + n)
    cdf = _zipf_cdf(VOCAB)
    # index/sparse.py hashes terms into [0, 2^31): keep the 50k vocabulary, spread its ids the same way
    id_map = rng.choice(2**31 - 1, size=VOCAB, replace=False) if hashed else np.arange(VOCAB)
    plan_ids = [f"plan-{k}" for k in range(N_PLANS)]
    hashes = [hashlib.sha256(p.encode()).hexdigest() for p in plan_ids]
    dense = _unit(rng.standard_normal((n, DIM)))
    sparse: list[SparseVec] = []
    payloads: list[dict[str, Any]] = []
    for i in range(n):
        idx = _draw_terms(rng, cdf, int(rng.integers(100, 201)), id_map)
        sparse.append((idx, rng.uniform(0.2, 2.5, len(idx)).round(4).tolist()))
        plan = int(rng.integers(N_PLANS))
        text = " ".join(_SYLLABLES[j] for j in rng.integers(len(_SYLLABLES), size=260))
        payloads.append({"plan_hash": hashes[plan], "plan_id": plan_ids[plan], "line_start": i, "text": text})
    ids = [str(uuid.uuid5(_NAMESPACE, f"{n}:{i}")) for i in range(n)]
    src = rng.integers(n, size=n_queries)
    if near:  # a question about one chunk: cos ~0.7 to it, 10 of its terms plus 5 others
        q_dense = _unit(dense[src] + _unit(rng.standard_normal((n_queries, DIM))))
    else:
        q_dense = _unit(rng.standard_normal((n_queries, DIM)))
    q_sparse: list[SparseVec] = []
    for j in range(n_queries):
        terms = set(_draw_terms(rng, cdf, 15 if not near else 5, id_map))
        if near:
            own = sparse[int(src[j])][0]
            terms.update(int(t) for t in rng.choice(own, size=min(10, len(own)), replace=False))
        q_sparse.append((sorted(terms), [1.0] * len(terms)))
    return Workload(ids, dense, sparse, payloads, q_dense, q_sparse, hashes, plan_ids)


def query_scope(work: Workload, with_plan_ids: bool) -> tuple[list[str], list[str]]:
    """The plan_hash values (4 present + 1 stale) and optional plan_id values a query is restricted to."""
    stale = hashlib.sha256(b"plan-0@old").hexdigest()
    return [*work.hashes[1:], stale], (work.plan_ids[1:3] if with_plan_ids else [])


@dataclass
class Reference:
    """Brute-force answer to one query: dense and sparse top-8, and the RRF score of every fused candidate."""

    dense: Ids
    sparse: Ids
    fused: dict[str, float]

    def cutoff(self) -> float:
        """RRF score of the 8th best candidate: any id scoring at least this is a correct top-8 member."""
        scores = sorted(self.fused.values(), reverse=True)
        return scores[min(LIMIT, len(scores)) - 1]

    def tied_at_cutoff(self) -> bool:
        """Whether more candidates share the 8th best score than fit: the top-8 set is then not unique."""
        scores = sorted(self.fused.values(), reverse=True)
        return len(scores) > LIMIT and abs(scores[LIMIT] - scores[LIMIT - 1]) < EPS

    def agreement(self, ids: Ids) -> float:
        """Share of the 8 slots holding a correct top-8 member (ties at the cutoff count as correct)."""
        cut = self.cutoff()
        return sum(self.fused.get(i, -1.0) >= cut - EPS for i in ids) / LIMIT

    def ordered(self, ids: Ids) -> bool:
        """Whether ids are in non-increasing reference RRF score (same ranking up to ties)."""
        scores = [self.fused.get(i, -1.0) for i in ids]
        return all(a >= b - EPS for a, b in pairwise(scores))


def reference(work: Workload, qi: int, hashes: Sequence[str], plan_ids: Sequence[str]) -> Reference:
    """Brute-force numpy answer: filtered dense and sparse (IDF over all points) top-40, fused by RRF (k=2)."""
    ok = np.array([p["plan_hash"] in hashes and (not plan_ids or p["plan_id"] in plan_ids) for p in work.payloads])
    dense_scores = np.where(ok, work.dense @ work.q_dense[qi], -np.inf)
    dense_rank = [int(i) for i in np.argsort(-dense_scores, kind="stable")[:PREFETCH] if ok[i]]
    q_idx, q_val = work.q_sparse[qi]
    weight = dict(zip(q_idx, q_val, strict=True))
    df = dict.fromkeys(q_idx, 0)
    for idx, _ in work.sparse:
        for t in weight.keys() & idx:
            df[t] += 1
    n = len(work.sparse)
    idf = {t: float(np.log((n - d + 0.5) / (d + 0.5) + 1)) for t, d in df.items()}
    scored = []
    for i, (idx, val) in enumerate(work.sparse):
        if ok[i]:
            common = [(t, v) for t, v in zip(idx, val, strict=True) if t in weight]
            if common:
                scored.append((sum(weight[t] * idf[t] * v for t, v in common), i))
    sparse_rank = [i for _, i in sorted(scored, key=lambda s: -s[0])[:PREFETCH]]
    fused: dict[str, float] = {}
    for ranking in (dense_rank, sparse_rank):
        for pos, i in enumerate(ranking):
            fused[work.ids[i]] = fused.get(work.ids[i], 0.0) + 1.0 / (pos + RRF_K)
    return Reference([work.ids[i] for i in dense_rank[:LIMIT]], [work.ids[i] for i in sparse_rank[:LIMIT]], fused)


class Engine(Protocol):
    """One embedded store under test."""

    name: str
    always_exact: bool

    def build(self, path: Path, work: Workload) -> dict[str, float]:
        """Create the collection, upsert all points, persist; return extra timings (seconds)."""

    def open(self, path: Path) -> None:
        """Reopen the store from disk."""

    def close(self) -> None:
        """Release the store (and its folder lock)."""

    def search(self, work: Workload, qi: int, mode: str, exact: bool, scope: tuple[list[str], list[str]]) -> Ids:
        """Top-8 ids of query qi: mode is hybrid, dense or sparse."""

    def indexed(self) -> int:
        """Vectors held in an ANN index (0 when everything is brute force)."""


class LocalEngine:
    """qdrant-client local mode, called as index/store.py calls it."""

    name = "local"
    always_exact = True  # local mode scans every point whatever the search params

    def __init__(self) -> None:
        import qdrant_client  # imported here so that its ~1 s import is not counted as build time

        self.qc = qdrant_client
        self.client: Any = None

    def build(self, path: Path, work: Workload) -> dict[str, float]:
        """Create the collection and upsert in batches of 128 (wait=True), as QdrantStore does."""
        from qdrant_client import QdrantClient, models

        self.client = QdrantClient(path=str(path))
        self.client.create_collection(
            COLLECTION,
            vectors_config={DENSE: models.VectorParams(size=DIM, distance=models.Distance.COSINE)},
            sparse_vectors_config={SPARSE: models.SparseVectorParams(modifier=models.Modifier.IDF)},
        )
        for start in range(0, len(work.ids), BATCH):
            points = [
                models.PointStruct(id=work.ids[i], payload=work.payloads[i], vector={
                    DENSE: work.dense[i].tolist(),
                    SPARSE: models.SparseVector(indices=work.sparse[i][0], values=work.sparse[i][1])})
                for i in range(start, min(start + BATCH, len(work.ids)))
            ]
            self.client.upsert(COLLECTION, points, wait=True)
        return {}

    def open(self, path: Path) -> None:
        """Open the folder (reads and unpickles every point)."""
        from qdrant_client import QdrantClient

        self.client = QdrantClient(path=str(path))

    def close(self) -> None:
        """Close the client."""
        if self.client is not None:
            self.client.close()
            self.client = None

    def search(self, work: Workload, qi: int, mode: str, exact: bool, scope: tuple[list[str], list[str]]) -> Ids:
        """query_points with per-prefetch filters, payload and dense vector of the hits."""
        from qdrant_client import models

        must: list[Any] = [models.FieldCondition(key="plan_hash", match=models.MatchAny(any=scope[0]))]
        if scope[1]:
            must.append(models.FieldCondition(key="plan_id", match=models.MatchAny(any=scope[1])))
        flt = models.Filter(must=must)
        params = None  # local mode always scans every point and warns that search params have no effect
        dense_q = work.q_dense[qi].tolist()
        sparse_q = models.SparseVector(indices=work.q_sparse[qi][0], values=work.q_sparse[qi][1])
        common: dict[str, Any] = {"limit": LIMIT, "with_payload": True, "with_vectors": [DENSE]}
        if mode == "hybrid":
            result = self.client.query_points(
                COLLECTION, query=models.FusionQuery(fusion=models.Fusion.RRF), prefetch=[
                    models.Prefetch(query=dense_q, using=DENSE, limit=PREFETCH, filter=flt, params=params),
                    models.Prefetch(query=sparse_q, using=SPARSE, limit=PREFETCH, filter=flt, params=params)],
                **common)
        else:
            result = self.client.query_points(COLLECTION, query=dense_q if mode == "dense" else sparse_q,
                                              using=mode, query_filter=flt, search_params=params, **common)
        return [str(p.id) for p in result.points]

    def indexed(self) -> int:
        """Local mode never indexes."""
        return 0


class EdgeEngine:
    """qdrant_edge.EdgeShard with the same collection layout; optionally optimize() after the upsert."""

    def __init__(self, optimize: bool, hnsw_ef: int | None) -> None:
        import qdrant_edge

        self.q = qdrant_edge
        self.optimize = optimize
        self.hnsw_ef = hnsw_ef
        self.name = "edge-hnsw" if optimize else "edge"
        self.always_exact = False
        self.shard: Any = None

    def _config(self) -> Any:
        """Dense cosine + sparse IDF, as the collection the product creates."""
        q = self.q
        return q.EdgeConfig(vectors={DENSE: q.EdgeVectorParams(size=DIM, distance=q.Distance.Cosine)},
                            sparse_vectors={SPARSE: q.EdgeSparseVectorParams(modifier=q.Modifier.Idf)})

    def build(self, path: Path, work: Workload) -> dict[str, float]:
        """Create, index plan_hash/plan_id (keyword), upsert in batches of 128, flush; optimize if asked."""
        q = self.q
        self.shard = q.EdgeShard.create(str(path), self._config())
        for key in ("plan_hash", "plan_id"):
            self.shard.update(q.UpdateOperation.create_field_index(key, q.PayloadSchemaType.Keyword))
        for start in range(0, len(work.ids), BATCH):
            points = [
                q.Point(work.ids[i], {DENSE: work.dense[i].tolist(), SPARSE: q.SparseVector(*work.sparse[i])},
                        work.payloads[i])
                for i in range(start, min(start + BATCH, len(work.ids)))
            ]
            self.shard.update(q.UpdateOperation.upsert_points(points))
        self.shard.flush()
        if not self.optimize:
            return {}
        t0 = time.perf_counter()
        self.shard.optimize()
        self.shard.flush()
        return {"optimize": time.perf_counter() - t0}

    def open(self, path: Path) -> None:
        """EdgeShard.load."""
        self.shard = self.q.EdgeShard.load(str(path))

    def close(self) -> None:
        """Close the shard (releases the WAL lock)."""
        if self.shard is not None:
            self.shard.close()
            self.shard = None

    def search(self, work: Workload, qi: int, mode: str, exact: bool, scope: tuple[list[str], list[str]]) -> Ids:
        """QueryRequest with per-prefetch filters, payload and dense vector of the hits."""
        q = self.q
        must: list[Any] = [q.FieldCondition("plan_hash", match=q.MatchAny(scope[0]))]
        if scope[1]:
            must.append(q.FieldCondition("plan_id", match=q.MatchAny(scope[1])))
        flt = q.Filter(must=must)
        params = q.SearchParams(exact=True) if exact else (
            q.SearchParams(hnsw_ef=self.hnsw_ef) if self.hnsw_ef else None)
        dense_q = q.Query.Nearest(work.q_dense[qi].tolist(), using=DENSE)
        sparse_q = q.Query.Nearest(q.SparseVector(*work.q_sparse[qi]), using=SPARSE)
        if mode == "hybrid":
            req = q.QueryRequest(limit=LIMIT, query=q.Fusion.Rrf(k=RRF_K), with_payload=True, with_vector=[DENSE],
                                 prefetches=[q.Prefetch(PREFETCH, query=dense_q, filter=flt, params=params),
                                             q.Prefetch(PREFETCH, query=sparse_q, filter=flt, params=params)])
        else:
            req = q.QueryRequest(limit=LIMIT, query=dense_q if mode == "dense" else sparse_q, filter=flt,
                                 params=params, with_payload=True, with_vector=[DENSE])
        return [str(p.id) for p in self.shard.query(req)]

    def indexed(self) -> int:
        """indexed_vectors_count from the shard info."""
        return int(self.shard.info().indexed_vectors_count)


@dataclass
class Row:
    """Figures for one engine at one corpus size."""

    engine: str
    n: int
    build_s: float = 0.0
    optimize_s: float = 0.0
    disk_mb: float = 0.0
    hnsw: str = "no"
    reopen_s: float = 0.0
    first_ms: float = 0.0
    hybrid_ms: list[float] = field(default_factory=list)
    dense_ms: list[float] = field(default_factory=list)
    exact: dict[str, list[Ids]] = field(default_factory=dict)
    approx: list[Ids] = field(default_factory=list)


def pct(values: Sequence[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(np.ceil(p / 100 * len(ordered))) - 1))]


def _timed(fn: Callable[..., Ids], *args: Any) -> tuple[float, Ids]:
    """Wall time of fn(*args) in milliseconds, and its result."""
    t0 = time.perf_counter()
    result = fn(*args)
    return (time.perf_counter() - t0) * 1000, result


def _disk_mb(path: Path) -> float:
    """Allocated size of the files under path, in MB (edge preallocates sparse files)."""
    return sum(f.stat().st_blocks * 512 for f in path.rglob("*") if f.is_file()) / 1e6


def _has_hnsw(path: Path) -> str:
    """Whether an edge shard holds a built HNSW graph for the dense vector (its links file, by layout)."""
    return "yes" if any(f.stat().st_size for f in path.glob(f"segments/*/vector_index-{DENSE}/links*.bin")) else "no"


def run_engine(engine: Engine, work: Workload, root: Path, n_check: int, with_plan_ids: bool) -> Row:
    """Build, reopen, time the queries and collect top-8 ids (exact and default params) for one engine."""
    row = Row(engine.name, len(work.ids))
    path = root / f"{engine.name}-{len(work.ids)}"
    scope = query_scope(work, with_plan_ids)
    n_q = len(work.q_sparse)
    t0 = time.perf_counter()
    extra = engine.build(path, work)
    engine.close()
    row.build_s = time.perf_counter() - t0 - extra.get("optimize", 0.0)
    row.optimize_s = extra.get("optimize", 0.0)
    row.disk_mb, row.hnsw = _disk_mb(path), _has_hnsw(path)
    gc.collect()
    t0 = time.perf_counter()
    engine.open(path)
    row.reopen_s = time.perf_counter() - t0
    try:
        row.first_ms = _timed(engine.search, work, 0, "hybrid", False, scope)[0]
        for qi in range(min(3, n_q)):  # warm-up
            engine.search(work, qi, "hybrid", False, scope)
        runs = {mode: [_timed(engine.search, work, qi, mode, False, scope) for qi in range(n_q)]
                for mode in ("hybrid", "dense")}
        row.hybrid_ms, row.dense_ms = ([ms for ms, _ in runs[m]] for m in ("hybrid", "dense"))
        row.approx = [ids for _, ids in runs["hybrid"][:n_check]]
        for mode in ("hybrid", "dense", "sparse"):
            if engine.always_exact and mode in runs:  # the timed answers are already exact: save the slow reruns
                row.exact[mode] = [ids for _, ids in runs[mode][:n_check]]
            else:
                row.exact[mode] = [engine.search(work, qi, mode, True, scope) for qi in range(n_check)]
    finally:
        engine.close()
        shutil.rmtree(path, ignore_errors=True)
    return row


def overlap(a: Ids, b: Ids) -> float:
    """|a ∩ b| / 8."""
    return len(set(a) & set(b)) / LIMIT


def make_engines(names: Sequence[str], hnsw_ef: int | None) -> list[Engine]:
    """Engines by name; edge ones are skipped (with a note) when qdrant-edge-py is not installed."""
    engines: list[Engine] = []
    for name in names:
        if name == "local":
            engines.append(LocalEngine())
        elif name in ("edge", "edge-hnsw"):
            try:
                engines.append(EdgeEngine(optimize=name == "edge-hnsw", hnsw_ef=hnsw_ef))
            except ImportError:
                print(f"skipping {name}: qdrant-edge-py is not installed (pip install qdrant-edge-py==0.9.0)")
        else:
            raise SystemExit(f"unknown engine {name!r}: use local, edge, edge-hnsw")
    return engines


def _mean(values: Sequence[float]) -> float:
    """Arithmetic mean (0 for no values)."""
    return statistics.fmean(values) if values else 0.0


def print_tables(rows: list[Row], refs: dict[int, list[Reference]]) -> None:
    """Timing table, then the exactness table (top-8 ids under exact search)."""
    head = (f"{'engine':<10} {'N':>6} {'build s':>8} {'optim s':>8} {'disk MB':>8} {'hnsw':>5} {'reopen s':>9} "
            f"{'1st q ms':>9} {'hyb p50':>8} {'hyb p95':>8} {'dense p50':>9} {'recall@8':>8}")
    print("\nTimings (ms per query, one caller; hybrid = dense 40 + sparse 40 prefetch, RRF, limit 8, filtered,")
    print("payload + dense vector of the hits). recall@8 = default search params against the numpy reference.")
    print(head)
    print("-" * len(head))
    for r in rows:
        recall = _mean([ref.agreement(ids) for ref, ids in zip(refs[r.n], r.approx, strict=True)])
        print(f"{r.engine:<10} {r.n:>6} {r.build_s:>8.2f} {r.optimize_s:>8.2f} {r.disk_mb:>8.1f} {r.hnsw:>5} "
              f"{r.reopen_s:>9.3f} {r.first_ms:>9.1f} {statistics.median(r.hybrid_ms):>8.1f} "
              f"{pct(r.hybrid_ms, 95):>8.1f} {statistics.median(r.dense_ms):>9.1f} {recall:>8.3f}")
    print("\nExact search (SearchParams(exact=True)), top-8 ids. 'numpy' rows: hybrid = share of slots holding a")
    print("correct top-8 member (ties at 8th place count as correct), ranked = share of lists in reference RRF")
    print("order up to ties, dense/sparse = overlap with the reference. 'local' rows: raw id overlap with local,")
    print("same = share of queries with the identical hybrid list.")
    head = f"{'N':>6} {'engine':<10} {'vs':<6} {'hybrid':>7} {'ranked':>7} {'same':>6} {'dense':>6} {'sparse':>6}"
    print(head)
    print("-" * len(head))
    for n, ref in refs.items():
        at_n = [r for r in rows if r.n == n]
        local = next((r for r in at_n if r.engine == "local"), None)
        for r in at_n:
            hyb = _mean([x.agreement(ids) for x, ids in zip(ref, r.exact["hybrid"], strict=True)])
            ranked = _mean([float(x.ordered(ids)) for x, ids in zip(ref, r.exact["hybrid"], strict=True)])
            legs = [_mean([overlap(getattr(x, m), ids) for x, ids in zip(ref, r.exact[m], strict=True)])
                    for m in ("dense", "sparse")]
            print(f"{n:>6} {r.engine:<10} {'numpy':<6} {hyb:>7.3f} {ranked:>7.2f} {'':>6} {legs[0]:>6.3f} {legs[1]:>6.3f}")
        for r in at_n:
            if local is None or r is local:
                continue
            cells = [_mean([overlap(a, b) for a, b in zip(r.exact[m], local.exact[m], strict=True)])
                     for m in ("hybrid", "dense", "sparse")]
            same = _mean([float(a == b) for a, b in zip(r.exact["hybrid"], local.exact["hybrid"], strict=True)])
            print(f"{n:>6} {r.engine:<10} {'local':<6} {cells[0]:>7.3f} {'':>7} {same:>6.2f} {cells[1]:>6.3f} "
                  f"{cells[2]:>6.3f}")
        ties = sum(x.tied_at_cutoff() for x in ref)
        print(f"{n:>6} {len(ref)} queries checked, {ties} with a tie at 8th place in the reference RRF scores")


def main(argv: Sequence[str] | None = None) -> None:
    """Parse arguments, run every engine at every size, print the tables."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--sizes", default="300,2000,20000", help="comma-separated corpus sizes")
    ap.add_argument("--queries", type=int, default=50, help="timed queries per engine and size")
    ap.add_argument("--check", type=int, default=10, help="queries compared under exact search")
    ap.add_argument("--engines", default="local,edge,edge-hnsw", help="comma-separated: local, edge, edge-hnsw")
    ap.add_argument("--hnsw-ef", type=int, default=None, help="hnsw_ef for edge queries (default: engine's)")
    ap.add_argument("--random-queries", action="store_true",
                    help="fully random queries (default: each query near one chunk: cos ~0.7, 10 of its terms)")
    ap.add_argument("--small-term-ids", action="store_true",
                    help="term ids 0..49,999 (default: the 50k vocabulary spread over [0, 2^31) like our hashing)")
    ap.add_argument("--plan-ids", action="store_true", help="also filter on plan_id (2 of the 5 plans)")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    engines = make_engines([e.strip() for e in args.engines.split(",") if e.strip()], args.hnsw_ef)
    n_check = min(args.check, args.queries)
    rows: list[Row] = []
    refs: dict[int, list[Reference]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-store-") as tmp:
        for n in sizes:
            t0 = time.perf_counter()
            work = make_workload(n, args.queries, args.seed, not args.random_queries, not args.small_term_ids)
            refs[n] = [reference(work, qi, *query_scope(work, args.plan_ids)) for qi in range(n_check)]
            print(f"N={n}: workload + reference in {time.perf_counter() - t0:.1f} s", flush=True)
            for engine in engines:
                t0 = time.perf_counter()
                rows.append(run_engine(engine, work, Path(tmp), n_check, args.plan_ids))
                print(f"  {engine.name}: {time.perf_counter() - t0:.1f} s", flush=True)
    print_tables(rows, refs)


if __name__ == "__main__":
    main()
