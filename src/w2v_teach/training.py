"""What every trainer shares: the result record, hyperparameter checks, the learning-rate
schedule of the C tool, and the divergence guard."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._checks import check_float, check_int
from .embeddings import Embeddings
from .text import Vocab


@dataclass
class TrainResult:
    """What a trainer returns: the embeddings and the record of how training went."""

    embeddings: Embeddings  # the vectors a chapter evaluates (by default the input matrix)
    losses: np.ndarray  # mean training loss over each reporting step
    words_per_second: float  # effective training words (after subsampling) per second
    W_in: np.ndarray  # (V, dim) input ("centre"/"context") vectors
    W_out: np.ndarray  # (V, dim) output vectors
    seconds: float = 0.0  # wall-clock training time
    words_trained: int = 0  # effective training words seen over all epochs
    vocab: Vocab | None = None  # the vocabulary the ids refer to (with counts)
    info: dict = field(default_factory=dict)  # trainer-specific extras (lr schedule, ...)


_RULES = {
    # name: (kind, minimum, strict)
    "dim": ("int", 1, False),
    "window": ("int", 1, False),
    "negatives": ("int", 1, False),
    "epochs": ("int", 1, False),
    "min_count": ("int", 0, False),
    "batch_size": ("int", 1, False),
    "lr": ("float", 0.0, True),
    "t": ("float", 0.0, True),
}


def check_hyperparameters(**params) -> dict:
    """Validate the shared hyperparameters by name (dim, window, ..., t); return them cleaned.

    `t=None` (no subsampling) and `max_size=None` pass through unchanged.
    """
    clean = {}
    for name, value in params.items():
        if value is None or name not in _RULES:
            clean[name] = value
            continue
        kind, minimum, strict = _RULES[name]
        if kind == "int":
            clean[name] = check_int(name, value, minimum)
        else:
            clean[name] = check_float(name, value, minimum, strict=strict)
    return clean


def linear_lr(lr0: float, progress: float, min_fraction: float = 1e-4) -> float:
    """Return the learning rate after `progress` (0..1) of training, decayed linearly as in the
    C tool: lr0 * (1 - progress), never below lr0 * min_fraction."""
    return lr0 * max(1.0 - progress, min_fraction)


def check_finite_loss(loss: float, step: int, lr: float) -> float:
    """Raise FloatingPointError when training diverged (a NaN or infinite loss)."""
    if not np.isfinite(loss):
        raise FloatingPointError(
            f"the training loss became {loss} at step {step} (learning rate {lr:g}); "
            "training diverged - try a smaller lr"
        )
    return float(loss)


def vectors_to_keep(W_in: np.ndarray, W_out: np.ndarray, keep: str = "in") -> np.ndarray:
    """Return the embedding matrix a trainer hands back: the input vectors ("in"), the output
    vectors ("out") or their average ("avg")."""
    if keep == "in":
        return W_in.copy()  # a copy: the embeddings must not change if W_in is edited later
    if keep == "out":
        return W_out.copy()
    if keep == "avg":
        return (W_in + W_out) / 2
    raise ValueError(f"keep must be one of ['avg', 'in', 'out'], got {keep!r}")


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
