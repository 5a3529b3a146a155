"""Validate arguments at the package boundary and raise errors that name the bad value."""
from __future__ import annotations

import numbers

import numpy as np


class InvalidParameterError(ValueError, TypeError):
    """A value of the wrong type: both a ValueError (as every argument error of the package) and a
    TypeError (as Python's own), so that either ``except`` catches it (scikit-learn's pattern)."""


def check_int(name: str, value, minimum: int | None = None) -> int:
    """Return `value` as an int, or raise ValueError naming `name` and what was expected."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InvalidParameterError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return value


def check_bool(name: str, value) -> bool:
    """Return `value` if it is a bool (True or False), else raise ValueError naming `name`."""
    if not isinstance(value, (bool, np.bool_)):
        raise InvalidParameterError(f"{name} must be True or False, got {value!r} ({type(value).__name__})")
    return bool(value)


def check_rng(name: str, rng, optional: bool = False):
    """Return `rng` if it is a numpy.random.Generator (or None when `optional`), else raise ValueError."""
    if (rng is None and optional) or isinstance(rng, np.random.Generator):
        return rng
    expected = "a numpy.random.Generator" + (" or None" if optional else "")
    raise InvalidParameterError(f"{name} must be {expected}, got {type(rng).__name__}")


def check_words(name: str, words) -> list[str]:
    """Return `words` as a list of str; a bare str means one word (as in gensim), not its letters."""
    if isinstance(words, str):
        return [words]
    try:
        words = list(words)
    except TypeError:
        raise InvalidParameterError(f"{name} must be a word or a list of words, got {type(words).__name__}") from None
    for w in words:
        if not isinstance(w, str):
            raise InvalidParameterError(f"{name} must hold words (str), got {w!r} ({type(w).__name__})")
    return words


def check_float(name: str, value, minimum: float | None = None, strict: bool = True,
                maximum: float | None = None) -> float:
    """Return `value` as a finite float above `minimum` (strictly unless `strict=False`)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidParameterError(f"{name} must be a number, got {value!r} ({type(value).__name__})")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if minimum is not None:
        if strict and value <= minimum:
            raise ValueError(f"{name} must be > {minimum}, got {value}")
        if not strict and value < minimum:
            raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    return value


def check_ids(name: str, ids, vocab_size: int, ndim: int | None = None,
              allow_padding: bool = False) -> np.ndarray:
    """Return `ids` as an int64 array of word ids in [0, vocab_size) (or -1 padding if allowed)."""
    arr = np.asarray(ids)
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(f"{name} must hold integer word ids, got dtype {arr.dtype}")
    arr = arr.astype(np.int64, copy=False)
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got shape {arr.shape}")
    low = -1 if allow_padding else 0
    if arr.size:
        bad = (arr < low) | (arr >= vocab_size)
        if bad.any():
            first = arr[bad].flat[0]
            allowed = f"[0, {vocab_size})" + (" or -1 for padding" if allow_padding else "")
            raise ValueError(f"{name} contains id {first}, outside the vocabulary range {allowed}")
    return arr


def check_matrix(name: str, arr, rows: int | None = None, cols: int | None = None,
                 finite: bool = True) -> np.ndarray:
    """Return `arr` as a 2-D float array of the expected shape, without NaN or infinity."""
    arr = np.asarray(arr)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D matrix, got shape {arr.shape}")
    if not np.issubdtype(arr.dtype, np.floating):
        raise ValueError(f"{name} must hold floating-point numbers, got dtype {arr.dtype}")
    if rows is not None and arr.shape[0] != rows:
        raise ValueError(f"{name} must have {rows} rows, got shape {arr.shape}")
    if cols is not None and arr.shape[1] != cols:
        raise ValueError(f"{name} must have {cols} columns, got shape {arr.shape}")
    if finite and not np.isfinite(arr).all():
        where = np.argwhere(~np.isfinite(arr))[0]
        raise ValueError(f"{name} contains a non-finite value {arr[tuple(where)]} at row {where[0]}")
    return arr


def check_choice(name: str, value, choices) -> str:
    """Return `value` if it is one of `choices`, else raise ValueError listing them."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {sorted(choices)}, got {value!r}")
    return value


def check_tables(W_in, W_out) -> tuple[np.ndarray, np.ndarray]:
    """Return (W_in, W_out) checked as finite float matrices of the same (V, dim) shape."""
    W_in = check_matrix("W_in", W_in)
    W_out = check_matrix("W_out", W_out)
    if W_out.shape != W_in.shape:
        raise ValueError(f"W_out must have the shape of W_in {W_in.shape}, got {W_out.shape}")
    return W_in, W_out
