"""The fast PyTorch trainer: batches prepared ahead in a worker process, a hand-written SGD step.

:func:`train` does not call autograd on its default path: it writes the SGD update by hand
under ``torch.no_grad()`` (gather the rows of a batch, batched matrix products, a sigmoid, one
scatter-add back into the tables), lets each group of consecutive examples share one set of S
noise words (the "HogBatch" idea of Ji et al. 2016), and, with ``threads >= 2``, prepares the
next batches in a DataLoader worker process while the current ones train.
``optimizer="sparse_adam"`` (or ``autograd=True``) trains the ``nn.Module`` of
:mod:`w2v_teach.torch_models` with autograd instead, the practitioner's way.

Layout of the fast path (owned by :class:`BatchLayout`): both tables live in one (2V + 1, dim)
float32 tensor ``W``; rows 0..V-1 are the input vectors, rows V..2V-1 the output vectors, and
row 2V is an always-zero padding row for CBOW's short windows. A batch of b examples in G
groups is then one int64 index vector ``rows_index`` into ``W``:

* skip-gram: ``[centres (b), V + contexts (b), V + noise words (G*S)]``;
* CBOW: ``[context slots (b*2*window, padding -> 2V), V + centre words (b), V + noise words (G*S)]``.

One ``index_select`` reads every row a batch needs and one scatter-add writes every update.

Learning rate: as in :mod:`w2v_teach.sgns`, a step moves the rows by ``lr`` times the *sum*
of the per-example gradients of the batch (so each example moves its rows as far as one SGD
step of the C tool would), with the C tool's linear decay to ``lr * 1e-4``. CBOW follows
`cbow_update` as in :mod:`w2v_teach.sgns`: the C tool's rule (each context word gets h's whole
step, the default) or the exact gradient of the average (1/n of it, which wants a larger lr,
0.1-0.2, and is what autograd computes).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Iterator, Sequence

import numpy as np
import torch
import torch.nn.functional as F

from . import sampling, windows
from ._checks import check_bool, check_choice, check_int
from .torch_models import CBOW, SkipGramNS, _as_device, _synchronize, _TwoTables, init_tables
from .training import (DEFAULT_BATCH, DEFAULT_LR, MODELS, LossLog, TrainResult, check_hyperparameters,
                       linear_lr, make_result, prepare_corpus, progress_bar)

__all__ = ["train", "OPTIMIZERS", "BatchLayout"]

OPTIMIZERS = ("sgd", "sparse_adam")


@dataclass(frozen=True)
class BatchLayout:
    """Where each part of a batch sits in its index vector (see the module docstring).

    A batch of b examples is ``[input rows (b * per_example), output rows (b), noise rows
    (ceil(b / group) * n_noise)]``; per_example is 1 for skip-gram (the centre) and
    2 * window for CBOW (the context slots).
    """

    model: str
    window: int
    group: int
    n_noise: int

    @property
    def per_example(self) -> int:
        """Return the input rows per example: 1 (skip-gram) or the 2 * window context slots (CBOW)."""
        return 1 if self.model == "skipgram" else 2 * self.window

    def n_groups(self, b: int) -> int:
        """Return the number of noise-sharing groups in a batch of b examples."""
        return -(-b // self.group)

    def width(self, b: int) -> int:
        """Return the length of the index vector of a batch of b examples."""
        return b * self.per_example + b + self.n_groups(b) * self.n_noise

    def split(self, rows_index, b: int):
        """Return the (input rows, output rows, noise rows) parts of a batch's index vector."""
        m = b * self.per_example
        return rows_index[:m], rows_index[m:m + b], rows_index[m + b:]


@dataclass(frozen=True)
class ChunkSpec:
    """What turns a chunk of token ids into batches: the layout, subsampling and the noise."""

    layout: BatchLayout
    counts: np.ndarray  # (V,) word counts, for subsampling
    t: float | None  # the subsampling threshold
    batch: int  # examples per batch
    cdf: torch.Tensor  # (V,) cumulative noise distribution


