"""Tests for w2v_teach.torch_models: autograd against the NumPy gradients, the hand-written SGD
step against autograd, sparse updates, the batch pipeline against windows, gensim round trips,
divergence and argument errors."""
from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from w2v_teach import cbow_softmax, sgns  # noqa: E402
from w2v_teach import torch_models as tm  # noqa: E402
from w2v_teach import torch_batches as tb  # noqa: E402
from w2v_teach import torch_train as tt  # noqa: E402
from w2v_teach.gradcheck import max_relative_error, numerical_gradient  # noqa: E402


@pytest.fixture(autouse=True)
def _two_threads():
    """Run every test with 2 torch threads (as the chapter does) and restore the setting after."""
    old = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(old)


def random_tables(V, dim, seed):
    """Return float64 W_in, W_out with entries of order 1 (so sigmoids are far from 0 and 1)."""
    rng = np.random.default_rng(seed)
    return rng.normal(scale=0.5, size=(V, dim)), rng.normal(scale=0.5, size=(V, dim))


def padded_contexts(V, B, C, rng, pad=0.4):
    """Return (B, C) context ids with -1 padding, every row keeping at least one real word."""
    contexts = rng.integers(0, V, size=(B, C))
    contexts[rng.random((B, C)) < pad] = -1
    contexts[np.arange(B), rng.integers(0, C, size=B)] = rng.integers(0, V, size=B)
    return contexts


def autograd_grads(model, loss):
    """Return the loss and the dense gradients of both tables as NumPy arrays."""
    loss.backward()
    grads = [p.grad.to_dense() if p.grad.is_sparse else p.grad for p in (model.in_embed.weight, model.out_embed.weight)]
    return float(loss.detach()), grads[0].numpy(), grads[1].numpy()


# -- devices -----------------------------------------------------------------------------------
def test_pick_device_prefers_cuda_then_mps_then_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert tm.pick_device() == torch.device("cpu")
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert tm.pick_device() == torch.device("mps")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert tm.pick_device() == torch.device("cuda")


# -- autograd equals the hand-derived NumPy gradients -------------------------------------------
@pytest.mark.parametrize("V, dim, B, K", [(6, 3, 1, 1), (10, 4, 7, 3), (13, 5, 16, 5)])
def test_skipgram_autograd_equals_numpy_gradients(V, dim, B, K):
    W_in, W_out = random_tables(V, dim, seed=V + B)
    rng = np.random.default_rng(B)
    centers, contexts = rng.integers(0, V, B), rng.integers(0, V, B)
    negatives = rng.integers(0, V, (B, K))
    negatives[0, 0] = contexts[0]  # a noise word equal to the positive counts as drawn
    model = tm.SkipGramNS.from_matrices(W_in, W_out)
    loss, g_in, g_out = autograd_grads(model, model(torch.tensor(centers), torch.tensor(contexts), torch.tensor(negatives)))
    np_loss, np_in, np_out = sgns.loss_and_grads(W_in, W_out, centers, contexts, negatives)
    assert abs(loss - np_loss) < 1e-10
    np.testing.assert_allclose(g_in, np_in, rtol=0, atol=1e-10)
    np.testing.assert_allclose(g_out, np_out, rtol=0, atol=1e-10)
    assert np.abs(np_in).max() > 1e-3  # the comparison is not between two zero arrays


@pytest.mark.parametrize("V, dim, B, C", [(5, 3, 1, 2), (9, 4, 6, 4), (12, 3, 10, 10)])
def test_cbow_softmax_autograd_equals_numpy_gradients(V, dim, B, C):
    W_in, W_out = random_tables(V, dim, seed=V * B)
    rng = np.random.default_rng(C)
    contexts = padded_contexts(V, B, C, rng)
    contexts[0, :2] = [1, 1]  # a word twice in one window counts twice
    targets = rng.integers(0, V, B)
    model = tm.CBOW.from_matrices(W_in, W_out, sparse=True)
    loss, g_in, g_out = autograd_grads(model, model(torch.tensor(contexts), torch.tensor(targets)))
    np_loss, np_in, np_out = cbow_softmax.loss_and_grads(W_in, W_out, contexts, targets)
    assert abs(loss - np_loss) < 1e-10
    np.testing.assert_allclose(g_in, np_in, rtol=0, atol=1e-10)
    np.testing.assert_allclose(g_out, np_out, rtol=0, atol=1e-10)


