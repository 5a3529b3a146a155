"""Tests of w2v_teach.hsoftmax: the Huffman tree, the loss and gradients, probabilities, the trainer."""
from __future__ import annotations

import numpy as np
import pytest

import w2v_teach as w2v
from w2v_teach import gradcheck, hsoftmax
from w2v_teach import inputs as w2v_inputs
from w2v_teach.hsoftmax import HuffmanTree, huffman, loss_and_grads, probabilities


# -- the tree ------------------------------------------------------------------------------------
def test_hand_worked_tree():
    # counts 5, 3, 2, 1, 1: merge 1+1 -> inner 0 (2); 2 (word 2) + 2 (inner 0) -> inner 1 (4), the
    # tie goes to the smaller id (word 2 before node 5); 3 + 4 -> inner 2 (7); 5 + 7 -> root 3 (12).
    tree = huffman([5, 3, 2, 1, 1])
    assert tree.children.tolist() == [[3, 4], [2, 5], [1, 6], [0, 7]]
    assert [c.tolist() for c in tree.codes] == [[0], [1, 0], [1, 1, 0], [1, 1, 1, 0], [1, 1, 1, 1]]
    assert [p.tolist() for p in tree.points] == [[3], [3, 2], [3, 2, 1], [3, 2, 1, 0], [3, 2, 1, 0]]
    assert tree.lengths.tolist() == [1, 2, 3, 4, 4]
    assert tree.average_length() == pytest.approx((5 + 6 + 6 + 4 + 4) / 12)
    assert tree.point_table.shape == tree.code_table.shape == tree.mask.shape == (5, 4)
    assert tree.mask.sum() == tree.lengths.sum()


def _optimal_cost(counts) -> float:
    """Independent Huffman cost: the sum of every merged weight (two sorted queues, no heap)."""
    leaves, merged, total = sorted(float(c) for c in counts), [], 0.0
    while len(leaves) + len(merged) > 1:
        pair = []
        for _ in range(2):
            if merged and (not leaves or merged[0] < leaves[0]):
                pair.append(merged.pop(0))
            else:
                pair.append(leaves.pop(0))
        total += sum(pair)
        merged.append(sum(pair))
    return total / float(np.sum(counts))


@pytest.mark.parametrize("seed", range(5))
def test_codes_are_prefix_free_optimal_and_within_one_bit_of_the_entropy(seed):
    rng = np.random.default_rng(seed)
    counts = rng.zipf(1.3, size=200).clip(max=10**6)
    tree = huffman(counts)
    words = ["".join(map(str, c)) for c in tree.codes]
    assert len(set(words)) == len(words)
    ordered = sorted(words)
    assert not any(b.startswith(a) for a, b in zip(ordered, ordered[1:]))  # no code is a prefix of another
    assert tree.average_length() == pytest.approx(_optimal_cost(counts))
    f = counts / counts.sum()
    entropy = -(f * np.log2(f)).sum()
    assert entropy <= tree.average_length() < entropy + 1


def test_points_follow_the_c_tool_numbering():
    counts = np.arange(1, 40)
    tree = huffman(counts)
    V = len(counts)
    assert all(p[0] == V - 2 for p in tree.points)  # every path starts at the root, V - 2
    assert set(np.concatenate(tree.points).tolist()) == set(range(V - 1))
    for code, path in zip(tree.codes, tree.points):  # walking the children reaches the word
        node = V + path[0]
        for bit, inner in zip(code, path):
            assert node == V + inner
            node = tree.children[inner, bit]
        assert node < V
    assert tree.lengths[-1] <= tree.lengths[0]  # the most frequent word is not deeper than the rarest


def test_ties_are_deterministic():
    a, b = huffman([4] * 8), huffman(np.full(8, 4.0))
    assert all(len(c) == 3 for c in a.codes)
    assert [c.tolist() for c in a.codes] == [c.tolist() for c in b.codes]
    assert a.children.tolist() == b.children.tolist()