# -- batches from token ids ----------------------------------------------------------------------
class _Chunk:
    """The batches cut from one chunk of the corpus: one flat index vector and where each starts."""

    def __init__(self, flat: torch.Tensor, starts: list[int], sizes: list[int], words: int) -> None:
        self.flat = flat  # (total,) int64 rows of W, batch after batch
        self.starts = starts  # where batch j begins in flat
        self.sizes = sizes  # examples in batch j
        self.words = words  # effective (kept) words of the chunk


def _pack(input_rows: np.ndarray, output_rows: np.ndarray, negs: np.ndarray, batch: int,
          layout: BatchLayout) -> tuple[np.ndarray, list[int], list[int]]:
    """Cut examples into batches laid out by `layout`; return the flat ids, batch starts and sizes.

    input_rows: (n, per_example) rows of W; output_rows: (n,) rows of W; negs: (n_batches,
    ceil(batch / group) * n_noise) noise rows, already offset into W.
    """
    n, per = input_rows.shape
    full, tail = divmod(n, batch)
    blocks, starts, sizes = [], [], []
    pos = 0
    for lo, b, count in ((0, batch, full), (full * batch, tail, 1 if tail else 0)):
        if count == 0:
            continue
        hi = lo + b * count
        k = lo // batch  # the first batch of this block
        noise = negs[k:k + count, :layout.n_groups(b) * layout.n_noise]  # a short tail batch has fewer groups
        block = np.concatenate([input_rows[lo:hi].reshape(count, b * per), output_rows[lo:hi].reshape(count, b),
                                noise], axis=1)
        width = block.shape[1]
        starts += [pos + j * width for j in range(count)]
        sizes += [b] * count
        pos += count * width
        blocks.append(block.ravel())
    flat = np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.int64)
    return flat, starts, sizes


def _make_chunk(ids: np.ndarray, spec: ChunkSpec, rng: np.random.Generator, gen: torch.Generator) -> _Chunk | None:
    """Subsample a chunk of ids, cut its training examples, shuffle them and lay out the batches.

    Every group of `spec.layout.group` consecutive examples shares `n_noise` noise words
    (group=1: each example has its own).
    """
    V, layout, batch = spec.counts.shape[0], spec.layout, spec.batch
    kept = sampling.subsample(ids, spec.counts, spec.t, rng)  # (n,)
    if kept.shape[0] < 2:
        return None
    table = windows.context_table(kept, layout.window, rng)  # (n, 2*window), -1 = no word
    real = table >= 0
    has_context = real.any(axis=1)
    order = rng.permutation(np.flatnonzero(has_context))  # shuffle the positions, not the pairs
    table, real, centres = table[order], real[order], kept[order]
    if layout.model == "skipgram":  # one example per (centre, context) pair, a centre's pairs side by side
        output_rows = table[real] + V  # (P,) contexts
        input_rows = np.broadcast_to(centres[:, None], table.shape)[real][:, None]  # (P, 1) centres
    else:  # one example per position: its context slots (padding -> row 2V) predict the centre
        input_rows = np.where(real, table, 2 * V)  # (n, 2*window)
        output_rows = centres + V  # (n,)
    n_batches = -(-output_rows.shape[0] // batch)
    u = torch.rand((n_batches, layout.n_groups(batch) * layout.n_noise), generator=gen, dtype=torch.float64)
    negs = torch.searchsorted(spec.cdf, u, right=True).numpy() + V  # inverse CDF (guarded: < V)
    flat, starts, sizes = _pack(input_rows, output_rows, negs, batch, layout)
    return _Chunk(torch.from_numpy(flat), starts, sizes, int(kept.shape[0]))


def _chunks(ids: np.ndarray, epochs: int, chunk_tokens: int, spec: ChunkSpec,
            rng: np.random.Generator, gen: torch.Generator) -> Iterator[_Chunk]:
    """Yield the chunks of every epoch in order (each chunk's randomness drawn in sequence)."""
    for _ in range(epochs):
        for lo in range(0, ids.shape[0], chunk_tokens):
            chunk = _make_chunk(ids[lo:lo + chunk_tokens], spec, rng, gen)
            if chunk is not None:
                yield chunk


class _ChunkStream(torch.utils.data.IterableDataset):
    """The chunks of every epoch as an IterableDataset, so that a DataLoader worker can prepare them.

    It holds the seed, not the generators, so that it pickles (spawned workers on macOS and
    Windows) and every pass over it draws the same batches.
    """

    def __init__(self, ids: np.ndarray, epochs: int, chunk_tokens: int, seed: int, spec: ChunkSpec) -> None:
        super().__init__()
        self.ids, self.epochs, self.chunk_tokens, self.seed, self.spec = ids, epochs, chunk_tokens, seed, spec

    def chunks(self) -> Iterator[_Chunk]:
        """Yield the chunks in order, with the generators seeded afresh."""
        rng = np.random.default_rng(self.seed)  # subsampling, windows, shuffling
        gen = torch.Generator().manual_seed(self.seed + 1)  # noise words
        return _chunks(self.ids, self.epochs, self.chunk_tokens, self.spec, rng, gen)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor, torch.Tensor, int]]:
        for chunk in self.chunks():
            yield chunk.flat, torch.tensor(chunk.starts), torch.tensor(chunk.sizes), chunk.words


