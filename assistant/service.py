"""The Assistant: opens the index once, answers questions, serves plan texts to the front ends."""

from __future__ import annotations

import bisect
import json
import logging
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from assistant import glossary
from assistant.answerers import Answerer, get_answerer, with_plans_found
from assistant.chain import retrieve as retrieve_chain
from assistant.evidence import Candidate, TermStats
from assistant.handlers import Result
from assistant.handlers import run as run_handler
from assistant.query import Analysis, QuestionError, analyse
from assistant.resolve import resolve
from assistant.settings import Settings, load_settings
from assistant.types import Answer, Citation
from corpus.errors import PlansError
from corpus.obligations import Obligation, extract_obligations
from corpus.obligations.saved import load, save, saved_path
from corpus.records import Chunk, PlanMeta
from corpus.restore import restore_diacritics
from corpus.text import fold
from index.build import (
    IngestReport,
    as_shared,
    build_config,
    catch_up_lexicon,
    collection_name,
    ingest,
    is_shared,
    open_store,
    reading_path,
    server_errors,
    sync_shared,
    unsaved_obligations,
)
from index.embed_cache import EmbedCache
from index.embedders import Embedder, get_embedder
from index.lexicon import Lexicon
from index.record import BuildRecord, NoIndexError, check_compatible, load_record
from index.store import Hit, Store

log = logging.getLogger(__name__)
WIDE_K = 100  # chunks a "which plans …?" question reads to count the plans that speak of it
# A shared index (QDRANT_URL): how often a running assistant looks for plans other machines committed since.
SHARED_REFRESH_S = 60.0


@dataclass(frozen=True)
class PlanText:
    """A plan's raw lines (what citations quote) beside its restored reading."""

    meta: PlanMeta
    raw: tuple[str, ...]
    restored: tuple[str, ...]
    repaired: bool
    uncertain: tuple[tuple[int, str, str], ...]


