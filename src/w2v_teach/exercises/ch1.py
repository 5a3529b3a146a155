"""Chapter 1's checkable exercises: the co-occurrence matrix and PPMI."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .. import counting
from .core import Case, Exercise, Wrong, compare_array, register


def _pair_counts(ids: np.ndarray, V: int, distances, sides: str = "both") -> np.ndarray:
    """Return the (V, V) counts of pairs at the given distances: a wrong-variant builder."""
    M = np.zeros((V, V))
    for d in distances:
        if d == 0:
            np.add.at(M, (ids, ids), 1.0)
            continue
        if d >= len(ids):
            continue
        np.add.at(M, (ids[:-d], ids[d:]), 1.0)  # the word d places to the right
        if sides == "both":
            np.add.at(M, (ids[d:], ids[:-d]), 1.0)
    return M


def _cooc_cases(rng: np.random.Generator) -> list[Case]:
    """Return hidden cases of cooccurrence(ids, vocab_size, window)."""
    specs = [("40 ids, 6 words, window 2", 40, 6, 2), ("60 ids, 8 words, window 3", 60, 8, 3),
             ("25 ids, 5 words, window 1", 25, 5, 1), ("4 ids, window 5 (longer than the text)", 4, 3, 5)]
    cases = []
    for name, n, V, m in specs:
        ids = rng.integers(0, V, size=n)
        expected = counting.cooccurrence(ids, V, m).toarray()
        wrong = [(_pair_counts(ids, V, range(1, m + 2)), f"You count pairs up to {m + 1} positions apart: "
                  f"with window={m} a context word is 1..{m} positions away (off by one)."),
                 (_pair_counts(ids, V, range(1, m)), f"You count pairs only up to {m - 1} positions apart: "
                  f"with window={m} the word exactly {m} positions away counts too (off by one)."),
                 (_pair_counts(ids, V, range(0, m + 1)), "You count every position as its own context "
                  "(distance 0): a word is not in its own window."),
                 (_pair_counts(ids, V, range(1, m + 1), "right"), "You count only the words on one side: "
                  "the window looks both left and right, so the matrix is symmetric."),
                 (2 * expected, "Every pair is counted twice: each (word, neighbour) occurrence adds 1 once "
                  "from each side, not 2.")]
        cases.append(Case(name, (ids, V, m), expected, tuple(wrong)))
    return cases


def _judge_counts(value, case: Case, args: tuple) -> None:
    """Judge a (V, V) count matrix."""
    compare_array(value, case, "your (V, V) count matrix")


register(Exercise(
    "ch1-cooccurrence", "A co-occurrence matrix with a window", 1, "cooccurrence",
    "cooccurrence(ids, vocab_size, window) -> (V, V) array of counts", _cooc_cases, _judge_counts))


def _ppmi_variants(X: np.ndarray) -> list[tuple[np.ndarray, str]]:
    """Return typical wrong answers for the PPMI of a dense count matrix X."""
    D = X.sum()
    rows, cols = X.sum(axis=1, keepdims=True), X.sum(axis=0, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log(X * D / (rows * cols))
        square = X.shape[0] == X.shape[1]
        swapped = np.log(X * D / (cols.T * rows.T)) if square else pmi  # marginals on the wrong axes
        log2 = np.log2(X * D / (rows * cols))
    finite = np.where(np.isfinite(pmi), pmi, 0.0)
    return [(np.maximum(np.where(np.isfinite(swapped), swapped, 0.0), 0.0),
             "Your row and column sums are swapped (wrong axis): P(w) sums a word's row (axis 1), "
             "P(c) a context's column (axis 0)."),
            (np.maximum(np.where(np.isfinite(log2), log2, 0.0), 0.0),
             "You use log base 2; the book's PMI uses the natural log (np.log)."),
            (finite, "Your matrix keeps negative PMI values: PPMI is max(PMI, 0).")]


def _ppmi_cases(rng: np.random.Generator) -> list[Case]:
    """Return hidden cases of ppmi(X) on dense count matrices with zeros."""
    cases = []
    for name, V, C, density in [("a 5 x 5 symmetric matrix", 5, 5, 0.6), ("a 6 x 6 matrix", 6, 6, 0.7),
                                ("a 6 x 4 matrix", 6, 4, 0.7),
                                ("an 8 x 8 matrix with many zeros", 8, 8, 0.35)]:
        X = rng.integers(1, 20, size=(V, C)) * (rng.random((V, C)) < density)
        X[np.arange(min(V, C)), np.arange(min(V, C))] += 1  # no empty row or column
        X = (X + X.T if V == C and name.endswith("symmetric matrix") else X).astype(np.float64)
        expected = counting.ppmi(sp.csr_matrix(X)).toarray()
        cases.append(Case(name, (X,), expected, tuple(_ppmi_variants(X))))
    return cases


def _judge_ppmi(value, case: Case, args: tuple) -> None:
    """Judge a PPMI matrix: -inf and NaN first, then the known mistakes."""
    got = np.asarray(value.toarray() if hasattr(value, "toarray") else value, dtype=object)
    try:
        arr = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        arr = None
    if arr is not None and arr.shape == case.expected.shape and np.isneginf(arr).any():
        raise Wrong("Your matrix holds -inf where a pair never occurs (log 0): PPMI sets those cells to 0.")
    if arr is not None and arr.shape == case.expected.shape and np.isnan(arr).any():
        raise Wrong("Your matrix holds NaN: a pair that never occurs must give 0, not log(0) or 0/0.")
    compare_array(value, case, "your PPMI matrix")


register(Exercise(
    "ch1-ppmi", "Positive pointwise mutual information", 1, "ppmi",
    "ppmi(X) -> (V, C) array, X a dense (V, C) count matrix", _ppmi_cases, _judge_ppmi))