def test_cbow_negative_sampling_gradients_match_finite_differences():
    V, dim, B, C, K = 8, 3, 5, 4, 3
    W_in, W_out = random_tables(V, dim, seed=3)
    rng = np.random.default_rng(3)
    contexts, targets, negatives = padded_contexts(V, B, C, rng), rng.integers(0, V, B), rng.integers(0, V, (B, K))

    def loss_of(a_in, a_out):
        with torch.no_grad():
            return float(tm.CBOW.from_matrices(a_in, a_out)(contexts, targets, negatives))

    model = tm.CBOW.from_matrices(W_in, W_out)
    _, g_in, g_out = autograd_grads(model, model(contexts, targets, negatives))
    assert max_relative_error(g_in, numerical_gradient(lambda x: loss_of(x, W_out), W_in.copy())) < 1e-6
    assert max_relative_error(g_out, numerical_gradient(lambda x: loss_of(W_in, x), W_out.copy())) < 1e-6


def test_shared_negatives_equal_the_same_words_given_to_every_pair():
    V, dim, B, S = 11, 4, 6, 4
    W_in, W_out = random_tables(V, dim, seed=5)
    rng = np.random.default_rng(5)
    centers, contexts, shared = rng.integers(0, V, B), rng.integers(0, V, B), rng.integers(0, V, S)
    model = tm.SkipGramNS.from_matrices(W_in, W_out)
    per_pair = np.broadcast_to(shared, (B, S)).copy()
    a = model(centers, contexts, shared, neg_weight=5 / S)
    b = model(centers, contexts, per_pair, neg_weight=5 / S)
    assert abs(a.item() - b.item()) < 1e-12


# -- the hand-written SGD step of the fast path equals autograd's ------------------------------
def _stacked(W_in, W_out):
    """Return the fast path's (2V + 1, dim) table: inputs, outputs, a zero padding row."""
    return torch.cat([torch.tensor(W_in), torch.tensor(W_out), torch.zeros(1, W_in.shape[1], dtype=torch.float64)])


