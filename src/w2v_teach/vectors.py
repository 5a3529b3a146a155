"""Rows of vectors: scaling them to length 1, and the k best scores with one tie rule.

The one owner of both concepts: :class:`w2v_teach.embeddings.Embeddings` (``unit``,
``most_similar``, ``analogy``), :func:`w2v_teach.serving.exact_top_k` (the gold an approximate
index is measured against) and :func:`w2v_teach.recommend.top_k` all call these two functions.

The tie rule: highest score first, and scores equal when rounded to :data:`TIE_DECIMALS` decimals
are ties, which keep table order (the lower id first; for trained vectors that is the more
frequent word). Identical rows do occur (words with identical contexts), and their cosines can
differ in the last bits of a float sum; rounding keeps such ties from swapping places with the
rounding, so every caller ranks them the same way.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ._checks import check_int

__all__ = ["TIE_DECIMALS", "top_k", "unit_rows"]

TIE_DECIMALS = 9  # scores equal to this many decimals are ties (kept in table order)
_SLACK = 2 * 10.0 ** -TIE_DECIMALS  # a raw key this close to the k-th may round onto it


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    """Return the rows scaled to length 1 in their own dtype (an all-zero row stays zero)."""
    vectors = np.asarray(vectors)
    if vectors.ndim != 2:
        raise ValueError(f"vectors must be a 2-D matrix, got shape {vectors.shape}")
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)  # (n, 1)
    return vectors / np.where(norms == 0, 1.0, norms)


def _excluded(exclude, n_rows: int, n_cols: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the (rows, cols) of the excluded entries, checking one id list per row in range."""
    exclude = list(exclude)
    if len(exclude) != n_rows:
        raise ValueError(f"exclude must hold one id list per row ({n_rows}), got {len(exclude)}")
    lists = [np.asarray(list(e) if isinstance(e, (set, frozenset)) else e, dtype=np.int64).ravel()
             for e in exclude]
    rows = np.repeat(np.arange(n_rows), [len(e) for e in lists])
    cols = np.concatenate(lists) if rows.size else rows
    if cols.size and (cols.min() < 0 or cols.max() >= n_cols):
        bad = cols[(cols < 0) | (cols >= n_cols)][0]
        raise ValueError(f"exclude holds id {bad}, outside the {n_cols} columns [0, {n_cols})")
    return rows, cols


def _best_of_row(key: np.ndarray, candidates: np.ndarray, k: int) -> np.ndarray:
    """Return the k candidates of one row with the smallest rounded key, lower id first on ties."""
    rounded = np.round(key[candidates], TIE_DECIMALS)
    return candidates[np.lexsort((candidates, rounded))][:k]


def top_k(scores, k: int, exclude: Sequence | None = None) -> np.ndarray:
    """Return the (rows, k) column ids of the k highest scores of each row, best first.

    scores: (rows, n) or (n,) (then the result is (k,)); -inf marks a column that may not be
    chosen. exclude: one list of column ids per row that may not be chosen. Ties: see the module.
    """
    scores = np.array(scores, dtype=np.float64)  # a copy: excluded entries are overwritten
    one_row = scores.ndim == 1
    scores = scores[None, :] if one_row else scores
    if scores.ndim != 2 or np.isnan(scores).any():
        raise ValueError(f"scores must be a 1-D or 2-D array without NaN, got shape {np.shape(scores)}")
    k = check_int("k", k, 1)
    if k > scores.shape[1]:
        raise ValueError(f"k={k} is larger than the number of columns {scores.shape[1]}")
    if exclude is not None:
        scores[_excluded([exclude] if one_row else exclude, *scores.shape)] = -np.inf
    key = -scores  # ascending key = descending score
    # Only entries within the slack of the k-th raw key can round onto it or below it.
    kth = np.partition(key, k - 1, axis=1)[:, k - 1:k]  # (rows, 1)
    near = key <= kth + _SLACK  # (rows, n): at least k per row
    out = np.empty((scores.shape[0], k), dtype=np.int64)
    for i, row in enumerate(near):
        out[i] = _best_of_row(key[i], np.flatnonzero(row), k)
    return out[0] if one_row else out
