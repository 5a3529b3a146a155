"""inputs: forming h and spreading its step; one CBOW batch through NumPy, PyTorch and a plain loop."""
import numpy as np
import pytest

from w2v_teach import inputs, negative_sampling

V, DIM, WINDOW, GROUP, S, K, LR = 9, 4, 2, 3, 2, 5, 0.05


def _batch(seed=0, B=6):
    """Return float64 tables and one CBOW batch: windows (B, 2*WINDOW) padded with -1, targets,
    noise (G, S) shared by groups of GROUP examples, none equal to a target of its group."""
    rng = np.random.default_rng(seed)
    W_in, W_out = rng.normal(scale=0.5, size=(V, DIM)), rng.normal(scale=0.5, size=(V, DIM))
    windows = rng.integers(0, V, (B, 2 * WINDOW))
    windows[rng.random(windows.shape) < 0.4] = -1
    windows[:, 0] = rng.integers(0, V, B)  # at least one real context word
    windows[1, 1] = windows[1, 0]  # a word twice in one window
    targets = rng.integers(0, 6, B)
    noise = rng.integers(6, V, (-(-B // GROUP), S))  # ids 6.. never equal a target (0..5)
    return W_in, W_out, windows, targets, noise


def plain_cbow_step(W_in, W_out, windows, targets, noise, rule):
    """One minibatch SGD step written example by example (every gradient at the batch's start)."""
    d_in, d_out = np.zeros_like(W_in), np.zeros_like(W_out)
    for b, (window, t) in enumerate(zip(windows, targets)):
        words = [w for w in window if w >= 0]
        h = W_in[words].mean(axis=0)
        dh = np.zeros(DIM)
        for word, label, weight in [(t, 1.0, 1.0)] + [(k, 0.0, K / S) for k in noise[b // GROUP]]:
            g = weight * (1 / (1 + np.exp(-W_out[word] @ h)) - label)  # d loss / d score
            dh += g * W_out[word]
            d_out[word] += g * h
        for w in words:
            d_in[w] += dh if rule == "c_tool" else dh / len(words)
    return W_in - LR * d_in, W_out - LR * d_out


def numpy_cbow_step(W_in, W_out, windows, targets, noise, rule):
    """The step sgns.train takes: inputs.update with the shared-noise output layer."""
    W_in, W_out = W_in.copy(), W_out.copy()
    inputs.update(W_in, windows, "cbow",
                  lambda h: negative_sampling.shared_step(W_out, h, targets, noise, LR, K / S), rule)
    return W_in, W_out


def torch_cbow_step(W_in, W_out, windows, targets, noise, rule):
    """The step torch_models.train takes: torch_batches.sgd_step on the stacked table."""
    torch = pytest.importorskip("torch")
    from w2v_teach import torch_batches as tb

    W = torch.cat([torch.tensor(W_in), torch.tensor(W_out), torch.zeros(1, DIM, dtype=torch.float64)])
    slots = np.where(windows >= 0, windows, 2 * V).ravel()
    index = torch.tensor(np.concatenate([slots, targets + V, noise.ravel() + V]))
    tb.sgd_step(W, index, len(targets), tb.BatchLayout("cbow", WINDOW, GROUP, S), weight=K / S, lr=LR,
                want_loss=False, cbow_exact=rule == "exact")
    return W[:V].numpy(), W[V:2 * V].numpy()


@pytest.mark.parametrize("rule", ["c_tool", "exact"])
def test_one_cbow_batch_gives_the_same_tables_in_numpy_pytorch_and_a_plain_loop(rule):
    batch = _batch()
    expected = plain_cbow_step(*batch, rule)
    for step in (numpy_cbow_step, torch_cbow_step):
        got = step(*batch, rule)
        np.testing.assert_allclose(got[0], expected[0], rtol=1e-12, atol=1e-14, err_msg=step.__name__)
        np.testing.assert_allclose(got[1], expected[1], rtol=1e-12, atol=1e-14, err_msg=step.__name__)


@pytest.mark.parametrize("sum_with", ["sparse", "reduceat"])
def test_hidden_is_the_centre_row_or_the_context_average(sum_with):
    W_in, _, windows, _, _ = _batch(seed=1)
    h, rows = inputs.hidden(W_in, windows, "cbow", sum_with)
    expected = np.array([W_in[[w for w in row if w >= 0]].mean(axis=0) for row in windows])
    np.testing.assert_allclose(h, expected, rtol=1e-12)
    assert rows.ids.tolist() == windows[windows >= 0].tolist()
    h, rows = inputs.hidden(W_in, np.array([3, 3, 5]), "skipgram")
    np.testing.assert_array_equal(h, W_in[[3, 3, 5]])
    assert rows.owner is None


def test_spread_gives_each_context_word_all_of_h_step_or_its_share():
    W = np.zeros((5, 2))
    rows = inputs.hidden(W, np.array([[1, 2, -1, 2]]), "cbow")[1]  # words 1, 2, 2: n = 3
    step = np.array([[3.0, 6.0]])
    c_tool, exact = W.copy(), W.copy()
    inputs.spread(c_tool, rows, step, "c_tool")
    inputs.spread(exact, rows, step, "exact")
    np.testing.assert_allclose(c_tool[[1, 2]], [[3, 6], [6, 12]])
    np.testing.assert_allclose(exact[[1, 2]], [[1, 2], [2, 4]])


def test_update_names_a_bad_rule():
    W_in, W_out, windows, targets, noise = _batch()
    with pytest.raises(ValueError, match="cbow_update"):
        inputs.update(W_in, windows, "cbow", lambda h: (None, h), "mean")
