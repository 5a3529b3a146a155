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

import functools
import time
from typing import Sequence

import numpy as np
import scipy.sparse as sp
from scipy.special import expit
from threadpoolctl import threadpool_limits

from . import hogbatch
from ._checks import check_float, check_ids, check_int, check_matrix
from .scatter import add_rows, scatter_add  # noqa: F401  (scatter_add: an alias, w2v_teach.ALIASES)
from .sampling import NegativeSampler, noise_distribution, subsample
from .training import (LossLog, TrainResult, finish, init_matrices, linear_lr, model_hyperparameters,
                       prepare_corpus, progress_bar)
from .windows import cbow_examples, skipgram_pairs

__all__ = ["log_sigmoid", "loss_and_grads", "train"]  # scatter_add: an alias (w2v_teach.ALIASES)



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


# -- one SGD step for each model ---------------------------------------------------------------
def _per_pair_noise_step(W_out, h, targets, noise, lr, with_loss):
    """Update W_out for rows h (B, dim) with K noise words per row, noise (B, K).

    Returns (summed loss or None, the step for h (B, dim)). Reuses :func:`_pair_terms`, the
    function behind :func:`loss_and_grads`. A noise word equal to the row's true word is skipped.
    """
    weight = (noise != targets[:, None]).astype(h.dtype)  # (B, K)
    loss, dh, du, dN = _pair_terms(h, W_out[targets], W_out[noise], weight)
    add_rows(W_out, np.concatenate([targets, noise.ravel()]),
                np.concatenate([du, dN.reshape(-1, h.shape[1])]) * -lr)
    return (float(loss.sum()) if with_loss else None), dh * -lr


def _skipgram_step(W_in, W_out, centers, contexts, noise, shared, lr, scale, with_loss):
    """Take one SGD step on a batch of (centre, context) pairs; return the summed loss or None.

    noise: (G, S) ids shared by groups of pairs if `shared`, else (B, K) ids, K per pair.
    """
    if shared:
        return hogbatch.skipgram_step(W_in, W_out, centers, contexts, noise, lr, scale, with_loss)
    v = W_in[centers]  # (B, dim)
    loss, step_v = _per_pair_noise_step(W_out, v, contexts, noise, lr, with_loss)
    add_rows(W_in, centers, step_v)
    return loss


