"""Tests of w2v_teach.counting against hand computations, brute-force loops and dense NumPy SVD."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from w2v_teach import counting, windows


def brute_force_cooccurrence(sentences, vocab_size, window, weighting="uniform"):
    """Count every (word, neighbour) pair with two plain loops per sentence."""
    out = np.zeros((vocab_size, vocab_size))
    for ids in sentences:
        for i in range(len(ids)):
            for j in range(len(ids)):
                distance = abs(i - j)
                if 1 <= distance <= window:
                    out[ids[i], ids[j]] += {"uniform": 1.0, "harmonic": 1.0 / distance,
                                            "dynamic": (window - distance + 1) / window}[weighting]
    return out


def dense_svd_reference(matrix, dim, power):
    """Return U_d S_d^power from NumPy's full SVD, with the same sign rule as the package."""
    u, s, _ = np.linalg.svd(matrix)
    u, s = u[:, :dim], s[:dim]
    signs = np.sign(u[np.argmax(np.abs(u), axis=0), np.arange(dim)])
    return u * signs * s**power


# -- one-hot ----------------------------------------------------------------------------------
def test_one_hot_rows_pick_the_ids():
    ids = np.array([2, 0, 2, 4])
    x = counting.one_hot(ids, 5)
    assert x.shape == (4, 5) and x.dtype == np.float64
    np.testing.assert_array_equal(x.sum(axis=1), np.ones(4))
    np.testing.assert_array_equal(x.argmax(axis=1), ids)
    np.testing.assert_array_equal(x @ np.arange(5.0), ids)  # one-hot @ table looks up a row


def test_one_hot_distinct_words_are_orthogonal():
    x = counting.one_hot(np.arange(6), 6)
    np.testing.assert_array_equal(x @ x.T, np.eye(6))  # dot 0 between distinct words, 1 with itself


def test_one_hot_empty_input_gives_empty_matrix():
    assert counting.one_hot([], 3).shape == (0, 3)


@pytest.mark.parametrize("ids, size, message", [
    ([0, 3], 3, "outside the vocabulary"),
    ([-1], 3, "outside the vocabulary"),
    ([0.5], 3, "integer"),
    ([[0, 1]], 3, "1-dimensional"),
    ([0], 0, "vocab_size"),
])
def test_one_hot_rejects_bad_input(ids, size, message):
    with pytest.raises(ValueError, match=message):
        counting.one_hot(ids, size)


# -- co-occurrence -------------------------------------------------------------------------------
@pytest.mark.parametrize("window", [1, 2, 5])
@pytest.mark.parametrize("weighting", ["uniform", "harmonic", "dynamic"])
def test_cooccurrence_matches_brute_force_loop(window, weighting):
    rng = np.random.default_rng(window)
    ids = rng.integers(0, 7, size=60)
    got = counting.cooccurrence(ids, 7, window, weighting=weighting)
    assert sp.isspmatrix_csr(got) and got.shape == (7, 7)
    np.testing.assert_allclose(got.toarray(), brute_force_cooccurrence([ids], 7, window, weighting))


def test_cooccurrence_counts_the_skipgram_pairs():
    ids = np.random.default_rng(2).integers(0, 8, size=300)
    centers, contexts = windows.skipgram_pairs(ids, 4)
    pairs = sp.coo_matrix((np.ones(len(centers)), (centers, contexts)), shape=(8, 8)).toarray()
    np.testing.assert_array_equal(counting.cooccurrence(ids, 8, 4).toarray(), pairs)


def test_dynamic_weighting_is_the_mean_of_dynamic_windows():
    ids = np.random.default_rng(3).integers(0, 5, size=200)
    rng = np.random.default_rng(4)
    draws = 400
    total = np.zeros((5, 5))
    for _ in range(draws):
        centers, contexts = windows.skipgram_pairs(ids, 3, rng=rng)
        np.add.at(total, (centers, contexts), 1.0)
    expected = counting.cooccurrence(ids, 5, 3, weighting="dynamic").toarray()
    # the dynamic-window pairs of one draw are not symmetric, but their expectation is
    np.testing.assert_allclose(total / draws, expected, rtol=0.05)


def test_cooccurrence_is_symmetric_and_counts_window_pairs():
    ids = np.random.default_rng(1).integers(0, 9, size=200)
    window = 3
    m = counting.cooccurrence(ids, 9, window)
    np.testing.assert_array_equal(m.toarray(), m.toarray().T)
    n = len(ids)  # each position pairs with up to `window` neighbours on each side
    assert m.sum() == 2 * sum(n - d for d in range(1, window + 1))


def test_cooccurrence_does_not_cross_sentences():
    sentences = [np.array([0, 1, 2]), np.array([3, 4]), np.array([], dtype=np.int64), np.array([1, 3])]
    got = counting.cooccurrence(sentences, 5, 2).toarray()
    np.testing.assert_allclose(got, brute_force_cooccurrence(sentences, 5, 2))
    assert got[2, 3] == 0  # adjacent in the concatenation, but in different sentences


