"""EdgeStore on real qdrant-edge shards (temp dirs): QdrantStore's interface, filters, persistence, lock, parity."""

from __future__ import annotations

import hashlib
import math
import os
import signal
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pytest

from assistant.settings import REPO_ROOT
from corpus.records import Chunk
from index.edge_store import EdgeStore
from index.sparse import SparseSettings, doc_vector, query_vector, terms
from index.store import Hit, QdrantStore, StoreError, StoreLockedError, point_id

DIM = 16
NAME = "plans_test"
STALE = hashlib.sha256(b"duong-kinh@old").hexdigest()
PLANS: dict[str, tuple[str, str, str, list[str]]] = {
    "duong-kinh": ("000_duong_kinh.txt", "phường Dương Kinh", "phường", [
        "Mục tiêu đến năm 2026 có 100% hồ sơ thủ tục hành chính được tiếp nhận trực tuyến.",
        "Ủy ban nhân dân phường chủ trì triển khai chuyển đổi số trong cơ quan nhà nước.",
        "Văn phòng phối hợp với công an phường làm sạch dữ liệu dân cư trước ngày 30/6/2025.",
        "Tổ công nghệ số cộng đồng hướng dẫn người dân cài đặt ứng dụng định danh điện tử.",
        "Kinh phí thực hiện từ nguồn ngân sách phường năm 2025 và các nguồn hợp pháp khác.",
        "Các tổ dân phố báo cáo kết quả thực hiện hằng quý về Văn phòng Ủy ban nhân dân phường.",
        "Đẩy mạnh thanh toán không dùng tiền mặt tại chợ và các cửa hàng trên địa bàn.",
        "Bồi dưỡng kỹ năng số cho cán bộ, công chức phường ít nhất hai lần mỗi năm.",
        "Rà soát, nâng cấp hệ thống camera giám sát an ninh trật tự tại các tuyến phố chính.",
        "Tuyên truyền lợi ích của dịch vụ công trực tuyến trên loa phát thanh và mạng xã hội.",
    ]),
    "tan-lap": ("001_tan_lap.txt", "xã Tân Lập", "xã", [
        "Xã Tân Lập phấn đấu đạt chuẩn nông thôn mới nâng cao trong năm 2026.",
        "Hội Nông dân vận động hộ gia đình chuyển đổi cơ cấu cây trồng phù hợp với thổ nhưỡng.",
        "Thu gom và xử lý rác thải sinh hoạt tại tất cả các thôn, đạt tỷ lệ 95%.",
        "Nâng cấp đường giao thông liên thôn với tổng chiều dài 4,5 km bằng bê tông.",
        "Trạm y tế xã tổ chức khám sức khỏe định kỳ cho người cao tuổi vào tháng 9/2025.",
        "Hỗ trợ vốn vay ưu đãi cho hộ nghèo phát triển chăn nuôi bò sinh sản.",
        "Trường mầm non được đầu tư thêm hai phòng học và bếp ăn bán trú.",
        "Ban chỉ đạo xã kiểm tra tiến độ các công trình trước ngày 15/11/2025.",
        "Phòng chống cháy rừng trong mùa khô, bố trí lực lượng trực ba ca.",
        "Khuyến khích thành lập hợp tác xã sản xuất rau an toàn theo chuỗi giá trị.",
    ]),
    "hai-an": ("002_hai_an.txt", "phường Hải An", "phường", [
        "Phường Hải An chỉnh trang vỉa hè, lòng đường và hệ thống chiếu sáng công cộng.",
        "Xử lý dứt điểm các trường hợp lấn chiếm đất công theo Kế hoạch số 49/KH-UBND.",
        "Phòng Kinh tế hướng dẫn doanh nghiệp đăng ký kinh doanh qua cổng dịch vụ công.",
        "Tổ chức diễn tập phòng cháy chữa cháy tại khu công nghiệp vào quý IV.",
        "Trồng mới 500 cây xanh dọc các tuyến đường và trong khuôn viên trường học.",
        "Kiểm tra an toàn thực phẩm tại bếp ăn tập thể của các doanh nghiệp.",
        "Công an phường tăng cường tuần tra kiểm soát trật tự giao thông giờ cao điểm.",
        "Hoàn thành cải tạo nhà văn hóa tổ dân phố số 5 trước ngày 31/12/2025.",
        "Vận động nhân dân đóng góp quỹ vì người nghèo và quỹ khuyến học.",
        "Báo cáo sơ kết sáu tháng đầu năm gửi Ủy ban nhân dân quận trước ngày 10/7/2025.",
    ]),
}
Sparse = tuple[list[int], list[float]]


