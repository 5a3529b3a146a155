"""Speed and quality of our skip-gram trainers against gensim, measured in one run.

    python benchmarks/bench_sgns.py --epochs 10 --repeats 5 [--threads 2] \
        [--out src/w2v_teach/results/bench_sgns.csv]
    python benchmarks/bench_sgns.py --quick        # 1 epoch, 1 repeat, no table: a smoke run

Every row trains skip-gram on the same tokens (the Wikipedia sample) with the same
hyperparameters: dim 100, window 5, K = 5 noise words, subsampling t = 1e-4, min_count 5,
lr 0.025. Rows:

* gensim `workers=1` (the reference of the one-core rows); gensim `workers=2` fed two ways: an
  iterable (the token list: one Python thread reads and feeds the C workers, which hold the GIL
  for part of each job, gensim issue #1509) and `corpus_file` (each C worker reads its own part
  of a text file, written before the clock starts);
* our NumPy trainer (`sgns.train`) and PyTorch trainer on the CPU (`--threads` threads; on CUDA
  too when a GPU is present), both against gensim `workers=1`;
* `hogwild.train` with 1 and with 2 processes, both at the same batch per worker (1024 pairs), so
  that their ratio is the speed-up from one to two workers and nothing else; the 2-process row
  is compared with the *stronger* of the two gensim `workers=2` modes (the higher median speed);
* skip-gram with hierarchical softmax: gensim's `hs=1` and our `hsoftmax.train`, compared with
  each other.

Speed is reported in two units, as gensim's log does: **raw** words per second counts the words
of the vocabulary before subsampling (the C tool's `word_count`, and the unit of Mikolov et
al.'s "100 billion words a day"); **effective** words per second counts the words left after
subsampling (what gensim's `train` returns; about 57 % of the raw words here). Both use the
trainer's own clock, which covers the training epochs only. Next to it every run records the wall
time and the process CPU time (all threads, and the worker processes) of the whole call,
vocabulary included, so that the CPU a row used is visible beside its speed.

The repeats run interleaved (every row once, then again) with seeds 0, 1, 2, ..., so a busy
machine slows every row alike. The table shows each row's median with its range (min-max) over
the repeats and the ratio of the medians to its baseline, from this same run. Quality is the
Spearman correlation with WordSim-353 and SimLex-999, and the Google analogy accuracy (3CosAdd,
covered questions). `--out` writes one CSV row per run (rewritten atomically after every run);
chapter 9 reads `src/w2v_teach/results/bench_sgns.csv`. The script reports; it exits 0 whatever
the outcome.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path


import w2v_teach as w2v

HYPER = dict(dim=100, window=5, negatives=5, t=1e-4, min_count=5, lr=0.025)
HOG_BATCH = 1024  # pairs per worker, for both Hogwild rows
COLUMNS = ("row", "baseline", "seed", "epochs", "train_s", "wall_s", "cpu_s", "raw_words",
           "effective_words", "raw_wps", "effective_wps", "ws353", "simlex", "google")

G1, G2_ITER, G2_FILE = "gensim workers=1", "gensim workers=2 iterable", "gensim workers=2 corpus_file"
NUMPY, HOG1, HOG2 = "NumPy", "Hogwild 1 process", "Hogwild 2 processes"
HS_REF, HS_OURS = "gensim HS workers=1", "NumPy HS"
NUMPY_FAST, HOG2_FAST, HS_FAST = "NumPy fast", "Hogwild 2 processes fast", "NumPy HS fast"
# the fast options (benchmarks/profile_trainers.py measured them): fewer noise words shared per
# smaller group of pairs (still more than K = 5 per pair), and HS pairs read as the C tool reads
# them, so that a centre's pairs share one gathered path; the exact steps are the defaults
FAST_NUMPY = {"shared_negatives": 16, "share_size": 128}  # sgns.train
FAST_TORCH = {"shared_negatives": 16, "share_size": 256}  # torch_models.train and hogwild.train
FAST_HS = {"share_paths": True}  # hsoftmax.train
STRONGER = "stronger gensim workers=2"  # the Hogwild row's baseline, resolved after the runs


def gensim_row(**kw) -> Callable:
    """Return run(tokens, epochs, seed) training gensim with the extra settings `kw`."""
    return lambda tokens, epochs, seed: w2v.reference.train_gensim(tokens, epochs=epochs, seed=seed,
                                                                   **HYPER, **kw)


def numpy_hs(**fast) -> Callable:
    """Return run(tokens, epochs, seed) training our NumPy skip-gram with hierarchical softmax."""
    hyper = {k: v for k, v in HYPER.items() if k != "negatives"}
    return lambda tokens, epochs, seed: w2v.hsoftmax.train(tokens, epochs=epochs, seed=seed,
                                                           **hyper, **fast)


def numpy_row(**fast) -> Callable:
    """Return run(tokens, epochs, seed) training the NumPy skip-gram with the options `fast`."""
    return lambda tokens, epochs, seed: w2v.sgns.train(tokens, epochs=epochs, seed=seed,
                                                       **HYPER, **fast)


def hogwild_row(workers: int, **fast) -> Callable:
    """Return run(tokens, epochs, seed) training `workers` Hogwild processes at HOG_BATCH each."""
    return lambda tokens, epochs, seed: w2v.hogwild.train(
        tokens, workers=workers, epochs=epochs, seed=seed, batch_size=HOG_BATCH, **HYPER, **fast)


def torch_row(device: str, **fast) -> Callable:
    """Return run(tokens, epochs, seed) training the PyTorch skip-gram on `device`."""
    return lambda tokens, epochs, seed: w2v.torch_models.train(tokens, epochs=epochs, seed=seed,
                                                               device=device, **HYPER, **fast)


def table_rows(threads: int, names: list[str] | None = None) -> dict[str, tuple[Callable, str]]:
    """Return {row: (run(tokens, epochs, seed), baseline row)}, PyTorch rows only when torch imports."""
    rows = {G1: (gensim_row(workers=1), G1), G2_ITER: (gensim_row(workers=2), G2_ITER),
            G2_FILE: (gensim_row(workers=2, corpus_file=True), G2_FILE),
            NUMPY: (numpy_row(), G1), NUMPY_FAST: (numpy_row(**FAST_NUMPY), G1)}
    try:
        import torch
    except ImportError:
        print("note: PyTorch is not installed; the PyTorch and Hogwild rows are skipped")
        torch = None
    if torch is not None:
        torch.set_num_threads(threads)
        rows[f"PyTorch CPU {threads} thread(s)"] = (torch_row("cpu"), G1)
        rows[f"PyTorch CPU {threads} thread(s) fast"] = (torch_row("cpu", **FAST_TORCH), G1)
        if torch.cuda.is_available():
            rows["PyTorch CUDA"] = (torch_row("cuda"), G1)
        rows[HOG1] = (hogwild_row(1), G1)
        rows[HOG2] = (hogwild_row(2), STRONGER)
        rows[HOG2_FAST] = (hogwild_row(2, **FAST_TORCH), STRONGER)
    rows[HS_REF] = (gensim_row(workers=1, hs=True), HS_REF)
    rows[HS_OURS] = (numpy_hs(), HS_REF)
    rows[HS_FAST] = (numpy_hs(**FAST_HS), HS_REF)
    if names is not None:
        unknown = sorted(set(names) - set(rows))
        if unknown:
            raise KeyError(f"unknown row(s) {unknown}; the rows are {list(rows)}")
        rows = {n: r for n, r in rows.items() if n in names}
    return rows


def cpu_seconds() -> float:
    """Return the CPU seconds used so far by this process (all threads) and its reaped children."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def run_once(name: str, run: Callable, baseline: str, tokens: list[str], epochs: int, seed: int) -> dict:
    """Train one row once; return its CSV row (speeds in both units, times, quality)."""
    wall, cpu = time.perf_counter(), cpu_seconds()
    result = run(tokens, epochs, seed)
    wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
    raw = int(result.vocab.counts.sum()) * epochs  # words of the vocabulary, before subsampling
    scores = w2v.evaluate.standard_scores(result.embeddings)
    return {"row": name, "baseline": baseline, "seed": seed, "epochs": epochs,
            "train_s": result.seconds, "wall_s": wall, "cpu_s": cpu, "raw_words": raw,
            "effective_words": int(result.words_trained), "raw_wps": raw / result.seconds,
            "effective_wps": result.words_per_second, "ws353": scores["ws353"],
            "simlex": scores["simlex"], "google": scores["google"]}


