"""Which word2vec knobs matter: one-at-a-time sweeps with several seeds, on two corpora.

    python benchmarks/knob_sweeps.py --corpus world --seeds 0 1 2
    python benchmarks/knob_sweeps.py --corpus wiki --seeds 0 1 2
    python benchmarks/knob_sweeps.py --corpus world --quick --out /tmp/sweep   # a smoke run

Every row trains gensim's Word2Vec (``workers=2``, through ``w2v_teach.reference.train_gensim``)
with one knob moved away from the baseline and every other knob at its baseline value:

    skip-gram, negative sampling, d 100, window m 5, K 5 noise words, t 1e-4, min_count 5,
    epochs 5 on the planted world corpus (300,000 tokens, seed 0), 10 on the Wikipedia sample.

The knobs and their values are in KNOBS (window, dim, negatives K, subsampling t, min_count,
epochs, skip-gram vs CBOW, negative sampling vs hierarchical softmax, the learning rate lr and the
noise power ns_exponent, and phrases: 1 joins gensim's ``Phrases`` (min_count 5, threshold 10,
English connector words, over 1,000-token sentences, as chapter 6 does) before training). CBOW runs keep the C tool's CBOW rate 0.05 unless the lr knob moves it. The epochs sweep also
trains the book's NumPy trainer (``w2v_teach.sgns.train``, trainer "numpy") on the same tokens,
for a convergence curve of both. Each setting runs once per seed (the baseline, which every
knob's sweep contains, is trained once per seed and its row repeated); the chapter averages over
seeds.

Scores: on the world corpus, the accuracy (3CosAdd) on its planted analogy questions (the truth
is known); on the Wikipedia sample, the Spearman correlation with WordSim-353 with its 95 %
Fisher-z interval (``w2v_teach.evaluate.fisher_interval``), plus SimLex-999 and the Google
analogies. The table (one row per run) goes to ``<out>/knobs_<corpus>.csv``, rewritten after
every run so that an interrupted sweep keeps what it measured; its first lines (starting with #)
record the command line and the baseline. ``--knobs`` and ``--name`` split a long sweep over
several processes (e.g. ``--knobs model loss epochs --name knobs_wiki_2``), and ``--grid``
chooses the values too (``--grid dim=25,200 --name knobs_wiki_4``); read all the tables, and
take a knob's baseline rows from any sweep (the baseline is the same run in every sweep).

One knob at a time cannot see interactions. ``--set KNOB=V`` moves the baseline itself for a
whole sweep (``--set t=0.001 --grid window=2,5,10`` measures the window under stronger
subsampling); the rows record the moved baseline in the column ``base`` (empty for the plain one).

Wikipedia rows also carry ``score_common``, WordSim-353 on the pairs whose two words occur at least
COMMON_MIN_COUNT times (those that every min_count setting of KNOBS covers, so that min_count is
compared on the same pairs), and ``freq_corr``, the Spearman correlation between the model's
cosine and the log frequency of the pair (the geometric mean of the two counts) on the covered
pairs: a frequency artefact shows as a large positive value.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

import w2v_teach as w2v

BASE = dict(model="skipgram", loss="ns", dim=100, window=5, negatives=5, t=1e-4, min_count=5,
            lr=0.025, ns_exponent=0.75, phrases=0)
BASE_EPOCHS = {"world": 5, "wiki": 10}
WORLD_TOKENS = 300_000
KNOBS = {
    "window": [2, 5, 10],
    "dim": [25, 50, 100, 200],
    "negatives": [1, 5, 15],
    "t": [0.0, 1e-5, 1e-4, 1e-3],
    "min_count": [1, 5, 20],
    "epochs": [1, 3, 5, 10, 20],
    "model": ["skipgram", "cbow"],
    "loss": ["ns", "hs"],
    "lr": [0.0125, 0.025, 0.05],
    "ns_exponent": [0.0, 0.5, 0.75, 1.0],
    "phrases": [0, 1],
}
QUICK_KNOBS = {"window": [2, 5], "loss": ["ns", "hs"], "epochs": [1, 2]}
COLUMNS = ["corpus", "knob", "value", "trainer", "seed", "score", "score_low", "score_high", "n_eval",
           "coverage", "simlex", "google", "seconds", "base", "score_common", "freq_corr"]
COMMON_MIN_COUNT = max(KNOBS["min_count"])


def parse_grid(text: str) -> tuple[str, list]:
    """Parse ``knob=v1,v2`` into (knob, [values]) with the types of KNOBS (argparse type)."""
    knob, _, values = text.partition("=")
    if knob not in KNOBS or not values:
        raise argparse.ArgumentTypeError(f"expected KNOB=V1,V2 with KNOB one of {list(KNOBS)}, got {text!r}")
    kind = type(KNOBS[knob][0])
    try:
        return knob, [kind(v) for v in values.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{knob} takes {kind.__name__} values, got {values!r}") from None


def settings(corpus: str, knob: str, value, quick: bool = False, moved: dict | None = None) -> dict:
    """Return the full hyperparameters of one run: the baseline (`moved`) with `knob` at `value`."""
    hp = dict(BASE, epochs=1 if quick else BASE_EPOCHS[corpus], **(moved or {}))
    hp[knob] = value
    return hp


def join_phrases(tokens: list[str]) -> list[str]:
    """Return `tokens` with gensim's phrases joined ("new york" -> "new_york"), as chapter 6 does."""
    from gensim.models.phrases import ENGLISH_CONNECTOR_WORDS, Phrases

    sentences = [tokens[i:i + 1000] for i in range(0, len(tokens), 1000)]
    phrases = Phrases(sentences, min_count=5, threshold=10, connector_words=ENGLISH_CONNECTOR_WORDS).freeze()
    return [w for s in sentences for w in phrases[s]]