def plan_hash(plan_id: str) -> str:
    """Content hash stand-in for a plan."""
    return hashlib.sha256(plan_id.encode()).hexdigest()


HASHES = [plan_hash(p) for p in PLANS]


@dataclass(frozen=True)
class Data:
    """Chunks of the three plans with their dense and BM25 sparse vectors."""

    chunks: list[Chunk]
    dense: list[list[float]]
    sparse: list[Sparse]
    meta: dict[str, tuple[str, str]]


def unit(x: np.ndarray) -> list[float]:
    """x scaled to unit length, as a list."""
    return [float(v) for v in x / np.linalg.norm(x)]


def make_data() -> Data:
    """Real short Vietnamese texts, seeded random dense vectors, index/sparse.py document vectors."""
    chunks = [Chunk(plan_id=pid, doc=doc, heading_path=("I. MỤC TIÊU", f"Mục {j + 1}"), line_start=3 * j + 1,
                    line_end=3 * j + 2, raw_text=text, restored_text=text, kind="item", plan_hash=plan_hash(pid))
              for pid, (doc, _, _, texts) in PLANS.items() for j, text in enumerate(texts)]
    rng = np.random.default_rng(11)
    dense = [unit(rng.standard_normal(DIM)) for _ in chunks]
    avgdl = sum(len(c.restored_text.split()) for c in chunks) / len(chunks)
    sparse = [doc_vector(terms(c.restored_text), avgdl, SparseSettings()) for c in chunks]
    meta = {pid: (label, level) for pid, (_, label, level, _) in PLANS.items()}
    return Data(chunks, dense, sparse, meta)


DATA = make_data()


def own_query(i: int) -> tuple[list[float], Sparse]:
    """A query equal to chunk i: its dense vector and the query vector of its own text."""
    return DATA.dense[i], query_vector(terms(DATA.chunks[i].restored_text), SparseSettings())


def fill(store: EdgeStore | QdrantStore, name: str = NAME, data: Data = DATA) -> None:
    """Create the collection and write every chunk."""
    store.ensure_collection(name, DIM)
    store.upsert(name, data.chunks, data.dense, data.sparse, data.meta)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[EdgeStore]:
    """An EdgeStore holding the three plans."""
    edge = EdgeStore(tmp_path / "store")
    fill(edge)
    yield edge
    edge.close()


def ids(hits: Sequence[Hit]) -> list[str]:
    """Point ids of hits."""
    return [point_id(h.chunk) for h in hits]


def test_upsert_count_and_ensure_are_idempotent(store: EdgeStore) -> None:
    assert store.count(NAME) == len(DATA.chunks) == 30
    store.ensure_collection(NAME, DIM)
    fill(store)  # same ids again: overwritten, never duplicated
    assert store.count(NAME) == 30
    assert store.has_collection(NAME) and not store.has_collection("plans_other")
    assert store.collections() == [NAME]
    assert store.is_remote is False and store.location.endswith("store")


@pytest.mark.parametrize("mode", ["hybrid", "dense", "sparse"])
def test_a_query_equal_to_a_chunk_finds_it_first(store: EdgeStore, mode: str) -> None:
    for i in (0, 7, 13, 29):
        dense, sparse = own_query(i)
        hits = store.hybrid(NAME, dense, sparse, HASHES, mode=mode)
        assert hits[0].chunk == DATA.chunks[i]
        assert hits[0].locality == DATA.meta[DATA.chunks[i].plan_id][0]
        assert np.allclose(hits[0].dense, DATA.dense[i], atol=1e-5)  # the dense vector comes back (normalised)
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
        assert len(hits) == 8 and len(set(ids(hits))) == 8
    if mode == "hybrid":
        assert hits[0].score == pytest.approx(1.0)  # first in both legs: 2 * 1/(0 + k) with k = 2


