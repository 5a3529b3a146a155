"""Count-based word vectors: one-hot vectors, window co-occurrence counts, PPMI and truncated SVD.

This is the baseline of chapter 1 (the "PPMI + SVD" pipeline studied by Levy and Goldberg 2014
and Levy, Goldberg and Dagan 2015): count how often words appear near each other, reweight the
counts by how surprising they are, and compress the reweighted matrix into short dense vectors.
"""
from __future__ import annotations

import time
from typing import Sequence

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import svds

from ._checks import check_choice, check_float, check_ids, check_int
from .training import TrainResult, check_hyperparameters, make_result, prepare_corpus

WEIGHTINGS = ("uniform", "harmonic", "dynamic")


def one_hot(ids, vocab_size: int) -> np.ndarray:
    """Return the (n, vocab_size) float64 one-hot rows of the word ids `ids` (a 1-D sequence)."""
    vocab_size = check_int("vocab_size", vocab_size, 1)
    ids = check_ids("ids", ids, vocab_size, ndim=1)
    out = np.zeros((len(ids), vocab_size), dtype=np.float64)  # (n, V)
    out[np.arange(len(ids)), ids] = 1.0  # one entry per row, so no repeated index in this write
    return out


def _as_sentences(ids, vocab_size: int) -> tuple[np.ndarray, np.ndarray]:
    """Return all ids concatenated and, for each token, the number of the sentence it belongs to."""
    is_sentences = isinstance(ids, (list, tuple)) and len(ids) > 0 and not np.isscalar(ids[0])
    if not is_sentences:
        flat = check_ids("ids", ids, vocab_size, ndim=1)
        return flat, np.zeros(len(flat), dtype=np.int64)
    parts = [check_ids(f"ids[{i}]", s, vocab_size, ndim=1) for i, s in enumerate(ids)]
    flat = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    sentence = np.repeat(np.arange(len(parts)), [len(p) for p in parts])
    return flat, sentence


def cooccurrence(ids, vocab_size: int, window: int, weighting: str = "uniform") -> sp.csr_matrix:
    """Return the symmetric (V, V) CSR matrix of how often two words occur within `window` tokens.

    `ids` is a 1-D array of word ids, or a list of such arrays (sentences; windows never cross a
    sentence boundary). Entry (w, c) adds up, over every position of w, the weight of each c that
    sits d = 1..window tokens to its left or right: 1 ("uniform"), 1/d ("harmonic", as in GloVe),
    or (window - d + 1)/window ("dynamic": the expected count under word2vec's dynamic window,
    which draws each centre's window uniformly from 1..window). A word near itself lands on the
    diagonal. Entries are float64 (weighted counts need not be integers).
    """
    vocab_size = check_int("vocab_size", vocab_size, 1)
    window = check_int("window", window, 1)
    check_choice("weighting", weighting, set(WEIGHTINGS))
    flat, sentence = _as_sentences(ids, vocab_size)
    rows, cols, vals = [], [], []
    # Loop over the `window` offsets only; each offset pairs every token with the one d places to its
    # right in a single vectorised step, and the duplicate (row, col) pairs are summed by the COO -> CSR
    # conversion (a scatter-add that, unlike `a[idx] += 1`, never drops repeated pairs).
    for d in range(1, window + 1):
        left, right = flat[:-d], flat[d:]
        same = sentence[:-d] == sentence[d:]
        left, right = left[same], right[same]
        weight = {"uniform": 1.0, "harmonic": 1.0 / d, "dynamic": (window - d + 1) / window}[weighting]
        rows += [left, right]  # count both directions: right is in the window of left, and back
        cols += [right, left]
        vals.append(np.full(2 * len(left), weight))
    if rows:
        rows_a, cols_a, vals_a = np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)
    else:
        rows_a = cols_a = np.zeros(0, dtype=np.int64)
        vals_a = np.zeros(0)
    counts = sp.coo_matrix((vals_a, (rows_a, cols_a)), shape=(vocab_size, vocab_size)).tocsr()
    counts.sum_duplicates()
    return counts


