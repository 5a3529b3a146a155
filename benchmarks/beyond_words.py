"""Chapter 8's multi-seed sweeps, too slow for the chapter itself; the chapter plots the tables.

    python benchmarks/beyond_words.py                 # both sweeps (several minutes on 2 cores)
    python benchmarks/beyond_words.py --only recommend
    python benchmarks/beyond_words.py --only deepwalk

recommend: next-item hit rate@10 / NDCG@10 on held-out planted sessions, 5 seeds (each seed draws
new sessions, a new split and new model initialisations), for most popular, item-item
co-occurrence, implicit's ALS, item2vec with our trainer (cosine of input vectors, and the
model's own score v . u) and gensim's skip-gram on the sessions. Written to
src/w2v_teach/results/ch08_recommend.csv, one row per (seed, method).

deepwalk: node classification accuracy (5-fold logistic regression) on a planted-community graph
for DeepWalk with walk lengths 5..80 and windows 1..10, node2vec with a few (p, q), and the
spectral baseline, 3 seeds. Written to src/w2v_teach/results/ch08_deepwalk.csv.
The settings are those of the chapter (book/chapters/08_beyond_words.ipynb).
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
ITEM2VEC = dict(dim=32, epochs=10, lr=0.05)
ALS = dict(factors=32, regularization=0.1, alpha=10.0, iterations=15)
GRAPH = dict(sizes=[50] * 6, p_in=0.1, p_out=0.01)
WALKS = dict(walks_per_node=10)


def _write(name: str, rows: list[dict]) -> Path:
    """Write `rows` as a CSV file under src/w2v_teach/results/."""
    return w2v.results.write(RESULTS / name, rows, list(rows[0]))


def recommend_seed(seed: int) -> list[dict]:
    """Return one row per method for one seed of the next-item comparison."""
    from gensim.models import Word2Vec

    R = w2v.recommend
    data = w2v.sessions.generate(**SESSIONS, seed=seed)
    train, test = w2v.sessions.split_sessions(data.sessions, 0.2, seed=seed)
    idx, n = data.index(), len(data.items)
    tr, te = R.encode_sessions(train, idx), R.encode_sessions(test, idx)
    hist, tgt = R.next_item_cases(te)
    last = np.array([h[-1] for h in hist])
    pop = R.item_counts(tr, n)
    tail = pop[tgt] < np.median(pop)  # the held-out item is one of the rarer half
    res = w2v.item2vec.train(train, **ITEM2VEC, seed=seed)
    W_in = R.align_rows(res.vocab.words, res.W_in, data.items)
    W_out = R.align_rows(res.vocab.words, res.W_out, data.items)
    unit = w2v.serving.unit_rows(W_in)
    gm = Word2Vec(train, vector_size=ITEM2VEC["dim"], window=max(map(len, train)), sg=1, negative=5,
                  epochs=ITEM2VEC["epochs"], alpha=ITEM2VEC["lr"], min_count=1, workers=1, seed=seed, sample=0,
                  shrink_windows=False)  # the whole session, always (item2vec)
    g_unit = w2v.serving.unit_rows(R.align_rows(gm.wv.index_to_key, gm.wv.vectors, data.items))
    scores = {
        "most popular": np.tile(pop, (len(tgt), 1)),
        "co-occurrence": R.session_cooccurrence(tr, n)[last].toarray(),
        "ALS (implicit)": R.als_scores(R.als_factors(tr, n, **ALS, seed=seed), hist, n),
        "item2vec cosine": unit[last] @ unit.T,
        "item2vec v.u": W_in[last] @ W_out.T,
        "gensim item2vec cosine": g_unit[last] @ g_unit.T,
    }
    rows = []
    for method, s in scores.items():
        m = R.evaluate_ranking(s, hist, tgt, 10, tail)
        ranked = R.top_k(s, 10, exclude=hist)
        head = pop >= np.quantile(pop, 0.9)  # the 10 % most popular items
        rows.append({"seed": seed, "method": method, "hr10": round(m["hr"], 4), "ndcg10": round(m["ndcg"], 4),
                     "hr10_tail": round(m["hr_tail"], 4), "head_share": round(float(head[ranked].mean()), 4)})
    return rows


def deepwalk_seed(seed: int) -> list[dict]:
    """Return the node-classification accuracies of one seed's graph."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.manifold import SpectralEmbedding
    from sklearn.model_selection import cross_val_score

    A, y = w2v.graphs.planted_communities(**GRAPH, seed=seed)
    names = w2v.graphs.node_names(A.shape[0])

    def acc(X):
        return round(float(cross_val_score(LogisticRegression(max_iter=2000), X, y, cv=5).mean()), 4)

    def deepwalk(length, window, p=1.0, q=1.0):
        walks = w2v.graphs.random_walks(A, WALKS["walks_per_node"], length, np.random.default_rng(seed), p=p, q=q)
        emb = w2v.item2vec.train(walks, dim=32, window=window, epochs=1, seed=seed).embeddings
        return acc(np.stack([emb[w] for w in names]))

    spectral = SpectralEmbedding(n_components=32, affinity="precomputed", random_state=seed).fit_transform(A.toarray())
    rows = [{"seed": seed, "method": "spectral", "length": 0, "window": 0, "p": 0, "q": 0, "accuracy": acc(spectral)}]
    for length in (5, 10, 20, 40, 80):
        for window in (1, 2, 5, 10):
            if window < length:
                rows.append({"seed": seed, "method": "deepwalk", "length": length, "window": window, "p": 1, "q": 1,
                             "accuracy": deepwalk(length, window)})
    for p, q in ((1, 0.25), (1, 4), (0.25, 1), (4, 1)):
        rows.append({"seed": seed, "method": "node2vec", "length": 20, "window": 5, "p": p, "q": q,
                     "accuracy": deepwalk(20, 5, p, q)})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["recommend", "deepwalk"])
    parser.add_argument("--seeds", type=int, default=None)
    args = parser.parse_args()
    if args.only in (None, "recommend"):
        start, rows = time.perf_counter(), []
        for seed in range(args.seeds or 5):
            rows += recommend_seed(seed)
            print(f"recommend seed {seed} done ({time.perf_counter() - start:.0f} s)", flush=True)
        print("wrote", _write("ch08_recommend.csv", rows))
    if args.only in (None, "deepwalk"):
        start, rows = time.perf_counter(), []
        for seed in range(args.seeds or 3):
            rows += deepwalk_seed(seed)
            print(f"deepwalk seed {seed} done ({time.perf_counter() - start:.0f} s)", flush=True)
        print("wrote", _write("ch08_deepwalk.csv", rows))


if __name__ == "__main__":
    main()
