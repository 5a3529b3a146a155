"""negative_sampling: the output layer of chapter 3, its two SGD steps against a plain per-example loop."""
import numpy as np
import pytest

from w2v_teach import negative_sampling as ns


def _tables(V=11, dim=4, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(scale=0.5, size=(V, dim)), rng.normal(scale=0.5, size=(V, dim))


def plain_output_step(W_out, h, targets, noise_of, weight, lr):
    """Return (W_out after the step, h's step, summed loss): one example at a time, all gradients
    taken at the batch's starting values, noise words equal to the true word skipped."""
    new, step_h, loss = W_out.copy(), np.zeros_like(h), 0.0
    for b, (hb, t) in enumerate(zip(h, targets)):
        s = W_out[t] @ hb
        g = 1 / (1 + np.exp(-s)) - 1
        loss += np.logaddexp(0, -s)
        step_h[b] -= lr * g * W_out[t]
        new[t] -= lr * g * hb
        for k in noise_of(b):
            if k == t:
                continue
            s_k = W_out[k] @ hb
            g_k = weight / (1 + np.exp(-s_k))
            loss += weight * np.logaddexp(0, s_k)
            step_h[b] -= lr * g_k * W_out[k]
            new[k] -= lr * g_k * hb
    return new, step_h, loss


@pytest.mark.parametrize("B, G", [(6, 2), (7, 3), (5, 1)])  # equal groups, a short last group, one set
def test_shared_step_equals_the_plain_loop(B, G):
    W_in, W_out = _tables()
    rng = np.random.default_rng(1)
    h, targets = W_in[rng.integers(0, 11, B)], rng.integers(0, 11, B)
    noise = rng.integers(0, 11, (G, 3))
    noise[0, 1] = targets[0]  # a collision: skipped
    size, K = -(-B // G), 5
    expected_out, expected_h, expected_loss = plain_output_step(W_out, h, targets, lambda b: noise[b // size],
                                                                K / 3, 0.1)
    got = W_out.copy()
    loss, step_h = ns.shared_step(got, h, targets, noise, 0.1, K / 3, with_loss=True)
    np.testing.assert_allclose(got, expected_out, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(step_h, expected_h, rtol=1e-12, atol=1e-14)
    assert loss == pytest.approx(expected_loss, rel=1e-12)


def test_per_example_step_equals_the_plain_loop_and_the_mean_gradient():
    W_in, W_out = _tables(seed=2)
    rng = np.random.default_rng(3)
    c, o = rng.integers(0, 11, 6), rng.integers(0, 11, 6)
    noise = rng.integers(0, 11, (6, 3))
    noise[noise == o[:, None]] = (o[:, None].repeat(3, 1)[noise == o[:, None]] + 1) % 11  # no collisions
    h = W_in[c]
    expected_out, expected_h, expected_loss = plain_output_step(W_out, h, o, lambda b: noise[b], 1.0, 0.1)
    got = W_out.copy()
    loss, step_h = ns.per_example_step(got, h, o, noise, 0.1, with_loss=True)
    np.testing.assert_allclose(got, expected_out, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(step_h, expected_h, rtol=1e-12, atol=1e-14)
    mean_loss, _, dW_out = ns.loss_and_grads(W_in, W_out, c, o, noise)
    assert loss / 6 == pytest.approx(mean_loss, rel=1e-12)
    np.testing.assert_allclose(got, W_out - 0.1 * 6 * dW_out, rtol=1e-12, atol=1e-14)


def test_loss_and_grads_matches_finite_differences():
    from w2v_teach.gradcheck import max_relative_error, numerical_gradient

    W_in, W_out = _tables(V=7, dim=3, seed=4)
    rng = np.random.default_rng(5)
    c, o, neg = rng.integers(0, 7, 4), rng.integers(0, 7, 4), rng.integers(0, 7, (4, 2))
    _, dW_in, dW_out = ns.loss_and_grads(W_in, W_out, c, o, neg)
    assert max_relative_error(dW_in, numerical_gradient(lambda W: ns.loss_and_grads(W, W_out, c, o, neg)[0],
                                                        W_in.copy())) < 1e-6
    assert max_relative_error(dW_out, numerical_gradient(lambda W: ns.loss_and_grads(W_in, W, c, o, neg)[0],
                                                         W_out.copy())) < 1e-6


def test_log_sigmoid_is_stable():
    assert ns.log_sigmoid(np.array([-1000.0]))[0] == -1000.0 and ns.log_sigmoid(np.array([1000.0]))[0] == 0.0
