"""The fast PyTorch trainer: batches prepared ahead in a worker process, a hand-written SGD step.

:func:`train` does not call autograd on its default path: it writes the SGD update by hand
under ``torch.no_grad()`` (gather the rows of a batch, batched matrix products, a sigmoid, one
scatter-add back into the tables), lets each group of consecutive examples share one set of S
noise words (the "HogBatch" idea of Ji et al. 2016), and, with ``threads >= 2``, prepares the
next batches in a DataLoader worker process while the current ones train.
``optimizer="sparse_adam"`` (or ``autograd=True``) trains the ``nn.Module`` of
:mod:`w2v_teach.torch_models` with autograd instead, the practitioner's way.

The batches, their layout and the hand-written step live in :mod:`w2v_teach.torch_batches`
(shared with :mod:`w2v_teach.hogwild` and :mod:`w2v_teach.streaming`); this module adds the
autograd path, the options and the trainer. Importing it installs :func:`train` and
:data:`OPTIMIZERS` as ``torch_models.train`` and ``torch_models.OPTIMIZERS`` (the chapters' address).

Learning rate: as in :mod:`w2v_teach.sgns`, a step moves the rows by ``lr`` times the *sum*
of the per-example gradients of the batch (so each example moves its rows as far as one SGD
step of the C tool would), with the C tool's linear decay to ``lr * 1e-4``. CBOW follows
`cbow_update` as in :mod:`w2v_teach.sgns`: the C tool's rule (each context word gets h's whole
step, the default) or the exact gradient of the average (1/n of it, which wants a larger lr,
0.1-0.2, and is what autograd computes).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import torch

from . import torch_models
from ._checks import check_bool, check_choice, check_int
from .torch_batches import BatchLayout, ChunkSpec, ChunkStream, expected_words, noise_cdf, sgd_step, timed_run
from .torch_models import CBOW, SkipGramNS, TwoTables, as_device, init_tables
from .training import (LossLog, TrainResult, finish, model_hyperparameters, prepare_corpus, progress_bar)

__all__ = ["OPTIMIZERS", "Stepper", "train"]

OPTIMIZERS = ("sgd", "sparse_adam")


def _autograd_step(net: TwoTables, opt: torch.optim.Optimizer, rows_index: torch.Tensor, b: int,
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
    hp = model_hyperparameters(
        model, lr=lr, batch_size=batch_size, dim=dim, window=window, negatives=negatives, epochs=epochs, t=t,
        min_count=min_count, max_size=max_size, seed=seed, keep=keep, loss_every=loss_every,
        cbow_update=cbow_update)
    S, share_size, threads, chunk_tokens, use_autograd, dev = _check_options(
        shared_negatives, share_size, threads, chunk_tokens, autograd, optimizer, device, model, hp.cbow_update)
    vocab, ids = prepare_corpus(tokens, hp.min_count, hp.max_size)
    # S shared noise words per group of share_size examples; per example: K words, groups of one
    layout = BatchLayout(model, hp.window, 1 if S is None else share_size, hp.negatives if S is None else S)
    weight = 1.0 if S is None else hp.negatives / S
    cdf = noise_cdf(vocab.counts)
    spec = ChunkSpec(layout, vocab.counts, hp.t, hp.batch_size, cdf)
    total_words = max(expected_words(vocab.counts, ids, hp.t) * hp.epochs, 1.0)
    stepper = Stepper(*init_tables(len(vocab), hp.dim, hp.seed), layout, weight, dev,
                       optimizer if use_autograd else None, hp)
    stream, log = ChunkStream(ids, hp.epochs, chunk_tokens, hp.seed, spec), LossLog(hp.loss_every)
    with progress_bar(progress, int(total_words), f"torch {model}", "word") as bar:  # the clock is inside
        run, seconds = timed_run(stream, stepper, dev, threads, hp.lr, total_words, log, bar)
    return finish(vocab, *stepper.matrices(len(vocab)), log, run, seconds, keep=hp.keep,
                  info={"model": model, "cbow_update": hp.cbow_update, "loss_every": hp.loss_every,
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
    dev = as_device(device)
    if use_autograd and dev.type == "mps" and optimizer == "sparse_adam":
        dev = torch.device("cpu")  # SparseAdam needs sparse gradients, which MPS does not support
    return S, share_size, threads, chunk_tokens, use_autograd, dev


class Stepper:
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
            return sgd_step(self.W, rows_index, b, self.layout, self.weight, lr, want_loss, self.rows, self.grads,
                             cbow_exact=self.cbow_exact)
        return _autograd_step(self.net, self.opt, rows_index, b, self.layout, self.V, self.weight, lr,
                              mean=self.optimizer == "sparse_adam")

    def matrices(self, V: int) -> tuple[np.ndarray, np.ndarray]:
        """Return (W_in, W_out) as float32 NumPy arrays on the CPU."""
        if self.optimizer is not None:
            return self.net.matrices()
        W = self.W.cpu().numpy()
        return W[:V].copy(), W[V:2 * V].copy()


# The chapters' address of the trainer (GUIDE section 2): w2v.torch_models.train.
torch_models.train, torch_models.OPTIMIZERS = train, OPTIMIZERS
