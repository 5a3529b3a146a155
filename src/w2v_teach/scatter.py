"""Add rows into a table at given ids, summing repeated ids: the scatter-add of every NumPy trainer.

``target[ids] += rows`` is the trap: with a repeated id, fancy-index assignment writes each row
in turn and the last write wins, so only one of the updates survives. ``np.add.at`` is right but
loops row by row. :func:`scatter_add` sums the rows of each distinct id with one sparse-matrix
product (a 0/1 matrix of shape (n_distinct, n) that maps each row to its id) and then adds the
sums to distinct rows of the target, where plain fancy indexing is safe. Derived in chapter 3,
"Fast minibatch SGD".
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ._checks import check_ids, check_matrix

__all__ = ["add_rows", "group_rows", "scatter_add"]


def group_rows(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Group equal ids: return (distinct ids, row order int32, group starts int32 (n_unique + 1,)).

    Rows ``order[starts[j]:starts[j + 1]]`` are the rows whose id is ``distinct[j]``; this is
    the (indices, indptr) pair of a CSR matrix that sums the rows of each id.
    """
    n = ids.shape[0]
    order = np.argsort(_sort_key(ids), kind="stable")  # equal ids together, each group in row order
    sorted_ids = ids[order]
    first = np.empty(n, dtype=bool)  # True where a new id starts
    first[0] = True
    np.not_equal(sorted_ids[1:], sorted_ids[:-1], out=first[1:])
    starts = np.flatnonzero(first)  # (n_unique,)
    return sorted_ids[starts], order.astype(np.int32), np.append(starts, n).astype(np.int32)


def _sort_key(ids: np.ndarray) -> np.ndarray:
    """Return ids as uint16 when they fit (NumPy's stable sort of 16-bit keys is a radix sort), else ids.

    A radix sort is linear in n: on a batch of 2048 word ids it took about a fifth of the time of
    the default sort of int64 ids (measured: 10 against 47 microseconds), and a scatter-add sorts
    its ids in every step of every trainer.
    """
    if ids.shape[0] and 0 <= ids.min() and ids.max() < 1 << 16:
        return ids.astype(np.uint16)
    return ids


def scatter_add(target: np.ndarray, ids, rows: np.ndarray) -> None:
    """Add rows[i] to target[ids[i]] for every i, in place, summing the rows of repeated ids.

    ``target[ids] += rows`` keeps only one of several rows with the same id (the fancy-index
    assignment writes each row in turn, and the last write wins). Here the rows are first summed
    per distinct id with one sparse-matrix product, a 0/1 matrix of shape (n_unique, n) that
    maps each row to its word, times the (n, dim) rows; the sums then go to distinct rows of
    `target`, where plain fancy indexing is safe. Same result as ``np.add.at(target, ids,
    rows)``, several times faster on batches of thousands of rows.
    """
    target = check_matrix("target", target, finite=False)
    rows = np.asarray(rows)
    ids = check_ids("ids", ids, target.shape[0], ndim=1)
    if rows.ndim != 2 or rows.shape != (ids.shape[0], target.shape[1]):
        raise ValueError(f"rows must have shape ({ids.shape[0]}, {target.shape[1]}) (one row per id, "
                         f"the width of target), got {rows.shape}")
    add_rows(target, ids, rows)


def add_rows(target: np.ndarray, ids: np.ndarray, rows: np.ndarray) -> None:
    """Do :func:`scatter_add` without the checks (the trainers' hot loops pass ids known to be valid)."""
    n = ids.shape[0]
    if n == 0:
        return
    distinct, order, indptr = group_rows(ids)
    # Row j of `pick` has a 1 in the column of every row whose id is distinct[j].
    pick = sp.csr_matrix((np.ones(n, dtype=rows.dtype), order, indptr), shape=(distinct.shape[0], n))
    target[distinct] += pick @ rows  # (n_unique, dim)
