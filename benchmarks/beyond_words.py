"""Chapter 8's multi-seed sweeps, too slow for the chapter itself; the chapter plots the tables.

    python benchmarks/beyond_words.py                 # both sweeps (about 15 minutes on a busy 2-core machine)
    python benchmarks/beyond_words.py --only recommend
    python benchmarks/beyond_words.py --only deepwalk --budgets "equal pairs"

recommend: next-item hit rate@10 / NDCG@10 on held-out planted sessions, 5 seeds (each seed draws
new sessions, a new split and new model initialisations). A fifth of each seed's training sessions
is held out as a validation split; every method is fit on the rest with each setting of its grid
(the same size for every trained method: ITEM2VEC_GRID, ALS_GRID; co-occurrence raw, cosine or
lift), the setting with the best validation NDCG@10 is chosen, and its test scores are reported.
Methods: most popular, item-item co-occurrence, implicit's ALS, item2vec with our trainer (cosine
of input vectors, and the model's own score v . u) and gensim's skip-gram at the default settings
(a check of our trainer, not tuned). Written to src/w2v_teach/results/ch08_recommend.csv (one row
per seed and method: the chosen setting, its validation and test scores, the share of hidden items
that are best-sellers and the largest reachable hit rate) and ch08_tuning.csv (every setting tried).

deepwalk: node classification accuracy (5-fold logistic regression) on a planted-community graph
for DeepWalk with walk lengths 5..40 and windows 1, 2, 5, node2vec with a few (p, q), and the
spectral baseline, 3 seeds, at two budgets: one epoch (more pairs for longer walks) and "equal
pairs" (the epochs that bring each setting closest to PAIRS pairs). Written to
src/w2v_teach/results/ch08_deepwalk.csv; --budgets runs some budgets only and keeps the table's rows
of the others (the committed "1 epoch" rows were computed by the same code before the equal-pairs
budget was added).
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

import w2v_teach as w2v

RESULTS = w2v.datasets.RESULTS
# The chapter's settings, in one place.
SESSIONS = dict(n_sessions=10_000, items_per_category=40)
# The grids, the same small budget for every method (8 settings each; co-occurrence has 3).
# item2vec: noise exponent alpha (negative: rare items are drawn more often as noise) and window
# (1: the neighbouring items only; None: the whole session) at 10 epochs, and 30 epochs at alpha
# 0.25; lr 0.05, d 32, K 5, no subsampling.
ITEM2VEC_GRID = [(p, w, 10) for p in (-0.5, 0.25, 0.75) for w in (1, None)] + [(0.25, 1, 30), (0.25, None, 30)]
# ALS: factors, regularisation and the confidence weight alpha (confidence 1 + alpha), 15 sweeps.
ALS_GRID = [(f, r, a) for f in (16, 64) for r in (0.1, 1.0) for a in (3.0, 10.0)]
GRAPH = dict(sizes=[50] * 6, p_in=0.1, p_out=0.01)
WALKS = dict(walks_per_node=10)
# "equal pairs": every walk setting trains on about this many (centre, context) pairs, by epochs
# (a walk of 5 nodes with window 1 gives 8 pairs, one of 40 nodes with window 5 gives 370).
PAIRS = 1_000_000
BUDGETS = ("1 epoch", "equal pairs")


def _write(path: Path, rows: list[dict]) -> Path:
    """Write `rows` as a CSV file at `path` (atomically)."""
    return w2v.results.write(path, rows, list(rows[0]))


def _cases(sessions, idx):
    """Return (histories, targets, last items) of the next-item queries of `sessions`."""
    R = w2v.recommend
    hist, tgt = R.next_item_cases(R.encode_sessions(sessions, idx))
    return hist, tgt, np.array([h[-1] for h in hist])


def _setting(**kw) -> str:
    """Return the settings as one table cell: 'key=value;key=value'."""
    return ";".join(f"{k}={v}" for k, v in kw.items())


def _candidates(fit, fit_ids, items, n, seed):
    """Yield (method, setting, scorer): scorer(hist, last) -> (queries, n_items) scores."""
    R = w2v.recommend
    pop, C = R.item_counts(fit_ids, n), R.session_cooccurrence(fit_ids, n)
    holding = np.asarray(R.session_matrix(fit_ids, n).sum(axis=0)).ravel()
    yield "most popular", "", lambda h, last: np.tile(pop, (len(last), 1))
    for kind in R.ITEM_ITEM:
        yield "co-occurrence", _setting(kind=kind), (lambda h, last, k=kind: R.item_item_scores(C, holding, last, k))
    for f, reg, a in ALS_GRID:
        model = R.als_factors(fit_ids, n, factors=f, regularization=reg, alpha=a, iterations=15, seed=seed)
        yield "ALS (implicit)", _setting(factors=f, regularization=reg, alpha=a), (
            lambda h, last, m=model: R.als_scores(m, h, n))
    for power, window, epochs in ITEM2VEC_GRID:
        res = w2v.item2vec.train(fit, dim=32, window=window, epochs=epochs, lr=0.05, noise_power=power, seed=seed)
        W_in = R.align_rows(res.vocab.words, res.W_in, items)
        W_out = R.align_rows(res.vocab.words, res.W_out, items)
        unit = w2v.serving.unit_rows(W_in)
        cell = _setting(noise_power=power, window=window or "session", epochs=epochs)
        yield "item2vec cosine", cell, (lambda h, last, U=unit: U[last] @ U.T)
        yield "item2vec v.u", cell, (lambda h, last, A=W_in, B=W_out: A[last] @ B.T)


def _gensim_scorer(fit, items, seed):
    """Return gensim's item2vec cosine scorer at the chapter's default settings."""
    from gensim.models import Word2Vec

    gm = Word2Vec(fit, vector_size=32, window=max(map(len, fit)), sg=1, negative=5, epochs=10, alpha=0.05,
                  min_count=1, workers=1, seed=seed, sample=0, shrink_windows=False)  # the whole session
    U = w2v.serving.unit_rows(w2v.recommend.align_rows(gm.wv.index_to_key, gm.wv.vectors, items))
    return lambda h, last: U[last] @ U.T


def recommend_seed(seed: int) -> tuple[list[dict], list[dict]]:
    """Return (chosen rows, grid rows) of one seed: every setting scored on validation and test."""
    R = w2v.recommend
    data = w2v.sessions.generate(**SESSIONS, seed=seed)
    train, test = w2v.sessions.split_sessions(data.sessions, 0.2, seed=seed)
    fit, valid = w2v.sessions.split_sessions(train, 0.2, seed=seed + 1000)  # validation from train only
    idx, n = data.index(), len(data.items)
    fit_ids = R.encode_sessions(fit, idx)
    pop = R.item_counts(fit_ids, n)
    head = pop >= np.quantile(pop, 0.9)  # the 10 % most popular items
    vq, tq = _cases(valid, idx), _cases(test, idx)
    tail = pop[tq[1]] < np.median(pop)  # the held-out item is one of the rarer half
    reach = 1 - np.mean([t in h for h, t in zip(tq[0], tq[1])])  # targets not in their history
    grid, chosen = [], {}
    cands = list(_candidates(fit, fit_ids, data.items, n, seed))
    cands.append(("gensim item2vec cosine", _setting(noise_power=0.75, window="session", epochs=10),
                  _gensim_scorer(fit, data.items, seed)))
    for method, cell, scorer in cands:
        v = R.evaluate_ranking(scorer(vq[0], vq[2]), vq[0], vq[1], 10)
        s = scorer(tq[0], tq[2])
        t = R.evaluate_ranking(s, tq[0], tq[1], 10, tail)
        row = {"seed": seed, "method": method, "setting": cell, "val_ndcg10": round(v["ndcg"], 4),
               "val_hr10": round(v["hr"], 4), "hr10": round(t["hr"], 4), "ndcg10": round(t["ndcg"], 4),
               "hr10_tail": round(t["hr_tail"], 4),
               "head_share": round(float(head[R.top_k(s, 10, exclude=tq[0])].mean()), 4),
               "target_head_share": round(float(head[tq[1]].mean()), 4), "hr10_max": round(float(reach), 4)}
        grid.append(row)
        if method not in chosen or row["val_ndcg10"] > chosen[method]["val_ndcg10"]:
            chosen[method] = row  # ties keep the first (the simpler) setting
    return list(chosen.values()), grid


def pairs_per_walk(length: int, window: int) -> int:
    """Return the (centre, context) pairs of one walk of `length` nodes with a fixed `window`."""
    return 2 * sum(length - d for d in range(1, min(window, length - 1) + 1))


def budget_epochs(length: int, window: int, walks: int) -> int:
    """Return the epochs that bring a setting closest to PAIRS training pairs (at least 1)."""
    return max(1, round(PAIRS / (walks * pairs_per_walk(length, window))))


def deepwalk_seed(seed: int, budgets=BUDGETS) -> list[dict]:
    """Return the node-classification accuracies of one seed's graph at each of `budgets`."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.manifold import SpectralEmbedding
    from sklearn.model_selection import cross_val_score

    A, y = w2v.graphs.planted_communities(**GRAPH, seed=seed)
    names = w2v.graphs.node_names(A.shape[0])
    n_walks = A.shape[0] * WALKS["walks_per_node"]

    def acc(X):
        return round(float(cross_val_score(LogisticRegression(max_iter=2000), X, y, cv=5).mean()), 4)

    def row(method, length, window, p=1.0, q=1.0, budget="1 epoch"):
        epochs = 1 if budget == "1 epoch" else budget_epochs(length, window, n_walks)
        walks = w2v.graphs.random_walks(A, WALKS["walks_per_node"], length, np.random.default_rng(seed), p=p, q=q)
        emb = w2v.item2vec.train(walks, dim=32, window=window, epochs=epochs, seed=seed).embeddings
        return {"seed": seed, "method": method, "budget": budget, "length": length, "window": window, "p": p,
                "q": q, "epochs": epochs, "pairs": epochs * n_walks * pairs_per_walk(length, window),
                "accuracy": acc(np.stack([emb[w] for w in names]))}

    spectral = SpectralEmbedding(n_components=32, affinity="precomputed", random_state=seed).fit_transform(A.toarray())
    rows = [{"seed": seed, "method": "spectral", "budget": "", "length": 0, "window": 0, "p": 0, "q": 0,
             "epochs": 0, "pairs": 0, "accuracy": acc(spectral)}]
    for budget in budgets:
        for length in (5, 10, 20, 40):
            for window in (1, 2, 5):
                if window < length:
                    rows.append(row("deepwalk", length, window, budget=budget))
        for p, q in ((1, 0.25), (1, 4), (0.25, 1), (4, 1)):
            rows.append(row("node2vec", 20, 5, p, q, budget))
    return rows