def _cbow_step(W_in, W_out, windows, targets, noise, shared, lr, scale, with_loss, exact=False):
    """Take one SGD step on a batch of CBOW examples (windows (B, 2*window) padded with -1).

    h is the average of the real context rows. With the C tool's rule (exact=False; gensim's
    cbow_mean=1 does the same) every context word then receives the full step computed for h;
    with exact=True each receives step / n_context, the exact gradient of the average. The
    tool's rule is the exact step with the input vectors' learning rate multiplied by n.
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
        loss, a_pos, step_h = hogbatch.shared_noise_step(W_out, h, u, targets, noise, lr, scale, with_loss)
        step_h += a_pos[:, None] * u
        add_rows(W_out, targets, a_pos[:, None] * h)
    else:
        loss, step_h = _per_pair_noise_step(W_out, h, targets, noise, lr, with_loss)
    step_rows = step_h[owner]  # (nnz, dim) h's step, for every context word
    if exact:
        step_rows *= weights[:, None]  # ... divided among the n context words of its example
    add_rows(W_in, rows, step_rows)
    return loss


# -- the trainer ---------------------------------------------------------------------------------
_BATCH_HINT = (", a smaller batch_size, or subsampling (t). A word that appears m times in a batch "
               "moves m steps at once, all computed before the batch; frequent words without "
               "subsampling overshoot.")


def train(tokens: Sequence[str], *, dim: int = 100, window: int = 5, negatives: int = 5, epochs: int = 5,
          lr: float | None = None, t: float | None = 1e-4, min_count: int = 5, max_size: int | None = None,
          seed: int = 0, keep: str = "in", batch_size: int | None = None, shared_negatives: int | None = 32,
          share_size: int = 256, model: str = "skipgram", cbow_update: str = "c_tool", noise_power: float = 0.75,
          loss_every: int = 8, blas_threads: int | None = 1, progress: bool = False) -> TrainResult:
    """Train skip-gram (or CBOW) with negative sampling by minibatch SGD; return a TrainResult.

    tokens: a flat list of words. dim, window, negatives (K), epochs, min_count, max_size, seed: as
        everywhere in the book; words seen fewer than `min_count` times go before windows are cut.
    lr: the starting learning rate, decaying linearly over the epochs to lr * 1e-4 as in the C
        tool (None: its defaults, 0.025 for skip-gram, 0.05 for CBOW). Each step adds -lr times
        the *summed* per-example gradients of the batch (see the module docstring).
    t: the subsampling threshold, redrawn every epoch (:func:`w2v_teach.sampling.keep_probability`,
        the C tool's formula; None keeps every word).
    keep: the embeddings returned: input vectors "in" (as the C tool), "out", or their average "avg".
    batch_size: examples per step, in text order (None: 2048 skip-gram pairs or 256 CBOW windows,
        about 300 words of text). A word in m examples of a batch moves m steps at once, all
        computed before the batch, so very frequent words (t=None) need smaller batches.
    shared_negatives (S): each group of `share_size` consecutive examples shares S noise words,
        each noise term weighted by K / S (:mod:`w2v_teach.hogbatch`); None: K noise words per
        example (slower). share_size * K / S bounds how far one noise word moves in a step.
    model: "skipgram" (pairs) or "cbow" (a window per position; h is the average of the context
        vectors). Examples are taken in text order.
    cbow_update: "c_tool" (each context word gets h's whole step, as the C tool and gensim do) or
        "exact" (1/n of it, the gradient of the average; wants a larger lr), as in torch_models.
    noise_power: the noise distribution is the unigram distribution to this power. loss_every:
        ``losses`` holds the mean per-example loss of every `loss_every`-th batch.
    blas_threads: BLAS threads (None: the default); one is as fast as two for such small products.
    progress: show a progress bar over the epochs.
    A non-finite loss raises FloatingPointError; ``words_per_second`` counts effective words.
    """
    hp = model_hyperparameters(
        model, lr=lr, batch_size=batch_size, dim=dim, window=window, negatives=negatives, epochs=epochs, t=t,
        min_count=min_count, max_size=max_size, seed=seed, keep=keep, loss_every=loss_every,
        cbow_update=cbow_update)
    noise_power, S = check_float("noise_power", noise_power), _optional_int("shared_negatives", shared_negatives)
    share_size, blas_threads = check_int("share_size", share_size, 1), _optional_int("blas_threads", blas_threads)

    setup_start = time.perf_counter()
    vocab, ids = prepare_corpus(tokens, hp.min_count, hp.max_size)
    sampler = NegativeSampler(noise_distribution(vocab.counts, noise_power))
    rng = np.random.default_rng(hp.seed)
    W_in, W_out = init_matrices(len(vocab), hp.dim, rng)
    setup_seconds = time.perf_counter() - setup_start

    log = LossLog(hp.loss_every, hint=_BATCH_HINT)
    start = time.perf_counter()
    # Overflow in exp is harmless here (sigma becomes exactly 0 or 1); divergence is caught by the log.
    with (np.errstate(over="ignore", invalid="ignore"), threadpool_limits(blas_threads, user_api="blas"),
          progress_bar(progress, hp.epochs, f"sgns-{model}", "epoch") as bar):
        run = _epochs(W_in, W_out, ids, vocab.counts, sampler, rng, hp, model, S, share_size, log, bar)
    return finish(vocab, W_in, W_out, log, run, time.perf_counter() - start, keep=hp.keep,
                  info={"model": model, "cbow_update": hp.cbow_update, "batch_size": hp.batch_size,
                        "loss_every": hp.loss_every, "shared_negatives": S, "share_size": share_size,
                        "negatives": hp.negatives, "setup_seconds": setup_seconds})


def _optional_int(name: str, value) -> int | None:
    """Return None, or `value` checked as an integer >= 1."""
    return None if value is None else check_int(name, value, 1)


def _epochs(W_in, W_out, ids, counts, sampler, rng, hp, model, S, share_size, log, bar) -> dict:
    """Run every epoch in place: subsample, cut the examples, one SGD step per batch."""
    step_fn = _skipgram_step if model == "skipgram" else functools.partial(_cbow_step, exact=hp.cbow_update == "exact")
    scale = np.float32(hp.negatives / S) if S is not None else np.float32(1.0)
    words = examples = batches = 0
    rate = hp.lr
    for epoch in range(hp.epochs):
        kept = subsample(ids, counts, hp.t, rng)  # (n_kept,) this epoch's effective words
        words += kept.shape[0]
        cut = skipgram_pairs if model == "skipgram" else cbow_examples
        inputs, targets = cut(kept, hp.window, rng)
        n = targets.shape[0]
        for lo in range(0, n, hp.batch_size):
            hi = min(lo + hp.batch_size, n)
            # Examples are in text order, so the share of examples done is the share of words
            # done: the C tool's linear decay by words processed.
            rate = linear_lr(hp.lr, (epoch + lo / n) / hp.epochs)
            if S is not None:
                noise = sampler.draw((-(-(hi - lo) // share_size), S), rng)  # (G, S)
            else:
                noise = sampler.draw((hi - lo, hp.negatives), rng)  # (B, K)
            want = log.due(batches)
            loss = step_fn(W_in, W_out, inputs[lo:hi], targets[lo:hi], noise, S is not None,
                           np.float32(rate), scale, want)
            if want:
                log.record(loss / (hi - lo), batches, rate)
            batches += 1
        examples += n
        bar.update(1)
        bar.set_postfix(loss=f"{log.values[-1]:.3f}" if log.values else "-")
    return {"words": words, "examples": examples, "batches": batches, "final_lr": rate}
