"""Ingest: read the corpus, repair, chunk, embed and upsert only what changed, then commit the record."""

from __future__ import annotations

import json
import os
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corpus.chunker import ChunkSettings, chunk_plan
from corpus.manifest import load_manifest, resolve_meta, unique_ids, with_defaults
from corpus.planted import planted_version
from corpus.reader import PlanFile, Skipped, find_plans, read_plan
from corpus.records import Chunk, PlanMeta
from corpus.restore import PlanReading, read_plan_lines, repair_available, repair_version
from corpus.segment import segmenter_version
from corpus.sentences import sentences_and_cells
from corpus.text import collapse
from index.config import IndexSettings
from index.edge_store import EdgeStore
from index.embed_cache import EmbedCache
from index.embedders import Embedder, get_embedder
from index.lexicon import LEXICON_VERSION, Lexicon
from index.lock import ingest_lock
from index.record import BuildRecord, NoIndexError, config_key, load_record, save_record
from index.sparse import SparseSettings, doc_vector, terms
from index.store import QdrantStore, Store, StoreError

if TYPE_CHECKING:
    from corpus.obligations import Obligation

Progress = Callable[[str], None]


@dataclass
class IngestReport:
    """What an ingest did, for the terminal and for tests."""

    indexed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    missing_meta: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    elsewhere: list[str] = field(default_factory=list)  # a shared index: plans another worker was indexing
    pieces: int = 0  # texts embedded for the plans (headings, sentences, table cells, tasks; each once)
    cached: int = 0  # of those, the ones whose vectors came from the embedding cache
    reread: int = 0  # unchanged plans whose obligations were read again (none saved for this code)
    planted: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # doc -> (line, reason) set aside
    chunks: int = 0
    total_chunks: int = 0
    seconds: float = 0.0
    collection: str = ""

    def lines(self) -> list[str]:
        """Human summary, one fact per line."""
        out = [f"Indexed {len(self.indexed)} plan(s) ({self.chunks} chunks), {len(self.unchanged)} unchanged, "
               f"{len(self.removed)} removed, {len(self.skipped)} skipped; {self.total_chunks} chunks in the index "
               f"({self.seconds:.1f} s)."]
        if self.elsewhere:
            out.append(f"{len(self.elsewhere)} plan(s) were being indexed by another worker and were left to it: "
                       f"{', '.join(self.elsewhere[:10])}{' …' if len(self.elsewhere) > 10 else ''}")
        if self.cached:
            out.append(f"{self.cached} of the {self.pieces} headings, sentences and tasks of these plans had been "
                       "embedded before: their vectors came from the embedding cache")
        if self.reread:
            out.append(f"The obligations of {self.reread} unchanged plan(s) were read again: none were saved for "
                       "this code (an upgrade changed the reader of obligations, or another machine indexed them)")
        if self.repaired:
            out.append(f"OCR repair applied to: {', '.join(self.repaired)}")
        out += [f"  skipped {s.doc}: {s.reason}" for s in self.skipped]
        for doc, missing in self.missing_meta.items():
            out.append(f"  {doc}: indexed; its header does not say: {', '.join(missing)} "
                       f"(`plans manifest {doc}` shows what was read; set the fields in the manifest to fill them)")
        out += [f"  warning: {w}" for w in self.warnings]
        for doc, found in self.planted.items():
            out += [f"  set aside {doc}:{line}: {why}; it is not indexed, so no answer can quote it"
                    for line, why in found]
        return out


def embed_text(chunk: Chunk) -> str:
    """A chunk as one text: the nearest heading, then the restored text (what the dense model read of a chunk
    before chunks were read sentence by sentence; still the piece of a chunk with no sentence)."""
    context = chunk.heading_path[-1] if chunk.heading_path else ""
    words = collapse(chunk.restored_text).split()
    return (f"{context}: " if context else "") + " ".join(words[:300])


# How a chunk's dense vector is made: part of the build config, so that a change re-embeds.
DENSE_RECIPE = "sentences-1"


def dense_pieces(chunk: Chunk) -> tuple[list[str], list[str]]:
    """What the dense model reads of a chunk, piece by piece: (its nearest heading and its sentences, whose
    vectors weighted by their words make the chunk's; its table cells read as sentences, embedded beside them).
    Every piece is a text an English question compares itself with (evidence.py), so questions find them in
    the embedding cache instead of embedding them while the user waits."""
    heading = [chunk.heading_path[-1]] if chunk.heading_path and chunk.heading_path[-1].strip() else []
    sentences, table_cells = sentences_and_cells(chunk)
    body = [s.restored for s in sentences if s.restored.strip()]
    cells = [s.restored for s in table_cells if s.restored.strip()]
    pieces = heading + body
    return (pieces if body else [embed_text(chunk)]), cells


