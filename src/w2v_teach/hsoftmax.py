"""Hierarchical softmax in NumPy: the Huffman tree, the loss, its gradients, and a fast trainer.

A full softmax scores all V words for every prediction. Hierarchical softmax (Morin and Bengio
2005; Mikolov et al. 2013b) puts the V words at the leaves of a binary tree with V - 1 inner
nodes, one vector per inner node, and writes the probability of a word as the product of the
left/right decisions on the path from the root to its leaf:

    P(w | h) = prod_l sigma((1 - 2 b_l) * u_{n(w, l)} . h),      l = 1..L(w)

where n(w, l) is the l-th inner node on the path, b_l in {0, 1} the turn taken there (the C
tool's convention: bit 0 has probability sigma(s), bit 1 has sigma(-s)), and h the input: the
centre word's input vector v_c in skip-gram, the average of the context vectors in CBOW.
The tree is the Huffman code of the word counts (:func:`huffman`), so frequent words get short
paths and the average path length is within one bit of the entropy of the word distribution.

Shapes: W_in (V, dim) input vectors; nodes (V - 1, dim) inner-node vectors (the C tool's syn1),
inner node ids 0..V-2 with the root V-2. Paths are padded to a common length with a mask, so a
batch is one (B, L, dim) gather, one batched product, a sigmoid and two scatter-adds. The trainer
follows the C tool in skipping path nodes whose score is beyond +-6 (see ``MAX_SCORE``);
:func:`loss_and_grads` is the exact gradient, without that rule. Derived in chapter 5.
The speed path ``train(share_paths=True)`` (:func:`shared_path_step`) reads each skip-gram pair
the C tool's way round, so that the pairs of one centre word share its path: one gathered path
and one matrix product per centre instead of one per pair.
"""
from __future__ import annotations

import heapq
import time
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import scipy.sparse as sp
from scipy.special import expit
from threadpoolctl import threadpool_limits

from ._checks import check_bool, check_choice, check_ids, check_int, check_matrix
from .inputs import hidden, update
from .negative_sampling import log_sigmoid
from .sampling import keep_probability
from .scatter import add_rows, group_rows
from .training import (MODELS, LossLog, TrainResult, finish, init_matrices, model_hyperparameters, prepare_corpus,
                       progress_bar, run_epochs, text_examples, words_schedule)

__all__ = ["HuffmanTree", "MAX_SCORE", "TREES", "average_path", "balanced_tree", "build_tree", "huffman",
           "random_tree", "tree_from_children", "tree_from_depths", "loss_and_grads", "output_step", "probabilities",
           "shared_path_step", "train"]


# -- the tree -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class HuffmanTree:
    """The Huffman tree of a vocabulary, as the C tool stores it.

    codes[w]: int8 array of the turns (0 or 1) from the root to word w's leaf. points[w]: int64
    array of the inner-node ids on that path, from the root (V - 2) down; codes[w][l] is the turn
    taken at inner node points[w][l]. children: (V - 1, 2) ids of the two children of each inner
    node (bit 0, bit 1), leaves as 0..V-1 and inner node k as V + k. counts: the counts given.
    The padded tables (V, max_length) hold the same paths for vectorised code.
    """

    counts: np.ndarray
    codes: list
    points: list
    children: np.ndarray
    lengths: np.ndarray = field(init=False)
    code_table: np.ndarray = field(init=False)  # (V, max_length) int8, 0 beyond a path's end
    point_table: np.ndarray = field(init=False)  # (V, max_length) int64, 0 beyond a path's end
    mask: np.ndarray = field(init=False)  # (V, max_length) bool, True on real path entries

    def __post_init__(self) -> None:
        """Build the padded (V, max_length) tables from the per-word codes and points."""
        lengths = np.array([len(c) for c in self.codes], dtype=np.int64)
        mask = np.arange(lengths.max())[None, :] < lengths[:, None]  # (V, max_length)
        codes, points = np.zeros(mask.shape, np.int8), np.zeros(mask.shape, np.int64)
        codes[mask], points[mask] = np.concatenate(self.codes), np.concatenate(self.points)
        for name, value in [("lengths", lengths), ("mask", mask), ("code_table", codes), ("point_table", points)]:
            object.__setattr__(self, name, value)

    @property
    def vocab_size(self) -> int:
        """Return V, the number of leaves (words)."""
        return len(self.codes)

    def average_length(self) -> float:
        """Return the average path length in bits, weighted by the word frequencies."""
        f = self.counts / self.counts.sum()
        return float((f * self.lengths).sum())


