"""Tests for w2v_teach.windows against brute-force loops over positions and offsets."""
from __future__ import annotations


import numpy as np
import pytest

from w2v_teach import windows


def loop_reaches(n, window, seed):
    """Return the effective window of each position, drawn as the module documents."""
    if seed is None:
        return [window] * n
    return np.random.default_rng(seed).integers(1, window + 1, size=n).tolist()


def loop_pairs(ids, window, seed=None):
    """Return skip-gram pairs by a double loop: centre position, then offset."""
    ids = list(ids)
    reach = loop_reaches(len(ids), window, seed)
    pairs = []
    for i, center in enumerate(ids):
        for off in list(range(-window, 0)) + list(range(1, window + 1)):
            j = i + off
            if 0 <= j < len(ids) and abs(off) <= reach[i]:
                pairs.append((center, ids[j]))
    return pairs


def loop_cbow(ids, window, seed=None):
    """Return CBOW rows (-1 padded) and targets by a double loop."""
    ids = list(ids)
    reach = loop_reaches(len(ids), window, seed)
    rows, targets = [], []
    for i, target in enumerate(ids):
        row = []
        for off in list(range(-window, 0)) + list(range(1, window + 1)):
            j = i + off
            row.append(ids[j] if 0 <= j < len(ids) and abs(off) <= reach[i] else -1)
        if any(c >= 0 for c in row):
            rows.append(row)
            targets.append(target)
    return rows, targets


def rng_for(seed):
    return None if seed is None else np.random.default_rng(seed)


@pytest.mark.parametrize("n", [2, 3, 7, 40])
@pytest.mark.parametrize("window", [1, 2, 5, 9])
@pytest.mark.parametrize("seed", [None, 0, 1])
def test_skipgram_pairs_equal_the_double_loop(n, window, seed):
    ids = np.random.default_rng(100 + n).integers(0, 30, size=n)
    centers, contexts = windows.skipgram_pairs(ids, window, rng_for(seed))
    assert centers.dtype == np.int64 and contexts.dtype == np.int64
    assert list(zip(centers.tolist(), contexts.tolist())) == loop_pairs(ids, window, seed)


@pytest.mark.parametrize("n", [2, 3, 7, 40])
@pytest.mark.parametrize("window", [1, 2, 5, 9])
@pytest.mark.parametrize("seed", [None, 0, 1])
def test_cbow_examples_equal_the_double_loop(n, window, seed):
    ids = np.random.default_rng(200 + n).integers(0, 30, size=n)
    contexts, targets = windows.cbow_examples(ids, window, rng_for(seed))
    rows, expected_targets = loop_cbow(ids, window, seed)
    assert contexts.shape == (len(rows), 2 * window) and contexts.dtype == np.int64
    assert contexts.tolist() == rows
    assert targets.tolist() == expected_targets


def test_small_example_by_hand():
    centers, contexts = windows.skipgram_pairs([10, 11, 12], 1)
    assert centers.tolist() == [10, 11, 11, 12]
    assert contexts.tolist() == [11, 10, 12, 11]
    ctx, tgt = windows.cbow_examples([10, 11, 12], 2)
    assert ctx.tolist() == [[-1, -1, 11, 12], [-1, 10, 12, -1], [10, 11, -1, -1]]
    assert tgt.tolist() == [10, 11, 12]


@pytest.mark.parametrize("ids", [[], [4]])
def test_fewer_than_two_ids_give_empty_examples(ids):
    centers, contexts = windows.skipgram_pairs(np.array(ids, dtype=np.int64), 3)
    assert centers.shape == contexts.shape == (0,)
    ctx, tgt = windows.cbow_examples(np.array(ids, dtype=np.int64), 3, np.random.default_rng(0))
    assert ctx.shape == (0, 6) and tgt.shape == (0,)


def test_dynamic_window_uses_near_offsets_more_often():
    ids = np.arange(20_000) % 50
    table = windows.context_table(ids, 4, np.random.default_rng(0))
    used = (table[10:-10] >= 0).mean(axis=0)  # columns: offsets -4..-1, 1..4
    expected = np.array([1, 2, 3, 4, 4, 3, 2, 1]) / 4  # P(b >= d) = (window - d + 1) / window
    np.testing.assert_allclose(used, expected, atol=0.02)


@pytest.mark.parametrize("n", [0, 1, 2, 5, 50])
@pytest.mark.parametrize("window", [1, 3, 7])
def test_count_pairs_is_exact_for_fixed_windows(n, window):
    ids = np.zeros(n, dtype=np.int64)
    assert windows.count_pairs(n, window) == len(windows.skipgram_pairs(ids, window)[0])
    assert windows.count_pairs(n, window) == len(loop_pairs(ids, window))


def test_count_pairs_is_the_mean_for_dynamic_windows():
    n, window = 300, 5
    sizes = [len(windows.skipgram_pairs(np.zeros(n, dtype=np.int64), window,
                                        np.random.default_rng(s))[0]) for s in range(200)]
    # each run's count has a standard deviation of about 30; the mean of 200 runs about 2
    assert abs(np.mean(sizes) - windows.count_pairs(n, window, dynamic=True)) < 10


def test_offsets_order():
    assert windows.offsets(3).tolist() == [-3, -2, -1, 1, 2, 3]


@pytest.mark.parametrize("window", [0, -2, 1.5, "3", True])
@pytest.mark.parametrize("fn", [windows.skipgram_pairs, windows.cbow_examples])
def test_rejects_bad_window(fn, window):
    with pytest.raises(ValueError, match="^window must"):
        fn([1, 2, 3], window)


@pytest.mark.parametrize("ids, message", [
    ([[1, 2], [3, 4]], "1-dimensional"),
    ([1.0, 2.0], "integer"),
    ([1, -1, 2], ">= 0"),
])
@pytest.mark.parametrize("fn", [windows.skipgram_pairs, windows.cbow_examples])
def test_rejects_bad_ids(fn, ids, message):
    with pytest.raises(ValueError, match=message):
        fn(ids, 2)


def test_rejects_a_non_generator_rng():
    with pytest.raises(ValueError, match="rng"):
        windows.skipgram_pairs([1, 2, 3], 2, rng=123)


@pytest.mark.parametrize("n_tokens, window, message", [(-1, 2, "n_tokens"), (5, 0, "window")])
def test_count_pairs_rejects_bad_arguments(n_tokens, window, message):
    with pytest.raises(ValueError, match=message):
        windows.count_pairs(n_tokens, window)
