"""Hogwild: several processes train one pair of tables in shared memory, without locks.

Recht et al. (2011) showed that stochastic gradient descent may let several workers update shared
parameters with no locking at all when each update touches few of them: two workers rarely write
the same row at the same moment, and when they do, one small update is lost or mixed, which SGD
tolerates like any other noise. The word2vec C tool and gensim use their threads this way.

:func:`train` does it for the PyTorch skip-gram/CBOW trainer of :mod:`w2v_teach.torch_train`:

* the stacked (2V + 1, dim) table of that trainer is moved into shared memory
  (``Tensor.share_memory_()``) before the workers start, so every process reads and writes the
  same floats;
* each of `workers` processes gets a contiguous slice of the corpus and prepares its own batches
  from it (subsampling, dynamic windows, shared noise words: the same chunk machinery as the
  one-process trainer), then applies the same hand-written SGD step, with one arithmetic thread
  (``torch.set_num_threads(1)``) so that the processes do not fight over the cores;
* each worker decays its learning rate linearly over its own share of the words, which, with
  slices of equal size, follows the global progress that the C tool tracks with a shared counter;
* each worker's batch is the one-process batch divided by the number of workers. A step moves a
  row by lr times the *sum* of its gradients in the batch, and the workers' steps land on the
  rows of frequent words at nearly the same time, computed from nearly the same vectors: with
  `workers` full batches in flight, a frequent word gets `workers` times the push that the
  one-process trainer is tuned for, which made runs with lr 0.05 diverge (measured: 1 run in 6
  with 2 workers, 2 in 6 with 3, on a loaded machine); divided batches keep the push the same.

The processes are forked where the platform allows it (Linux), else spawned. The result depends
on the seed and on how the operating system interleaves the workers' writes, so two runs with
the same seed and ``workers >= 2`` give slightly different vectors; ``workers=1`` is repeatable.
"""
from __future__ import annotations

import multiprocessing
from queue import Empty
import time
import traceback
from collections.abc import Sequence

import numpy as np
import torch
import torch.multiprocessing as tmp

from . import sampling
from ._checks import check_int
from .torch_models import init_tables
from .torch_batches import BatchLayout, ChunkSpec, ChunkStream, loop, noise_cdf, sgd_step
from .training import (DEFAULT_BATCH, LossLog, NoBar, TrainResult, finish, model_hyperparameters, prepare_corpus)

__all__ = ["split_ids", "start_method", "train", "worker_seed"]


def split_ids(ids: np.ndarray, workers: int) -> list[np.ndarray]:
    """Return `workers` contiguous slices of `ids` of (nearly) equal length (views, no copies)."""
    workers = check_int("workers", workers, 1)
    ids = np.asarray(ids)
    if ids.ndim != 1 or ids.shape[0] < 2 * workers:
        raise ValueError(f"ids must be a 1-D array of at least 2 ids per worker ({2 * workers} for "
                         f"workers={workers}), got shape {ids.shape}")
    bounds = np.linspace(0, ids.shape[0], workers + 1).astype(np.int64)
    return [ids[lo:hi] for lo, hi in zip(bounds[:-1], bounds[1:])]


def worker_seed(seed: int, rank: int) -> int:
    """Return the seed of worker `rank`: independent streams for every (seed, rank)."""
    seed, rank = check_int("seed", seed, 0), check_int("rank", rank, 0)
    return int(np.random.SeedSequence([seed, rank]).generate_state(1)[0]) // 2  # below 2**31


def start_method() -> str:
    """Return how worker processes start here: "fork" where the platform has it, else "spawn"."""
    return "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"


