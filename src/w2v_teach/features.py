"""Word vectors as features for a text classifier, and an offline labelled task (chapter 8).

The task: which Wikipedia article does a passage come from? The `n_articles` longest articles of
the book's Wikipedia sample (:func:`w2v_teach.datasets.wiki_sample`) are cut into passages of
`length` tokens, each labelled by its article; the other articles are returned as unlabelled text
to train word vectors on, so that no test passage is ever seen by the vectors. Real text, no
download, and a label that is true by construction (no annotator to disagree with).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ._checks import check_int
from .embeddings import Embeddings

__all__ = ["average_vectors", "wiki_articles", "wiki_passages"]


def wiki_articles(cache_dir=None) -> list[list[str]]:
    """Return the articles of the Wikipedia sample, each a token list (owned by :mod:`w2v_teach.datasets`)."""
    from . import datasets

    return datasets.wiki_articles(cache_dir)


def wiki_passages(n_articles: int = 8, length: int = 40, cache_dir=None
                  ) -> tuple[list[list[str]], np.ndarray, list[str], list[str]]:
    """Return (passages, labels, titles, other_tokens) of the article-of-origin task.

    passages: every full run of `length` tokens of the `n_articles` longest articles; labels[i]: the
    article of passage i (0 = the longest); titles: the first three words of each article, to name
    it; other_tokens: all other articles as one flat token list, for training vectors.
    """
    articles = wiki_articles(cache_dir)
    n_articles = check_int("n_articles", n_articles, 2)
    length = check_int("length", length, 1)
    if n_articles >= len(articles):
        raise ValueError(f"n_articles={n_articles} leaves no other article to train vectors on "
                         f"(the sample has {len(articles)})")
    order = np.argsort([-len(a) for a in articles], kind="stable")
    chosen, rest = order[:n_articles], order[n_articles:]
    passages, labels = [], []
    for label, a in enumerate(chosen):
        tokens = articles[a]
        for lo in range(0, len(tokens) - length + 1, length):
            passages.append(tokens[lo:lo + length])
            labels.append(label)
    titles = [" ".join(articles[a][:3]) for a in chosen]
    other = [w for a in sorted(rest) for w in articles[a]]
    return passages, np.asarray(labels, dtype=np.int64), titles, other


def average_vectors(emb: Embeddings, docs: Sequence[Sequence[str]]) -> np.ndarray:
    """Return the (n_docs, dim) mean of the vectors of each document's known words (zeros if none)."""
    if not isinstance(emb, Embeddings):
        raise ValueError(f"emb must be an Embeddings, got {type(emb).__name__}")
    out = np.zeros((len(docs), emb.dim), dtype=np.float32)
    for i, doc in enumerate(docs):
        if isinstance(doc, str):
            raise ValueError(f"document {i} is a str; each document must be a list of tokens")
        rows = [emb.key_to_index[w] for w in doc if w in emb.key_to_index]
        if rows:
            out[i] = emb.vectors[rows].mean(axis=0)
    return out