def _as_count_matrix(matrix, counts: bool = True) -> sp.csr_matrix:
    """Return `matrix` as a finite float64 CSR matrix with a non-zero entry (and no negative one if `counts`)."""
    if sp.issparse(matrix):
        m = sp.csr_matrix(matrix, dtype=np.float64)
    else:
        arr = np.asarray(matrix)
        if arr.ndim != 2:
            raise ValueError(f"matrix must be 2-D, got shape {arr.shape}")
        if not (np.issubdtype(arr.dtype, np.number) and not np.issubdtype(arr.dtype, np.complexfloating)):
            raise ValueError(f"matrix must hold real numbers, got dtype {arr.dtype}")
        m = sp.csr_matrix(arr.astype(np.float64))
    if m.ndim != 2:
        raise ValueError(f"matrix must be 2-D, got shape {m.shape}")
    m.sum_duplicates()
    if not np.isfinite(m.data).all():
        raise ValueError("matrix contains NaN or infinity; counts must be finite")
    if counts and (m.data < 0).any():
        raise ValueError(f"matrix holds a negative count ({m.data.min():g}); counts must be >= 0")
    m.eliminate_zeros()
    if m.nnz == 0:
        what = "no positive count; PPMI is undefined" if counts else "only zeros; it has no singular vectors"
        raise ValueError(f"matrix of shape {m.shape} has {what}")
    return m


def ppmi(matrix, alpha: float = 1.0, k: float = 1.0) -> sp.csr_matrix:
    """Return the positive pointwise mutual information of a word-context count matrix (CSR).

    PPMI(w, c) = max(0, log P(w, c) / (P(w) P_alpha(c)) - log k), with P(w, c) = #(w, c) / D,
    P(w) = #(w) / D and P_alpha(c) = #(c)^alpha / sum_c' #(c')^alpha (D = total count).
    `alpha=1` is plain PPMI, the textbook definition, and the default so that the function means
    what its name says. `alpha=0.75` is the "context distribution smoothing" of Levy, Goldberg and
    Dagan (2015), the counting twin of word2vec's noise distribution: it raises the probability of
    rare contexts, which tames PMI's bias towards rare words. `k > 1` gives shifted PPMI, the
    matrix that skip-gram with k negatives factorises implicitly (Levy and Goldberg 2014).
    Pairs that never co-occur stay 0 (their PMI would be minus infinity).
    """
    alpha = check_float("alpha", alpha, 0.0, strict=True, maximum=1.0)
    k = check_float("k", k, 1.0, strict=False)
    m = _as_count_matrix(matrix)
    word_counts = np.asarray(m.sum(axis=1)).ravel()  # (V,) #(w)
    context_counts = np.asarray(m.sum(axis=0)).ravel()  # (C,) #(c)
    smoothed = context_counts ** alpha
    p_context = smoothed / smoothed.sum()  # (C,) P_alpha(c); zero where #(c) = 0
    coo = m.tocoo()
    # log( (#(w,c)/D) / ((#(w)/D) P_alpha(c)) ) = log(#(w,c)) - log(#(w)) - log(P_alpha(c))
    pmi = np.log(coo.data) - np.log(word_counts[coo.row]) - np.log(p_context[coo.col]) - np.log(k)
    keep = pmi > 0
    out = sp.coo_matrix((pmi[keep], (coo.row[keep], coo.col[keep])), shape=m.shape).tocsr()
    return out


