"""The PyTorch batch pipeline: token ids -> laid-out batches -> the hand-written SGD step -> the loop.

Shared by :mod:`w2v_teach.torch_train` (one process), :mod:`w2v_teach.hogwild` (several
processes on one shared table) and :mod:`w2v_teach.streaming` (shards read from disk).

Layout (owned by :class:`BatchLayout`): both tables live in one (2V + 1, dim) float32 tensor
``W``; rows 0..V-1 are the input vectors, rows V..2V-1 the output vectors, and row 2V is an
always-zero padding row for CBOW's short windows. A batch of b examples in G groups is one int64
index vector ``rows_index`` into ``W``:

* skip-gram: ``[centres (b), V + contexts (b), V + noise words (G*S)]``;
* CBOW: ``[context slots (b*2*window, padding -> 2V), V + centre words (b), V + noise words (G*S)]``.

One ``index_select`` reads every row a batch needs and one scatter-add writes every update
(:func:`sgd_step`). :class:`ChunkStream` cuts the text into such batches, chunk by chunk, and
:func:`loop` trains on them with the C tool's linear decay of the learning rate over the words.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Iterator, Protocol

import numpy as np
import torch
import torch.nn.functional as F

from . import sampling, windows
from .torch_models import synchronize
from .training import LossLog, linear_lr

__all__ = ["BatchLayout", "BatchStepper", "Chunk", "ChunkSpec", "ChunkStream", "chunks", "expected_words", "loop", "make_chunk",
           "noise_cdf", "noise_terms", "pack", "prefetch", "scatter_add", "sgd_step", "timed_run"]


class BatchStepper(Protocol):
    """What :func:`loop` drives: one training step on a batch laid out by `layout`."""

    layout: BatchLayout
    optimizer: str | None  # None: the hand-written step (no autograd)

    def step(self, rows_index: torch.Tensor, b: int, lr: float, want_loss: bool) -> float | None:
        """Train on one batch of b examples; return its mean loss when wanted."""


def noise_cdf(counts: np.ndarray, power: float = 0.75) -> torch.Tensor:
    """Return the (V,) cumulative noise distribution counts**power as a float64 tensor."""
    return torch.from_numpy(sampling.NegativeSampler(sampling.noise_distribution(counts, power)).cdf)


def expected_words(counts: np.ndarray, ids: np.ndarray, t: float | None) -> float:
    """Return the expected effective words of one pass over `ids` after subsampling with threshold t."""
    if t is None:
        return float(ids.shape[0])
    return float(sampling.keep_probability(counts, t)[ids].sum())


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
class Chunk:
    """The batches cut from one chunk of the corpus: one flat index vector and where each starts."""

    def __init__(self, flat: torch.Tensor, starts: list[int], sizes: list[int], words: int) -> None:
        self.flat = flat  # (total,) int64 rows of W, batch after batch
        self.starts = starts  # where batch j begins in flat
        self.sizes = sizes  # examples in batch j
        self.words = words  # effective (kept) words of the chunk


def pack(input_rows: np.ndarray, output_rows: np.ndarray, negs: np.ndarray, batch: int,
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


def make_chunk(ids: np.ndarray, spec: ChunkSpec, rng: np.random.Generator, gen: torch.Generator) -> Chunk | None:
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
    flat, starts, sizes = pack(input_rows, output_rows, negs, batch, layout)
    return Chunk(torch.from_numpy(flat), starts, sizes, int(kept.shape[0]))


def chunks(ids: np.ndarray, epochs: int, chunk_tokens: int, spec: ChunkSpec,
            rng: np.random.Generator, gen: torch.Generator) -> Iterator[Chunk]:
    """Yield the chunks of every epoch in order (each chunk's randomness drawn in sequence)."""
    for _ in range(epochs):
        for lo in range(0, ids.shape[0], chunk_tokens):
            chunk = make_chunk(ids[lo:lo + chunk_tokens], spec, rng, gen)
            if chunk is not None:
                yield chunk


class ChunkStream(torch.utils.data.IterableDataset):
    """The chunks of every epoch as an IterableDataset, so that a DataLoader worker can prepare them.

    It holds the seed, not the generators, so that it pickles (spawned workers on macOS and
    Windows) and every pass over it draws the same batches.
    """

    def __init__(self, ids: np.ndarray, epochs: int, chunk_tokens: int, seed: int, spec: ChunkSpec) -> None:
        super().__init__()
        self.ids, self.epochs, self.chunk_tokens, self.seed, self.spec = ids, epochs, chunk_tokens, seed, spec

    def chunks(self) -> Iterator[Chunk]:
        """Yield the chunks in order, with the generators seeded afresh."""
        rng = np.random.default_rng(self.seed)  # subsampling, windows, shuffling
        gen = torch.Generator().manual_seed(self.seed + 1)  # noise words
        return chunks(self.ids, self.epochs, self.chunk_tokens, self.spec, rng, gen)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor, torch.Tensor, int]]:
        for chunk in self.chunks():
            yield chunk.flat, torch.tensor(chunk.starts), torch.tensor(chunk.sizes), chunk.words


