"""The speed path of the NumPy trainer: groups of examples share their noise words (HogBatch).

Ji et al. (2016) let the examples of a minibatch share one set of noise words. Here each group
of ``share_size`` consecutive examples draws S noise words, the noise scores of a group become
one dense matrix product (size, dim) @ (dim, S) instead of a (B, K, dim) gather, and each noise
term is weighted by K / S so that every example still pushes, in expectation, against K noise
words. The word2vec update itself is the one of :mod:`w2v_teach.sgns`; this module only
computes it faster. Derived in chapter 3, "Sharing noise words across a batch".
"""
from __future__ import annotations

import numpy as np

from .scatter import add_rows

__all__ = ["shared_noise_step", "skipgram_step"]


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


def shared_noise_step(W_out, h, u, targets, noise, lr, scale, with_loss):
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


def skipgram_step(W_in, W_out, centers, contexts, noise, lr, scale, with_loss):
    """Take one SGD step on a batch of (centre, context) pairs whose groups share noise words.

    With a = -lr * the gradient coefficients, the steps are v_c += a_pos u_o + a_neg @ N,
    u_o += a_pos v_c and N += a_neg.T @ v, each summed per distinct word.
    """
    v = W_in[centers]  # (B, dim) centre rows
    u = W_out[contexts]  # (B, dim) context rows (read before any row is written)
    loss, a_pos, step_v = shared_noise_step(W_out, v, u, contexts, noise, lr, scale, with_loss)
    step_v += a_pos[:, None] * u
    add_rows(W_out, contexts, a_pos[:, None] * v)
    add_rows(W_in, centers, step_v)
    return loss
