"""Turn a sequence of word ids into training examples: skip-gram pairs and CBOW windows.

Both functions build one (n, 2*window) table of context ids, row i holding the words at
offsets -window..-1, 1..window around position i, with -1 where there is no word (before the
start, after the end, or beyond the sampled effective window). Skip-gram reads the table's
real entries row by row; CBOW keeps the rows as they are.

The dynamic window of the C tool: for each centre it draws ``b`` uniformly in 1..window and
uses only offsets with ``|offset| <= b``, so near neighbours are used more often than far
ones (offset ``d`` is used with probability ``(window - d + 1) / window``). Here all the
effective windows are drawn by a single call ``rng.integers(1, window + 1, size=len(ids))``,
one per position, whether or not the position produces an example; the result is therefore a
pure function of `ids`, `window` and the rng state, which tests can reproduce.
"""
from __future__ import annotations

import numpy as np

from ._checks import check_int, check_rng


def _check_ids(ids) -> np.ndarray:
    """Return `ids` as a 1-D int64 array of non-negative word ids."""
    arr = np.asarray(ids)
    if arr.ndim != 1:
        raise ValueError(f"ids must be 1-dimensional, got shape {arr.shape}")
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(f"ids must hold integer word ids, got dtype {arr.dtype}")
    arr = arr.astype(np.int64, copy=False)
    if arr.size and arr.min() < 0:
        raise ValueError(f"ids must be >= 0 (-1 is reserved for padding), got {arr.min()}")
    return arr


def offsets(window: int) -> np.ndarray:
    """Return the context offsets -window..-1, 1..window (the column order of every table)."""
    window = check_int("window", window, 1)
    return np.concatenate([np.arange(-window, 0), np.arange(1, window + 1)])


def effective_windows(n: int, window: int, rng: np.random.Generator | None) -> np.ndarray:
    """Return each position's window: `window` everywhere, or uniform 1..window drawn from `rng`."""
    if check_rng("rng", rng, optional=True) is None:
        return np.full(n, window, dtype=np.int64)
    return rng.integers(1, window + 1, size=n)


def context_table(ids, window: int, rng: np.random.Generator | None = None) -> np.ndarray:
    """Return the (n, 2*window) int64 table of context ids around each position, -1 padded."""
    window = check_int("window", window, 1)
    ids = _check_ids(ids)
    n = ids.shape[0]
    reach = effective_windows(n, window, rng)  # (n,) effective window per centre
    table = np.full((n, 2 * window), -1, dtype=np.int64)  # (n, 2*window)
    for col, off in enumerate(offsets(window)):
        d = abs(int(off))
        if d >= n:
            continue
        # centres i whose context i + off lies inside [0, n)
        lo, hi = (d, n) if off < 0 else (0, n - d)
        src = ids[lo + off:hi + off]  # the context words
        if rng is None:
            table[lo:hi, col] = src
        else:  # copy where the centre's window reaches this far (a third faster than np.where's temporary)
            np.copyto(table[lo:hi, col], src, where=reach[lo:hi] >= d)
    return table


def skipgram_pairs(ids, window: int, rng: np.random.Generator | None = None
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Return (centers, contexts), int64 (n_pairs,), every (word, neighbour) pair in the window.

    Pairs are ordered by centre position, then by offset -window..-1, 1..window. With `rng`,
    each centre uses a dynamic window drawn as described in the module docstring. Fewer than
    two ids give two empty arrays (no word has a neighbour).
    """
    table = context_table(ids, window, rng)  # (n, 2*window)
    ids = _check_ids(ids)
    real = table >= 0  # (n, 2*window)
    contexts = table[real]  # row-major: by centre, then offset
    centers = np.broadcast_to(ids[:, None], table.shape)[real]
    return centers, contexts


def cbow_examples(ids, window: int, rng: np.random.Generator | None = None
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Return (contexts (n, 2*window), targets (n,)), int64, one example per position.

    Columns are offsets -window..-1, 1..window; slots outside the text or (with `rng`) beyond
    the sampled effective window hold -1. Positions with no context word at all are dropped,
    which only happens when there are fewer than two ids (then both arrays are empty).
    """
    table = context_table(ids, window, rng)  # (n, 2*window)
    ids = _check_ids(ids)
    has_context = (table >= 0).any(axis=1)  # (n,)
    return table[has_context], ids[has_context]


def count_pairs(n_tokens: int, window: int, dynamic: bool = False) -> float:
    """Return how many skip-gram pairs `n_tokens` tokens give (exact, or expected if `dynamic`).

    Offset d pairs the n - d positions that have a word d places to the right, and as many to
    the left, so the fixed-window count is 2 * sum_d max(n - d, 0). With the dynamic window,
    offset d is used with probability (window - d + 1) / window, which weights each term.
    """
    n = check_int("n_tokens", n_tokens, 0)
    window = check_int("window", window, 1)
    d = np.arange(1, window + 1)
    per_offset = np.maximum(n - d, 0) * 2  # (window,)
    if not dynamic:
        return int(per_offset.sum())
    return float((per_offset * (window - d + 1) / window).sum())