def prefetch(stream: ChunkStream, depth: int = 2) -> Iterator[Chunk]:
    """Prepare the chunks in one DataLoader worker *process*, `depth` chunks ahead, in order.

    A worker thread would fight the training loop for Python's global interpreter lock (the
    loop lost half its speed that way); a process has its own. One worker keeps the order and
    the random draws exactly those of the inline path, so results do not depend on `threads`.
    """
    loader = torch.utils.data.DataLoader(stream, batch_size=None, num_workers=1, prefetch_factor=depth)
    for flat, starts, sizes, words in loader:
        yield Chunk(flat, starts.tolist(), sizes.tolist(), int(words))


# -- the hand-written SGD steps (fast path) ------------------------------------------------------
def scatter_add(W: torch.Tensor, index: torch.Tensor, rows: torch.Tensor, alpha: float) -> None:
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


def noise_terms(v: torch.Tensor, u: torch.Tensor, u_neg: torch.Tensor, group: int, weight: float,
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


def sgd_step(W: torch.Tensor, rows_index: torch.Tensor, b: int, layout: BatchLayout, weight: float,
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
        loss = noise_terms(rows[:b], rows[b:2 * b], rows[2 * b:], layout.group, weight, want_loss,
                            grads[:b], grads[b:2 * b], grads[2 * b:])
        scatter_add(W, rows_index, grads, -lr)
        return loss
    slots = rows[:m].view(b, layout.per_example, dim)  # (b, C, dim); padding reads the zero row
    n_real = (rows_index[:m].view(b, layout.per_example) != W.shape[0] - 1).sum(dim=1)  # (b,)
    inv = (1.0 / n_real.to(W.dtype)).unsqueeze(1)  # (b, 1)
    h = slots.sum(dim=1).mul_(inv)  # (b, dim) average context vector
    dh = torch.empty_like(h)
    loss = noise_terms(h, rows[m:m + b], rows[m + b:], layout.group, weight, want_loss,
                        dh, grads[m:m + b], grads[m + b:])
    if cbow_exact:
        dh.mul_(inv)  # the gradient of the average: each of the n real slots gets dh / n
    grads[:m].view(b, layout.per_example, dim).copy_(dh.unsqueeze(1).expand(b, layout.per_example, dim))
    scatter_add(W, rows_index, grads, -lr)
    W[-1].zero_()  # the padding row received the padding slots' updates: reset it
    return loss


def timed_run(stream: ChunkStream, stepper: BatchStepper, dev: torch.device, threads: int | None, lr0: float,
               total_words: float, log: LossLog, bar) -> tuple[dict, float]:
    """Train on the whole stream with `threads` (restored afterwards); return the run and its seconds.

    With threads >= 2 a worker process prepares the chunks and the loop keeps threads - 1.
    """
    old_threads = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(max(1, threads - 1))
    source = prefetch(stream) if threads is not None and threads >= 2 else stream.chunks()
    start = time.perf_counter()
    try:
        with torch.set_grad_enabled(stepper.optimizer is not None):
            run = loop(source, stepper, dev, lr0, total_words, log, bar)
        synchronize(dev)  # queued GPU kernels belong to the time
    finally:
        torch.set_num_threads(old_threads)
    return run, time.perf_counter() - start


def loop(source: Iterator[Chunk], stepper: BatchStepper, dev: torch.device, lr0: float, total_words: float,
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