@pytest.mark.parametrize("mode", ["hybrid", "dense", "sparse"])
def test_plan_hash_and_plan_id_filters_restrict_results(store: EdgeStore, mode: str) -> None:
    dense, sparse = own_query(0)  # a Dương Kinh chunk
    others = [plan_hash("tan-lap"), plan_hash("hai-an"), STALE]
    hits = store.hybrid(NAME, dense, sparse, others, limit=30, mode=mode)
    assert hits and {h.chunk.plan_id for h in hits} <= {"tan-lap", "hai-an"}
    only = store.hybrid(NAME, dense, sparse, [*HASHES, STALE], plan_ids=["hai-an"], limit=30, mode=mode)
    assert only and {h.chunk.plan_id for h in only} == {"hai-an"}
    both = store.hybrid(NAME, dense, sparse, [plan_hash("tan-lap")], plan_ids=["hai-an"], mode=mode)
    assert both == []  # the two filters are ANDed
    assert store.hybrid(NAME, dense, sparse, [], mode=mode) == []


def uncommitted_copies() -> list[Chunk]:
    """The first ten chunks again, on other lines, under a hash no search commits (an ingest not yet committed)."""
    return [replace(c, plan_hash=STALE, line_start=c.line_start + 100, line_end=c.line_end + 100)
            for c in DATA.chunks[:10]]


@pytest.mark.parametrize("mode", ["hybrid", "dense"])
def test_points_of_an_uncommitted_reading_written_after_a_search_stay_out(store: EdgeStore, mode: str) -> None:
    # The store counts the hashes its points carry at the first search; a later write (an ingest that has not
    # committed yet) must not slip its points into searches with the committed hashes.
    dense, sparse = own_query(0)
    assert len(store.hybrid(NAME, dense, sparse, HASHES, limit=40, mode=mode)) == 30
    newer = uncommitted_copies()
    store.upsert(NAME, newer, DATA.dense[:10], DATA.sparse[:10], DATA.meta)
    hits = store.hybrid(NAME, dense, sparse, HASHES, limit=40, mode=mode)
    assert len(hits) == 30 and STALE not in {h.chunk.plan_hash for h in hits}
    assert {h.chunk.plan_hash for h in store.hybrid(NAME, dense, sparse, [STALE], limit=40, mode=mode)} == {STALE}
    store.delete_except(NAME, HASHES)
    assert len(store.hybrid(NAME, dense, sparse, [*HASHES, STALE], limit=40, mode=mode)) == 30


class _SearchingShard:
    """A shard that runs a search before each of its writes lands (as a question in another thread could)."""

    def __init__(self, shard: object, search: object) -> None:
        self._shard, self._search, self.seen = shard, search, []

    def __getattr__(self, attr: str) -> object:
        return getattr(self._shard, attr)

    def update(self, operation: object) -> object:
        self.seen.append(self._search())  # type: ignore[operator]
        return self._shard.update(operation)  # type: ignore[attr-defined]


def test_a_search_while_points_are_written_keeps_them_out_then_and_after(store: EdgeStore) -> None:
    dense, sparse = own_query(0)

    def search() -> set[str]:
        return {h.chunk.plan_hash for h in store.hybrid(NAME, dense, sparse, HASHES, limit=40)}

    assert STALE not in search()
    spy = _SearchingShard(store._shard(NAME), search)
    store._shards[NAME] = spy  # type: ignore[assignment]
    newer = uncommitted_copies()
    store.upsert(NAME, newer, DATA.dense[:10], DATA.sparse[:10], DATA.meta)
    assert spy.seen and all(STALE not in seen for seen in spy.seen)
    assert STALE not in search()


class _WrittenDuringSearchShard:
    """A shard on which a write lands once, between a search's filter and its query (another thread's ingest)."""

    def __init__(self, shard: object, write: object) -> None:
        self._shard, self._write, self.wrote = shard, write, False

    def __getattr__(self, attr: str) -> object:
        return getattr(self._shard, attr)

    def query(self, request: object) -> object:
        if not self.wrote:
            self.wrote = True
            self._write()  # type: ignore[operator]
        return self._shard.query(request)  # type: ignore[attr-defined]


