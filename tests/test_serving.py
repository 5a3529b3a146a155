"""Tests of w2v_teach.serving: exact top-k and scalar quantisation."""
import numpy as np
import pytest

from w2v_teach import serving as SV
from w2v_teach.embeddings import Embeddings


def test_exact_top_k_by_hand():
    vectors = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [-1.0, 0.0]])
    np.testing.assert_array_equal(SV.exact_top_k(vectors, np.array([[1.0, 0.05]]), k=3), [[0, 1, 2]])
    np.testing.assert_array_equal(SV.exact_top_k(vectors, vectors[:2], k=1, exclude_self=True), [[1], [0]])
    np.testing.assert_array_equal(SV.exact_top_k(vectors, vectors, k=2, chunk=1)[:, 0], [0, 1, 2, 3])
    with pytest.raises(ValueError, match="dimension"):
        SV.exact_top_k(vectors, np.ones((1, 3)))
    with pytest.raises(ValueError, match="larger than"):
        SV.exact_top_k(vectors, vectors, k=4, exclude_self=True)


def test_int8_by_hand():
    codes, scales = SV.quantize(np.array([[1.27, -0.635, 0.0], [0.0, 0.0, 0.0]], dtype=np.float32), "int8")
    assert codes.dtype == np.int8
    np.testing.assert_array_equal(codes, [[127, -64, 0], [0, 0, 0]])  # -63.5 rounds to even -64
    np.testing.assert_allclose(scales, [0.01, 1.0], rtol=1e-6)
    np.testing.assert_allclose(SV.dequantize(codes, scales), [[1.27, -0.64, 0.0], [0, 0, 0]], rtol=1e-6)
    assert SV.nbytes(codes, scales) == 6 + 8


def test_round_trip_error_and_sizes():
    X = np.random.default_rng(0).normal(size=(50, 16)).astype(np.float32)
    for fmt, size in [("float32", 3200), ("float16", 1600), ("int8", 800 + 200)]:
        codes, scales = SV.quantize(X, fmt)
        assert SV.nbytes(codes, scales) == size
        err = np.abs(SV.dequantize(codes, scales) - X).max(axis=1)
        bound = {"float32": 0.0, "float16": 2e-3 * np.abs(X).max(axis=1), "int8": np.abs(X).max(axis=1) / 254 + 1e-7}
        assert (err <= bound[fmt]).all()
    emb, size = SV.quantized_embeddings(Embeddings([f"w{i}" for i in range(50)], X), "float16")
    assert size == 1600 and emb.vectors.dtype == np.float32


def test_bad_arguments():
    with pytest.raises(ValueError, match="fmt"):
        SV.quantize(np.ones((2, 2)), "int4")
    with pytest.raises(ValueError, match="scale"):
        SV.dequantize(np.ones((2, 2), dtype=np.int8))
    with pytest.raises(ValueError, match="Embeddings"):
        SV.quantized_embeddings(np.ones((2, 2)), "int8")
    np.testing.assert_array_equal(SV.unit_rows(np.zeros((1, 3))), [[0, 0, 0]])
