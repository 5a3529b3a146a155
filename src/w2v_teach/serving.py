"""Serving word vectors: exact top-k search, and smaller vectors by quantisation (chapter 8).

Exact search scores a query against every row (one matrix product on unit vectors) and keeps the
k best with :func:`w2v_teach.vectors.top_k` (ties in table order); that is the gold an approximate index is measured against
(:func:`w2v_teach.recommend.recall_at_k`).

Scalar quantisation stores each number in fewer bits. float16 halves the memory. int8 keeps one
float32 scale per row, s = max |x| / 127, and the codes round(x / s) in -127..127, a quarter of
the memory plus 4 bytes a row; decoding multiplies back, with an error of at most s / 2 per entry.
"""
from __future__ import annotations

import numpy as np

from ._checks import check_choice, check_int, check_matrix
from . import vectors as vectors_
from .embeddings import Embeddings

__all__ = ["FORMATS", "dequantize", "exact_top_k", "nbytes", "quantize", "quantized_embeddings", "unit_rows"]

FORMATS = ("float32", "float16", "int8")


def unit_rows(vectors) -> np.ndarray:
    """Return float32 copies of the rows scaled to length 1 (an all-zero row stays zero)."""
    return vectors_.unit_rows(check_matrix("vectors", vectors).astype(np.float32))


def exact_top_k(vectors, queries, k: int = 10, exclude_self: bool = False, chunk: int = 1024) -> np.ndarray:
    """Return the (n_queries, k) ids of the rows of `vectors` most cosine-similar to each query, best first.

    exclude_self: the queries are rows 0..n_queries-1 of `vectors` themselves and may not be
    their own answer. Works in chunks of `chunk` queries to bound the memory of the score matrix.
    Ties keep table order (the package's one rule, :func:`w2v_teach.vectors.top_k`).
    """
    base, Q = unit_rows(vectors), unit_rows(queries)
    if Q.shape[1] != base.shape[1]:
        raise ValueError(f"queries have dimension {Q.shape[1]}, vectors {base.shape[1]}")
    k, chunk = check_int("k", k, 1), check_int("chunk", chunk, 1)
    if k > base.shape[0] - int(bool(exclude_self)):
        raise ValueError(f"k={k} is larger than the number of candidate rows {base.shape[0]}")
    out = np.empty((Q.shape[0], k), dtype=np.int64)
    for lo in range(0, Q.shape[0], chunk):
        scores = Q[lo:lo + chunk] @ base.T  # (chunk, n)
        own = [[lo + i] for i in range(scores.shape[0])] if exclude_self else None
        out[lo:lo + chunk] = vectors_.top_k(scores, k, exclude=own)
    return out


def quantize(vectors, fmt: str = "int8") -> tuple[np.ndarray, np.ndarray | None]:
    """Return (codes, scales): the vectors stored as `fmt` ("float32", "float16" or "int8").

    scales is None except for int8, where it holds one float32 per row (max |x| / 127).
    """
    vectors = check_matrix("vectors", vectors).astype(np.float32)
    fmt = check_choice("fmt", fmt, set(FORMATS))
    if fmt != "int8":
        return vectors.astype(fmt), None
    scales = np.abs(vectors).max(axis=1) / 127.0  # (V,)
    scales = np.where(scales > 0, scales, 1.0).astype(np.float32)
    codes = np.clip(np.rint(vectors / scales[:, None]), -127, 127).astype(np.int8)
    return codes, scales


def dequantize(codes, scales=None) -> np.ndarray:
    """Return float32 vectors back from :func:`quantize`'s (codes, scales)."""
    codes = np.asarray(codes)
    if codes.ndim != 2:
        raise ValueError(f"codes must be a 2-D matrix, got shape {codes.shape}")
    if codes.dtype == np.int8:
        if scales is None or np.shape(scales) != (codes.shape[0],):
            raise ValueError(f"int8 codes need one scale per row ({codes.shape[0]}), got {np.shape(scales)}")
        return codes.astype(np.float32) * np.asarray(scales, dtype=np.float32)[:, None]
    return codes.astype(np.float32)


def nbytes(codes, scales=None) -> int:
    """Return the bytes needed to store the quantised vectors (codes plus scales)."""
    return int(np.asarray(codes).nbytes + (0 if scales is None else np.asarray(scales).nbytes))


def quantized_embeddings(emb: Embeddings, fmt: str) -> tuple[Embeddings, int]:
    """Return (the embeddings as decoded from `fmt`, the bytes that format needs)."""
    if not isinstance(emb, Embeddings):
        raise ValueError(f"emb must be an Embeddings, got {type(emb).__name__}")
    codes, scales = quantize(emb.vectors, fmt)
    return Embeddings(emb.words, dequantize(codes, scales), counts=emb.counts), nbytes(codes, scales)