class Assistant:
    """Question answering over the committed index. Thread-safe; open once per process."""

    def __init__(self, settings: Settings, record: BuildRecord, store: Store, embedder: Embedder,
                 answerer: Answerer) -> None:
        self.settings, self.store, self.embedder, self.answerer = settings, store, embedder, answerer
        self._lock = threading.RLock()
        self._obligations_lock = threading.Lock()
        self._query_vec: list[float] = []
        self._mode = "hybrid"
        self._k = settings.top_k
        self._first_stage: list[tuple[str, int, int]] = []
        self._retrieved: dict[tuple[Analysis, tuple[str, ...], bool], list[Candidate]] = {}
        self._found_wide: dict[str, list[Hit]] = {}  # this question's wide search: the chunks found, by plan id
        self._synced = time.monotonic()
        self._passage_cache: EmbedCache | bool | None = None  # opened at the first English question; False: unusable
        self.generation = 0  # counts the records served: views of the plans (the UI's) compare it
        self._load(record)

    def _load(self, record: BuildRecord) -> None:
        """Serve a committed record: its plans, term statistics, and fresh caches."""
        self.generation += 1
        self.record = record
        self.plans: dict[str, PlanMeta] = {p["plan_id"]: PlanMeta.from_json(p["meta"]) for p in record.plans.values()}
        self._docs = {p["plan_id"]: doc for doc, p in record.plans.items()}
        df: Counter[str] = Counter()
        for p in record.plans.values():
            df.update(p.get("df", {}))
        self.stats = TermStats(df, sum(p["chunks"] for p in record.plans.values()))
        self._chunks: dict[str, list[Chunk]] = {}
        self._kind_chunks: dict[tuple[str, tuple[str, ...]], list[Chunk]] = {}
        self._obligations: dict[str, list[Obligation]] = {}
        self._lexicon: Lexicon | None = None

    def add_plans(self, paths: Sequence[Path], progress: Callable[[str], None] | None = None) -> IngestReport:
        """Index files of the corpus folder with this process's store and embedder (the embedded store allows one
        process: a UI adds plans itself, it never starts a second ingest process), then answer from the new index.
        Questions wait meanwhile; a failed ingest leaves the committed index as it was."""
        with self._lock, self._obligations_lock:
            report = ingest(self.settings, list(paths), embedder=self.embedder, progress=progress, store=self.store)
            record = load_record(self.settings.build_record)
            if record is not None:
                self._load(record)
        return report

    def refresh(self) -> bool:
        """A shared index: take in the plans other machines committed (or removed) since this one was opened or
        last refreshed; True when the served index changed. A server that fails now is told as a StoreError and the
        index served stays as it was."""
        if not is_shared(self.settings, self.store):
            return False
        with self._lock, self._obligations_lock:
            self._synced = time.monotonic()
            config = build_config(self.settings, self.embedder)
            with server_errors(self.settings):
                sync_shared(self.settings, as_shared(self.store), config, collection_name(self.settings, config),
                            self.embedder, lexicon=False)
                record = load_record(self.settings.build_record)
                if record is None or {d: e["sha256"] for d, e in record.plans.items()} == {
                        d: e["sha256"] for d, e in self.record.plans.items()}:
                    return False
                lexicon = catch_up_lexicon(self.settings, self.store, record.collection, record.plans,
                                           self.embedder)
            self._load(record)
            self._lexicon = lexicon
            return True

    @classmethod
    def open(cls, settings: Settings | None = None, embedder: Embedder | None = None,
             store: Store | None = None) -> Assistant:
        """Open the index built by `plans ingest`, refusing one built with another setup. A shared index
        (QDRANT_URL) is first brought up to date from the store: the plans other machines committed."""
        settings = settings or load_settings()
        own_store = store is None
        if is_shared(settings, store):
            embedder = embedder or get_embedder(settings.embedder, model_path=settings.model_path)
            config = build_config(settings, embedder)
            store = store or open_store(settings)
            try:
                with server_errors(settings):
                    sync_shared(settings, as_shared(store), config, collection_name(settings, config), embedder,
                                lexicon=False)
            except BaseException:
                store.close()
                raise
        record = load_record(settings.build_record)
        if record is None:
            if own_store and store is not None:
                store.close()
            where = settings.qdrant_url or settings.store_dir
            raise NoIndexError(f"No index yet at {where}. Create one with: plans ingest")
        # Both cores: an English question embeds a dozen sentences to compare with (131 eval questions at 40
        # plans: p95 2.6 s on one thread, 1.3 s on two); with OpenMP's passive wait a single query costs the same
        # either way, even beside a busy core (21 vs 23 ms).
        embedder = embedder or get_embedder(settings.embedder, model_path=settings.model_path)
        check_compatible(record, build_config(settings, embedder))
        answerer = get_answerer(settings.answerer, llm_url=settings.llm_url, llm_model=settings.llm_model,
                                llm_api_key=settings.llm_api_key)
        store = store or open_store(settings)
        if not store.has_collection(record.collection):
            store.close()
            raise NoIndexError(f"The index record names collection {record.collection!r}, but {store.location} "
                               "does not have it. Rebuild with: plans ingest --rebuild")
        # An index from before lexicons were kept per build (or with plans another machine indexed) gets its
        # English lexicon counted once, from the stored chunks.
        lexicon = catch_up_lexicon(settings, store, record.collection, record.plans, embedder)
        assistant = cls(settings, record, store, embedder, answerer)
        assistant._lexicon = lexicon  # loaded once: English questions use it as it is
        return assistant

    def close(self) -> None:
        """Release the store (and the embedding cache, if a question opened it)."""
        if isinstance(self._passage_cache, EmbedCache):
            self._passage_cache.close()
        self.store.close()

    def plan_list(self) -> list[PlanMeta]:
        """The committed plans' metadata, in file order."""
        return sorted(self.plans.values(), key=lambda m: m.doc)

    def plan_summaries(self) -> list[tuple[PlanMeta, bool]]:
        """(metadata, whether its text was repaired) of every committed plan, in file order, from the record."""
        return [(m, bool(self.record.plans[m.doc].get("repaired"))) for m in self.plan_list()]

    def resolve_plan(self, name: str) -> str:
        """A plan id from an id, file name, number, locality or alias; a clear error lists the plans."""
        wanted = fold(name)
        for meta in self.plans.values():
            if name in (meta.plan_id, meta.doc) or wanted in {fold(a) for a in (*meta.aliases, meta.locality)}:
                return meta.plan_id
        found = resolve(name, wanted.split(), list(self.plans.values()))
        if len(found.plan_ids) == 1:
            return found.plan_ids[0]
        known = ", ".join(f"{m.plan_id} ({m.label})" for m in self.plan_list())
        raise QuestionError(f"No plan called {name!r}. Known plans: {known}")

    def has_term(self, plan_id: str, word: str) -> bool:
        """Whether a committed plan's text has a folded syllable (its term counts, kept in the record)."""
        doc = self._docs.get(plan_id)
        return doc is not None and f"s:{word}" in self.record.plans[doc].get("df", {})

    def warm(self) -> None:
        """Load what the first questions would otherwise wait for: the embedder and the answering path (one
        question answered), the saved obligations of every plan (a deadline question over all plans reads them;
        those an upgrade made stale are read again when first asked for, not at start), the gazetteer that
        places named in questions are looked up in, the English glossary, and, with repair on, the diacritic restorer
        that unaccented questions use."""
        from corpus.places import lookup

        self.ask("kế hoạch dịch vụ công trực tuyến")
        glossary.load()  # a third of a second to key its 3,900 phrases
        self.obligations(saved_only=True)
        unread = len(unsaved_obligations(self.settings.store_dir, str(self.record.config.get("repair", "")),
                                         {d: e for d, e in self.record.plans.items() if d not in self._obligations}))
        if unread:
            # Said at start, not met as a first deadline question that reads thousands of plans again (the plans
            # `plans ingest` would read).
            log.warning("The obligations of %d of %d plans have none saved for this code (an upgrade changed the "
                        "reader of obligations, or another machine indexed them): the first question over every "
                        "plan's deadlines reads them first (about a fifth of a second a plan). Run `plans ingest` to "
                        "read them now.", unread, len(self.record.plans))
        lookup("Hà Nội")
        self.restore("ke hoach")

    def translate(self, words: Sequence[str]) -> list[list[tuple[str, float]]]:
        """For each English word or phrase, its Vietnamese renderings with how sure the mapping is: the glossary's
        that the plans use (sure), else the index's nearest Vietnamese words (index.lexicon)."""
        glossed = [[(r, glossary.SURE) for r in glossary.renderings(w) if all(self.stats.known(s) for s in r.split())]
                   for w in words]
        # A longer phrase is the glossary's or nothing: its nearest single word would only repeat its words'.
        rest = [w for w, g in zip(words, glossed, strict=True) if not g and len(w.split()) <= 2]
        if not rest:
            return glossed
        if self._lexicon is None:
            self._lexicon = Lexicon.load(self.settings.store_dir, self.embedder, self.record.collection)
        # Only the glossary is sure (1.0): a nearest word, however close, stays just under it (query.analyse lets a
        # phrase mapped surely stand for its words).
        nearest = {w: [(v, min(conf, glossary.SURE - 0.01)) for v, conf in alts]
                   for w, alts in zip(rest, self._lexicon.translate_each(rest), strict=True)}
        return [g or nearest.get(w, []) for w, g in zip(words, glossed, strict=True)]

    def restore(self, text: str) -> str:
        """An unaccented question's words with their diacritics restored; as typed when repair is off or fails
        (the question is still answered: its words are matched folded)."""
        if not self.settings.repair:
            return text
        try:
            return restore_diacritics(text)
        except Exception as exc:  # a broken repair model must not stop a question
            log.warning("Could not restore the diacritics of a question (%s: %s); searching it as typed",
                        type(exc).__name__, exc)
            return text

    def ask(self, question: str, plan: str | None = None, history: Sequence[str] = (), k: int | None = None,
            mode: str = "hybrid") -> Answer:
        """Answer one question; `history` holds earlier questions of the conversation (for follow-ups)."""
        started = time.perf_counter()
        if time.monotonic() - self._synced >= SHARED_REFRESH_S and is_shared(self.settings, self.store):
            try:
                self.refresh()
            except PlansError as exc:  # answer from the index as last seen; the next question tries again
                log.warning("%s", exc)
        metas = list(self.plans.values())
        analysis = analyse(question, metas, history, translate=self.translate, restore=self.restore,
                           has_term=self.has_term)
        if plan:
            pid = self.resolve_plan(plan)
            analysis = replace(analysis, plan_ids=(pid,), unknown_place="", per_plan=False, ambiguous=False,
                               intent=analysis.inner if analysis.intent == "list" else analysis.intent)
        t_analyse = time.perf_counter()
        with self._lock:
            self._query_vec = self.embedder.embed([analysis.reading or analysis.search], "query")[0].tolist()
            self._mode, self._k = mode, k or self.settings.top_k
            self._retrieved, self._first_stage, self._found_wide = {}, [], {}
            t_embed = time.perf_counter()
            if analysis.unknown_place:
                # No plan of that place: say so, and offer the nearest passages of the plans there are.
                result = Result(related=self.retrieve(analysis, [])[:6])
            else:
                result = run_handler(self, analysis)
            if not result.first_stage:
                result.first_stage = list(self._first_stage)
            answer = self._paged(with_plans_found(self.answerer.compose(analysis, result, self.plans), analysis,
                                                  result, self.plans))
        done = time.perf_counter()
        timings = {"analyse": (t_analyse - started) * 1000, "embed": (t_embed - t_analyse) * 1000,
                   "retrieve_answer": (done - t_embed) * 1000, "total": (done - started) * 1000}
        return replace(answer, timings_ms={key: round(v, 2) for key, v in timings.items()})

    def _paged(self, answer: Answer) -> Answer:
        """The answer with each citation's page, for plans read from PDFs or multi-page scans."""
        def paged(c: Citation) -> Citation:
            starts = self.record.plans.get(c.doc, {}).get("page_starts") or []
            return replace(c, page=bisect.bisect_right(starts, c.lines[0])) if starts else c

        return replace(answer, citations=tuple(map(paged, answer.citations)),
                       related=tuple(map(paged, answer.related)), plans_found=tuple(map(paged, answer.plans_found)))

    # ---------------------------------------------------------------- the handlers' context

    def retrieve(self, analysis: Analysis, scope: Sequence[str], wide: bool = False) -> list[Candidate]:
        """Scored sentences for a question: every chunk of the plans in `scope` (a plan skimmed for a list question:
        its best chunks and those the wide search found of it), else a search of all plans
        (`wide`: WIDE_K chunks, to find every plan that speaks of it; remembered for the rest of the question:
        handlers and their fallbacks ask again)."""
        key = (analysis, tuple(scope), wide)
        if key not in self._retrieved:
            self._retrieved[key] = self._retrieve(analysis, scope, wide)
        return self._retrieved[key]

    def _retrieve(self, analysis: Analysis, scope: Sequence[str], wide: bool) -> list[Candidate]:
        scope_chunks = sum(self.record.plans[self._docs[p]]["chunks"] for p in scope if p in self._docs)
        # A plan skimmed for a list question is read with the chunks the wide search found of it: they are why
        # it was listed.
        also = [h for p in scope for h in self._found_wide.get(p, [])] if analysis.skim else []
        cands, first = retrieve_chain(self.store, self.record.collection, self.record.plan_hashes, analysis,
                                      self._query_vec, self.stats, WIDE_K if wide else self._k, self._mode,
                                      scope, scope_chunks, embed=self.passages, wide=wide, also=also)
        if wide:
            for hit in first:
                self._found_wide.setdefault(hit.chunk.plan_id, []).append(hit)
        if not self._first_stage:
            self._first_stage = [(h.chunk.doc, h.chunk.line_start, h.chunk.line_end) for h in first[:self._k]]
        return cands

    def obligations(self, plan_ids: Sequence[str] | None = None, saved_only: bool = False) -> list[Obligation]:
        """Obligations of these committed plans (all when None), read from the text saved at ingest; each plan's
        once (thread-safe), so that a question about a few plans never reads thousands. `saved_only`: only the
        plans whose obligations are saved for this code (no plan is read again)."""
        docs = sorted(self.record.plans) if plan_ids is None else sorted(
            self._docs[p] for p in dict.fromkeys(plan_ids) if p in self._docs)
        with self._obligations_lock:
            out: list[Obligation] = []
            for doc in docs:
                if doc not in self._obligations:
                    found = self._plan_obligations(doc, saved_only)
                    if found is None:
                        continue
                    self._obligations[doc] = found
                out.extend(self._obligations[doc])
            return out

    def _plan_obligations(self, doc: str, saved_only: bool = False) -> list[Obligation] | None:
        """One plan's obligations: saved at ingest (or by an earlier start), else extracted and saved (None,
        with `saved_only`)."""
        entry = self.record.plans[doc]
        meta = self.plans[entry["plan_id"]]
        path = saved_path(self.settings.store_dir / "obligations", entry["sha256"],
                          str(self.record.config.get("repair", "")), meta.label)
        found = load(path, meta.plan_id, doc, meta.label)
        if found is not None or saved_only:
            return found
        text = self.plan_text(doc)
        out = extract_obligations(doc, meta.plan_id, meta.label, list(text.raw), list(text.restored))
        save(path, out)
        return out

    def plan_chunks(self, plan_id: str, kinds: Sequence[str] = ()) -> list[Chunk]:
        """A committed plan's chunks (of these kinds), in file order (cached: the record pins their content). Only
        the kinds asked for are read, unless the whole plan is at hand: a question about the headers of hundreds
        of plans reads their headers, not their bodies."""
        return self.plans_chunks([plan_id], kinds).get(plan_id, [])

    def plans_chunks(self, plan_ids: Sequence[str], kinds: Sequence[str] = ()) -> dict[str, list[Chunk]]:
        """plan_chunks of several plans, those not read yet read in one pass of the store."""
        docs = {p: self._docs[p] for p in dict.fromkeys(plan_ids) if p in self._docs}
        key = tuple(sorted(kinds))
        whole = not kinds
        missing = {doc: self.record.plans[doc]["sha256"] for doc in docs.values()
                   if doc not in self._chunks and (whole or (doc, key) not in self._kind_chunks)}
        if missing:
            read = self.store.scroll_plans(self.record.collection, missing, key)
            for doc, chunks in read.items():
                if whole:
                    self._chunks[doc] = chunks
                else:
                    self._kind_chunks[(doc, key)] = chunks
        return {p: ([c for c in self._chunks[doc] if whole or c.kind in kinds] if doc in self._chunks
                    else list(self._kind_chunks[(doc, key)])) for p, doc in docs.items()}

    def passages(self, texts: Sequence[str]) -> Any:
        """Passage vectors of texts an English question compares itself with: from the embedding cache beside the
        index (sentences and, with PLANS_TASK_VECTORS, tasks embedded at ingest, or by an earlier question), the rest
        embedded now and kept there; embedded without it when the cache cannot be used."""
        if self._passage_cache is None:
            try:
                self._passage_cache = EmbedCache(self.settings.store_dir / "embeddings", self.embedder)
            except (OSError, sqlite3.Error) as exc:
                log.warning("The embedding cache cannot be opened (%s); sentences are embedded per question", exc)
                self._passage_cache = False
        if isinstance(self._passage_cache, EmbedCache):
            try:
                return self._passage_cache.embed(list(texts), lambda ts: self.embedder.embed(ts, "passage"))
            except sqlite3.Error as exc:  # busy or damaged: embed now, the answer does not depend on it
                log.warning("The embedding cache could not be used (%s)", exc)
        return self.embedder.embed(list(texts), "passage")

    def similarity(self, texts: Sequence[str]) -> list[float]:
        """The question's similarity to each text (0-1), the texts embedded as passages."""
        from assistant.evidence import similarities

        return similarities(texts, self._query_vec, self.passages)

    def lines(self, doc: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Raw and restored lines of a committed plan."""
        text = self.plan_text(doc)
        return text.raw, text.restored

    def plan_text(self, doc: str) -> PlanText:
        """Raw lines from the corpus file and the restored reading saved at ingest."""
        entry = self.record.plans.get(doc)
        if entry is None:
            raise QuestionError(f"{doc} is not in the index. Known: {', '.join(sorted(self.record.plans))}")
        meta = self.plans[entry["plan_id"]]
        path = reading_path(self.settings.store_dir, entry["sha256"], str(self.record.config.get("repair", "")))
        try:
            # The text as it was indexed: what every citation and obligation line number refers to.
            data = json.loads(path.read_text(encoding="utf-8"))
            raw, restored = tuple(data["raw"]), tuple(data["lines"])
            uncertain = tuple((int(a), str(b), str(c)) for a, b, c in data.get("uncertain", []))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise NoIndexError(f"The indexed text of {doc} is missing or damaged ({path}: {exc}). "
                               "Rebuild with: plans ingest --rebuild") from exc
        if len(restored) != len(raw):
            restored = raw
        return PlanText(meta, raw, restored, bool(entry.get("repaired")), uncertain)

