"""Randomness in word2vec's data pipeline: subsampling frequent words and drawing negatives.

Two distributions are built from the word counts of a :class:`~w2v_teach.text.Vocab`:

* the *keep probability* of each word, used to thin out frequent words before training
  (Mikolov et al. 2013b, section 2.3), and
* the *noise distribution* from which negative samples are drawn, the unigram distribution
  raised to the power 3/4 and renormalised (Mikolov et al. 2013b, section 2.2).

All randomness comes from an explicit ``rng: np.random.Generator``.
"""
from __future__ import annotations

import numbers

import numpy as np

from ._checks import check_choice, check_float, check_ids, check_rng

FORMULAS = ("c_tool", "paper", "levy2015")


def _check_counts(counts) -> np.ndarray:
    """Return `counts` as a finite, non-negative 1-D float64 array with a positive total."""
    arr = np.asarray(counts)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"counts must be a non-empty 1-D array, got shape {arr.shape}")
    if not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
        raise ValueError(f"counts must be numbers, got dtype {arr.dtype}")
    arr = arr.astype(np.float64)
    if not np.isfinite(arr).all():
        raise ValueError(f"counts must be finite, got {arr[~np.isfinite(arr)][0]}")
    if (arr < 0).any():
        raise ValueError(f"counts must be >= 0, got {arr[arr < 0][0]:g} at id {int(np.argmax(arr < 0))}")
    if arr.sum() <= 0:
        raise ValueError("counts are all zero: the total count must be > 0")
    return arr


def keep_probability(counts, t: float = 1e-4, formula: str = "c_tool") -> np.ndarray:
    """Return the probability that each word survives subsampling, float64 (V,).

    With ``f = counts / counts.sum()`` the relative frequency of each word, the published
    variants are:

    ``"c_tool"`` (default)
        ``keep = sqrt(t/f) + t/f``, clipped to 1. This is what the original word2vec C code
        computes (``(sqrt(cn / (sample * train_words)) + 1) * (sample * train_words) / cn``)
        and what gensim computes in ``Word2Vec.prepare_vocab`` (Rehurek and Sojka 2010). It is
        our default so that comparisons with gensim are like for like. Words with
        ``f <= 2.6 t`` or so are never dropped (keep >= 1 before clipping).
    ``"paper"``
        Mikolov et al. (2013b), "Distributed representations of words and phrases and their
        compositionality", section 2.3, eq. (5): a word is *discarded* with probability
        ``1 - sqrt(t/f)``, so ``keep = min(1, sqrt(t/f))``. Always keeps less than "c_tool".
    ``"levy2015"``
        Levy, Goldberg and Dagan (2015), "Improving distributional similarity with lessons
        learned from word embeddings", section 3.2, describe the C code's rule as a discard
        probability ``p = (f - t)/f - sqrt(t/f)``. Algebraically ``1 - p = t/f + sqrt(t/f)``,
        which is *the same as "c_tool"*: this option exists only to show (and test) that the
        "third formula" one meets in the literature is the C formula written as a discard
        probability. It is computed here from its own expression, not by calling "c_tool".

    `t` is the threshold (the C tool's ``-sample``; 1e-3 to 1e-5 are typical). Only words
    with ``f > t`` are thinned at all under "paper". A word with count 0 gets keep
    probability 1: that is the limit of every formula as f -> 0, and since such a word never
    occurs in the corpus the value cannot change what :func:`subsample` returns.
    """
    t = check_float("t", t, 0.0, strict=True)
    check_choice("formula", formula, set(FORMULAS))
    counts = _check_counts(counts)
    f = counts / counts.sum()  # (V,) relative frequencies
    keep = np.ones_like(f)
    seen = f > 0
    ratio = t / f[seen]  # t / f, finite because f > 0
    if formula == "c_tool":
        keep[seen] = np.sqrt(ratio) + ratio
    elif formula == "paper":
        keep[seen] = np.sqrt(ratio)
    else:  # "levy2015": one minus their discard probability (f - t)/f - sqrt(t/f)
        fs = f[seen]
        keep[seen] = 1.0 - ((fs - t) / fs - np.sqrt(t / fs))
    return np.minimum(keep, 1.0)


