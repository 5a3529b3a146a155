"""Check analytic gradients against central finite differences."""
from __future__ import annotations

from typing import Callable

import numpy as np


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Return the central-difference gradient of the scalar function `f` at `x`.

    Each entry of `x` is nudged by +h and -h in place (then restored), so `f` must read `x`
    afresh on every call and must be deterministic: reset any random generator inside `f`.
    Use float64; in float32 the rounding error of f swamps the difference quotient.
    """
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
        raise ValueError(f"x must be a floating-point NumPy array, got {type(x).__name__}")
    if not h > 0:
        raise ValueError(f"h must be > 0, got {h}")
    grad = np.zeros_like(x, dtype=np.float64)
    for idx in np.ndindex(*x.shape):
        old = x[idx]
        x[idx] = old + h
        f_plus = float(f(x))
        x[idx] = old - h
        f_minus = float(f(x))
        x[idx] = old
        grad[idx] = (f_plus - f_minus) / (2 * h)
    return grad


def max_relative_error(analytic, numeric) -> float:
    """Return the largest entrywise difference relative to the largest gradient entry.

    max |a - n| / max(|a|, |n|). Dividing by the largest entry, not entry by entry, keeps
    entries whose true gradient is zero (rows of words not in the batch) from turning the
    finite-difference noise (about 1e-11 in float64) into a huge "relative" error.
    """
    a = np.asarray(analytic, dtype=np.float64)
    n = np.asarray(numeric, dtype=np.float64)
    if a.shape != n.shape:
        raise ValueError(f"analytic and numeric gradients differ in shape: {a.shape} vs {n.shape}")
    scale = max(np.abs(a).max(initial=0.0), np.abs(n).max(initial=0.0))
    if scale == 0.0:
        return 0.0
    return float(np.abs(a - n).max() / scale)
