"""Chapter 7's hard debiasing over training seeds: what changes and what survives.

    nice python benchmarks/ch7_debias.py --seeds 0,1,2,3,4 \
        --out src/w2v_teach/results/ch7_debias.csv

Chapter 7 trains gensim's skip-gram (d 50, window 5, K 5, t 1e-3, min_count 5, five epochs, one
thread) on the planted sense corpus (`w2v_teach.senses.sense_corpus(300_000, seed=0)`, the eight
held-out -ing forms removed), finds the gender direction g (first principal component of she/he,
her/his, mrs/mr, woman/man) and applies hard debiasing: every word outside the gendered lists
(the definitional pairs, the world corpus's gendered pairs, pronouns and first names) loses its
component along g, and the definitional pairs are equalized. This script repeats that for
several training seeds and writes one row per seed and measure, its value before and after:

* ``projection_max``: the largest |cosine| of an occupation with g;
* ``district_spearman``: Spearman correlation of the occupations' district association
  s(w, she districts, he districts) with their planted "she" rate;
* ``district_weat_d``, ``district_weat_p``: WEAT of the planted split (rate above / below 0.5)
  against the two sets of districts, effect size and exact p-value;
* ``district_abs_s``: the mean |s(w)| of the sixteen occupations (the size of the association);
* ``neighbour_spearman``: Gonen and Goldberg's bias-by-neighbours: the share of each occupation's
  100 nearest words (the whole neutralized vocabulary) whose projection on g was positive before
  debiasing, correlated (Spearman) with the planted rate;
* ``cluster_agreement``: 2-means over the sixteen occupations' vectors, the share whose cluster
  matches their planted side (0.5 is chance).
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr

import w2v_teach as w2v
from w2v_teach.world_lexicon import GENDER, NAMES, PRONOUNS

COLUMNS = ("seed", "measure", "before", "after")
HELD_OUT = ("swimming", "running", "writing", "singing", "driving", "flying", "climbing", "riding")
SETTINGS = {"dim": 50, "window": 5, "negatives": 5, "epochs": 5, "t": 1e-3, "min_count": 5}
DEFINITIONAL = [("she", "he"), ("her", "his"), ("mrs", "mr"), ("woman", "man")]
GENDERED = ({w for a, b, _ in GENDER for w in (a, b)} | {w for p in PRONOUNS for w in p.values()}
            | {w for names in NAMES for w in names} | {w for p in DEFINITIONAL for w in p})


def measures(emb, g, corpus, neutral, original_bias) -> dict[str, float]:
    """Return every measure of the docstring on one table (before or after debiasing)."""
    occupations = list(corpus.she_rates)
    rate = np.array([corpus.she_rates[o] for o in occupations])
    she_d, he_d = list(w2v.senses.DISTRICTS[1]), list(w2v.senses.DISTRICTS[0])
    X = [o for o in occupations if corpus.she_rates[o] > 0.5]
    Y = [o for o in occupations if corpus.she_rates[o] < 0.5]
    s = w2v.bias.association(emb, occupations, she_d, he_d)
    weat = w2v.bias.weat(emb, X, Y, she_d, he_d)
    share = w2v.bias.neighbour_bias(emb, occupations, neutral, original_bias, k=100)
    return {"projection_max": float(np.abs(w2v.bias.projection(emb, occupations, g)).max()),
            "district_spearman": float(spearmanr(s, rate)[0]),
            "district_weat_d": weat.effect_size, "district_weat_p": weat.p_value,
            "district_abs_s": float(np.abs(s).mean()),
            "neighbour_spearman": float(spearmanr(share, rate)[0]),
            "cluster_agreement": w2v.bias.cluster_agreement(emb, occupations, rate > 0.5)}


def run_seed(corpus, seed: int) -> list[dict]:
    """Train the merged run with `seed`, debias it and return one row per measure."""
    merged = w2v.reference.train_gensim(w2v.senses.hold_out(corpus.tokens, HELD_OUT), seed=seed,
                                        **SETTINGS).embeddings
    g = w2v.bias.difference_direction(merged, DEFINITIONAL, method="pca")
    neutral = [w for w in merged.words if w not in GENDERED]
    original_bias = w2v.bias.projection(merged, neutral, g)
    debiased = w2v.bias.hard_debias(merged, g, neutral=neutral, equalize=DEFINITIONAL)
    before = measures(merged, g, corpus, neutral, original_bias)
    after = measures(debiased, g, corpus, neutral, original_bias)
    return [{"seed": seed, "measure": m, "before": before[m], "after": after[m]} for m in before]


def parse_args(argv) -> argparse.Namespace:
    """Parse and check the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0,1,2,3,4", help="training seeds, e.g. 0,1,2")
    parser.add_argument("--tokens", type=int, default=300_000, help="size of the sense corpus")
    parser.add_argument("--out", type=Path, default=Path("src/w2v_teach/results/ch7_debias.csv"))
    args = parser.parse_args(argv)
    try:
        args.seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--seeds: expected integers separated by commas, got {args.seeds!r}")
    if not args.seeds or min(args.seeds) < 0:
        parser.error(f"--seeds: expected integers >= 0, got {args.seeds!r}")
    if args.tokens < 50_000:
        parser.error(f"--tokens must be at least 50000, got {args.tokens}")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    corpus = w2v.senses.sense_corpus(args.tokens, seed=0)
    rows = []
    for seed in args.seeds:
        rows += run_seed(corpus, seed)
        print(f"seed {seed}:", ", ".join(f"{r['measure']} {r['before']:.3f} -> {r['after']:.3f}"
                                         for r in rows[-7:]), flush=True)
        w2v.results.write(args.out, rows, COLUMNS, float_format=".4g",
                          header=[(f"benchmarks/ch7_debias.py --seeds {','.join(map(str, args.seeds))}"
                                  f" --tokens {args.tokens}")])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