@pytest.mark.parametrize("counts, match", [
    ([3], "at least 2"), ([[1, 2], [3, 4]], "1-D"), ([3, 0, 2], "positive"), ([3, -1], "positive"),
    ([1.0, np.nan], "positive and finite"), (["a", "b"], "numbers"),
])
def test_huffman_rejects_bad_counts(counts, match):
    with pytest.raises(ValueError, match=match):
        huffman(counts)


# -- the loss, its gradients and the probabilities --------------------------------------------------
def _problem(seed=0, V=9, dim=4):
    rng = np.random.default_rng(seed)
    tree = huffman(rng.integers(1, 30, V))
    return tree, rng.normal(0, 0.5, (V, dim)), rng.normal(0, 0.5, (V - 1, dim))


BATCHES = {
    "skipgram": (np.array([0, 3, 3, 8, 5]), np.array([2, 2, 7, 0, 8])),
    "cbow": (np.array([[0, 1, -1, 4], [3, 3, 2, -1], [-1, -1, 6, -1], [8, 0, 1, 2], [7, -1, 5, 5]]),
             np.array([2, 2, 7, 0, 8])),
}


@pytest.mark.parametrize("model", ["skipgram", "cbow"])
def test_gradients_match_finite_differences(model):
    tree, W_in, nodes = _problem()
    inputs, targets = BATCHES[model]
    results = gradcheck.check(lambda a, b: loss_and_grads(a, b, tree, inputs, targets, model=model), [W_in, nodes])
    assert all(r.error < 1e-6 for r in results), results


@pytest.mark.parametrize("model", ["skipgram", "cbow"])
def test_gradients_match_pytorch_autograd(model):
    torch = pytest.importorskip("torch")
    tree, W_in, nodes = _problem(seed=1)
    inputs, targets = BATCHES[model]
    loss, dW_in, dnodes = loss_and_grads(W_in, nodes, tree, inputs, targets, model=model)
    Wt = torch.tensor(W_in, requires_grad=True)
    Nt = torch.tensor(nodes, requires_grad=True)
    if model == "skipgram":
        h = Wt[torch.tensor(inputs)]
    else:
        real = torch.tensor(inputs >= 0, dtype=torch.float64)
        h = (Wt[torch.tensor(np.maximum(inputs, 0))] * real[:, :, None]).sum(1) / real.sum(1, keepdim=True)
    total = 0
    for b, o in enumerate(targets):
        s = Nt[torch.tensor(tree.points[o])] @ h[b]
        sign = 1.0 - 2.0 * torch.tensor(tree.codes[o], dtype=torch.float64)
        total = total - torch.nn.functional.logsigmoid(sign * s).sum()
    (total / len(targets)).backward()
    assert loss == pytest.approx(total.item() / len(targets), rel=1e-12)
    np.testing.assert_allclose(dW_in, Wt.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dnodes, Nt.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("model", ["skipgram", "cbow"])
def test_probabilities_sum_to_one_and_match_the_loss(model):
    tree, W_in, nodes = _problem(seed=2, V=40, dim=6)
    W_in *= 4  # large scores: still a distribution
    inputs, targets = BATCHES[model]
    p = probabilities(W_in, nodes, tree, inputs, model=model)
    assert p.shape == (len(targets), 40)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-12)
    for b in range(len(targets)):
        loss, _, _ = loss_and_grads(W_in, nodes, tree, inputs[b:b + 1], targets[b:b + 1], model=model)
        assert -np.log(p[b, targets[b]]) == pytest.approx(loss, rel=1e-10)


def test_loss_at_zero_nodes_is_the_path_length_times_log_2():
    tree, W_in, nodes = _problem()
    inputs, targets = BATCHES["skipgram"]
    loss, _, _ = loss_and_grads(W_in, np.zeros_like(nodes), tree, inputs, targets)
    assert loss == pytest.approx(tree.lengths[targets].mean() * np.log(2))