class _SharedStepper:
    """The one-process trainer's SGD step, applied to the shared table (the interface `loop` uses)."""

    optimizer = None

    def __init__(self, W: torch.Tensor, layout: BatchLayout, weight: float, batch: int, cbow_exact: bool) -> None:
        self.W, self.layout, self.weight, self.cbow_exact = W, layout, weight, cbow_exact
        self.rows = torch.empty(layout.width(batch), W.shape[1])  # private work buffers
        self.grads = torch.empty(layout.width(batch), W.shape[1])

    def step(self, rows_index: torch.Tensor, b: int, lr: float, want_loss: bool) -> float | None:
        """Train on one batch, writing straight into the shared table; return the loss when wanted."""
        return sgd_step(self.W, rows_index, b, self.layout, self.weight, lr, want_loss, self.rows, self.grads,
                         cbow_exact=self.cbow_exact)


def _worker(rank: int, W: torch.Tensor, ids: np.ndarray, spec: ChunkSpec, job: dict, queue) -> None:
    """Train on one slice of the corpus into the shared table W; put (rank, report) on `queue`."""
    try:
        torch.set_num_threads(1)  # one arithmetic thread: the processes are the parallelism
        stepper = _SharedStepper(W, spec.layout, job["weight"], spec.batch, job["cbow_exact"])
        stream = ChunkStream(ids, job["epochs"], job["chunk_tokens"], job["seed"], spec)
        log = LossLog(job["loss_every"])
        start = time.perf_counter()
        with torch.no_grad():
            run = loop(stream.chunks(), stepper, W.device, job["lr"], job["total_words"], log, NoBar())
        run.update(seconds=time.perf_counter() - start, losses=log.values)
        queue.put((rank, run))
    except BaseException as exc:  # report every failure to the parent, which raises it
        queue.put((rank, {"error": exc.__class__.__name__, "message": str(exc),
                          "trace": traceback.format_exc()}))


def _run_workers(W: torch.Tensor, slices: list[np.ndarray], spec: ChunkSpec, jobs: list[dict]) -> tuple[list, float]:
    """Start one process per slice, wait for all; return their reports (by rank) and the wall seconds."""
    ctx = tmp.get_context(start_method())
    queue = ctx.Queue()
    start = time.perf_counter()
    procs = [ctx.Process(target=_worker, args=(r, W, s, spec, jobs[r], queue), daemon=True)
             for r, s in enumerate(slices)]
    for p in procs:
        p.start()
    reports: dict[int, dict] = {}
    while len(reports) < len(procs):
        try:
            rank, report = queue.get(timeout=1.0)
            reports[rank] = report
        except Empty:  # check that nobody died without reporting
            dead = [p for r, p in enumerate(procs) if r not in reports and not p.is_alive()]
            if dead and queue.empty():
                for p in procs:
                    p.kill()
                raise RuntimeError(f"a Hogwild worker exited with code {dead[0].exitcode} without a report")
    for p in procs:
        p.join()
    seconds = time.perf_counter() - start
    failed = [rep for rep in reports.values() if "error" in rep]
    if failed:
        err = failed[0]
        cls = FloatingPointError if err["error"] == "FloatingPointError" else RuntimeError
        raise cls(f"a Hogwild worker failed: {err['error']}: {err['message']}\n{err['trace']}")
    return [reports[r] for r in range(len(procs))], seconds


def _check_run(reports: list[dict], every: int) -> tuple[LossLog, dict]:
    """Return worker 0's loss log and the run of all workers; FloatingPointError if the loss blew up.

    (Worker 0's log already checked every value for finiteness, at its step and learning rate;
    :func:`w2v_teach.training.finish` checks the tables.)
    """
    log = LossLog(every)
    log.values = list(reports[0]["losses"])
    values = log.array()
    if values.size >= 2 and values[-1] > 10 * values[0]:
        raise FloatingPointError(f"the Hogwild run diverged: its loss ended at {values[-1]:.3g}, above ten times "
                                 f"its start ({values[0]:.3g}) at learning rate {reports[0]['final_lr']:g}; "
                                 "try a smaller lr or batch_size")
    run = {"words": sum(r["words"] for r in reports), "batches": sum(r["batches"] for r in reports),
           "final_lr": min(r["final_lr"] for r in reports)}
    return log, run


