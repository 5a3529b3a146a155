"""Tests of w2v_teach.item2vec: pairs inside sentences only, and a trainer that learns them."""
import numpy as np
import pytest

from w2v_teach import item2vec as I


def test_pairs_by_hand():
    ids, owner = np.array([5, 6, 7, 8, 9]), np.array([0, 0, 0, 1, 1])
    c, o = I.sentence_pairs(ids, owner)  # whole sentence: (5,6) (6,7) (8,9) (5,7), both ways
    assert sorted(zip(c.tolist(), o.tolist())) == sorted(
        [(5, 6), (6, 5), (6, 7), (7, 6), (5, 7), (7, 5), (8, 9), (9, 8)])
    c, o = I.sentence_pairs(ids, owner, window=1)
    assert sorted(zip(c.tolist(), o.tolist())) == sorted([(5, 6), (6, 5), (6, 7), (7, 6), (8, 9), (9, 8)])
    assert (7, 8) not in set(zip(c.tolist(), o.tolist()))  # never across a sentence boundary
    with pytest.raises(ValueError, match="sorted"):
        I.sentence_pairs(ids, np.array([0, 1, 0, 1, 1]))
    with pytest.raises(ValueError, match="same length"):
        I.sentence_pairs(ids, owner[:3])


def test_train_separates_two_planted_groups():
    rng = np.random.default_rng(0)
    groups = [[f"a{i}" for i in range(5)], [f"b{i}" for i in range(5)]]
    sentences = [list(rng.choice(groups[k], size=4, replace=False)) for k in rng.integers(0, 2, 600)]
    res = I.train(sentences, dim=16, epochs=5, lr=0.05, seed=0, batch_size=16, share_size=16)
    emb = res.embeddings
    within = np.mean([emb.similarity("a0", w) for w in groups[0][1:]])
    across = np.mean([emb.similarity("a0", w) for w in groups[1]])
    assert within > across + 0.3
    assert res.info["model"] == "item2vec" and np.isfinite(res.losses).all()
    again = I.train(sentences, dim=16, epochs=5, lr=0.05, seed=0, batch_size=16, share_size=16)
    np.testing.assert_array_equal(again.W_in, res.W_in)


def test_train_bad_arguments():
    with pytest.raises(ValueError, match="str"):
        I.train(["ab", "cd"])
    with pytest.raises(ValueError, match="empty"):
        I.train([[], []])
    with pytest.raises(ValueError, match="too small to train on: 2 tokens and 1 word"):
        I.train([["a", "a"]])
    with pytest.raises(ValueError, match="window"):
        I.train([["a", "b"]], window=0)
    with pytest.raises(ValueError, match="shared_negatives"):
        I.train([["a", "b"]], shared_negatives=None)
