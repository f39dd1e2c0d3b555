"""Ingest: read the corpus, repair, chunk, embed and upsert only what changed, then commit the record."""

from __future__ import annotations

import json
import os
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant.settings import Settings
from corpus.chunker import ChunkSettings, chunk_plan
from corpus.manifest import load_manifest, resolve_meta, with_defaults
from corpus.reader import PlanFile, Skipped, list_plan_paths, read_plan
from corpus.records import Chunk, PlanMeta
from corpus.restore import read_plan_lines, repair_available, repair_version
from corpus.segment import segmenter_version
from corpus.text import collapse
from index.edge_store import EdgeStore
from index.embedders import Embedder, get_embedder
from index.record import BuildRecord, NoIndexError, config_key, load_record, save_record
from index.sparse import SparseSettings, doc_vector, terms
from index.store import QdrantStore, Store, StoreError

Progress = Callable[[str], None]


@dataclass
class IngestReport:
    """What an ingest did, for the terminal and for tests."""

    indexed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    missing_meta: dict[str, list[str]] = field(default_factory=dict)
    repaired: list[str] = field(default_factory=list)
    chunks: int = 0
    total_chunks: int = 0
    seconds: float = 0.0
    collection: str = ""

    def lines(self) -> list[str]:
        """Human summary, one fact per line."""
        out = [f"Indexed {len(self.indexed)} plan(s) ({self.chunks} chunks), {len(self.unchanged)} unchanged, "
               f"{len(self.removed)} removed, {len(self.skipped)} skipped; {self.total_chunks} chunks in the index "
               f"({self.seconds:.1f} s)."]
        if self.repaired:
            out.append(f"OCR repair applied to: {', '.join(self.repaired)}")
        out += [f"  skipped {s.doc}: {s.reason}" for s in self.skipped]
        for doc, missing in self.missing_meta.items():
            out.append(f"  {doc}: metadata missing: {', '.join(missing)} "
                       f"(see `plans manifest` for what the header says)")
        return out


def embed_text(chunk: Chunk) -> str:
    """What the dense model sees: the nearest heading, then the restored text."""
    context = chunk.heading_path[-1] if chunk.heading_path else ""
    words = collapse(chunk.restored_text).split()
    return (f"{context}: " if context else "") + " ".join(words[:300])


def build_config(settings: Settings, embedder: Embedder) -> dict[str, Any]:
    """Everything that changes what the index contains; a different value means a rebuild."""
    return {
        "embedder": {**embedder.describe(), "key": settings.embedder},
        "segmenter": segmenter_version(),
        "chunking": ChunkSettings().as_dict(),
        "sparse": SparseSettings().as_dict(),
        "repair": repair_version() if settings.repair else "off",
        "store": store_kind(settings),
    }


STORE_ENGINES = ("edge", "local")


def store_kind(settings: Settings) -> str:
    """Which engine holds the index: a Qdrant server, or one of the embedded engines."""
    if settings.qdrant_url:
        return "qdrant-server"
    if settings.store_engine not in STORE_ENGINES:
        raise StoreError(f"Unknown store engine {settings.store_engine!r}. Known engines: "
                         f"{', '.join(STORE_ENGINES)} (or set QDRANT_URL for a Qdrant server).")
    return f"embedded-{settings.store_engine}"


def open_store(settings: Settings) -> Store:
    """The embedded store (qdrant-edge by default, or qdrant-client local mode), or the server at QDRANT_URL."""
    kind = store_kind(settings)
    if kind == "qdrant-server":
        return QdrantStore(url=settings.qdrant_url, api_key=settings.qdrant_api_key)
    if kind == "embedded-edge":
        # Measured (evals/bench_store.py): hybrid queries 0.4-6 ms up to 20,000 chunks, where local mode
        # takes 25 ms at 300 chunks and 1.5 s at 20,000 (its sparse search is a Python scan).
        return EdgeStore(settings.store_dir)  # it keeps its shards under store_dir/edge
    return QdrantStore(path=settings.store_dir / "qdrant")