def train(tokens: list[str], hp: dict, seed: int, trainer: str):
    """Train gensim (workers=2) or our NumPy trainer with `hp`; return (Embeddings, seconds)."""
    start = time.perf_counter()
    tokens = join_phrases(tokens) if hp["phrases"] else tokens
    t = hp["t"] or None
    # CBOW keeps the C tool's rate (0.05, lr=None) unless the lr knob moved it
    lr = None if hp["model"] == "cbow" and hp["lr"] == BASE["lr"] else hp["lr"]
    common = dict(dim=hp["dim"], window=hp["window"], epochs=hp["epochs"], t=t, lr=lr,
                  min_count=hp["min_count"], seed=seed, model=hp["model"])
    if trainer == "gensim":
        hs = hp["loss"] == "hs"
        result = w2v.reference.train_gensim(tokens, negatives=hp["negatives"], hs=hs, workers=2,
                                            ns_exponent=hp["ns_exponent"], **common)
    else:
        result = w2v.sgns.train(tokens, negatives=hp["negatives"], **common)
    return result.embeddings, time.perf_counter() - start


def common_pairs(tokens: list[str], min_count: int = COMMON_MIN_COUNT) -> list:
    """Return the WordSim-353 pairs whose two words occur at least `min_count` times in `tokens`."""
    counts = Counter(tokens)
    pairs = w2v.evaluate.load_similarity(w2v.datasets.wordsim353())
    return [p for p in pairs if min(counts[p[0].lower()], counts[p[1].lower()]) >= min_count]


def frequency_correlation(emb) -> float:
    """Return Spearman(cosine, log pair frequency) over the WordSim-353 pairs `emb` covers."""
    from scipy import stats

    pairs = w2v.evaluate.load_similarity(w2v.datasets.wordsim353())
    index = {w.lower(): i for i, w in reversed(list(enumerate(emb.words)))}
    covered = [(index[p[0].lower()], index[p[1].lower()]) for p in pairs
               if p[0].lower() in index and p[1].lower() in index]
    a, b = np.array(covered).T  # (n,), (n,)
    unit = emb.vectors / np.linalg.norm(emb.vectors, axis=1, keepdims=True)
    cosine = np.sum(unit[a] * unit[b], axis=1)
    log_freq = 0.5 * (np.log(emb.counts[a]) + np.log(emb.counts[b]))
    return float(stats.spearmanr(cosine, log_freq)[0])


def score(corpus: str, emb, questions, common: list | None = None) -> dict:
    """Return the row's scores: planted analogies (world) or WordSim-353 with its interval (wiki)."""
    if corpus == "world":
        report = w2v.evaluate.analogy_accuracy(emb, questions)
        return dict(score=report.accuracy, score_low="", score_high="", n_eval=report.n_covered,
                    coverage=report.coverage, simlex="", google="")
    ws = w2v.evaluate.similarity_correlation(emb, w2v.datasets.wordsim353())
    ci = w2v.evaluate.fisher_interval(ws.spearman, ws.n_covered)
    scores = w2v.evaluate.standard_scores(emb)
    shared = w2v.evaluate.similarity_correlation(emb, common).spearman if len(common or []) >= 3 else ""
    return dict(score=ws.spearman, score_low=ci.low, score_high=ci.high, n_eval=ws.n_covered,
                coverage=ws.coverage, simlex=scores["simlex"], google=scores["google"],
                score_common=shared, freq_corr=frequency_correlation(emb))