@pytest.mark.parametrize("mode", ["hybrid", "dense"])
def test_a_write_that_lands_during_a_search_stays_out_of_it(store: EdgeStore, mode: str) -> None:
    dense, sparse = own_query(0)
    assert len(store.hybrid(NAME, dense, sparse, HASHES, limit=40, mode=mode)) == 30  # hashes counted
    newer = uncommitted_copies()
    spy = _WrittenDuringSearchShard(store._shard(NAME), lambda: store.upsert(NAME, newer, DATA.dense[:10],
                                                                               DATA.sparse[:10], DATA.meta))
    store._shards[NAME] = spy  # type: ignore[assignment]
    hits = store.hybrid(NAME, dense, sparse, HASHES, limit=40, mode=mode)
    assert spy.wrote and store.count(NAME) == 40
    assert len(hits) == 30 and STALE not in {h.chunk.plan_hash for h in hits}


def test_hybrid_ties_come_back_in_the_same_order_every_time(store: EdgeStore) -> None:
    # Query 21 has two chunks tied at 1/3 (rank 1 in one leg only): edge alone orders them at random.
    dense, sparse = own_query(21)
    runs = {tuple(ids(store.hybrid(NAME, dense, sparse, HASHES))) for _ in range(30)}
    assert len(runs) == 1
    hits = store.hybrid(NAME, dense, sparse, HASHES)
    tied = [point_id(h.chunk) for h in hits if h.score == pytest.approx(1 / 3)]
    assert len(tied) == 2 and tied == sorted(tied)  # ties broken by point id


def test_hybrid_without_sparse_terms_still_ranks_by_dense(store: EdgeStore) -> None:
    dense, _ = own_query(5)
    hits = store.hybrid(NAME, dense, ([], []), HASHES)
    assert hits[0].chunk == DATA.chunks[5] and hits[0].score == pytest.approx(0.5)


def test_delete_except_removes_other_hashes(store: EdgeStore) -> None:
    store.delete_except(NAME, [plan_hash("duong-kinh"), plan_hash("hai-an"), STALE])
    assert store.count(NAME) == 20
    assert store.scroll_plan(NAME, "001_tan_lap.txt", plan_hash("tan-lap")) == []
    dense, sparse = own_query(12)
    assert all(h.chunk.plan_id != "tan-lap" for h in store.hybrid(NAME, dense, sparse, HASHES, limit=30))
    store.delete_except(NAME, [])
    assert store.count(NAME) == 0


def test_scroll_plan_is_in_file_order_across_pages(tmp_path: Path) -> None:
    # 300 chunks (more than one 256-point page) written in shuffled order, plus a second plan in the same doc.
    rng = np.random.default_rng(3)
    texts = PLANS["tan-lap"][3]
    big = [Chunk("tan-lap", "001_tan_lap.txt", ("II",), n, n, texts[n % 10], texts[n % 10], plan_hash="v2")
           for n in rng.permutation(np.arange(1, 301)).tolist()]
    old = [Chunk("tan-lap", "001_tan_lap.txt", ("II",), n, n, "cũ", "cũ", plan_hash="v1") for n in (2, 1)]
    chunks = big + old
    edge = EdgeStore(tmp_path / "store")
    try:
        edge.ensure_collection(NAME, DIM)
        edge.upsert(NAME, chunks, [unit(rng.standard_normal(DIM)) for _ in chunks],
                    [([1, 2], [1.0, 1.0])] * len(chunks), {})
        got = edge.scroll_plan(NAME, "001_tan_lap.txt", "v2")
        assert got == sorted(big, key=lambda c: c.line_start)
        assert [c.line_start for c in edge.scroll_plan(NAME, "001_tan_lap.txt", "v1")] == [1, 2]
        assert edge.scroll_plan(NAME, "other.txt", "v2") == []
        assert edge.scroll_plan(NAME, "001_tan_lap.txt", "v2", ("header", "preamble")) == []
    finally:
        edge.close()