def test_loss_and_grads_rejects_bad_arguments():
    tree, W_in, nodes = _problem()
    c, o = BATCHES["skipgram"]
    with pytest.raises(ValueError, match="HuffmanTree"):
        loss_and_grads(W_in, nodes, [1, 2], c, o)
    with pytest.raises(ValueError, match="nodes must have 8 rows"):
        loss_and_grads(W_in, np.zeros((9, 4)), tree, c, o)
    with pytest.raises(ValueError, match="W_in must have 9 rows"):
        loss_and_grads(W_in[:5], nodes, tree, c, o)
    with pytest.raises(ValueError, match="nodes must have 4 columns"):
        loss_and_grads(W_in, nodes[:, :3], tree, c, o)
    with pytest.raises(ValueError, match="targets contains id 9"):
        loss_and_grads(W_in, nodes, tree, c, np.array([9, 0, 0, 0, 0]))
    with pytest.raises(ValueError, match="targets has 2 entries"):
        loss_and_grads(W_in, nodes, tree, c, o[:2])
    with pytest.raises(ValueError, match="empty batch"):
        loss_and_grads(W_in, nodes, tree, c[:0], o[:0])
    with pytest.raises(ValueError, match="no real context word"):
        loss_and_grads(W_in, nodes, tree, np.array([[1, -1], [-1, -1]]), o[:2], model="cbow")
    with pytest.raises(ValueError, match="model must be one of"):
        loss_and_grads(W_in, nodes, tree, c, o, model="glove")
    with pytest.raises(ValueError, match="inputs must be 1-dimensional"):
        probabilities(W_in, nodes, tree, np.array([[1, 2]]))


# -- the trainer ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def world():
    return w2v.datasets.world_corpus(60_000, seed=0)


@pytest.mark.parametrize("model", ["skipgram", "cbow"])
def test_train_returns_a_train_result(world, model):
    result = hsoftmax.train(world.tokens, model=model, dim=16, epochs=1, t=1e-3, seed=0)
    V = len(result.vocab)
    assert result.W_in.shape == (V, 16) and result.W_out.shape == (V - 1, 16)
    assert isinstance(result.info["tree"], HuffmanTree) and result.info["model"] == model
    assert np.isfinite(result.losses).all() and result.words_per_second > 0
    assert result.losses[-1] < result.losses[0]
    again = hsoftmax.train(world.tokens, model=model, dim=16, epochs=1, t=1e-3, seed=0)
    np.testing.assert_array_equal(result.W_in, again.W_in)


def test_train_learns_the_planted_analogies(world):
    result = hsoftmax.train(world.tokens, dim=32, epochs=3, t=1e-3, seed=0)
    report = w2v.evaluate.analogy_accuracy(result.embeddings, world.questions)
    assert report.accuracy >= 0.3  # seeds 0-2: 0.376-0.390 (negative sampling: 0.10-0.12)


def test_train_rejects_bad_arguments(world):
    with pytest.raises(ValueError, match="keep must be 'in'"):
        hsoftmax.train(world.tokens, keep="out")
    with pytest.raises(ValueError, match="model must be one of"):
        hsoftmax.train(world.tokens, model="glove")
    with pytest.raises(ValueError, match="dim must be >= 1"):
        hsoftmax.train(world.tokens, dim=0)
    with pytest.raises(ValueError, match="tokens must be a list of words"):
        hsoftmax.train("a b c")
    with pytest.raises(FloatingPointError, match="diverged"):
        hsoftmax.train(world.tokens, dim=16, epochs=1, lr=1e38, t=None, seed=0)


@pytest.mark.parametrize("model, exact", [("skipgram", False), ("cbow", True)])
def test_a_training_step_is_minus_lr_times_the_summed_gradient(model, exact):
    tree, W_in, nodes = _problem(seed=3)
    inputs, targets = BATCHES[model]
    loss, dW_in, dnodes = loss_and_grads(W_in, nodes, tree, inputs, targets, model=model)  # scores |s| < 6
    W_step, N_step = W_in.copy(), nodes.copy()
    summed = w2v_inputs.update(W_step, inputs, model, lambda h: hsoftmax.output_step(N_step, tree, h, targets, 0.1, True),
                               "exact" if exact else "c_tool", sum_with="reduceat")
    B = len(targets)
    assert summed == pytest.approx(loss * B)
    np.testing.assert_allclose(W_step, W_in - 0.1 * B * dW_in, atol=1e-12)
    np.testing.assert_allclose(N_step, nodes - 0.1 * B * dnodes, atol=1e-12)