def reading_path(store_dir: Path, sha256: str, repair: str) -> Path:
    """Where ingest keeps the text it indexed: raw lines and restored reading, per content and repair model."""
    return store_dir / "readings" / f"{sha256}-{re.sub(r'[^A-Za-z0-9.]+', '_', repair)}.json"


def _save_reading(path: Path, plan: PlanFile, lines: tuple[str, ...],
                  uncertain: Sequence[tuple[int, str, str]], score: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"doc": plan.doc, "sha256": plan.sha256, "raw": list(plan.lines), "lines": list(lines), "score": score,
            "uncertain": [list(u) for u in uncertain]}
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False)
        handle.flush()
        os.fsync(handle.fileno())
    tmp.replace(path)


def _plain(data: dict[str, Any]) -> Any:
    """JSON round trip, so tuples compare equal to what the record file gives back."""
    return json.loads(json.dumps(data, ensure_ascii=False))


def _term_df(chunks: Sequence[Chunk]) -> dict[str, int]:
    """Chunk frequency of syllables and words, for the answerer's sentence scoring."""
    df: Counter[str] = Counter()
    for c in chunks:
        df.update({t for t in terms(c.restored_text, c.segmented_text) if t[:2] in ("s:", "w:", "e:")})
    return dict(df)


def ingest(settings: Settings, paths: Sequence[Path] | None = None, rebuild: bool = False,
           embedder: Embedder | None = None, progress: Progress | None = None,
           store: Store | None = None) -> IngestReport:
    """Bring the index in line with the corpus: embed new and changed plans, drop removed ones."""
    started = time.perf_counter()
    say = progress or (lambda _msg: None)
    report = IngestReport()
    embedder = embedder or get_embedder(settings.embedder, model_path=settings.model_path)
    config = build_config(settings, embedder)
    collection = f"{settings.collection}_{config_key(config)}"
    report.collection = collection
    try:
        old = load_record(settings.build_record)
    except NoIndexError:
        if not rebuild:
            raise
        old = None  # --rebuild starts from scratch: an unreadable record is simply replaced

    same_build = old is not None and old.collection == collection and not rebuild
    manifest = load_manifest(settings.manifest)

    plans: list[tuple[PlanFile, PlanMeta]] = []
    for path in list_plan_paths(list(paths) if paths else [settings.corpus_dir]):
        result = read_plan(path)
        if isinstance(result, Skipped):
            report.skipped.append(result)
            continue
        meta, missing = resolve_meta(result.doc, result.lines, manifest)
        if missing:
            report.missing_meta[result.doc] = missing
        plans.append((result, with_defaults(meta)))
    ids = Counter(meta.plan_id for _, meta in plans)
    dupes = [pid for pid, n in ids.items() if n > 1]
    if dupes:
        raise ValueError(f"Two plans share the id(s) {dupes}; give each a distinct `id` in {settings.manifest}.")

    todo: list[tuple[PlanFile, PlanMeta]] = []
    committed: dict[str, dict[str, Any]] = {}
    for plan, meta in plans:
        prev = old.plans.get(plan.doc) if (old and same_build) else None
        if prev and prev["sha256"] == plan.sha256 and prev.get("meta") == _plain(asdict(meta)):
            committed[plan.doc] = prev
            report.unchanged.append(plan.doc)
        else:
            todo.append((plan, meta))
    given = {p.doc for p, _ in plans} | {s.doc for s in report.skipped}
    if old and same_build and paths:
        # Named files add to or update the index; the other plans stay as they are.
        committed.update({doc: entry for doc, entry in old.plans.items() if doc not in given})
    elif old:
        report.removed = sorted(set(old.plans) - {p.doc for p, _ in plans})

    if same_build and not todo and not report.removed and store is None:
        # Nothing changed: the committed record already describes the index; no need to open the store.
        report.total_chunks = sum(p["chunks"] for p in committed.values())
        report.seconds = time.perf_counter() - started
        return report

    new_chunks, plan_chunks, dense = _read_and_embed(todo, settings, config, embedder, report, say)
    sparse_settings = SparseSettings()
    avgdl = old.avgdl if (old and same_build and committed) else (
        sum(len(collapse(c.restored_text).split()) for c in new_chunks) / max(len(new_chunks), 1))
    own_store = store is None
    store = store or open_store(settings)
    try:
        store.ensure_collection(collection, embedder.dim)
        if new_chunks:
            sparse = [doc_vector(terms(c.restored_text, c.segmented_text), avgdl, sparse_settings)
                      for c in new_chunks]
            meta_by_id = {meta.plan_id: (meta.label, meta.level) for _, meta in todo}
            store.upsert(collection, new_chunks, dense.tolist(), sparse, meta_by_id)
        for plan, meta in todo:
            chunks = plan_chunks[plan.doc]
            committed[plan.doc] = {"sha256": plan.sha256, "plan_id": meta.plan_id, "chunks": len(chunks),
                                   "meta": _plain(asdict(meta)), "df": _term_df(chunks),
                                   "repaired": plan.doc in report.repaired}
            report.indexed.append(plan.doc)
        record = BuildRecord(config=config, collection=collection, plans=committed, avgdl=avgdl,
                             built_at=time.strftime("%Y-%m-%dT%H:%M:%S"), location=store.location)
        save_record(settings.build_record, record)  # the commit point: queries now see the new plans
        store.delete_except(collection, record.plan_hashes)
        for name in store.collections():
            if name.startswith(f"{settings.collection}_") and name != collection:
                store.drop_collection(name)
        report.total_chunks = sum(p["chunks"] for p in committed.values())
    finally:
        if own_store:
            store.close()
    report.chunks = len(new_chunks)
    report.seconds = time.perf_counter() - started
    return report


