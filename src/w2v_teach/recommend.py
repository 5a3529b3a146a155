"""Next-item recommendation: ranking metrics and the baselines item2vec must beat (chapter 8).

Every recommender here returns a score matrix, one row per query and one column per item; the
ranking step is shared (:func:`top_k`), so the methods differ only in their scores.

Metrics for a single held-out item per query (the next item of a session):

* hit rate@k: the share of queries whose held-out item is among the top k;
* NDCG@k: 1 / log2(1 + position) when the item sits at `position` (1-based) of the top k, else 0
  (with one relevant item the ideal DCG is 1, so no normalisation is left to do);
* recall@k for a set of relevant items per query: |top k ∩ relevant| / |relevant|, averaged
  (with the exact top k as the relevant set, the recall of an approximate search).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import scipy.sparse as sp

from . import vectors
from ._checks import check_int, check_matrix

__all__ = ["align_rows", "als_factors", "als_scores", "encode_sessions", "evaluate_ranking", "hit_rate_at_k",
           "item_counts", "item_item_scores", "ndcg_at_k", "next_item_cases", "recall_at_k", "session_cooccurrence", "session_matrix",
           "top_k"]


def _check_ranked(ranked, k: int) -> np.ndarray:
    """Return `ranked` as a 2-D int array with at least k columns."""
    ranked = np.asarray(ranked)
    if ranked.ndim != 2 or not np.issubdtype(ranked.dtype, np.integer):
        raise ValueError(f"ranked must be a 2-D integer array (queries, positions), got {ranked.dtype} {ranked.shape}")
    if ranked.shape[1] < k:
        raise ValueError(f"ranked has {ranked.shape[1]} columns, fewer than k={k}")
    return ranked


def _check_targets(targets, n: int) -> np.ndarray:
    """Return `targets` as a 1-D int array of length n."""
    targets = np.asarray(targets)
    if targets.shape != (n,) or (targets.size and not np.issubdtype(targets.dtype, np.integer)):
        raise ValueError(f"targets must be {n} integer item ids (one per query), got shape {targets.shape}")
    return targets


def _hits(ranked, targets, k) -> np.ndarray:
    """Check the arguments of a one-target metric; return the (queries, k) matrix of hits."""
    k = check_int("k", k, 1)
    ranked = _check_ranked(ranked, k)
    targets = _check_targets(targets, ranked.shape[0])
    if ranked.shape[0] == 0:
        raise ValueError("ranked has no rows: nothing to evaluate")
    return ranked[:, :k] == targets[:, None]  # at most one True a row


def hit_rate_at_k(ranked, targets, k: int = 10) -> float:
    """Return the share of rows of `ranked` (queries, >= k) whose target is among the first k."""
    return float(_hits(ranked, targets, k).any(axis=1).mean())


def ndcg_at_k(ranked, targets, k: int = 10) -> float:
    """Return the mean NDCG@k with one relevant item per query: 1 / log2(1 + position), or 0."""
    hits = _hits(ranked, targets, k)
    gain = 1.0 / np.log2(np.arange(2, hits.shape[1] + 2))  # the gain at positions 1..k
    return float((hits * gain).sum(axis=1).mean())


def recall_at_k(ranked, relevant: Sequence, k: int = 10) -> float:
    """Return the mean over queries of |first k of ranked ∩ relevant| / |relevant|."""
    k = check_int("k", k, 1)
    ranked = _check_ranked(ranked, k)
    relevant = list(relevant)
    if len(relevant) != ranked.shape[0] or not relevant:
        raise ValueError(f"relevant must hold one set of items per query ({ranked.shape[0]}), got {len(relevant)}")
    scores = []
    for row, rel in zip(ranked[:, :k], relevant):
        rel = set(np.asarray(rel).ravel().tolist())
        if not rel:
            raise ValueError("every query needs at least one relevant item")
        scores.append(len(rel.intersection(row.tolist())) / len(rel))
    return float(np.mean(scores))


def top_k(scores, k: int = 10, exclude: Sequence | None = None) -> np.ndarray:
    """Return the (queries, k) ids of the k highest scores of each row, best first.

    exclude: one array of item ids per row that may not be recommended (the items already in the
    session; ValueError for an id outside the items). Ties keep the lower item id, the package's
    one rule (:func:`w2v_teach.vectors.top_k`), so the ranking is a pure function of the scores.
    """
    scores = check_matrix("scores", scores, finite=False)
    return vectors.top_k(scores, k, exclude=exclude)


def encode_sessions(sessions, index: dict[str, int]) -> list[np.ndarray]:
    """Return each session as an int array of item ids; KeyError names an unknown item."""
    out = []
    for s in sessions:
        try:
            out.append(np.array([index[item] for item in s], dtype=np.int64))
        except KeyError as err:
            raise KeyError(f"item {err.args[0]!r} of a session is not in the index") from None
    return out


def next_item_cases(sessions: Sequence[np.ndarray]) -> tuple[list[np.ndarray], np.ndarray]:
    """Return (histories, targets): each session of >= 2 items gives its last item as the target
    and the items before it as the history."""
    histories = [np.asarray(s[:-1]) for s in sessions if len(s) >= 2]
    targets = np.array([s[-1] for s in sessions if len(s) >= 2], dtype=np.int64)
    if not histories:
        raise ValueError("no session has 2 or more items: there is no next item to predict")
    return histories, targets


def item_counts(sessions: Sequence[np.ndarray], n_items: int) -> np.ndarray:
    """Return how often each of `n_items` items occurs in the sessions, (n_items,) float."""
    n_items = check_int("n_items", n_items, 1)
    ids = np.concatenate([np.asarray(s, dtype=np.int64) for s in sessions]) if len(sessions) else np.zeros(0, int)
    if ids.size and (ids.min() < 0 or ids.max() >= n_items):
        raise ValueError(f"session item ids must lie in [0, {n_items}), got {ids.min()}..{ids.max()}")
    return np.bincount(ids, minlength=n_items).astype(np.float64)


def session_cooccurrence(sessions: Sequence[np.ndarray], n_items: int) -> sp.csr_matrix:
    """Return the (n_items, n_items) counts of two different items sharing a session.

    (Not :func:`w2v_teach.counting.cooccurrence`, which counts words within a window of text.)

    A session with item set S adds 1 to every (a, b) with a != b in S: the item-item
    co-occurrence baseline ("bought together"), built as B^T B from the session-by-item matrix B.
    """
    B = session_matrix(sessions, n_items)
    C = (B.T @ B).tocsr()
    C.setdiag(0.0)
    C.eliminate_zeros()
    return C


ITEM_ITEM = ("raw", "cosine", "lift")


def item_item_scores(cooc, holding, last, kind: str = "raw") -> np.ndarray:
    """Return (queries, n_items) item-item scores of every candidate b for each query's `last` item a.

    cooc: the (n_items, n_items) session co-occurrence counts C (:func:`session_cooccurrence`);
    holding: (n_items,) n_b, the number of training sessions that hold each item. kind "raw":
    C[a, b], "bought together" counts, which favour best-sellers; "cosine": C[a, b] / sqrt(n_a n_b),
    the textbook item-item collaborative filter; "lift": C[a, b] / n_b, which ranks the candidates
    of a fixed a like PMI(a, b) = log C[a, b] N / (n_a n_b).
    """
    if kind not in ITEM_ITEM:
        raise ValueError(f"kind must be one of {ITEM_ITEM}, got {kind!r}")
    C = check_matrix("cooc", cooc.toarray() if sp.issparse(cooc) else cooc)
    if C.shape[0] != C.shape[1]:
        raise ValueError(f"cooc must be square (n_items, n_items), got shape {C.shape}")
    n = np.asarray(holding, dtype=np.float64)
    if n.shape != (C.shape[0],) or (n < 0).any():
        raise ValueError(f"holding must be {C.shape[0]} counts >= 0, got shape {n.shape}")
    last = np.asarray(last, dtype=np.int64)
    if last.ndim != 1 or (last.size and (last.min() < 0 or last.max() >= C.shape[0])):
        raise ValueError(f"last must be a 1-d array of item ids in [0, {C.shape[0]})")
    rows = C[last].astype(np.float64)  # (queries, n_items)
    n = np.maximum(n, 1.0)  # an item no session holds has no co-occurrence either
    if kind == "cosine":
        return rows / np.sqrt(n[last][:, None] * n[None, :])
    return rows if kind == "raw" else rows / n[None, :]


def session_matrix(sessions: Sequence[np.ndarray], n_items: int) -> sp.csr_matrix:
    """Return the (n_sessions, n_items) 0/1 matrix of which items each session holds."""
    n_items = check_int("n_items", n_items, 1)
    rows = np.repeat(np.arange(len(sessions)), [len(s) for s in sessions])
    cols = np.concatenate([np.asarray(s, dtype=np.int64) for s in sessions]) if len(sessions) else rows
    if cols.size and (cols.min() < 0 or cols.max() >= n_items):
        raise ValueError(f"session item ids must lie in [0, {n_items}), got {cols.min()}..{cols.max()}")
    B = sp.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(len(sessions), n_items))
    B.data[:] = 1.0  # a repeated item counts once per session
    return B


def align_rows(words: Sequence[str], matrix, items: Sequence[str]) -> np.ndarray:
    """Return the rows of `matrix` (one per word of `words`) in the order of `items`, float32;
    an item the model never saw gets a zero row (it can only be recommended last)."""
    matrix = check_matrix("matrix", matrix, rows=len(words))
    where = {w: i for i, w in enumerate(words)}
    out = np.zeros((len(items), matrix.shape[1]), dtype=np.float32)
    for j, item in enumerate(items):
        if item in where:
            out[j] = matrix[where[item]]
    return out


def als_factors(train: Sequence[np.ndarray], n_items: int, factors: int = 32, regularization: float = 0.1,
                alpha: float = 10.0, iterations: int = 15, seed: int = 0):
    """Return a fitted implicit-feedback ALS model (Hu et al. 2008) from the `implicit` library.

    Each training session is a "user" whose items are its positive feedback (confidence 1 + alpha).
    One CPU thread, so the result is repeatable.
    """
    from implicit.als import AlternatingLeastSquares  # an optional heavy import
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):  # implicit warns about (and slows down with) a threaded BLAS
        model = AlternatingLeastSquares(factors=check_int("factors", factors, 1), regularization=regularization,
                                        alpha=alpha, iterations=check_int("iterations", iterations, 1),
                                        random_state=check_int("seed", seed, 0), use_gpu=False, num_threads=1)
        model.fit(session_matrix(train, n_items), show_progress=False)
    return model


def als_scores(model, histories: Sequence[np.ndarray], n_items: int) -> np.ndarray:
    """Return (queries, n_items) scores: each history is folded in as a new user (one ALS
    half-step against the fixed item factors), then scored against every item."""
    H = session_matrix(histories, n_items)
    users = model.recalculate_user(np.arange(H.shape[0]), H)  # (queries, factors)
    return np.asarray(users @ model.item_factors.T)


def evaluate_ranking(scores, histories: Sequence[np.ndarray], targets, k: int = 10,
                     tail=None) -> dict[str, float]:
    """Return hit rate@k and NDCG@k (and hit rate@k on the queries where `tail` is True)."""
    ranked = top_k(scores, k, exclude=histories)
    out = {"hr": hit_rate_at_k(ranked, targets, k), "ndcg": ndcg_at_k(ranked, targets, k)}
    if tail is not None:
        tail = np.asarray(tail, dtype=bool)
        out["hr_tail"] = hit_rate_at_k(ranked[tail], np.asarray(targets)[tail], k) if tail.any() else float("nan")
    return out

