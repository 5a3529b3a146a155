"""Tests of w2v_teach.sgns against independent golds: finite differences, PyTorch autograd,
explicit per-pair loops, np.add.at, and the planted analogies of the world corpus."""
from __future__ import annotations

import math

import numpy as np
import pytest

from w2v_teach import sgns
from w2v_teach.datasets import world_corpus
from w2v_teach import gradcheck


def _sgns_step(W_in, W_out, inputs, targets, noise, shared, lr, scale, with_loss, model="skipgram", exact=False):
    """One SGD step as sgns.train takes it: inputs.update with the negative-sampling layer."""
    from w2v_teach import inputs as inputs_mod, negative_sampling

    layer = negative_sampling.shared_step if shared else negative_sampling.per_example_step
    return inputs_mod.update(W_in, inputs, model, lambda h: layer(W_out, h, targets, noise, lr, scale, with_loss),
                             "exact" if exact else "c_tool")


def _problem(rng, V=9, dim=4, B=6, K=3, scale=0.5):
    """Return float64 (W_in, W_out, centers, contexts, negatives) with repeated ids."""
    W_in = rng.normal(scale=scale, size=(V, dim))
    W_out = rng.normal(scale=scale, size=(V, dim))
    centers = np.array([0, 1, 1, 2, 3, 1])[:B]  # word 1 is a centre three times
    contexts = np.array([4, 4, 5, 0, 1, 6])[:B]  # word 4 is a context twice
    negatives = rng.integers(0, V, size=(B, K))
    negatives[0, :2] = 7  # a noise word drawn twice for one pair
    return W_in, W_out, centers, contexts, negatives


