"""Word2vec in PyTorch: the two models as ``nn.Module``s, and a fast trainer for any device.

Two layers, for two purposes:

* :class:`SkipGramNS` and :class:`CBOW` are the models as a PyTorch user writes them: two
  ``nn.Embedding`` tables (input and output vectors) and a ``forward`` that returns the mean
  loss of a batch. Autograd differentiates them; with float64 weights their gradients equal the
  hand-derived NumPy ones of :mod:`w2v_teach.sgns` and :mod:`w2v_teach.cbow_softmax`.
* :func:`train` is the fast trainer. Its default path does not call autograd: it writes the
  SGD update by hand under ``torch.no_grad()`` (gather the rows of a batch, batched matrix
  products, a sigmoid, one scatter-add back into the tables), lets each group of consecutive
  examples share one set of S noise words (the "HogBatch" idea of Ji et al. 2016), and, with
  ``threads >= 2``, prepares the next batches in a DataLoader worker process while the current
  ones train. ``optimizer="sparse_adam"`` (or ``autograd=True``) trains the ``nn.Module`` with
  autograd instead, the practitioner's way.

Layout of the fast path: both tables live in one (2V + 1, dim) float32 tensor ``W``; rows
0..V-1 are the input vectors, rows V..2V-1 the output vectors, and row 2V is an always-zero
padding row for CBOW's short windows. A batch of b examples in G groups is then one int64
index vector into ``W``:

* skip-gram: ``[centres (b), V + contexts (b), V + noise words (G*S)]``;
* CBOW: ``[context slots (b*2*window, padding -> 2V), V + centre words (b), V + noise words (G*S)]``.

One ``index_select`` reads every row a batch needs and one scatter-add writes every update.

Learning rate: as in :mod:`w2v_teach.sgns`, a step moves the rows by ``lr`` times the *sum*
of the per-example gradients of the batch (so each example moves its rows as far as one SGD
step of the C tool would), with the C tool's linear decay to ``lr * 1e-4``. CBOW takes the
exact gradient of the average: each context word gets 1/n of h's step, where the C tool and
:mod:`w2v_teach.sgns` give each the whole step, so CBOW here wants a larger lr (0.1-0.2).
"""
from __future__ import annotations

import time
from typing import Iterator, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from . import sampling, windows
from ._checks import check_bool, check_choice, check_int
from .text import Vocab
from .training import TrainResult, check_finite_loss, check_hyperparameters, linear_lr, make_result

__all__ = ["pick_device", "SkipGramNS", "CBOW", "train", "init_tables", "MODELS", "OPTIMIZERS"]

MODELS = ("skipgram", "cbow")
OPTIMIZERS = ("sgd", "sparse_adam")
DEFAULT_LR = {"skipgram": 0.025, "cbow": 0.05}
DEFAULT_BATCH = {"skipgram": 2048, "cbow": 512}


# -- devices -------------------------------------------------------------------------------------
def pick_device() -> torch.device:
    """Return the best available device: CUDA, then Apple's MPS, then the CPU."""
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def _as_device(device) -> torch.device:
    """Return `device` (None, a name or a torch.device) as a torch.device; ValueError if unknown."""
    if device is None:
        return pick_device()
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(f"device must be None, 'cpu', 'cuda', 'mps' or a torch.device, got {device!r}") from exc
    mps = getattr(torch.backends, "mps", None)
    available = {"cpu": True, "cuda": torch.cuda.is_available(), "mps": mps is not None and mps.is_available()}
    if not available.get(dev.type, False):
        raise ValueError(f"device {device!r} is not available here; pick_device() returns {pick_device()}")
    return dev


def _synchronize(dev: torch.device) -> None:
    """Wait for the device's queued kernels to finish, so that a timer measures them."""
    if dev.type == "cuda":
        torch.cuda.synchronize()
    elif dev.type == "mps":
        torch.mps.synchronize()


