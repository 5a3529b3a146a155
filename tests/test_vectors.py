"""vectors: one unit-normaliser and one top-k with one tie rule, shared by every caller."""
import numpy as np
import pytest

import w2v_teach as w2v
from w2v_teach.vectors import TIE_DECIMALS, top_k, unit_rows


def test_unit_rows_scales_to_length_one_and_keeps_zero_rows():
    X = np.array([[3.0, 4.0], [0.0, 0.0], [-1.0, 0.0]])
    U = unit_rows(X)
    np.testing.assert_allclose(U, [[0.6, 0.8], [0.0, 0.0], [-1.0, 0.0]])
    assert unit_rows(X.astype(np.float32)).dtype == np.float32
    with pytest.raises(ValueError, match="2-D"):
        unit_rows(np.ones(3))


def gold_top_k(row, k, banned=()):
    """Sort by (rounded score descending, id ascending), the documented rule, by plain Python."""
    items = [(-round(float(s), TIE_DECIMALS), i) for i, s in enumerate(row) if i not in banned]
    return [i for _, i in sorted(items)[:k]]


def test_top_k_matches_a_plain_sort_with_many_ties():
    rng = np.random.default_rng(0)
    scores = rng.integers(0, 4, size=(50, 30)).astype(float) / 3  # heavy ties
    scores += rng.normal(scale=1e-12, size=scores.shape)  # below the tie resolution: still ties
    exclude = [rng.choice(30, 3, replace=False) for _ in range(50)]
    got = top_k(scores, 7, exclude=exclude)
    for row, ex, ids in zip(scores, exclude, got):
        assert ids.tolist() == gold_top_k(row, 7, set(ex.tolist()))
    assert top_k(scores[0], 3).tolist() == gold_top_k(scores[0], 3)  # one row in, one row out


def test_top_k_errors_name_the_problem():
    with pytest.raises(ValueError, match="k=5 is larger"):
        top_k(np.zeros((2, 4)), 5)
    with pytest.raises(ValueError, match="NaN"):
        top_k(np.array([[np.nan, 1.0]]), 1)
    with pytest.raises(ValueError, match="id 7, outside"):
        top_k(np.zeros((1, 5)), 1, exclude=[[7]])
    with pytest.raises(ValueError, match="id -1, outside"):
        top_k(np.zeros((1, 5)), 1, exclude=[[-1]])
    with pytest.raises(ValueError, match="one id list per row"):
        top_k(np.zeros((2, 5)), 1, exclude=[[1]])


def test_every_top_k_of_the_package_ranks_identical_rows_alike():
    """serving's exact search (chapter 8's gold), recommend's ranking and Embeddings agree on ties."""
    rng = np.random.default_rng(1)
    base = rng.normal(size=(40, 8)).astype(np.float32)
    base[10:30] = base[5]  # 21 identical rows: rows 5 and 10..29
    query = base[5:6]
    served = w2v.serving.exact_top_k(base, query, k=10)[0]
    scores = w2v.serving.unit_rows(query) @ w2v.serving.unit_rows(base).T
    ranked = w2v.recommend.top_k(scores, 10)[0]
    assert served.tolist() == ranked.tolist() == [5] + list(range(10, 19))
    emb = w2v.embeddings.Embeddings([f"w{i}" for i in range(40)], base)
    words = [w for w, _ in emb.most_similar("w5", topn=9)]
    assert words == [f"w{i}" for i in range(10, 19)]
