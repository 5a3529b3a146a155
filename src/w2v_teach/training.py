"""What every trainer shares, written once: the scaffold around each algorithm.

- :func:`prepare_corpus`: tokens -> vocabulary -> ids, with the same checks and errors everywhere;
- :func:`check_hyperparameters`: the shared keywords (dim, window, ..., seed) validated by name;
- :func:`linear_lr`: the C tool's learning-rate schedule;
- :class:`LossLog`: the training loss, with one meaning in every trainer, and the divergence check;
- :func:`progress_bar`: an optional tqdm bar that is always closed;
- :func:`init_matrices`: the C tool's start (small random input vectors, output vectors at zero);
- :class:`TrainResult` and :func:`make_result`: what every trainer returns.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Callable, Iterable, Iterator

import numpy as np

from ._checks import check_bool, check_choice, check_float, check_int
from .embeddings import Embeddings
from .sampling import subsample
from .text import Vocab
from .windows import cbow_examples, skipgram_pairs

MODELS = ("skipgram", "cbow")
# The C tool's learning rates for negative sampling (its -alpha default: 0.025 skip-gram, 0.05 CBOW).
DEFAULT_LR = {"skipgram": 0.025, "cbow": 0.05}
# Examples per step in the negative-sampling trainers: about 300 words of text in both models
# (skip-gram makes about 6 pairs per word with window 5, CBOW one example per word).
DEFAULT_BATCH = {"skipgram": 2048, "cbow": 256}
KEEP = ("in", "out", "avg")
# CBOW's update of the context words: the C tool's (each gets h's whole step) or the exact gradient
# of the average (each gets 1/n of it). The same keyword and default in every CBOW trainer.
CBOW_UPDATES = ("c_tool", "exact")


@dataclass
class TrainResult:
    """What a trainer returns: the embeddings and the record of how training went.

    ``info`` keys that every trainer of ours with an SGD loop fills (:func:`finish`): "model",
    "batches", "final_lr" (the rate of the last step), "loss_every", "batch_size", "keep", and
    "cbow_update" where CBOW can be trained; the NumPy loop adds "examples". ``W_out`` is the
    (V, dim) output table, except for hierarchical softmax ((V - 1, dim) inner nodes), Spark (empty)
    and counting (the SVD's context side).
    """

    embeddings: Embeddings  # the vectors a chapter evaluates (by default the input matrix)
    losses: np.ndarray  # the LossLog: mean loss per example of every info["loss_every"]-th batch
    words_per_second: float  # effective training words (after subsampling) per second
    W_in: np.ndarray  # (V, dim) input ("centre"/"context") vectors
    W_out: np.ndarray  # (V, dim) output vectors
    seconds: float = 0.0  # wall-clock training time
    words_trained: int = 0  # effective training words seen over all epochs
    vocab: Vocab | None = None  # the vocabulary the ids refer to (with counts)
    info: dict = field(default_factory=dict)  # trainer-specific extras (lr schedule, ...)


_RULES = {
    # name: (kind, minimum, strict); None always passes (no subsampling, no limit, the default)
    "dim": ("int", 1, False),
    "window": ("int", 1, False),
    "negatives": ("int", 1, False),
    "epochs": ("int", 1, False),
    "min_count": ("int", 0, False),
    "max_size": ("int", 1, False),
    "batch_size": ("int", 1, False),
    "seed": ("int", 0, False),
    "loss_every": ("int", 1, False),
    "lr": ("float", 0.0, True),
    "t": ("float", 0.0, True),
}


_CHOICES = {"keep": KEEP, "cbow_update": CBOW_UPDATES}


def check_hyperparameters(**params) -> SimpleNamespace:
    """Validate the shared hyperparameters by name (dim, window, ..., seed); return them cleaned.

    Returns a namespace (``hp.dim``); `t=None` (no subsampling), `max_size=None` and names
    without a rule pass through unchanged. `keep` must be "in", "out" or "avg", `cbow_update`
    "c_tool" or "exact".
    """
    clean = {}
    for name, value in params.items():
        if name in _CHOICES:
            clean[name] = check_choice(name, value, set(_CHOICES[name]))
        elif value is None or name not in _RULES:
            clean[name] = value
        elif _RULES[name][0] == "int":
            clean[name] = check_int(name, value, _RULES[name][1])
        else:
            clean[name] = check_float(name, value, _RULES[name][1], strict=_RULES[name][2])
    return SimpleNamespace(**clean)


def model_hyperparameters(model: str, *, lr: float | None, batch_size: int | None,
                          default_batch: dict | None = None, **params) -> SimpleNamespace:
    """Validate `model` and the shared hyperparameters; fill lr and batch_size from the model's defaults.

    lr None: the C tool's rate for the model (:data:`DEFAULT_LR`); batch_size None: the model's
    entry of `default_batch` (default :data:`DEFAULT_BATCH`). Returns the namespace of
    :func:`check_hyperparameters` with ``hp.model`` added.
    """
    model = check_choice("model", model, set(MODELS))
    batches = DEFAULT_BATCH if default_batch is None else default_batch
    hp = check_hyperparameters(lr=DEFAULT_LR[model] if lr is None else lr,
                               batch_size=batches[model] if batch_size is None else batch_size, **params)
    hp.model = model
    return hp


def check_tokens(tokens: Iterable[str]) -> list[str]:
    """Return `tokens` as a list of words; ValueError for a bare str or an empty corpus."""
    if isinstance(tokens, str):
        raise ValueError("tokens must be a list of words, got a single str (tokenize it first)")
    tokens = tokens if isinstance(tokens, list) else list(tokens)
    if not tokens:
        raise ValueError("tokens is empty; training needs a corpus")
    return tokens


def prepare_corpus(tokens: Iterable[str], min_count: int, max_size: int | None = None) -> tuple[Vocab, np.ndarray]:
    """Return the vocabulary of `tokens` and the ids of the tokens it keeps (others dropped).

    Words seen fewer than `min_count` times (or beyond the `max_size` most frequent) are removed
    before any window is cut, as in the C tool. Raises ValueError when fewer than two words or
    two tokens remain, the least a trainer needs.
    """
    tokens = check_tokens(tokens)
    vocab = Vocab.build(tokens, min_count=min_count, max_size=max_size)
    ids = vocab.encode(tokens, oov="skip")
    check_trainable(len(ids), len(vocab), min_count)
    return vocab, ids


def check_trainable(n_tokens: int, n_words: int, min_count: int) -> None:
    """Raise ValueError (the one "too small" message) unless 2 tokens and 2 words are left to train on."""
    if n_words < 2 or n_tokens < 2:
        raise ValueError(f"the corpus is too small to train on: {n_tokens} tokens and {n_words} "
                         f"word(s) in the vocabulary after min_count={min_count}; training needs "
                         "at least 2 of each (lower min_count or use more text)")


def init_matrices(V: int, dim: int, rng: np.random.Generator, half_width: float = 1.0,
                  dtype=np.float32, draw_dtype=None) -> tuple[np.ndarray, np.ndarray]:
    """Return (W_in, W_out): W_in uniform in [-half_width/dim, half_width/dim), W_out zeros.

    The C tool starts W_in in [-0.5/dim, 0.5/dim) and W_out at zero; gensim 4 and the book's
    negative-sampling trainers use [-1/dim, 1/dim) (half_width=1), which leaves the saddle at
    zero a little sooner. The uniform numbers are drawn in `draw_dtype` (default `dtype`).
    """
    W_in = rng.random((V, dim), dtype=draw_dtype or dtype)
    W_in *= 2.0 * half_width
    W_in -= half_width
    W_in /= dim
    return W_in.astype(dtype, copy=False), np.zeros((V, dim), dtype=dtype)


def linear_lr(lr0: float, progress: float, min_fraction: float = 1e-4) -> float:
    """Return the learning rate after `progress` (0..1) of training, decayed linearly as in the
    C tool: lr0 * (1 - progress), never below lr0 * min_fraction."""
    return lr0 * max(1.0 - progress, min_fraction)


def check_finite_loss(loss: float, step: int, lr: float, hint: str = "") -> float:
    """Return `loss` as a float, or raise FloatingPointError naming the step and lr (training diverged)."""
    if not np.isfinite(loss):
        raise FloatingPointError(
            f"the training loss became {loss} at step {step} (learning rate {lr:g}); "
            f"training diverged - try a smaller lr{hint}"
        )
    return float(loss)


class LossLog:
    """The training loss of a run, with the same meaning in every trainer.

    Value i is the mean loss per example of batch ``i * every`` (batches 0, every, 2 every,
    ...): a sample of the batches, because computing the loss costs time. Single batches are
    noisy; smooth the curve to read it (``plotting.plot_losses``). Every recorded value is also
    the divergence check: a NaN or infinite loss raises FloatingPointError.
    """

    def __init__(self, every: int, hint: str = "") -> None:
        self.every = check_int("loss_every", every, 1)
        self.hint = hint
        self.values: list[float] = []

    def due(self, batch: int) -> bool:
        """Return whether the loss of `batch` is to be computed and recorded."""
        return batch % self.every == 0

    def record(self, loss_per_example: float, batch: int, lr: float) -> None:
        """Append the loss of `batch`, or raise FloatingPointError if it is not finite."""
        self.values.append(check_finite_loss(loss_per_example, batch, lr, self.hint))

    def array(self) -> np.ndarray:
        """Return the recorded losses as a float64 array."""
        return np.asarray(self.values, dtype=np.float64)


class NoBar:
    """Stands in for a tqdm bar when progress is off (or inside a worker process)."""

    def update(self, n: float = 1) -> None:
        """Do nothing."""

    def set_postfix(self, **kwargs) -> None:
        """Do nothing."""


@contextmanager
def progress_bar(progress: bool, total: float, desc: str, unit: str) -> Iterator:
    """Yield a tqdm bar when `progress` is True (else a stand-in), closed whatever happens."""
    if not check_bool("progress", progress):
        yield NoBar()
        return
    from tqdm.auto import tqdm

    bar = tqdm(total=total, desc=desc, unit=unit)
    try:
        yield bar
    finally:
        bar.close()


def vectors_to_keep(W_in: np.ndarray, W_out: np.ndarray, keep: str = "in") -> np.ndarray:
    """Return the embedding matrix a trainer hands back: the input vectors ("in"), the output
    vectors ("out") or their average ("avg")."""
    check_choice("keep", keep, set(KEEP))
    if keep == "in":
        return W_in
    if keep == "out":
        return W_out
    return (W_in + W_out) / 2


def make_result(vocab: Vocab, W_in: np.ndarray, W_out: np.ndarray, losses, words: int,
                seconds: float, keep: str = "in", info: dict | None = None) -> TrainResult:
    """Package a finished run: embeddings of the kept matrix, losses, and words per second."""
    return TrainResult(
        embeddings=Embeddings(vocab.words, vectors_to_keep(W_in, W_out, keep), counts=vocab.counts),
        losses=np.asarray(losses, dtype=np.float64),
        words_per_second=words / seconds if seconds > 0 else float("inf"),
        W_in=W_in,
        W_out=W_out,
        seconds=seconds,
        words_trained=words,
        vocab=vocab,
        info=dict(info or {}, keep=keep),
    )


def finish(vocab: Vocab, W_in: np.ndarray, W_out: np.ndarray, log: LossLog, run: dict, seconds: float,
           keep: str = "in", info: dict | None = None) -> TrainResult:
    """End a run: check that the tables are finite, then package the result (:func:`make_result`).

    run: the epoch loop's record, with "words" (effective words trained), "batches" and
    "final_lr"; its other entries join `info`. Non-finite tables raise FloatingPointError naming
    the last step, the learning rate and the log's hint, as a non-finite loss does: a run that
    diverged between two logged losses cannot return silently, whichever trainer ran it.
    """
    if not (np.isfinite(W_in).all() and np.isfinite(W_out).all()):
        log.record(float("nan"), run["batches"], run["final_lr"])
    extra = {k: v for k, v in run.items() if k != "words"}
    return make_result(vocab, W_in, W_out, log.array(), run["words"], seconds, keep=keep,
                       info={**(info or {}), **extra})


def text_examples(ids: np.ndarray, counts: np.ndarray, rng: np.random.Generator, hp) -> Callable:
    """Return examples(epoch) for :func:`run_epochs`: subsample the ids (threshold ``hp.t``), then cut
    skip-gram pairs or CBOW windows (``hp.model``, dynamic ``hp.window``) in text order."""
    cut = skipgram_pairs if hp.model == "skipgram" else cbow_examples

    def examples(epoch: int):
        kept = subsample(ids, counts, hp.t, rng)  # (n_kept,) this epoch's effective words
        inputs, targets = cut(kept, hp.window, rng)
        return inputs, targets, kept.shape[0]
    return examples


def words_schedule(lr0: float, epochs: int) -> Callable[[int, int, int, int], float]:
    """Return the C tool's schedule by words done: lr0 decays linearly over the epochs' examples."""
    return lambda epoch, done, n, batch: linear_lr(lr0, (epoch + done / n) / epochs)


def run_epochs(epochs: int, examples: Callable, step: Callable, batch_size: int, schedule: Callable,
               log: LossLog, bar, lr0: float) -> dict:
    """Run the epoch loop of every NumPy trainer; return its record (words, examples, batches, final_lr).

    examples(epoch) -> (inputs, targets, words) cuts one epoch's examples (words: the effective
    words it read), or None to skip the epoch. Each batch of `batch_size` consecutive examples
    gets the learning rate schedule(epoch, done, n, batch) (done of the epoch's n examples,
    batch counted over the run) and one step(inputs, targets, lr, want_loss) -> mean loss per
    example or None; the loss of every ``log.every``-th batch is recorded (and checked).
    """
    words = seen = batches = 0
    rate = lr0
    for epoch in range(epochs):
        cut = examples(epoch)
        if cut is None:
            continue
        inputs, targets, epoch_words = cut
        words += epoch_words
        n = targets.shape[0]
        for lo in range(0, n, batch_size):
            hi = min(lo + batch_size, n)
            rate = schedule(epoch, lo, n, batches)
            want = log.due(batches)
            loss = step(inputs[lo:hi], targets[lo:hi], rate, want)
            if want:
                log.record(loss, batches, rate)
            batches += 1
        seen += n
        bar.update(1)
        bar.set_postfix(loss=f"{log.values[-1]:.3f}" if log.values else "-")
    return {"words": words, "examples": seen, "batches": batches, "final_lr": rate}