@pytest.mark.parametrize("model_name", ["skipgram", "cbow"])
@pytest.mark.parametrize("group, S", [(1, 3), (3, 4), (100, 4)])  # per pair; groups (last one short); one set
def test_hand_written_sgd_step_equals_autograd(model_name, group, S):
    V, dim, b, K, window, lr = 9, 4, 7, 3, 2, 0.05
    W_in, W_out = random_tables(V, dim, seed=11)
    rng = np.random.default_rng(11)
    groups = -(-b // group)
    negs = rng.integers(0, V, (groups, S))
    weight = K / S
    targets = rng.integers(0, V, b)
    if model_name == "skipgram":
        first = rng.integers(0, V, b)
        first[1] = first[0]  # repeated rows must all count
        net = tm.SkipGramNS.from_matrices(W_in, W_out)
        ib_first = first
    else:
        first = padded_contexts(V, b, 2 * window, rng)
        net = tm.CBOW.from_matrices(W_in, W_out)
        ib_first = np.where(first >= 0, first, 2 * V).ravel()
    loss = net(first, targets, negs, neg_weight=weight, share_size=group)
    ib = torch.tensor(np.concatenate([ib_first, targets + V, negs.ravel() + V]))
    mean_loss, g_in, g_out = autograd_grads(net, loss)

    W = _stacked(W_in, W_out)
    hand_loss = tb.sgd_step(W, ib, b, tb.BatchLayout(model_name, window, group, S), weight=weight, lr=lr,
                             want_loss=True, cbow_exact=True)  # autograd differentiates the average
    assert abs(hand_loss - mean_loss) < 1e-10
    # one SGD step of size lr on the *sum* over the batch = lr * b on the mean
    np.testing.assert_allclose(W[:V].numpy(), W_in - lr * b * g_in, rtol=0, atol=1e-12)
    np.testing.assert_allclose(W[V:2 * V].numpy(), W_out - lr * b * g_out, rtol=0, atol=1e-12)
    assert float(W[-1].abs().max()) == 0.0  # the padding row stays zero


def test_group_shared_negatives_equal_each_group_given_its_own_words():
    V, dim, B, g, S = 11, 4, 7, 3, 2
    W_in, W_out = random_tables(V, dim, seed=6)
    rng = np.random.default_rng(6)
    centers, contexts, negs = rng.integers(0, V, B), rng.integers(0, V, B), rng.integers(0, V, (3, S))
    model = tm.SkipGramNS.from_matrices(W_in, W_out)
    grouped = model(centers, contexts, negs, share_size=g).item()
    per_pair = model(centers, contexts, negs[np.arange(B) // g]).item()  # (B, S): row i gets its group's words
    assert abs(grouped - per_pair) < 1e-12


# -- training steps and sparse updates ---------------------------------------------------------
def test_one_autograd_sgd_step_lowers_the_loss():
    V, dim, B, K = 20, 8, 32, 5
    gen = torch.Generator().manual_seed(0)
    centers, contexts = torch.randint(0, V, (B,), generator=gen), torch.randint(0, V, (B,), generator=gen)
    negatives = torch.randint(0, V, (B, K), generator=gen)
    model = tm.SkipGramNS(V, dim, seed=0)
    with torch.no_grad():
        model.out_embed.weight.normal_(0, 0.1, generator=gen)
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    before = model(centers, contexts, negatives)
    opt.zero_grad()
    before.backward()
    opt.step()
    after = model(centers, contexts, negatives)
    assert after.item() < before.item()


def test_sparse_gradients_touch_only_rows_in_the_batch():
    V, dim = 30, 4
    model = tm.SkipGramNS(V, dim, sparse=True, seed=1)
    centers, contexts, negatives = torch.tensor([3, 5, 3]), torch.tensor([7, 8, 9]), torch.tensor([[10, 11], [12, 10], [13, 14]])
    model(centers, contexts, negatives).backward()
    g_in, g_out = model.in_embed.weight.grad, model.out_embed.weight.grad
    assert g_in.is_sparse and g_out.is_sparse
    assert set(g_in.coalesce().indices()[0].tolist()) == {3, 5}
    assert set(g_out.coalesce().indices()[0].tolist()) == {7, 8, 9, 10, 11, 12, 13, 14}


def _rows_moved(optimizer_cls, sparse):
    """Take two steps on two disjoint batches; return which rows of W_in the second step moved."""
    V, dim = 12, 3
    model = tm.SkipGramNS(V, dim, sparse=sparse, seed=2)
    with torch.no_grad():  # non-zero output vectors, so that the input rows get a gradient
        model.out_embed.weight.normal_(0, 0.5, generator=torch.Generator().manual_seed(2))
    opt = optimizer_cls(model.parameters(), lr=0.1)
    batches = [(torch.tensor([0, 1]), torch.tensor([2, 3]), torch.tensor([[4], [5]])),
               (torch.tensor([6]), torch.tensor([7]), torch.tensor([[8]]))]
    for batch in batches:
        before = model.in_embed.weight.detach().clone()
        opt.zero_grad()
        model(*batch).backward()
        opt.step()
    moved = (model.in_embed.weight.detach() != before).any(dim=1)
    return set(torch.nonzero(moved)[:, 0].tolist())


def test_sparse_adam_moves_only_batch_rows_but_dense_adam_moves_earlier_rows_too():
    assert _rows_moved(torch.optim.SparseAdam, sparse=True) == {6}
    assert _rows_moved(torch.optim.SGD, sparse=True) == {6}
    # dense Adam keeps momentum for rows 0 and 1 from the first batch and moves them again
    assert _rows_moved(torch.optim.Adam, sparse=False) == {0, 1, 6}


# (the batch pipeline: tests/test_torch_batches.py)


# -- the trainer -------------------------------------------------------------------------------
def test_train_counts_every_word_of_every_epoch_without_subsampling(cycle_tokens):
    tokens = cycle_tokens(1500, vocab=15)
    result = tm.train(tokens, dim=8, window=2, epochs=2, t=None, min_count=1, device="cpu", threads=1)
    assert result.words_trained == 2 * len(tokens)
    assert result.W_in.shape == result.W_out.shape == (15, 8)
    assert result.words_per_second > 0 and result.info["batches"] > 0


@pytest.mark.parametrize("model_name", ["skipgram", "cbow"])
def test_training_lowers_the_loss_and_learns_the_cycle(model_name, cycle_tokens):
    tokens = cycle_tokens(6000, vocab=15)
    result = tm.train(tokens, model=model_name, dim=16, window=2, epochs=4, t=None, min_count=1, seed=3,
                      batch_size=16, shared_negatives=8, loss_every=1, device="cpu", threads=1, lr=0.025)
    first, last = result.losses[:10].mean(), result.losses[-10:].mean()
    assert last < 0.8 * first
    emb = result.embeddings
    # the words next to each other in the cycle end up closer than words far apart
    assert emb.similarity("w3", "w4") > emb.similarity("w3", "w10")


def test_results_do_not_depend_on_the_number_of_threads(cycle_tokens):
    tokens = cycle_tokens(3000, vocab=15)
    kw = dict(dim=8, window=2, epochs=2, min_count=1, seed=5, batch_size=32, device="cpu", chunk_tokens=1000)
    one = tm.train(tokens, threads=1, **kw)
    two = tm.train(tokens, threads=2, **kw)  # batches prepared by a DataLoader worker process
    np.testing.assert_array_equal(one.W_in, two.W_in)
    np.testing.assert_array_equal(one.losses, two.losses)


def test_autograd_training_equals_the_hand_written_path(cycle_tokens):
    tokens = cycle_tokens(2000, vocab=15)
    kw = dict(dim=8, window=2, epochs=1, t=None, min_count=1, seed=2, batch_size=16, device="cpu", threads=1)
    fast = tm.train(tokens, **kw)
    slow = tm.train(tokens, autograd=True, **kw)
    np.testing.assert_allclose(fast.W_in, slow.W_in, atol=1e-5)
    np.testing.assert_allclose(fast.W_out, slow.W_out, atol=1e-5)


def test_sparse_adam_training_runs_and_lowers_the_loss(cycle_tokens):
    tokens = cycle_tokens(3000, vocab=15)
    result = tm.train(tokens, dim=8, window=2, epochs=2, t=None, min_count=1, batch_size=64, lr=0.02,
                      optimizer="sparse_adam", loss_every=1, device="cpu", threads=1)
    assert result.losses[-5:].mean() < result.losses[:5].mean()
    assert result.info["autograd"] is True


def test_saved_vectors_load_in_gensim_with_the_same_neighbours(tmp_path, cycle_tokens):
    gensim_models = pytest.importorskip("gensim.models")
    result = tm.train(cycle_tokens(3000, vocab=15), dim=8, window=2, epochs=2, min_count=1, device="cpu", threads=1)
    path = result.embeddings.save_word2vec(tmp_path / "vectors.txt")
    kv = gensim_models.KeyedVectors.load_word2vec_format(str(path), binary=False)
    assert list(kv.index_to_key) == result.embeddings.words
    ours = result.embeddings.most_similar("w0", topn=5)
    theirs = kv.most_similar("w0", topn=5)
    assert [w for w, _ in ours] == [w for w, _ in theirs]
    np.testing.assert_allclose([s for _, s in ours], [s for _, s in theirs], atol=1e-5)


def test_divergence_raises_floating_point_error(cycle_tokens):
    with pytest.raises(FloatingPointError, match="smaller lr"):
        tm.train(cycle_tokens(2000, vocab=15), dim=8, window=2, epochs=1, t=None, min_count=1, lr=1e30, batch_size=16,
                 loss_every=1, device="cpu", threads=1)


@pytest.mark.parametrize("kwargs, match", [
    ({"tokens": "w1 w2 w3"}, "single str"),
    ({"tokens": []}, "empty"),
    ({"model": "glove"}, "model"),
    ({"optimizer": "adam"}, "optimizer"),
    ({"dim": 0}, "dim"),
    ({"lr": -0.1}, "lr"),
    ({"batch_size": 0}, "batch_size"),
    ({"shared_negatives": 0}, "shared_negatives"),
    ({"share_size": 0}, "share_size"),
    ({"threads": 0}, "threads"),
    ({"device": "warp-drive"}, "device"),
    ({"keep": "both"}, "keep"),
    ({"autograd": "yes"}, "autograd"),
    ({"min_count": 10_000}, "min_count"),
])
def test_train_rejects_bad_arguments(kwargs, match, cycle_tokens):
    args = {"tokens": cycle_tokens(300, vocab=15), "dim": 4, "epochs": 1, "min_count": 1, "device": "cpu", "threads": 1}
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        tm.train(args.pop("tokens"), **args)


def test_train_rejects_a_device_that_is_not_available(monkeypatch, cycle_tokens):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    for name in ("cuda", "mps"):
        with pytest.raises(ValueError, match=f"device '{name}' is not available"):
            tm.train(cycle_tokens(300, vocab=15), dim=4, epochs=1, min_count=1, device=name, threads=1)


def test_models_reject_bad_batches():
    sg = tm.SkipGramNS(5, 3)
    cb = tm.CBOW(5, 3)
    one, two = torch.tensor([1]), torch.tensor([[2]])
    with pytest.raises(ValueError, match="centers contains id 5"):
        sg(torch.tensor([5]), one, two)
    with pytest.raises(ValueError, match="integer"):
        sg(torch.tensor([1.0]), one, two)
    with pytest.raises(ValueError, match="contexts must have shape"):
        sg(one, torch.tensor([1, 2]), two)
    with pytest.raises(ValueError, match="negatives must have shape"):
        sg(one, one, torch.tensor([[1], [2]]))
    with pytest.raises(ValueError, match=r"\(2, S\) for 3 examples in groups of 2"):
        sg(torch.tensor([1, 2, 3]), torch.tensor([1, 2, 3]), torch.tensor([[1]]), share_size=2)
    with pytest.raises(ValueError, match="empty"):
        sg(torch.tensor([], dtype=torch.long), torch.tensor([], dtype=torch.long), two)
    with pytest.raises(ValueError, match="row 1 has no real context"):
        cb(torch.tensor([[1, -1], [-1, -1]]), torch.tensor([0, 1]))
    with pytest.raises(ValueError, match="-1 for padding"):
        cb(torch.tensor([[1, -2]]), torch.tensor([0]))
    with pytest.raises(ValueError, match="targets has 2 entries"):
        cb(torch.tensor([[1, 2]]), torch.tensor([0, 1]))
    with pytest.raises(ValueError, match="W_out must match"):
        tm.SkipGramNS.from_matrices(np.zeros((3, 2)), np.zeros((3, 3)))
    with pytest.raises(ValueError, match="vocab_size"):
        tm.SkipGramNS(0, 3)


@pytest.mark.slow
def test_skipgram_answers_the_world_corpus_analogies():
    from w2v_teach import datasets, evaluate

    world = datasets.world_corpus(300_000, seed=0)
    result = tm.train(world.tokens, dim=50, epochs=5, t=1e-3, seed=0, device="cpu")
    report = evaluate.analogy_accuracy(result.embeddings, world.questions)
    assert report.coverage == 1.0 and report.accuracy >= 0.95
    assert result.embeddings.analogy("man", "king", "woman")[0][0] == "queen"


# -- CBOW means one thing: the same keyword and defaults in NumPy and PyTorch ----------------------
def test_cbow_update_keyword_and_defaults_agree_with_numpy():
    import inspect

    ours, numpy_side = inspect.signature(tt.train).parameters, inspect.signature(sgns.train).parameters
    assert ours["cbow_update"].default == numpy_side["cbow_update"].default == "c_tool"


def test_the_c_tool_rule_gives_each_context_word_n_times_the_exact_step():
    V, dim, window = 8, 4, 2
    W_in, W_out = random_tables(V, dim, seed=3)
    ib = torch.tensor([1, 2, 3, 4, V + 5, V + 6, V + 7])  # one window of 4 distinct words, centre 5, 2 noise
    layout = tb.BatchLayout("cbow", window, group=1, n_noise=2)
    moved = {}
    for exact in (False, True):
        W = _stacked(W_in, W_out)
        tb.sgd_step(W, ib, 1, layout, weight=1.0, lr=0.1, want_loss=False, cbow_exact=exact)
        moved[exact] = (W[:V].numpy() - W_in, W[V:2 * V].numpy() - W_out)
    np.testing.assert_allclose(moved[False][0], 4 * moved[True][0], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(moved[False][1], moved[True][1], rtol=0, atol=0)  # output side: the same


def test_autograd_needs_the_exact_cbow_update(cycle_tokens):
    with pytest.raises(ValueError, match="cbow_update must be 'exact' with autograd"):
        tm.train(cycle_tokens(300, vocab=15), model="cbow", dim=4, epochs=1, min_count=1, device="cpu",
                 threads=1, optimizer="sparse_adam")
    result = tm.train(cycle_tokens(300, vocab=15), model="cbow", dim=4, epochs=1, min_count=1, device="cpu",
                      threads=1, optimizer="sparse_adam", cbow_update="exact", lr=0.01)
    assert result.info["cbow_update"] == "exact"


def test_range_checks_can_be_turned_off_for_trusted_batches():
    net = tm.SkipGramNS(6, 3)
    with pytest.raises(ValueError, match="centers contains id 9"):
        net(torch.tensor([9]), torch.tensor([1]), torch.tensor([[2]]))
    net.check_ranges = False  # the trainer's setting; dtype and shape checks stay
    assert torch.isfinite(net(torch.tensor([0, 5]), torch.tensor([1, 2]), torch.tensor([[2], [3]])))
    with pytest.raises(ValueError, match="integer word ids"):
        net(torch.tensor([0.5]), torch.tensor([1]), torch.tensor([[2]]))