def chunk_vectors(embedder: Embedder, pieces: Sequence[tuple[list[str], list[str]]], cache: EmbedCache) -> Any:
    """Dense vectors of chunks, one row each, from their dense_pieces: the word-weighted mean of the pieces'
    vectors, normalised (as the embedder itself combines a text longer than its window; the transformer reads no
    text twice: a sentence's vector is computed once, for its chunk and for the questions that compare themselves
    with it)."""
    import numpy as np

    texts = list(dict.fromkeys(t for mean, extra in pieces for t in (*mean, *extra)))
    vectors = _embed_all(embedder, texts, cache, batch=64)
    row = {t: i for i, t in enumerate(texts)}
    out = np.zeros((len(pieces), embedder.dim), dtype=np.float32)
    for n, (mean, _) in enumerate(pieces):
        weights = np.array([max(len(t.split()), 1) for t in mean], dtype=np.float32)
        summed = (weights[:, None] * vectors[[row[t] for t in mean]]).sum(axis=0)
        out[n] = summed / max(float(np.linalg.norm(summed)), 1e-12)
    return out


def build_config(settings: IndexSettings, embedder: Embedder) -> dict[str, Any]:
    """Everything that changes what the index contains; a different value means a rebuild."""
    return {
        "embedder": {**embedder.describe(), "key": settings.embedder},
        "segmenter": segmenter_version(),
        "chunking": ChunkSettings().as_dict(),
        "sparse": SparseSettings().as_dict(),
        "repair": repair_version() if settings.repair else "off",
        "lexicon": LEXICON_VERSION,
        "planted": planted_version(),
        "dense": DENSE_RECIPE,
        "store": store_kind(settings),
    }


def collection_name(settings: IndexSettings, config: dict[str, Any]) -> str:
    """The collection of a build: the configured prefix and the configuration's hash."""
    return f"{settings.collection}_{config_key(config)}"


def is_shared(settings: IndexSettings, store: Store | None = None) -> bool:
    """Whether several machines fill this index (QDRANT_URL, or a store opened as shared)."""
    return bool(settings.qdrant_url) if store is None else bool(getattr(store, "shared", False))


STORE_ENGINES = ("edge", "local")


def store_kind(settings: IndexSettings) -> str:
    """Which engine holds the index: a Qdrant server, or one of the embedded engines."""
    if settings.qdrant_url:
        return "qdrant-server"
    if settings.store_engine not in STORE_ENGINES:
        raise StoreError(f"Unknown store engine {settings.store_engine!r}. Known engines: "
                         f"{', '.join(STORE_ENGINES)} (or set QDRANT_URL for a Qdrant server).")
    return f"embedded-{settings.store_engine}"


def open_store(settings: IndexSettings) -> Store:
    """The embedded store (qdrant-edge by default, or qdrant-client local mode), or the server at QDRANT_URL."""
    kind = store_kind(settings)
    if kind == "qdrant-server":
        return QdrantStore(url=settings.qdrant_url, api_key=settings.qdrant_api_key,
                           shards=settings.qdrant_shards, replicas=settings.qdrant_replicas)
    if kind == "embedded-edge":
        # Measured (evals/bench_store.py): hybrid queries 0.4-6 ms up to 20,000 chunks, where local mode
        # takes 25 ms at 300 chunks and 1.5 s at 20,000 (its sparse search is a Python scan).
        return EdgeStore(settings.store_dir)  # it keeps its shards under store_dir/edge
    return QdrantStore(path=settings.store_dir / "qdrant")


def reading_path(store_dir: Path, sha256: str, repair: str) -> Path:
    """Where ingest keeps the text it indexed: raw lines and restored reading, per content and repair model."""
    return store_dir / "readings" / f"{sha256}-{re.sub(r'[^A-Za-z0-9.]+', '_', repair)}.json"


def _save_reading(path: Path, plan: PlanFile, reading: PlanReading) -> None:
    _write_reading(path, {"doc": plan.doc, "sha256": plan.sha256, "raw": list(reading.raw),
                          "lines": list(reading.lines), "score": reading.score,
                          "uncertain": [list(u) for u in reading.uncertain],
                          "planted": [list(p) for p in reading.planted]})


