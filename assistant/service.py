"""The Assistant: opens the index once, answers questions, serves plan texts to the front ends."""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from assistant.answerers import Answerer, get_answerer
from assistant.chain import run_chain
from assistant.duties import (
    date_window,
    duty_answer,
    extract_all,
    is_deadline_listing,
    is_duty_question,
    select_duties,
    with_deadline,
)
from assistant.query import Analysis, QuestionError, analyse, find_plans
from assistant.scoring import Candidate, TermStats
from assistant.settings import Settings, load_settings
from assistant.types import Answer
from corpus.obligations import Obligation
from corpus.records import Chunk, PlanMeta
from corpus.sentences import Sentence, split_sentences
from corpus.signature import find_signer
from corpus.text import fold
from index.build import build_config, open_store, reading_path
from index.embedders import Embedder, get_embedder
from index.record import BuildRecord, NoIndexError, check_compatible, load_record
from index.sparse import entities
from index.store import Hit, Store


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
        self.settings, self.record, self.store, self.embedder, self.answerer = settings, record, store, embedder, answerer
        self.plans: dict[str, PlanMeta] = {p["plan_id"]: _meta(p["meta"]) for p in record.plans.values()}
        df: Counter[str] = Counter()
        for p in record.plans.values():
            df.update(p.get("df", {}))
        self.stats = TermStats(df, sum(p["chunks"] for p in record.plans.values()))
        self._lock = threading.Lock()
        self._chunks: dict[str, list[Chunk]] = {}
        self._obligations: list[Obligation] | None = None
        self._obligations_lock = threading.Lock()

    @classmethod
    def open(cls, settings: Settings | None = None, embedder: Embedder | None = None) -> Assistant:
        """Open the index built by `plans ingest`, refusing one built with another setup."""
        settings = settings or load_settings()
        record = load_record(settings.build_record)
        if record is None:
            raise NoIndexError(f"No index yet at {settings.store_dir}. Create one with: plans ingest")
        embedder = embedder or get_embedder(settings.embedder, model_path=settings.model_path, threads=1)
        check_compatible(record, build_config(settings, embedder))
        answerer = get_answerer(settings.answerer, llm_url=settings.llm_url, llm_model=settings.llm_model,
                                llm_api_key=settings.llm_api_key)
        store = open_store(settings)
        if not store.has_collection(record.collection):
            store.close()
            raise NoIndexError(f"The index record names collection {record.collection!r}, but {store.location} "
                               "does not have it. Rebuild with: plans ingest --rebuild")
        return cls(settings, record, store, embedder, answerer)

    def close(self) -> None:
        """Release the store."""
        self.store.close()

    def plan_list(self) -> list[PlanMeta]:
        """The committed plans' metadata, in file order."""
        return sorted(self.plans.values(), key=lambda m: m.doc)

    def resolve_plan(self, name: str) -> str:
        """A plan id from an id, file name, locality or alias; a clear error lists the plans."""
        wanted = fold(name)
        for meta in self.plans.values():
            if name in (meta.plan_id, meta.doc) or wanted in {fold(a) for a in (*meta.aliases, meta.locality)}:
                return meta.plan_id
        found = find_plans(wanted, list(self.plans.values()))
        if len(found) == 1:
            return found[0]
        known = ", ".join(f"{m.plan_id} ({m.label})" for m in self.plan_list())
        raise QuestionError(f"No plan called {name!r}. Known plans: {known}")

    def ask(self, question: str, plan: str | None = None, history: Sequence[str] = (), k: int | None = None,
            mode: str = "hybrid") -> Answer:
        """Answer one question; `history` holds earlier questions of the conversation (for follow-ups)."""
        started = time.perf_counter()
        metas = list(self.plans.values())
        analysis = analyse(question, metas, history)
        if plan:
            analysis = replace(analysis, plan_ids=(self.resolve_plan(plan),), unknown_place="")
        t_analyse = time.perf_counter()
        implemented = implemented_code(analysis)
        if implemented:
            with self._lock:
                answer = self._implements_answer(analysis, implemented)
            return _timed(answer, started)
        if "issuance" in analysis.wants and "signer" not in analysis.wants:
            with self._lock:
                answer = self._issuance_answer(analysis)
            return _timed(answer, started)
        if is_duty_question(analysis) and not analysis.unknown_place:
            duties = select_duties(analysis, self.obligations())
            if duties or (date_window(analysis) is not None and is_deadline_listing(analysis)):
                # A question about a date that no obligation falls on gets told so, not a near miss.
                answer = duty_answer(analysis, duties, self.plans)
                return _timed(answer, started)
        if "signer" in analysis.wants:
            with self._lock:
                answer = self._signer_answer(analysis)
            return _timed(answer, started)
        with self._lock:
            query_vec = self.embedder.embed([analysis.search or analysis.effective], "query")[0].tolist()
            t_embed = time.perf_counter()
            extra = self._header_hits(analysis) if "issuance" in analysis.wants else []
            answer = run_chain(self.store, self.record.collection, self.record.plan_hashes, analysis, query_vec,
                               self.stats, self.answerer, self.plans, k or self.settings.top_k, mode, extra)
        if "date" in analysis.wants:
            answer = with_deadline(answer, self.obligations(), self._lines)
        done = time.perf_counter()
        timings = {"analyse": (t_analyse - started) * 1000, "embed": (t_embed - t_analyse) * 1000,
                   "retrieve_answer": (done - t_embed) * 1000, "total": (done - started) * 1000}
        return replace(answer, timings_ms={k: round(v, 2) for k, v in timings.items()})

    def obligations(self) -> list[Obligation]:
        """Obligations of every committed plan, from the text saved at ingest (computed once, thread-safe)."""
        with self._obligations_lock:
            if self._obligations is None:
                texts = []
                for doc, entry in sorted(self.record.plans.items()):
                    text = self.plan_text(doc)
                    texts.append((doc, entry["plan_id"], text.meta.label, text.raw, text.restored))
                self._obligations = extract_all(texts)
            return self._obligations

    def _plan_chunks(self, doc: str) -> list[Chunk]:
        """All chunks of a committed plan (cached: the record pins their content)."""
        if doc not in self._chunks:
            self._chunks[doc] = self.store.scroll_plan(self.record.collection, doc, self.record.plans[doc]["sha256"])
        return self._chunks[doc]

    def _kind_chunks(self, analysis: Analysis, kinds: tuple[str, ...]) -> Iterator[tuple[str, list[Chunk]]]:
        """(plan id, its chunks of these kinds) for each plan the question targets (all when it names none)."""
        for doc, entry in sorted(self.record.plans.items()):
            if not analysis.plan_ids or entry["plan_id"] in analysis.plan_ids:
                yield entry["plan_id"], [c for c in self._plan_chunks(doc) if c.kind in kinds]

    def _header_hits(self, analysis: Analysis) -> list[Hit]:
        """The letterhead chunks (number, date, title) of the targeted plans, for questions about issuance."""
        return [Hit(c, 0.0, self.plans[plan_id].label)
                for plan_id, chunks in self._kind_chunks(analysis, ("header",)) for c in chunks]

    def _implements_answer(self, analysis: Analysis, number: str) -> Answer:
        """Which plans carry out a document: each plan's opening sentence that cites it ("Thực hiện …")."""
        cands: list[Candidate] = []
        for plan_id, chunks in self._kind_chunks(analysis, ("header", "preamble")):
            for chunk in chunks:
                sents = split_sentences(chunk.raw_text.split("\n"), chunk.restored_text.split("\n"),
                                        chunk.line_start, line_breaks=chunk.kind == "header")
                hit = next((s for s in sents if re.search(rf"(?<!\d){number}(?!\d)", s.restored)
                            and re.search(r"\b(thuc hien|trien khai|can cu)\b", fold(s.restored))), None)
                if hit is not None:
                    cands.append(Candidate(hit, chunk, self.plans[plan_id].label, len(cands), 1.0, 1.0,
                                           True, 1.0))
                    break
        answer = self.answerer.answer(replace(analysis, wants=(), entities=()), cands, self.plans)
        return replace(answer, retrieved=_spans(cands))

    def _issuance_answer(self, analysis: Analysis) -> Answer:
        """Number and date of issue: the letterhead's "Số: …, ngày …" line of each targeted plan."""
        cands: list[Candidate] = []
        months = [e for e in analysis.entities if re.fullmatch(r"\d{1,2}/\d{4}", e)]
        asks_number = bool(re.search(r"\b(so hieu|ky hieu|number|so may|so bao nhieu)\b",
                                     fold(analysis.effective) + " " + analysis.effective.lower()))
        for plan_id, chunks in self._kind_chunks(analysis, ("header",)):
            for chunk in chunks:
                sents = split_sentences(chunk.raw_text.split("\n"), chunk.restored_text.split("\n"),
                                        chunk.line_start, line_breaks=True)
                for i, sent in enumerate(sents):
                    folded = fold(sent.restored)
                    if not re.search(r"\bkh\s*ubnd\b", folded):
                        continue
                    if "ngay" not in folded and i + 1 < len(sents) and "ngay" in fold(sents[i + 1].restored):
                        # The date sits on the next line of the letterhead: cite both lines.
                        nxt = sents[i + 1]
                        sent = Sentence(sent.line_start, nxt.line_end, f"{sent.raw} {nxt.raw}",
                                        f"{sent.restored} {nxt.restored}")
                        folded = fold(sent.restored)
                    if asks_number and not re.search(r"\d+\s*/?\s*kh", folded):
                        continue  # the number is left blank ("Số:   /KH-UBND"): nothing to cite
                    if months and not set(months) & set(entities(sent.restored) + entities(sent.raw)):
                        continue
                    cands.append(Candidate(sent, chunk, self.plans[plan_id].label, len(cands), 1.0, 1.0,
                                           True, 1.0))
                    break
        wants = tuple(w for w in ("code", "date") if w in analysis.wants or w == "code")
        answer = self.answerer.answer(replace(analysis, wants=wants, entities=()), cands, self.plans)
        return replace(answer, retrieved=_spans(cands))

    def _signer_answer(self, analysis: Analysis) -> Answer:
        """Who signed: the name line of each targeted plan's signature block, cited verbatim."""
        cands: list[Candidate] = []
        for plan_id, chunks in self._kind_chunks(analysis, ("closing",)):
            for chunk in chunks:
                found = find_signer(chunk.raw_text.split("\n"), chunk.restored_text.split("\n"), chunk.line_start)
                if found is not None:
                    cands.append(Candidate(found, chunk, self.plans[plan_id].label, len(cands), 1.0, 1.0,
                                           False, 1.0))
        answer = self.answerer.answer(replace(analysis, wants=("signer",), entities=()), cands, self.plans)
        return replace(answer, retrieved=_spans(cands))

    def _lines(self, doc: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
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


_IMPLEMENTS = re.compile(r"\b(ke hoach nao|nhung ke hoach|cac ke hoach|which plans?|what plans?|plans? that)\b.*"
                         r"\b(thuc hien|trien khai|implement\w*|carr(y|ies) out|follow\w*)\b")


def implemented_code(analysis: Analysis) -> str:
    """The number of the document a "which plans implement X?" question names, or ""."""
    probe = f"{fold(analysis.effective)} {analysis.effective.lower()}"
    if not _IMPLEMENTS.search(probe) or re.search(r"\b(khong|not|don't|do not)\b", probe):
        return ""
    m = re.search(r"\b(\d{2,5})\s*/\s*[A-Za-zĐđ]", analysis.effective) or re.search(
        r"\b(?:quyet dinh|ke hoach|decision|plan)\s+(?:so\s+)?(\d{2,5})\b", probe)
    return m.group(1) if m else ""


def _timed(answer: Answer, started: float) -> Answer:
    """The answer with its total time (structured lookups have no retrieval stages to time)."""
    return replace(answer, timings_ms={"total": round((time.perf_counter() - started) * 1000, 2)})


def _spans(cands: Sequence[Candidate]) -> tuple[tuple[str, int, int], ...]:
    """The chunks a structured lookup read: its retrieved evidence, for hit@k."""
    return tuple(dict.fromkeys((c.chunk.doc, c.chunk.line_start, c.chunk.line_end) for c in cands))


def _meta(data: dict[str, Any]) -> PlanMeta:
    """PlanMeta from its JSON form in the build record."""
    values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
    return PlanMeta(**values)
