"""Graphs with planted communities and random walks over them: DeepWalk and node2vec (chapter 8).

DeepWalk (Perozzi et al. 2014) turns a graph into sentences: start a few walks at every node, step
to a uniformly random neighbour `length - 1` times, and train skip-gram on the walks; nodes that
meet on short walks get similar vectors. node2vec (Grover and Leskovec 2016) biases each step by
where the walk came from: from node t to v, the next node x has weight 1/p if x = t (go back),
1 if x is a neighbour of t (stay close), 1/q otherwise (move away). Small q explores outwards
(depth first), large q stays local (breadth first). Node names are ``n0, n1, ...``.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import scipy.sparse as sp

from ._checks import check_float, check_int, check_rng

__all__ = ["node_names", "planted_communities", "random_walks"]


def planted_communities(sizes: Sequence[int], p_in: float, p_out: float, seed: int = 0
                        ) -> tuple[sp.csr_matrix, np.ndarray]:
    """Return (adjacency, labels) of a stochastic block model drawn with networkx.

    sizes: the number of nodes of each community; p_in / p_out: the probability of an edge inside
    one community / between two. adjacency is a symmetric 0/1 CSR matrix without self-loops;
    labels[i] is node i's community (the truth a classifier must recover).
    """
    import networkx as nx  # only this function needs it

    sizes = [check_int("community size", s, 1) for s in sizes]
    if not sizes:
        raise ValueError("sizes is empty: a graph needs at least one community")
    p_in = check_float("p_in", p_in, 0.0, strict=False, maximum=1.0)
    p_out = check_float("p_out", p_out, 0.0, strict=False, maximum=1.0)
    probs = [[p_in if a == b else p_out for b in range(len(sizes))] for a in range(len(sizes))]
    graph = nx.stochastic_block_model(sizes, probs, seed=check_int("seed", seed, 0))
    adjacency = sp.csr_matrix(nx.to_scipy_sparse_array(graph, nodelist=range(sum(sizes)), format="csr"))
    adjacency.data[:] = 1.0
    labels = np.repeat(np.arange(len(sizes)), sizes)
    return adjacency, labels


def node_names(n: int) -> list[str]:
    """Return the token of each of `n` nodes: n0, n1, ..."""
    return [f"n{i}" for i in range(check_int("n", n, 0))]


def _check_adjacency(adjacency) -> sp.csr_matrix:
    """Return `adjacency` as a square CSR matrix with sorted indices."""
    if not sp.issparse(adjacency):
        adjacency = sp.csr_matrix(np.asarray(adjacency))
    adjacency = sp.csr_matrix(adjacency)
    if adjacency.ndim != 2 or adjacency.shape[0] != adjacency.shape[1]:
        raise ValueError(f"adjacency must be a square matrix, got shape {adjacency.shape}")
    adjacency.sort_indices()
    return adjacency


def _step(adj, prev, cur, rng, p, q, keys):
    """Return the next node of every walker (uniform when p = q = 1; else node2vec's rejection)."""
    deg = np.diff(adj.indptr)[cur]  # (walkers,) all >= 1
    nxt = adj.indices[adj.indptr[cur] + (rng.random(cur.shape[0]) * deg).astype(np.int64)]
    if p == 1.0 and q == 1.0 or prev is None:
        return nxt
    top = max(1.0 / p, 1.0, 1.0 / q)
    todo = np.arange(cur.shape[0])
    while todo.size:  # rejection sampling: propose uniformly, accept with weight / top
        x, t = nxt[todo], prev[todo]
        near = np.isin(t * adj.shape[0] + x, keys)  # x is a neighbour of t
        weight = np.where(x == t, 1.0 / p, np.where(near, 1.0, 1.0 / q))
        ok = rng.random(todo.size) < weight / top
        todo = todo[~ok]
        c = cur[todo]
        nxt[todo] = adj.indices[adj.indptr[c] + (rng.random(todo.size) * np.diff(adj.indptr)[c]).astype(np.int64)]
    return nxt


def random_walks(adjacency, walks_per_node: int, length: int, rng: np.random.Generator,
                 p: float = 1.0, q: float = 1.0) -> list[list[str]]:
    """Return `walks_per_node` walks of `length` nodes from every node, as lists of node names.

    p = q = 1 gives DeepWalk's uniform walks; other values give node2vec's biased walks (module
    docstring). A node without neighbours gives a walk of one node. Walks are ordered by round,
    then by start node.
    """
    adj = _check_adjacency(adjacency)
    walks_per_node, length = check_int("walks_per_node", walks_per_node, 1), check_int("length", length, 1)
    check_rng("rng", rng)
    p, q = check_float("p", p, 0.0), check_float("q", q, 0.0)
    n = adj.shape[0]
    rows = np.repeat(np.arange(n), np.diff(adj.indptr))
    keys = np.sort(rows * n + adj.indices)  # every edge (a, b) as the number a * n + b
    starts = np.tile(np.arange(n), walks_per_node)
    alive = np.diff(adj.indptr)[starts] > 0
    path = np.empty((starts.shape[0], length), dtype=np.int64)  # (walkers, length)
    path[:, 0] = starts
    prev = None
    for step in range(1, length):
        cur = path[alive, step - 1]
        path[alive, step] = _step(adj, None if prev is None else prev[alive], cur, rng, p, q, keys)
        prev = path[:, step - 1]
    names = node_names(n)
    return [[names[i] for i in row] if ok else [names[row[0]]] for row, ok in zip(path, alive)]