def _write_reading(path: Path, data: dict[str, Any]) -> None:
    """Write a reading file atomically (temp file, fsync, rename): a crash leaves the old one or none."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False)
        handle.flush()
        os.fsync(handle.fileno())
    tmp.replace(path)


def page_starts(pages: Sequence[int]) -> list[int]:
    """The 1-based line where each page starts (pages: the page of each line); [] for files without pages."""
    starts: list[int] = []
    for line, page in enumerate(pages, start=1):
        while len(starts) < page:
            starts.append(line)
    return starts


def _plain(data: dict[str, Any]) -> Any:
    """JSON round trip, so tuples compare equal to what the record file gives back."""
    return json.loads(json.dumps(data, ensure_ascii=False))


def _term_df(chunks: Sequence[Chunk]) -> dict[str, int]:
    """Chunk frequency of syllables and words, for the answerer's sentence scoring."""
    df: Counter[str] = Counter()
    for c in chunks:
        df.update({t for t in terms(c.restored_text, c.segmented_text) if t[:2] in ("s:", "w:", "e:")})
    return dict(df)


BATCH_PLANS = 50  # plans read, embedded and written at a time (about 4,000 chunks: a few hundred MB)


def ingest(settings: IndexSettings, paths: Sequence[Path] | None = None, rebuild: bool = False,
           embedder: Embedder | None = None, progress: Progress | None = None,
           store: Store | None = None) -> IngestReport:
    """Bring the index in line with the corpus: embed new and changed plans, drop removed ones.

    One ingest at a time per index: the lock is taken before the build record is read (see index.lock).
    """
    say = progress or (lambda _msg: None)
    with ingest_lock(settings.store_dir, settings.ingest_wait, say):
        return _ingest(settings, paths, rebuild, embedder, say, store)


def _ingest(settings: IndexSettings, paths: Sequence[Path] | None, rebuild: bool, embedder: Embedder | None,
            say: Progress, store: Store | None) -> IngestReport:
    started = time.perf_counter()
    report = IngestReport()
    embedder = embedder or get_embedder(settings.embedder, model_path=settings.model_path)
    config = build_config(settings, embedder)
    collection = collection_name(settings, config)
    report.collection = collection
    own_store = store is None
    shared_mode = is_shared(settings, store)
    try:
        # A shared index's record is read from the store (sync_shared): the local copy may be damaged freely.
        old = None if shared_mode else load_record(settings.build_record)
    except NoIndexError:
        if not rebuild:
            raise
        old = None  # --rebuild starts from scratch: an unreadable record is simply replaced
    if shared_mode:
        if rebuild:
            where = settings.qdrant_url or "the shared index"
            raise StoreError(f"--rebuild would drop the plans other machines committed to {where}. To start over, "
                             f"delete the collections {collection}, {collection}__plans and {collection}__claims "
                             "on the server, then run: plans ingest")
        # Several machines fill this index: what is committed is read from the store, not a local file.
        store = store or open_store(settings)
        try:
            with server_errors(settings):
                old = sync_shared(settings, as_shared(store), config, collection, embedder)
        except BaseException:
            if own_store:
                store.close()
            raise

    if shared_mode and old is not None:
        # A different file of the same name that another machine committed is that machine's plan: this one
        # is not allowed to replace it (a plan is replaced only by the machine that published it).
        from index.shared import host

        mine = host()
        theirs = {doc: e for doc, e in old.plans.items() if e.get("host", mine) != mine}
    else:
        theirs = {}

    same_build = old is not None and old.collection == collection and not rebuild
    if rebuild:
        from index.lexicon import discard

        discard(settings.store_dir, embedder, collection)  # words of plans gone since are counted no more
    manifest = load_manifest(settings.manifest)
    report.warnings += manifest.problems

    files: list[PlanFile] = []
    found, report.skipped = find_plans(list(paths) if paths else [settings.corpus_dir])
    for path in found:
        result = read_plan(path, max_bytes=settings.max_plan_mb * 1024 * 1024,
                           cache_dir=settings.store_dir / "extracted", progress=say)
        if isinstance(result, Skipped):
            report.skipped.append(result)
            continue
        if result.doc in theirs and theirs[result.doc]["sha256"] != result.sha256:
            report.skipped.append(Skipped(result.doc, f"another machine ({theirs[result.doc].get('host', '?')}) "
                                                      "committed a different file of this name to the shared "
                                                      "index; rename this file and ingest it again to add it"))
            continue
        files.append(result)
    plans = _metadata(files, manifest, settings, config, old if same_build else None, report)

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
    if old and same_build and (paths or shared_mode):
        # Named files add to or update the index; the other plans stay as they are (in a shared index, every
        # ingest only adds and updates: the plans of other machines' folders are theirs).
        committed.update({doc: entry for doc, entry in old.plans.items() if doc not in given})
    elif old:
        report.removed = sorted(set(old.plans) - {p.doc for p, _ in plans})

    if same_build and not todo and not report.removed and (store is None or shared_mode):
        # Nothing changed: the committed record already describes the index; no need to open the store.
        catch_up_obligations(settings.store_dir, config["repair"], committed, report, say)
        report.total_chunks = sum(p["chunks"] for p in committed.values())
        report.seconds = time.perf_counter() - started
        if own_store and store is not None:
            store.close()
        return report

    # Open the store before any embedding: a store held by `plans serve` is refused now, not after minutes.
    store = store or open_store(settings)
    try:
        with server_errors(settings) if shared_mode else nullcontext():
            report = _update(settings, config, collection, embedder, store, old if same_build else None,
                             manifest, todo, committed, report, say, started, interim=old is None or same_build,
                             shared=as_shared(store) if shared_mode else None)
    finally:
        if own_store:
            store.close()
    record = load_record(settings.build_record)
    if record is not None:
        catch_up_obligations(settings.store_dir, config["repair"], record.plans, report, say)
    report.seconds = time.perf_counter() - started
    return report