def train(tokens: Sequence[str], *, workers: int = 2, model: str = "skipgram", dim: int = 100, window: int = 5,
          negatives: int = 5, epochs: int = 5, lr: float | None = None, t: float | None = 1e-4,
          min_count: int = 5, max_size: int | None = None, seed: int = 0, batch_size: int | None = None,
          shared_negatives: int = 32, share_size: int = 512, chunk_tokens: int = 1 << 17,
          loss_every: int = 20, keep: str = "in", cbow_update: str = "c_tool") -> TrainResult:
    """Train skip-gram or CBOW with negative sampling in `workers` Hogwild processes; return a TrainResult.

    The hyperparameters mean what they mean in :func:`w2v_teach.torch_train.train` (the same
    batches, noise sharing and hand-written step, on the CPU), except that `batch_size` defaults
    to the one-process default divided by `workers` (see the module docstring). workers:
    processes, each with one arithmetic thread and its own contiguous slice of the corpus.
    A run whose loss ends ten times above where it started raises FloatingPointError, like a
    non-finite loss (the races can diverge before any loss becomes infinite). ``losses`` is worker 0's loss
    log; ``info["workers_seconds"]`` and ``info["workers_words"]`` hold each worker's time and
    effective words. ``words_per_second`` is all workers' effective words over the wall-clock
    time from starting the processes to the last one's end.
    """
    workers = check_int("workers", workers, 1)
    per_worker = {m: max(b // workers, 16) for m, b in DEFAULT_BATCH.items()}
    hp = model_hyperparameters(
        model, lr=lr, batch_size=batch_size, default_batch=per_worker, dim=dim, window=window,
        negatives=negatives, epochs=epochs, t=t, min_count=min_count, max_size=max_size, seed=seed, keep=keep,
        loss_every=loss_every, cbow_update=cbow_update)
    S, share_size = check_int("shared_negatives", shared_negatives, 1), check_int("share_size", share_size, 1)
    chunk_tokens = check_int("chunk_tokens", chunk_tokens, 2)
    vocab, ids = prepare_corpus(tokens, hp.min_count, hp.max_size)
    slices = split_ids(ids, workers)
    layout = BatchLayout(model, hp.window, share_size, S)
    cdf = noise_cdf(vocab.counts)
    spec = ChunkSpec(layout, vocab.counts, hp.t, hp.batch_size, cdf)
    keep_p = np.ones(len(vocab)) if hp.t is None else sampling.keep_probability(vocab.counts, hp.t)
    W_in, W_out = init_tables(len(vocab), hp.dim, hp.seed)
    W = torch.cat([W_in, W_out, torch.zeros(1, hp.dim)]).share_memory_()  # (2V + 1, dim), shared
    jobs = [dict(seed=worker_seed(hp.seed, r), epochs=hp.epochs, chunk_tokens=chunk_tokens, lr=hp.lr,
                 loss_every=hp.loss_every, weight=hp.negatives / S, cbow_exact=hp.cbow_update == "exact",
                 total_words=max(float(keep_p[s].sum()) * hp.epochs, 1.0)) for r, s in enumerate(slices)]
    reports, seconds = _run_workers(W, slices, spec, jobs)
    V = len(vocab)
    W_np = W.numpy()
    W_in_np, W_out_np = W_np[:V].copy(), W_np[V:2 * V].copy()
    log, run = _check_run(reports, hp.loss_every)
    return finish(vocab, W_in_np, W_out_np, log, run, seconds, keep=hp.keep,
                  info={"model": model, "cbow_update": hp.cbow_update, "workers": workers,
                        "start_method": start_method(), "loss_every": hp.loss_every, "batch_size": hp.batch_size,
                        "shared_negatives": S, "share_size": share_size, "device": "cpu",
                        "workers_seconds": [r["seconds"] for r in reports],
                        "workers_words": [r["words"] for r in reports]})