def measure(rows: dict, tokens: list[str], epochs: int, repeats: int, out: Path | None) -> list[dict]:
    """Run every row once per seed, interleaved; return the runs (written to `out` after each)."""
    runs = []
    for seed in range(repeats):  # interleaved, so machine load hits every row alike
        for name, (run, baseline) in rows.items():
            runs.append(run_once(name, run, baseline, tokens, epochs, seed))
            r = runs[-1]
            print(f"  seed {seed}  {name:<30} raw {r['raw_wps']:>10,.0f} words/s  effective "
                  f"{r['effective_wps']:>9,.0f}  wall {r['wall_s']:6.1f} s  CPU {r['cpu_s']:6.1f} s  "
                  f"WS353 {r['ws353']:.3f}", flush=True)
            if out is not None:
                w2v.results.write(out, runs, COLUMNS, header=HEADER, float_format=".6g")
    return runs


HEADER: list[str] = []  # the table's comment lines, set by main()


def medians(runs: list[dict]) -> dict[str, dict[str, float]]:
    """Return {row: {column: median over the row's runs}} for the numeric columns."""
    numeric = [c for c in COLUMNS if c not in ("row", "baseline", "seed")]
    by_row: dict[str, list[dict]] = {}
    for r in runs:
        by_row.setdefault(r["row"], []).append(r)
    return {name: {c: statistics.median(float(r[c]) for r in rs) for c in numeric} | {"n": len(rs)}
            for name, rs in by_row.items()}


