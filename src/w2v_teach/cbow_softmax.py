"""CBOW with a full softmax: the loss, its gradients, and a minibatch SGD trainer in NumPy.

The model (Mikolov et al. 2013) reads the words around a position and predicts the word in the
middle. For one example with context ids c_1..c_n and centre word t:

    h = (W_in[c_1] + ... + W_in[c_n]) / n        # (dim,)  the average context vector
    s = W_out @ h                                 # (V,)    one score per vocabulary word
    p = softmax(s)                                # (V,)    a distribution over the vocabulary
    loss = -log p[t]                              # cross-entropy with the centre word

and its gradients are ds = p - onehot(t), dW_out = outer(ds, h), dh = W_out.T @ ds, and each
context row receives dh / n. Every step touches all V output rows, which is why this model does
not scale to large vocabularies (chapters 3 and 4 replace the softmax).
"""
from __future__ import annotations

import time
from typing import Sequence

import numpy as np
from scipy import sparse
from threadpoolctl import threadpool_limits

from ._checks import check_bool, check_choice, check_float, check_ids, check_int, check_matrix
from .text import Vocab
from .training import TrainResult, check_finite_loss, check_hyperparameters, linear_lr, make_result

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
    W_in = check_matrix("W_in", W_in)
    V, dim = W_in.shape
    W_out = check_matrix("W_out", W_out)
    if W_out.shape != (V, dim):
        raise ValueError(f"W_out must have the shape of W_in {W_in.shape}, got {W_out.shape}")
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
    """Return loss, dh (B, dim), dW_out (V, dim) and the padding mask (B, C); no checks.

    dh is the gradient of the mean loss with respect to each row's average context vector,
    already divided by the row's number of real context words: it is what each of those
    words' input vectors receives. Scattering it into W_in is left to the caller.
    """
    B = contexts.shape[0]
    h, mask, n_real = _hidden(W_in, contexts)  # (B, dim), (B, C), (B,)
    scores = h @ W_out.T  # (B, V)
    scores -= scores.max(axis=1, keepdims=True)  # stable: every exponent <= 0
    exp = np.exp(scores)  # (B, V)
    total = exp.sum(axis=1)  # (B,)
    rows = np.arange(B)
    loss = float(np.mean(np.log(total) - scores[rows, targets]))
    dscores = exp / total[:, None]  # p, (B, V)
    dscores[rows, targets] -= 1.0  # p - y
    dscores /= B  # the loss is a mean over the batch
    dW_out = dscores.T @ h  # (V, dim)
    dh = dscores @ W_out  # (B, dim)
    dh /= n_real[:, None].astype(dh.dtype)  # the average spreads dh evenly over the n real slots
    return loss, dh, dW_out, mask


def _scatter_sparse(vocab_size: int, contexts: np.ndarray, mask: np.ndarray, dh: np.ndarray) -> np.ndarray:
    """Return the (V, dim) input gradient as a sparse (V, B) x dense (B, dim) product.

    S[v, b] counts how often word v sits in the real context of example b, so S @ dh adds
    every slot's share - repeats included - in one compiled call. Equal to the np.add.at
    scatter of loss_and_grads, and several times faster (np.add.at loops row by row).
    """
    B = contexts.shape[0]
    ids = contexts[mask]  # (m,) real context ids, row by row
    rows = np.broadcast_to(np.arange(B)[:, None], contexts.shape)[mask]  # (m,) their example
    S = sparse.csr_matrix((np.ones(len(ids), dtype=dh.dtype), (ids, rows)), shape=(vocab_size, B))
    return np.asarray(S @ dh)  # duplicates in (ids, rows) are summed by csr_matrix


