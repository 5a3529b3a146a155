"""The PyTorch skip-gram trainer on a GPU: words per second against the batch size, with quality.

    python benchmarks/gpu_sgns.py                      # CUDA; writes src/w2v_teach/results/gpu_sgns.csv
    python benchmarks/gpu_sgns.py --device cpu --quick --out /tmp/gpu.csv   # a smoke run (tests)

Trains `w2v_teach.torch_models.train` (skip-gram, negative sampling with 32 noise words shared per
group of 512 pairs, the hand-written SGD step; dim 100, window 5, K 5, t = 1e-4, min_count 5,
lr 0.025) on two corpora, once per batch size:

* the Wikipedia sample (483,001 tokens), 10 epochs, scored by WordSim-353 (Spearman);
* a planted corpus of `--tokens` tokens (default 20 million, `w2v_teach.world.world_corpus`),
  large enough to keep a device busy, one epoch, scored by its planted analogy questions.

Each row records the device's name, the batch size, the training seconds (the trainer's clock:
the epochs, not the vocabulary), raw words per second (the vocabulary's words before
subsampling, the C tool's unit) and effective words per second (after subsampling, gensim's
unit), the score, and "ok" or "diverged" (a batch so large that the summed steps of frequent
words blow up at this learning rate). The runs stop being started once `--budget` seconds have
passed (default 200, so that the whole script stays under four minutes on one GPU); the rows not
run are listed. Without CUDA the script refuses with exit status 3, unless `--device cpu` asks
for a CPU run (which writes no table unless `--out` is given). Chapter 9 and the README read the
committed table when there is one.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import w2v_teach as w2v

HYPER = dict(dim=100, window=5, negatives=5, t=1e-4, min_count=5, lr=0.025)
BATCHES = (2048, 8192, 32768, 131072)
COLUMNS = ("device", "corpus", "tokens", "epochs", "batch", "status", "seconds", "raw_words",
           "effective_words", "raw_wps", "effective_wps", "score_name", "score")
TABLE = w2v.datasets.RESULTS / "gpu_sgns.csv"
NO_CUDA = 3  # exit status when CUDA is asked for and absent


def device_name(device: str) -> str:
    """Return a readable name of `device` ("cuda": the GPU's name)."""
    import torch

    return torch.cuda.get_device_name(0) if device == "cuda" else f"CPU ({torch.get_num_threads()} threads)"


def corpora(tokens: int, quick: bool) -> dict:
    """Return {name: (tokens, epochs, score(embeddings) -> (score name, value))}."""
    wiki = w2v.datasets.wiki_sample()
    world = w2v.world.world_corpus(tokens, seed=0)

    def ws353(emb):
        return "WordSim-353", w2v.evaluate.similarity_correlation(emb, w2v.evaluate.load_similarity(
            w2v.datasets.wordsim353())).spearman

    def planted(emb):
        return "planted analogies", w2v.evaluate.analogy_accuracy(emb, world.questions).accuracy

    return {"wiki_sample": (wiki[:30_000] if quick else wiki, 1 if quick else 10, ws353),
            f"planted {tokens:,}": (world.tokens, 1, planted)}


def run_one(device: str, name: str, corpus: tuple, batch: int) -> dict:
    """Train on one corpus with one batch size on `device`; return its table row."""
    tokens, epochs, score = corpus
    row = {"device": device_name(device), "corpus": name, "tokens": len(tokens), "epochs": epochs,
           "batch": batch}
    try:
        result = w2v.torch_models.train(tokens, epochs=epochs, seed=0, device=device, batch_size=batch,
                                        chunk_tokens=max(1 << 17, 4 * batch), **HYPER)
    except FloatingPointError:
        return row | {"status": "diverged"}
    raw = int(result.vocab.counts.sum()) * epochs  # the vocabulary's words, before subsampling
    score_name, value = score(result.embeddings)
    return row | {"status": "ok", "seconds": result.seconds, "raw_words": raw,
                  "effective_words": int(result.words_trained), "raw_wps": raw / result.seconds,
                  "effective_wps": result.words_per_second, "score_name": score_name, "score": value}


def parse_args(argv) -> argparse.Namespace:
    """Return the command line's options; --quick: small corpora, two small batches."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", choices=("cuda", "cpu"), default="cuda")
    parser.add_argument("--tokens", type=int, default=20_000_000, help="planted corpus size")
    parser.add_argument("--batches", default=",".join(map(str, BATCHES)))
    parser.add_argument("--budget", type=float, default=200.0, help="start no run after this many seconds")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", type=Path, default=None, help=f"the CSV (default with CUDA: {TABLE})")
    args = parser.parse_args(argv)
    try:
        args.batches = [int(b) for b in args.batches.split(",")]
    except ValueError:
        parser.error(f"--batches: expected integers separated by commas, got {args.batches!r}")
    if args.quick:
        args.tokens, args.batches = min(args.tokens, 100_000), [b for b in (256, 1024)]
    if min(args.batches) < 16 or args.tokens < 10_000 or args.budget <= 0:
        parser.error(f"need batches >= 16, --tokens >= 10000, --budget > 0; got {args.batches}, "
                     f"{args.tokens}, {args.budget}")
    if args.out is None and args.device == "cuda":
        args.out = TABLE
    return args


def main(argv=None) -> int:
    """Sweep the batch sizes on both corpora and write the table; exit 3 without CUDA."""
    args = parse_args(argv)
    import torch

    if args.device == "cuda" and not torch.cuda.is_available():
        print("error: no CUDA device here (torch.cuda.is_available() is False); this benchmark "
              "measures a GPU. For a smoke run on the CPU: --device cpu --quick", file=sys.stderr)
        return NO_CUDA
    start, rows, skipped = time.perf_counter(), [], []
    for name, corpus in corpora(args.tokens, args.quick).items():
        for batch in args.batches:
            if time.perf_counter() - start > args.budget:
                skipped.append((name, batch))
                continue
            rows.append(run_one(args.device, name, corpus, batch))
            r = rows[-1]
            print(f"{r['device']}  {name:<20} batch {batch:>7,}  {r['status']:<8} "
                  f"raw {r.get('raw_wps', float('nan')):>12,.0f} words/s  effective "
                  f"{r.get('effective_wps', float('nan')):>12,.0f}  {r.get('score_name', '')} "
                  f"{r.get('score', float('nan')):.3f}", flush=True)
            if args.out is not None:
                header = [f"python benchmarks/gpu_sgns.py {' '.join(argv if argv is not None else sys.argv[1:])}",
                          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; hyperparameters {HYPER}"]
                w2v.results.write(args.out, rows, COLUMNS, header=header, float_format=".6g")
    print(f"{time.perf_counter() - start:.0f} s in all; not run (budget): {skipped or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
