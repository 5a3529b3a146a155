"""Measure and remove a direction of bias in word vectors, and see what remains.

- :func:`difference_direction`: the direction of word pairs such as (she, he), as the mean of
  their differences or their first principal component (Bolukbasi et al. 2016).
- :func:`projection`: each word's unit vector projected on that direction.
- :func:`association`, :func:`weat`: the Word Embedding Association Test (Caliskan et al. 2017),
  its effect size and a permutation p-value (exact when the partitions are few).
- :func:`hard_debias`: Bolukbasi et al.'s "neutralize and equalize".
- :func:`neighbour_recoverability`: how well a word's neighbours still tell its label after
  debiasing (the test of Gonen and Goldberg 2019).
- :func:`neighbour_bias`, :func:`cluster_agreement`: Gonen and Goldberg's own tests, over a whole
  vocabulary: the share of a word's nearest neighbours that were biased one way before
  debiasing, and how well two clusters of the debiased vectors split the words by their label.

Every measure works on the unit vectors of an :class:`~w2v_teach.embeddings.Embeddings`.
"""
from __future__ import annotations

import itertools
import math
from typing import NamedTuple, Sequence

import numpy as np

from ._checks import check_choice, check_int, check_rng, check_words
from .embeddings import Embeddings

_MAX_EXACT = 100_000  # at most this many partitions are enumerated; more are sampled


def _word_units(emb: Embeddings, words: Sequence[str], name: str) -> np.ndarray:
    """Return the unit vectors of `words` as a float64 (n, d) array; KeyError naming a missing word."""
    words = check_words(name, words)
    if not words:
        raise ValueError(f"{name} must hold at least one word")
    missing = [w for w in words if w not in emb]
    if missing:
        raise KeyError(f"{name}: {missing[0]!r} is not in the vocabulary")
    return np.asarray(emb.unit[[emb.index(w) for w in words]], dtype=np.float64)


def _check_direction(direction, dim: int) -> np.ndarray:
    """Return `direction` as a unit float64 vector of length `dim`."""
    g = np.asarray(direction, dtype=np.float64)
    if g.shape != (dim,) or not np.isfinite(g).all():
        raise ValueError(f"direction must be a finite vector of length {dim}, got shape {g.shape}")
    norm = np.linalg.norm(g)
    if norm == 0:
        raise ValueError("direction must not be the zero vector")
    return g / norm


def difference_direction(emb: Embeddings, pairs, method: str = "mean") -> np.ndarray:
    """Return the unit direction of word pairs (x, y), pointing from the y words to the x words.

    method "mean": the normalised mean of the differences of the unit vectors, x - y.
    method "pca": the first principal component of the pairs, each centred on its own mean
    (Bolukbasi et al. 2016), its sign chosen to agree with the mean difference.
    """
    check_choice("method", method, {"mean", "pca"})
    pairs = [tuple(p) for p in pairs]
    if not pairs or any(len(p) != 2 for p in pairs):
        raise ValueError("pairs must be a non-empty list of (x, y) word pairs")
    X = _word_units(emb, [p[0] for p in pairs], "pairs")
    Y = _word_units(emb, [p[1] for p in pairs], "pairs")
    mean = (X - Y).mean(axis=0)
    if method == "mean":
        return _check_direction(mean, emb.dim)
    centre = (X + Y) / 2
    stacked = np.vstack([X - centre, Y - centre])  # (2 * pairs, d)
    top = np.linalg.svd(stacked, full_matrices=False)[2][0]
    return top if top @ mean >= 0 else -top


def projection(emb: Embeddings, words, direction) -> np.ndarray:
    """Return the projection of each word's unit vector on the unit `direction` (a cosine)."""
    V = _word_units(emb, words, "words")
    return V @ _check_direction(direction, emb.dim)


def association(emb: Embeddings, words, A, B) -> np.ndarray:
    """Return s(w, A, B) = mean cosine of w with the A words - mean cosine with the B words."""
    W = _word_units(emb, words, "words")
    return (W @ _word_units(emb, A, "A").T).mean(axis=1) - (W @ _word_units(emb, B, "B").T).mean(axis=1)


