"""Skip-gram with negative sampling on sentences: sessions of items, random walks on a graph.

:func:`w2v_teach.sgns.train` reads one flat token list and cuts its windows across everything, so
two shopping sessions laid end to end would make pairs of items that were never bought together.
This trainer takes a list of *sentences* (sessions, walks) and only pairs words of the same
sentence: every pair (a, b) with a != b position and distance at most `window`; ``window=None``
makes the whole sentence the window, the item2vec recipe of Barkan and Koenigstein (2016), where a
basket has no order. The SGD step is the book's own (:func:`w2v_teach.inputs.update` with
:func:`w2v_teach.negative_sampling.shared_step`: batch-shared noise words; the epoch loop of
:func:`w2v_teach.training.run_epochs` with the C tool's linear learning-rate decay), and the pairs of an epoch are
shuffled, because sessions have no text order worth keeping and a shuffle keeps a popular item
from filling one batch. Frequent items are subsampled per epoch with the C tool's formula (t).
"""
from __future__ import annotations

import time
from typing import Callable, Sequence

import numpy as np
from threadpoolctl import threadpool_limits

from ._checks import check_float, check_int
from .inputs import update
from .negative_sampling import shared_step
from .sampling import NegativeSampler, keep_probability, noise_distribution
from .text import Vocab
from .training import (DEFAULT_LR, LossLog, TrainResult, check_hyperparameters, check_trainable, finish,
                       init_matrices, progress_bar, run_epochs, words_schedule)

__all__ = ["sentence_pairs", "train"]

_HINT = (", or a smaller batch_size: with few distinct items, an item in m pairs of a batch moves "
         "m steps at once, all computed before the batch")


def _flatten(sentences):
    """Return (tokens, sentence index of each token) of a list of token lists."""
    tokens, owner = [], []
    for i, s in enumerate(sentences):
        if isinstance(s, str):
            raise ValueError(f"sentence {i} is a str; each sentence must be a list of tokens")
        tokens.extend(s)
        owner.extend([i] * len(s))
    if not tokens:
        raise ValueError("sentences is empty; training needs at least one token")
    return tokens, np.asarray(owner, dtype=np.int64)


