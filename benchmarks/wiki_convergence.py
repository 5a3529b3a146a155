"""How the real-text scores grow with the number of epochs: our trainers and gensim, several seeds.

    python benchmarks/wiki_convergence.py --epochs 1,2,5,10,15 --seeds 0,1,2 --dims 50,100 \
        --trainers numpy,torch,gensim --out src/w2v_teach/results/wiki_convergence.csv

Every row is one separate training run of skip-gram with negative sampling on the Wikipedia
sample (`w2v_teach.datasets.wiki_sample`, about 0.48 M tokens) with window 5, K = 5, t = 1e-4,
min_count 5 and a starting learning rate (`--lrs`, default the C tool's 0.025) decaying linearly
over the run: an epoch budget
of 10 is a run of 10 epochs, not the tenth epoch of a longer run. Trainers: `numpy`
(`w2v_teach.sgns.train`), `torch` (`w2v_teach.torch_models.train` on the CPU, one thread) and
`gensim` (`w2v_teach.reference.train_gensim`, workers=1). Each row records the Spearman
correlations with WordSim-353 and SimLex-999, the Google analogy accuracy (3CosAdd over the
covered questions), each with its coverage, and the training seconds (the epochs only, one core;
they depend on the machine and its load).

The table is rewritten atomically after every run, so a partial table is always readable, and
rows already in `--out` (same trainer, dim, lr, epochs and seed) are kept and not trained again: a
second call with more seeds or dims only adds what is missing. `--tokens N` trains on the first
N tokens only (for a quick smoke run; the book's table uses the whole sample).
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import w2v_teach as w2v

HYPER = {"window": 5, "negatives": 5, "t": 1e-4, "min_count": 5}
TRAINERS = ("numpy", "torch", "gensim")
KEY = ("trainer", "dim", "lr", "epochs", "seed")
DEFAULT_LR = 0.025  # the C tool's skip-gram rate; rows written before the lr column had it
COLUMNS = KEY + ("ws353", "ws_cov", "simlex", "sl_cov", "google", "google_cov", "seconds",
                 "words_per_second")


def trainer_function(name: str) -> Callable[..., w2v.training.TrainResult]:
    """Return the training function of trainer `name` ("numpy", "torch" or "gensim")."""
    if name == "numpy":
        return lambda tokens, **kw: w2v.sgns.train(tokens, **kw)
    if name == "torch":
        return lambda tokens, **kw: w2v.torch_models.train(tokens, device="cpu", threads=1, **kw)
    if name == "gensim":
        return lambda tokens, **kw: w2v.reference.train_gensim(tokens, workers=1, **kw)
    raise ValueError(f"unknown trainer {name!r}: choose from {', '.join(TRAINERS)}")


def run_one(tokens: Sequence[str], trainer: str, dim: int, lr: float, epochs: int, seed: int) -> dict:
    """Train one run and return its row of the table (scores, coverages, seconds)."""
    result = trainer_function(trainer)(tokens, dim=dim, lr=lr, epochs=epochs, seed=seed, **HYPER)
    row = {"trainer": trainer, "dim": dim, "lr": lr, "epochs": epochs, "seed": seed}
    row.update(w2v.evaluate.standard_scores(result.embeddings))
    row["seconds"] = result.seconds
    row["words_per_second"] = result.words_per_second
    return row


def read_rows(path: Path) -> list[dict]:
    """Return the rows already in the table at `path` (none if it does not exist)."""
    rows = w2v.results.read(path, typed=False, missing_ok=True)
    for r in rows:
        r["lr"] = float(r.get("lr") or DEFAULT_LR)
    return rows


def write_rows(path: Path, rows: list[dict]) -> None:
    """Write `rows` to `path` atomically as CSV, sorted by trainer, dim, epochs and seed."""
    w2v.results.write(path, rows, COLUMNS, float_format=".6g",
                      sort_key=lambda r: (r["trainer"], int(r["dim"]), float(r["lr"]), int(r["epochs"]), int(r["seed"])))


def int_list(text: str) -> list[int]:
    """Parse '1,2,5' into [1, 2, 5] (argparse type)."""
    try:
        values = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected integers separated by commas, got {text!r}") from None
    if not values or min(values) < 0:
        raise argparse.ArgumentTypeError(f"expected non-negative integers, got {text!r}")
    return values


def float_list(text: str) -> list[float]:
    """Parse '0.025,0.05' into [0.025, 0.05] (argparse type)."""
    try:
        values = [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers separated by commas, got {text!r}") from None
    if not values or min(values) <= 0:
        raise argparse.ArgumentTypeError(f"expected positive numbers, got {text!r}")
    return values


def parse_args(argv) -> argparse.Namespace:
    """Parse and check the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int_list, default=[1, 2, 5, 10, 15])
    parser.add_argument("--seeds", type=int_list, default=[0, 1, 2])
    parser.add_argument("--dims", type=int_list, default=[50])
    parser.add_argument("--lrs", type=float_list, default=[DEFAULT_LR], help="starting learning rates")
    parser.add_argument("--trainers", default="numpy,torch,gensim")
    parser.add_argument("--tokens", type=int, default=None, help="train on the first N tokens only")
    parser.add_argument("--out", type=Path, default=Path("src/w2v_teach/results/wiki_convergence.csv"))
    args = parser.parse_args(argv)
    args.trainers = [t.strip() for t in args.trainers.split(",") if t.strip()]
    bad = [t for t in args.trainers if t not in TRAINERS]
    if bad or not args.trainers:
        parser.error(f"--trainers: unknown {bad}; choose from {', '.join(TRAINERS)}")
    if min(args.epochs) < 1 or min(args.dims) < 1:
        parser.error("--epochs and --dims must be >= 1")
    if args.tokens is not None and args.tokens < 1000:
        parser.error("--tokens must be at least 1000")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    tokens = w2v.datasets.wiki_sample()[: args.tokens]
    rows = read_rows(args.out)
    done = {(r["trainer"], int(r["dim"]), float(r["lr"]), int(r["epochs"]), int(r["seed"])) for r in rows}
    print(f"{len(tokens):,} tokens; {len(rows)} rows already in {args.out}", flush=True)
    grid = [(d, lr, e, s, t) for d in args.dims for lr in args.lrs for e in args.epochs
            for s in args.seeds for t in args.trainers]  # trainers interleaved: load hits all alike
    for dim, lr, epochs, seed, trainer in grid:
        if (trainer, dim, lr, epochs, seed) in done:
            continue
        row = run_one(tokens, trainer, dim, lr, epochs, seed)
        rows.append(row)
        write_rows(args.out, rows)
        print(f"{trainer:<7} d={dim:<4} lr={lr:<6} epochs={epochs:<3} seed={seed}  WS353 {row['ws353']:+.3f}"
              f"  SimLex {row['simlex']:+.3f}  Google {row['google']:.3f}  {row['seconds']:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
