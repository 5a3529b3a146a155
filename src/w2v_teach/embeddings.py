"""Word vectors you can query: lookup, cosine similarity, nearest neighbours and analogies."""
from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np

from ._checks import check_choice, check_int, check_matrix
from .text import Vocab


class Embeddings:
    """A table of word vectors with the queries of gensim's ``KeyedVectors``.

    ``emb[word]`` is a vector; ``emb.most_similar``, ``emb.similarity`` and ``emb.analogy`` use
    cosine similarity. Words keep the order they were given in (trainers give them by frequency).
    """

    def __init__(self, words: Sequence[str], vectors) -> None:
        words = list(words.words if isinstance(words, Vocab) else words)
        vectors = check_matrix("vectors", vectors, rows=len(words))
        if len(words) == 0:
            raise ValueError("Embeddings need at least one word, got none")
        self.vocab = Vocab(words, np.zeros(len(words), dtype=np.int64))
        self.vectors: np.ndarray = vectors
        self._unit: np.ndarray | None = None

    # -- lookup ---------------------------------------------------------------------------
    @property
    def words(self) -> list[str]:
        """Return the words, in table order."""
        return self.vocab.words

    @property
    def dim(self) -> int:
        """Return the vector dimension."""
        return self.vectors.shape[1]

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        return word in self.vocab

    def __repr__(self) -> str:
        return f"Embeddings({len(self)} words, dim {self.dim})"

    def index(self, word: str) -> int:
        """Return the row of `word`; KeyError naming it and close matches if it is unknown."""
        return self.vocab.index(word)

    def __getitem__(self, word: str) -> np.ndarray:
        return self.vectors[self.index(word)]

    @property
    def unit(self) -> np.ndarray:
        """Return the vectors scaled to length 1 (zero vectors stay zero)."""
        if self._unit is None:
            norms = np.linalg.norm(self.vectors, axis=1, keepdims=True)
            self._unit = self.vectors / np.where(norms == 0, 1.0, norms)
        return self._unit

    def _as_unit_vector(self, word_or_vector) -> np.ndarray:
        """Return the unit vector of a word, or of a raw query vector."""
        if isinstance(word_or_vector, str):
            return self.unit[self.index(word_or_vector)]
        vec = np.asarray(word_or_vector, dtype=np.float64)
        if vec.shape != (self.dim,):
            raise ValueError(f"a query vector must have shape ({self.dim},), got {vec.shape}")
        if not np.isfinite(vec).all():
            raise ValueError("the query vector contains NaN or infinity")
        norm = np.linalg.norm(vec)
        return vec / norm if norm > 0 else vec

    # -- similarity -----------------------------------------------------------------------
    def similarity(self, a: str, b: str) -> float:
        """Return the cosine similarity of words `a` and `b`."""
        return float(self.unit[self.index(a)] @ self.unit[self.index(b)])

    def most_similar(self, word_or_vector, topn: int = 10, exclude: Iterable[str] = ()) -> list[tuple[str, float]]:
        """Return the `topn` words closest in cosine to a word (itself excluded) or a vector."""
        topn = check_int("topn", topn, 1)
        query = self._as_unit_vector(word_or_vector)
        banned = {self.index(w) for w in exclude}
        if isinstance(word_or_vector, str):
            banned.add(self.index(word_or_vector))
        scores = self.unit @ query  # (V,)
        return self._top(scores, topn, banned)

    def _top(self, scores: np.ndarray, topn: int, banned: set[int]) -> list[tuple[str, float]]:
        """Return the best `topn` (word, score) pairs, skipping banned rows."""
        scores = scores.astype(np.float64, copy=True)
        if banned:
            scores[list(banned)] = -np.inf
        k = min(topn, len(scores) - len(banned))
        if k <= 0:
            return []
        best = np.argpartition(-scores, k - 1)[:k]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [(self.words[i], float(scores[i])) for i in best]

    # -- analogies ------------------------------------------------------------------------
    def analogy_scores(self, a_ids, b_ids, c_ids, method: str = "add") -> np.ndarray:
        """Return (n, V) scores of every word as the answer to a : b :: c : ? for n questions.

        "add" is 3CosAdd, cos(x, b - a + c) (Mikolov et al. 2013); "mul" is 3CosMul,
        cos'(x, b) cos'(x, c) / (cos'(x, a) + 0.001) with cos' = (cos + 1) / 2
        (Levy and Goldberg 2014). Query words are *not* excluded here.
        """
        check_choice("method", method, {"add", "mul"})
        U = self.unit
        a, b, c = (U[np.asarray(ids, dtype=np.int64)] for ids in (a_ids, b_ids, c_ids))  # (n, dim)
        if method == "add":
            target = b - a + c
            norms = np.linalg.norm(target, axis=1, keepdims=True)
            target = target / np.where(norms == 0, 1.0, norms)
            return target @ U.T  # (n, V)
        cos_a, cos_b, cos_c = ((x @ U.T + 1.0) / 2.0 for x in (a, b, c))
        return cos_b * cos_c / (cos_a + 1e-3)

    def analogy(self, a: str, b: str, c: str, topn: int = 1, method: str = "add") -> list[tuple[str, float]]:
        """Answer a : b :: c : ? (king - man + woman is analogy("man", "king", "woman")).

        The three query words are excluded from the answers, as in the original evaluation.
        """
        topn = check_int("topn", topn, 1)
        ids = [self.index(w) for w in (a, b, c)]
        scores = self.analogy_scores([ids[0]], [ids[1]], [ids[2]], method=method)[0]
        return self._top(scores, topn, set(ids))