def test_scroll_plan_reads_only_the_kinds_asked_for(tmp_path: Path) -> None:
    texts = PLANS["tan-lap"][3]
    kinds = ("header", "preamble", "body", "item", "closing")
    chunks = [Chunk("tan-lap", "001_tan_lap.txt", ("II",), n, n, texts[n % 10], texts[n % 10], kind=kinds[n % 5],
                    plan_hash="v1") for n in range(1, 21)]
    rng = np.random.default_rng(5)
    edge = EdgeStore(tmp_path / "store")
    try:
        edge.ensure_collection(NAME, DIM)
        edge.upsert(NAME, chunks, [unit(rng.standard_normal(DIM)) for _ in chunks],
                    [([1, 2], [1.0, 1.0])] * len(chunks), {})
        got = edge.scroll_plan(NAME, "001_tan_lap.txt", "v1", ("header", "preamble"))
        assert got == [c for c in chunks if c.kind in ("header", "preamble")] and len(got) == 8
        assert edge.scroll_plan(NAME, "001_tan_lap.txt", "v1") == chunks
        # several plans in one pass: each its own chunks, of the hash asked for, in file order
        other = [replace(c, doc="002_hai_an.txt", plan_hash="h2") for c in chunks[:6]]
        edge.upsert(NAME, other, [unit(rng.standard_normal(DIM)) for _ in other], [([1, 2], [1.0, 1.0])] * 6, {})
        both = edge.scroll_plans(NAME, {"001_tan_lap.txt": "v1", "002_hai_an.txt": "h2", "003_x.txt": "v1"},
                                 ("header",))
        assert both == {"001_tan_lap.txt": [c for c in chunks if c.kind == "header"],
                        "002_hai_an.txt": [c for c in other if c.kind == "header"], "003_x.txt": []}
        assert edge.scroll_plans(NAME, {"002_hai_an.txt": "old"}) == {"002_hai_an.txt": []}
    finally:
        edge.close()


def test_collections_and_drop(store: EdgeStore) -> None:
    store.ensure_collection("plans_old", DIM)
    assert store.collections() == ["plans_old", NAME]
    store.drop_collection("plans_old")
    store.drop_collection("plans_old")  # already gone: no error
    assert store.collections() == [NAME] and not store.has_collection("plans_old")
    store.ensure_collection("plans_old", DIM)  # a fresh, empty collection under the same name
    assert store.count("plans_old") == 0 and store.count(NAME) == 30
    with pytest.raises(StoreError, match="plans ingest"):
        store.count("plans_missing")
    with pytest.raises(StoreError, match="Invalid collection name"):
        store.ensure_collection("../escape", DIM)


def test_persists_across_close_and_reopen(tmp_path: Path) -> None:
    first = EdgeStore(tmp_path / "store")
    fill(first)
    fill(first, "plans_second")
    dense, sparse = own_query(21)
    before = first.hybrid(NAME, dense, sparse, HASHES)
    first.close()
    first.close()  # idempotent
    with pytest.raises(StoreError, match="closed"):
        first.count(NAME)
    again = EdgeStore(tmp_path / "store")
    try:
        assert again.collections() == ["plans_second", NAME]
        assert again.count(NAME) == 30 and again.count("plans_second") == 30
        assert again.hybrid(NAME, dense, sparse, HASHES) == before
        assert again.scroll_plan(NAME, "002_hai_an.txt", plan_hash("hai-an")) == DATA.chunks[20:]
    finally:
        again.close()


def test_second_store_on_the_same_folder_is_locked(store: EdgeStore, tmp_path: Path) -> None:
    with pytest.raises(StoreLockedError, match="QDRANT_URL"):
        EdgeStore(tmp_path / "store")
    store.close()
    reopened = EdgeStore(tmp_path / "store")  # the lock goes with close()
    reopened.close()


