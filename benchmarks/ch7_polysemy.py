"""Chapter 7's polysemy experiment over training seeds: mixture weights and sparse coding.

    nice python benchmarks/ch7_polysemy.py --seeds 0,1,2,3,4 \
        --out src/w2v_teach/results/ch7_polysemy.csv

Chapter 7 trains gensim's skip-gram (d 50, window 5, K 5, t 1e-3, min_count 5, five epochs,
one thread) on the planted sense corpus (`w2v_teach.senses.sense_corpus(300_000, seed=0)`, the
eight held-out -ing forms removed) twice: as written ("merged") and with every ambiguous word
replaced by its sense token ("oracle"). It rotates the oracle table onto the merged one
(orthogonal Procrustes over the shared words). This script repeats that for several training
seeds (the corpus stays the same) and writes one row per seed and ambiguous word:

* ``share``: the least-squares share a1 / (a1 + a2) of v_w ~ a1 v_s1 R + a2 v_s2 R;
* ``cos_weighted``, ``cos_equal``, ``cos_reversed``: the cosine of the merged vector with the
  mixtures p v_s1 + (1 - p) v_s2, (v_s1 + v_s2) / 2 and (1 - p) v_s1 + p v_s2 (rotated), p the
  planted share of the first sense; ``cos_sense1``, ``cos_sense2``: with each sense alone;
* ``atom_cos1``, ``atom_cos2``: sparse coding in the manner of Arora et al. (2018): a dictionary
  of ``--atoms`` unit atoms learned by k-SVD over the merged table's unit vectors, each word a
  combination of at most ``--sparsity`` atoms (orthogonal matching pursuit); for each sense, the
  largest cosine between that sense's rotated oracle vector and one of the atoms the merged word
  uses (signed by the atom's coefficient). Compare it with ``cos_sense1/2``, the cosine of the
  merged vector itself: an atom that recovers a sense is closer to it than the blend is;
* ``misfit``: the relative misfit ||XR - Y|| / ||Y|| of the rotation.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import w2v_teach as w2v

COLUMNS = ("seed", "word", "planted", "share", "cos_weighted", "cos_equal", "cos_reversed",
           "cos_sense1", "cos_sense2", "atom_cos1", "atom_cos2", "misfit")
HELD_OUT = ("swimming", "running", "writing", "singing", "driving", "flying", "climbing", "riding")
SETTINGS = {"dim": 50, "window": 5, "negatives": 5, "epochs": 5, "t": 1e-3, "min_count": 5}


def unit(a: np.ndarray) -> np.ndarray:
    """Return the rows of `a` scaled to length 1."""
    return a / np.linalg.norm(a, axis=-1, keepdims=True)


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Return the cosine of two vectors."""
    return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))


def rotation(oracle, merged) -> tuple[np.ndarray, float]:
    """Return the Procrustes rotation R (dim, dim) of oracle onto merged and the misfit after it."""
    shared = [w for w in merged.words if w in oracle]
    X, Y = oracle[shared].astype(np.float64), merged[shared].astype(np.float64)  # (n, dim)
    U, _, Qt = np.linalg.svd(X.T @ Y)
    R = U @ Qt
    return R, float(np.linalg.norm(X @ R - Y) / np.linalg.norm(Y))


def omp(X: np.ndarray, D: np.ndarray, k: int) -> np.ndarray:
    """Return the codes (n, m) of the rows of X over the atoms D (m, dim), k atoms each (OMP)."""
    C = np.zeros((len(X), len(D)))
    for i, x in enumerate(X):
        chosen, r = [], x
        for _ in range(k):
            score = np.abs(D @ r)
            score[chosen] = -1.0  # an atom is chosen once
            chosen.append(int(np.argmax(score)))
            coef = np.linalg.lstsq(D[chosen].T, x, rcond=None)[0]
            r = x - coef @ D[chosen]
        C[i, chosen] = coef
    return C