def sentence_pairs(ids, owner, window: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Return (centers, contexts): both directions of every pair of positions at distance
    1..window that belong to the same sentence (`owner` gives each position's sentence).

    window=None: any distance (the whole sentence). Positions of a sentence must be contiguous.
    """
    ids, owner = np.asarray(ids, dtype=np.int64), np.asarray(owner, dtype=np.int64)
    if ids.shape != owner.shape or ids.ndim != 1:
        raise ValueError(f"ids and owner must be 1-D of the same length, got {ids.shape} and {owner.shape}")
    if owner.size > 1 and (np.diff(owner) < 0).any():
        raise ValueError("owner must be sorted: the positions of a sentence must be contiguous")
    longest = int(np.bincount(owner).max()) if owner.size else 0
    reach = longest - 1 if window is None else min(check_int("window", window, 1), longest - 1)
    left, right = [], []
    for d in range(1, reach + 1):
        same = owner[d:] == owner[:-d]  # (n - d,) both ends in one sentence
        left.append(ids[:-d][same])
        right.append(ids[d:][same])
    a = np.concatenate(left) if left else np.zeros(0, np.int64)
    b = np.concatenate(right) if right else np.zeros(0, np.int64)
    return np.concatenate([a, b]), np.concatenate([b, a])


def train(sentences: Sequence[Sequence[str]], *, dim: int = 32, window: int | None = None, negatives: int = 5,
          epochs: int = 5, lr: float | None = None, t: float | None = None, min_count: int = 1, seed: int = 0,
          keep: str = "in", batch_size: int = 256, shared_negatives: int = 32, share_size: int = 64,
          noise_power: float = 0.75, loss_every: int = 8, blas_threads: int | None = 1,
          progress: bool = False) -> TrainResult:
    """Train SGNS on pairs inside sentences (item2vec, DeepWalk); return a TrainResult.

    sentences: a list of token lists. window: the largest distance of a pair inside a sentence
    (None: the whole sentence, as item2vec). Other arguments as :func:`w2v_teach.sgns.train`;
    pairs are shuffled every epoch, so `batch_size` consecutive pairs come from all over the data.
    Noise words are always shared by groups of `share_size` pairs (S = `shared_negatives`).
    """
    hp = check_hyperparameters(dim=dim, window=window, negatives=negatives, epochs=epochs,
                               lr=DEFAULT_LR["skipgram"] if lr is None else lr, t=t, min_count=min_count,
                               seed=seed, keep=keep, loss_every=loss_every, batch_size=batch_size)
    noise_power = check_float("noise_power", noise_power)
    S = check_int("shared_negatives", shared_negatives, 1)
    share_size = check_int("share_size", share_size, 1)
    blas_threads = None if blas_threads is None else check_int("blas_threads", blas_threads, 1)
    tokens, owner = _flatten(sentences)
    vocab = Vocab.build(tokens, min_count=hp.min_count)
    known = np.array([w in vocab for w in tokens], dtype=bool)
    ids, owner = vocab.encode([w for w, k in zip(tokens, known) if k]), owner[known]
    check_trainable(len(ids), len(vocab), hp.min_count)
    rng = np.random.default_rng(hp.seed)
    W_in, W_out = init_matrices(len(vocab), hp.dim, rng)
    sampler = NegativeSampler(noise_distribution(vocab.counts, noise_power))
    log, start = LossLog(hp.loss_every, hint=_HINT), time.perf_counter()
    step = _step(W_in, W_out, sampler, rng, np.float32(hp.negatives / S), S, share_size)
    with (np.errstate(over="ignore", invalid="ignore"), threadpool_limits(blas_threads, user_api="blas"),
          progress_bar(progress, hp.epochs, "item2vec", "epoch") as bar):
        run = run_epochs(hp.epochs, _examples(ids, owner, vocab.counts, rng, hp), step, hp.batch_size,
                         words_schedule(hp.lr, hp.epochs), log, bar, hp.lr)
    return finish(vocab, W_in, W_out, log, run, time.perf_counter() - start, keep=hp.keep,
                  info={"model": "item2vec", "window": hp.window, "batch_size": hp.batch_size,
                        "shared_negatives": S, "share_size": share_size})


def _examples(ids: np.ndarray, owner: np.ndarray, counts: np.ndarray, rng: np.random.Generator, hp) -> Callable:
    """Return examples(epoch): subsample (keeping each token's sentence), pair inside sentences, shuffle."""
    def examples(epoch: int):
        if hp.t is None:
            kept_ids, kept_owner = ids, owner
        else:
            mask = rng.random(ids.shape[0]) < keep_probability(counts, hp.t)[ids]  # the C tool's rule
            kept_ids, kept_owner = ids[mask], owner[mask]
        centers, contexts = sentence_pairs(kept_ids, kept_owner, hp.window)
        order = rng.permutation(centers.shape[0])
        return centers[order], contexts[order], kept_ids.shape[0]
    return examples


def _step(W_in, W_out, sampler: NegativeSampler, rng: np.random.Generator, scale, S: int, share_size: int) -> Callable:
    """Return step(centers, contexts, lr, want_loss) -> mean loss or None: one skip-gram SGD step with
    S noise words shared by each group of `share_size` pairs (:func:`w2v_teach.inputs.update`)."""
    def step(centers, contexts, lr, want):
        noise = sampler.draw((-(-centers.shape[0] // share_size), S), rng)  # (groups, S)
        loss = update(W_in, centers, "skipgram",
                      lambda h: shared_step(W_out, h, contexts, noise, np.float32(lr), scale, want))
        return None if loss is None else loss / centers.shape[0]
    return step