HOLDER = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[2])
import test_edge_store as t
from index.edge_store import EdgeStore
store = EdgeStore(Path(sys.argv[1]))
t.fill(store)
print("ready", flush=True)
sys.stdin.readline()
"""


def test_a_killed_holder_locks_then_frees_the_store_and_keeps_its_writes(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path / "store"), str(Path(__file__).parent)],
                            env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        with pytest.raises(StoreLockedError, match="QDRANT_URL"):
            EdgeStore(tmp_path / "store")
    finally:
        os.kill(proc.pid, signal.SIGKILL)  # no close(), no flush on exit: only what the store wrote survives
        proc.wait()
    after = EdgeStore(tmp_path / "store")
    try:
        assert after.count(NAME) == 30
        dense, sparse = own_query(3)
        assert after.hybrid(NAME, dense, sparse, HASHES)[0].chunk == DATA.chunks[3]
    finally:
        after.close()


# --- parity with QdrantStore local mode -------------------------------------------------------------------

EPS = 1e-5


def score_groups(hits: Sequence[Hit]) -> list[tuple[float, set[str]]]:
    """Hits grouped by equal score (a tie group), best first."""
    groups: list[tuple[float, set[str]]] = []
    for h in hits:
        if groups and math.isclose(groups[-1][0], h.score, rel_tol=EPS, abs_tol=1e-7):
            groups[-1][1].add(point_id(h.chunk))
        else:
            groups.append((h.score, {point_id(h.chunk)}))
    return groups


def assert_same_ranking(a: Sequence[Hit], b: Sequence[Hit]) -> None:
    """Same scores position by position and the same ids in every tie group (the last may be cut by limit)."""
    assert [h.score for h in a] == pytest.approx([h.score for h in b], rel=1e-4, abs=1e-6)
    ga, gb = score_groups(a), score_groups(b)
    assert [ids for _, ids in ga[:-1]] == [ids for _, ids in gb[:-1]]
    assert len(a) == len(b) and len(ga[-1][1]) == len(gb[-1][1])


def cut_in_a_tie(leg: Sequence[Hit], limit: int) -> bool:
    """Whether the hit at position `limit` ties with the one after it: the top set is then not unique."""
    return len(leg) > limit and math.isclose(leg[limit - 1].score, leg[limit].score, rel_tol=EPS, abs_tol=1e-7)


def rank_intervals(leg: Sequence[Hit], k: int = 2) -> dict[str, tuple[float, float]]:
    """Each id's lowest and highest RRF term 1/(rank + k) over every order of its tie group."""
    out: dict[str, tuple[float, float]] = {}
    start = 0
    for _, group in score_groups(leg):
        lo, hi = 1.0 / (start + len(group) - 1 + k), 1.0 / (start + k)
        out.update(dict.fromkeys(group, (lo, hi)))
        start += len(group)
    return out


def assert_valid_fusion(hits: Sequence[Hit], dense_leg: Sequence[Hit], sparse_leg: Sequence[Hit],
                        limit: int) -> None:
    """Tie-aware RRF check: every hit could be in the top `limit`, and its score is a possible fused score."""
    fused: dict[str, tuple[float, float]] = {}
    for leg in (dense_leg, sparse_leg):
        for pid, (lo, hi) in rank_intervals(leg).items():
            old = fused.get(pid, (0.0, 0.0))
            fused[pid] = (old[0] + lo, old[1] + hi)
    assert len(hits) == min(limit, len(fused))
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    for h in hits:
        lo, hi = fused[point_id(h.chunk)]
        assert lo - EPS <= h.score <= hi + EPS
        surely_better = sum(other_lo > hi + EPS for pid, (other_lo, _) in fused.items() if pid != point_id(h.chunk))
        assert surely_better < limit


BOILERPLATE = "Nơi nhận: Như trên; Thường trực Đảng ủy; Lưu: VT, VP."


def with_boilerplate(data: Data) -> Data:
    """The data plus the same closing chunk in every plan: equal text, equal vectors, so ties in both legs."""
    vec = unit(np.arange(1.0, DIM + 1))
    extra = [Chunk(pid, doc, (), 40, 41, BOILERPLATE, BOILERPLATE, kind="closing", plan_hash=plan_hash(pid))
             for pid, (doc, _, _, _) in PLANS.items()]
    avgdl = sum(len(c.restored_text.split()) for c in data.chunks) / len(data.chunks)
    sparse = doc_vector(terms(BOILERPLATE), avgdl, SparseSettings())
    return Data(data.chunks + extra, data.dense + [vec] * 3, data.sparse + [sparse] * 3, data.meta)


