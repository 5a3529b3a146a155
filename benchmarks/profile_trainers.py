"""Where each trainer's time goes, and what the machine allows: a profile measured in one run.

    python benchmarks/profile_trainers.py [--limits] [--parts numpy,torch,hs] [--ratio]
                                          [--epochs 2] [--repeats 3] [--batches 64]

Three parts, each printed as a Markdown table (benchmarks/README.md quotes them):

* ``--limits``: the machine's limits for this work on one core and on two: a float32 matrix
  product of the trainers' shapes (8 groups of (256, 100) @ (100, 32)) and a large one (the
  peak), a stream-like copy and triad over arrays far larger than the caches (GB/s), a gather of
  rows of a (V, 100) float32 table by random ids, and the scatter-adds of rows into it (rows/s).
  "Two cores" runs the one-core measurement in two processes at once and adds their rates.
* ``--parts``: the time of one batch of each trainer's fast step, part by part, each part timed
  in isolation on the same real batches of the Wikipedia sample (epoch 0), against the whole
  step; "the rest" is the whole minus the parts (Python overhead, small temporaries, caches).
* ``--ratio``: effective words per second of our trainers, with their defaults and with the
  fast options that bench_sgns.py passes (``FAST_*`` below), against gensim's (``workers=1``;
  ``--hogwild``: also two processes against gensim ``workers=2``), interleaved over `repeats`
  seeds; the best and the median of the per-seed ratios of this run.

Every time is a *minimum* over repeats (of one batch's part, then averaged over the batches):
on a machine shared with other jobs the minimum is the least disturbed estimate of a part's own
cost (a mean would measure the other jobs). Only ratios measured in the same run mean anything.
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import time
from collections.abc import Callable

import numpy as np
from threadpoolctl import threadpool_limits

import w2v_teach as w2v
from w2v_teach.scatter import add_rows

HYPER = dict(dim=100, window=5, negatives=5, t=1e-4, min_count=5, lr=0.025)


def best_time(fn: Callable[[], object], repeats: int = 7) -> float:
    """Return the smallest wall time in seconds of fn() over `repeats` calls (after one warm-up)."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


# -- the machine's limits -------------------------------------------------------------------------
def gemm_rates() -> dict:
    """Return one core's GFLOP/s of the trainers' batched product and of a larger float32 product."""
    rng = np.random.default_rng(0)
    a, b = rng.random((8, 256, 100), np.float32), rng.random((8, 100, 32), np.float32)
    big = rng.random((512, 512), np.float32)
    with threadpool_limits(1, user_api="blas"):
        small = best_time(lambda: np.matmul(a, b), 200)
        large = best_time(lambda: big @ big, 50)
    return {"GEMM (8, 256, 100) @ (8, 100, 32), GFLOP/s": 2 * 8 * 256 * 100 * 32 / small / 1e9,
            "GEMM 512^3, GFLOP/s": 2 * 512 ** 3 / large / 1e9}


def memory_rates(V: int = 9559, n: int = 1 << 24) -> dict:
    """Return one core's copy and triad GB/s and gather/scatter rows/s of a (V, 100) float32 table."""
    rng = np.random.default_rng(0)
    x, y, z = (rng.random(n, np.float32) for _ in range(3))
    copy = best_time(lambda: np.copyto(z, x), 9)
    triad = best_time(lambda: (np.multiply(y, np.float32(0.5), out=z), np.add(z, x, out=z)), 9)
    W = rng.random((V, 100), np.float32)
    ids = rng.zipf(1.3, 2048) % V  # a word-like mix of frequent and rare rows
    rows, out = rng.random((2048, 100), np.float32), np.empty((2048, 100), np.float32)
    gather = best_time(lambda: np.take(W, ids, axis=0, out=out), 100)
    scatter = best_time(lambda: add_rows(W, ids, rows), 50)
    add_at = best_time(lambda: np.add.at(W, ids, rows), 10)
    result = {"copy, GB/s": 2 * 4 * n / copy / 1e9, "triad (2 passes), GB/s": 5 * 4 * n / triad / 1e9,
              "gather rows, M rows/s": 2048 / gather / 1e6, "scatter add_rows, M rows/s": 2048 / scatter / 1e6,
              "scatter np.add.at, M rows/s": 2048 / add_at / 1e6}
    result.update(_torch_rates(W, ids, rows))
    return result