def subsample(ids, counts, t: float | None, rng: np.random.Generator,
              formula: str = "c_tool") -> np.ndarray:
    """Return the ids that survive subsampling (int64, in their original order).

    Each token is kept independently with probability ``keep_probability(counts, t,
    formula)[id]``, using one uniform draw per token: ``rng.random(len(ids)) < keep[ids]``
    (one vectorised call, so the result is reproducible for a given rng state).
    ``t=None`` means no subsampling: a copy of `ids` comes back and no draw is made.
    """
    check_rng("rng", rng)
    counts_arr = _check_counts(counts)
    ids = check_ids("ids", ids, len(counts_arr), ndim=1)
    if t is None:
        return ids.copy()
    keep = keep_probability(counts_arr, t, formula)  # (V,)
    return ids[rng.random(ids.shape[0]) < keep[ids]]


def noise_distribution(counts, power: float = 0.75) -> np.ndarray:
    """Return the negative-sampling distribution counts**power / sum, float64 (V,) summing to 1.

    ``power=0.75`` is the value Mikolov et al. (2013b, section 2.2) found to work best; 1 gives
    the unigram distribution and 0 the uniform distribution over the words that occur. Words
    with count 0 always get probability 0 (even with power 0, where 0**0 would be 1).
    """
    power = check_float("power", power)
    counts = _check_counts(counts)
    noise = np.zeros_like(counts)
    seen = counts > 0
    noise[seen] = counts[seen] ** power
    total = noise.sum()
    if not np.isfinite(total):
        raise ValueError(f"counts**power overflows for power={power}; use a smaller power")
    return noise / total


def _check_noise(noise) -> np.ndarray:
    """Return `noise` as a float64 probability vector, or raise ValueError saying why not."""
    arr = np.asarray(noise)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"noise must be a non-empty 1-D probability vector, got shape {arr.shape}")
    if not np.issubdtype(arr.dtype, np.floating) and not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(f"noise must hold numbers, got dtype {arr.dtype}")
    arr = arr.astype(np.float64, copy=False)
    if not np.isfinite(arr).all() or (arr < 0).any():
        bad = arr[~np.isfinite(arr) | (arr < 0)][0]
        raise ValueError(f"noise must hold finite probabilities >= 0, got {bad}")
    total = arr.sum()
    if abs(total - 1.0) > 1e-6:
        raise ValueError(f"noise must sum to 1, got a sum of {total:.9g}")
    return arr


def _check_shape(shape) -> tuple[int, ...]:
    """Return `shape` (an int or a tuple of ints >= 0) as a tuple."""
    dims = (shape,) if isinstance(shape, numbers.Integral) else shape
    try:
        dims = tuple(dims)
    except TypeError:
        raise ValueError(f"shape must be an int or a tuple of ints, got {shape!r}") from None
    for d in dims:
        if isinstance(d, bool) or not isinstance(d, numbers.Integral) or d < 0:
            raise ValueError(f"shape must be an int or a tuple of ints >= 0, got {shape!r}")
    return tuple(int(d) for d in dims)


class NegativeSampler:
    """Draw word ids from a fixed noise distribution, with the cumulative table built once.

    Trainers that draw negatives for every batch should build one sampler and call
    :meth:`draw`; :func:`draw_negatives` is the one-off version.
    """

    def __init__(self, noise) -> None:
        self.noise = _check_noise(noise)  # (V,)
        cdf = np.cumsum(self.noise)
        # Guard the last bin: rounding can leave cdf[-1] a hair below 1, and a uniform draw
        # above it would land past the end. Dividing by cdf[-1] makes the last entry exactly 1.0
        # (x / x == 1 in IEEE arithmetic), and every draw u < 1, so the index stays < V.
        self.cdf = cdf / cdf[-1]  # (V,) non-decreasing, last entry exactly 1

    def draw(self, shape, rng: np.random.Generator) -> np.ndarray:
        """Return int64 word ids of the given `shape`, distributed as the noise."""
        check_rng("rng", rng)
        shape = _check_shape(shape)
        u = rng.random(shape)  # uniform in [0, 1)
        # Inverse CDF: the id i with cdf[i-1] <= u < cdf[i]. side="right" means a word with
        # probability 0 (an empty interval) can never be drawn.
        ids = np.searchsorted(self.cdf, u, side="right")
        return ids.astype(np.int64, copy=False)


def draw_negatives(noise, shape, rng: np.random.Generator) -> np.ndarray:
    """Return int64 word ids of the given `shape`, drawn from `noise` by inverse CDF.

    One uniform number per id (``rng.random(shape)``), looked up in the cumulative noise
    distribution with ``np.searchsorted`` (O(log V) per draw, millions of draws per second).
    A drawn negative can equal the positive context word, as in the C tool.
    """
    return NegativeSampler(noise).draw(shape, rng)