def stronger_gensim(med: dict) -> str | None:
    """Return the faster of gensim's two workers=2 modes (higher median raw words/s), if both ran."""
    modes = [m for m in (G2_ITER, G2_FILE) if m in med]
    return max(modes, key=lambda m: med[m]["raw_wps"]) if modes else None


def resolve(baseline: str, med: dict) -> str | None:
    """Return the row that `baseline` names (the stronger gensim mode for the Hogwild row)."""
    return stronger_gensim(med) if baseline == STRONGER else baseline if baseline in med else None


def spread(runs: list[dict], name: str, column: str) -> str:
    """Return 'min-max' of `column` over the runs of row `name`, in thousands."""
    values = [float(r[column]) for r in runs if r["row"] == name]
    return f"{min(values) / 1e3:,.0f}-{max(values) / 1e3:,.0f}k"


def report(runs: list[dict]) -> None:
    """Print the table of medians (with ranges), ratios to the baselines and score deltas."""
    med = medians(runs)
    base_of = {r["row"]: r["baseline"] for r in runs}
    head = (f"{'row':<30}{'raw w/s':>10}{'range':>12}{'eff. w/s':>10}{'wall s':>8}{'CPU s':>7}"
            f"{'ratio':>7}  {'vs':<28}{'WS353':>7}{'dWS':>8}{'SimLex':>7}{'Google':>7}")
    print("\n" + head + "\n" + "-" * len(head))
    for name, m in med.items():
        base = resolve(base_of[name], med)
        ratio = m["raw_wps"] / med[base]["raw_wps"] if base else float("nan")
        d_ws = m["ws353"] - med[base]["ws353"] if base else float("nan")
        print(f"{name:<30}{m['raw_wps']:>10,.0f}{spread(runs, name, 'raw_wps'):>12}"
              f"{m['effective_wps']:>10,.0f}{m['wall_s']:>8.1f}{m['cpu_s']:>7.1f}{ratio:>6.2f}x  "
              f"{(base or '-'):<28}{m['ws353']:>7.3f}{d_ws:>+8.3f}{m['simlex']:>7.3f}{m['google']:>7.3f}")
    n = max(m["n"] for m in med.values())
    print(f"\nmedians over {n} repeat(s); range = min-max of raw words/s; ratio = ratio of the median "
          f"raw speeds (the effective ratio is the same up to subsampling noise).")
    extra_ratios(med)


