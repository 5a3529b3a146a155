"""Chapter 3's checkable exercises: the keep probability of subsampling and the dynamic window."""
from __future__ import annotations

import numpy as np

from .. import sampling, windows
from .core import Case, Exercise, Wrong, compare_array, compare_tuple, register


def _keep_cases(rng: np.random.Generator) -> list[Case]:
    """Return hidden cases of keep_probability(counts, t): Zipf-like counts, a word with count 0."""
    cases = []
    for name, V, t, zero in [("50 words, t = 1e-2", 50, 1e-2, False), ("200 words, t = 1e-4", 200, 1e-4, False),
                             ("30 words, one of them never seen, t = 1e-2", 30, 1e-2, True)]:
        counts = np.maximum(1, (50_000 / np.arange(1, V + 1) * rng.uniform(0.8, 1.2, V))).astype(np.int64)
        if zero:
            counts[-1] = 0
        expected = sampling.keep_probability(counts, t)
        f = counts / counts.sum()
        with np.errstate(divide="ignore"):
            ratio = np.where(f > 0, t / np.where(f > 0, f, 1), np.inf)
            raw = np.sqrt(ratio) + ratio
            by_count = np.sqrt(t / np.maximum(counts, 1)) + t / np.maximum(counts, 1)
        wrong = [(sampling.keep_probability(counts, t, formula="paper"),
                  "This is the paper's formula, sqrt(t/f); the book uses the C tool's and gensim's "
                  "sqrt(t/f) + t/f (clipped to 1)."),
                 (1 - expected, "You return the probability of *dropping* a word; return the probability of keeping it."),
                 (np.minimum(by_count, 1.0), "You divide t by the raw counts: use the relative frequency "
                  "f = counts / counts.sum()."),
                 (np.where(np.isfinite(raw), raw, 1.0), "Some probabilities exceed 1: clip them with np.minimum(keep, 1).")]
        cases.append(Case(name, (counts, t), expected, tuple(wrong)))
    return cases


def _judge_keep(value, case: Case, args: tuple) -> None:
    """Judge keep probabilities: values above 1 first, then the known mistakes."""
    got = np.asarray(value, dtype=np.float64) if isinstance(value, np.ndarray) else None
    if got is not None and got.shape == case.expected.shape and (got > 1 + 1e-12).any():  # +inf included
        raise Wrong("Some probabilities exceed 1: clip them with np.minimum(keep, 1).")
    compare_array(value, case, "your keep probabilities")


register(Exercise(
    "ch3-keep-probability", "Subsampling: the keep probability", 3, "keep_probability",
    "keep_probability(counts, t) -> (V,) probabilities", _keep_cases, _judge_keep))


def _distance_shares(centers: np.ndarray, contexts: np.ndarray, n: int, window: int) -> np.ndarray:
    """Return, for d = 1..window, the share of the possible pairs at distance d that were made."""
    dist = np.abs(contexts - centers)
    made = np.bincount(dist, minlength=window + 1)[1:window + 1]
    possible = 2 * (n - np.arange(1, window + 1))
    return made / possible


def _window_cases(rng: np.random.Generator) -> list[Case]:
    """Return hidden cases of dynamic_pairs(ids, window, rng): ids are positions, so distances show."""
    cases = []
    for name, n, m in [("20,000 distinct ids, window 5", 20_000, 5), ("20,000 distinct ids, window 2", 20_000, 2),
                       ("3 ids, window 4 (the text is shorter than the window)", 3, 4)]:
        ids = np.arange(n)
        c, o = windows.skipgram_pairs(ids, m, np.random.default_rng(1))
        expected = _distance_shares(c, o, n, m) if n > m else None
        cases.append(Case(name, (ids, m, np.random.default_rng(int(rng.integers(1 << 30)))), expected))
    return cases


def _judge_window(value, case: Case, args: tuple) -> None:
    """Judge (centers, contexts): shapes, ids, distances, then the share kept at each distance."""
    centers, contexts = compare_tuple(value, 2, ["centers", "contexts"])
    centers, contexts = np.asarray(centers), np.asarray(contexts)
    if centers.shape != contexts.shape or centers.ndim != 1:
        raise Wrong(f"centers and contexts must be two 1-D arrays of the same length, got shapes "
                    f"{centers.shape} and {contexts.shape}.")
    ids, m = case.args[0], case.args[1]
    n = len(ids)
    if centers.size and (not np.issubdtype(centers.dtype, np.integer) or not np.issubdtype(contexts.dtype, np.integer)):
        raise Wrong("centers and contexts must hold integer word ids.")
    if centers.size and (centers.min() < 0 or contexts.min() < 0 or centers.max() >= n or contexts.max() >= n):
        raise Wrong("Some ids are not ids of the text: a window that reaches past either end must be cut there.")
    dist = np.abs(contexts - centers)
    if (dist == 0).any():
        raise Wrong("Some pairs pair a word with itself (distance 0): a word is not in its own window.")
    if centers.size and dist.max() > m:
        raise Wrong(f"Some pairs are {int(dist.max())} positions apart; with window={m} no pair may be more "
                    f"than {m} apart (off by one?).")
    if case.expected is None:
        return
    _judge_shares(_distance_shares(centers, contexts, n, m), np.asarray(case.expected), m, centers, contexts)


def _judge_shares(shares, expected, m, centers, contexts) -> None:
    """Compare the share of pairs kept at each distance with the reference's, and name the pattern."""
    if (contexts > centers).sum() == 0 or (contexts < centers).sum() == 0:
        raise Wrong("All your pairs look to one side; the window takes words on both sides of the centre.")
    d = np.arange(1, m + 1)
    patterns = [(np.ones(m), f"Every distance 1..{m} is kept every time: the window is never shrunk. Draw each "
                 f"centre's window uniformly from 1..{m} with the rng."),
                ((m - d + 1) / (m + 1), f"Your effective window is drawn from 0..{m}; it should be 1..{m} "
                 "(rng.integers(1, window + 1)), so that the nearest neighbours are always kept."),
                ((m - d) / m, f"Your effective window is drawn from 0..{m - 1}; it should be 1..{m} "
                 f"(rng.integers(1, window + 1)), so that distance {m} is sometimes reached.")]
    if np.abs(shares - expected).max() <= 0.03:
        _judge_same_window(centers, contexts)
        return
    for pattern, sentence in patterns:
        if np.abs(shares - pattern).max() <= 0.03:
            raise Wrong(sentence)
    raise Wrong(f"The share of pairs kept at distances 1..{m} is {np.round(shares, 2).tolist()}; a window "
                f"drawn uniformly from 1..{m} keeps distance d with probability ({m} - d + 1)/{m}.")


def _judge_same_window(centers, contexts) -> None:
    """Check that each centre uses one window on both sides (left and right reach equally far)."""
    left = np.bincount(centers[contexts < centers], minlength=centers.max() + 1)
    right = np.bincount(centers[contexts > centers], minlength=centers.max() + 1)
    inner = np.arange(len(left))[20:-20] if len(left) > 40 else np.arange(0)
    if inner.size and (left[inner] != right[inner]).mean() > 0.05:
        raise Wrong("Left and right of a centre reach different distances: draw one window per centre "
                    "and use it on both sides.")


register(Exercise(
    "ch3-dynamic-window", "Skip-gram pairs with a dynamic window", 3, "dynamic_pairs",
    "dynamic_pairs(ids, window, rng) -> (centers, contexts), two 1-D int arrays", _window_cases, _judge_window))