def loss_and_grads(W_in, W_out, contexts, targets) -> tuple[float, np.ndarray, np.ndarray]:
    """Return the mean CBOW softmax cross-entropy of a batch and its gradients (dW_in, dW_out).

    W_in, W_out: (V, dim) float arrays. contexts: (B, C) int word ids, -1 marks padding; the
    context vector of a row is the average of its real (non-padding) slots. targets: (B,) ids
    of the centre words. The loss is the mean over the B examples; dW_in and dW_out are full
    (V, dim) arrays of the gradient of that mean, in the dtype of the matrices.
    """
    W_in, W_out, contexts, targets = _check_batch(W_in, W_out, contexts, targets)
    loss, dh, dW_out, mask = _forward_backward(W_in, W_out, contexts, targets)
    ctx_ids = contexts[mask]  # (m,) the real context ids, row by row
    ctx_grads = np.repeat(dh, mask.sum(axis=1), axis=0)  # (m, dim) the matching rows of dh
    dW_in = np.zeros_like(W_in)
    # A word can appear in several slots and several rows of a batch: np.add.at adds every
    # contribution, while dW_in[ctx_ids] += ctx_grads would keep only the last one per word.
    np.add.at(dW_in, ctx_ids, ctx_grads)
    return loss, dW_in, dW_out


def probabilities(W_in, W_out, contexts, temperature: float = 1.0) -> np.ndarray:
    """Return the model's (B, V) distribution over centre words, softmax(W_out h / temperature)."""
    W_in, W_out, contexts, _ = _check_batch(W_in, W_out, contexts)
    temperature = check_float("temperature", temperature, 0.0)  # NumPy floats too; not bools
    h, _, _ = _hidden(W_in, contexts)
    return softmax((h @ W_out.T) / temperature, axis=1)


def _training_examples(ids: np.ndarray, window: int, rng: np.random.Generator):
    """Return one epoch of shuffled CBOW examples (contexts (n, 2*window), targets (n,))."""
    from .windows import cbow_examples  # a leaf import: windows is only needed for training

    contexts, targets = cbow_examples(ids, window, rng=rng)
    order = rng.permutation(len(targets))
    return contexts[order], targets[order]


def sgd_step(W_in: np.ndarray, W_out: np.ndarray, contexts: np.ndarray, targets: np.ndarray,
             lr: float, step: int = 0) -> float:
    """Take one SGD step on a batch in place and return the batch loss before the step.

    No input checks (the trainer's hot loop); a non-finite loss raises FloatingPointError
    before the matrices are touched.
    """
    loss, dh, dW_out, mask = _forward_backward(W_in, W_out, contexts, targets)
    check_finite_loss(loss, step, lr)
    W_out -= lr * dW_out
    # Repeated context ids must all count: a scatter-add, done as a sparse product.
    W_in -= lr * _scatter_sparse(W_in.shape[0], contexts, mask, dh)
    return loss


