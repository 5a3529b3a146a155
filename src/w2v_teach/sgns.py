"""Skip-gram with negative sampling (SGNS) in NumPy: the loss, its gradients, and a fast trainer.

For a centre word c, one of its context words o and K noise words k_1..k_K, the per-pair loss
is (Mikolov et al. 2013b)

    -log sigma(u_o . v_c) - sum_k log sigma(-u_k . v_c)

where v = rows of the input matrix W_in and u = rows of the output matrix W_out.
:func:`loss_and_grads` is that loss averaged over a batch of pairs, with its exact gradients;
the chapter checks it against finite differences.

:func:`train` is a minibatch SGD trainer. By default the pairs of a minibatch share their noise
words, in groups (the "HogBatch" idea of Ji et al. 2016): each group of `share_size` pairs
draws one set of S noise words, the noise scores of a group become one matrix product
(size, dim) @ (dim, S), and the noise terms are weighted by K / S so that each pair still
pushes, in expectation, against K noise words. ``shared_negatives=None`` draws K noise words
for every pair instead: the textbook version, several times slower in NumPy.

Learning-rate scale. The trainer moves the parameters by ``lr`` times the *sum* of the per-pair
gradients of a minibatch, i.e. ``lr * B`` times the gradient of the batch-mean loss. Every pair
therefore moves its rows exactly as far as one SGD step of the C tool or gensim would; only the
pairs of one batch move together instead of one after the other. So ``lr = 0.025``, the C
tool's default, works whatever the batch size. (With the mean loss one would have to multiply
the learning rate by the batch size to get the same steps.)
"""
from __future__ import annotations

import time
from typing import Sequence

import numpy as np
import scipy.sparse as sp
from scipy.special import expit
from threadpoolctl import threadpool_limits

from ._checks import check_bool, check_choice, check_float, check_ids, check_int, check_matrix
from .sampling import NegativeSampler, noise_distribution, subsample
from .text import Vocab
from .training import TrainResult, check_finite_loss, check_hyperparameters, linear_lr, make_result
from .windows import cbow_examples, skipgram_pairs

__all__ = ["init_matrices", "log_sigmoid", "loss_and_grads", "scatter_add", "train"]

MODELS = ("skipgram", "cbow")
# The C tool's learning rates, and batch sizes that cover about 300 words of text in both models
# (skip-gram makes about 6 pairs per word with window 5, CBOW one example per word).
DEFAULT_LR = {"skipgram": 0.025, "cbow": 0.05}
DEFAULT_BATCH = {"skipgram": 2048, "cbow": 256}


# -- the loss and its gradients ----------------------------------------------------------------
def log_sigmoid(x) -> np.ndarray:
    """Return log sigma(x) = -log(1 + exp(-x)), computed stably as -logaddexp(0, -x)."""
    return -np.logaddexp(0.0, -np.asarray(x))


def _pair_terms(v: np.ndarray, u_pos: np.ndarray, u_neg: np.ndarray, weight=1.0):
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
    W_in = check_matrix("W_in", W_in)
    V, dim = W_in.shape
    W_out = check_matrix("W_out", W_out)
    if W_out.shape != (V, dim):
        raise ValueError(f"W_out must have the shape of W_in {W_in.shape}, got {W_out.shape}")
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

    loss, dv, du_pos, du_neg = _pair_terms(W_in[centers], W_out[contexts], W_out[negatives])
    dW_in = np.zeros_like(W_in)
    dW_out = np.zeros_like(W_out)
    # np.add.at adds once per occurrence: a word that appears twice gets both contributions.
    np.add.at(dW_in, centers, dv / B)
    np.add.at(dW_out, contexts, du_pos / B)
    np.add.at(dW_out, negatives.ravel(), du_neg.reshape(-1, dim) / B)
    return float(loss.mean()), dW_in, dW_out


