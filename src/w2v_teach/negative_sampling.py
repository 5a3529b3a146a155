"""Negative sampling, the output layer of chapter 3: the exact loss and its fast SGD steps.

For a hidden vector h (skip-gram: the centre word's v_c; CBOW: the context average, see
:mod:`w2v_teach.inputs`), its true word o and K noise words k_1..k_K, the loss is
(Mikolov et al. 2013b)

    -log sigma(u_o . h) - sum_k log sigma(-u_k . h)

with u the rows of the output matrix W_out. :func:`loss_and_grads` is that loss averaged over a
batch of skip-gram pairs, with its exact gradients (chapter 3 checks them against finite
differences); :func:`pair_terms` computes the terms of each pair.

The trainers' SGD steps, each ``step(W_out, h, targets, noise, lr, scale, with_loss) -> (summed
loss or None, h's step)``, update W_out in place and leave the input rows to
:func:`w2v_teach.inputs.spread`:

* :func:`per_example_step`: K noise words of each example's own, noise (B, K): the formula as it
  stands (it reuses :func:`pair_terms`);
* :func:`shared_step`: the speed path (the "HogBatch" idea of Ji et al. 2016). Each group of
  ``share_size`` consecutive examples shares S noise words, noise (G, S); the noise scores of a
  group are one dense matrix product (size, dim) @ (dim, S) instead of a (B, K, dim) gather, and
  each noise term is weighted by ``scale`` = K / S, so that every example still pushes, in
  expectation, against K noise words. Derived in chapter 3, "Sharing noise words across a batch".

A noise word equal to the example's true word is skipped by both steps, as in the C tool.
"""
from __future__ import annotations

import numpy as np
from scipy.special import expit

from ._checks import check_ids, check_tables
from .scatter import add_rows

__all__ = ["log_sigmoid", "loss_and_grads", "pair_terms", "per_example_step", "shared_step"]


# -- the loss and its gradients ----------------------------------------------------------------
def log_sigmoid(x) -> np.ndarray:
    """Return log sigma(x) = -log(1 + exp(-x)), computed stably as -logaddexp(0, -x)."""
    return -np.logaddexp(0.0, -np.asarray(x))


def pair_terms(v: np.ndarray, u_pos: np.ndarray, u_neg: np.ndarray, weight=1.0):
    """Return the per-pair losses and gradients for rows already gathered from W_in and W_out.

    v, u_pos: (B, dim) centre and context rows; u_neg: (B, K, dim) noise rows; weight: a
    scalar or (B, K) factor on each noise term. Returns loss (B,), dv (B, dim), du_pos (B, dim),
    du_neg (B, K, dim): the gradients of each pair's own loss (not averaged).
    """
    pos = np.einsum("bd,bd->b", v, u_pos)  # (B,)   u_o . v_c
    neg = np.einsum("bkd,bd->bk", u_neg, v)  # (B, K) u_k . v_c
    loss = -log_sigmoid(pos) - (weight * log_sigmoid(-neg)).sum(axis=1)  # (B,)
    g_pos = expit(pos) - 1.0  # (B,)   d loss / d(u_o . v_c) = sigma(s) - 1
    g_neg = weight * expit(neg)  # (B, K) d loss / d(u_k . v_c) = sigma(s_k)
    dv = g_pos[:, None] * u_pos + np.einsum("bk,bkd->bd", g_neg, u_neg)  # (B, dim)
    du_pos = g_pos[:, None] * v  # (B, dim)
    du_neg = g_neg[:, :, None] * v[:, None, :]  # (B, K, dim)
    return loss, dv, du_pos, du_neg


def loss_and_grads(W_in, W_out, centers, contexts, negatives) -> tuple[float, np.ndarray, np.ndarray]:
    """Return the batch-mean SGNS loss and its gradients (dW_in, dW_out), each (V, dim).

    W_in, W_out: (V, dim); centers, contexts: (B,) word ids; negatives: (B, K) noise word ids.
    The per-pair loss is -log sigma(u_o . v_c) - sum_k log sigma(-u_k . v_c), with
    v_c = W_in[c] and u = rows of W_out; the loss returned is its mean over the B pairs and
    the gradients are those of that mean. Noise words are used as given, even one that equals
    the context word (the plain formula; the trainer skips those, as the C tool does).
    """
    W_in, W_out = check_tables(W_in, W_out)
    V, dim = W_in.shape
    centers = check_ids("centers", centers, V, ndim=1)
    contexts = check_ids("contexts", contexts, V, ndim=1)
    negatives = check_ids("negatives", negatives, V, ndim=2)
    B = centers.shape[0]
    if B == 0:
        raise ValueError("centers is empty: a batch needs at least one (centre, context) pair")
    if contexts.shape != (B,):
        raise ValueError(f"contexts must have shape ({B},) like centers, got {contexts.shape}")
    if negatives.shape[0] != B or negatives.shape[1] == 0:
        raise ValueError(f"negatives must have shape ({B}, K) with K >= 1, got {negatives.shape}")

    loss, dv, du_pos, du_neg = pair_terms(W_in[centers], W_out[contexts], W_out[negatives])
    dW_in = np.zeros_like(W_in)
    dW_out = np.zeros_like(W_out)
    # np.add.at adds once per occurrence: a word that appears twice gets both contributions.
    np.add.at(dW_in, centers, dv / B)
    np.add.at(dW_out, contexts, du_pos / B)
    np.add.at(dW_out, negatives.ravel(), du_neg.reshape(-1, dim) / B)
    return float(loss.mean()), dW_in, dW_out