def plan(knobs: dict, seeds: list[int]) -> list[tuple[str, object, str, int]]:
    """Return the runs (knob, value, trainer, seed): settings first, seeds inside, NumPy last."""
    runs = [(k, v, "gensim", s) for k, values in knobs.items() for v in values for s in seeds]
    runs += [("epochs", v, "numpy", s) for v in knobs.get("epochs", []) for s in seeds]
    return runs


def write_table(path: Path, rows: list[dict], header: list[str]) -> None:
    """Write the comment lines and the rows as CSV, atomically."""
    w2v.results.write(path, rows, COLUMNS, header=header, float_format=".6g")


def load_corpus(corpus: str, quick: bool, wiki_tokens: int | None):
    """Return (tokens, analogy questions or None) of the corpus."""
    if corpus == "world":
        world = w2v.datasets.world_corpus(20_000 if quick else WORLD_TOKENS, seed=0)
        return world.tokens, world.questions
    tokens = w2v.datasets.wiki_sample()
    return (tokens[:wiki_tokens] if wiki_tokens else tokens), None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=["world", "wiki"], required=True)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "src" / "w2v_teach" / "results")
    parser.add_argument("--quick", action="store_true", help="a tiny grid, 1 epoch, small corpus")
    parser.add_argument("--wiki-tokens", type=int, default=None, help="use only the first N wiki tokens")
    parser.add_argument("--knobs", nargs="+", choices=list(KNOBS), default=None,
                        help="sweep only these knobs (to split a long sweep over several processes)")
    parser.add_argument("--name", default=None, help="table name (default knobs_<corpus>)")
    parser.add_argument("--grid", nargs="+", type=parse_grid, default=None, metavar="KNOB=V1,V2",
                        help="sweep only these knobs and values, e.g. dim=25,200 model=cbow")
    parser.add_argument("--set", nargs="+", type=parse_grid, default=None, metavar="KNOB=V",
                        help="move the baseline itself, e.g. t=0.001 (for an interaction)")
    args = parser.parse_args(argv)
    knobs = QUICK_KNOBS if args.quick else KNOBS
    if args.knobs:
        knobs = {k: v for k, v in knobs.items() if k in args.knobs}
    if args.grid:
        knobs = dict(args.grid)
    moved = {k: v[0] for k, v in (args.set or [])}
    tokens, questions = load_corpus(args.corpus, args.quick, args.wiki_tokens)
    common = common_pairs(tokens) if args.corpus == "wiki" else None
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"{args.name or 'knobs_' + args.corpus}.csv"
    header = [f"command: python benchmarks/knob_sweeps.py {' '.join(argv if argv is not None else sys.argv[1:])}",
              f"baseline: {settings(args.corpus, 'window', BASE['window'], args.quick, moved)}; "
              f"{len(tokens):,} tokens; gensim workers=2; {os.cpu_count()} CPUs",
              f"started {time.strftime('%Y-%m-%d %H:%M')}"]
    rows: list[dict] = []
    done: dict[tuple, dict] = {}  # the baseline appears in every knob's sweep: train it once a seed
    for knob, value, trainer, seed in plan(knobs, args.seeds):
        hp = settings(args.corpus, knob, value, args.quick, moved)
        key = (tuple(sorted(hp.items())), trainer, seed)
        if key not in done:
            emb, seconds = train(tokens, hp, seed, trainer)
            done[key] = dict(seconds=round(seconds, 2), **score(args.corpus, emb, questions, common))
        base = ",".join(f"{k}={v}" for k, v in moved.items())
        row = dict(corpus=args.corpus, knob=knob, value=value, trainer=trainer, seed=seed, base=base,
                   **done[key])
        rows.append(row)
        write_table(path, rows, header)
        print(f"{knob}={value} {trainer} seed {seed}: score {row['score']:.3f} ({row['seconds']} s)", flush=True)
    write_table(path, rows, header + [f"finished {time.strftime('%Y-%m-%d %H:%M')}"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