def _torch_rates(W: np.ndarray, ids: np.ndarray, rows: np.ndarray) -> dict:
    """Return one core's torch gather and scatter rows/s (index_select, index_add_, COO add)."""
    import torch
    torch.set_num_threads(1)
    Wt, it, rt = torch.from_numpy(W.copy()), torch.from_numpy(ids), torch.from_numpy(rows)
    out = torch.empty_like(rt)
    select = best_time(lambda: torch.index_select(Wt, 0, it, out=out), 100)
    index_add = best_time(lambda: Wt.index_add_(0, it, rt, alpha=-1e-3), 50)
    coo = best_time(lambda: Wt.add_(torch.sparse_coo_tensor(it.unsqueeze(0), rt, Wt.shape,
                                                            check_invariants=False), alpha=-1e-3), 50)
    return {"torch index_select, M rows/s": 2048 / select / 1e6, "torch index_add_, M rows/s": 2048 / index_add / 1e6,
            "torch COO add, M rows/s": 2048 / coo / 1e6}


def core_rates() -> dict:
    """Return one core's rates: matrix products, memory passes, gathers and scatters."""
    return {**gemm_rates(), **memory_rates()}


def _rates_worker(barrier, queue) -> None:
    """Measure core_rates() in a child process once the other is ready; put the result."""
    barrier.wait()
    queue.put(core_rates())


def two_process_rates() -> dict:
    """Return core_rates() summed over two processes measuring at the same time."""
    ctx = mp.get_context("fork")
    barrier, queue = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_rates_worker, args=(barrier, queue)) for _ in range(2)]
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    return {k: results[0][k] + results[1][k] for k in results[0]}


def limits_table() -> list[tuple[str, float, float]]:
    """Return (measure, one core, two cores) rows of the machine's limits."""
    one, two = core_rates(), two_process_rates()
    return [(k, one[k], two[k]) for k in one]


# -- one batch of each trainer, part by part ------------------------------------------------------
def epoch_batches(model_batch: int, n: int, seed: int = 0):
    """Return (vocab, ids, [(centres, contexts)] the first n batches of epoch 0 in text order)."""
    from w2v_teach.training import prepare_corpus
    from w2v_teach.sampling import subsample
    from w2v_teach.windows import skipgram_pairs
    vocab, ids = prepare_corpus(w2v.datasets.wiki_sample(), HYPER["min_count"])
    rng = np.random.default_rng(seed)
    centres, contexts = skipgram_pairs(subsample(ids, vocab.counts, HYPER["t"], rng), HYPER["window"], rng)
    cut = [(centres[lo:lo + model_batch], contexts[lo:lo + model_batch])
           for lo in range(0, model_batch * n, model_batch)]
    return vocab, ids, cut


def sweep(batches: list, part: Callable, repeats: int = 5) -> float:
    """Return the mean over the batches of the best time of `part(*batch)`, in ms."""
    return float(np.mean([best_time(lambda: part(*b), repeats) for b in batches])) * 1e3


def _numpy_batches(n_batches: int, G: int = 8, S: int = 32):
    """Return (W_in, W_out, noise sampler, rng, per batch (c, o, noise, h, u, N, scores))."""
    from w2v_teach.sampling import NegativeSampler, noise_distribution
    vocab, ids, batches = epoch_batches(2048, n_batches)
    rng, V = np.random.default_rng(0), len(vocab)
    sampler = NegativeSampler(noise_distribution(vocab.counts))
    W_in = (rng.random((V, 100), np.float32) - 0.5) / 100
    W_out = (rng.random((V, 100), np.float32) - 0.5) / 100
    noise = [sampler.draw((G, S), rng) for _ in batches]
    data = [(c, o, z, W_in[c], W_out[o], W_out[z]) for (c, o), z in zip(batches, noise)]
    data = [(*b, np.matmul(b[3].reshape(G, 256, 100), b[5].transpose(0, 2, 1))) for b in data]
    return W_in, W_out, sampler, rng, data