def huffman(counts) -> HuffmanTree:
    """Return the Huffman tree of word `counts` (V >= 2 positive numbers), built with heapq.

    The two least frequent nodes are merged until one remains; inner node k is the k-th merge, so
    the root is V - 2, and the first node taken off the heap gets bit 0. Ties are broken by node
    id (leaves 0..V-1, inner node k as V + k), so the tree depends only on the counts.
    """
    counts = np.asarray(counts)
    if counts.ndim != 1 or counts.shape[0] < 2:
        raise ValueError(f"counts must be a 1-D array of at least 2 word counts, got shape {counts.shape}")
    if not np.issubdtype(counts.dtype, np.number) or np.issubdtype(counts.dtype, np.complexfloating):
        raise ValueError(f"counts must hold numbers, got dtype {counts.dtype}")
    bad = ~np.isfinite(counts) | (counts <= 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"counts must be positive and finite, got {counts[i]} for word {i}")
    V = counts.shape[0]
    heap = [(counts[w].item(), w) for w in range(V)]
    heapq.heapify(heap)
    children = np.empty((V - 1, 2), dtype=np.int64)
    for k in range(V - 1):
        (c0, n0), (c1, n1) = heapq.heappop(heap), heapq.heappop(heap)
        children[k] = n0, n1  # the smaller node takes bit 0
        heapq.heappush(heap, (c0 + c1, V + k))
    return tree_from_children(counts, children)


def tree_from_children(counts, children) -> HuffmanTree:
    """Return the tree whose inner node k has the two children `children[k]` (bit 0, bit 1).

    children: (V - 1, 2) ids, leaves 0..V-1 and inner node k as V + k, the root the last row;
    any binary tree over the V words can be stored this way, not only Huffman's.
    """
    counts, children = np.asarray(counts), np.asarray(children, dtype=np.int64)
    V = counts.shape[0]
    if children.shape != (V - 1, 2) or np.sort(children.ravel()).tolist() != list(range(2 * V - 2)):
        raise ValueError(f"children must be a ({V - 1}, 2) table naming every node but the root once, "
                         f"got shape {children.shape}")
    later = np.flatnonzero((children >= V + np.arange(V - 1)[:, None]).any(axis=1))
    if later.size:
        raise ValueError(f"inner node {int(later[0])} has a child made after it, {children[later[0]].tolist()}; "
                         f"inner node k may only join leaves and inner nodes 0..k-1 (ids below {V + int(later[0])})")
    codes, points = [None] * V, [None] * V
    stack = [(V + V - 2, (), ())]  # (node, turns so far, inner nodes so far), from the root
    while stack:
        node, code, path = stack.pop()
        if node < V:
            codes[node], points[node] = np.array(code, np.int8), np.array(path, np.int64)
            continue
        for bit, child in enumerate(children[node - V]):
            stack.append((int(child), code + (bit,), path + (node - V,)))
    return HuffmanTree(counts=counts.copy(), codes=codes, points=points, children=children)


def _balanced_depths(V: int) -> np.ndarray:
    """Return the leaf depths of a balanced tree of V leaves, deepest first: (V,) ints."""
    k = int(np.floor(np.log2(V)))
    deep = 2 * (V - 2 ** k)  # leaves one level below floor(log2 V); Kraft: deep/2 + (V - deep) = 2**k
    return np.array([k + 1] * deep + [k] * (V - deep), dtype=np.int64)