class WeatResult(NamedTuple):
    """The WEAT statistic, its effect size, the one-sided p-value and how it was computed."""

    statistic: float
    effect_size: float
    p_value: float
    n_partitions: int
    exact: bool


def _partition_stats(s: np.ndarray, n_x: int, rng, n_permutations: int) -> tuple[np.ndarray, bool]:
    """Return sum(s[X_i]) - sum(s[Y_i]) over equal-size partitions: all of them, or a random sample."""
    n = len(s)
    total = s.sum()
    if math.comb(n, n_x) <= min(n_permutations, _MAX_EXACT):
        sums = np.array([s[list(idx)].sum() for idx in itertools.combinations(range(n), n_x)])
        return 2 * sums - total, True
    if rng is None:
        raise ValueError(f"{math.comb(n, n_x)} partitions are more than n_permutations={n_permutations}: "
                         "pass rng to sample them")
    sums = np.array([s[rng.permutation(n)[:n_x]].sum() for _ in range(n_permutations)])
    return 2 * sums - total, False


def weat(emb: Embeddings, X, Y, A, B, n_permutations: int = 100_000,
         rng: np.random.Generator | None = None) -> WeatResult:
    """Run the Word Embedding Association Test of targets X, Y against attributes A, B.

    statistic: sum of s(x, A, B) over X minus the sum over Y. effect size: (mean over X - mean over
    Y) / standard deviation of s over X and Y together (ddof=1), as in Caliskan et al. (2017); 0
    when every word has the same association (nothing to tell the targets apart).
    p-value: the share of equal-size partitions (X_i, Y_i) of X and Y together whose statistic is
    at least the observed one (the observed partition included). All partitions are enumerated
    when there are at most `n_permutations`; otherwise `n_permutations` random ones are drawn
    with `rng` and the p-value is (1 + hits) / (1 + n_permutations).
    """
    X, Y = check_words("X", X), check_words("Y", Y)
    if len(X) != len(Y) or len(X) < 2:
        raise ValueError(f"X and Y must have the same size, at least 2, got {len(X)} and {len(Y)}")
    n_permutations = check_int("n_permutations", n_permutations, 1)
    rng = check_rng("rng", rng, optional=True)
    s = association(emb, X + Y, A, B)
    statistic = float(s[:len(X)].sum() - s[len(X):].sum())
    spread = s.std(ddof=1)
    effect = float((s[:len(X)].mean() - s[len(X):].mean()) / spread) if spread > 0 else 0.0
    stats, exact = _partition_stats(s, len(X), rng, n_permutations)
    hits = int(np.sum(stats >= statistic - 1e-12))
    p_value = hits / len(stats) if exact else (1 + hits) / (1 + len(stats))
    return WeatResult(statistic, effect, float(p_value), len(stats), exact)


def hard_debias(emb: Embeddings, direction, neutral, equalize=()) -> Embeddings:
    """Return unit-length embeddings with the `direction` removed from the `neutral` words.

    Neutralize: every neutral word loses its component along the direction and is renormalised.
    Equalize: each pair (x, y) is moved to the same point off the direction, at the same distance
    on either side of it, so that every neutral word is equally far from x and from y
    (Bolukbasi et al. 2016). Other words keep their (unit) vectors.
    """
    V = np.asarray(emb.unit, dtype=np.float64).copy()  # (V, d)
    g = _check_direction(direction, emb.dim)
    rows = [emb.index(w) for w in check_words("neutral", neutral)]
    pairs = [tuple(check_words("equalize", p)) for p in equalize]
    if any(len(p) != 2 for p in pairs):
        raise ValueError(f"equalize must hold word pairs (x, y), got {equalize!r}")
    pairs = [(emb.index(x), emb.index(y)) for x, y in pairs]
    V[rows] -= np.outer(V[rows] @ g, g)
    V[rows] /= np.linalg.norm(V[rows], axis=1, keepdims=True)
    for x, y in pairs:
        mu = (V[x] + V[y]) / 2
        nu = mu - (mu @ g) * g
        height = math.sqrt(max(0.0, 1.0 - nu @ nu))
        for row in (x, y):
            V[row] = nu + height * np.sign((V[row] - mu) @ g) * g
    return Embeddings(emb.words, V.astype(np.float32), counts=emb.counts)