@contextmanager
def server_errors(settings: IndexSettings) -> Iterator[None]:
    """A shared index's server failing (network, timeouts, a refused request) is told as a StoreError with the
    way to resume, not as a traceback; the plans committed before stay committed."""
    from corpus.errors import PlansError

    try:
        yield
    except PlansError:
        raise
    except Exception as exc:
        raise StoreError(f"The Qdrant server at {settings.qdrant_url or 'the shared index'} failed "
                         f"({type(exc).__name__}: {exc}). Plans committed before this stay committed; check the "
                         "server and run the same command again to go on.") from exc


def as_shared(store: Store) -> QdrantStore:
    """A shared index is a Qdrant server (or, in tests, a local folder asked to behave as one)."""
    if not isinstance(store, QdrantStore):
        raise StoreError("A shared index needs a Qdrant server: set QDRANT_URL.")
    return store


def sync_shared(settings: IndexSettings, store: QdrantStore, config: dict[str, Any], collection: str,
                embedder: Embedder, lexicon: bool = True) -> BuildRecord | None:
    """The record of a shared index, with this machine's copies (readings, lexicon words unless `lexicon` is
    False: a caller that answers catches the lexicon up itself and keeps it, build.json) brought up to date; None
    when nothing is committed yet."""
    from index import shared

    try:
        local = load_record(settings.build_record)
    except NoIndexError:
        local = None
    mine = local.plans if local and local.collection == collection else {}

    def write_reading(sha256: str, data: dict[str, Any]) -> None:
        _write_reading(reading_path(settings.store_dir, sha256, config["repair"]), data)

    entries = shared.sync(store, collection, mine, write_reading)
    if not entries:
        return None
    if lexicon:
        catch_up_lexicon(settings, store, collection, entries, embedder)
    record = BuildRecord(config=config, collection=collection, plans=entries, avgdl=shared.avgdl(store, collection) or 1.0,
                         built_at=time.strftime("%Y-%m-%dT%H:%M:%S"), location=store.location)
    save_record(settings.build_record, record)
    return record