def _prefetch(stream: _ChunkStream, depth: int = 2) -> Iterator[_Chunk]:
    """Prepare the chunks in one DataLoader worker *process*, `depth` chunks ahead, in order.

    A worker thread would fight the training loop for Python's global interpreter lock (the
    loop lost half its speed that way); a process has its own. One worker keeps the order and
    the random draws exactly those of the inline path, so results do not depend on `threads`.
    """
    loader = torch.utils.data.DataLoader(stream, batch_size=None, num_workers=1, prefetch_factor=depth)
    for flat, starts, sizes, words in loader:
        yield _Chunk(flat, starts.tolist(), sizes.tolist(), int(words))


# -- the hand-written SGD steps (fast path) ------------------------------------------------------
def _scatter_add(W: torch.Tensor, index: torch.Tensor, rows: torch.Tensor, alpha: float) -> None:
    """Add alpha * rows[i] to W[index[i]] for every i, summing repeated indices (in place).

    On the CPU a sparse COO tensor added to the dense table was the fastest of index_add_,
    scatter_add_, index_put_(accumulate=True) and the COO add (measured: about 2x index_add_);
    elsewhere index_add_, which CUDA runs with atomic adds.
    """
    if W.device.type == "cpu":
        update = torch.sparse_coo_tensor(index.unsqueeze(0), rows, W.shape, check_invariants=False)
        W.add_(update, alpha=alpha)
    else:
        W.index_add_(0, index, rows, alpha=alpha)