# -- other trees: the controls of chapter 5 ---------------------------------------------------------
def _kraft(tree):
    return float(np.sum(2.0 ** -tree.lengths.astype(float)))


@pytest.mark.parametrize("V", [2, 3, 7, 8, 100, 1433])
def test_balanced_and_random_trees_are_full_with_paths_floor_or_ceil_log2_v(V):
    counts = np.random.default_rng(V).integers(1, 1000, V)
    k = int(np.floor(np.log2(V)))
    for tree in (hsoftmax.balanced_tree(counts), hsoftmax.random_tree(counts, np.random.default_rng(0))):
        assert np.isclose(_kraft(tree), 1.0)
        assert set(tree.lengths.tolist()) <= {k, k + 1}
        assert (tree.lengths == k + 1).sum() == 2 * (V - 2 ** k)
        codes = {"".join(map(str, c)) for c in tree.codes}
        assert len(codes) == V and not any(a != b and b.startswith(a) for a in codes for b in codes)
        # the points follow the C tool's numbering: the root is V - 2 and starts every path
        assert all(p[0] == V - 2 for p in tree.points if len(p))
        assert np.allclose(probabilities(np.ones((V, 3)), np.random.default_rng(1).normal(size=(V - 1, 3)),
                                         tree, np.arange(min(V, 4))).sum(axis=1), 1.0)


