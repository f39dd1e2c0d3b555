"""The llama-index retrieval chain: retriever -> postprocessors -> synthesizer, over our Qdrant store."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from llama_index.core.base.response.schema import Response
from llama_index.core.callbacks import CallbackManager
from llama_index.core.postprocessor.types import BaseNodePostprocessor
from llama_index.core.query_engine import RetrieverQueryEngine
from llama_index.core.response_synthesizers import BaseSynthesizer
from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, QueryType, TextNode

from assistant.answerers import Answerer
from assistant.query import Analysis
from assistant.scoring import Candidate, TermStats, score_sentences
from assistant.types import Answer
from corpus.records import Chunk, PlanMeta
from index.sparse import SparseSettings, query_vector, terms
from index.store import Hit, Store

_EMPTY_CALLBACKS = CallbackManager([])


class PlansRetriever(BaseRetriever):
    """Hybrid (dense + sparse, Qdrant RRF) retrieval restricted to committed, and named, plans."""

    def __init__(self, store: Store, collection: str, plan_hashes: Sequence[str], analysis: Analysis,
                 query_vec: Sequence[float], k: int, mode: str = "hybrid", extra: Sequence[Hit] = (),
                 all_plans: Sequence[str] = ()) -> None:
        super().__init__(callback_manager=_EMPTY_CALLBACKS)
        self._all_plans = list(all_plans)
        self._extra = list(extra)
        self._store, self._collection, self._hashes = store, collection, list(plan_hashes)
        self._analysis, self._vec, self._k, self._mode = analysis, query_vec, k, mode

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        sparse = sparse_query(self._analysis)
        hits = self._store.hybrid(self._collection, self._vec, sparse, self._hashes, self._analysis.plan_ids,
                                  limit=self._k, mode=self._mode)
        extra = list(self._extra)
        if self._analysis.per_plan and len(self._all_plans) > 1:
            # A list question: each targeted plan searched on its own too, so that one plan's many
            # near-matches cannot crowd out another plan's answer.
            for pid in self._analysis.plan_ids or self._all_plans:
                extra += self._store.hybrid(self._collection, self._vec, sparse, self._hashes, [pid],
                                            limit=PER_PLAN_K, mode=self._mode)
        seen = {(h.chunk.doc, h.chunk.line_start) for h in hits}
        for hit in extra:
            if (hit.chunk.doc, hit.chunk.line_start) not in seen:
                seen.add((hit.chunk.doc, hit.chunk.line_start))
                hits.append(hit)
        return [_node(hit) for hit in hits]


PER_PLAN_K = 4
PLACE_WEIGHT = 0.25


def sparse_query(analysis: Analysis) -> tuple[list[int], list[float]]:
    """Sparse query vector; the named plans' place names keep a small weight.

    The plan filter already restricts the search to those plans, so at full weight their names would pull
    up letterheads and signature blocks; a small weight still helps where the name is the answer
    ("Viễn thông Đắk Lắk").
    """
    settings = SparseSettings()
    ids, weights = query_vector(terms(f"{analysis.effective} {analysis.expansion}"), settings)
    if not analysis.search or analysis.search == analysis.effective:
        return ids, weights
    kept = dict(zip(*query_vector(terms(f"{analysis.search} {analysis.expansion}"), settings), strict=True))
    return ids, [kept.get(i, PLACE_WEIGHT * w) for i, w in zip(ids, weights, strict=True)]


def _node(hit: Hit) -> NodeWithScore:
    c = hit.chunk
    node = TextNode(id_=f"{c.doc}:{c.line_start}-{c.line_end}", text=c.restored_text, embedding=list(hit.dense),
                    metadata={"chunk": c, "locality": hit.locality}, excluded_embed_metadata_keys=["chunk"],
                    excluded_llm_metadata_keys=["chunk"])
    return NodeWithScore(node=node, score=hit.score)


class SentenceScorer(BaseNodePostprocessor):
    """Turns chunk nodes into scored sentence nodes (best first)."""

    analysis: Any
    query_vec: Any
    stats: Any

    def _postprocess_nodes(self, nodes: list[NodeWithScore], query_bundle: QueryBundle | None = None
                           ) -> list[NodeWithScore]:
        hits: list[tuple[Chunk, str, Sequence[float]]] = [
            (n.node.metadata["chunk"], n.node.metadata.get("locality", ""), n.node.embedding or []) for n in nodes]
        cands = score_sentences(self.analysis, hits, self.query_vec, self.stats)
        return [NodeWithScore(node=TextNode(id_=f"{c.chunk.doc}:{c.sentence.line_start}:{i}", text=c.sentence.restored,
                                            metadata={"candidate": c}), score=c.score) for i, c in enumerate(cands)]


class AnswerSynthesizer(BaseSynthesizer):
    """Hands the scored sentences to an Answerer (extractive by default)."""

    def __init__(self, answerer: Answerer, analysis: Analysis, plans: Mapping[str, PlanMeta]) -> None:
        from llama_index.core.llms import MockLLM

        # The answer comes from our Answerer; the base class only needs some LLM object, never called.
        super().__init__(llm=MockLLM(), callback_manager=_EMPTY_CALLBACKS)
        self._answerer, self._analysis, self._plans = answerer, analysis, plans

    def synthesize(self, query: QueryType, nodes: list[NodeWithScore],
                   additional_source_nodes: Sequence[NodeWithScore] | None = None, **kwargs: Any) -> Response:
        """Answer from the candidates carried by the sentence nodes."""
        cands: list[Candidate] = [n.node.metadata["candidate"] for n in nodes]
        answer = self._answerer.answer(self._analysis, cands, self._plans)
        ranked = sorted({c.rank: (c.chunk.doc, c.chunk.line_start, c.chunk.line_end) for c in cands}.items())
        # `cands` are best first, so a chunk's first appearance is its rank after sentence scoring.
        reranked = dict.fromkeys((c.chunk.doc, c.chunk.line_start, c.chunk.line_end) for c in cands)
        answer = replace(answer, retrieved=tuple(reranked), first_stage=tuple(span for _, span in ranked))
        return Response(response=answer.answer, source_nodes=nodes, metadata={"answer": answer})

    async def asynthesize(self, query: QueryType, nodes: list[NodeWithScore],
                          additional_source_nodes: Sequence[NodeWithScore] | None = None, **kwargs: Any) -> Response:
        """Same as synthesize (the extractive path does no I/O)."""
        return self.synthesize(query, nodes, additional_source_nodes, **kwargs)

    def get_response(self, query_str: str, text_chunks: Sequence[str], **kwargs: Any) -> str:
        """Unused: synthesize works on nodes directly."""
        raise NotImplementedError

    async def aget_response(self, query_str: str, text_chunks: Sequence[str], **kwargs: Any) -> str:
        """Unused: synthesize works on nodes directly."""
        raise NotImplementedError

    def _get_prompts(self) -> dict[str, Any]:
        return {}

    def _update_prompts(self, prompts: Any) -> None:
        return None


def run_chain(store: Store, collection: str, plan_hashes: Sequence[str], analysis: Analysis,
              query_vec: Sequence[float], stats: TermStats, answerer: Answerer, plans: Mapping[str, PlanMeta],
              k: int, mode: str = "hybrid", extra: Sequence[Hit] = ()) -> Answer:
    """Retrieve, score sentences and answer, as one llama-index query; `extra` hits join the retrieved ones."""
    retriever = PlansRetriever(store, collection, plan_hashes, analysis, query_vec, k, mode, extra, sorted(plans))
    scorer = SentenceScorer(analysis=analysis, query_vec=query_vec, stats=stats)
    engine = RetrieverQueryEngine(retriever=retriever, node_postprocessors=[scorer],
                                  response_synthesizer=AnswerSynthesizer(answerer, analysis, plans),
                                  callback_manager=_EMPTY_CALLBACKS)
    response = engine.query(QueryBundle(analysis.effective))
    answer: Answer = response.metadata["answer"] if response.metadata else None  # type: ignore[assignment]
    return answer
