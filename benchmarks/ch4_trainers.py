"""Chapter 4's closing table over several seeds: every trainer of the book on the planted corpus.

    python benchmarks/ch4_trainers.py --seeds 0,1,2,3,4 --out src/w2v_teach/results/ch4_trainers.csv

Chapter 4 ends with one run of each model of the book on the same 100,000-token planted corpus
(`w2v_teach.datasets.world_corpus(100_000, seed=0)`, 50 dimensions) and ranks them by their
accuracy on the corpus's planted analogy questions (3CosAdd, query words excluded). One run per
model cannot say which gaps are larger than the spread between seeds; this script trains each
model with several seeds (the training seed; the corpus stays the same) and writes one CSV row per
run: model, seed, accuracy, seconds (machine- and load-dependent). The settings are the
notebook's, plus `cbow_softmax_ch2`: chapter 2's CBOW-softmax settings (six epochs, lr 20,
batch 256, V <= 1000, t = 3e-4), which the notebook uses to reconcile its short softmax run with
chapter 2's result. The table is rewritten atomically after every run.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Callable

import w2v_teach as w2v

COLUMNS = ("model", "seed", "accuracy", "seconds")


def _torch_train(tokens, **kw):
    """Train with w2v_teach.torch_models on the CPU, one thread (imported here: torch is optional)."""
    from w2v_teach import torch_models as tm

    return tm.train(tokens, device="cpu", threads=1, **kw)


MODELS: dict[str, Callable] = {
    "ppmi_svd": lambda tokens, seed: w2v.counting.train(tokens, dim=50, window=5, min_count=5),
    "cbow_softmax": lambda tokens, seed: w2v.cbow_softmax.train(
        tokens, dim=50, window=5, epochs=3, min_count=5, max_size=None, seed=seed),
    "cbow_softmax_ch2": lambda tokens, seed: w2v.cbow_softmax.train(
        tokens, dim=50, window=5, epochs=6, lr=20.0, batch_size=256, max_size=1000, t=3e-4, seed=seed),
    "sgns_numpy": lambda tokens, seed: w2v.sgns.train(tokens, dim=50, epochs=5, lr=0.05, t=1e-3, seed=seed),
    "sgns_torch": lambda tokens, seed: _torch_train(tokens, dim=50, epochs=5, lr=0.05, t=1e-3, seed=seed),
    "cbow_ns_torch": lambda tokens, seed: _torch_train(
        tokens, model="cbow", cbow_update="exact", batch_size=512, dim=50, window=5, epochs=5, t=1e-3,
        lr=0.2, min_count=5, seed=seed),
}


def run_one(corpus, model: str, seed: int) -> dict:
    """Train `model` with `seed` on `corpus` (a world corpus) and return its row."""
    start = time.perf_counter()
    emb = MODELS[model](corpus.tokens, seed).embeddings
    seconds = time.perf_counter() - start
    accuracy = w2v.evaluate.analogy_accuracy(emb, corpus.questions).accuracy
    return {"model": model, "seed": seed, "accuracy": accuracy, "seconds": seconds}


def write_rows(path: Path, rows: list[dict]) -> None:
    """Write `rows` to `path` atomically as CSV, sorted by model and seed."""
    w2v.results.write(path, rows, COLUMNS, sort_key=lambda r: (r["model"], int(r["seed"])), float_format=".6g")


def parse_args(argv) -> argparse.Namespace:
    """Parse and check the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0,1,2,3,4", help="training seeds, e.g. 0,1,2")
    parser.add_argument("--models", default=",".join(MODELS), help="models, from: " + ", ".join(MODELS))
    parser.add_argument("--tokens", type=int, default=100_000, help="size of the planted corpus")
    parser.add_argument("--out", type=Path, default=Path("src/w2v_teach/results/ch4_trainers.csv"))
    args = parser.parse_args(argv)
    try:
        args.seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--seeds: expected integers separated by commas, got {args.seeds!r}")
    if not args.seeds or min(args.seeds) < 0:
        parser.error(f"--seeds: expected non-negative integers, got {args.seeds!r}")
    args.models = [m.strip() for m in args.models.split(",") if m.strip()]
    bad = [m for m in args.models if m not in MODELS]
    if bad or not args.models:
        parser.error(f"--models: unknown {bad}; choose from {', '.join(MODELS)}")
    if args.tokens < 5000:
        parser.error("--tokens must be at least 5000")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    corpus = w2v.datasets.world_corpus(args.tokens, seed=0)
    rows = []
    for seed in args.seeds:  # models interleaved, so that machine load hits all of them alike
        for model in args.models:
            rows.append(run_one(corpus, model, seed))
            print(f"{model:<18} seed {seed}  accuracy {rows[-1]['accuracy']:.3f}  {rows[-1]['seconds']:.1f} s",
                  flush=True)
            write_rows(args.out, rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
