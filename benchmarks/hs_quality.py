"""Hierarchical softmax on the Wikipedia sample: ours against gensim's, and against negative sampling.

    python benchmarks/hs_quality.py --epochs 10 --seeds 0,1,2,3,4 --out src/w2v_teach/results/hs_quality.csv

Every row is one training run of skip-gram on the Wikipedia sample (`w2v_teach.datasets.wiki_sample`,
about 0.48 M tokens) with dim 100, window 5, t = 1e-4, min_count 5 and lr 0.025 decaying linearly
over the run. Trainers: `hs` (`w2v_teach.hsoftmax.train`), `gensim_hs` (`w2v_teach.reference.
train_gensim(..., hs=True)`, gensim's `hs=1, negative=0`, workers=1) and `ns` (`w2v_teach.sgns.train`,
K = 5). Each row records the Spearman correlations with WordSim-353 and SimLex-999, the Google
analogy accuracy (3CosAdd over the covered questions) and the training seconds (epochs only, one
core; they depend on the machine's load). The table is rewritten atomically after every run, and
rows already in `--out` (same trainer, epochs and seed) are kept, not trained again.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import w2v_teach as w2v

HYPER = dict(dim=100, window=5, t=1e-4, min_count=5, lr=0.025)
COLUMNS = ("trainer", "epochs", "seed", "ws353", "simlex", "google", "seconds", "words_per_second")
TRAINERS = {
    "hs": lambda tokens, e, s: w2v.hsoftmax.train(tokens, epochs=e, seed=s, **HYPER),
    "gensim_hs": lambda tokens, e, s: w2v.reference.train_gensim(tokens, epochs=e, seed=s, hs=True, **HYPER),
    "ns": lambda tokens, e, s: w2v.sgns.train(tokens, epochs=e, seed=s, negatives=5, **HYPER),
}


def read_rows(path: Path) -> list[dict]:
    """Return the rows already in the table at `path` (none when it does not exist)."""
    return w2v.results.read(path, typed=False, missing_ok=True)


def write_rows(path: Path, rows: list[dict]) -> None:
    """Write `rows` to `path` atomically as CSV."""
    w2v.results.write(path, rows, COLUMNS)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", default="10", help="comma-separated epoch budgets")
    parser.add_argument("--seeds", default="0,1,2", help="comma-separated seeds")
    parser.add_argument("--trainers", default="hs,gensim_hs,ns")
    parser.add_argument("--out", type=Path, default=Path("src/w2v_teach/results/hs_quality.csv"))
    args = parser.parse_args(argv)
    trainers = args.trainers.split(",")
    unknown = set(trainers) - set(TRAINERS)
    if unknown:
        parser.error(f"unknown trainers {sorted(unknown)}; choose from {sorted(TRAINERS)}")
    tokens = w2v.datasets.wiki_sample()
    rows = read_rows(args.out)
    done = {(r["trainer"], r["epochs"], r["seed"]) for r in rows}
    for epochs in (int(e) for e in args.epochs.split(",")):
        for seed in (int(s) for s in args.seeds.split(",")):
            for name in trainers:
                if (name, str(epochs), str(seed)) in done:
                    continue
                result = TRAINERS[name](tokens, epochs, seed)
                q = w2v.evaluate.standard_scores(result.embeddings)
                rows.append({"trainer": name, "epochs": epochs, "seed": seed, "ws353": f"{q['ws353']:.4f}",
                             "simlex": f"{q['simlex']:.4f}", "google": f"{q['google']:.4f}",
                             "seconds": f"{result.seconds:.1f}", "words_per_second": f"{result.words_per_second:.0f}"})
                write_rows(args.out, rows)
                print(f"{name:<10} epochs {epochs:>2} seed {seed}: WS353 {q['ws353']:.3f} SimLex "
                      f"{q['simlex']:.3f} Google {q['google']:.3f} ({result.seconds:.0f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