def _update(settings: IndexSettings, config: dict[str, Any], collection: str, embedder: Embedder, store: Store,
            old: BuildRecord | None, manifest: Any, todo: list[tuple[PlanFile, PlanMeta]],
            committed: dict[str, dict[str, Any]], report: IngestReport, say: Progress,
            started: float, interim: bool, shared: QdrantStore | None = None) -> IngestReport:
    """Read, embed and upsert the plans to do, BATCH_PLANS at a time, then commit the record (old: the record of
    this same build). Each batch's chunks and vectors are written and let go, so memory does not grow with the
    corpus; with `interim` (no other index to keep serving) the record is committed after each batch too, so an
    ingest cut short resumes after the last batch it finished.

    With `shared` (several machines fill one Qdrant), each batch's plans are claimed first (plans another worker
    is indexing are left to it), and committed to the store's record as soon as they are written."""
    store.ensure_collection(collection, embedder.dim)
    avgdl = old.avgdl if (old and committed) else 0.0
    # Plans being replaced keep their old entry (and points) until their new one is committed.
    replaced = {plan.doc: old.plans[plan.doc] for plan, _ in todo if old and plan.doc in old.plans}
    progress = _Progress(len(todo))
    for start in range(0, len(todo), BATCH_PLANS):
        batch = todo[start:start + BATCH_PLANS]
        claimed: list[str] = []
        try:
            if shared is not None:
                batch, claimed, elsewhere = _claim(shared, collection, batch, report, say)
                committed.update(elsewhere)
            new_chunks, plan_chunks, dense = _read_and_embed(batch, settings, config, embedder, report, say,
                                                             progress)
            if not avgdl:  # a first build: the first batch's mean chunk length stands for the corpus (BM25 norm)
                avgdl = sum(len(collapse(c.restored_text).split()) for c in new_chunks) / max(len(new_chunks), 1)
                if shared is not None:
                    avgdl = _shared_avgdl(shared, collection, avgdl)
            done = _write_batch(settings, config, collection, embedder, store, manifest, batch, new_chunks,
                                plan_chunks, dense, avgdl or 1.0, report, say)
            if shared is not None:
                _publish(settings, config, shared, collection, done, replaced)
        finally:
            if shared is not None:
                from index.shared import release

                release(shared, collection, claimed)
        committed.update(done)
        for doc in done:
            replaced.pop(doc, None)
        report.chunks += len(new_chunks)
        if interim and start + BATCH_PLANS < len(todo):
            save_record(settings.build_record, BuildRecord(
                config=config, collection=collection, plans={**replaced, **committed}, avgdl=avgdl or 1.0,
                built_at=time.strftime("%Y-%m-%dT%H:%M:%S"), location=store.location))
    if shared is not None:
        # Other machines may have committed plans meanwhile: the local copy of the record takes them in too.
        record = sync_shared(settings, shared, config, collection, embedder) or BuildRecord(
            config=config, collection=collection, plans=committed, avgdl=avgdl or 1.0, location=store.location)
        report.total_chunks = sum(p["chunks"] for p in record.plans.values())
        report.seconds = time.perf_counter() - started
        return report
    record = BuildRecord(config=config, collection=collection, plans=committed, avgdl=avgdl or 1.0,
                         built_at=time.strftime("%Y-%m-%dT%H:%M:%S"), location=store.location)
    save_record(settings.build_record, record)  # the commit point: queries now see the new plans
    catch_up_lexicon(settings, store, collection, committed, embedder)
    store.delete_except(collection, record.plan_hashes)
    for name in store.collections():
        if name.startswith(f"{settings.collection}_") and name != collection and "__" not in name:
            store.drop_collection(name)
    report.total_chunks = sum(p["chunks"] for p in committed.values())
    report.seconds = time.perf_counter() - started
    return report


CATCH_UP_BY_PLAN = 20  # plans a lexicon catch-up reads one by one; more are read in one pass over the collection


def catch_up_lexicon(settings: IndexSettings, store: Store, collection: str, plans: dict[str, dict[str, Any]],
                     embedder: Embedder) -> Lexicon:
    """Count the words of committed plans the build's lexicon has not counted (plans another machine indexed,
    or an index from before lexicons were kept per build), reading their chunks from the store; returns the
    lexicon, up to date (a caller that answers keeps it rather than loading it again)."""
    lexicon = Lexicon.load(settings.store_dir, embedder, collection)
    todo = {doc: e["sha256"] for doc, e in plans.items() if e["sha256"] not in lexicon.sources}
    if len(todo) <= CATCH_UP_BY_PLAN:
        for doc, sha in todo.items():
            lexicon.add([c.segmented_text for c in store.scroll_plan(collection, doc, sha)], source=sha)
    else:
        # Many plans (an index from before lexicons were kept per build): one pass over the collection, not a
        # filtered scan per plan (3,500 of those over an embedded store without payload indexes take an hour).
        wanted = set(todo.values())
        for page in store.iter_chunks(collection):
            lexicon.count(c.segmented_text for c in page if c.plan_hash in wanted)
        lexicon.sources |= wanted
        lexicon.embed_new()
    if todo:
        lexicon.save(settings.store_dir, collection)
    return lexicon