# -- the SGD steps of the trainers ----------------------------------------------------------------
def per_example_step(W_out, h, targets, noise, lr, scale=None, with_loss=False):
    """Update W_out for rows h (B, dim) with K noise words per row, noise (B, K) (the textbook step).

    `scale` is unused (each noise term has weight 1); it keeps the signature of :func:`shared_step`.

    Returns (summed loss or None, the step for h (B, dim)). Reuses :func:`pair_terms`, the
    function behind :func:`loss_and_grads`. A noise word equal to the row's true word is skipped.
    """
    weight = (noise != targets[:, None]).astype(h.dtype)  # (B, K)
    loss, dh, du, dN = pair_terms(h, W_out[targets], W_out[noise], weight)
    add_rows(W_out, np.concatenate([targets, noise.ravel()]),
                np.concatenate([du, dN.reshape(-1, h.shape[1])]) * -lr)
    return (float(loss.sum()) if with_loss else None), dh * -lr


def _sigmoid_(x: np.ndarray) -> np.ndarray:
    """Overwrite the float array `x` with sigma(x) and return it (overflow to inf gives 0 or 1)."""
    np.negative(x, out=x)
    np.exp(x, out=x)
    x += 1.0
    return np.reciprocal(x, out=x)


def _grouped(x: np.ndarray, n_groups: int, size: int) -> np.ndarray:
    """Return the rows of x (B, ...) as (n_groups, size, ...), padding the last group with zeros."""
    if x.shape[0] == n_groups * size:
        return x.reshape(n_groups, size, *x.shape[1:])
    out = np.zeros((n_groups * size, *x.shape[1:]), dtype=x.dtype)
    out[:x.shape[0]] = x
    return out.reshape(n_groups, size, *x.shape[1:])


def _collisions(noise: np.ndarray, targets: np.ndarray, size: int, V: int) -> tuple[np.ndarray, np.ndarray]:
    """Return (rows, columns) where row b's noise word noise[b // size, col] equals targets[b]."""
    is_noise = np.zeros(V, dtype=bool)
    is_noise[noise.ravel()] = True
    rows = np.flatnonzero(is_noise[targets])  # the few rows whose true word was drawn somewhere
    r, c = np.nonzero(noise[rows // size] == targets[rows, None])
    return rows[r], c


def _shared_noise_terms(W_out, h, u, targets, noise, lr, scale, with_loss):
    """Score rows h (B, dim) against their true words and shared noise words; update the noise rows.

    u: (B, dim) the true words' output rows; noise: (G, S) ids, row group g (rows g*size up to
    (g+1)*size, size = ceil(B / G)) shares the S noise words noise[g]. Each noise term is weighted
    by `scale` (K / S); a noise word equal to the row's true word is skipped, as in the C tool.
    Adds the noise rows' steps to W_out in place and returns (summed loss or None, a_pos (B,),
    step_h (B, dim)): a_pos = -lr * d loss / d(u_o . h) and the noise part of h's step.
    """
    B, dim = h.shape
    G, S = noise.shape
    size = -(-B // G)  # rows per group
    N = W_out[noise]  # (G, S, dim) the shared noise rows
    hg = _grouped(h, G, size)  # (G, size, dim)
    neg = np.matmul(hg, N.transpose(0, 2, 1)).reshape(G * size, S)  # (G*size, S) one product per group
    pos = np.einsum("bd,bd->b", h, u)  # (B,) u_o . h
    hit_rows, hit_cols = _collisions(noise, targets, size, W_out.shape[0])
    loss = None
    if with_loss:
        noise_terms = np.logaddexp(0.0, neg[:B])  # -log sigma(-s), (B, S)
        noise_terms[hit_rows, hit_cols] = 0.0
        loss = float(np.logaddexp(0.0, -pos).sum() + scale * noise_terms.sum())
    a_pos = _sigmoid_(pos)  # (B,) sigma(s) ...
    a_pos -= 1.0
    a_pos *= -lr  # ... so a_pos = -lr (sigma(s) - 1)
    a_neg = _sigmoid_(neg)  # (G*size, S) sigma(s_k) ...
    a_neg *= -lr * scale  # ... so a_neg = -lr (K / S) sigma(s_k)
    a_neg[hit_rows, hit_cols] = 0.0
    a_neg[B:] = 0.0  # padding rows take no part
    a_neg = a_neg.reshape(G, size, S)
    step_h = np.matmul(a_neg, N).reshape(G * size, dim)[:B]  # (B, dim)
    step_N = np.matmul(a_neg.transpose(0, 2, 1), hg)  # (G, S, dim) summed over each group
    add_rows(W_out, noise.ravel(), step_N.reshape(G * S, dim))
    return loss, a_pos, step_h



def shared_step(W_out, h, targets, noise, lr, scale, with_loss=False):
    """Take the output side of one SGD step with shared noise words; return (summed loss or None, h's step).

    h: (B, dim); targets: (B,) true words; noise: (G, S) ids, shared by groups of ceil(B / G)
    consecutive rows. With a = -lr times the gradient coefficients, u_o += a_pos h and
    N += a_neg.T @ h (summed per distinct word, in place), and h's step is a_pos u_o + a_neg @ N.
    """
    u = W_out[targets]  # (B, dim) the true words' rows (read before any row is written)
    loss, a_pos, step_h = _shared_noise_terms(W_out, h, u, targets, noise, lr, scale, with_loss)
    step_h += a_pos[:, None] * u
    add_rows(W_out, targets, a_pos[:, None] * h)
    return loss, step_h
