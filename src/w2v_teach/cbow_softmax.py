"""CBOW with a full softmax: the loss, its gradients, and a minibatch SGD trainer in NumPy.

The model (Mikolov et al. 2013) reads the words around a position and predicts the word in the
middle. For one example with context ids o_1..o_n and centre word c (the book's notation: v_w
is row w of W_in, the input vector; u_w is row w of W_out, the output vector):

    h = (W_in[o_1] + ... + W_in[o_n]) / n        # (dim,)  the average context vector
    z = W_out @ h                                 # (V,)    one score per vocabulary word
    y_hat = softmax(z)                            # (V,)    a distribution over the vocabulary
    loss = -log y_hat[c]                          # cross-entropy with the centre word

and its gradients are delta = y_hat - onehot(c), dW_out = outer(delta, h), dh = W_out.T @ delta,
and each context row receives dh / n. Every step touches all V output rows, which is why this model does
not scale to large vocabularies (chapters 3 and 4 replace the softmax).
"""
from __future__ import annotations

import time
from typing import Sequence

import numpy as np
from threadpoolctl import threadpool_limits

from ._checks import check_float, check_ids, check_int, check_tables
from .sampling import keep_probability, subsample
from .scatter import add_rows
from .training import (LossLog, TrainResult, check_finite_loss, check_hyperparameters, finish, init_matrices,
                       linear_lr, prepare_corpus, progress_bar, run_epochs)
from .windows import cbow_examples

__all__ = ["softmax", "loss_and_grads", "probabilities", "sgd_step", "train"]


def softmax(scores: np.ndarray, axis: int = -1) -> np.ndarray:
    """Return exp(scores) normalised along `axis`, computed stably by subtracting the maximum.

    softmax(s) = softmax(s - c) for any constant c; with c = max(s) every exponent is <= 0, so
    exp never overflows, and the largest term is exactly 1, so the sum is never 0.
    """
    shifted = scores - scores.max(axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)


def _check_batch(W_in, W_out, contexts, targets=None):
    """Validate the model matrices and a batch; return them as arrays (ValueError naming the bad one)."""
    W_in, W_out = check_tables(W_in, W_out)
    V, dim = W_in.shape
    contexts = check_ids("contexts", contexts, V, ndim=2, allow_padding=True)
    if contexts.shape[0] == 0:
        raise ValueError("contexts is an empty batch (0 rows); a batch needs at least one example")
    if contexts.shape[1] == 0:
        raise ValueError(f"contexts must have at least one column (2 * window), got shape {contexts.shape}")
    empty = ~(contexts >= 0).any(axis=1)
    if empty.any():
        raise ValueError(
            f"contexts row {int(np.flatnonzero(empty)[0])} has no real context word (all -1 padding); "
            "every example needs at least one"
        )
    if targets is not None:
        targets = check_ids("targets", targets, V, ndim=1)
        if targets.shape[0] != contexts.shape[0]:
            raise ValueError(
                f"targets has {targets.shape[0]} entries but contexts has {contexts.shape[0]} rows; "
                "they must match (one centre word per example)"
            )
    return W_in, W_out, contexts, targets


def _hidden(W_in: np.ndarray, contexts: np.ndarray):
    """Return the average context vectors h (B, dim), the padding mask (B, C) and the counts (B,)."""
    mask = contexts >= 0  # (B, C) True on real context words
    n_real = mask.sum(axis=1)  # (B,)
    rows = W_in[np.where(mask, contexts, 0)]  # (B, C, dim); padding reads row 0 ...
    rows *= mask[:, :, None]  # ... and is zeroed here
    h = rows.sum(axis=1) / n_real[:, None].astype(W_in.dtype)  # (B, dim)
    return h, mask, n_real