def numpy_parts(n_batches: int) -> list[tuple[str, float]]:
    """Return (part, ms per batch of 2048 pairs) of sgns.train's default step (S = 32 per 256 pairs)."""
    from w2v_teach import negative_sampling
    G, S = 8, 32
    W_in, W_out, sampler, rng, data = _numpy_batches(n_batches, G, S)
    V, lr, scale = W_in.shape[0], np.float32(0.025), np.float32(5 / 32)

    def scores(c, o, z, h, u, N, a):
        return np.matmul(h.reshape(G, 256, 100), N.transpose(0, 2, 1)), np.einsum("bd,bd->b", h, u)

    def products(c, o, z, h, u, N, a):  # a: (G, 256, S) the coefficients' shape
        return np.matmul(a, N), np.matmul(a.transpose(0, 2, 1), h.reshape(G, 256, 100))

    def sigmoids(*batch):
        neg, pos = np.ones((2048, S), np.float32), np.ones(2048, np.float32)
        return 1 / (1 + np.exp(-neg)) * (-lr * scale), (1 / (1 + np.exp(-pos)) - 1) * -lr

    def collisions(c, o, z, *rest):
        seen = np.zeros(V, bool)
        seen[z.ravel()] = True
        rows = np.flatnonzero(seen[o])
        return np.nonzero(z[rows // 256] == o[rows, None])

    step = negative_sampling.shared_step
    parts = [
        ("draw the noise words", lambda *b: sampler.draw((G, S), rng)),
        ("gathers W_in[centres], W_out[contexts], W_out[noise]", lambda c, o, z, *r: (W_in[c], W_out[o], W_out[z])),
        ("scores: (G,256,100)@(G,100,S) and u.h", scores),
        ("two more products (h's and the noise rows' steps)", lambda *b: products(*b)),
        ("sigmoids and their scaling", sigmoids),
        ("collisions of noise and context words", collisions),
        ("scatter the noise rows' steps (256 rows)", lambda c, o, z, h, u, N, a: add_rows(W_out, z.ravel(), N.reshape(-1, 100) * 0)),
        ("scatter the context rows' steps (a_pos h)", lambda c, o, z, h, u, N, a: add_rows(W_out, o, h * 0)),
        ("scatter the centre rows' steps", lambda c, o, z, h, u, N, a: add_rows(W_in, c, h * 0)),
    ]
    rows = [(name, sweep(data, part)) for name, part in parts]
    whole = sweep(data, lambda c, o, z, *r: w2v.inputs.update(
        W_in, c, "skipgram", lambda h: step(W_out, h, o, z, lr * 0, scale, False)))
    return _with_rest(rows, whole, "the whole step (inputs.update + shared_step)")


def _with_rest(rows: list, whole: float, name: str) -> list[tuple[str, float]]:
    """Append 'the rest' (the whole minus the parts) and the whole to a parts table."""
    return rows + [("the rest (Python overhead, temporaries)", whole - sum(t for _, t in rows)), (name, whole)]


def torch_chunk(batch: int = 2048, group: int = 512):
    """Return (V, layout, the first chunk of epoch 0, seconds to make it) of the PyTorch trainer."""
    import torch
    from w2v_teach import torch_batches as tb
    from w2v_teach.training import prepare_corpus
    vocab, ids = prepare_corpus(w2v.datasets.wiki_sample(), HYPER["min_count"])
    layout = tb.BatchLayout("skipgram", HYPER["window"], group, 32)
    spec = tb.ChunkSpec(layout, vocab.counts, HYPER["t"], batch, tb.noise_cdf(vocab.counts))
    make = lambda: tb.make_chunk(ids[:1 << 17], spec, np.random.default_rng(0), torch.Generator().manual_seed(1))
    seconds = best_time(make, 3)
    return len(vocab), layout, make(), seconds


def torch_parts(n_batches: int) -> list[tuple[str, float]]:
    """Return (part, ms per batch of 2048 pairs) of torch_models.train's hand-written step."""
    import torch
    from w2v_teach import torch_batches as tb
    torch.set_num_threads(1)
    V, layout, chunk, make_s = torch_chunk()
    W = torch.cat([torch.rand(V, 100) - 0.5, torch.zeros(V + 1, 100)]) / 100
    b, width = 2048, layout.width(2048)
    batches = [(chunk.flat[s:s + width],) for s in chunk.starts[:n_batches]]
    rows, grads = torch.empty(width, 100), torch.empty(width, 100)

    def products(index):
        v, u, un = rows[:b].view(4, 512, 100), rows[b:2 * b], rows[2 * b:].view(4, 32, 100)
        neg = torch.bmm(v, un.transpose(1, 2))
        return torch.linalg.vecdot(rows[:b], u), torch.bmm(neg, un), torch.bmm(neg.transpose(1, 2), v)

    neg = torch.rand(4, 512, 32)  # (G, g, S) the noise scores' shape

    def elementwise(index):  # (the loss, every 20th batch, is left out)
        torch.mul(torch.sigmoid(rows[:b, 0]).sub_(1.0).unsqueeze_(1), rows[b:2 * b], out=grads[:b])
        torch.mul(rows[:b, 0].unsqueeze(1), rows[:b], out=grads[b:2 * b])
        return torch.sigmoid(neg).mul_(5 / 32)

    parts = [("cut a batch (subsample, windows, noise, layout; in the worker process)",
              lambda index: None),
             ("gather every row (one index_select)", lambda index: torch.index_select(W, 0, index, out=rows[:width])),
             ("three batched products and u.v", products),
             ("sigmoids and the positive terms' products", elementwise),
             ("scatter every row's step (COO add)", lambda index: tb.scatter_add(W, index, grads, -0.0))]
    with torch.no_grad():
        table = [(name, sweep(batches, part)) for name, part in parts]
        table[0] = (table[0][0], make_s / len(chunk.sizes) * 1e3)
        whole = sweep(batches, lambda index: tb.sgd_step(W, index, b, layout, 5 / 32, 0.0, False, rows, grads))
    return _with_rest(table[1:], whole, "the whole step (torch_batches.sgd_step)") + [table[0]]


def hs_parts(n_batches: int) -> list[tuple[str, float]]:
    """Return (part, ms per batch of 1024 pairs) of hsoftmax.train's step (skip-gram), and the shared-path step."""
    from scipy.special import expit
    from w2v_teach import hsoftmax
    vocab, ids, batches = epoch_batches(1024, n_batches)
    tree, rng = hsoftmax.huffman(vocab.counts), np.random.default_rng(0)
    W_in = (rng.random((len(vocab), 100), np.float32) - 0.5) / 100
    nodes = (rng.random((len(vocab) - 1, 100), np.float32) - 0.5) / 100
    lr = np.float32(0.025)

    def paths(c, o):
        L = int(tree.lengths[o].max())
        return L, tree.point_table[o, :L], tree.code_table[o, :L].astype(np.float32), tree.mask[o, :L]

    data = [(c, o, W_in[c], *paths(c, o)[1:]) for c, o in batches]
    data = [(*b, nodes[b[3]]) for b in data]  # + U (B, L, dim)

    def coefficients(c, o, h, pts, bits, mask, U):
        s = np.matmul(U, h[:, :, None])[:, :, 0]
        g = expit(s)
        g -= 1 - bits
        g *= mask
        g[np.abs(s) >= hsoftmax.MAX_SCORE] = 0.0
        return g

    parts = [("path tables of the targets (points, codes, mask)", lambda c, o, *r: paths(c, o)),
             ("gathers W_in[centres], nodes[points] (B, L, dim)", lambda c, o, h, pts, *r: (W_in[c], nodes[pts])),
             ("scores (B, L, dim) @ (B, dim, 1) and the coefficients", coefficients),
             ("h's step (B, 1, L) @ (B, L, dim)", lambda c, o, h, pts, bits, mask, U: np.matmul(bits[:, None, :], U)),
             ("scatter the nodes' steps (grouped by node, one sparse product)",
              lambda c, o, h, pts, bits, mask, U: hsoftmax._add_node_steps(nodes, pts[mask], np.nonzero(mask)[0],
                                                                           bits[mask] * 0, h)),
             ("scatter the centre rows' steps", lambda c, o, h, *r: add_rows(W_in, c, h * 0))]
    rows = [(name, sweep(data, part)) for name, part in parts]
    whole = sweep(data, lambda c, o, *r: w2v.inputs.update(
        W_in, c, "skipgram", lambda h: hsoftmax.output_step(nodes, tree, h, o, lr * 0), sum_with="reduceat"))
    shared = sweep(data, lambda c, o, *r: w2v.inputs.update(  # the same pairs read the other way round
        W_in, o, "skipgram", lambda h: hsoftmax.shared_path_step(nodes, tree, h, c, lr * 0), sum_with="reduceat"))
    return _with_rest(rows, whole, "the whole step (inputs.update + hsoftmax.output_step)") + [
        ("the whole step with share_paths=True (hsoftmax.shared_path_step)", shared)]


# -- same-run speed ratios against gensim ---------------------------------------------------------
# The options that bench_sgns.py passes for the speed targets (the defaults keep the chapters' numbers).
FAST_NUMPY = {"shared_negatives": 16, "share_size": 128}  # sgns.train
FAST_TORCH = {"shared_negatives": 16, "share_size": 256}  # torch_models.train and hogwild.train
FAST_HS = {"share_paths": True}  # hsoftmax.train


def ratio_rows(tokens: list[str], epochs: int, hogwild: bool) -> dict:
    """Return {row: (reference row, run(seed) -> effective words/s)}: defaults and fast options."""
    hs_hyper = {k: v for k, v in HYPER.items() if k != "negatives"}

    def gensim(**kw):
        return lambda s: w2v.reference.train_gensim(tokens, epochs=epochs, seed=s, **HYPER, **kw).words_per_second

    def ours(train, hyper=HYPER, **kw):
        return lambda s: train(tokens, epochs=epochs, seed=s, **hyper, **kw).words_per_second
    rows = {"gensim workers=1": (None, gensim(workers=1)),
            "NumPy sgns.train (defaults)": ("gensim workers=1", ours(w2v.sgns.train)),
            "NumPy sgns.train (S 16 / 128)": ("gensim workers=1", ours(w2v.sgns.train, **FAST_NUMPY)),
            "PyTorch torch_models.train (defaults)": ("gensim workers=1", ours(w2v.torch_models.train, device="cpu")),
            "PyTorch torch_models.train (S 16 / 256)": ("gensim workers=1", ours(
                w2v.torch_models.train, device="cpu", **FAST_TORCH)),
            "gensim hs=1 workers=1": (None, gensim(workers=1, hs=True)),
            "NumPy hsoftmax.train (defaults)": ("gensim hs=1 workers=1", ours(w2v.hsoftmax.train, hs_hyper)),
            "NumPy hsoftmax.train (share_paths)": ("gensim hs=1 workers=1", ours(w2v.hsoftmax.train, hs_hyper, **FAST_HS))}
    if hogwild:
        rows.update({"gensim workers=2": (None, gensim(workers=2)),
                     "Hogwild 2 processes (defaults)": ("gensim workers=2", ours(w2v.hogwild.train, workers=2)),
                     "Hogwild 2 processes (S 16 / 256)": ("gensim workers=2", ours(
                         w2v.hogwild.train, workers=2, **FAST_TORCH))})
    return rows


def ratio_table(epochs: int, repeats: int, hogwild: bool) -> list[tuple[str, str, float, float]]:
    """Return (row, reference, best ratio, median ratio) over `repeats` interleaved seeds."""
    rows = ratio_rows(w2v.datasets.wiki_sample(), epochs, hogwild)
    speeds = {name: [] for name in rows}
    for seed in range(repeats):
        for name, (_, run) in rows.items():
            speeds[name].append(run(seed))
    table = []
    for name, (ref, _) in rows.items():
        if ref is not None:  # paired by seed: the runs of one round met the same load
            ratios = [ours / theirs for ours, theirs in zip(speeds[name], speeds[ref])]
            table.append((name, ref, max(ratios), float(np.median(ratios))))
    return table


# -- the command line ----------------------------------------------------------------------------
def print_table(header: tuple, rows: list, fmt: str = "{:.3f}") -> None:
    """Print rows as a Markdown table (floats formatted with `fmt`)."""
    print("| " + " | ".join(header) + " |\n|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(fmt.format(x) if isinstance(x, float) else str(x) for x in row) + " |")
    print(flush=True)


def main(argv=None) -> int:
    """Print the tables that the options ask for (all three by default)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limits", action="store_true", help="the machine's limits")
    parser.add_argument("--parts", default="", help="comma-separated trainers to break down: numpy,torch,hs")
    parser.add_argument("--ratio", action="store_true", help="same-run speed ratios against gensim")
    parser.add_argument("--hogwild", action="store_true", help="--ratio also for two processes (noisy when shared)")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batches", type=int, default=64, help="batches to time each part on")
    args = parser.parse_args(argv)
    everything = not (args.limits or args.parts or args.ratio)
    if args.limits or everything:
        print_table(("measure", "one core", "two cores"), limits_table(), "{:.1f}")
    parts = {"numpy": numpy_parts, "torch": torch_parts, "hs": hs_parts}
    for name in (parts if everything else [p for p in args.parts.split(",") if p]):
        if name not in parts:
            parser.error(f"--parts takes {', '.join(parts)}, got {name!r}")
        with threadpool_limits(1, user_api="blas"), np.errstate(over="ignore", invalid="ignore"):
            print_table((f"{name}: part of a batch", "ms"), parts[name](args.batches))
    if args.ratio or everything:
        print_table(("trainer", "against", "best ratio", "median ratio"),
                    ratio_table(args.epochs, args.repeats, args.hogwild), "{:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
