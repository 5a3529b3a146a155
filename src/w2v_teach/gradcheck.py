"""Check analytic gradients against central finite differences.

:func:`numerical_gradient` and :func:`max_relative_error` are the two steps; :func:`check` runs
them for every parameter of a ``loss_and_grads`` function at once.
"""
from __future__ import annotations

from typing import Callable, NamedTuple, Sequence

import numpy as np

from ._checks import check_rng


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


class GradCheck(NamedTuple):
    """The result of :func:`check` for one parameter: the error and where it is worst."""

    error: float  # max_relative_error(analytic, numeric)
    worst_index: tuple  # the entry with the largest |analytic - numeric|


def check(loss_and_grads: Callable, params: Sequence[np.ndarray], rng: np.random.Generator | None = None,
          h: float = 1e-5) -> list[GradCheck]:
    """Check every analytic gradient of ``loss_and_grads(*params) -> (loss, *grads)``.

    For each parameter in turn, the finite-difference gradient of the loss is computed with the
    other parameters fixed and compared with the matching analytic gradient. If the function
    draws random numbers from `rng`, the generator's state is reset before every evaluation,
    as CS224n's gradcheck does, so that every evaluation sees the same draws. Returns one
    :class:`GradCheck` per parameter.
    """
    check_rng("rng", rng, optional=True)
    params = list(params)
    state = None if rng is None else rng.bit_generator.state

    def evaluate(*args):
        if state is not None:
            rng.bit_generator.state = state
        return loss_and_grads(*args)

    outputs = evaluate(*params)
    if len(outputs) != len(params) + 1:
        raise ValueError(f"loss_and_grads must return (loss, one gradient per parameter): "
                         f"{len(params)} parameters, {len(outputs) - 1} gradients")
    results = []
    for i, (x, analytic) in enumerate(zip(params, outputs[1:])):
        def loss_of(value, i=i):
            return evaluate(*params[:i], value, *params[i + 1:])[0]

        numeric = numerical_gradient(loss_of, x, h=h)
        worst = np.unravel_index(np.argmax(np.abs(np.asarray(analytic) - numeric)), numeric.shape)
        results.append(GradCheck(max_relative_error(analytic, numeric), tuple(int(j) for j in worst)))
    return results
