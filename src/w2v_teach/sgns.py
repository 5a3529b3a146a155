"""Skip-gram with negative sampling (SGNS) in NumPy: the loss, its gradients, and a fast trainer.

For a centre word c, one of its context words o and K noise words k_1..k_K, the per-pair loss
is (Mikolov et al. 2013b)

    -log sigma(u_o . v_c) - sum_k log sigma(-u_k . v_c)

where v = rows of the input matrix W_in and u = rows of the output matrix W_out.
:func:`loss_and_grads` is that loss averaged over a batch of pairs, with its exact gradients;
the chapter checks it against finite differences. It lives, with the fast steps, in
:mod:`w2v_teach.negative_sampling` (the output layer); this module is the trainer.

The update that :func:`train` runs is one call of :func:`w2v_teach.inputs.update` a batch: form
h (skip-gram: the centre rows; CBOW: the context averages), take the negative-sampling step of
the output rows (:func:`w2v_teach.negative_sampling.shared_step`, or ``per_example_step`` with
``shared_negatives=None``), then spread h's step to the input rows. The epoch loop is
:func:`w2v_teach.training.run_epochs`, shared by every NumPy trainer.

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
from typing import Callable, Sequence

import numpy as np
from threadpoolctl import threadpool_limits

from . import inputs as inputs_
from . import negative_sampling
from ._checks import check_float, check_int
from .negative_sampling import log_sigmoid, loss_and_grads  # noqa: F401  (aliases, w2v_teach.ALIASES)
from .sampling import NegativeSampler, noise_distribution
from .scatter import scatter_add  # noqa: F401  (an alias, w2v_teach.ALIASES)
from .training import (LossLog, TrainResult, finish, init_matrices, model_hyperparameters, prepare_corpus,
                       progress_bar, run_epochs, text_examples, words_schedule)

__all__ = ["train"]  # log_sigmoid, loss_and_grads, scatter_add: aliases (w2v_teach.ALIASES)


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
    step = _step(W_in, W_out, sampler, rng, hp, S, share_size)
    start = time.perf_counter()
    # Overflow in exp is harmless here (sigma becomes exactly 0 or 1); divergence is caught by the log.
    with (np.errstate(over="ignore", invalid="ignore"), threadpool_limits(blas_threads, user_api="blas"),
          progress_bar(progress, hp.epochs, f"sgns-{model}", "epoch") as bar):
        run = run_epochs(hp.epochs, text_examples(ids, vocab.counts, rng, hp), step, hp.batch_size,
                         words_schedule(hp.lr, hp.epochs), log, bar, hp.lr)
    return finish(vocab, W_in, W_out, log, run, time.perf_counter() - start, keep=hp.keep,
                  info={"model": model, "cbow_update": hp.cbow_update, "batch_size": hp.batch_size,
                        "loss_every": hp.loss_every, "shared_negatives": S, "share_size": share_size,
                        "negatives": hp.negatives, "setup_seconds": setup_seconds})


def _optional_int(name: str, value) -> int | None:
    """Return None, or `value` checked as an integer >= 1."""
    return None if value is None else check_int(name, value, 1)


def _step(W_in, W_out, sampler: NegativeSampler, rng: np.random.Generator, hp, S: int | None,
          share_size: int) -> Callable:
    """Return step(inputs, targets, lr, want_loss) -> mean loss or None: one SGD step of a batch.

    It draws the batch's noise words (S per group of `share_size` examples, or K per example
    when S is None) and runs :func:`w2v_teach.inputs.update` with the negative-sampling layer.
    """
    scale = np.float32(hp.negatives / S) if S is not None else np.float32(1.0)

    def step(inputs, targets, lr, want):
        B, lr = targets.shape[0], np.float32(lr)
        if S is not None:
            noise = sampler.draw((-(-B // share_size), S), rng)  # (G, S)
            layer = negative_sampling.shared_step
        else:
            noise = sampler.draw((B, hp.negatives), rng)  # (B, K)
            layer = negative_sampling.per_example_step
        loss = inputs_.update(W_in, inputs, hp.model, lambda h: layer(W_out, h, targets, noise, lr, scale, want),
                              hp.cbow_update)
        return None if loss is None else loss / B
    return step