def _claim(store: QdrantStore, collection: str, batch: list[tuple[PlanFile, PlanMeta]], report: IngestReport,
           say: Progress) -> tuple[list[tuple[PlanFile, PlanMeta]], list[str], dict[str, dict[str, Any]]]:
    """The plans of a batch this worker may index (claimed now), the hashes it claimed, and the entries of the
    batch's plans another worker committed since this ingest read the record (they are not embedded again)."""
    from index.shared import claim, committed, worker_id

    now = committed(store, collection, [plan.doc for plan, _ in batch])
    done = {plan.doc: now[plan.doc] for plan, _ in batch if now.get(plan.doc, {}).get("sha256") == plan.sha256}
    report.unchanged += list(done)
    batch = [(plan, meta) for plan, meta in batch if plan.doc not in done]
    mine, others = claim(store, collection, [plan.sha256 for plan, _ in batch], worker_id())
    for plan, _ in batch:
        if plan.sha256 in others:
            report.elsewhere.append(plan.doc)
            say(f"{plan.doc} is being indexed by {others[plan.sha256]}: left to it")
    held = set(mine)
    return [(plan, meta) for plan, meta in batch if plan.sha256 in held], mine, done


def _shared_avgdl(store: QdrantStore, collection: str, mine: float) -> float:
    """The BM25 length norm of a shared index: the first worker's, kept in the store for all the others."""
    from index.shared import avgdl, set_avgdl

    return avgdl(store, collection) or set_avgdl(store, collection, mine)


def _publish(settings: IndexSettings, config: dict[str, Any], store: QdrantStore, collection: str,
             done: dict[str, dict[str, Any]], replaced: dict[str, dict[str, Any]]) -> None:
    """Commit a batch's plans to the shared record (with their readings); the versions they replace go."""
    from index.shared import publish, reading_json

    readings = {e["sha256"]: reading_json(reading_path(settings.store_dir, e["sha256"], config["repair"]))
                for e in done.values()}
    publish(store, collection, done, readings)  # a new version's point replaces the old one's (one per file name)
    stale = [replaced[doc]["sha256"] for doc in done if doc in replaced and replaced[doc]["sha256"] != done[doc]["sha256"]]
    store.delete_hashes(collection, stale)


def _write_batch(settings: IndexSettings, config: dict[str, Any], collection: str, embedder: Embedder, store: Store,
                 manifest: Any, batch: list[tuple[PlanFile, PlanMeta]], new_chunks: list[Chunk],
                 plan_chunks: dict[str, list[Chunk]], dense: Any, avgdl: float, report: IngestReport,
                 say: Progress) -> dict[str, dict[str, Any]]:
    """Upsert one batch's chunks, save its plans' obligations, and return their record entries."""
    batch = [(plan, meta) for plan, meta in batch if plan.doc in plan_chunks]  # a plan that failed is skipped
    # A scan's header reads better restored: its metadata is read again from the restored text (ids kept).
    final: dict[str, PlanMeta] = {}
    for plan, meta in batch:
        saved = _load_reading(settings.store_dir, plan.sha256, config["repair"])
        if saved is not None and saved != plan.lines:
            again, missing = resolve_meta(plan.doc, plan.lines, manifest, saved)
            final[plan.doc] = with_defaults(replace(again, plan_id=meta.plan_id))
            report.missing_meta.pop(plan.doc, None)
            if missing:
                report.missing_meta[plan.doc] = missing
    batch = [(plan, final.get(plan.doc, meta)) for plan, meta in batch]
    if new_chunks:
        sparse_settings = SparseSettings()
        sparse = [doc_vector(terms(c.restored_text, c.segmented_text), avgdl, sparse_settings)
                  for c in new_chunks]
        lexicon = Lexicon.load(settings.store_dir, embedder, collection)
        added = sum(lexicon.add([c.segmented_text for c in chunks], source=chunks[0].plan_hash)
                    for chunks in plan_chunks.values() if chunks)
        if added:
            say(f"embedded {added} new words for English questions")
        lexicon.save(settings.store_dir, collection)
        meta_by_id = {meta.plan_id: (meta.label, meta.level) for _, meta in batch}
        store.upsert(collection, new_chunks, dense.tolist(), sparse, meta_by_id)
    out: dict[str, dict[str, Any]] = {}
    tasks_read: list[str] = []
    for plan, meta in batch:
        tasks = _save_obligations(settings.store_dir, plan.sha256, config["repair"], plan.doc, meta, report)
        chunks = plan_chunks[plan.doc]
        if settings.task_vectors:  # the sentences are embedded already: they make the chunks' vectors
            tasks_read += [o.compared() for o in tasks or ()]
        out[plan.doc] = {"sha256": plan.sha256, "plan_id": meta.plan_id, "chunks": len(chunks),
                         "meta": _plain(asdict(meta)), "df": _term_df(chunks),
                         "repaired": plan.doc in report.repaired,
                         "planted": [list(p) for p in report.planted.get(plan.doc, [])],
                         "read_as": plan.method, "page_starts": page_starts(plan.pages)}
        report.indexed.append(plan.doc)
    if tasks_read:
        _embed_tasks(settings, embedder, tasks_read, report, say)
    return out