# -- scatter-add ------------------------------------------------------------------------------
def _group_rows(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Group equal ids: return (distinct ids, row order int32, group starts int32 (n_unique + 1,)).

    Rows ``order[starts[j]:starts[j + 1]]`` are the rows whose id is ``distinct[j]``; this is
    the (indices, indptr) pair of a CSR matrix that sums the rows of each id.
    """
    n = ids.shape[0]
    order = np.argsort(ids)  # group equal ids together (the order within a group is irrelevant)
    sorted_ids = ids[order]
    first = np.empty(n, dtype=bool)  # True where a new id starts
    first[0] = True
    np.not_equal(sorted_ids[1:], sorted_ids[:-1], out=first[1:])
    starts = np.flatnonzero(first)  # (n_unique,)
    return sorted_ids[starts], order.astype(np.int32), np.append(starts, n).astype(np.int32)


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
    _scatter_add(target, ids, rows)


def _scatter_add(target: np.ndarray, ids: np.ndarray, rows: np.ndarray) -> None:
    """Do scatter_add without the checks (the trainers' hot loop passes ids known to be valid)."""
    n = ids.shape[0]
    if n == 0:
        return
    distinct, order, indptr = _group_rows(ids)
    # Row j of `pick` has a 1 in the column of every row whose id is distinct[j].
    pick = sp.csr_matrix((np.ones(n, dtype=rows.dtype), order, indptr), shape=(distinct.shape[0], n))
    target[distinct] += pick @ rows  # (n_unique, dim)


# -- one SGD step for each model ---------------------------------------------------------------
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


def _shared_noise_step(W_out, h, u, targets, noise, lr, scale, with_loss):
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
    _scatter_add(W_out, noise.ravel(), step_N.reshape(G * S, dim))
    return loss, a_pos, step_h


def _skipgram_shared_step(W_in, W_out, centers, contexts, noise, lr, scale, with_loss):
    """Take one SGD step on a batch of (centre, context) pairs whose groups share noise words.

    With a = -lr * the gradient coefficients, the steps are v_c += a_pos u_o + a_neg @ N,
    u_o += a_pos v_c and N += a_neg.T @ v, each summed per distinct word.
    """
    v = W_in[centers]  # (B, dim) centre rows
    u = W_out[contexts]  # (B, dim) context rows (read before any row is written)
    loss, a_pos, step_v = _shared_noise_step(W_out, v, u, contexts, noise, lr, scale, with_loss)
    step_v += a_pos[:, None] * u
    _scatter_add(W_out, contexts, a_pos[:, None] * v)
    _scatter_add(W_in, centers, step_v)
    return loss


def _per_pair_noise_step(W_out, h, targets, noise, lr, with_loss):
    """Update W_out for rows h (B, dim) with K noise words per row, noise (B, K).

    Returns (summed loss or None, the step for h (B, dim)). Reuses :func:`_pair_terms`, the
    function behind :func:`loss_and_grads`. A noise word equal to the row's true word is skipped.
    """
    weight = (noise != targets[:, None]).astype(h.dtype)  # (B, K)
    loss, dh, du, dN = _pair_terms(h, W_out[targets], W_out[noise], weight)
    _scatter_add(W_out, np.concatenate([targets, noise.ravel()]),
                np.concatenate([du, dN.reshape(-1, h.shape[1])]) * -lr)
    return (float(loss.sum()) if with_loss else None), dh * -lr


def _skipgram_step(W_in, W_out, centers, contexts, noise, shared, lr, scale, with_loss):
    """Take one SGD step on a batch of (centre, context) pairs; return the summed loss or None.

    noise: (G, S) ids shared by groups of pairs if `shared`, else (B, K) ids, K per pair.
    """
    if shared:
        return _skipgram_shared_step(W_in, W_out, centers, contexts, noise, lr, scale, with_loss)
    v = W_in[centers]  # (B, dim)
    loss, step_v = _per_pair_noise_step(W_out, v, contexts, noise, lr, with_loss)
    _scatter_add(W_in, centers, step_v)
    return loss


def _cbow_step(W_in, W_out, windows, targets, noise, shared, lr, scale, with_loss):
    """Take one SGD step on a batch of CBOW examples (windows (B, 2*window) padded with -1).

    h is the average of the real context rows. As in the C tool and gensim (cbow_mean=1), every
    context word then receives the full step computed for h, not step / n_context: the update
    those tools use, which learns faster than the exact gradient of the average.
    """
    real = windows >= 0  # (B, C)
    rows = windows[real]  # (nnz,) the context words, example by example
    owner = np.nonzero(real)[0]  # (nnz,) which example each context word belongs to
    n_ctx = real.sum(axis=1)  # (B,)
    indptr = np.concatenate([[0], np.cumsum(n_ctx)]).astype(np.int32)
    weights = (1.0 / n_ctx[owner]).astype(W_in.dtype)
    average = sp.csr_matrix((weights, np.arange(rows.shape[0], dtype=np.int32), indptr),
                            shape=(targets.shape[0], rows.shape[0]))
    h = average @ W_in[rows]  # (B, dim)
    if shared:
        u = W_out[targets]  # (B, dim)
        loss, a_pos, step_h = _shared_noise_step(W_out, h, u, targets, noise, lr, scale, with_loss)
        step_h += a_pos[:, None] * u
        _scatter_add(W_out, targets, a_pos[:, None] * h)
    else:
        loss, step_h = _per_pair_noise_step(W_out, h, targets, noise, lr, with_loss)
    _scatter_add(W_in, rows, step_h[owner])
    return loss


# -- the trainer ---------------------------------------------------------------------------------
def _check_loss(loss: float, step: int, lr: float) -> float:
    """Return the loss, or raise FloatingPointError (with the batch-size hint) if it is not finite."""
    try:
        return check_finite_loss(loss, step, lr)
    except FloatingPointError as err:
        raise FloatingPointError(
            f"{err}, a smaller batch_size, or subsampling (t). A word that appears m times in a "
            "batch moves m steps at once, all computed before the batch; frequent words without "
            "subsampling overshoot."
        ) from None


def init_matrices(V: int, dim: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Return float32 (W_in, W_out): W_in uniform in [-1/dim, 1/dim) as in gensim 4, W_out zeros.

    The C tool draws W_in from [-0.5/dim, 0.5/dim). Both start near the saddle point at zero,
    and a run of only a few epochs on a small corpus is still leaving it: the twice larger start
    of gensim leaves it sooner, which we match so that short runs compare like for like.
    """
    W_in = rng.random((V, dim), dtype=np.float32)
    W_in *= 2.0
    W_in -= 1.0
    W_in /= dim
    return W_in, np.zeros((V, dim), dtype=np.float32)


def train(
    tokens: Sequence[str],
    *,
    dim: int = 100,
    window: int = 5,
    negatives: int = 5,
    epochs: int = 5,
    lr: float | None = None,
    t: float | None = 1e-4,
    min_count: int = 5,
    seed: int = 0,
    batch_size: int | None = None,
    shared_negatives: int | None = 32,
    share_size: int = 256,
    model: str = "skipgram",
    noise_power: float = 0.75,
    loss_every: int = 8,
    blas_threads: int | None = 1,
    progress: bool = False,
) -> TrainResult:
    """Train skip-gram (or CBOW) with negative sampling by minibatch SGD; return a TrainResult.

    tokens: a flat list of words. Words seen fewer than `min_count` times are dropped before
    the windows are cut, as in the C tool. Every epoch subsamples frequent words with threshold
    `t` (the C tool's formula, :func:`w2v_teach.sampling.keep_probability`; None: keep all),
    draws a dynamic window (1..`window`) per centre word, and walks through the training
    examples in text order, `batch_size` at a time: (centre, context) pairs for "skipgram",
    one window per position for "cbow". Noise words come from the unigram distribution raised
    to `noise_power`; `negatives` (K) of them per pair, in expectation. With
    `shared_negatives` = S, each group of `share_size` consecutive examples shares one set of
    S noise words, scored with one matrix product, and each noise term is weighted by K / S;
    with None, every example gets K noise words of its own (slower). The groups bound how
    much a single noise word can move in one step: it collects the summed push of
    share_size * K / S examples, and 2048 * 5 / 32 = 320 (one set per batch) can already
    throw rare words' vectors far enough to make training diverge.

    Each step adds ``-lr`` times the *summed* per-example gradients (see the module docstring),
    with lr decaying linearly over the words processed, from `lr` to lr * 1e-4, as in the C
    tool. The defaults (None) are the C tool's: lr 0.025 for skip-gram and 0.05 for CBOW, and
    batches of 2048 pairs or 256 CBOW windows, both about 300 words of text. Summed steps are
    exact for a word that appears once in a batch; a word in m examples moves m steps at once,
    all computed from the parameters before the batch, so very frequent words (no subsampling,
    t=None) need smaller batches. For CBOW, h is the average of the context vectors and, as
    in the C tool and gensim, every context word receives h's whole step. `losses` holds the mean per-pair loss of every `loss_every`-th batch (computing it
    costs time). A non-finite loss raises FloatingPointError. `words_per_second` counts
    effective words, the tokens left after subsampling, as gensim does; the clock covers the
    epochs (subsampling and cutting windows included) but not building the vocabulary.
    The embeddings are the input vectors W_in; both matrices are in the result.

    `blas_threads` caps the BLAS threads while training (None: leave the default). The
    matrix products of one batch are small, so one thread is as fast as two on an idle machine
    and much faster on a busy one.
    """
    check_choice("model", model, set(MODELS))
    lr = DEFAULT_LR[model] if lr is None else lr
    batch_size = DEFAULT_BATCH[model] if batch_size is None else batch_size
    params = check_hyperparameters(dim=dim, window=window, negatives=negatives, epochs=epochs,
                                   lr=lr, t=t, min_count=min_count, batch_size=batch_size)
    dim, window, K, epochs = params["dim"], params["window"], params["negatives"], params["epochs"]
    lr, t, batch_size = params["lr"], params["t"], params["batch_size"]
    seed = check_int("seed", seed, 0)
    noise_power = check_float("noise_power", noise_power)
    if shared_negatives is not None:
        shared_negatives = check_int("shared_negatives", shared_negatives, 1)
    share_size = check_int("share_size", share_size, 1)
    loss_every = check_int("loss_every", loss_every, 1)
    if blas_threads is not None:
        blas_threads = check_int("blas_threads", blas_threads, 1)
    if isinstance(tokens, str):
        raise ValueError("tokens must be a list of words, got a single str (tokenize it first)")
    tokens = tokens if isinstance(tokens, list) else list(tokens)
    if not tokens:
        raise ValueError("tokens is empty; training needs a corpus")

    setup_start = time.perf_counter()
    vocab = Vocab.build(tokens, min_count=params["min_count"])
    ids = vocab.encode(tokens, oov="skip")
    if len(vocab) < 2:
        raise ValueError(f"the vocabulary has {len(vocab)} word(s) after min_count={min_count}; "
                         "training needs at least 2 (lower min_count or use more text)")
    sampler = NegativeSampler(noise_distribution(vocab.counts, noise_power))
    rng = np.random.default_rng(seed)
    W_in, W_out = init_matrices(len(vocab), dim, rng)
    setup_seconds = time.perf_counter() - setup_start

    S = shared_negatives
    scale = np.float32(K / S) if S is not None else np.float32(1.0)
    step_fn = _skipgram_step if model == "skipgram" else _cbow_step
    bar = None
    if check_bool("progress", progress):
        from tqdm.auto import tqdm

        bar = tqdm(total=epochs, desc=f"sgns-{model}", unit="epoch")

    losses: list[float] = []
    words = examples_seen = batches = 0
    rate = lr
    start = time.perf_counter()
    try:
        # Overflow in exp is harmless here (sigma becomes exactly 0 or 1); divergence is caught
        # by check_finite_loss on the loss instead.
        with np.errstate(over="ignore", invalid="ignore"), threadpool_limits(blas_threads, user_api="blas"):
            for epoch in range(epochs):
                kept = subsample(ids, vocab.counts, t, rng)  # (n_kept,) effective words
                words += kept.shape[0]
                if model == "skipgram":
                    inputs, targets = skipgram_pairs(kept, window, rng)
                else:
                    inputs, targets = cbow_examples(kept, window, rng)
                n = targets.shape[0]
                for lo in range(0, n, batch_size):
                    hi = min(lo + batch_size, n)
                    # Examples are in text order, so the share of examples done is the share of
                    # words done: the C tool's linear decay by words processed.
                    rate = linear_lr(lr, (epoch + lo / n) / epochs)
                    if S is not None:
                        noise = sampler.draw((-(-(hi - lo) // share_size), S), rng)  # (G, S)
                    else:
                        noise = sampler.draw((hi - lo, K), rng)  # (B, K)
                    with_loss = batches % loss_every == 0
                    loss = step_fn(W_in, W_out, inputs[lo:hi], targets[lo:hi], noise, S is not None,
                                   np.float32(rate), scale, with_loss)
                    if with_loss:
                        losses.append(_check_loss(loss / (hi - lo), batches, rate))
                    batches += 1
                examples_seen += n
                if bar is not None:
                    bar.update(1)
                    bar.set_postfix(loss=f"{losses[-1]:.3f}" if losses else "-")
    finally:
        if bar is not None:
            bar.close()
    seconds = time.perf_counter() - start
    if not (np.isfinite(W_in).all() and np.isfinite(W_out).all()):
        _check_loss(float("nan"), batches, rate)

    return make_result(
        vocab, W_in, W_out, losses, words, seconds,
        info={"model": model, "batches": batches, "examples": examples_seen,
              "batch_size": batch_size, "shared_negatives": S, "share_size": share_size, "negatives": K,
              "loss_every": loss_every, "final_lr": rate, "setup_seconds": setup_seconds},
    )