# -- the models ----------------------------------------------------------------------------------
def init_tables(vocab_size: int, dim: int, seed: int = 0, dtype: torch.dtype = torch.float32
                ) -> tuple[torch.Tensor, torch.Tensor]:
    """Return the starting tables: W_in uniform in [-1/dim, 1/dim), W_out zeros.

    This is gensim 4's start (and :func:`w2v_teach.sgns.init_matrices`); the C tool draws W_in
    from half that range. Both start near the saddle point at zero, which short runs on small
    corpora are still leaving, so the wider start makes like-for-like comparisons with gensim.
    """
    vocab_size = check_int("vocab_size", vocab_size, 1)
    dim = check_int("dim", dim, 1)
    gen = torch.Generator().manual_seed(check_int("seed", seed))
    W_in = (torch.rand(vocab_size, dim, generator=gen, dtype=dtype) * 2.0 - 1.0) / dim  # (V, dim)
    W_out = torch.zeros(vocab_size, dim, dtype=dtype)  # (V, dim)
    return W_in, W_out


class _TwoTables(nn.Module):
    """Two embedding tables, input vectors and output vectors, with checked lookups."""

    def __init__(self, vocab_size: int, dim: int, sparse: bool = False, seed: int = 0,
                 dtype: torch.dtype = torch.float32) -> None:
        super().__init__()
        W_in, W_out = init_tables(vocab_size, dim, seed, dtype)
        self.in_embed = nn.Embedding.from_pretrained(W_in, freeze=False, sparse=sparse)
        self.out_embed = nn.Embedding.from_pretrained(W_out, freeze=False, sparse=sparse)

    @classmethod
    def from_matrices(cls, W_in, W_out, sparse: bool = False):
        """Return a model holding copies of the given (V, dim) tables, in their float dtype."""
        W_in = torch.as_tensor(np.asarray(W_in) if not torch.is_tensor(W_in) else W_in)
        W_out = torch.as_tensor(np.asarray(W_out) if not torch.is_tensor(W_out) else W_out)
        if W_in.ndim != 2 or not W_in.is_floating_point():
            raise ValueError(f"W_in must be a 2-D float matrix, got shape {tuple(W_in.shape)} and dtype {W_in.dtype}")
        if W_out.shape != W_in.shape or W_out.dtype != W_in.dtype:
            raise ValueError(f"W_out must match W_in ({tuple(W_in.shape)}, {W_in.dtype}), "
                             f"got {tuple(W_out.shape)}, {W_out.dtype}")
        model = cls(W_in.shape[0], W_in.shape[1], sparse=sparse, dtype=W_in.dtype)
        with torch.no_grad():
            model.in_embed.weight.copy_(W_in)
            model.out_embed.weight.copy_(W_out)
        return model

    @property
    def vocab_size(self) -> int:
        """Return the number of words V."""
        return self.in_embed.num_embeddings

    @property
    def dim(self) -> int:
        """Return the vector dimension."""
        return self.in_embed.embedding_dim

    def matrices(self) -> tuple[np.ndarray, np.ndarray]:
        """Return copies of (W_in, W_out) as NumPy arrays."""
        return (self.in_embed.weight.detach().cpu().numpy().copy(),
                self.out_embed.weight.detach().cpu().numpy().copy())

    def _ids(self, name: str, ids, ndim: int | tuple[int, ...], padding: bool = False) -> torch.Tensor:
        """Return `ids` as an int64 tensor on the model's device, or raise ValueError naming it."""
        ids = torch.as_tensor(ids)
        if ids.is_floating_point() or ids.is_complex() or ids.dtype == torch.bool:
            raise ValueError(f"{name} must hold integer word ids, got dtype {ids.dtype}")
        allowed = (ndim,) if isinstance(ndim, int) else ndim
        if ids.ndim not in allowed:
            raise ValueError(f"{name} must be {' or '.join(map(str, allowed))}-dimensional, got shape {tuple(ids.shape)}")
        if ids.numel() == 0:
            raise ValueError(f"{name} is empty; a batch needs at least one example")
        low = -1 if padding else 0
        lo, hi = int(ids.min()), int(ids.max())
        if lo < low or hi >= self.vocab_size:
            bad = lo if lo < low else hi
            extra = " or -1 for padding" if padding else ""
            raise ValueError(f"{name} contains id {bad}, outside the vocabulary range [0, {self.vocab_size}){extra}")
        return ids.to(device=self.in_embed.weight.device, dtype=torch.long)

    def _noise_loss(self, v: torch.Tensor, u: torch.Tensor, negatives, neg_weight: float,
                    share_size: int) -> torch.Tensor:
        """Return the per-example negative-sampling loss (B,) for input vectors v and targets u.

        negatives (S,) are shared by the whole batch; negatives (G, S) give one row to each group
        of `share_size` consecutive examples (share_size=1: S = K noise words per example).
        """
        B = v.shape[0]
        pos = (v * u).sum(dim=1)  # (B,) u_o . v_c
        negatives = self._ids("negatives", negatives, (1, 2))
        share_size = check_int("share_size", share_size, 1)
        if negatives.ndim == 1:  # one set for the whole batch
            neg = v @ self.out_embed(negatives).T  # (B, S)
        else:
            groups = -(-B // share_size)
            if negatives.shape[0] != groups:
                raise ValueError(f"negatives must have shape ({groups}, S) for {B} examples in groups of "
                                 f"{share_size} (or (S,) for one shared set), got {tuple(negatives.shape)}")
            owner = torch.arange(B, device=v.device) // share_size  # (B,) the group of each example
            u_neg = self.out_embed(negatives)[owner]  # (B, S, dim)
            neg = torch.bmm(u_neg, v.unsqueeze(2)).squeeze(2)  # (B, S)
        return -F.logsigmoid(pos) - neg_weight * F.logsigmoid(-neg).sum(dim=1)


class SkipGramNS(_TwoTables):
    """Skip-gram with negative sampling: predict each context word from the centre word.

    ``forward(centers, contexts, negatives)`` returns the batch mean of
    ``-log sigma(u_o . v_c) - neg_weight * sum_k log sigma(-u_k . v_c)`` with v = input vectors
    (``in_embed``) and u = output vectors (``out_embed``). `negatives` is (B, K), K noise words
    per pair; or (S,), one set shared by the batch; or (G, S), one set for each group of
    `share_size` consecutive pairs (with S shared words, pass ``neg_weight=K/S``).
    ``sparse=True`` makes the embedding gradients sparse (for SGD or SparseAdam).
    """

    def forward(self, centers, contexts, negatives, neg_weight: float = 1.0, share_size: int = 1) -> torch.Tensor:
        centers = self._ids("centers", centers, 1)
        contexts = self._ids("contexts", contexts, 1)
        if contexts.shape != centers.shape:
            raise ValueError(f"contexts must have shape {tuple(centers.shape)} like centers, got {tuple(contexts.shape)}")
        v = self.in_embed(centers)  # (B, dim)
        u = self.out_embed(contexts)  # (B, dim)
        return self._noise_loss(v, u, negatives, neg_weight, share_size).mean()


class CBOW(_TwoTables):
    """Continuous bag of words: predict the centre word from the average of its context vectors.

    ``forward(contexts, targets, negatives=None)``: contexts is (B, C) with -1 for padding, and
    h is the average of each row's real input vectors. Without negatives the loss is the full
    softmax cross-entropy over the vocabulary (chapter 2's model); with negatives, shaped as for
    :class:`SkipGramNS`, it is the negative-sampling loss with h in place of the centre vector.
    Either way the batch mean is returned.
    """

    def hidden(self, contexts) -> torch.Tensor:
        """Return h (B, dim), the average input vector of each row's real context words."""
        contexts = self._ids("contexts", contexts, 2, padding=True)
        real = contexts >= 0  # (B, C)
        n_real = real.sum(dim=1)  # (B,)
        if bool((n_real == 0).any()):
            row = int(torch.nonzero(n_real == 0)[0, 0])
            raise ValueError(f"contexts row {row} has no real context word (all -1 padding)")
        rows = self.in_embed(contexts[real])  # (m, dim) only the real slots, so only their rows get gradients
        owner = torch.nonzero(real)[:, 0]  # (m,) the example each slot belongs to
        summed = torch.zeros(contexts.shape[0], self.dim, dtype=rows.dtype, device=rows.device).index_add(0, owner, rows)
        return summed / n_real.unsqueeze(1).to(rows.dtype)  # (B, dim)

    def forward(self, contexts, targets, negatives=None, neg_weight: float = 1.0, share_size: int = 1) -> torch.Tensor:
        h = self.hidden(contexts)  # (B, dim)
        targets = self._ids("targets", targets, 1)
        if targets.shape[0] != h.shape[0]:
            raise ValueError(f"targets has {targets.shape[0]} entries but contexts has {h.shape[0]} rows")
        if negatives is None:  # full softmax over the vocabulary
            return F.cross_entropy(h @ self.out_embed.weight.T, targets)
        return self._noise_loss(h, self.out_embed(targets), negatives, neg_weight, share_size).mean()


# -- batches from token ids ----------------------------------------------------------------------
class _Chunk:
    """The batches cut from one chunk of the corpus: one flat index vector and where each starts."""

    def __init__(self, flat: torch.Tensor, starts: list[int], sizes: list[int], words: int) -> None:
        self.flat = flat  # (total,) int64 rows of W, batch after batch
        self.starts = starts  # where batch j begins in flat
        self.sizes = sizes  # examples in batch j
        self.words = words  # effective (kept) words of the chunk


def _layout(first: np.ndarray, second: np.ndarray, negs: np.ndarray, batch: int, group: int,
            n_noise: int) -> tuple[np.ndarray, list[int], list[int]]:
    """Cut examples into batches laid out as [first (b*per), second (b), noise (ceil(b/group)*S)].

    first: (n, per) input-row ids; second: (n,) output-row ids; negs: (n_batches, ceil(batch/group)
    * n_noise) noise rows, already offset into W. Returns the flat ids, batch starts and sizes.
    """
    n, per = first.shape
    full, tail = divmod(n, batch)
    blocks, starts, sizes = [], [], []
    pos = 0
    for lo, b, count in ((0, batch, full), (full * batch, tail, 1 if tail else 0)):
        if count == 0:
            continue
        hi = lo + b * count
        k = lo // batch  # the first batch of this block
        noise = negs[k:k + count, :-(-b // group) * n_noise]  # a short tail batch has fewer groups
        block = np.concatenate([first[lo:hi].reshape(count, b * per), second[lo:hi].reshape(count, b), noise], axis=1)
        width = block.shape[1]
        starts += [pos + j * width for j in range(count)]
        sizes += [b] * count
        pos += count * width
        blocks.append(block.ravel())
    flat = np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.int64)
    return flat, starts, sizes


def _make_chunk(ids: np.ndarray, *, model: str, counts: np.ndarray, t: float | None, window: int,
                batch: int, group: int, n_noise: int, cdf: torch.Tensor,
                rng: np.random.Generator, gen: torch.Generator) -> _Chunk | None:
    """Subsample a chunk of ids, cut its training examples, shuffle them and lay out the batches.

    Every group of `group` consecutive examples shares `n_noise` noise words (group=1: each
    example has its own).
    """
    V = counts.shape[0]
    kept = sampling.subsample(ids, counts, t, rng)  # (n,)
    if kept.shape[0] < 2:
        return None
    table = windows.context_table(kept, window, rng)  # (n, 2*window), -1 = no word
    real = table >= 0
    has_context = real.any(axis=1)
    order = rng.permutation(np.flatnonzero(has_context))  # shuffle the positions, not the pairs
    table, real, centres = table[order], real[order], kept[order]
    if model == "skipgram":  # one example per (centre, context) pair, a centre's pairs side by side
        second = table[real] + V  # (P,) contexts, as output rows
        first = np.broadcast_to(centres[:, None], table.shape)[real][:, None]  # (P, 1) centres
    else:  # one example per position: its context slots (padding -> row 2V) predict the centre
        first = np.where(real, table, 2 * V)  # (n, 2*window)
        second = centres + V  # (n,)
    n_batches = -(-second.shape[0] // batch)
    u = torch.rand((n_batches, -(-batch // group) * n_noise), generator=gen, dtype=torch.float64)
    negs = torch.searchsorted(cdf, u, right=True).clamp_(max=V - 1).numpy() + V  # inverse CDF
    flat, starts, sizes = _layout(first, second, negs, batch, group, n_noise)
    return _Chunk(torch.from_numpy(flat), starts, sizes, int(kept.shape[0]))


def _chunks(ids: np.ndarray, epochs: int, chunk_tokens: int, **kwargs) -> Iterator[_Chunk]:
    """Yield the chunks of every epoch in order (each chunk's randomness drawn in sequence)."""
    for _ in range(epochs):
        for lo in range(0, ids.shape[0], chunk_tokens):
            chunk = _make_chunk(ids[lo:lo + chunk_tokens], **kwargs)
            if chunk is not None:
                yield chunk


class _ChunkStream(torch.utils.data.IterableDataset):
    """The chunks of every epoch as an IterableDataset, so that a DataLoader worker can prepare them.

    It holds the seed, not the generators, so that it pickles (spawned workers on macOS and
    Windows) and every pass over it draws the same batches.
    """

    def __init__(self, ids: np.ndarray, epochs: int, chunk_tokens: int, seed: int, **kwargs) -> None:
        super().__init__()
        self.ids, self.epochs, self.chunk_tokens, self.seed, self.kwargs = ids, epochs, chunk_tokens, seed, kwargs

    def chunks(self) -> Iterator[_Chunk]:
        """Yield the chunks in order, with the generators seeded afresh."""
        rng = np.random.default_rng(self.seed)  # subsampling, windows, shuffling
        gen = torch.Generator().manual_seed(self.seed + 1)  # noise words
        return _chunks(self.ids, self.epochs, self.chunk_tokens, rng=rng, gen=gen, **self.kwargs)

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


def _sgd_step(W: torch.Tensor, ib: torch.Tensor, b: int, *, model: str, context_slots: int,
              group: int, weight: float, lr: float, want_loss: bool,
              rows: torch.Tensor | None = None, grads: torch.Tensor | None = None) -> float | None:
    """Apply one hand-written SGD step for a batch laid out as described in the module docstring.

    W is the stacked (2V + 1, dim) table; every example moves its rows by lr times its own
    gradient (the sum over the batch). `rows` and `grads` are optional work buffers with at
    least len(ib) rows. Returns the batch-mean loss when `want_loss`.
    """
    n, dim = ib.shape[0], W.shape[1]
    rows = W.index_select(0, ib) if rows is None else torch.index_select(W, 0, ib, out=rows[:n])  # (n, dim)
    grads = torch.empty_like(rows) if grads is None else grads[:n]  # (n, dim), in the order of ib
    if model == "skipgram":
        loss = _noise_terms(rows[:b], rows[b:2 * b], rows[2 * b:], group, weight, want_loss,
                            grads[:b], grads[b:2 * b], grads[2 * b:])
        _scatter_add(W, ib, grads, -lr)
        return loss
    m = b * context_slots
    slots = rows[:m].view(b, context_slots, dim)  # (b, C, dim); padding reads the zero row
    n_real = (ib[:m].view(b, context_slots) != W.shape[0] - 1).sum(dim=1)  # (b,)
    inv = (1.0 / n_real.to(W.dtype)).unsqueeze(1)  # (b, 1)
    h = slots.sum(dim=1).mul_(inv)  # (b, dim) average context vector
    dh = torch.empty_like(h)
    loss = _noise_terms(h, rows[m:m + b], rows[m + b:], group, weight, want_loss,
                        dh, grads[m:m + b], grads[m + b:])
    grads[:m].view(b, context_slots, dim).copy_(dh.mul_(inv).unsqueeze(1).expand(b, context_slots, dim))
    _scatter_add(W, ib, grads, -lr)  # each real slot gets dh / n
    W[-1].zero_()  # the padding row received the padding slots' updates: reset it
    return loss


# -- the trainer ---------------------------------------------------------------------------------
def _check_tokens(tokens) -> list[str]:
    """Return `tokens` as a list of str, or raise ValueError."""
    if isinstance(tokens, str):
        raise ValueError("tokens must be a list of words, got a single str (tokenize it first)")
    tokens = list(tokens)
    if not tokens:
        raise ValueError("tokens is empty; training needs a corpus")
    return tokens


def _autograd_step(net: _TwoTables, opt: torch.optim.Optimizer, ib: torch.Tensor, b: int, *, model: str,
                   context_slots: int, V: int, group: int, weight: float, lr: float, mean: bool) -> float:
    """Take one autograd step of `net` on a batch in the fast path's layout; return the batch-mean loss."""
    groups = -(-b // group)
    if model == "skipgram":
        centers, contexts, negs = ib[:b], ib[b:2 * b] - V, ib[2 * b:] - V
        loss = net(centers, contexts, negs.view(groups, -1), neg_weight=weight, share_size=group)
    else:
        m = b * context_slots
        ctx = ib[:m].view(b, context_slots)
        ctx = torch.where(ctx == 2 * V, -1, ctx)
        negs = ib[m + b:] - V
        loss = net(ctx, ib[m:m + b] - V, negs.view(groups, -1), neg_weight=weight, share_size=group)
    for group in opt.param_groups:
        group["lr"] = lr
    opt.zero_grad(set_to_none=True)
    # SGD follows the C tool's scale (the sum over the batch); Adam is scale-free, so it gets the mean.
    (loss if mean else loss * b).backward()
    opt.step()
    return float(loss.detach())


def train(
    tokens: Sequence[str],
    *,
    model: str = "skipgram",
    dim: int = 100,
    window: int = 5,
    negatives: int = 5,
    epochs: int = 5,
    lr: float | None = None,
    t: float | None = 1e-4,
    min_count: int = 5,
    max_size: int | None = None,
    seed: int = 0,
    device=None,
    batch_size: int | None = None,
    shared_negatives: int | None = 32,
    share_size: int = 512,
    optimizer: str = "sgd",
    autograd: bool = False,
    threads: int | None = 2,
    chunk_tokens: int = 1 << 17,
    loss_every: int = 20,
    keep: str = "in",
    progress: bool = False,
) -> TrainResult:
    """Train skip-gram or CBOW with negative sampling in PyTorch and return a TrainResult.

    tokens: a flat list of words; the vocabulary keeps words seen `min_count` times (at most
    `max_size`). Each epoch subsamples frequent words (threshold `t`, None for none), draws a
    dynamic window per position (1..`window`), shuffles the positions (a centre's pairs stay
    together) and cuts batches of `batch_size` examples (skip-gram pairs, default 2048, or
    CBOW windows, default 512). Noise words follow counts**0.75: each group of `share_size`
    consecutive examples shares `shared_negatives` (S) noise words, each weighted K/S
    (K = `negatives`); None gives every example K noise words of its own. Small groups bound
    how far one noise word moves in a step (share_size * K / S pushes at once).

    `lr` (default 0.025 skip-gram, 0.05 CBOW) decays linearly to lr * 1e-4, as in the C tool.
    `optimizer="sgd"` takes the hand-written step (or autograd with torch.optim.SGD on sparse
    gradients when `autograd=True`); "sparse_adam" trains the nn.Module with SparseAdam
    (try lr about 0.01). `device`: None picks CUDA, MPS or CPU (ValueError if the one named is not
    available). MPS has no sparse tensors: there the autograd SGD path uses dense gradients (the
    same steps) and "sparse_adam" runs on the CPU; ``info["device"]`` records where it ran. `threads`: CPU cores to use;
    with 2 or more, one DataLoader worker *process* prepares the next chunks of batches while
    the main process trains with threads - 1 torch threads (a worker thread would fight the loop
    for the GIL); 1 prepares inline; None leaves torch's setting and prepares inline. Results
    depend only on `seed` (not on `threads`) for a given device. `chunk_tokens` tokens of text
    are turned into batches at a time.

    `words_per_second` counts effective words (after subsampling), like gensim, over the
    training loop. `losses` holds the mean loss of every `loss_every`-th batch; a non-finite
    loss or table raises FloatingPointError. `keep`: "in", "out" or "avg" picks the embeddings.
    """
    params = check_hyperparameters(dim=dim, window=window, negatives=negatives, epochs=epochs, t=t,
                                   min_count=min_count, max_size=max_size)
    check_choice("model", model, set(MODELS))
    check_choice("optimizer", optimizer, set(OPTIMIZERS))
    check_choice("keep", keep, {"in", "out", "avg"})
    lr = DEFAULT_LR[model] if lr is None else lr
    batch_size = DEFAULT_BATCH[model] if batch_size is None else batch_size
    params.update(check_hyperparameters(lr=lr, batch_size=batch_size))
    if params["max_size"] is not None:
        check_int("max_size", params["max_size"], 1)
    if shared_negatives is not None:
        shared_negatives = check_int("shared_negatives", shared_negatives, 1)
    share_size = check_int("share_size", share_size, 1)
    if threads is not None:
        threads = check_int("threads", threads, 1)
    seed = check_int("seed", seed, 0)
    chunk_tokens = check_int("chunk_tokens", chunk_tokens, 2)
    loss_every = check_int("loss_every", loss_every, 1)
    if not isinstance(autograd, bool):
        raise ValueError(f"autograd must be True or False, got {autograd!r}")
    dev = _as_device(device)
    dim, window, K, epochs = params["dim"], params["window"], params["negatives"], params["epochs"]
    lr, batch_size, t = params["lr"], params["batch_size"], params["t"]
    tokens = _check_tokens(tokens)

    vocab = Vocab.build(tokens, min_count=params["min_count"], max_size=params["max_size"])
    ids = vocab.encode(tokens, oov="skip")
    V = len(vocab)
    if V < 2 or ids.shape[0] < 2:
        raise ValueError(f"the corpus is too small to train on: {ids.shape[0]} tokens and {V} words "
                         "in the vocabulary (lower min_count or give more text)")

    W_in, W_out = init_tables(V, dim, seed)
    cdf = torch.from_numpy(sampling.NegativeSampler(sampling.noise_distribution(vocab.counts)).cdf)
    expected = float(ids.shape[0]) if t is None else float(sampling.keep_probability(vocab.counts, t)[ids].sum())
    total_words = max(expected * epochs, 1.0)
    if shared_negatives is None:  # K noise words per example = groups of one
        group, n_noise, weight = 1, K, 1.0
    else:
        group, n_noise, weight = share_size, shared_negatives, K / shared_negatives
    slots = 2 * window
    use_autograd = autograd or optimizer == "sparse_adam"

    if use_autograd and dev.type == "mps" and optimizer == "sparse_adam":
        dev = torch.device("cpu")  # SparseAdam needs sparse gradients, which MPS does not support
    if use_autograd:
        # Sparse gradients where the device has them; MPS gets dense ones, which give plain SGD the
        # same step (a zero gradient leaves a row where it is) at the cost of touching every row.
        sparse = dev.type != "mps"
        net = (SkipGramNS if model == "skipgram" else CBOW).from_matrices(W_in, W_out, sparse=sparse).to(dev)
        params_ = list(net.parameters())
        opt = torch.optim.SparseAdam(params_, lr=lr) if optimizer == "sparse_adam" else torch.optim.SGD(params_, lr=lr)
    else:
        W = torch.cat([W_in, W_out, torch.zeros(1, dim)]).to(dev)  # (2V + 1, dim)
        widest = batch_size * (1 if model == "skipgram" else slots) + batch_size + -(-batch_size // group) * n_noise
        rows_buf = torch.empty(widest, dim, device=dev)  # work buffers, reused by every step
        grads_buf = torch.empty(widest, dim, device=dev)

    stream = _ChunkStream(ids, epochs, chunk_tokens, seed, model=model, counts=vocab.counts, t=t, window=window,
                          batch=batch_size, group=group, n_noise=n_noise, cdf=cdf)
    old_threads = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(max(1, threads - 1))
    source = _prefetch(stream) if threads is not None and threads >= 2 else stream.chunks()
    bar = None
    if check_bool("progress", progress):
        from tqdm.auto import tqdm

        bar = tqdm(total=int(total_words), desc=f"torch {model}", unit="word", unit_scale=True)

    losses: list[float] = []
    step, words, rate = 0, 0, lr
    start = time.perf_counter()
    try:
        with torch.set_grad_enabled(use_autograd):
            for chunk in source:
                flat = chunk.flat.to(dev, non_blocking=True)
                n_batches = len(chunk.sizes)
                for j, (s, b) in enumerate(zip(chunk.starts, chunk.sizes)):
                    rate = linear_lr(lr, min((words + chunk.words * j / n_batches) / total_words, 1.0))
                    width = b * (1 if model == "skipgram" else slots) + b + -(-b // group) * n_noise
                    ib = flat[s:s + width]
                    want = step % loss_every == 0
                    if use_autograd:
                        loss = _autograd_step(net, opt, ib, b, model=model, context_slots=slots, V=V, group=group,
                                              weight=weight, lr=rate, mean=optimizer == "sparse_adam")
                    else:
                        loss = _sgd_step(W, ib, b, model=model, context_slots=slots, group=group,
                                         weight=weight, lr=rate, want_loss=want, rows=rows_buf, grads=grads_buf)
                    if want:
                        losses.append(check_finite_loss(loss, step, rate))
                    step += 1
                words += chunk.words
                if bar is not None:
                    bar.update(chunk.words)
        _synchronize(dev)
    finally:
        if bar is not None:
            bar.close()
        torch.set_num_threads(old_threads)
    seconds = time.perf_counter() - start

    if use_autograd:
        W_in_np, W_out_np = net.matrices()
    else:
        W_cpu = W.cpu().numpy()
        W_in_np, W_out_np = W_cpu[:V].copy(), W_cpu[V:2 * V].copy()
    if not (np.isfinite(W_in_np).all() and np.isfinite(W_out_np).all()):
        raise FloatingPointError(f"the tables hold NaN or infinity after {step} steps (learning rate {lr:g}); "
                                 "training diverged - try a smaller lr")
    return make_result(
        vocab, W_in_np, W_out_np, losses, words, seconds, keep=keep,
        info={"steps": step, "loss_every": loss_every, "batch_size": batch_size, "device": str(dev),
              "shared_negatives": shared_negatives, "share_size": group, "optimizer": optimizer,
              "autograd": use_autograd, "threads": threads, "final_lr": rate, "model": model},
    )