def _embed_tasks(settings: IndexSettings, embedder: Embedder, texts: list[str], report: IngestReport,
                 say: Progress) -> None:
    """Embed the tasks an English who/when question compares itself with one by one, into the embedding cache,
    so that questions embed none of them (PLANS_TASK_VECTORS; sentences are always embedded)."""
    texts = list(dict.fromkeys(texts))
    say(f"embedding {len(texts)} tasks for English questions")
    cache = EmbedCache(settings.store_dir / "embeddings", embedder)
    try:
        _embed_all(embedder, texts, cache, batch=64)
    finally:
        report.cached += cache.hits
        report.pieces += cache.hits + cache.misses
        cache.close()


def _save_obligations(store_dir: Path, sha256: str, repair: str, doc: str, meta: PlanMeta,
                      report: IngestReport) -> list[Obligation] | None:
    """Extract the plan's obligations from the reading just saved and keep them (a start at thousands of plans
    then loads them instead of extracting each again); a failure only costs that later extraction (None)."""
    from corpus.obligations import extract_obligations
    from corpus.obligations.saved import save, saved_path

    try:
        data = json.loads(reading_path(store_dir, sha256, repair).read_text(encoding="utf-8"))
        raw, lines = list(data["raw"]), list(data["lines"])
        found = extract_obligations(doc, meta.plan_id, meta.label, raw, lines if len(lines) == len(raw) else raw)
    except Exception as exc:  # a reader bug on a new layout must not stop the ingest: the plan is indexed
        report.warnings.append(f"{doc}: obligations not read at ingest ({type(exc).__name__}: {exc}); they are "
                               "read when first asked for")
        return None
    save(saved_path(store_dir / "obligations", sha256, repair, meta.label), found)
    return found


def unsaved_obligations(store_dir: Path, repair: str, plans: Mapping[str, Mapping[str, Any]]
                        ) -> list[tuple[str, str, PlanMeta]]:
    """(doc, sha256, meta) of the committed plans that have no obligations saved for this code and a saved reading
    to read them from: what catch_up_obligations reads again."""
    from corpus.obligations.saved import saved_path

    metas = ((doc, e["sha256"], PlanMeta.from_json(e["meta"])) for doc, e in sorted(plans.items()))
    return [(doc, sha, meta) for doc, sha, meta in metas
            if not saved_path(store_dir / "obligations", sha, repair, meta.label).exists()
            and reading_path(store_dir, sha, repair).exists()]


def catch_up_obligations(store_dir: Path, repair: str, plans: dict[str, dict[str, Any]], report: IngestReport,
                         say: Progress) -> int:
    """Read again the obligations of committed plans that have none saved for this code (an upgrade changed the
    reader of obligations, or another machine indexed them): at ingest, with progress, rather than inside the
    first question over all plans (a 3,500-plan index: about ten minutes). Returns how many were read."""
    todo = unsaved_obligations(store_dir, repair, plans)
    started = time.perf_counter()
    read = 0
    for n, (doc, sha, meta) in enumerate(todo):
        if n % 50 == 0:
            say(f"reading the obligations of {len(todo) - n} plan(s) that have none saved for this code"
                f"{_eta(started, n, len(todo))}")
        if _save_obligations(store_dir, sha, repair, doc, meta, report) is not None:
            read += 1
            report.reread += doc not in report.indexed
    return read


