"""Tests of w2v_teach.graphs: planted communities and DeepWalk / node2vec walks."""
import numpy as np
import pytest
import scipy.sparse as sp

from w2v_teach import graphs as G


def test_planted_communities():
    A, labels = G.planted_communities([5, 5], p_in=1.0, p_out=0.0, seed=0)
    np.testing.assert_array_equal(labels, [0] * 5 + [1] * 5)
    dense = A.toarray()
    expected = np.kron(np.eye(2), np.ones((5, 5))) - np.eye(10)  # two cliques, no self-loops
    np.testing.assert_array_equal(dense, expected)
    A2, _ = G.planted_communities([20, 20], 0.3, 0.05, seed=3)
    assert (A2 != A2.T).nnz == 0
    assert (G.planted_communities([20, 20], 0.3, 0.05, seed=3)[0] != A2).nnz == 0
    with pytest.raises(ValueError, match="p_in"):
        G.planted_communities([5], 1.5, 0.0)
    with pytest.raises(ValueError, match="empty"):
        G.planted_communities([], 0.5, 0.0)


def _path_graph(n):
    rows = np.arange(n - 1)
    A = sp.coo_matrix((np.ones(n - 1), (rows, rows + 1)), shape=(n, n))
    return (A + A.T).tocsr()


def test_walks_follow_edges():
    A = _path_graph(6)
    walks = G.random_walks(A, 2, 8, np.random.default_rng(0))
    assert len(walks) == 12 and all(len(w) == 8 for w in walks)
    assert [w[0] for w in walks[:6]] == G.node_names(6)
    for w in walks:
        ids = [int(x[1:]) for x in w]
        assert all(abs(a - b) == 1 for a, b in zip(ids, ids[1:]))  # every step is an edge


def test_isolated_node_and_determinism():
    A = sp.csr_matrix(np.array([[0, 1, 0], [1, 0, 0], [0, 0, 0]], dtype=float))
    walks = G.random_walks(A, 1, 4, np.random.default_rng(0))
    assert walks[2] == ["n2"]
    assert walks[0] == ["n0", "n1", "n0", "n1"]
    assert G.random_walks(A, 3, 5, np.random.default_rng(7)) == G.random_walks(A, 3, 5, np.random.default_rng(7))


def test_node2vec_bias_on_a_star():
    # from a leaf into the hub, the next node is the leaf we came from (weight 1/p) or another
    # leaf (1/q, not adjacent to the previous node): p small -> mostly back, q small -> mostly on
    n = 11
    A = sp.csr_matrix(np.pad(np.ones((1, n - 1)), ((0, n - 1), (1, 0))))
    A = (A + A.T).tocsr()
    def back_share(p, q):
        walks = G.random_walks(A, 200, 3, np.random.default_rng(0), p=p, q=q)
        leaf_walks = [w for w in walks if w[0] != "n0"]
        return np.mean([w[2] == w[0] for w in leaf_walks])
    assert back_share(0.05, 1.0) == pytest.approx(20 / 29, abs=0.04)  # weight 1/p = 20 against 9 leaves x 1
    assert back_share(1.0, 0.05) == pytest.approx(1 / 181, abs=0.01)  # 1 against 9 leaves x 1/q = 20
    assert back_share(1.0, 1.0) == pytest.approx(0.1, abs=0.03)  # uniform: 1 leaf in 10


def test_bad_arguments():
    A = _path_graph(3)
    with pytest.raises(ValueError, match="square"):
        G.random_walks(sp.csr_matrix(np.ones((2, 3))), 1, 2, np.random.default_rng(0))
    with pytest.raises(ValueError, match="rng"):
        G.random_walks(A, 1, 2, rng=0)
    with pytest.raises(ValueError, match="q"):
        G.random_walks(A, 1, 2, np.random.default_rng(0), q=0.0)