def main(argv: list[str] | None = None) -> int:
    """Run the sweeps the arguments ask for and write their tables; return 0."""
    global PAIRS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["recommend", "deepwalk"])
    parser.add_argument("--seeds", type=int, default=None)
    parser.add_argument("--sessions", type=int, default=SESSIONS["n_sessions"], help="sessions a seed")
    parser.add_argument("--pairs", type=int, default=PAIRS, help="training pairs at 'equal pairs'")
    parser.add_argument("--out", type=Path, default=RESULTS, help="the folder of the tables")
    parser.add_argument("--budgets", nargs="+", choices=BUDGETS, default=list(BUDGETS),
                        help="deepwalk: the budgets to run; rows of the others already in the table stay")
    args = parser.parse_args(argv)
    if args.seeds is not None and args.seeds < 1 or args.sessions < 100 or args.pairs < 1:
        parser.error(f"--seeds, --pairs must be >= 1 and --sessions >= 100, got {args.seeds}, "
                     f"{args.pairs}, {args.sessions}")
    SESSIONS["n_sessions"], PAIRS = args.sessions, args.pairs
    if args.only in (None, "recommend"):
        start, rows, grid = time.perf_counter(), [], []
        for seed in range(args.seeds or 5):
            chosen, tried = recommend_seed(seed)
            rows, grid = rows + chosen, grid + tried
            print(f"recommend seed {seed} done ({time.perf_counter() - start:.0f} s)", flush=True)
        print("wrote", _write(args.out / "ch08_recommend.csv", rows))
        print("wrote", _write(args.out / "ch08_tuning.csv", grid))
    if args.only in (None, "deepwalk"):
        path = args.out / "ch08_deepwalk.csv"
        start = time.perf_counter()
        rows = [r for r in w2v.results.read(path, missing_ok=True) if r["budget"] not in args.budgets
                and r["method"] != "spectral"]  # kept from an earlier run
        for seed in range(args.seeds or 3):
            rows += deepwalk_seed(seed, args.budgets)
            print(f"deepwalk seed {seed} done ({time.perf_counter() - start:.0f} s)", flush=True)
        rows.sort(key=lambda r: (r["seed"], r["method"] != "spectral", BUDGETS.index(r["budget"] or BUDGETS[0])))
        print("wrote", _write(path, rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
