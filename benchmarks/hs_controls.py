"""Chapter 5's controls: which tree, which output layer, and rare against frequent words by section.

    nice python benchmarks/hs_controls.py --seeds 0,1,2 \
        --trees-out src/w2v_teach/results/hs_trees.csv --bands-out src/w2v_teach/results/hs_bands.csv
    python benchmarks/hs_controls.py --quick --trees-out /tmp/t.csv --bands-out /tmp/b.csv  # a smoke run

Two tables, both on the planted corpus (`w2v_teach.datasets.world_corpus`), d = 50, window 5,
t = 1e-3, min_count 5, every run with its own full learning-rate decay:

`hs_trees.csv`, one row per run (model, output, epochs, seed, accuracy, seconds, avg_path): the
300,000-token corpus of the chapter (V = 1433). Outputs: hierarchical softmax over the Huffman
tree (`hs_huffman`), over a balanced tree with the rarest words deepest (`hs_balanced`), over a
balanced tree with the words placed at random (`hs_random`), all `w2v_teach.hsoftmax.train`;
negative sampling (`ns`, `w2v_teach.sgns.train`, K = 5 with 32 shared noise words); for CBOW also
the full softmax (`softmax`, `w2v_teach.cbow_softmax.train` over the same V = 1433 words, chapter
2's lr 20 on the batch mean, batch 256). Skip-gram runs the four first outputs, CBOW all five.
Each output runs for 1 and 3 epochs; negative sampling also for 8 (its time per epoch is about a
third of HS's, so 8 epochs match 3 of HS in time), and the full softmax also for 8 (to see where
it gets with more passes). accuracy: the planted analogy questions
(3CosAdd); seconds: the training time on the machine that ran it, which depends on its load;
avg_path: the tree's average path per training target after subsampling (empty without a tree).

`hs_bands.csv`, one row per (output, seed, section, band): the 50,000-token corpus, skip-gram,
10 epochs, outputs `hs_huffman`, `hs_balanced` and `ns`. Within each analogy section the covered
questions are split at that section's median count of their rarest word (band "rare": below the
median; "frequent": the rest); columns questions and correct count them, median the split point.
Comparing bands within a section removes the section's difficulty from the rare/frequent gap, and
the balanced tree (every word 10-11 turns deep) tests whether deep Huffman leaves cause the gap.
Tables are rewritten atomically after every run; rows already present are kept, not trained again.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

import w2v_teach as w2v

TREE_COLUMNS = ("model", "output", "epochs", "seed", "accuracy", "seconds", "avg_path")
BAND_COLUMNS = ("output", "seed", "section", "band", "median", "questions", "correct")
COMMON = {"dim": 50, "window": 5, "t": 1e-3, "min_count": 5}
OUTPUTS = {"skipgram": ("hs_huffman", "hs_balanced", "hs_random", "ns"),
           "cbow": ("hs_huffman", "hs_balanced", "hs_random", "ns", "softmax")}
EPOCHS = {"ns": (1, 3, 8), "softmax": (1, 3, 8)}  # every other output: (1, 3)
BAND_OUTPUTS = ("hs_huffman", "hs_balanced", "ns")


def train(tokens, model: str, output: str, epochs: int, seed: int) -> w2v.training.TrainResult:
    """Train one model with one output layer on `tokens`; return its TrainResult."""
    if output.startswith("hs_"):
        return w2v.hsoftmax.train(tokens, model=model, epochs=epochs, seed=seed, tree=output[3:], **COMMON)
    if output == "ns":
        return w2v.sgns.train(tokens, model=model, epochs=epochs, seed=seed, negatives=5, **COMMON)
    if output == "softmax" and model == "cbow":
        return w2v.cbow_softmax.train(tokens, epochs=epochs, seed=seed, lr=20.0, batch_size=256, max_size=None,
                                      **COMMON)
    raise ValueError(f"unknown output {output!r} for model {model!r}; choose from {OUTPUTS[model]}")


def tree_rows(world, seeds, rows: list[dict], out: Path, epoch_list=None) -> None:
    """Train every (model, output, epochs, seed) not yet in `rows`; append and save each row."""
    done = {(r["model"], r["output"], str(r["epochs"]), str(r["seed"])) for r in rows}
    for seed in seeds:
        for model, outputs in OUTPUTS.items():
            for output in outputs:
                for epochs in epoch_list or EPOCHS.get(output, (1, 3)):
                    if (model, output, str(epochs), str(seed)) in done:
                        continue
                    run = train(world.tokens, model, output, epochs, seed)
                    acc = w2v.evaluate.analogy_accuracy(run.embeddings, world.questions).accuracy
                    tree = run.info.get("tree")
                    path = "" if tree is None else f"{w2v.hsoftmax.average_path(tree, COMMON['t']):.3f}"
                    rows.append({"model": model, "output": output, "epochs": epochs, "seed": seed,
                                 "accuracy": f"{acc:.4f}", "seconds": f"{run.seconds:.2f}", "avg_path": path})
                    w2v.results.write(out, rows, TREE_COLUMNS)
                    print(f"{model:<8} {output:<11} epochs {epochs} seed {seed}: {acc:.3f} "
                          f"({run.seconds:.1f} s)", flush=True)


def question_bands(small) -> tuple[np.ndarray, np.ndarray]:
    """Return each question's rarest-word count (n,) and whether it is below its section's median."""
    counts = w2v.text.Vocab.build(small.tokens)
    rarest = np.array([min(counts.counts[counts.index(w)] for w in q[1:]) for q in small.questions])
    sections = np.array([q[0] for q in small.questions])
    median = {s: float(np.median(rarest[sections == s])) for s in set(sections.tolist())}
    rare = np.array([r < median[s] for r, s in zip(rarest, sections)])
    return rare, np.array([median[s] for s in sections])


def band_counts(emb, small, rare, median) -> list[dict]:
    """Return the rows (section, band, median, questions, correct) of one trained embedding."""
    report = w2v.evaluate.analogy_accuracy(emb, small.questions)
    wrong = {tuple(q) for q, _ in report.wrong}
    rows = []
    for section in dict.fromkeys(q[0] for q in small.questions):
        for band, in_band in (("rare", True), ("frequent", False)):
            idx = [i for i, q in enumerate(small.questions)
                   if q[0] == section and rare[i] == in_band and all(w in emb for w in q[1:])]
            correct = sum(tuple(small.questions[i]) not in wrong for i in idx)
            m = median[idx[0]] if idx else float("nan")
            rows.append({"section": section, "band": band, "median": f"{m:g}", "questions": len(idx),
                         "correct": correct})
    return rows


def band_rows(small, seeds, epochs: int, rows: list[dict], out: Path) -> None:
    """Train every (output, seed) of the band table not yet in `rows`; append and save its rows."""
    done = {(r["output"], str(r["seed"])) for r in rows}
    rare, median = question_bands(small)
    for seed in seeds:
        for output in BAND_OUTPUTS:
            if (output, str(seed)) in done:
                continue
            run = train(small.tokens, "skipgram", output, epochs, seed)
            rows += [{"output": output, "seed": seed, **r} for r in band_counts(run.embeddings, small, rare, median)]
            w2v.results.write(out, rows, BAND_COLUMNS)
            print(f"bands {output:<11} seed {seed} ({run.seconds:.1f} s)", flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0,1,2", help="comma-separated seeds")
    parser.add_argument("--quick", action="store_true", help="small corpora, one epoch: a smoke run")
    parser.add_argument("--trees-out", type=Path, default=Path("src/w2v_teach/results/hs_trees.csv"))
    parser.add_argument("--bands-out", type=Path, default=Path("src/w2v_teach/results/hs_bands.csv"))
    args = parser.parse_args(argv)
    try:
        seeds = [int(s) for s in args.seeds.split(",")]
    except ValueError:
        parser.error(f"--seeds must be comma-separated integers, got {args.seeds!r}")
    if any(s < 0 for s in seeds):
        parser.error(f"--seeds must be non-negative, got {args.seeds!r}")
    big, small, band_epochs = 300_000, 50_000, 10
    if args.quick:
        big, small, band_epochs = 20_000, 20_000, 1
    band_rows(w2v.datasets.world_corpus(small, seed=0), seeds, band_epochs,
              w2v.results.read(args.bands_out, typed=False, missing_ok=True), args.bands_out)
    tree_rows(w2v.datasets.world_corpus(big, seed=0), seeds, w2v.results.read(args.trees_out, typed=False,
              missing_ok=True), args.trees_out, (1,) if args.quick else None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