def parity_queries() -> list[tuple[list[float], Sparse, list[str], list[str]]]:
    """Queries near one chunk (noisy vector, a few of its words plus another chunk's), in several scopes."""
    rng = np.random.default_rng(5)
    scopes: list[tuple[list[str], list[str]]] = [
        ([*HASHES, STALE], []), ([*HASHES[1:], STALE], []), (HASHES, ["duong-kinh", "hai-an"])]
    out = []
    for n, i in enumerate(range(0, 30, 3)):
        words = DATA.chunks[i].restored_text.split()[:5] + DATA.chunks[(i + 11) % 30].restored_text.split()[2:4]
        dense = unit(np.array(DATA.dense[i]) + 0.8 * rng.standard_normal(DIM) / math.sqrt(DIM))
        out.append((dense, query_vector(terms(" ".join(words)), SparseSettings()), *scopes[n % 3]))
    near_closing = unit(np.arange(1.0, DIM + 1) + 3 * rng.standard_normal(DIM))
    for text, scope in (("nơi nhận lưu", scopes[0]), ("lưu văn phòng thường trực", scopes[2])):
        out.append((near_closing, query_vector(terms(text), SparseSettings()), *scope))
    return out


def test_parity_with_qdrant_client_local_mode(tmp_path: Path) -> None:
    data = with_boilerplate(DATA)
    edge, local = EdgeStore(tmp_path / "edge"), QdrantStore(path=tmp_path / "local")
    try:
        fill(edge, data=data)
        fill(local, data=data)
        assert edge.count(NAME) == local.count(NAME) == 33
        for dense, sparse, hashes, plan_ids in parity_queries():
            legs = {}
            for mode in ("dense", "sparse"):
                ours = edge.hybrid(NAME, dense, sparse, hashes, plan_ids, mode=mode)
                theirs = local.hybrid(NAME, dense, sparse, hashes, plan_ids, mode=mode)
                assert_same_ranking(ours, theirs)
                by_id = {point_id(h.chunk): h for h in theirs}
                for h in ours:
                    if (other := by_id.get(point_id(h.chunk))) is not None:
                        assert h == Hit(other.chunk, h.score, other.locality, h.dense)
                        assert np.allclose(h.dense, other.dense, atol=1e-6)
                # the whole legs (every candidate: 33 points < prefetch 40) agree tie group by tie group
                legs[mode] = local.hybrid(NAME, dense, sparse, hashes, plan_ids, limit=40, mode=mode)
                assert_same_ranking(edge.hybrid(NAME, dense, sparse, hashes, plan_ids, limit=40, mode=mode),
                                    legs[mode])
                if not cut_in_a_tie(legs[mode], 8):  # the top-8 set is unique: both engines return it
                    assert set(ids(ours)) == set(ids(theirs))
            ours = edge.hybrid(NAME, dense, sparse, hashes, plan_ids)
            theirs = local.hybrid(NAME, dense, sparse, hashes, plan_ids)
            assert_valid_fusion(ours, legs["dense"], legs["sparse"], 8)
            assert_valid_fusion(theirs, legs["dense"], legs["sparse"], 8)  # the reference itself is sound
    finally:
        edge.close()
        local.close()


@pytest.mark.parametrize("engine", ["edge", "local"])
def test_plan_points_give_back_each_chunk_with_its_vectors(tmp_path: Path, engine: str) -> None:
    opened: EdgeStore | QdrantStore = EdgeStore(tmp_path / "e") if engine == "edge" else QdrantStore(tmp_path / "q")
    try:
        fill(opened)
        pid = next(iter(PLANS))
        doc = PLANS[pid][0]
        got = opened.plan_points(NAME, doc, plan_hash(pid))
        want = [i for i, c in enumerate(DATA.chunks) if c.plan_id == pid]
        assert [c for c, _, _ in got] == [DATA.chunks[i] for i in want]  # in file order
        for (_, dense, sparse), i in zip(got, want, strict=True):
            assert np.allclose(dense, DATA.dense[i], atol=1e-6)
            assert dict(zip(*sparse, strict=True)) == pytest.approx(dict(zip(*DATA.sparse[i], strict=True)))
        assert opened.plan_points(NAME, doc, plan_hash("other")) == []
    finally:
        opened.close()
