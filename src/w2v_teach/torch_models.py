"""Word2vec in PyTorch: the two models as ``nn.Module``s, and the devices they run on.

:class:`SkipGramNS` and :class:`CBOW` are the models as a PyTorch user writes them: two
``nn.Embedding`` tables (input and output vectors) and a ``forward`` that returns the mean loss
of a batch. Autograd differentiates them; with float64 weights their gradients equal the
hand-derived NumPy ones of :mod:`w2v_teach.sgns` and :mod:`w2v_teach.cbow_softmax`.

The fast trainer lives in :mod:`w2v_teach.torch_train`, which installs itself here as
``torch_models.train`` (the address the chapters use); the package's front door
(``w2v.torch_models``) loads both. Nothing here imports the trainer, so the two modules form no
cycle.
"""
from __future__ import annotations


import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ._checks import check_int

__all__ = ["CBOW", "SkipGramNS", "TwoTables", "as_device", "init_tables", "pick_device", "synchronize"]


# -- devices -------------------------------------------------------------------------------------
def pick_device() -> torch.device:
    """Return the best available device: CUDA, then Apple's MPS, then the CPU."""
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def as_device(device) -> torch.device:
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


def synchronize(dev: torch.device) -> None:
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


class TwoTables(nn.Module):
    """Two embedding tables, input vectors and output vectors, with checked lookups.

    ``check_ranges`` (True) makes every lookup check that its ids lie in the vocabulary; the
    trainer turns it off for the batches it builds itself, since the check costs a host sync
    (min and max) per lookup on a GPU.
    """

    check_ranges: bool = True

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
        if not self.check_ranges:  # trusted batches (the trainer's): skip the min/max host sync
            return ids.to(device=self.in_embed.weight.device, dtype=torch.long)
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


class SkipGramNS(TwoTables):
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


class CBOW(TwoTables):
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


def __getattr__(name: str):
    """Explain where ``train`` comes from when this module was imported without the front door."""
    if name in ("train", "OPTIMIZERS"):
        raise AttributeError(f"torch_models.{name} is installed by w2v_teach.torch_train: use "
                             f"`import w2v_teach as w2v; w2v.torch_models.{name}` or w2v_teach.torch_train.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