def _truncated_svd(matrix, dim: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return U (V, dim), S (dim,) decreasing and V^T (dim, C) with the sign rule applied."""
    m = _as_count_matrix(matrix, counts=False)  # any finite real matrix has an SVD
    smallest = min(m.shape)
    dim = check_int("dim", dim, 1)
    if dim >= smallest:
        raise ValueError(
            f"dim must be smaller than the matrix's smaller side ({smallest}) for a truncated SVD, got {dim}"
        )
    seed = check_int("seed", seed, 0)
    v0 = np.random.default_rng(seed).standard_normal(smallest)
    u, s, vt = svds(m, k=dim, v0=v0, solver="arpack")
    order = np.argsort(-s, kind="stable")  # svds returns ascending singular values
    u, s, vt = u[:, order], s[order], vt[order]
    pivot = np.argmax(np.abs(u), axis=0)  # (dim,) the row of each column's largest entry
    signs = np.sign(u[pivot, np.arange(dim)])
    signs[signs == 0] = 1.0
    return u * signs, s, vt * signs[:, None]


def svd_embeddings(matrix, dim: int, power: float = 0.5, seed: int = 0) -> np.ndarray:
    """Return (V, dim) dense word vectors U_d S_d^power from a truncated SVD of `matrix`.

    `matrix` is any finite real (V, C) matrix, dense or sparse, with a non-zero entry (PPMI,
    counts, PMI with negative entries, ...). `matrix` ~ U S V^T keeps the `dim` largest singular values. `power=1` gives U S, the rows
    of the best rank-`dim` approximation seen through V; `power=0.5` (the default) splits the
    singular values evenly between words and contexts, and `power=0` drops them; Levy,
    Goldberg and Dagan (2015) found 0.5 and 0 work better than 1 on similarity and analogy tasks.
    Signs are fixed so that the largest-magnitude entry of each column of U is positive: the SVD
    defines a column only up to sign, and this rule makes the output the same on every run.
    `seed` fixes ARPACK's random starting vector (the result does not depend on it beyond
    rounding).
    """
    power = check_float("power", power, 0.0, strict=False, maximum=1.0)
    u, s, _ = _truncated_svd(matrix, dim, seed)
    return u * s**power  # (V, dim)


def singular_values(matrix, dim: int, seed: int = 0) -> np.ndarray:
    """Return the `dim` largest singular values of `matrix`, in decreasing order."""
    return _truncated_svd(matrix, dim, seed)[1]


def train(tokens: Sequence[str], *, dim: int = 100, window: int = 5, min_count: int = 5,
          max_size: int | None = None, alpha: float = 0.75, power: float = 0.5,
          weighting: str = "uniform", seed: int = 0) -> TrainResult:
    """Build PPMI + SVD word vectors from a flat list of tokens, as a trainer would.

    The pipeline of chapter 1 in one call: vocabulary, window co-occurrence counts, PPMI with
    context smoothing `alpha`, SVD to `dim` dimensions with singular-value exponent `power`.
    `dim`, `window` and `min_count` default to word2vec's defaults; `alpha` and `power` to the
    settings Levy, Goldberg and Dagan (2015) recommend for count-based vectors. With the defaults
    this is the baseline of chapter 1.
    There is no loss: `losses` is empty. `W_out` is the context side V_d S_d^power.
    """
    hp = check_hyperparameters(dim=dim, window=window, min_count=min_count, max_size=max_size, seed=seed)
    alpha = check_float("alpha", alpha, 0.0, strict=True, maximum=1.0)
    power = check_float("power", power, 0.0, strict=False, maximum=1.0)
    check_choice("weighting", weighting, set(WEIGHTINGS))
    start = time.perf_counter()
    vocab, ids = prepare_corpus(tokens, hp.min_count, hp.max_size)
    counts = cooccurrence(ids, len(vocab), hp.window, weighting=weighting)
    weights = ppmi(counts, alpha=alpha)
    u, sv, vt = _truncated_svd(weights, hp.dim, hp.seed)
    W_in, W_out = u * sv**power, vt.T * sv**power  # (V, dim) each
    return make_result(vocab, W_in, W_out, [], len(ids), max(time.perf_counter() - start, 1e-9),
                       info={"model": "ppmi+svd", "method": "ppmi+svd", "alpha": alpha, "power": power,
                             "weighting": weighting, "nnz": int(weights.nnz)})