def _load_reading(store_dir: Path, sha256: str, repair: str) -> tuple[str, ...] | None:
    """The restored lines saved by an earlier ingest of this content, if any."""
    try:
        data = json.loads(reading_path(store_dir, sha256, repair).read_text(encoding="utf-8"))
        lines = tuple(str(x) for x in data["lines"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return lines


def _metadata(files: Sequence[PlanFile], manifest: Any, settings: IndexSettings, config: dict[str, Any],
              old: BuildRecord | None, report: IngestReport) -> list[tuple[PlanFile, PlanMeta]]:
    """Each plan's metadata (from its header, restored when a reading is saved; the manifest on top), ids
    unique: plans already indexed keep theirs, a new plan whose id is taken gets a suffix and a warning."""
    metas: dict[str, PlanMeta] = {}
    for plan in files:
        saved = _load_reading(settings.store_dir, plan.sha256, config["repair"])
        meta, missing = resolve_meta(plan.doc, plan.lines, manifest, saved)
        if missing:
            report.missing_meta[plan.doc] = missing
        metas[plan.doc] = with_defaults(meta)
    indexed = {doc: entry.get("plan_id", "") for doc, entry in (old.plans.items() if old else [])}
    # Indexed plans first, so that their ids (and their points' payloads) never change under them.
    order = sorted(files, key=lambda p: (p.doc not in indexed, p.doc))
    def chosen(doc: str) -> str:
        entry = manifest.get(doc) or {}
        return str(entry.get("plan_id") or indexed.get(doc) or metas[doc].plan_id)

    ordered = [replace(metas[p.doc], plan_id=chosen(p.doc)) for p in order]
    unique, warnings = unique_ids(ordered)
    report.warnings += warnings
    by_doc = {m.doc: m for m in unique}
    return [(plan, by_doc[plan.doc]) for plan in files]


class _Progress:
    """Plans read so far out of all to do, and when reading began: the "[n/N] … min left" of the messages."""

    def __init__(self, total: int) -> None:
        self.total, self.done, self.started = total, 0, time.perf_counter()

    def step(self) -> tuple[str, str]:
        """("[n/N]", ", about 3 min left") for the next plan."""
        self.done += 1
        return f"[{self.done}/{self.total}]", _eta(self.started, self.done - 1, self.total)


def _read_and_embed(todo: Sequence[tuple[PlanFile, PlanMeta]], settings: IndexSettings, config: dict[str, Any],
                    embedder: Embedder, report: IngestReport, say: Progress, progress: _Progress
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
    cache = EmbedCache(settings.store_dir / "embeddings", embedder)
    try:
        for plan, meta in todo:
            count, left = progress.step()
            say(f"{count} reading {plan.doc}{left}")
            try:
                reading = read_plan_lines(plan.lines, enabled=settings.repair)
                chunks = chunk_plan(plan.doc, meta.plan_id, plan.sha256, reading.raw, reading.lines)
                pieces = [dense_pieces(c) for c in chunks]  # split here: a failure skips this plan alone
                _save_reading(reading_path(settings.store_dir, plan.sha256, config["repair"]), plan, reading)
            except Exception as exc:  # one plan's failure (a parser bug on a new layout) must never stop the others
                report.skipped.append(Skipped(plan.doc, f"could not be read into chunks ({type(exc).__name__}: "
                                                        f"{exc}); the other plans were indexed"))
                continue
            if reading.repaired:
                report.repaired.append(plan.doc)
            if reading.planted:
                report.planted[plan.doc] = [(n, why) for n, _, why in reading.planted]
            plan_chunks[plan.doc] = chunks
            new_chunks.extend(chunks)
            if chunks:
                say(f"embedding {len(chunks)} chunks of {plan.doc} with {embedder.name}")
                pending.append(pool.submit(chunk_vectors, embedder, pieces, cache))
        vectors = [job.result() for job in pending]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        report.cached += cache.hits
        report.pieces += cache.hits + cache.misses
        cache.close()
    dense = np.vstack(vectors) if vectors else np.zeros((0, embedder.dim), dtype=np.float32)
    return new_chunks, plan_chunks, dense


def _eta(started: float, done: int, total: int) -> str:
    """ ", about 3 min left" from the pace so far (after the first plan; nothing before)."""
    if done == 0:
        return ""
    left = (time.perf_counter() - started) / done * (total - done)
    return f", about {left / 60:.0f} min left" if left >= 90 else f", about {left:.0f} s left"


def _embed_all(embedder: Embedder, texts: list[str], cache: EmbedCache, batch: int = 16) -> Any:
    """Embed in batches (texts embedded before come from the cache) with a progress bar on a terminal."""
    import numpy as np
    from tqdm import tqdm

    parts = []
    with tqdm(total=len(texts), desc="embedding", unit="chunk", disable=None, leave=False) as bar:
        for start in range(0, len(texts), batch):
            parts.append(cache.embed(texts[start:start + batch], lambda ts: embedder.embed(ts, "passage")))
            bar.update(len(texts[start:start + batch]))
    return np.vstack(parts) if parts else np.zeros((0, embedder.dim), dtype=np.float32)
