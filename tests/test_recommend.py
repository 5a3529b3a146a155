"""Tests of w2v_teach.recommend against small cases computed by hand."""
import math

import numpy as np
import pytest

from w2v_teach import recommend as R


def test_hit_rate_and_ndcg_by_hand():
    ranked = np.array([[3, 1, 2], [0, 2, 1], [2, 0, 1]])
    targets = np.array([1, 1, 3])
    # row 0: hit at position 2; row 1: hit at position 3; row 2: no hit
    assert R.hit_rate_at_k(ranked, targets, k=3) == pytest.approx(2 / 3)
    assert R.hit_rate_at_k(ranked, targets, k=2) == pytest.approx(1 / 3)
    expected = (1 / math.log2(3) + 1 / math.log2(4) + 0) / 3
    assert R.ndcg_at_k(ranked, targets, k=3) == pytest.approx(expected)
    assert R.ndcg_at_k(np.array([[5, 6]]), np.array([5]), k=2) == pytest.approx(1.0)


def test_recall_by_hand():
    ranked = np.array([[1, 2, 3], [4, 5, 6]])
    assert R.recall_at_k(ranked, [[1, 9], [4, 5, 6]], k=3) == pytest.approx((0.5 + 1.0) / 2)
    assert R.recall_at_k(ranked, [[3], [6]], k=2) == 0.0


def test_metric_errors():
    with pytest.raises(ValueError, match="fewer than k"):
        R.hit_rate_at_k(np.zeros((2, 3), int), np.zeros(2, int), k=5)
    with pytest.raises(ValueError, match="targets"):
        R.ndcg_at_k(np.zeros((2, 3), int), np.zeros(3, int), k=2)
    with pytest.raises(ValueError, match="relevant"):
        R.recall_at_k(np.zeros((2, 3), int), [[1]], k=2)
    with pytest.raises(ValueError, match="k must be"):
        R.hit_rate_at_k(np.zeros((2, 3), int), np.zeros(2, int), k=0)


def test_top_k_excludes_and_breaks_ties_by_id():
    scores = np.array([[0.1, 0.5, 0.5, 0.9], [1.0, 0.0, 0.0, 0.0]])
    np.testing.assert_array_equal(R.top_k(scores, 3), [[3, 1, 2], [0, 1, 2]])
    np.testing.assert_array_equal(R.top_k(scores, 2, exclude=[[3], [0, 1]]), [[1, 2], [2, 3]])
    with pytest.raises(ValueError, match="larger than"):
        R.top_k(scores, 5)
    with pytest.raises(ValueError, match="exclude"):
        R.top_k(scores, 2, exclude=[[1]])


def test_baselines_by_hand():
    sessions = [np.array([0, 1]), np.array([1, 2, 2]), np.array([0, 1, 3])]
    np.testing.assert_array_equal(R.item_counts(sessions, 5), [2, 3, 2, 1, 0])
    C = R.session_cooccurrence(sessions, 4).toarray()
    expected = np.array([[0, 2, 0, 1], [2, 0, 1, 1], [0, 1, 0, 0], [1, 1, 0, 0]])
    np.testing.assert_array_equal(C, expected)  # the repeated 2 counts once
    hist, tgt = R.next_item_cases(sessions + [np.array([4])])
    np.testing.assert_array_equal(tgt, [1, 2, 3])
    np.testing.assert_array_equal(hist[2], [0, 1])
    with pytest.raises(ValueError, match="lie in"):
        R.item_counts(sessions, 2)
    with pytest.raises(ValueError, match="no session"):
        R.next_item_cases([np.array([1])])


def test_encode_align_and_evaluate():
    index = {"a": 0, "b": 1, "c": 2}
    assert [s.tolist() for s in R.encode_sessions([["a", "c"], ["b"]], index)] == [[0, 2], [1]]
    with pytest.raises(KeyError, match="'z'"):
        R.encode_sessions([["z"]], index)
    rows = R.align_rows(["c", "a"], np.array([[1.0, 2.0], [3.0, 4.0]]), ["a", "b", "c"])
    np.testing.assert_array_equal(rows, [[3, 4], [0, 0], [1, 2]])
    scores = np.array([[0.0, 1.0, 2.0], [2.0, 1.0, 0.0]])
    out = R.evaluate_ranking(scores, [np.array([2]), np.array([0])], np.array([1, 2]), k=1, tail=[True, False])
    assert out == {"hr": 0.5, "ndcg": 0.5, "hr_tail": 1.0}


def test_als_recommends_the_planted_partner():
    pytest.importorskip("implicit")
    train = [np.array([0, 1]), np.array([2, 3])] * 50
    model = R.als_factors(train, 4, factors=4, iterations=10, seed=0)
    scores = R.als_scores(model, [np.array([0]), np.array([2])], 4)
    np.testing.assert_array_equal(R.top_k(scores, 1, exclude=[[0], [2]]).ravel(), [1, 3])


def test_item_item_scores_by_hand():
    # sessions {0, 1}, {0, 1}, {0, 2}, {2}: C[0, 1] = 2, C[0, 2] = 1; items held by 3, 2, 2 sessions
    sessions = [np.array([0, 1]), np.array([0, 1]), np.array([0, 2]), np.array([2])]
    C = R.session_cooccurrence(sessions, 3)
    holding = np.asarray(R.session_matrix(sessions, 3).sum(axis=0)).ravel()
    assert holding.tolist() == [3, 2, 2]
    raw = R.item_item_scores(C, holding, [0], "raw")
    np.testing.assert_allclose(raw, [[0, 2, 1]])
    np.testing.assert_allclose(R.item_item_scores(C, holding, [0], "cosine"),
                               [[0, 2 / math.sqrt(6), 1 / math.sqrt(6)]])
    np.testing.assert_allclose(R.item_item_scores(C, holding, [2, 0], "lift"), [[1 / 3, 0, 0], [0, 1, 0.5]])


def test_item_item_scores_errors():
    C = R.session_cooccurrence([np.array([0, 1])], 2)
    with pytest.raises(ValueError, match="kind must be one of"):
        R.item_item_scores(C, [1, 1], [0], "pmi2")
    with pytest.raises(ValueError, match="holding must be 2 counts"):
        R.item_item_scores(C, [1, 1, 1], [0])
    with pytest.raises(ValueError, match="last must be"):
        R.item_item_scores(C, [1, 1], [2])
    with pytest.raises(ValueError, match="square"):
        R.item_item_scores(np.ones((2, 3)), [1, 1], [0])