def tree_from_depths(counts, order, depths) -> HuffmanTree:
    """Return a tree that puts word order[i] at depth depths[i] (depths non-increasing).

    Built bottom-up: at every level the inner nodes made below, then the leaves of that level,
    are paired in turn under new inner nodes, so the depths must satisfy sum 2**-depth = 1.
    """
    order, depths = np.asarray(order, dtype=np.int64), np.asarray(depths, dtype=np.int64)
    V = np.asarray(counts).shape[0]
    if sorted(order.tolist()) != list(range(V)) or depths.shape != (V,) or np.any(np.diff(depths) > 0):
        raise ValueError(f"order must list the {V} words once and depths be {V} non-increasing depths")
    if not np.isclose(np.sum(2.0 ** -depths.astype(float)), 1.0):
        raise ValueError(f"depths must fill a full binary tree (sum of 2**-depth = 1), got "
                         f"{np.sum(2.0 ** -depths.astype(float)):.6f}")
    children, level = [], []
    for d in range(int(depths[0]), 0, -1):
        level = level + order[depths == d].tolist()  # inner nodes from below first, then the leaves
        parents = []
        for a, b in zip(level[0::2], level[1::2]):
            children.append((a, b))
            parents.append(V + len(children) - 1)
        level = parents
    return tree_from_children(counts, np.array(children, dtype=np.int64).reshape(V - 1, 2))


def balanced_tree(counts) -> HuffmanTree:
    """Return the balanced tree of word `counts`: every path floor or ceil of log2 V long.

    The rarest words take the deeper leaves, so among balanced trees this one has the shortest
    average path; siblings are words of neighbouring frequency ranks.
    """
    counts = huffman(counts).counts  # validates
    order = np.argsort(counts, kind="stable")  # rarest first: they go deepest
    return tree_from_depths(counts, order, _balanced_depths(counts.shape[0]))


def random_tree(counts, rng: np.random.Generator) -> HuffmanTree:
    """Return a balanced tree with the words placed at its leaves in a random order (from `rng`)."""
    counts = huffman(counts).counts  # validates
    return tree_from_depths(counts, rng.permutation(counts.shape[0]), _balanced_depths(counts.shape[0]))


TREES = ("huffman", "balanced", "random")


def build_tree(kind: str, counts, seed: int = 0) -> HuffmanTree:
    """Return the tree of `kind` ("huffman", "balanced" or "random", the latter drawn from `seed`)."""
    check_choice("tree", kind, set(TREES))
    if kind == "random":
        return random_tree(counts, np.random.default_rng([seed, 5]))
    return huffman(counts) if kind == "huffman" else balanced_tree(counts)


def average_path(tree: HuffmanTree, t: float | None = None) -> float:
    """Return the expected path length of a training target: its turns, averaged over the text.

    With `t`, each word's frequency is first multiplied by its probability of surviving
    subsampling (:func:`w2v_teach.sampling.keep_probability`), since the trainer predicts only
    the words that survive; with t None this is :meth:`HuffmanTree.average_length`.
    """
    f = tree.counts / tree.counts.sum()
    if t is not None:
        f = f * keep_probability(tree.counts, t)
    return float((f * tree.lengths).sum() / f.sum())


# -- the loss and its gradients ------------------------------------------------------------------
def _path_terms(h, nodes, points, codes, mask, with_loss=True, max_score=None):
    """Return per-example losses (B,), dh (B, dim) and the node gradients' weights g (B, L).

    h: (B, dim) inputs; points, codes, mask: (B, L) padded paths of the target words. The loss
    of one example is -sum_l log sigma((1 - 2 b_l) s_l) with s_l = u_{n_l} . h, and
    d loss / d s_l = sigma(s_l) - (1 - b_l): g, zero on padding. The gradient for node n_l is
    g_l * h, for h it is sum_l g_l u_{n_l}. The loss is skipped (None) unless `with_loss`.
    With `max_score`, path entries with |s| >= max_score get g = 0, as the C tool and gensim skip them.
    """
    U = nodes[points]  # (B, L, dim) inner-node vectors on each path; padding reads node 0
    s = np.matmul(U, h[:, :, None])[:, :, 0]  # (B, L) scores u . h
    g = expit(s)
    g -= 1 - codes
    g *= mask  # padding contributes nothing
    if max_score is not None:
        g[np.abs(s) >= max_score] = 0.0
    loss = None
    if with_loss:
        loss = -(log_sigmoid((1 - 2 * codes) * s) * mask).sum(axis=1)  # (B,)
    dh = np.matmul(g[:, None, :], U)[:, 0, :]  # (B, dim)
    return loss, dh, g


