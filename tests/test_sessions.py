"""Tests of w2v_teach.sessions: the planted shopping sessions and the sentence joiner."""
import numpy as np
import pytest

from w2v_teach import sessions as S


def test_generate_is_deterministic_and_exposes_the_truth():
    a, b = S.generate(n_sessions=300, n_categories=3, items_per_category=6, seed=1), \
        S.generate(n_sessions=300, n_categories=3, items_per_category=6, seed=1)
    assert a.sessions == b.sessions
    assert len(a.items) == 18 and a.items[7] == "c1i01"
    np.testing.assert_array_equal(a.category, np.repeat([0, 1, 2], 6))
    np.testing.assert_array_equal(a.complement[:6], [1, 0, 3, 2, 5, 4])  # pairs (0, 1), (2, 3), ...
    # Zipf inside a category: weight 1 / (rank + 1), normalised over the whole catalogue
    w = 1.0 / np.arange(1, 7)
    np.testing.assert_allclose(a.popularity[:6], w / (3 * w.sum()))
    assert a.popularity.sum() == pytest.approx(1.0)
    assert all(2 <= len(s) <= 12 for s in a.sessions)
    assert S.generate(n_sessions=300, n_categories=3, items_per_category=6, seed=2).sessions != a.sessions


def test_planted_structure_shows_in_the_sessions():
    data = S.generate(n_sessions=2000, n_categories=4, items_per_category=10, popular_prob=0.0,
                      complement_prob=1.0, seed=0)
    idx = data.index()
    for s in data.sessions[:200]:
        ids = [idx[i] for i in s]
        assert len({int(data.category[i]) for i in ids}) == 1  # no impulse buys: one category
        assert ids[1] == data.complement[ids[0]]  # the complement always follows first


def test_item_name_and_bad_arguments():
    assert S.item_name(3, 7) == "c3i07"
    with pytest.raises(ValueError, match="items_per_category"):
        S.generate(items_per_category=1)
    with pytest.raises(ValueError, match="popular_prob"):
        S.generate(complement_prob=0.8, popular_prob=0.5)
    with pytest.raises(ValueError, match="mean_length"):
        S.generate(mean_length=20.0, max_length=12)


def test_split_sessions():
    sessions = [[str(i)] for i in range(10)]
    train, test = S.split_sessions(sessions, 0.3, seed=0)
    assert len(train) == 7 and len(test) == 3
    assert sorted(train + test) == sorted(sessions)
    assert S.split_sessions(sessions, 0.3, seed=0) == (train, test)
    with pytest.raises(ValueError, match="at least 2"):
        S.split_sessions([["a"]])