def neighbour_recoverability(emb: Embeddings, words, labels, k: int = 3) -> float:
    """Return the share of `words` whose `k` nearest other words (by cosine) mostly share its label.

    Each word is classified by a majority vote of its k nearest neighbours among `words` (itself
    left out); with two labels and an odd k there is no tie. Near 1: the labels can be read off
    the neighbourhoods; near the share of the largest label: they cannot (Gonen and Goldberg 2019).
    """
    words = check_words("words", words)
    labels = list(labels)
    if len(labels) != len(words):
        raise ValueError(f"labels must have one entry per word: {len(labels)} labels for {len(words)} words")
    k = check_int("k", k, 1)
    if k >= len(words):
        raise ValueError(f"k must be smaller than the number of words ({len(words)}), got {k}")
    U = _word_units(emb, words, "words")
    sims = U @ U.T
    np.fill_diagonal(sims, -np.inf)
    hits = 0
    for i, row in enumerate(sims):
        near = np.argsort(-row, kind="stable")[:k]
        votes: dict = {}
        for j in near:
            votes[labels[j]] = votes.get(labels[j], 0) + 1
        hits += max(votes, key=votes.get) == labels[i]
    return hits / len(words)


def neighbour_bias(emb: Embeddings, words, vocabulary, original_bias, k: int = 100) -> np.ndarray:
    """Return, per word, the share of its k nearest `vocabulary` words with positive original bias.

    original_bias: one number per vocabulary word (its projection on the bias direction before
    debiasing). A word is not its own neighbour. Gonen and Goldberg 2019 correlate this share
    with the word's own original bias: a high correlation after debiasing means the neighbourhoods
    still carry the bias.
    """
    vocabulary = check_words("vocabulary", vocabulary)
    original_bias = np.asarray(original_bias, dtype=np.float64)
    if original_bias.shape != (len(vocabulary),):
        raise ValueError(f"original_bias must have one entry per vocabulary word "
                         f"({len(vocabulary)}), got shape {original_bias.shape}")
    k = check_int("k", k, 1)
    if k >= len(vocabulary):
        raise ValueError(f"k must be smaller than the vocabulary ({len(vocabulary)} words), got {k}")
    W, V = _word_units(emb, words, "words"), _word_units(emb, vocabulary, "vocabulary")
    sims = W @ V.T  # (n words, n vocabulary)
    position = {w: i for i, w in enumerate(vocabulary)}
    for i, w in enumerate(check_words("words", words)):
        if w in position:
            sims[i, position[w]] = -np.inf  # not its own neighbour
    near = np.argsort(-sims, axis=1, kind="stable")[:, :k]  # (n words, k)
    return (original_bias[near] > 0).mean(axis=1)


def cluster_agreement(emb: Embeddings, words, labels, seed: int = 0) -> float:
    """Return how well 2-means clusters of the words' unit vectors match two labels (0.5 to 1).

    The share of words whose cluster matches their label, under the better of the two ways of
    naming the clusters (Gonen and Goldberg 2019 cluster the most biased words after debiasing).
    """
    from sklearn.cluster import KMeans

    words = check_words("words", words)
    labels = np.asarray(labels)
    if labels.shape != (len(words),) or len(set(labels.tolist())) != 2:
        raise ValueError(f"labels must hold two values, one per word ({len(words)}), got {labels.tolist()!r}")
    check_int("seed", seed, 0)
    found = KMeans(2, n_init=10, random_state=seed).fit(_word_units(emb, words, "words")).labels_
    same = float(np.mean(found == (labels == labels[0])))
    return max(same, 1.0 - same)