def train(
    tokens: Sequence[str],
    *,
    dim: int = 50,
    window: int = 5,
    epochs: int = 6,
    lr: float = 20.0,
    batch_size: int = 256,
    min_count: int = 1,
    max_size: int | None = 1000,
    t: float | None = 3e-4,
    seed: int = 0,
    keep: str = "in",
    report_every: int = 20,
    dtype=np.float32,
    blas_threads: int | None = 1,
    progress: bool = False,
) -> TrainResult:
    """Train CBOW with a full softmax by minibatch SGD and return a TrainResult.

    tokens: a flat list of words. The vocabulary keeps words seen `min_count` times, at most
    `max_size` of them (the softmax costs O(V) per example, so keep V small); other words are
    dropped before the windows are cut, as the C tool does. Each epoch draws a dynamic window
    (1..`window` per position, as in the C tool), optionally subsamples frequent words with
    threshold `t`, and shuffles the examples. The learning rate decays linearly from `lr` to
    almost 0. `lr` is the step size on the batch-*mean* gradient, so it must grow with
    `batch_size`. `keep` picks the embeddings: the input matrix ("in"), the output matrix
    ("out") or their average ("avg"); both matrices are in the result. `losses` holds the mean
    loss over each block of `report_every` steps. A non-finite loss raises FloatingPointError.

    `blas_threads` caps the BLAS threads while training (None: leave the default). Each step's
    matrix products are small (batch x dim x V), so one thread is about as fast as two on an idle
    machine and several times faster on a busy one, where threads wait for each other.
    """
    params = check_hyperparameters(dim=dim, window=window, epochs=epochs, lr=lr, t=t,
                                   min_count=min_count, batch_size=batch_size, max_size=max_size)
    dim, window, epochs, lr = params["dim"], params["window"], params["epochs"], params["lr"]
    batch_size, t = params["batch_size"], params["t"]
    if params["max_size"] is not None:
        check_int("max_size", params["max_size"], 1)
    seed = check_int("seed", seed, 0)
    report_every = check_int("report_every", report_every, 1)
    if blas_threads is not None:
        blas_threads = check_int("blas_threads", blas_threads, 1)
    check_choice("keep", keep, {"in", "out", "avg"})
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise ValueError(f"dtype must be float32 or float64, got {dtype!r}") from None
    if dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"dtype must be float32 or float64, got {dtype}")
    if isinstance(tokens, str):
        raise ValueError("tokens must be a list of words, got a single str (tokenize it first)")
    tokens = list(tokens)
    if not tokens:
        raise ValueError("tokens is empty; training needs a corpus")

    vocab = Vocab.build(tokens, min_count=params["min_count"], max_size=params["max_size"])
    ids = vocab.encode(tokens, oov="skip")
    if len(vocab) < 2 or len(ids) < 2:
        raise ValueError(
            f"the corpus is too small to train on: {len(ids)} tokens and {len(vocab)} words in the vocabulary"
        )

    rng = np.random.default_rng(seed)
    V = len(vocab)
    # The C tool's start: small random input vectors, output vectors at zero (so the first
    # prediction is uniform and the first loss is exactly log V).
    W_in = ((rng.random((V, dim)) - 0.5) / dim).astype(dtype)
    W_out = np.zeros((V, dim), dtype=dtype)

    # An estimate of the total number of steps for the learning-rate schedule (with subsampling
    # the epochs differ in length); progress is clipped at 1.
    expected = float(len(ids))
    if t is not None:
        from .sampling import keep_probability, subsample  # needed only when subsampling

        expected = float(keep_probability(vocab.counts, t)[ids].sum())
    total_steps = max(1, int(np.ceil(expected / batch_size)) * epochs)

    bar = None
    if check_bool("progress", progress):
        from tqdm.auto import tqdm

        bar = tqdm(total=total_steps, desc="cbow-softmax", unit="batch")

    losses: list[float] = []
    block: list[float] = []
    step = 0
    words = 0
    start = time.perf_counter()
    try:
        # Overflow warnings are silenced: a diverging run is caught by check_finite_loss instead.
        with np.errstate(over="ignore", invalid="ignore"), threadpool_limits(blas_threads, user_api="blas"):
            for _ in range(epochs):
                epoch_ids = ids if t is None else subsample(ids, vocab.counts, t, rng)
                if len(epoch_ids) < 2:
                    continue
                contexts, targets = _training_examples(epoch_ids, window, rng)
                for lo in range(0, len(targets), batch_size):
                    ctx, tgt = contexts[lo:lo + batch_size], targets[lo:lo + batch_size]
                    rate = linear_lr(lr, min(step / total_steps, 1.0))
                    block.append(sgd_step(W_in, W_out, ctx, tgt, rate, step))
                    if len(block) == report_every:
                        losses.append(float(np.mean(block)))
                        block = []
                    step += 1
                    words += len(tgt)
                    if bar is not None:
                        bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    if block:
        losses.append(float(np.mean(block)))
    seconds = time.perf_counter() - start

    return make_result(
        vocab, W_in, W_out, losses, words, seconds, keep=keep,
        info={"steps": step, "report_every": report_every, "batch_size": batch_size,
              "final_lr": linear_lr(lr, min(step / total_steps, 1.0))},
    )