def test_cooccurrence_window_larger_than_corpus():
    got = counting.cooccurrence(np.array([0, 1]), 3, 10).toarray()
    np.testing.assert_array_equal(got, [[0, 1, 0], [1, 0, 0], [0, 0, 0]])


@pytest.mark.parametrize("kwargs, message", [
    (dict(window=0), "window"),
    (dict(window=2.5), "window"),
    (dict(window=2, weighting="gaussian"), "weighting"),
])
def test_cooccurrence_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        counting.cooccurrence(np.array([0, 1, 2]), 3, **kwargs)


def test_cooccurrence_rejects_out_of_range_ids():
    with pytest.raises(ValueError, match="id 3"):
        counting.cooccurrence(np.array([0, 3]), 3, 1)
    with pytest.raises(ValueError, match=r"ids\[1\]"):
        counting.cooccurrence([np.array([0, 1]), np.array([5])], 3, 1)


# -- PPMI ----------------------------------------------------------------------------------------
def test_ppmi_matches_hand_computed_3x3():
    counts = np.array([[3.0, 1.0, 0.0],
                       [1.0, 1.0, 2.0],
                       [0.0, 2.0, 2.0]])
    # By hand: D = 12 and every row and column sums to 4, so PMI(w, c) = log(#(w, c) * 12 / 16).
    # A count of 3 gives log(9/4), a count of 2 gives log(3/2); a count of 1 gives log(3/4) < 0 -> 0;
    # a count of 0 stays 0.
    expected = np.array([[np.log(9 / 4), 0.0, 0.0],
                         [0.0, 0.0, np.log(3 / 2)],
                         [0.0, np.log(3 / 2), np.log(3 / 2)]])
    got = counting.ppmi(sp.csr_matrix(counts))
    assert sp.isspmatrix_csr(got)
    np.testing.assert_allclose(got.toarray(), expected, rtol=1e-12)
    assert got.nnz == 4  # only positive entries are stored


def test_ppmi_context_smoothing_matches_hand_computation():
    counts = np.array([[1.0, 1.0],
                       [0.0, 2.0]])
    # By hand, alpha = 1: D = 4, #(w) = (2, 2), #(c) = (1, 3).
    # PMI(0,0) = log(1*4/(2*1)) = log 2, PMI(0,1) = log(4/6) < 0, PMI(1,1) = log(2*4/(2*3)) = log(4/3).
    np.testing.assert_allclose(counting.ppmi(counts).toarray(), [[np.log(2), 0], [0, np.log(4 / 3)]])
    # alpha = 1/2: P(c) = (1, sqrt 3) / (1 + sqrt 3), and PMI = log(#(w, c) / (#(w) P(c))).
    r3 = np.sqrt(3.0)
    expected = [[np.log((1 + r3) / 2), 0.0],  # log((1+r3)/(2 r3)) < 0 is clipped
                [0.0, np.log((1 + r3) / r3)]]
    np.testing.assert_allclose(counting.ppmi(counts, alpha=0.5).toarray(), expected)


def test_ppmi_shift_subtracts_log_k():
    counts = np.random.default_rng(3).integers(0, 6, size=(6, 5)).astype(float)
    plain = counting.ppmi(counts).toarray()
    m = counts.copy()
    pmi = np.log(m * m.sum() / np.outer(m.sum(1), m.sum(0)), where=m > 0, out=np.zeros_like(m))
    np.testing.assert_allclose(plain, np.maximum(pmi, 0) * (m > 0), atol=1e-12)
    shifted = counting.ppmi(counts, k=2.0).toarray()
    np.testing.assert_allclose(shifted, np.maximum(pmi - np.log(2.0), 0) * (m > 0), atol=1e-12)


def test_ppmi_dense_and_sparse_agree():
    counts = np.random.default_rng(4).poisson(1.0, size=(8, 8)).astype(float)
    np.testing.assert_allclose(counting.ppmi(counts).toarray(), counting.ppmi(sp.coo_matrix(counts)).toarray())


@pytest.mark.parametrize("matrix, kwargs, message", [
    (np.array([[1.0, -1.0], [0.0, 1.0]]), {}, "negative count"),
    (np.array([[1.0, np.nan], [0.0, 1.0]]), {}, "NaN"),
    (np.zeros((2, 2)), {}, "no positive count"),
    (np.ones(3), {}, "2-D"),
    (np.array([["a", "b"]]), {}, "real numbers"),
    (np.ones((2, 2)), dict(alpha=0.0), "alpha"),
    (np.ones((2, 2)), dict(alpha=1.5), "alpha"),
    (np.ones((2, 2)), dict(k=0.5), "k"),
])
def test_ppmi_rejects_bad_input(matrix, kwargs, message):
    with pytest.raises(ValueError, match=message):
        counting.ppmi(matrix, **kwargs)


