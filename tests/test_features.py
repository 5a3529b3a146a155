"""Tests of w2v_teach.features: averaged vectors and the Wikipedia article-of-origin task."""
import numpy as np
import pytest

from w2v_teach import features as F
from w2v_teach.embeddings import Embeddings


def test_average_vectors_by_hand():
    emb = Embeddings(["a", "b"], np.array([[1.0, 0.0], [0.0, 2.0]]))
    X = F.average_vectors(emb, [["a", "b"], ["a", "zzz"], ["zzz"]])
    np.testing.assert_allclose(X, [[0.5, 1.0], [1.0, 0.0], [0.0, 0.0]])
    with pytest.raises(ValueError, match="str"):
        F.average_vectors(emb, ["a b"])
    with pytest.raises(ValueError, match="Embeddings"):
        F.average_vectors(np.ones((2, 2)), [["a"]])


def test_wiki_passages(tmp_path, monkeypatch):
    articles = [["x"] * 100, ["y"] * 250, ["z"] * 30, ["w"] * 60]
    monkeypatch.setattr(F, "wiki_articles", lambda cache_dir=None: articles)
    passages, labels, titles, other = F.wiki_passages(2, 40)
    # the two longest: y (250 tokens -> 6 passages, label 0) and x (100 -> 2 passages, label 1)
    np.testing.assert_array_equal(labels, [0] * 6 + [1] * 2)
    assert passages[0] == ["y"] * 40 and passages[-1] == ["x"] * 40
    assert titles == ["y y y", "x x x"]
    assert sorted(set(other)) == ["w", "z"] and len(other) == 90
    with pytest.raises(ValueError, match="no other article"):
        F.wiki_passages(4, 10)
