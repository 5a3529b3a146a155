"""Tests for w2v_teach.cbow_softmax against finite differences, per-example loops and torch autograd."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from w2v_teach import cbow_softmax as cs
from w2v_teach.gradcheck import check, max_relative_error, numerical_gradient


def random_problem(V, dim, B, C, seed, pad=0.4):
    """Return float64 W_in, W_out and a batch with -1 padding (every row keeps one real word)."""
    rng = np.random.default_rng(seed)
    W_in = rng.normal(size=(V, dim))
    W_out = rng.normal(size=(V, dim))
    contexts = rng.integers(0, V, size=(B, C))
    contexts[rng.random((B, C)) < pad] = -1
    keep = rng.integers(0, C, size=B)  # one guaranteed real slot per row
    contexts[np.arange(B), keep] = rng.integers(0, V, size=B)
    targets = rng.integers(0, V, size=B)
    return W_in, W_out, contexts, targets


def loop_loss(W_in, W_out, contexts, targets):
    """Return the mean loss computed one example at a time, with plain Python sums."""
    total = 0.0
    for row, t in zip(contexts.tolist(), targets.tolist()):
        real = [c for c in row if c >= 0]
        h = sum(W_in[c] for c in real) / len(real)
        scores = W_out @ h
        m = max(scores)
        log_z = m + np.log(sum(np.exp(s - m) for s in scores))
        total += log_z - scores[t]
    return total / len(targets)


# -- the loss and its gradients --------------------------------------------------------------
@pytest.mark.parametrize("V, dim, B, C", [(5, 3, 1, 2), (7, 4, 6, 4), (11, 2, 9, 6), (4, 5, 3, 10)])
def test_gradients_match_finite_differences(V, dim, B, C):
    W_in, W_out, contexts, targets = random_problem(V, dim, B, C, seed=V * 100 + B)
    loss, dW_in, dW_out = cs.loss_and_grads(W_in, W_out, contexts, targets)
    for result in check(lambda a, b: cs.loss_and_grads(a, b, contexts, targets), [W_in, W_out]):
        assert result.error < 1e-6, result
    assert dW_in.shape == W_in.shape and dW_out.shape == W_out.shape


def test_repeated_context_words_all_count():
    # word 1 appears twice in row 0 and once in row 1: its gradient must add all three shares
    W_in, W_out, _, _ = random_problem(4, 3, 2, 3, seed=3)
    contexts = np.array([[1, 1, -1], [1, 2, 0]])
    targets = np.array([3, 2])
    _, dW_in, _ = cs.loss_and_grads(W_in, W_out, contexts, targets)
    num = numerical_gradient(lambda x: cs.loss_and_grads(x, W_out, contexts, targets)[0], W_in)
    assert max_relative_error(dW_in, num) < 1e-6
    assert np.abs(dW_in[3]).max() == 0.0  # word 3 is in no context


def test_loss_equals_per_example_loop():
    W_in, W_out, contexts, targets = random_problem(9, 4, 7, 6, seed=1)
    loss, _, _ = cs.loss_and_grads(W_in, W_out, contexts, targets)
    assert loss == pytest.approx(loop_loss(W_in, W_out, contexts, targets), rel=1e-12)


def test_padding_is_ignored():
    W_in, W_out, contexts, targets = random_problem(8, 3, 5, 4, seed=2)
    wider = np.concatenate([contexts, np.full((5, 3), -1)], axis=1)  # extra padding columns
    a = cs.loss_and_grads(W_in, W_out, contexts, targets)
    b = cs.loss_and_grads(W_in, W_out, wider, targets)
    assert a[0] == pytest.approx(b[0], rel=1e-14)
    np.testing.assert_allclose(a[1], b[1], rtol=1e-13)
    np.testing.assert_allclose(a[2], b[2], rtol=1e-13)


def test_gradients_match_torch_autograd():
    torch = pytest.importorskip("torch")
    W_in, W_out, contexts, targets = random_problem(10, 4, 8, 6, seed=4)
    loss, dW_in, dW_out = cs.loss_and_grads(W_in, W_out, contexts, targets)
    t_in = torch.tensor(W_in, requires_grad=True)
    t_out = torch.tensor(W_out, requires_grad=True)
    mask = torch.tensor(contexts >= 0, dtype=torch.float64)
    rows = t_in[torch.tensor(np.maximum(contexts, 0))] * mask[:, :, None]
    h = rows.sum(1) / mask.sum(1, keepdim=True)
    t_loss = torch.nn.functional.cross_entropy(h @ t_out.T, torch.tensor(targets))
    t_loss.backward()
    assert loss == pytest.approx(t_loss.item(), rel=1e-12)
    np.testing.assert_allclose(dW_in, t_in.grad.numpy(), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(dW_out, t_out.grad.numpy(), rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("V", [2, 10, 1000])
def test_uniform_model_loss_is_log_v(V):
    rng = np.random.default_rng(V)
    W_in = rng.normal(size=(V, 5))
    W_out = np.zeros((V, 5))  # every score 0: a uniform prediction
    contexts = rng.integers(0, V, size=(16, 4))
    targets = rng.integers(0, V, size=16)
    loss, _, _ = cs.loss_and_grads(W_in, W_out, contexts, targets)
    assert loss == pytest.approx(np.log(V), rel=1e-12)


def test_one_sgd_step_lowers_the_loss_on_its_batch():
    W_in, W_out, contexts, targets = random_problem(20, 6, 32, 4, seed=5)
    W_in, W_out = W_in * 0.1, W_out * 0.1
    loss, dW_in, dW_out = cs.loss_and_grads(W_in, W_out, contexts, targets)
    after, _, _ = cs.loss_and_grads(W_in - 0.5 * dW_in, W_out - 0.5 * dW_out, contexts, targets)
    assert after < loss


def test_float32_stays_float32():
    W_in, W_out, contexts, targets = random_problem(6, 3, 4, 4, seed=6)
    loss, dW_in, dW_out = cs.loss_and_grads(W_in.astype(np.float32), W_out.astype(np.float32),
                                            contexts, targets)
    assert dW_in.dtype == np.float32 and dW_out.dtype == np.float32
    assert loss == pytest.approx(cs.loss_and_grads(W_in, W_out, contexts, targets)[0], rel=1e-5)


def test_the_steps_sparse_scatter_equals_np_add_at():
    # sgd_step scatters with a sparse product (scatter.add_rows), loss_and_grads with np.add.at
    W_in, W_out, contexts, targets = random_problem(15, 4, 40, 6, seed=7)
    contexts[:5] = np.where(contexts[:5] >= 0, 3, -1)  # many repeats of word 3
    _, dW_in, dW_out = cs.loss_and_grads(W_in, W_out, contexts, targets)
    A, B = W_in.copy(), W_out.copy()
    cs.sgd_step(A, B, contexts, targets, lr=1.0)
    np.testing.assert_allclose(W_in - A, dW_in, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(W_out - B, dW_out, rtol=1e-12, atol=1e-15)


def test_sgd_step_checks_its_arguments():
    W_in, W_out, contexts, targets = random_problem(6, 3, 4, 2, seed=1)
    with pytest.raises(ValueError, match="targets contains id 9"):
        cs.sgd_step(W_in, W_out, contexts, np.array([0, 1, 2, 9]), lr=0.1)
    with pytest.raises(ValueError, match="lr must be > 0"):
        cs.sgd_step(W_in, W_out, contexts, targets, lr=-1.0)


# -- softmax and predictions ------------------------------------------------------------------
def test_softmax_is_stable_for_huge_scores():
    scores = np.array([[1000.0, 1000.0, 0.0], [-1000.0, -1000.0, -1000.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow warning would fail the test
        p = cs.softmax(scores)
    np.testing.assert_allclose(p, [[0.5, 0.5, 0.0], [1 / 3, 1 / 3, 1 / 3]], atol=1e-15)


def test_loss_is_finite_for_huge_scores():
    W_in = np.array([[30.0], [0.0]])
    W_out = np.array([[40.0], [-40.0]])  # scores of 1200 and -1200
    loss, dW_in, dW_out = cs.loss_and_grads(W_in, W_out, np.array([[0]]), np.array([1]))
    assert loss == pytest.approx(2400.0)
    assert np.isfinite(dW_in).all() and np.isfinite(dW_out).all()


def test_probabilities_match_the_loss_and_temperature():
    W_in, W_out, contexts, targets = random_problem(9, 3, 5, 4, seed=8)
    p = cs.probabilities(W_in, W_out, contexts)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-12)
    loss, _, _ = cs.loss_and_grads(W_in, W_out, contexts, targets)
    assert -np.log(p[np.arange(5), targets]).mean() == pytest.approx(loss, rel=1e-12)
    hot, cold = cs.probabilities(W_in, W_out, contexts, 10.0), cs.probabilities(W_in, W_out, contexts, 0.1)
    assert hot.max(axis=1).mean() < p.max(axis=1).mean() < cold.max(axis=1).mean()
    np.testing.assert_allclose(cs.probabilities(W_in, W_out, contexts, np.float32(0.1)), cold, rtol=1e-6)
    for bad in (0.0, -1.0, float("inf"), True, "2"):
        with pytest.raises(ValueError, match="temperature"):
            cs.probabilities(W_in, W_out, contexts, bad)


# -- bad inputs -------------------------------------------------------------------------------
@pytest.fixture
def problem():
    return random_problem(6, 3, 4, 4, seed=9)


def test_context_id_out_of_range(problem):
    W_in, W_out, contexts, targets = problem
    contexts[1, 0] = 6
    with pytest.raises(ValueError, match=r"contexts contains id 6"):
        cs.loss_and_grads(W_in, W_out, contexts, targets)
    contexts[1, 0] = -2
    with pytest.raises(ValueError, match=r"contexts contains id -2"):
        cs.loss_and_grads(W_in, W_out, contexts, targets)


def test_target_id_out_of_range(problem):
    W_in, W_out, contexts, targets = problem
    targets[0] = -1  # padding is not allowed for centre words
    with pytest.raises(ValueError, match=r"targets contains id -1"):
        cs.loss_and_grads(W_in, W_out, contexts, targets)
    targets[0] = 99
    with pytest.raises(ValueError, match=r"targets contains id 99"):
        cs.loss_and_grads(W_in, W_out, contexts, targets)


def test_wrong_shapes(problem):
    W_in, W_out, contexts, targets = problem
    with pytest.raises(ValueError, match="W_out must have the shape of W_in"):
        cs.loss_and_grads(W_in, W_out[:, :2], contexts, targets)
    with pytest.raises(ValueError, match="W_in must be a 2-D matrix"):
        cs.loss_and_grads(W_in[0], W_out, contexts, targets)
    with pytest.raises(ValueError, match="contexts must be 2-dimensional"):
        cs.loss_and_grads(W_in, W_out, contexts[0], targets)
    with pytest.raises(ValueError, match="targets must be 1-dimensional"):
        cs.loss_and_grads(W_in, W_out, contexts, targets[:, None])
    with pytest.raises(ValueError, match="targets has 3 entries but contexts has 4 rows"):
        cs.loss_and_grads(W_in, W_out, contexts, targets[:3])


def test_bad_dtypes_and_values(problem):
    W_in, W_out, contexts, targets = problem
    with pytest.raises(ValueError, match="contexts must hold integer word ids"):
        cs.loss_and_grads(W_in, W_out, contexts.astype(float), targets)
    with pytest.raises(ValueError, match="W_in must hold floating-point"):
        cs.loss_and_grads(W_in.astype(int), W_out, contexts, targets)
    W_out = W_out.copy()
    W_out[2, 1] = np.nan
    with pytest.raises(ValueError, match="W_out contains a non-finite value"):
        cs.loss_and_grads(W_in, W_out, contexts, targets)


def test_empty_batch(problem):
    W_in, W_out, _, _ = problem
    with pytest.raises(ValueError, match="empty batch"):
        cs.loss_and_grads(W_in, W_out, np.zeros((0, 4), dtype=np.int64), np.zeros(0, dtype=np.int64))


def test_row_without_context(problem):
    W_in, W_out, contexts, targets = problem
    contexts[2] = -1
    with pytest.raises(ValueError, match="contexts row 2 has no real context word"):
        cs.loss_and_grads(W_in, W_out, contexts, targets)


# -- training ---------------------------------------------------------------------------------
def test_train_learns_a_structured_corpus(cycle_tokens):
    tokens = cycle_tokens(3000)
    res = cs.train(tokens, dim=8, window=2, epochs=5, lr=1.0, batch_size=32, t=None, seed=1,
                   loss_every=5)
    V = len(res.vocab)
    assert V == 12 and res.W_in.shape == (V, 8) and res.W_out.shape == (V, 8)
    assert res.losses[0] < np.log(V) + 0.05  # starts near the uniform model
    assert res.losses[-1] < res.losses[0] - 0.5  # and learns the cycle
    assert res.words_per_second > 0 and res.words_trained > 0 and res.seconds > 0
    assert res.info["batches"] == 5 * int(np.ceil(3000 / 32))  # every position is an example
    assert res.words_trained == 5 * 3000
    assert len(res.losses) == int(np.ceil(res.info["batches"] / 5))
    # after training, w3 w4 _ w6 w7 should be filled in with w5
    ctx = np.array([[res.vocab.index(w) for w in ("w3", "w4", "w6", "w7")]])
    p = cs.probabilities(res.W_in, res.W_out, ctx)[0]
    assert res.vocab.words[int(p.argmax())] == "w5"


def test_train_is_reproducible_and_keeps_the_chosen_matrix(cycle_tokens):
    tokens = cycle_tokens(800)
    a = cs.train(tokens, dim=4, window=2, epochs=1, lr=1.0, batch_size=64, t=None, seed=3)
    b = cs.train(tokens, dim=4, window=2, epochs=1, lr=1.0, batch_size=64, t=None, seed=3, keep="avg")
    c = cs.train(tokens, dim=4, window=2, epochs=1, lr=1.0, batch_size=64, t=None, seed=3, keep="out")
    np.testing.assert_array_equal(a.W_in, b.W_in)
    np.testing.assert_array_equal(a.losses, b.losses)
    np.testing.assert_array_equal(a.embeddings.vectors, a.W_in)
    np.testing.assert_allclose(b.embeddings.vectors, (b.W_in + b.W_out) / 2)
    np.testing.assert_array_equal(c.embeddings.vectors, c.W_out)
    assert a.W_in.dtype == np.float32


def test_train_limits_the_vocabulary_and_subsamples(cycle_tokens):
    tokens = cycle_tokens(2000, vocab=30)
    res = cs.train(tokens, dim=4, window=2, epochs=2, lr=1.0, batch_size=64, max_size=10, t=1e-2)
    assert len(res.vocab) == 10 and res.W_in.shape == (10, 4)
    full = cs.train(tokens, dim=4, window=2, epochs=2, lr=1.0, batch_size=64, max_size=10, t=None)
    assert res.words_trained < full.words_trained  # subsampling dropped tokens


def test_train_divergence_raises_floating_point_error(cycle_tokens):
    tokens = cycle_tokens(2000)
    with pytest.raises(FloatingPointError, match="try a smaller lr"):
        cs.train(tokens, dim=8, window=2, epochs=3, lr=1e30, batch_size=16, t=None)


@pytest.mark.parametrize("kwargs, name", [
    ({"dim": 0}, "dim"), ({"window": 0}, "window"), ({"epochs": 0}, "epochs"), ({"lr": -1.0}, "lr"),
    ({"batch_size": 0}, "batch_size"), ({"keep": "both"}, "keep"), ({"max_size": 0}, "max_size"),
    ({"loss_every": 0}, "loss_every"), ({"dtype": np.int32}, "dtype"), ({"t": 0.0}, "t"),
    ({"blas_threads": 0}, "blas_threads"), ({"seed": 1.5}, "seed"),
])
def test_train_rejects_bad_hyperparameters(kwargs, name, cycle_tokens):
    with pytest.raises(ValueError, match=name):
        cs.train(cycle_tokens(100), **kwargs)


def test_train_rejects_bad_corpora():
    with pytest.raises(ValueError, match="tokens must be a list"):
        cs.train("a b c")
    with pytest.raises(ValueError, match="tokens is empty"):
        cs.train([])
    with pytest.raises(ValueError, match="too small"):
        cs.train(["a"])


def test_sgd_step_applies_the_gradients_in_place():
    W_in, W_out, contexts, targets = random_problem(12, 4, 20, 6, seed=10)
    loss, dW_in, dW_out = cs.loss_and_grads(W_in, W_out, contexts, targets)
    A, B = W_in.copy(), W_out.copy()
    assert cs.sgd_step(A, B, contexts, targets, lr=0.3) == pytest.approx(loss, rel=1e-14)
    np.testing.assert_allclose(A, W_in - 0.3 * dW_in, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(B, W_out - 0.3 * dW_out, rtol=1e-12, atol=1e-15)
    with pytest.raises(FloatingPointError, match="step 7"), np.errstate(all="ignore"):
        cs.sgd_step(A, np.full_like(B, 1e308), contexts, targets, lr=0.3, step=7)  # scores overflow




def test_train_with_a_progress_bar_gives_the_same_result(capsys, cycle_tokens):
    tokens = cycle_tokens(600)
    quiet = cs.train(tokens, dim=4, window=2, epochs=1, lr=1.0, batch_size=64, t=None, seed=4)
    loud = cs.train(tokens, dim=4, window=2, epochs=1, lr=1.0, batch_size=64, t=None, seed=4, progress=True)
    np.testing.assert_array_equal(quiet.W_in, loud.W_in)
    assert "cbow-softmax" in capsys.readouterr().err


def test_train_logs_a_held_out_loss_without_changing_training(cycle_tokens):
    tokens, held = cycle_tokens(3000), cycle_tokens(600, seed=1)
    kwargs = dict(dim=8, window=2, epochs=3, lr=1.0, batch_size=32, t=None, seed=1, loss_every=5)
    plain = cs.train(tokens, **kwargs)
    res = cs.train(tokens, held_out=held, **kwargs)
    np.testing.assert_array_equal(plain.W_in, res.W_in)  # the held-out text is never trained on
    np.testing.assert_array_equal(plain.losses, res.losses)
    curve = res.info["held_out_losses"]
    assert curve.shape == res.losses.shape and "held_out_losses" not in plain.info
    assert curve[0] < np.log(len(res.vocab)) + 0.05 and curve[-1] < curve[0] - 0.5  # it generalises
    # the last value is the loss of the examples under the final model, up to the last step's update
    assert np.isfinite(curve).all()


@pytest.mark.parametrize("bad, message", [("w1 w2 w3", "list of words"), ([1, 2, 3], "list of words"),
                                          (["unknown", "words"], "usable words")])
def test_train_rejects_a_bad_held_out_text(bad, message, cycle_tokens):
    with pytest.raises(ValueError, match=message):
        cs.train(cycle_tokens(500), dim=4, window=2, epochs=1, lr=1.0, batch_size=32, t=None, held_out=bad)