# -- SVD -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("power", [0.0, 0.5, 1.0])
def test_svd_embeddings_match_dense_svd(power):
    matrix = np.random.default_rng(5).random((12, 9))
    got = counting.svd_embeddings(sp.csr_matrix(matrix), 4, power=power)
    assert got.shape == (12, 4)
    np.testing.assert_allclose(got, dense_svd_reference(matrix, 4, power), atol=1e-10)


def test_svd_embeddings_accept_negative_entries():
    matrix = np.random.default_rng(11).standard_normal((10, 8))  # e.g. PMI before clipping
    np.testing.assert_allclose(counting.svd_embeddings(matrix, 3, power=1.0),
                               dense_svd_reference(matrix, 3, 1.0), atol=1e-10)


def test_svd_embeddings_columns_are_orthonormal_at_power_zero():
    matrix = np.random.default_rng(6).random((20, 20))
    u = counting.svd_embeddings(matrix, 5, power=0.0)
    np.testing.assert_allclose(u.T @ u, np.eye(5), atol=1e-10)


def test_svd_embeddings_reconstruct_a_low_rank_symmetric_matrix():
    b = np.random.default_rng(7).random((10, 3))
    a = b @ b.T  # symmetric, positive semi-definite, non-negative, rank 3
    e = counting.svd_embeddings(a, 3, power=0.5)
    np.testing.assert_allclose(e @ e.T, a, atol=1e-10)  # U S^1/2 (U S^1/2)^T = U S U^T = A


def test_svd_embeddings_are_deterministic_and_seed_independent():
    matrix = sp.random(40, 40, density=0.2, random_state=8, format="csr")
    first = counting.svd_embeddings(matrix, 6)
    np.testing.assert_array_equal(first, counting.svd_embeddings(matrix, 6))
    np.testing.assert_allclose(first, counting.svd_embeddings(matrix, 6, seed=123), atol=1e-8)
    # the sign rule: the largest-magnitude entry of every column is positive
    assert (first[np.argmax(np.abs(first), axis=0), np.arange(6)] > 0).all()


def test_singular_values_are_sorted_and_match_numpy():
    matrix = np.random.default_rng(9).random((15, 11))
    np.testing.assert_allclose(counting.singular_values(matrix, 5), np.linalg.svd(matrix)[1][:5])


@pytest.mark.parametrize("dim, kwargs, message", [
    (3, {}, "dim must be smaller than"),
    (5, {}, "dim must be smaller than"),
    (0, {}, "dim"),
    (1, dict(power=1.5), "power"),
    (1, dict(power=-0.1), "power"),
    (1, dict(seed=-1), "seed"),
])
def test_svd_embeddings_rejects_bad_arguments(dim, kwargs, message):
    with pytest.raises(ValueError, match=message):
        counting.svd_embeddings(np.ones((3, 3)), dim, **kwargs)


@pytest.mark.parametrize("matrix, message", [
    (np.zeros((4, 4)), "only zeros"),
    (np.array([[1.0, np.inf], [0.0, 1.0], [1.0, 1.0]]), "infinity"),
    (np.ones(4), "2-D"),
])
def test_svd_embeddings_rejects_bad_matrices(matrix, message):
    with pytest.raises(ValueError, match=message):
        counting.svd_embeddings(matrix, 1)


# -- the whole pipeline --------------------------------------------------------------------------
def test_train_builds_embeddings_for_every_word():
    rng = np.random.default_rng(10)
    words = [f"w{i}" for i in range(30)]
    tokens = list(rng.choice(words, size=2000))
    result = counting.train(tokens, dim=8, window=2, min_count=1)
    assert result.embeddings.vectors.shape == (30, 8) and result.W_out.shape == (30, 8)
    assert result.words_trained == 2000 and result.losses.size == 0
    counts = counting.cooccurrence(result.vocab.encode(tokens), 30, 2)
    expected = counting.svd_embeddings(counting.ppmi(counts, alpha=0.75), 8, power=0.5)
    np.testing.assert_allclose(result.W_in, expected, atol=1e-10)


@pytest.mark.parametrize("tokens, kwargs, message", [
    ("a b c", {}, "single str"),
    (["a", "b"] * 5, dict(dim=0), "dim"),
    (["a", "b"] * 5, dict(window=0), "window"),
    (["a", "b"] * 5, dict(alpha=2.0), "alpha"),
    (["a", "b"] * 5, dict(weighting="flat"), "weighting"),
])
def test_train_rejects_bad_arguments(tokens, kwargs, message):
    with pytest.raises(ValueError, match=message):
        counting.train(tokens, **kwargs)