def _forward_backward(W_in: np.ndarray, W_out: np.ndarray, contexts: np.ndarray, targets: np.ndarray):
    """Return loss, dh (B, dim), dW_out (V, dim), the padding mask (B, C) and the counts n (B,); no checks.

    dh is the gradient of the mean loss with respect to each row's average context vector h.
    Each of the row's n real context words receives dh / n (the exact gradient).
    """
    B = contexts.shape[0]
    h, mask, n_real = _hidden(W_in, contexts)  # (B, dim), (B, C), (B,)
    scores = h @ W_out.T  # (B, V)
    scores -= scores.max(axis=1, keepdims=True)  # stable: every exponent <= 0 (as in softmax)
    exp = np.exp(scores)  # (B, V)
    total = exp.sum(axis=1)  # (B,)
    rows = np.arange(B)
    loss = float(np.mean(np.log(total) - scores[rows, targets]))  # log-sum-exp minus the true score
    dscores = exp / total[:, None]  # y_hat, (B, V)
    dscores[rows, targets] -= 1.0  # delta = y_hat - y
    dscores /= B  # the loss is a mean over the batch
    dW_out = dscores.T @ h  # (V, dim)
    dh = dscores @ W_out  # (B, dim)
    return loss, dh, dW_out, mask, n_real


def _exact_share(dh: np.ndarray, n_real: np.ndarray) -> np.ndarray:
    """Divide dh (B, dim) in place by each row's n real context words: the average spreads it evenly."""
    dh /= n_real[:, None].astype(dh.dtype)
    return dh


def loss_and_grads(W_in, W_out, contexts, targets) -> tuple[float, np.ndarray, np.ndarray]:
    """Return the mean CBOW softmax cross-entropy of a batch and its gradients (dW_in, dW_out).

    W_in, W_out: (V, dim) float arrays. contexts: (B, C) int word ids, -1 marks padding; the
    context vector of a row is the average of its real (non-padding) slots. targets: (B,) ids
    of the centre words. The loss is the mean over the B examples; dW_in and dW_out are full
    (V, dim) arrays of the gradient of that mean, in the dtype of the matrices.
    """
    W_in, W_out, contexts, targets = _check_batch(W_in, W_out, contexts, targets)
    loss, dh, dW_out, mask, n_real = _forward_backward(W_in, W_out, contexts, targets)
    ctx_ids, ctx_grads = _context_rows(contexts, mask, _exact_share(dh, n_real))  # (m,), (m, dim)
    dW_in = np.zeros_like(W_in)
    # A word can appear in several slots and several rows of a batch: np.add.at adds every
    # contribution, while dW_in[ctx_ids] += ctx_grads would keep only the last one per word.
    np.add.at(dW_in, ctx_ids, ctx_grads)
    return loss, dW_in, dW_out


def _context_rows(contexts: np.ndarray, mask: np.ndarray, dh: np.ndarray):
    """Return the real context ids (m,), row by row, and the matching rows of dh (m, dim)."""
    return contexts[mask], np.repeat(dh, mask.sum(axis=1), axis=0)


def probabilities(W_in, W_out, contexts, temperature: float = 1.0) -> np.ndarray:
    """Return the model's (B, V) distribution over centre words, softmax(W_out h / temperature)."""
    W_in, W_out, contexts, _ = _check_batch(W_in, W_out, contexts)
    temperature = check_float("temperature", temperature, 0.0)  # NumPy floats too; not bools
    h, _, _ = _hidden(W_in, contexts)
    return softmax((h @ W_out.T) / temperature, axis=1)


def _training_examples(ids: np.ndarray, window: int, rng: np.random.Generator):
    """Return one epoch of shuffled CBOW examples (contexts (n, 2*window), targets (n,))."""
    contexts, targets = cbow_examples(ids, window, rng=rng)
    order = rng.permutation(len(targets))
    return contexts[order], targets[order]


def sgd_step(W_in: np.ndarray, W_out: np.ndarray, contexts: np.ndarray, targets: np.ndarray,
             lr: float, step: int = 0) -> float:
    """Take one SGD step on a batch in place and return the batch loss before the step.

    The arguments are checked as in :func:`loss_and_grads` (the trainer's hot loop calls the
    unchecked ``_sgd_step``); a non-finite loss raises FloatingPointError before the matrices
    are touched.
    """
    W_in, W_out, contexts, targets = _check_batch(W_in, W_out, contexts, targets)
    return _sgd_step(W_in, W_out, contexts, targets, check_float("lr", lr, 0.0), check_int("step", step, 0))


