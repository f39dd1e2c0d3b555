"""The llama-index retrieval chain over our Qdrant store: a retriever (every chunk of the plans a question
means, or a hybrid search of all plans) and a postprocessor that turns chunks into scored sentences."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from llama_index.core.callbacks import CallbackManager
from llama_index.core.postprocessor.types import BaseNodePostprocessor
from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

from assistant.evidence import Candidate, TermStats, rerank_cross_lingual, score_sentences
from assistant.query import Analysis
from corpus.records import Chunk
from index.sparse import SparseSettings, query_vector, terms
from index.store import Hit, Store

_EMPTY_CALLBACKS = CallbackManager([])
PER_PLAN_K = 4
PLACE_WEIGHT = 0.25
SCOPED_PLANS = 4  # a question about at most this many plans reads every chunk of them


class PlansRetriever(BaseRetriever):
    """Chunks for a question: every chunk of the plans it means (they are few: each plan is read whole, dense
    similarity for each chunk; a plan skimmed for a list question, its hybrid top k), else a hybrid (dense +
    sparse, Qdrant RRF) search of all committed plans."""

    def __init__(self, store: Store, collection: str, plan_hashes: Sequence[str], analysis: Analysis,
                 query_vec: Sequence[float], k: int, mode: str = "hybrid", scope: Sequence[str] = (),
                 scope_chunks: int = 0, also: Sequence[Hit] = ()) -> None:
        super().__init__(callback_manager=_EMPTY_CALLBACKS)
        self._store, self._collection, self._hashes = store, collection, list(plan_hashes)
        self._analysis, self._vec, self._k, self._mode = analysis, query_vec, k, mode
        self._scope, self._scope_chunks, self._also = list(scope), scope_chunks, list(also)

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        sparse = sparse_query(self._analysis)
        # Each leg fetches at least as many chunks as are asked for (a wide search asks for more than 40).
        hits = self._store.hybrid(self._collection, self._vec, sparse, self._hashes, self._scope,
                                  limit=self._k, prefetch=max(40, self._k), mode=self._mode)
        more = list(self._also)
        if self._scope and len(self._scope) <= SCOPED_PLANS and self._mode != "sparse" and not self._analysis.skim:
            # The whole of each plan, in order of dense similarity: the sentence scorer, not the first stage,
            # decides. The hybrid hits keep their place at the front.
            more += self._store.hybrid(self._collection, self._vec, sparse, self._hashes, self._scope,
                                       limit=max(self._scope_chunks, self._k), mode="dense")
        seen = {(h.chunk.doc, h.chunk.line_start) for h in hits}
        for h in more:
            if (h.chunk.doc, h.chunk.line_start) not in seen:
                seen.add((h.chunk.doc, h.chunk.line_start))
                hits.append(h)
        return [_node(hit) for hit in hits]


def sparse_query(analysis: Analysis) -> tuple[list[int], list[float]]:
    """Sparse query vector; the words that only named the plan keep a small weight (the filter holds them)."""
    settings = SparseSettings()
    ids, weights = query_vector(terms(f"{analysis.effective} {analysis.expansion}"), settings)
    if not analysis.search or analysis.search == analysis.effective:
        return ids, weights
    kept = dict(zip(*query_vector(terms(f"{analysis.search} {analysis.expansion}"), settings), strict=True))
    return ids, [kept.get(i, PLACE_WEIGHT * w) for i, w in zip(ids, weights, strict=True)]


def _node(hit: Hit) -> NodeWithScore:
    c = hit.chunk
    node = TextNode(id_=f"{c.doc}:{c.line_start}-{c.line_end}", text=c.restored_text, embedding=list(hit.dense),
                    metadata={"chunk": c, "locality": hit.locality, "hit": hit},
                    excluded_embed_metadata_keys=["chunk", "hit"], excluded_llm_metadata_keys=["chunk", "hit"])
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


def retrieve(store: Store, collection: str, plan_hashes: Sequence[str], analysis: Analysis,
             query_vec: Sequence[float], stats: TermStats, k: int, mode: str = "hybrid", scope: Sequence[str] = (),
             scope_chunks: int = 0, embed: Callable[[list[str]], Any] | None = None, wide: bool = False,
             also: Sequence[Hit] = ()) -> tuple[list[Candidate], list[Hit]]:
    """Scored sentences (best first) and the chunks the first stage returned, in its order (`also`: chunks an
    earlier search found, read beside them); an English question's best sentences (`wide`: and each plan's best)
    are compared with it one by one (`embed` encodes passages)."""
    retriever = PlansRetriever(store, collection, plan_hashes, analysis, query_vec, k, mode, scope, scope_chunks,
                               also)
    bundle = QueryBundle(analysis.effective)
    nodes = retriever.retrieve(bundle)
    first = [n.node.metadata["hit"] for n in nodes]
    scorer = SentenceScorer(analysis=analysis, query_vec=query_vec, stats=stats)
    scored = scorer.postprocess_nodes(nodes, bundle)
    cands = [n.node.metadata["candidate"] for n in scored]
    if analysis.language == "en" and embed is not None and mode != "sparse":
        cands = rerank_cross_lingual(cands, query_vec, embed, every_plan=wide)
    return cands, first
