"""The input side of word2vec: form the hidden vector h, and spread h's step back to the input rows.

word2vec is two choices (chapters 2-5): how h is formed, and which output layer scores it.

* skip-gram: h is the centre word's input vector, h = v_c;
* CBOW: h is the average of the real (non-padding) context vectors, h = (v_1 + ... + v_n) / n.

An SGD step is then fastText's ``Model::update`` (:func:`update`): form h, let the output layer
(:mod:`w2v_teach.negative_sampling`, :mod:`w2v_teach.hsoftmax`) score it, update its own rows
and return h's step, and spread that step to the input rows that formed h. CBOW has two rules
for the spreading (``cbow_update``): the C tool's ("c_tool": every context word receives h's
whole step, as gensim's ``cbow_mean=1`` does) and the exact gradient of the average ("exact":
each of the n words receives 1/n of it, what autograd computes).

The average is the sum of the rows each scaled by 1/n (see :func:`hidden` for its two
summations). Chapter 2's full-softmax model, :mod:`w2v_teach.cbow_softmax`, divides the sum by n
instead, as its derivation writes it, and keeps its own average: the two differ in the last bit
of a float, and thousands of SGD steps would turn that into different printed numbers.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import scipy.sparse as sp

from ._checks import check_choice
from .scatter import add_rows
from .training import CBOW_UPDATES

__all__ = ["InputRows", "hidden", "spread", "update"]


@dataclass(frozen=True)
class InputRows:
    """The input rows behind h: ids (nnz,), and for CBOW each one's example (nnz,) and weight 1/n (nnz,)."""

    ids: np.ndarray
    owner: np.ndarray | None = None  # None: skip-gram, row i formed h[i] alone
    weight: np.ndarray | None = None


def hidden(W_in: np.ndarray, inputs: np.ndarray, model: str, sum_with: str = "sparse") -> tuple[np.ndarray, InputRows]:
    """Return h (B, dim) and the input rows that formed it; no checks (the trainers' hot loops).

    model "skipgram": inputs (B,) centre ids, h = W_in[inputs]. model "cbow": inputs (B, C)
    context ids padded with -1 (at least one real id a row), h the average of the real rows, the
    sum of each row scaled by 1/n. sum_with: "sparse", one product with a (B, nnz) averaging
    matrix (the negative-sampling trainers), or "reduceat", ``np.add.reduceat`` over each
    example's rows (hierarchical softmax). The two give the same average up to the last bit of a
    float (scipy's sparse product and NumPy's adds round differently); each trainer keeps the one
    its chapter's numbers were computed with.
    """
    if model == "skipgram":
        return W_in[inputs], InputRows(inputs)
    real = inputs >= 0  # (B, C)
    owner = np.nonzero(real)[0]  # (nnz,) rows in order, so each example's words are contiguous
    n = real.sum(axis=1)  # (B,)
    weight = (1.0 / n[owner]).astype(W_in.dtype)  # (nnz,)
    ids = inputs[real]  # (nnz,)
    if sum_with == "reduceat":
        starts = np.concatenate([[0], np.cumsum(n)[:-1]])  # (B,) where each example's words begin
        h = np.add.reduceat(W_in[ids] * weight[:, None], starts, axis=0)  # (B, dim)
    else:
        indptr = np.concatenate([[0], np.cumsum(n)]).astype(np.int32)
        average = sp.csr_matrix((weight, np.arange(ids.shape[0], dtype=np.int32), indptr),
                                shape=(inputs.shape[0], ids.shape[0]))  # (B, nnz), 1/n on each word
        h = average @ W_in[ids]  # (B, dim)
    return h, InputRows(ids, owner, weight)


def spread(W_in: np.ndarray, rows: InputRows, step_h: np.ndarray, cbow_update: str = "c_tool") -> None:
    """Add h's step (B, dim) to the input rows that formed h, in place (a scatter-add).

    Skip-gram: row i gets step_h[i]. CBOW: every context word of example i gets step_h[i]
    ("c_tool") or step_h[i] / n ("exact", the gradient of the average).
    """
    if rows.owner is None:
        add_rows(W_in, rows.ids, step_h)
        return
    step_rows = step_h[rows.owner]  # (nnz, dim) h's step, for every context word
    if cbow_update == "exact":
        step_rows *= rows.weight[:, None]  # ... divided among the n context words of its example
    add_rows(W_in, rows.ids, step_rows)


def update(W_in: np.ndarray, inputs: np.ndarray, model: str, output_step: Callable, cbow_update: str = "c_tool",
           sum_with: str = "sparse"):
    """Take one SGD step (fastText's ``Model::update``); return what `output_step` returns as the loss.

    output_step(h) -> (loss, step_h): the output layer scores h (B, dim), updates its own rows in
    place and returns h's step (already times -lr). Then :func:`spread` moves the input rows.
    """
    check_choice("cbow_update", cbow_update, CBOW_UPDATES)
    h, rows = hidden(W_in, inputs, model, sum_with)
    loss, step_h = output_step(h)
    spread(W_in, rows, step_h, cbow_update)
    return loss