def _check_model_inputs(W_in, nodes, tree, inputs, targets, model):
    """Validate the arguments of loss_and_grads / probabilities; return them as arrays."""
    check_choice("model", model, set(MODELS))
    if not isinstance(tree, HuffmanTree):
        raise ValueError(f"tree must be a HuffmanTree (from huffman(counts)), got {type(tree).__name__}")
    W_in = check_matrix("W_in", W_in, rows=tree.vocab_size)
    nodes = check_matrix("nodes", nodes, rows=tree.vocab_size - 1, cols=W_in.shape[1])
    V = tree.vocab_size
    inputs = check_ids("inputs", inputs, V, ndim=1 if model == "skipgram" else 2, allow_padding=model == "cbow")
    if inputs.shape[0] == 0:
        raise ValueError("inputs is an empty batch; a batch needs at least one example")
    if model == "cbow" and not (inputs >= 0).any(axis=1).all():
        row = int(np.flatnonzero(~(inputs >= 0).any(axis=1))[0])
        raise ValueError(f"inputs row {row} has no real context word (all -1 padding)")
    if targets is not None:
        targets = check_ids("targets", targets, V, ndim=1)
        if targets.shape[0] != inputs.shape[0]:
            raise ValueError(f"targets has {targets.shape[0]} entries, inputs {inputs.shape[0]} rows; they must match")
    return W_in, nodes, inputs, targets


def loss_and_grads(W_in, nodes, tree: HuffmanTree, inputs, targets,
                   model: str = "skipgram") -> tuple[float, np.ndarray, np.ndarray]:
    """Return the batch-mean hierarchical-softmax loss and its gradients (dW_in, dnodes).

    W_in: (V, dim); nodes: (V - 1, dim) inner-node vectors; tree: :func:`huffman` of the counts.
    model "skipgram": inputs (B,) centre ids c, targets (B,) context ids o, loss -log P(o | v_c).
    model "cbow": inputs (B, C) context ids padded with -1, targets (B,) centre ids, h the
    average of the real context vectors (each context row receives 1/n of dh, the exact gradient).
    """
    W_in, nodes, inputs, targets = _check_model_inputs(W_in, nodes, tree, inputs, targets, model)
    B = targets.shape[0]
    h, rows = hidden(W_in, inputs, model, sum_with="reduceat")
    pts, bits, mask = tree.point_table[targets], tree.code_table[targets], tree.mask[targets]  # (B, L)
    loss, dh, g = _path_terms(h, nodes, pts, bits, mask)
    dW_in, dnodes = np.zeros_like(W_in), np.zeros_like(nodes)
    # np.add.at adds once per occurrence: a word or node used twice receives both contributions.
    # Each context word of a CBOW example gets 1/n of dh (the exact gradient of the average).
    np.add.at(dW_in, rows.ids, dh / B if rows.owner is None else dh[rows.owner] * rows.weight[:, None] / B)
    np.add.at(dnodes, pts[mask], (g[:, :, None] * h[:, None, :])[mask] / B)
    return float(loss.mean()), dW_in, dnodes


def probabilities(W_in, nodes, tree: HuffmanTree, inputs, model: str = "skipgram") -> np.ndarray:
    """Return the (B, V) distribution P(w | h) over every word for each input.

    Each word's probability is the product of the sigmoids on its path; the V products sum to 1
    (to float rounding) because at every inner node the two turns share sigma(s) + sigma(-s) = 1.
    """
    W_in, nodes, inputs, _ = _check_model_inputs(W_in, nodes, tree, inputs, None, model)
    h, _ = hidden(W_in, inputs, model, sum_with="reduceat")
    s = h @ nodes.T  # (B, V - 1): every inner node's score
    signed = (1 - 2 * tree.code_table) * s[:, tree.point_table]  # (B, V, L)
    return np.exp((log_sigmoid(signed) * tree.mask).sum(axis=2))  # (B, V)


# -- the trainer ---------------------------------------------------------------------------------
# Examples per step: about 170 words of text for skip-gram (6 pairs a word), 256 for CBOW.
_HS_BATCH = {"skipgram": 1024, "cbow": 256}
# The C tool and gensim skip a path node whose score is beyond +-6 (MAX_EXP, the end of their sigmoid
# table). In a minibatch, where the nodes near the root collect the steps of every example at once,
# the same rule also keeps those nodes from running away.
MAX_SCORE = 6.0