def _sgd_step(W_in, W_out, contexts, targets, lr: float, step: int, cbow_update: str = "exact") -> float:
    """Do :func:`sgd_step` without the argument checks (cbow_update "c_tool": each word gets all of dh)."""
    loss, dh, dW_out, mask, n_real = _forward_backward(W_in, W_out, contexts, targets)
    check_finite_loss(loss, step, lr)
    if cbow_update == "exact":
        _exact_share(dh, n_real)
    W_out -= lr * dW_out
    ids, rows = _context_rows(contexts, mask, dh)
    rows *= -lr
    add_rows(W_in, ids, rows)  # repeated context ids must all count: a scatter-add
    return loss


def train(tokens: Sequence[str], *, dim: int = 50, window: int = 5, epochs: int = 6, lr: float = 20.0,
          batch_size: int = 256, min_count: int = 1, max_size: int | None = 1000, t: float | None = 3e-4,
          seed: int = 0, keep: str = "in", loss_every: int = 20, dtype=np.float32,
          blas_threads: int | None = 1, progress: bool = False,
          held_out: Sequence[str] | None = None, cbow_update: str = "exact") -> TrainResult:
    """Train CBOW with a full softmax by minibatch SGD and return a TrainResult.

    tokens: a flat list of words.
    dim, window, epochs, min_count, seed: as everywhere in the book. Each epoch draws a dynamic
        window (1..`window` per position, as in the C tool) and shuffles the examples.
    lr: the step size on the batch-*mean* gradient, so it must grow with `batch_size`; it decays
        linearly to lr * 1e-4 over the (estimated) steps of all epochs.
    max_size: keep at most this many words (the softmax costs O(V) per example, so keep V small);
        other words are dropped before the windows are cut, as the C tool does.
    t: the subsampling threshold (None: keep every word).
    keep: the embeddings returned: the input matrix "in", the output matrix "out" or "avg".
    loss_every: ``losses`` holds the mean loss per example of every `loss_every`-th batch
        (every batch is checked for divergence: a non-finite loss raises FloatingPointError).
    dtype: float32 or float64 for the matrices.
    blas_threads: BLAS threads while training (None: the default). Each step's products are small
        (batch x dim x V): one thread is about as fast as two on an idle machine and several times
        faster on a busy one, where threads wait for each other.
    progress: show a progress bar over the epochs.
    held_out: optional text the model never trains on (a flat list of words). Its examples are cut
        like the training examples (same vocabulary, subsampling and dynamic window, from their own
        random stream, at most 1024 of them), and their mean loss is computed whenever a training
        loss is logged: ``info["held_out_losses"]``, aligned with ``losses``. Training is the
        same with or without it.
    cbow_update: "exact" (each context word gets 1/n of h's gradient: the gradient this chapter
        derives, and this trainer's default) or "c_tool" (each gets all of it, as the C tool and
        the negative-sampling trainers do by default; with the mean loss it wants a smaller lr).
    """
    hp = check_hyperparameters(dim=dim, window=window, epochs=epochs, lr=lr, t=t, min_count=min_count,
                               max_size=max_size, batch_size=batch_size, seed=seed, keep=keep,
                               loss_every=loss_every, cbow_update=cbow_update)
    blas_threads = None if blas_threads is None else check_int("blas_threads", blas_threads, 1)
    dtype = _check_dtype(dtype)
    vocab, ids = prepare_corpus(tokens, hp.min_count, hp.max_size)
    rng = np.random.default_rng(hp.seed)
    # The C tool's start: small random input vectors, output vectors at zero (so the first
    # prediction is uniform and the first loss is exactly log V).
    W_in, W_out = init_matrices(len(vocab), hp.dim, rng, half_width=0.5, dtype=dtype, draw_dtype=np.float64)
    # The schedule runs over an estimate of all steps (subsampling makes epochs differ a little).
    expected = float(len(ids)) if hp.t is None else float(keep_probability(vocab.counts, hp.t)[ids].sum())
    total_steps = max(1, int(np.ceil(expected / hp.batch_size)) * hp.epochs)
    log = LossLog(hp.loss_every)
    held = None if held_out is None else _held_out_examples(held_out, vocab, hp)
    start = time.perf_counter()
    # Overflow warnings are silenced: a diverging run is caught by check_finite_loss instead.
    with (np.errstate(over="ignore", invalid="ignore"), threadpool_limits(blas_threads, user_api="blas"),
          progress_bar(progress, hp.epochs, "cbow-softmax", "epoch") as bar):
        run = run_epochs(hp.epochs, _examples(ids, vocab.counts, rng, hp), _step(W_in, W_out, hp, held),
                         hp.batch_size, lambda epoch, done, n, batch: linear_lr(hp.lr, min(batch / total_steps, 1.0)),
                         log, bar, hp.lr)
    run["final_lr"] = linear_lr(hp.lr, min(run["batches"] / total_steps, 1.0))  # the rate after the last step
    return finish(vocab, W_in, W_out, log, run, time.perf_counter() - start, keep=hp.keep,
                  info={"model": "cbow", "cbow_update": hp.cbow_update, "loss_every": hp.loss_every,
                        "batch_size": hp.batch_size,
                        **({} if held is None else {"held_out_losses": np.asarray(held[2])})})