def extra_ratios(med: dict) -> None:
    """Print each negative-sampling trainer against all three gensim modes, and the speed-ups."""
    refs = [g for g in (G1, G2_ITER, G2_FILE) if g in med]
    stronger = stronger_gensim(med)
    if stronger:
        print(f"stronger gensim workers=2 mode here: {stronger}")
    for name in med:
        if name.startswith("gensim") or name in (HS_OURS, HS_FAST):  # HS compares with gensim's HS only
            continue
        print(f"{name:<30}" + "  ".join(f"{med[name]['raw_wps'] / med[g]['raw_wps']:.2f}x {g}" for g in refs))
    if HOG1 in med and HOG2 in med:
        print(f"speed-up 1 -> 2 Hogwild processes at {HOG_BATCH} pairs per worker: "
              f"{med[HOG2]['raw_wps'] / med[HOG1]['raw_wps']:.2f}x")
    for g2 in (G2_ITER, G2_FILE):
        if G1 in med and g2 in med:
            print(f"speed-up gensim workers=1 -> {g2}: {med[g2]['raw_wps'] / med[G1]['raw_wps']:.2f}x")


def parse_args(argv) -> argparse.Namespace:
    """Return the command line's options (--quick: one epoch, one repeat)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads (gensim and NumPy use 1)")
    parser.add_argument("--quick", action="store_true", help="a 1-epoch, 1-repeat smoke run")
    parser.add_argument("--out", type=Path, default=None, help="CSV of every run (default: none)")
    parser.add_argument("--rows", default=None, help="comma-separated row names (default: all)")
    parser.add_argument("--tokens", type=int, default=None, help="use the first N tokens only (tests)")
    args = parser.parse_args(argv)
    if args.quick:
        args.epochs, args.repeats = 1, 1
    if args.epochs < 1 or args.repeats < 1 or args.threads < 1:
        parser.error(f"--epochs, --repeats and --threads must be >= 1, got {args.epochs}, "
                     f"{args.repeats}, {args.threads}")
    if args.tokens is not None and args.tokens < 1000:
        parser.error(f"--tokens must be >= 1000, got {args.tokens}")
    return args


def main(argv=None) -> int:
    """Measure every row, print the table and write the runs to --out; exit 0 whatever they show."""
    args = parse_args(argv)
    tokens = w2v.datasets.wiki_sample()[: args.tokens]
    names = None if args.rows is None else [n.strip() for n in args.rows.split(",")]
    try:
        rows = table_rows(args.threads, names)
    except KeyError as err:
        print(f"error: {err.args[0]}", file=sys.stderr)
        return 2
    HEADER[:] = [f"python benchmarks/bench_sgns.py {' '.join(argv if argv is not None else sys.argv[1:])}",
                 f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {os.cpu_count()} CPUs; "
                 f"load average {os.getloadavg()[0]:.1f} at the start; wiki_sample {len(tokens):,} tokens",
                 f"hyperparameters {HYPER}; Hogwild batch {HOG_BATCH} pairs per worker"]
    print(HEADER[1] + f"; {args.epochs} epochs, {args.repeats} repeat(s)")
    report(measure(rows, tokens, args.epochs, args.repeats, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