def output_step(nodes, tree: HuffmanTree, h, targets, lr, with_loss=False):
    """Take the output side of one SGD step; return (summed loss or None, h's step (B, dim)).

    The inner nodes on each target's path move by -lr times their summed gradients, in place
    (paths padded to the batch's longest; nodes with |score| >= MAX_SCORE skipped); h's step is
    -lr times the loss's gradient for h, for :func:`w2v_teach.inputs.spread`.
    """
    L = int(tree.lengths[targets].max())
    pts, bits, mask = tree.point_table[targets, :L], tree.code_table[targets, :L], tree.mask[targets, :L]
    loss, dh, g = _path_terms(h, nodes, pts, bits.astype(h.dtype), mask, with_loss, MAX_SCORE)
    g *= -lr
    _add_node_steps(nodes, pts[mask], np.nonzero(mask)[0], g[mask], h)
    dh *= -lr
    return (None if loss is None else float(loss.sum())), dh


def _add_node_steps(nodes, points, example, g, h) -> None:
    """Add g[i] * h[example[i]] to nodes[points[i]] for every path entry i, in place.

    A scatter-add (:mod:`w2v_teach.scatter`) of the rows g[i] * h[example[i]] would first build
    those (nnz, dim) rows; here the sparse matrix that groups the entries by node carries g as
    its values and the example as its column, so one product with the small h (B, dim) gives each
    node's summed step directly.
    """
    distinct, order, starts = group_rows(points)  # entries grouped by inner node
    steps = sp.csr_matrix((g[order], example[order].astype(np.int32), starts),
                          shape=(distinct.shape[0], h.shape[0]))  # (n_distinct, B)
    nodes[distinct] += steps @ h  # (n_distinct, dim)