def _held_out_examples(tokens, vocab, hp, limit: int = 1024):
    """Return (contexts, targets, []) for up to `limit` held-out examples, or raise ValueError."""
    if isinstance(tokens, str) or not all(isinstance(w, str) for w in tokens):
        raise ValueError("held_out must be a list of words (str), like tokens")
    ids = vocab.encode(list(tokens))  # words outside the vocabulary are dropped
    rng = np.random.default_rng([hp.seed, 1])  # its own stream: training draws are unchanged
    if hp.t is not None:
        ids = subsample(ids, vocab.counts, hp.t, rng)
    if len(ids) < 2:
        raise ValueError(f"held_out has {len(ids)} usable words (after the vocabulary and subsampling); need 2")
    contexts, targets = _training_examples(ids, hp.window, rng)
    return contexts[:limit], targets[:limit], []


def _mean_loss(W_in, W_out, contexts, targets) -> float:
    """Return the mean cross-entropy of a batch, forward pass only."""
    h, _, _ = _hidden(W_in, contexts)
    scores = h @ W_out.T  # (B, V)
    top = scores.max(axis=1)
    log_z = top + np.log(np.exp(scores - top[:, None]).sum(axis=1))
    return float(np.mean(log_z - scores[np.arange(len(targets)), targets]))


def _examples(ids: np.ndarray, counts: np.ndarray, rng: np.random.Generator, hp):
    """Return examples(epoch): subsample, cut the windows and shuffle them (None: too few words left)."""
    def examples(epoch: int):
        epoch_ids = ids if hp.t is None else subsample(ids, counts, hp.t, rng)
        if len(epoch_ids) < 2:
            return None
        contexts, targets = _training_examples(epoch_ids, hp.window, rng)
        return contexts, targets, len(targets)
    return examples


def _step(W_in, W_out, hp, held=None):
    """Return step(contexts, targets, lr, want_loss) -> the batch's mean loss: one SGD step, and the
    held-out loss after it whenever the training loss is logged."""
    count = 0

    def step(contexts, targets, lr, want):
        nonlocal count
        loss = _sgd_step(W_in, W_out, contexts, targets, lr, count, hp.cbow_update)
        count += 1
        if want and held is not None:  # the held-out loss after this step
            held[2].append(_mean_loss(W_in, W_out, held[0], held[1]))
        return loss
    return step


def _check_dtype(dtype) -> np.dtype:
    """Return `dtype` as float32 or float64, or raise ValueError naming it."""
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise ValueError(f"dtype must be float32 or float64, got {dtype!r}") from None
    if dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"dtype must be float32 or float64, got {dtype}")
    return dtype
