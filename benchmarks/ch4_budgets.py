"""Chapter 4's closing comparison at equal budgets: the trained models of the book, epoch by epoch.

    python benchmarks/ch4_budgets.py --seeds 0,1,2 --epochs 1,3,6,12,18 \
        --out src/w2v_teach/results/ch4_budgets.csv

Chapter 4 ends with every model of the book on the same 100,000-token planted corpus
(`w2v_teach.datasets.world_corpus(100_000, seed=0)`, 50 dimensions), scored by the accuracy on
the corpus's planted analogy questions (3CosAdd, query words excluded). Its one-run table trains
the models for different numbers of passes (the softmax CBOW three epochs, the skip-grams five),
so it cannot say which model is better. This script trains each model that learns by SGD for the
same list of epochs (every run with its full learning-rate decay) and several training seeds,
and writes one CSV row per run: model, epochs, seed, accuracy, seconds (wall clock on the machine
that ran it, which depends on its load). Read at equal epochs, the table compares the models at
the same number of passes over the text; read against the seconds, at equal compute. The
settings are those of `benchmarks/ch4_trainers.py` (`cbow_softmax_ch2` is chapter 2's CBOW with a
full softmax: lr 20, batch 256, V <= 1000, t = 3e-4). PPMI + SVD, which does not train by
epochs, gets one row per seed with epochs 0. The table is rewritten atomically after every run.
"""
from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import w2v_teach as w2v

COLUMNS = ("model", "epochs", "seed", "accuracy", "seconds")


def _torch_train(tokens, **kw):
    """Train with w2v_teach.torch_models on the CPU, one thread (imported here: torch is optional)."""
    from w2v_teach import torch_models as tm

    return tm.train(tokens, device="cpu", threads=1, **kw)


# model -> f(tokens, epochs, seed) -> TrainResult
MODELS: dict[str, Callable] = {
    "ppmi_svd": lambda tokens, epochs, seed: w2v.counting.train(tokens, dim=50, window=5, min_count=5),
    "cbow_softmax_ch2": lambda tokens, epochs, seed: w2v.cbow_softmax.train(
        tokens, dim=50, window=5, epochs=epochs, lr=20.0, batch_size=256, max_size=1000, t=3e-4,
        seed=seed),
    "sgns_numpy": lambda tokens, epochs, seed: w2v.sgns.train(
        tokens, dim=50, epochs=epochs, lr=0.05, t=1e-3, seed=seed),
    "sgns_torch": lambda tokens, epochs, seed: _torch_train(
        tokens, dim=50, epochs=epochs, lr=0.05, t=1e-3, seed=seed),
    "cbow_ns_torch": lambda tokens, epochs, seed: _torch_train(
        tokens, model="cbow", cbow_update="exact", batch_size=512, dim=50, window=5, epochs=epochs,
        t=1e-3, lr=0.2, min_count=5, seed=seed),
}


def run_one(corpus, model: str, epochs: int, seed: int) -> dict:
    """Train `model` for `epochs` with `seed` on `corpus` (a world corpus) and return its row."""
    start = time.perf_counter()
    emb = MODELS[model](corpus.tokens, epochs, seed).embeddings
    seconds = time.perf_counter() - start
    accuracy = w2v.evaluate.analogy_accuracy(emb, corpus.questions).accuracy
    return {"model": model, "epochs": epochs, "seed": seed, "accuracy": accuracy, "seconds": seconds}


def write_rows(path: Path, rows: list[dict]) -> None:
    """Write `rows` to `path` atomically as CSV, sorted by model, epochs and seed."""
    w2v.results.write(path, rows, COLUMNS, float_format=".6g",
                      sort_key=lambda r: (r["model"], int(r["epochs"]), int(r["seed"])))


def _int_list(parser: argparse.ArgumentParser, name: str, text: str, minimum: int) -> list[int]:
    """Parse a comma-separated list of integers >= minimum, or exit with a message naming it."""
    try:
        values = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--{name}: expected integers separated by commas, got {text!r}")
    if not values or min(values) < minimum:
        parser.error(f"--{name}: expected integers >= {minimum}, got {text!r}")
    return values


def parse_args(argv) -> argparse.Namespace:
    """Parse and check the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0,1,2", help="training seeds, e.g. 0,1,2")
    parser.add_argument("--epochs", default="1,3,6,12,18", help="epoch counts, e.g. 3,6,18")
    parser.add_argument("--models", default=",".join(MODELS), help="models, from: " + ", ".join(MODELS))
    parser.add_argument("--tokens", type=int, default=100_000, help="size of the planted corpus")
    parser.add_argument("--out", type=Path, default=Path("src/w2v_teach/results/ch4_budgets.csv"))
    args = parser.parse_args(argv)
    args.seeds = _int_list(parser, "seeds", args.seeds, 0)
    args.epochs = _int_list(parser, "epochs", args.epochs, 1)
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
        for epochs in args.epochs:
            for model in args.models:
                if model == "ppmi_svd" and epochs != args.epochs[0]:
                    continue  # no epochs: one row per seed
                rows.append(run_one(corpus, model, 0 if model == "ppmi_svd" else epochs, seed))
                r = rows[-1]
                print(f"{model:<17} {r['epochs']:>3} epochs  seed {seed}  accuracy {r['accuracy']:.3f}"
                      f"  {r['seconds']:.1f} s", flush=True)
                write_rows(args.out, rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