def _runs(targets: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (run starts (R,), each row's run (B,), each row's place in its run (B,)) of equal targets."""
    new = np.empty(targets.shape[0], dtype=bool)  # True where a run of equal targets starts
    new[0] = True
    np.not_equal(targets[1:], targets[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    run = np.cumsum(new) - 1
    return starts, run, np.arange(targets.shape[0]) - starts[run]


def shared_path_step(nodes, tree: HuffmanTree, h, targets, lr, with_loss=False):
    """Do :func:`output_step` with one gathered path per run of equal consecutive targets.

    The speed path of ``train(share_paths=True)``, where the targets are the centre words and a
    centre's pairs sit side by side: a run of n rows with one target scores its path with one
    (n, dim) @ (dim, L) product instead of n (1, dim) @ (dim, L) ones, and the (runs, L, dim)
    gather is a fifth of output_step's (rows, L, dim). The same steps as output_step, to rounding.
    """
    dim = h.shape[1]
    starts, run, slot = _runs(targets)
    words = targets[starts]  # (R,) the target of each run
    L = int(tree.lengths[words].max())
    pts, bits, mask = tree.point_table[words, :L], tree.code_table[words, :L], tree.mask[words, :L]  # (R, L)
    H = np.zeros((starts.shape[0], int(slot.max()) + 1, dim), dtype=h.dtype)  # (R, P, dim) zero-padded runs
    H[run, slot] = h
    real = np.zeros(H.shape[:2], dtype=bool)  # (R, P) the slots that hold a row
    real[run, slot] = True
    U = nodes[pts]  # (R, L, dim) one path a run
    s = np.matmul(H, U.transpose(0, 2, 1))  # (R, P, L) scores u . h
    valid = real[:, :, None] & mask[:, None, :]  # (R, P, L)
    g = expit(s)
    g -= (1 - bits[:, None, :]).astype(h.dtype)
    g *= valid
    g[np.abs(s) >= MAX_SCORE] = 0.0
    loss = None
    if with_loss:
        loss = float(-(log_sigmoid((1 - 2 * bits[:, None, :]) * s) * valid).sum())
    g *= -lr
    dh = np.matmul(g, U)[run, slot]  # (B, dim)
    steps = np.matmul(g.transpose(0, 2, 1), H)  # (R, L, dim) each path node's step, summed over its run
    add_rows(nodes, pts[mask], steps[mask])
    return loss, dh


def train(tokens: Sequence[str], *, model: str = "skipgram", dim: int = 100, window: int = 5,
          epochs: int = 5, lr: float | None = None, t: float | None = 1e-4, min_count: int = 5,
          max_size: int | None = None, seed: int = 0, keep: str = "in", batch_size: int | None = None,
          cbow_update: str = "c_tool", loss_every: int = 8, blas_threads: int | None = 1,
          share_paths: bool = False, progress: bool = False, tree: str = "huffman") -> TrainResult:
    """Train skip-gram or CBOW with hierarchical softmax by minibatch SGD; return a TrainResult.

    The hyperparameters mean what they mean in :func:`w2v_teach.sgns.train` (there are no noise
    words): examples in text order, the C tool's dynamic window, subsampling with threshold `t`
    redrawn every epoch, a linear learning-rate decay from `lr` (None: 0.025 skip-gram, 0.05
    CBOW), and each step adds -lr times the *summed* per-example gradients of the batch
    (batch_size None: 1024 skip-gram pairs or 256 CBOW windows). The result's ``W_out`` is the
    (V - 1, dim) table of inner-node vectors and ``info["tree"]`` the tree: `tree` "huffman" (the
    C tool's), or the controls "balanced" and "random" (:func:`build_tree`, drawn from `seed`).
    share_paths (skip-gram): predict each centre word's path from its context words' vectors, as
    the C tool and gensim do, instead of each context word's path from the centre's vector (the
    same pairs, read the other way round); a centre's pairs then share one path, which
    :func:`shared_path_step` gathers and scores once (a step about 1.7x faster; other numbers).
    """
    hp = model_hyperparameters(
        model, lr=lr, batch_size=batch_size, default_batch=_HS_BATCH, dim=dim, window=window, epochs=epochs, t=t,
        min_count=min_count, max_size=max_size, seed=seed, keep=keep, loss_every=loss_every,
        cbow_update=cbow_update)
    if keep != "in":
        raise ValueError(f"keep must be 'in' for hierarchical softmax (no output vector per word), got {keep!r}")
    blas_threads = None if blas_threads is None else check_int("blas_threads", blas_threads, 1)
    if check_bool("share_paths", share_paths) and model != "skipgram":
        raise ValueError(f"share_paths is for model='skipgram' (CBOW has one path an example), got model={model!r}")
    vocab, ids = prepare_corpus(tokens, hp.min_count, hp.max_size)
    tree = build_tree(tree, vocab.counts, hp.seed)
    rng = np.random.default_rng(hp.seed)
    W_in, nodes = init_matrices(len(vocab), hp.dim, rng)
    nodes = nodes[:-1]  # (V - 1, dim) inner-node vectors, zero at the start as the C tool's syn1
    log = LossLog(hp.loss_every)
    start = time.perf_counter()
    with (np.errstate(over="ignore", invalid="ignore"), threadpool_limits(blas_threads, user_api="blas"),
          progress_bar(progress, hp.epochs, f"hs-{model}", "epoch") as bar):
        examples = text_examples(ids, vocab.counts, rng, hp)
        run = run_epochs(hp.epochs, _swapped(examples) if share_paths else examples,
                         _step(W_in, nodes, tree, hp, shared_path_step if share_paths else output_step),
                         hp.batch_size, words_schedule(hp.lr, hp.epochs), log, bar, hp.lr)
    return finish(vocab, W_in, nodes, log, run, time.perf_counter() - start,
                  info={"model": model, "cbow_update": hp.cbow_update, "batch_size": hp.batch_size,
                        "loss_every": hp.loss_every, "tree": tree, "share_paths": share_paths})


def _swapped(examples):
    """Return examples(epoch) with each skip-gram pair read the other way: (contexts, centres, words)."""
    def swapped(epoch: int):
        cut = examples(epoch)
        return None if cut is None else (cut[1], cut[0], cut[2])
    return swapped


def _step(W_in, nodes, tree: HuffmanTree, hp, layer=output_step):
    """Return step(inputs, targets, lr, want_loss) -> mean loss or None: one SGD step of a batch."""
    def step(inputs, targets, lr, want):
        loss = update(W_in, inputs, hp.model, lambda h: layer(nodes, tree, h, targets, np.float32(lr), want),
                      hp.cbow_update, sum_with="reduceat")
        return None if loss is None else loss / targets.shape[0]
    return step