def _read_and_embed(todo: Sequence[tuple[PlanFile, PlanMeta]], settings: Settings, config: dict[str, Any],
                    embedder: Embedder, report: IngestReport, say: Progress
                    ) -> tuple[list[Chunk], dict[str, list[Chunk]], Any]:
    """Read (and repair) the plans, chunk them and embed the chunks: (chunks, chunks by file, vectors).

    Each plan's chunks are embedded in the background while the next plan is read and repaired: the
    embedder's native code releases the GIL, so on 2 cores the pure-Python repair runs beside it.
    """
    import numpy as np

    todo = list(todo)
    if settings.repair and repair_available():
        from corpus.repair import needs_repair

        # Clean plans first: their chunks are embedding while the repair model loads for the OCR ones.
        todo.sort(key=lambda item: needs_repair("\n".join(item[0].lines))[0])
    new_chunks: list[Chunk] = []
    plan_chunks: dict[str, list[Chunk]] = {}
    pending: list[Future[Any]] = []
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="embed")
    try:
        for plan, meta in todo:
            say(f"reading {plan.doc}")
            reading = read_plan_lines(plan.lines, enabled=settings.repair)
            if reading.repaired:
                report.repaired.append(plan.doc)
            _save_reading(reading_path(settings.store_dir, plan.sha256, config["repair"]), plan, reading.lines,
                          reading.uncertain, reading.score)
            chunks = chunk_plan(plan.doc, meta.plan_id, plan.sha256, plan.lines, reading.lines)
            plan_chunks[plan.doc] = chunks
            new_chunks.extend(chunks)
            if chunks:
                say(f"embedding {len(chunks)} chunks of {plan.doc} with {embedder.name}")
                pending.append(pool.submit(_embed_all, embedder, [embed_text(c) for c in chunks]))
        vectors = [job.result() for job in pending]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    dense = np.vstack(vectors) if vectors else np.zeros((0, embedder.dim), dtype=np.float32)
    return new_chunks, plan_chunks, dense


def _embed_all(embedder: Embedder, texts: list[str], batch: int = 16) -> Any:
    """Embed in batches with a progress bar on a terminal."""
    import numpy as np
    from tqdm import tqdm

    parts = []
    with tqdm(total=len(texts), desc="embedding", unit="chunk", disable=None, leave=False) as bar:
        for start in range(0, len(texts), batch):
            parts.append(embedder.embed(texts[start:start + batch], "passage"))
            bar.update(len(texts[start:start + batch]))
    return np.vstack(parts) if parts else np.zeros((0, embedder.dim), dtype=np.float32)