def test_balanced_tree_puts_the_rarest_words_deepest_and_beats_a_random_placement():
    counts = np.array([100_000 // r for r in range(1, 1434)])
    balanced, rnd = hsoftmax.balanced_tree(counts), hsoftmax.random_tree(counts, np.random.default_rng(0))
    deep = balanced.lengths == balanced.lengths.max()
    assert counts[deep].max() <= counts[~deep].min()
    assert huffman(counts).average_length() < balanced.average_length() < rnd.average_length()


def test_random_tree_depends_on_the_generator_only():
    counts = np.arange(1, 50)
    a, b = (hsoftmax.random_tree(counts, np.random.default_rng(3)) for _ in range(2))
    c = hsoftmax.random_tree(counts, np.random.default_rng(4))
    assert np.array_equal(a.children, b.children) and not np.array_equal(a.children, c.children)
    assert np.array_equal(hsoftmax.build_tree("random", counts, 2).children,
                          hsoftmax.build_tree("random", counts, 2).children)


def test_tree_from_children_rebuilds_the_huffman_tree():
    counts = np.random.default_rng(0).integers(1, 100, 40)
    tree = huffman(counts)
    again = hsoftmax.tree_from_children(counts, tree.children)
    assert all(np.array_equal(a, b) for a, b in zip(tree.codes, again.codes))
    assert all(np.array_equal(a, b) for a, b in zip(tree.points, again.points))


def test_tree_builders_reject_bad_input():
    with pytest.raises(ValueError, match="children must be a \\(2, 2\\) table"):
        hsoftmax.tree_from_children([1, 2, 3], [[0, 1], [1, 2]])
    with pytest.raises(ValueError, match="sum of 2\\*\\*-depth = 1"):
        hsoftmax.tree_from_depths([1, 2, 3], [0, 1, 2], [2, 2, 2])
    with pytest.raises(ValueError, match="non-increasing"):
        hsoftmax.tree_from_depths([1, 2, 3], [0, 1, 2], [1, 2, 2])
    with pytest.raises(ValueError, match="tree"):
        hsoftmax.build_tree("heap", [1, 2, 3])
    with pytest.raises(ValueError, match="positive"):
        hsoftmax.balanced_tree([1, 0, 3])


def test_average_path_weighs_by_the_surviving_frequency():
    counts = np.array([10_000, 100, 100, 1])
    tree = huffman(counts)
    assert hsoftmax.average_path(tree) == pytest.approx(tree.average_length())
    keep = w2v.sampling.keep_probability(counts, 1e-2)
    f = counts / counts.sum() * keep
    assert hsoftmax.average_path(tree, 1e-2) == pytest.approx((f * tree.lengths).sum() / f.sum())
    assert hsoftmax.average_path(tree, 1e-2) > tree.average_length()  # the frequent word is dropped most


@pytest.mark.parametrize("kind", ["balanced", "random"])
def test_train_uses_the_tree_it_is_given(world, kind):
    run = hsoftmax.train(world.tokens[:20_000], dim=10, epochs=1, tree=kind, seed=1)
    V = len(run.vocab)
    assert np.array_equal(run.info["tree"].children, hsoftmax.build_tree(kind, run.vocab.counts, 1).children)
    assert set(run.info["tree"].lengths.tolist()) <= {int(np.log2(V)), int(np.log2(V)) + 1}

# -- the shared-path speed step -------------------------------------------------------------------
def _runs_problem(seed: int, dtype=np.float32):
    """Return (tree, nodes, h, targets): runs of equal targets of lengths 1-7, a node table with large scores."""
    rng = np.random.default_rng(seed)
    tree = huffman(np.sort(rng.integers(1, 1000, 300))[::-1].astype(np.int64))
    nodes = (rng.standard_normal((299, 16)) * 0.8).astype(dtype)  # some |scores| beyond MAX_SCORE
    targets = np.repeat(rng.integers(0, 300, 12), rng.integers(1, 8, 12))
    h = rng.standard_normal((targets.shape[0], 16)).astype(dtype)
    return tree, nodes, h, targets


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_shared_path_step_takes_the_same_step_as_output_step(seed):
    tree, nodes, h, targets = _runs_problem(seed)
    N1, N2 = nodes.copy(), nodes.copy()
    loss1, dh1 = hsoftmax.output_step(N1, tree, h, targets, np.float32(0.1), True)
    loss2, dh2 = hsoftmax.shared_path_step(N2, tree, h, targets, np.float32(0.1), True)
    assert loss2 == pytest.approx(loss1, rel=1e-5)
    np.testing.assert_allclose(dh2, dh1, atol=1e-5)
    np.testing.assert_allclose(N2, N1, atol=1e-5)
    assert np.abs(N1 - nodes).max() > 0.1  # the step moved the nodes: the comparison is not vacuous


def test_shared_path_step_skips_only_what_output_step_skips():
    tree, nodes, h, targets = _runs_problem(5, np.float64)
    targets = targets[::-1].copy()  # other runs, other paddings
    N1, N2 = nodes.copy(), nodes.copy()
    _, dh1 = hsoftmax.output_step(N1, tree, h, targets, 0.5)
    loss, dh2 = hsoftmax.shared_path_step(N2, tree, h, targets, 0.5)
    assert loss is None
    np.testing.assert_allclose(dh2, dh1, atol=1e-12)
    np.testing.assert_allclose(N2, N1, atol=1e-12)


def test_train_with_shared_paths_learns_the_planted_analogies(world):
    result = hsoftmax.train(world.tokens, dim=32, epochs=3, t=1e-3, seed=0, share_paths=True)
    report = w2v.evaluate.analogy_accuracy(result.embeddings, world.questions)
    assert result.info["share_paths"] is True
    assert report.accuracy >= 0.3  # the default orientation: 0.376-0.390 (seeds 0-2)


def test_share_paths_is_for_skipgram_only(world):
    with pytest.raises(ValueError, match="share_paths is for model='skipgram'"):
        hsoftmax.train(world.tokens, model="cbow", share_paths=True)
    with pytest.raises(TypeError, match="share_paths"):
        hsoftmax.train(world.tokens, share_paths="yes")