def _noise_terms(v: torch.Tensor, u: torch.Tensor, u_neg: torch.Tensor, group: int, weight: float,
                 want_loss: bool, dv: torch.Tensor, du: torch.Tensor, du_neg: torch.Tensor) -> float | None:
    """Write the gradients of a batch's summed NS loss into dv, du, du_neg; return the mean loss if wanted.

    v, u, dv, du: (b, dim). u_neg, du_neg: (G*S, dim), S noise rows for each of the G groups of
    `group` consecutive examples (group=1 is K noise words per example; group >= b, one set
    for the batch). The noise scores of a group are one matrix product, (g, dim) @ (dim, S);
    ``torch.bmm`` does all groups at once. Writing into preallocated buffers (``out=``) saves a
    copy of every row per step.
    """
    b, dim = v.shape
    g = min(group, b)
    G = -(-b // g)
    S = u_neg.shape[0] // G
    pad = G * g - b  # a short last group is padded with zero vectors, which push no noise word
    vg = (v if pad == 0 else torch.cat([v, v.new_zeros(pad, dim)])).view(G, g, dim)
    ug = u_neg.view(G, S, dim)
    pos = torch.linalg.vecdot(v, u)  # (b,) u_o . v
    neg = torch.bmm(vg, ug.transpose(1, 2))  # (G, g, S) u_k . v
    loss = None
    if want_loss:
        loss = (F.softplus(-pos).sum() + weight * F.softplus(neg).view(G * g, S)[:b].sum()).item() / b
    g_pos = torch.sigmoid(pos).sub_(1.0).unsqueeze_(1)  # (b, 1) d loss / d(u_o . v)
    g_neg = torch.sigmoid(neg).mul_(weight)  # (G, g, S) d loss / d(u_k . v)
    torch.mul(g_pos, u, out=dv)
    torch.mul(g_pos, v, out=du)
    if pad == 0:
        dv.view(G, g, dim).baddbmm_(g_neg, ug)  # += (g, S) @ (S, dim) per group
    else:
        dv.add_(torch.bmm(g_neg, ug).view(G * g, dim)[:b])
    torch.bmm(g_neg.transpose(1, 2), vg, out=du_neg.view(G, S, dim))  # (S, g) @ (g, dim) per group
    return loss


def _sgd_step(W: torch.Tensor, rows_index: torch.Tensor, b: int, layout: BatchLayout, weight: float,
              lr: float, want_loss: bool, rows: torch.Tensor | None = None,
              grads: torch.Tensor | None = None, cbow_exact: bool = False) -> float | None:
    """Apply one hand-written SGD step for a batch laid out by `layout` (see the module docstring).

    W is the stacked (2V + 1, dim) table; every example moves its rows by lr times its own
    gradient (the sum over the batch). `rows` and `grads` are optional work buffers with at
    least len(rows_index) rows. Returns the batch-mean loss when `want_loss`. CBOW: each context
    word gets h's whole step (the C tool's rule) or, with `cbow_exact`, 1/n of it.
    """
    n, dim = rows_index.shape[0], W.shape[1]
    rows = W.index_select(0, rows_index) if rows is None else torch.index_select(W, 0, rows_index, out=rows[:n])
    grads = torch.empty_like(rows) if grads is None else grads[:n]  # (n, dim), in the order of rows_index
    m = b * layout.per_example
    if layout.model == "skipgram":
        loss = _noise_terms(rows[:b], rows[b:2 * b], rows[2 * b:], layout.group, weight, want_loss,
                            grads[:b], grads[b:2 * b], grads[2 * b:])
        _scatter_add(W, rows_index, grads, -lr)
        return loss
    slots = rows[:m].view(b, layout.per_example, dim)  # (b, C, dim); padding reads the zero row
    n_real = (rows_index[:m].view(b, layout.per_example) != W.shape[0] - 1).sum(dim=1)  # (b,)
    inv = (1.0 / n_real.to(W.dtype)).unsqueeze(1)  # (b, 1)
    h = slots.sum(dim=1).mul_(inv)  # (b, dim) average context vector
    dh = torch.empty_like(h)
    loss = _noise_terms(h, rows[m:m + b], rows[m + b:], layout.group, weight, want_loss,
                        dh, grads[m:m + b], grads[m + b:])
    if cbow_exact:
        dh.mul_(inv)  # the gradient of the average: each of the n real slots gets dh / n
    grads[:m].view(b, layout.per_example, dim).copy_(dh.unsqueeze(1).expand(b, layout.per_example, dim))
    _scatter_add(W, rows_index, grads, -lr)
    W[-1].zero_()  # the padding row received the padding slots' updates: reset it
    return loss


def _autograd_step(net: _TwoTables, opt: torch.optim.Optimizer, rows_index: torch.Tensor, b: int,
                   layout: BatchLayout, V: int, weight: float, lr: float, mean: bool) -> float:
    """Take one autograd step of `net` on a batch in the fast path's layout; return the batch-mean loss."""
    inputs, outputs, noise = layout.split(rows_index, b)
    negs = (noise - V).view(layout.n_groups(b), -1)
    if layout.model == "skipgram":
        loss = net(inputs, outputs - V, negs, neg_weight=weight, share_size=layout.group)
    else:
        ctx = inputs.view(b, layout.per_example)
        ctx = torch.where(ctx == 2 * V, -1, ctx)  # the padding row back to the models' -1
        loss = net(ctx, outputs - V, negs, neg_weight=weight, share_size=layout.group)
    for param_group in opt.param_groups:
        param_group["lr"] = lr
    opt.zero_grad(set_to_none=True)
    # SGD follows the C tool's scale (the sum over the batch); Adam is scale-free, so it gets the mean.
    (loss if mean else loss * b).backward()
    opt.step()
    return float(loss.detach())


# -- the trainer ---------------------------------------------------------------------------------
def train(tokens: Sequence[str], *, model: str = "skipgram", dim: int = 100, window: int = 5, negatives: int = 5,
          epochs: int = 5, lr: float | None = None, t: float | None = 1e-4, min_count: int = 5,
          max_size: int | None = None, seed: int = 0, device=None, batch_size: int | None = None,
          shared_negatives: int | None = 32, share_size: int = 512, optimizer: str = "sgd",
          autograd: bool = False, threads: int | None = 2, chunk_tokens: int = 1 << 17, loss_every: int = 20,
          keep: str = "in", cbow_update: str = "c_tool", progress: bool = False) -> TrainResult:
    """Train skip-gram or CBOW with negative sampling in PyTorch and return a TrainResult.

    tokens: a flat list of words.
    model, dim, window, negatives (K), epochs, min_count, max_size, seed, keep: as in
        :func:`w2v_teach.sgns.train`. Each epoch subsamples (threshold `t`, None for none), draws
        a dynamic window per position and shuffles the positions (a centre's pairs stay together).
    lr: starting learning rate (default 0.025 skip-gram, 0.05 CBOW), decaying linearly to
        lr * 1e-4 over the words processed, as in the C tool.
    device: None picks CUDA, MPS or CPU (ValueError if the one named is not available). MPS has
        no sparse tensors: there the autograd SGD path uses dense gradients (the same steps) and
        "sparse_adam" runs on the CPU; ``info["device"]`` records where it ran.
    batch_size: examples per batch (default 2048 skip-gram pairs, 256 CBOW windows, as in sgns;
        unlike sgns, the positions of each chunk of text are shuffled).
    cbow_update: "c_tool" or "exact", as in sgns ("exact" with autograd or "sparse_adam").
    shared_negatives (S), share_size: each group of `share_size` consecutive examples shares S
        noise words (counts**0.75), each weighted K / S; None gives every example K of its own.
    optimizer: "sgd": the hand-written step (with `autograd=True`, autograd and torch.optim.SGD
        on sparse gradients); "sparse_adam": the nn.Module with SparseAdam (try lr about 0.01).
    threads: CPU cores to use: with 2 or more a DataLoader worker *process* prepares the batches
        while the loop trains with threads - 1 (restored afterwards); 1: inline; None: torch's
        setting. Results depend on `seed`, not on `threads`, for a given device.
    chunk_tokens: tokens of text turned into batches at a time. loss_every: ``losses`` holds the
        mean loss per example of every `loss_every`-th batch. progress: a bar over the words.
    ``words_per_second`` counts effective words (after subsampling), like gensim, over the loop.
    """
    check_choice("model", model, set(MODELS))
    hp = check_hyperparameters(
        dim=dim, window=window, negatives=negatives, epochs=epochs, t=t, min_count=min_count,
        max_size=max_size, seed=seed, keep=keep, loss_every=loss_every, cbow_update=cbow_update,
        lr=DEFAULT_LR[model] if lr is None else lr,
        batch_size=DEFAULT_BATCH[model] if batch_size is None else batch_size)
    S, share_size, threads, chunk_tokens, use_autograd, dev = _check_options(
        shared_negatives, share_size, threads, chunk_tokens, autograd, optimizer, device, model, hp.cbow_update)
    vocab, ids = prepare_corpus(tokens, hp.min_count, hp.max_size)
    # S shared noise words per group of share_size examples; per example: K words, groups of one
    layout = BatchLayout(model, hp.window, 1 if S is None else share_size, hp.negatives if S is None else S)
    weight = 1.0 if S is None else hp.negatives / S
    cdf = torch.from_numpy(sampling.NegativeSampler(sampling.noise_distribution(vocab.counts)).cdf)
    spec = ChunkSpec(layout, vocab.counts, hp.t, hp.batch_size, cdf)
    expected = float(ids.shape[0]) if hp.t is None else float(sampling.keep_probability(vocab.counts, hp.t)[ids].sum())
    total_words = max(expected * hp.epochs, 1.0)
    stepper = _Stepper(*init_tables(len(vocab), hp.dim, hp.seed), layout, weight, dev,
                       optimizer if use_autograd else None, hp)
    stream, log = _ChunkStream(ids, hp.epochs, chunk_tokens, hp.seed, spec), LossLog(hp.loss_every)
    with progress_bar(progress, int(total_words), f"torch {model}", "word") as bar:  # the clock is inside
        run, seconds = _timed_run(stream, stepper, dev, threads, hp.lr, total_words, log, bar)
    W_in_np, W_out_np = stepper.matrices(len(vocab))
    if not (np.isfinite(W_in_np).all() and np.isfinite(W_out_np).all()):
        log.record(float("nan"), run["batches"], run["final_lr"])
    return make_result(vocab, W_in_np, W_out_np, log.array(), run.pop("words"), seconds, keep=hp.keep,
                       info={"model": model, "cbow_update": hp.cbow_update, **run, "loss_every": hp.loss_every,
                             "batch_size": hp.batch_size, "device": str(dev), "shared_negatives": S,
                             "share_size": layout.group, "optimizer": optimizer, "autograd": use_autograd,
                             "threads": threads})


def _check_options(shared_negatives, share_size, threads, chunk_tokens, autograd, optimizer, device,
                   model: str, cbow_update: str):
    """Validate the trainer's own options; return them cleaned, with the device to run on."""
    check_choice("optimizer", optimizer, set(OPTIMIZERS))
    S = None if shared_negatives is None else check_int("shared_negatives", shared_negatives, 1)
    share_size = check_int("share_size", share_size, 1)
    threads = None if threads is None else check_int("threads", threads, 1)
    chunk_tokens = check_int("chunk_tokens", chunk_tokens, 2)
    use_autograd = check_bool("autograd", autograd) or optimizer == "sparse_adam"
    if use_autograd and model == "cbow" and cbow_update != "exact":
        raise ValueError("cbow_update must be 'exact' with autograd or sparse_adam (autograd computes the "
                         f"gradient of the average), got {cbow_update!r}")
    dev = _as_device(device)
    if use_autograd and dev.type == "mps" and optimizer == "sparse_adam":
        dev = torch.device("cpu")  # SparseAdam needs sparse gradients, which MPS does not support
    return S, share_size, threads, chunk_tokens, use_autograd, dev


class _Stepper:
    """One training step on a batch, by the hand-written SGD step or by autograd and an optimizer."""

    def __init__(self, W_in: torch.Tensor, W_out: torch.Tensor, layout: BatchLayout, weight: float,
                 dev: torch.device, optimizer: str | None, hp) -> None:
        self.layout, self.weight, self.V, self.optimizer = layout, weight, W_in.shape[0], optimizer
        self.cbow_exact = hp.cbow_update == "exact"
        dim, batch = W_in.shape[1], hp.batch_size
        if optimizer is None:  # the fast path: one stacked table and reusable work buffers
            self.W = torch.cat([W_in, W_out, torch.zeros(1, dim)]).to(dev)  # (2V + 1, dim)
            self.rows = torch.empty(layout.width(batch), dim, device=dev)
            self.grads = torch.empty(layout.width(batch), dim, device=dev)
            return
        # Sparse gradients where the device has them; MPS gets dense ones, which give plain SGD the
        # same step (a zero gradient leaves a row where it is) at the cost of touching every row.
        cls = SkipGramNS if layout.model == "skipgram" else CBOW
        self.net = cls.from_matrices(W_in, W_out, sparse=dev.type != "mps").to(dev)
        self.net.check_ranges = False  # the batches are ours: no per-step host sync for the id check
        params = list(self.net.parameters())
        self.opt = (torch.optim.SparseAdam(params, lr=hp.lr) if optimizer == "sparse_adam"
                    else torch.optim.SGD(params, lr=hp.lr))

    def step(self, rows_index: torch.Tensor, b: int, lr: float, want_loss: bool) -> float | None:
        """Train on one batch; return its mean loss (always with autograd, else when wanted)."""
        if self.optimizer is None:
            return _sgd_step(self.W, rows_index, b, self.layout, self.weight, lr, want_loss, self.rows, self.grads,
                             cbow_exact=self.cbow_exact)
        return _autograd_step(self.net, self.opt, rows_index, b, self.layout, self.V, self.weight, lr,
                              mean=self.optimizer == "sparse_adam")

    def matrices(self, V: int) -> tuple[np.ndarray, np.ndarray]:
        """Return (W_in, W_out) as float32 NumPy arrays on the CPU."""
        if self.optimizer is not None:
            return self.net.matrices()
        W = self.W.cpu().numpy()
        return W[:V].copy(), W[V:2 * V].copy()


def _timed_run(stream: _ChunkStream, stepper: _Stepper, dev: torch.device, threads: int | None, lr0: float,
               total_words: float, log: LossLog, bar) -> tuple[dict, float]:
    """Train on the whole stream with `threads` (restored afterwards); return the run and its seconds.

    With threads >= 2 a worker process prepares the chunks and the loop keeps threads - 1.
    """
    old_threads = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(max(1, threads - 1))
    source = _prefetch(stream) if threads is not None and threads >= 2 else stream.chunks()
    start = time.perf_counter()
    try:
        with torch.set_grad_enabled(stepper.optimizer is not None):
            run = _loop(source, stepper, dev, lr0, total_words, log, bar)
        _synchronize(dev)  # queued GPU kernels belong to the time
    finally:
        torch.set_num_threads(old_threads)
    return run, time.perf_counter() - start


def _loop(source: Iterator[_Chunk], stepper: _Stepper, dev: torch.device, lr0: float, total_words: float,
          log: LossLog, bar) -> dict:
    """Train on every batch of every chunk, with the C tool's linear decay over the words."""
    batches, words, rate = 0, 0, lr0
    for chunk in source:
        flat = chunk.flat.to(dev, non_blocking=True)
        n_batches = len(chunk.sizes)
        for j, (start, b) in enumerate(zip(chunk.starts, chunk.sizes)):
            rate = linear_lr(lr0, min((words + chunk.words * j / n_batches) / total_words, 1.0))
            want = log.due(batches)
            loss = stepper.step(flat[start:start + stepper.layout.width(b)], b, rate, want)
            if want:
                log.record(loss, batches, rate)
            batches += 1
        words += chunk.words
        bar.update(chunk.words)
    return {"words": words, "batches": batches, "final_lr": rate}
