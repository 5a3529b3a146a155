"""Tests for w2v_teach.gradcheck against functions with closed-form gradients."""
from __future__ import annotations

import numpy as np
import pytest

from w2v_teach.gradcheck import check, max_relative_error, numerical_gradient


def test_gradient_of_a_quadratic_form(rng):
    A = rng.normal(size=(5, 5))  # not symmetric: the gradient is (A + A^T) x / 2 + b
    b = rng.normal(size=5)
    x = rng.normal(size=5)
    numeric = numerical_gradient(lambda v: 0.5 * v @ A @ v + b @ v, x)
    np.testing.assert_allclose(numeric, 0.5 * (A + A.T) @ x + b, rtol=1e-8, atol=1e-9)


def test_gradient_of_log_sum_exp_is_softmax(rng):
    x = rng.normal(size=7) * 3
    numeric = numerical_gradient(lambda v: np.log(np.exp(v).sum()), x)
    softmax = np.exp(x) / np.exp(x).sum()
    assert max_relative_error(softmax, numeric) < 1e-8
    assert numeric.sum() == pytest.approx(1.0, abs=1e-8)


def test_gradient_of_a_matrix_argument(rng):
    X = rng.normal(size=(3, 4))
    C = rng.normal(size=(3, 4))
    numeric = numerical_gradient(lambda M: float((np.sin(M) * C).sum()), X)
    assert numeric.shape == (3, 4)
    assert max_relative_error(np.cos(X) * C, numeric) < 1e-8


def test_x_is_restored_and_nudged_in_place(rng):
    x = rng.normal(size=(2, 3))
    before = x.copy()
    seen = []
    numerical_gradient(lambda v: seen.append(v is x) or float(v.sum()), x)
    np.testing.assert_array_equal(x, before)  # bit for bit
    assert all(seen) and len(seen) == 2 * x.size  # two evaluations per entry, on x itself


def test_step_size_h_is_used():
    # for f(x) = x^3 the central difference is 3x^2 + h^2 exactly
    x = np.array([2.0])
    assert numerical_gradient(lambda v: float(v[0] ** 3), x, h=0.1)[0] == pytest.approx(12.01)


@pytest.mark.parametrize("x, h, message", [
    ([1.0, 2.0], 1e-5, "x must be a floating-point NumPy array, got list"),
    (np.array([1, 2]), 1e-5, "x must be a floating-point"),
    (np.array([1.0]), 0.0, "h must be > 0, got 0.0"),
    (np.array([1.0]), -1e-5, "h must be > 0"),
])
def test_numerical_gradient_rejects_bad_input(x, h, message):
    with pytest.raises(ValueError, match=message):
        numerical_gradient(lambda v: 0.0, x, h=h)


def test_max_relative_error_by_hand():
    assert max_relative_error([1.0, 2.0], [1.1, 2.0]) == pytest.approx(0.05)  # 0.1 / 2
    assert max_relative_error(np.array([3.0, -4.0]), np.array([3.0, -4.0])) == 0.0


def test_max_relative_error_ignores_tiny_noise_on_zero_entries():
    # entrywise relative error would be 1 on the first entry; scaled by the largest it is tiny
    assert max_relative_error([0.0, 10.0], [1e-11, 10.0]) == pytest.approx(1e-12)


def test_max_relative_error_is_symmetric_and_handles_zero_arrays():
    a, n = np.array([0.5, -2.0]), np.array([0.4, -2.5])
    assert max_relative_error(a, n) == max_relative_error(n, a) == pytest.approx(0.2)
    assert max_relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert max_relative_error(np.zeros(2), np.array([0.0, 1e-3])) == pytest.approx(1.0)
    assert max_relative_error(np.zeros((0,)), np.zeros((0,))) == 0.0


def test_max_relative_error_rejects_shape_mismatch():
    with pytest.raises(ValueError, match=r"differ in shape: \(2,\) vs \(3,\)"):
        max_relative_error(np.zeros(2), np.zeros(3))


# -- check: every parameter at once, with the random generator reset ------------------------------
def _quadratic(A, b):
    """Return (loss, dA, db) of sum(A @ b)^2 / 2."""
    r = A @ b
    return 0.5 * float(r @ r), np.outer(r, b), A.T @ r


def test_check_passes_correct_gradients_and_finds_the_wrong_entry():
    rng = np.random.default_rng(0)
    A, b = rng.normal(size=(3, 4)), rng.normal(size=4)
    assert all(r.error < 1e-8 for r in check(_quadratic, [A, b]))

    def broken(A, b):
        loss, dA, db = _quadratic(A, b)
        dA = dA.copy()
        dA[2, 1] += 1.0
        return loss, dA, db

    bad, good = check(broken, [A, b])
    assert bad.error > 0.1 and bad.worst_index == (2, 1) and good.error < 1e-8


def test_check_resets_the_generator_before_every_evaluation():
    # A loss that draws noise: without the reset every evaluation would see different draws.
    x = np.array([0.3, -1.2])

    def noisy(x, rng=np.random.default_rng(5)):
        w = rng.normal(size=2)
        return float(w @ x), w.copy()

    rng = np.random.default_rng(5)
    (result,) = check(lambda x: noisy(x, rng), [x], rng=rng)
    assert result.error < 1e-9


def test_check_validates_its_arguments():
    with pytest.raises(ValueError, match="one gradient per parameter"):
        check(lambda a, b: (0.0, a), [np.zeros(2), np.zeros(2)])
    with pytest.raises(ValueError, match="rng must be"):
        check(_quadratic, [np.eye(2), np.ones(2)], rng=3)
