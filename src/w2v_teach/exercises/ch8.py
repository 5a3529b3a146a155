"""Chapter 8's checkable exercises: NDCG@k for recommendations and int8 quantisation for serving."""
from __future__ import annotations

import numpy as np

from .. import recommend, serving
from .core import Case, Exercise, Wrong, as_array, compare_array, compare_tuple, register


def _ndcg_variant(ranked, targets, k, *, first=2, truncate=True, binary=False):
    """Return a wrong NDCG@k: another log offset, no cut at k, the hit rate."""
    cut = ranked[:, :k] if truncate else ranked
    hits = cut == targets[:, None]
    with np.errstate(divide="ignore"):
        gain = 1.0 / np.log2(np.arange(first, cut.shape[1] + first))
    return float(np.where(hits, 1.0 if binary else gain, 0.0).sum(axis=1).mean())


def _ndcg_cases(rng: np.random.Generator) -> list[Case]:
    """Return hidden rankings: targets at every position, beyond k, and missing."""
    cases = []
    for name, q, n, k in [("8 queries, lists of 10, k = 5", 8, 10, 5), ("20 queries, lists of 6, k = 6", 20, 6, 6),
                          ("12 queries, lists of 15, k = 3", 12, 15, 3)]:
        ranked = np.stack([rng.permutation(30)[:n] for _ in range(q)])
        pos = rng.integers(0, n + 3, size=q)  # beyond n: the target is not in the list
        targets = np.where(pos < n, ranked[np.arange(q), np.minimum(pos, n - 1)], 99)
        targets[0] = ranked[0, 0]  # one hit at position 1
        wrong = [(_ndcg_variant(ranked, targets, k, first=1), "A hit at position 1 gives 1 / log2(1) = 1/0: the "
                  "gain at position p (counting from 1) is 1 / log2(p + 1)."),
                 (_ndcg_variant(ranked, targets, k, first=3), "Your gains are shifted by one position: a hit at "
                  "position 1 must count 1 (1 / log2(2)), at position p 1 / log2(p + 1)."),
                 (_ndcg_variant(ranked, targets, k, truncate=False), f"You also count hits beyond position k = {k}: "
                  "NDCG@k looks only at the first k items."),
                 (_ndcg_variant(ranked, targets, k, binary=True), "You return the hit rate (every hit counts 1); "
                  "NDCG discounts a hit by its position.")]
        cases.append(Case(name, (ranked, targets, k), recommend.ndcg_at_k(ranked, targets, k), tuple(wrong)))
    return cases


def _judge_ndcg(value, case: Case, args: tuple) -> None:
    """Judge the mean NDCG@k; an infinite value means a gain of 1/log2(1)."""
    if np.ndim(value) != 0:
        raise Wrong(f"Expected one number, the mean NDCG@k over the queries, got shape {np.shape(value)}.")
    if isinstance(value, (int, float, np.number)) and not np.isfinite(value):
        raise Wrong(str(case.wrong[0][1]))  # 1 / log2(1): the gain of position 1 divides by zero
    compare_array(value, case, "your NDCG@k")


register(Exercise(
    "ch8-ndcg", "NDCG@k with one relevant item", 8, "ndcg_at_k",
    "ndcg_at_k(ranked, targets, k) -> float, the mean over the queries", _ndcg_cases, _judge_ndcg))


def _int8_cases(rng: np.random.Generator) -> list[Case]:
    """Return hidden tables: rows of very different scales, and an all-zero row."""
    cases = []
    for name, V, dim in [("6 rows of dimension 5", 6, 5), ("10 rows of dimension 8, one all zero", 10, 8),
                         ("3 rows of dimension 20", 3, 20)]:
        vectors = (rng.normal(size=(V, dim)) * rng.uniform(0.01, 5.0, size=(V, 1))).astype(np.float32)
        if "zero" in name:
            vectors[4] = 0.0
        codes, scales = serving.quantize(vectors, "int8")
        glob = np.abs(vectors).max() / 127.0
        row = np.abs(vectors).max(axis=1) / 127.0
        row = np.where(row > 0, row, 1.0)
        wrong = [(np.clip(np.rint(vectors / glob), -127, 127), "You use one scale for the whole table; give every "
                  "row its own scale (its largest |value| / 127), so small rows keep their precision."),
                 (np.trunc(vectors / row[:, None]), "You truncate towards zero; round to the nearest integer (np.rint)."),
                 (np.clip(np.rint(vectors / (row[:, None] * 127 / 128)), -127, 127),
                  "Your scale divides by 128; with codes in -127..127 the scale is max |value| / 127.")]
        cases.append(Case(name, (vectors,), (codes, scales), tuple(wrong)))
    return cases


def _judge_int8(value, case: Case, args: tuple) -> None:
    """Judge (codes, scales): the dtype, the codes exactly, the scales of the non-zero rows."""
    codes, scales = compare_tuple(value, 2, ["codes", "scales"])
    codes_arr = np.asarray(codes)
    if codes_arr.dtype != np.int8:
        raise Wrong(f"Expected the codes as int8 (one byte a value), got dtype {codes_arr.dtype}.")
    compare_array(codes_arr, case, "your codes", case.expected[0])
    scales = as_array(scales, "one scale per row")
    ref = case.expected[1]
    nonzero = np.abs(case.args[0]).max(axis=1) > 0  # an all-zero row decodes to 0 with any scale
    if scales.shape != ref.shape:
        raise Wrong(f"Expected one scale per row, shape {ref.shape}, got shape {scales.shape}.")
    compare_array(scales[nonzero], case, "your scales", ref[nonzero], (), rtol=1e-6, atol=1e-9)


register(Exercise(
    "ch8-int8", "int8 quantisation with one scale per row", 8, "quantize_int8",
    "quantize_int8(vectors) -> (codes int8 (V, d), scales (V,))", _int8_cases, _judge_int8))
