"""scatter: adding rows at repeated ids (the scatter-add of every NumPy trainer)."""
import numpy as np
import pytest

from w2v_teach import scatter


# -- scatter_add ---------------------------------------------------------------------------------
def test_scatter_add_with_repeated_ids_equals_a_loop(rng):
    target = rng.normal(size=(10, 4))
    ids = np.array([3, 1, 3, 3, 0, 9, 1, 3])
    rows = rng.normal(size=(8, 4))
    expected = target.copy()
    for i, r in zip(ids, rows):
        expected[i] += r
    scatter.scatter_add(target, ids, rows)
    np.testing.assert_allclose(target, expected, rtol=1e-12, atol=1e-15)


def test_fancy_index_add_loses_repeated_updates_but_scatter_add_does_not():
    ids = np.array([2, 2, 2])
    naive = np.zeros((4, 1))
    naive[ids] += 1.0  # the misconception: only one of the three updates survives
    right = np.zeros((4, 1))
    scatter.scatter_add(right, ids, np.ones((3, 1)))
    assert naive[2, 0] == 1.0 and right[2, 0] == 3.0


def test_scatter_add_rejects_mismatched_rows_and_accepts_an_empty_batch():
    target = np.zeros((3, 2))
    with pytest.raises(ValueError, match=r"rows must have shape \(2, 2\)"):
        scatter.scatter_add(target, [0, 1], np.ones((3, 2)))
    scatter.scatter_add(target, np.array([], dtype=np.int64), np.zeros((0, 2)))
    assert not target.any()


def test_the_sgns_alias_is_the_same_function():
    import w2v_teach as w2v

    assert w2v.sgns.scatter_add is scatter.scatter_add


def test_scatter_add_range_checks_the_ids():
    with pytest.raises(ValueError, match="ids"):
        scatter.scatter_add(np.zeros((3, 2)), [0, 3], np.ones((2, 2)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_add_rows_equals_np_add_at(rng, dtype):
    target = rng.normal(size=(50, 6)).astype(dtype)
    ids = rng.integers(0, 50, 400)  # many repeats
    rows = rng.normal(size=(400, 6)).astype(dtype)
    expected = target.astype(np.float64)
    np.add.at(expected, ids, rows.astype(np.float64))
    scatter.add_rows(target, ids, rows)
    np.testing.assert_allclose(target, expected, rtol=1e-5 if dtype == np.float32 else 1e-12, atol=1e-5)


def test_group_rows_is_the_csr_pattern_of_equal_ids():
    ids = np.array([4, 1, 4, 2, 1, 4])
    distinct, order, starts = scatter.group_rows(ids)
    assert distinct.tolist() == [1, 2, 4] and starts.tolist() == [0, 2, 3, 6]
    assert order.dtype == starts.dtype == np.int32
    for j, word in enumerate(distinct):
        assert sorted(order[starts[j]:starts[j + 1]].tolist()) == np.flatnonzero(ids == word).tolist()


@pytest.mark.parametrize("high", [50, 70_000])  # 16-bit ids take the radix sort, larger ones the general sort
def test_group_rows_keeps_each_group_in_row_order_whatever_the_id_width(high):
    ids = np.random.default_rng(0).integers(0, high, 5000)
    distinct, order, starts = scatter.group_rows(ids)
    np.testing.assert_array_equal(distinct, np.unique(ids))
    for j, word in enumerate(distinct):
        assert order[starts[j]:starts[j + 1]].tolist() == np.flatnonzero(ids == word).tolist()