def _sigma(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


# -- loss_and_grads ------------------------------------------------------------------------------
def test_loss_equals_the_per_pair_formula_by_loop(rng):
    W_in, W_out, c, o, neg = _problem(rng)
    loss, _, _ = sgns.loss_and_grads(W_in, W_out, c, o, neg)
    total = 0.0
    for b in range(len(c)):
        v = W_in[c[b]]
        total -= math.log(_sigma(W_out[o[b]] @ v))
        for k in neg[b]:
            total -= math.log(_sigma(-(W_out[k] @ v)))
    assert loss == pytest.approx(total / len(c), rel=1e-12)


def test_gradients_pass_a_float64_finite_difference_check(rng):
    W_in, W_out, c, o, neg = _problem(rng)
    _, dW_in, dW_out = sgns.loss_and_grads(W_in, W_out, c, o, neg)
    for result in gradcheck.check(lambda a, b: sgns.loss_and_grads(a, b, c, o, neg), [W_in, W_out]):
        assert result.error < 1e-6, result
    # rows of words in no pair get no gradient
    assert np.all(dW_in[[5, 6, 7, 8]] == 0.0)


def test_gradients_match_torch_autograd(rng):
    torch = pytest.importorskip("torch")
    W_in, W_out, c, o, neg = _problem(rng, V=12, dim=5, B=6, K=4)
    loss, dW_in, dW_out = sgns.loss_and_grads(W_in, W_out, c, o, neg)
    t_in = torch.tensor(W_in, requires_grad=True)
    t_out = torch.tensor(W_out, requires_grad=True)
    v = t_in[torch.tensor(c)]
    pos = (t_out[torch.tensor(o)] * v).sum(1)
    negs = torch.einsum("bkd,bd->bk", t_out[torch.tensor(neg)], v)
    t_loss = -(torch.nn.functional.logsigmoid(pos) + torch.nn.functional.logsigmoid(-negs).sum(1)).mean()
    t_loss.backward()
    assert loss == pytest.approx(t_loss.item(), rel=1e-12)
    np.testing.assert_allclose(dW_in, t_in.grad.numpy(), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(dW_out, t_out.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_loss_is_stable_for_huge_scores():
    W_in = np.array([[30.0, 0.0], [0.0, 0.0], [-30.0, 0.0]])
    W_out = np.array([[-30.0, 0.0], [30.0, 0.0], [0.0, 0.0]])
    # u_o . v = -900 for the positive, +900 for the noise word: log sigma underflows naively
    loss, dW_in, dW_out = sgns.loss_and_grads(W_in, W_out, [0], [0], [[1]])
    assert loss == pytest.approx(1800.0)
    assert np.isfinite(dW_in).all() and np.isfinite(dW_out).all()
    assert sgns.log_sigmoid(np.array([-1000.0, 0.0, 1000.0])) == pytest.approx([-1000.0, math.log(0.5), 0.0])


@pytest.mark.parametrize("kwargs, name", [
    (dict(centers=[0, 9]), "centers"),
    (dict(contexts=[[0, 1]]), "contexts"),
    (dict(negatives=[1, 2]), "negatives"),
    (dict(negatives=[[1], [-1]]), "negatives"),
    (dict(contexts=[0, 1, 2]), "contexts"),
    (dict(negatives=np.zeros((3, 2), dtype=int)), "negatives"),
])
def test_loss_and_grads_rejects_bad_batches(kwargs, name):
    W = np.zeros((5, 3))
    args = dict(W_in=W, W_out=W, centers=[0, 1], contexts=[1, 2], negatives=[[3], [4]])
    args.update(kwargs)
    with pytest.raises(ValueError, match=name):
        sgns.loss_and_grads(**args)


def test_loss_and_grads_rejects_mismatched_matrices_and_empty_batches():
    with pytest.raises(ValueError, match="W_out"):
        sgns.loss_and_grads(np.zeros((5, 3)), np.zeros((5, 2)), [0], [1], [[2]])
    with pytest.raises(ValueError, match="W_in"):
        sgns.loss_and_grads(np.full((5, 3), np.nan), np.zeros((5, 3)), [0], [1], [[2]])
    with pytest.raises(ValueError, match="empty"):
        sgns.loss_and_grads(np.zeros((5, 3)), np.zeros((5, 3)), np.array([], int), np.array([], int),
                            np.zeros((0, 2), int))


# (scatter-add: tests/test_scatter.py)


@pytest.mark.parametrize("bad", [-1, 3])
def test_scatter_add_rejects_an_id_outside_the_table_by_name(bad):
    # -1 would otherwise land in the last row (negative indexing), 3 in an IndexError from NumPy.
    target = np.zeros((3, 2))
    with pytest.raises(ValueError, match=rf"ids contains id {bad}, outside the vocabulary range \[0, 3\)"):
        sgns.scatter_add(target, [0, bad], np.ones((2, 2)))
    assert not target.any()


# -- one training step against explicit loops ------------------------------------------------------
def _loop_step(W_in, W_out, inputs, targets, noise_of_row, weight, lr, cbow=False):
    """Return (W_in, W_out) after one summed SGD step, every term written out pair by pair."""
    new_in, new_out = W_in.copy(), W_out.copy()
    for b in range(len(targets)):
        ctx = [i for i in np.atleast_1d(inputs[b]) if i >= 0]
        h = W_in[ctx].mean(axis=0)
        u = W_out[targets[b]]
        g = _sigma(u @ h) - 1.0
        dh = g * u
        new_out[targets[b]] -= lr * g * h
        for k in noise_of_row(b):
            if k == targets[b]:
                continue  # a noise word equal to the true word is skipped, as in the C tool
            gk = weight * _sigma(W_out[k] @ h)
            dh = dh + gk * W_out[k]
            new_out[k] -= lr * gk * h
        for i in ctx:  # CBOW: every context word gets h's whole step (C tool, gensim)
            new_in[i] -= lr * dh
    return new_in, new_out


@pytest.mark.parametrize("model", ["skipgram", "cbow"])
@pytest.mark.parametrize("shared", [True, False])
def test_one_step_equals_the_pair_by_pair_loop(rng, model, shared):
    V, dim, B, K, S, size, lr = 15, 6, 11, 3, 4, 4, 0.3
    W_in = rng.normal(scale=0.4, size=(V, dim))
    W_out = rng.normal(scale=0.4, size=(V, dim))
    targets = rng.integers(0, 5, size=B)  # small range: repeated words
    if model == "skipgram":
        inputs = rng.integers(0, 5, size=B)
    else:
        inputs = rng.integers(0, V, size=(B, 4))
        inputs[rng.random((B, 4)) < 0.3] = -1
        inputs[:, 0] = rng.integers(0, V, size=B)  # at least one real context word
    if shared:
        noise = rng.integers(0, V, size=(-(-B // size), S))  # 3 groups, the last one partial
        noise[0, 1] = targets[0]  # a collision with a true word
        noise_of_row, weight = (lambda b: noise[b // size]), K / S
    else:
        noise = rng.integers(0, V, size=(B, K))
        noise[0, 1] = targets[0]
        noise_of_row, weight = (lambda b: noise[b]), 1.0
    expected_in, expected_out = _loop_step(W_in, W_out, inputs, targets, noise_of_row, weight, lr)
    got_in, got_out = W_in.copy(), W_out.copy()
    _sgns_step(got_in, got_out, inputs, targets, noise, shared, lr, weight, True, model=model)
    np.testing.assert_allclose(got_in, expected_in, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(got_out, expected_out, rtol=1e-10, atol=1e-12)


def test_per_pair_step_is_lr_times_batch_times_the_mean_gradient(rng):
    """The trainer's step is lr * B * gradient of the batch-mean loss (no collisions here)."""
    W_in, W_out, c, o, neg = _problem(rng, V=12, B=6, K=3)
    neg = np.where(neg == o[:, None], 11, neg)  # no noise word equals its pair's context word
    lr = 0.1
    _, dW_in, dW_out = sgns.loss_and_grads(W_in, W_out, c, o, neg)
    got_in, got_out = W_in.copy(), W_out.copy()
    loss = _sgns_step(got_in, got_out, c, o, neg, False, lr, 1.0, True)
    np.testing.assert_allclose(got_in, W_in - lr * len(c) * dW_in, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(got_out, W_out - lr * len(c) * dW_out, rtol=1e-10, atol=1e-12)
    assert loss / len(c) == pytest.approx(sgns.loss_and_grads(W_in, W_out, c, o, neg)[0])


# -- train ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def small_world():
    return world_corpus(20_000, seed=1).tokens


@pytest.mark.parametrize("kwargs, name", [
    (dict(negatives=0), "negatives"),
    (dict(dim=0), "dim"),
    (dict(lr=0.0), "lr"),
    (dict(lr=-0.1), "lr"),
    (dict(epochs=0), "epochs"),
    (dict(window=0), "window"),
    (dict(batch_size=0), "batch_size"),
    (dict(shared_negatives=0), "shared_negatives"),
    (dict(share_size=0), "share_size"),
    (dict(t=0.0), "t"),
    (dict(model="glove"), "model"),
    (dict(negatives=2.5), "negatives"),
])
def test_train_rejects_bad_hyperparameters_by_name(small_world, kwargs, name):
    with pytest.raises(ValueError, match=name):
        sgns.train(small_world, **kwargs)


def test_train_rejects_bad_corpora():
    with pytest.raises(ValueError, match="tokens"):
        sgns.train("the cat sat on the mat")
    with pytest.raises(ValueError, match="empty"):
        sgns.train([])
    with pytest.raises(ValueError, match="min_count"):
        sgns.train(["a"] * 10 + ["b"], min_count=5)


def test_train_is_reproducible_and_float32(small_world):
    kw = dict(dim=8, epochs=1, min_count=2)
    a = sgns.train(small_world, seed=3, **kw)
    b = sgns.train(small_world, seed=3, **kw)
    c = sgns.train(small_world, seed=4, **kw)
    assert a.W_in.dtype == np.float32 and a.W_out.dtype == np.float32
    np.testing.assert_array_equal(a.W_in, b.W_in)
    assert not np.array_equal(a.W_in, c.W_in)
    assert a.embeddings.words == a.vocab.words and a.W_in.shape == (len(a.vocab), 8)


def test_train_counts_effective_words_after_subsampling(small_world):
    full = sgns.train(small_world, dim=8, epochs=2, t=None, min_count=2)
    n_ids = int(full.vocab.counts.sum())  # every in-vocabulary token, once per epoch
    assert full.words_trained == 2 * n_ids
    thinned = sgns.train(small_world, dim=8, epochs=2, t=1e-3, min_count=2)
    assert 0 < thinned.words_trained < full.words_trained
    assert thinned.words_per_second == pytest.approx(thinned.words_trained / thinned.seconds)


def test_training_lowers_the_loss_from_log2_times_k_plus_1(small_world):
    result = sgns.train(small_world, dim=16, epochs=3, min_count=2, t=1e-3, batch_size=256, loss_every=1)
    # W_out starts at zero, so every score is 0 and each of the 1 + K terms is log 2, except the
    # few noise words that equal the true word (skipped, so slightly less than 6 log 2)
    assert 5.7 * math.log(2) < result.losses[0] <= 6 * math.log(2) + 1e-6
    assert result.losses[-20:].mean() < result.losses[0] - 0.5


def test_divergence_raises_floating_point_error(small_world):
    with pytest.raises(FloatingPointError, match="lr"):
        sgns.train(small_world, dim=8, epochs=1, min_count=2, lr=1e6, loss_every=1)


@pytest.mark.parametrize("kwargs", [dict(model="cbow"), dict(shared_negatives=None)])
def test_other_variants_train(small_world, kwargs):
    result = sgns.train(small_world, dim=8, epochs=1, min_count=2, **kwargs)
    assert np.isfinite(result.losses).all() and result.losses[-1] < result.losses[0]
    assert result.info["model"] == kwargs.get("model", "skipgram")


def test_the_c_tool_cbow_rule_gives_each_context_word_n_times_the_exact_step():
    rng = np.random.default_rng(2)
    W_in, W_out = rng.normal(0, 0.3, (8, 4)), rng.normal(0, 0.3, (8, 4))
    windows_, targets = np.array([[1, 2, 3, 4]]), np.array([5])  # one window of 4 distinct words
    noise = np.array([[6, 7]])
    moved = {}
    for exact in (False, True):
        A, B = W_in.copy(), W_out.copy()
        _sgns_step(A, B, windows_, targets, noise, False, 0.1, 1.0, False, model="cbow", exact=exact)
        moved[exact] = (A - W_in, B - W_out)
    np.testing.assert_allclose(moved[False][0], 4 * moved[True][0], rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(moved[False][1], moved[True][1])


def test_exact_cbow_trains_and_is_recorded(small_world):
    result = sgns.train(small_world, dim=8, epochs=1, min_count=2, model="cbow", cbow_update="exact", lr=0.2)
    assert result.info["cbow_update"] == "exact" and result.losses[-1] < result.losses[0]