def ksvd(X: np.ndarray, m: int, k: int, iters: int, rng: np.random.Generator):
    """Learn m unit atoms for the rows of X by k-SVD; return the atoms (m, dim) and codes (n, m)."""
    D = unit(X[rng.choice(len(X), m, replace=False)].copy())
    for _ in range(iters):
        C = omp(X, D, k)
        for j in range(m):
            rows = np.nonzero(C[:, j])[0]
            if len(rows) == 0:  # an unused atom restarts at a random word
                D[j] = unit(X[rng.integers(len(X))])
                continue
            E = X[rows] - C[rows] @ D + np.outer(C[rows, j], D[j])  # residual without atom j
            u, s, vt = np.linalg.svd(E, full_matrices=False)
            D[j], C[rows, j] = vt[0], s[0] * u[:, 0]
    return D, omp(X, D, k)


def word_rows(corpus, merged, oracle, R, atoms, codes) -> list[dict]:
    """Return one row per ambiguous word: share, mixture cosines and best atom cosines."""
    rows = []
    for word, (s1, s2) in corpus.senses.items():
        v, v1, v2 = merged[word], oracle[s1] @ R, oracle[s2] @ R
        alpha = np.linalg.lstsq(np.stack([v1, v2], axis=1), v, rcond=None)[0]
        p = corpus.ratios[word]
        code = codes[merged.index(word)]
        used = np.nonzero(code)[0]
        best = [max(float(atoms[a] @ unit(s) * np.sign(code[a])) for a in used) for s in (v1, v2)]
        rows.append({"word": word, "planted": p, "share": float(alpha[0] / alpha.sum()),
                     "cos_weighted": cosine(v, p * v1 + (1 - p) * v2),
                     "cos_equal": cosine(v, (v1 + v2) / 2),
                     "cos_reversed": cosine(v, (1 - p) * v1 + p * v2),
                     "cos_sense1": cosine(v, v1), "cos_sense2": cosine(v, v2),
                     "atom_cos1": best[0], "atom_cos2": best[1]})
    return rows


def run_seed(corpus, seed: int, n_atoms: int, sparsity: int) -> list[dict]:
    """Train the merged and oracle runs with `seed`; return the rows of the six ambiguous words."""
    merged = w2v.reference.train_gensim(w2v.senses.hold_out(corpus.tokens, HELD_OUT), seed=seed,
                                        **SETTINGS).embeddings
    oracle = w2v.reference.train_gensim(w2v.senses.hold_out(corpus.oracle_tokens, HELD_OUT),
                                        seed=seed, **SETTINGS).embeddings
    R, misfit = rotation(oracle, merged)
    atoms, codes = ksvd(unit(merged.vectors.astype(np.float64)), n_atoms, sparsity, 10,
                        np.random.default_rng(seed))
    rows = word_rows(corpus, merged, oracle, R, atoms, codes)
    for row in rows:
        row.update(seed=seed, misfit=misfit)
    return rows


def parse_args(argv) -> argparse.Namespace:
    """Parse and check the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0,1,2,3,4", help="training seeds, e.g. 0,1,2")
    parser.add_argument("--tokens", type=int, default=300_000, help="size of the sense corpus")
    parser.add_argument("--atoms", type=int, default=50, help="atoms of the sparse-coding dictionary")
    parser.add_argument("--sparsity", type=int, default=3, help="atoms per word")
    parser.add_argument("--out", type=Path, default=Path("src/w2v_teach/results/ch7_polysemy.csv"))
    args = parser.parse_args(argv)
    try:
        args.seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--seeds: expected integers separated by commas, got {args.seeds!r}")
    if not args.seeds or min(args.seeds) < 0:
        parser.error(f"--seeds: expected integers >= 0, got {args.seeds!r}")
    if args.tokens < 20_000:
        parser.error(f"--tokens must be at least 20000, got {args.tokens}")
    if not 1 <= args.sparsity < args.atoms:
        parser.error(f"--sparsity must be in [1, --atoms), got {args.sparsity} with {args.atoms}")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    corpus = w2v.senses.sense_corpus(args.tokens, seed=0)
    rows = []
    for seed in args.seeds:
        rows += run_seed(corpus, seed, args.atoms, args.sparsity)
        print(f"seed {seed}: shares", " ".join(f"{r['share']:.2f}" for r in rows[-6:]), flush=True)
        w2v.results.write(args.out, rows, COLUMNS, float_format=".4f",
                          header=[(f"benchmarks/ch7_polysemy.py --seeds {','.join(map(str, args.seeds))}"
                                  f" --tokens {args.tokens} --atoms {args.atoms} --sparsity {args.sparsity}")],
                          sort_key=lambda r: (r["seed"], r["planted"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
