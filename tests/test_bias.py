"""Tests of bias: each measure against a small case computed by hand."""
from __future__ import annotations

import math

import numpy as np
import pytest

from w2v_teach import bias
from w2v_teach.embeddings import Embeddings


def table(rows: dict) -> Embeddings:
    return Embeddings(list(rows), np.array(list(rows.values()), dtype=np.float64))


def at_angles(degrees: dict) -> Embeddings:
    return table({w: [math.cos(math.radians(a)), math.sin(math.radians(a))] for w, a in degrees.items()})


PLANE = table({"x1": [1.0, 0.0], "y1": [-1.0, 0.0], "x2": [0.8, 0.6], "y2": [0.8, -0.6], "w": [3.0, 4.0]})


def test_difference_direction_mean_and_pca_by_hand():
    # differences (2, 0) and (0, 1.2): their mean (1, 0.6) normalised
    mean = bias.difference_direction(PLANE, [("x1", "y1"), ("x2", "y2")], method="mean")
    np.testing.assert_allclose(mean, np.array([1.0, 0.6]) / math.hypot(1.0, 0.6))
    # centred pairs: +-(1, 0) and +-(0, 0.6): the first component is (1, 0), signed like the mean
    pca = bias.difference_direction(PLANE, [("x1", "y1"), ("x2", "y2")], method="pca")
    np.testing.assert_allclose(pca, [1.0, 0.0], atol=1e-12)
    flipped = bias.difference_direction(PLANE, [("y1", "x1"), ("y2", "x2")], method="pca")
    np.testing.assert_allclose(flipped, [-1.0, 0.0], atol=1e-12)


def test_projection_uses_unit_vectors():
    np.testing.assert_allclose(bias.projection(PLANE, ["w", "x2"], [2.0, 0.0]), [0.6, 0.8])


def test_association_by_hand():
    emb = at_angles({"a": 0, "b": 90, "w": 30})
    np.testing.assert_allclose(bias.association(emb, ["a", "w"], ["a"], ["b"]),
                               [1.0, math.cos(math.radians(30)) - 0.5])


WEAT = table({"a": [1, 0], "b": [0, 1], "x1": [1, 0], "x2": [0.6, 0.8], "y1": [0, 1], "y2": [0.8, 0.6]})


def test_weat_by_hand():
    # s(x1) = 1, s(x2) = -0.2, s(y1) = -1, s(y2) = 0.2; statistic 0.8 - (-0.8) = 1.6
    result = bias.weat(WEAT, ["x1", "x2"], ["y1", "y2"], ["a"], ["b"])
    assert result.statistic == pytest.approx(1.6)
    assert result.effect_size == pytest.approx(0.8 / math.sqrt(2.08 / 3))
    # six partitions, statistics 1.6, 0, 2.4, -2.4, 0, -1.6: two are at least 1.6
    assert result.exact and result.n_partitions == 6
    assert result.p_value == pytest.approx(2 / 6)
    reverse = bias.weat(WEAT, ["y1", "y2"], ["x1", "x2"], ["a"], ["b"])
    assert reverse.effect_size == pytest.approx(-result.effect_size)
    assert reverse.p_value == pytest.approx(5 / 6)


def test_weat_samples_partitions_when_there_are_many():
    rng = np.random.default_rng(0)
    words = {f"w{i}": a for i, a in enumerate(np.linspace(0, 90, 20))}
    emb = at_angles({**words, "a": 0, "b": 90})
    X, Y = [f"w{i}" for i in range(10)], [f"w{i}" for i in range(10, 20)]
    with pytest.raises(ValueError, match="pass rng"):
        bias.weat(emb, X, Y, ["a"], ["b"], n_permutations=500)
    sampled = bias.weat(emb, X, Y, ["a"], ["b"], n_permutations=500, rng=rng)
    assert not sampled.exact and sampled.n_partitions == 500
    assert sampled.p_value == pytest.approx(1 / 501)  # X is the most A-like half: no partition beats it
    assert sampled.effect_size > 1.5


def test_weat_without_any_difference_has_zero_effect():
    emb = table({"a": [1, 0], "b": [-1, 0], "x1": [0, 1], "x2": [0, -1], "y1": [0, 1], "y2": [0, -1]})
    result = bias.weat(emb, ["x1", "x2"], ["y1", "y2"], ["a"], ["b"])
    assert result.effect_size == 0.0 and result.p_value == 1.0


def test_hard_debias_by_hand():
    emb = table({"w": [0.6, 0.8, 0], "x": [1, 0, 0], "y": [0, 0, 1], "z": [0, 0, 2]})
    out = bias.hard_debias(emb, [2.0, 0, 0], neutral=["w"], equalize=[("x", "y")])
    np.testing.assert_allclose(out["w"], [0, 1, 0], atol=1e-7)
    # mu = (0.5, 0, 0.5), nu = (0, 0, 0.5), height sqrt(0.75)
    np.testing.assert_allclose(out["x"], [math.sqrt(0.75), 0, 0.5], atol=1e-7)
    np.testing.assert_allclose(out["y"], [-math.sqrt(0.75), 0, 0.5], atol=1e-7)
    np.testing.assert_allclose(out["z"], [0, 0, 1], atol=1e-7)
    assert out.similarity("w", "x") == pytest.approx(out.similarity("w", "y"))
    assert emb["z"][2] == 2  # the input is left alone


def test_neighbour_recoverability_by_hand():
    emb = at_angles({"a": 0, "b": 10, "c": 20, "d": 90, "e": 100, "f": 110})
    assert bias.neighbour_recoverability(emb, list("abcdef"), [0, 0, 0, 1, 1, 1], k=1) == 1.0
    assert bias.neighbour_recoverability(emb, list("abde"), [0, 1, 0, 1], k=1) == 0.0
    # k = 3: "c" has neighbours b, a (label 0) and d (label 1): still 0; all right
    assert bias.neighbour_recoverability(emb, list("abcdef"), [0, 0, 0, 1, 1, 1], k=3) == 1.0


def test_neighbour_bias_by_hand():
    emb = at_angles({"a": 0, "b": 10, "c": 20, "d": 90, "e": 100, "f": 110})
    vocabulary, before = list("abcdef"), [1.0, 1.0, -1.0, -1.0, -1.0, 1.0]
    # itself left out: a's nearest is b (+), c's is b (+), d's is e (-)
    assert bias.neighbour_bias(emb, ["a", "c", "d"], vocabulary, before, k=1).tolist() == [1, 1, 0]
    # two nearest: a has b (+), c (-); d has e (-), f (+); f has e (-), d (-)
    share = bias.neighbour_bias(emb, ["a", "d", "f"], vocabulary, before, k=2)
    np.testing.assert_allclose(share, [0.5, 0.5, 0.0])
    # a word outside the vocabulary has all of it as candidates
    out = table({"a": [1.0, 0.0], "b": [0.0, 1.0], "q": [1.0, 0.1]})
    assert bias.neighbour_bias(out, ["q"], ["a", "b"], [1.0, -1.0], k=1).tolist() == [1.0]


def test_cluster_agreement_by_hand():
    emb = at_angles({"a": 0, "b": 10, "c": 20, "d": 90, "e": 100, "f": 110})
    assert bias.cluster_agreement(emb, list("abcdef"), [0, 0, 0, 1, 1, 1]) == 1.0
    assert bias.cluster_agreement(emb, list("abcdef"), ["y", "y", "y", "x", "x", "x"]) == 1.0
    assert bias.cluster_agreement(emb, list("abcdef"), [0, 1, 0, 1, 0, 1]) == pytest.approx(4 / 6)


@pytest.mark.parametrize("call, error", [
    (lambda: bias.difference_direction(PLANE, [("x1", "nope")]), KeyError),
    (lambda: bias.difference_direction(PLANE, [("x1", "y1")], method="svd"), ValueError),
    (lambda: bias.difference_direction(PLANE, [("x1", "y1", "w")]), ValueError),
    (lambda: bias.difference_direction(PLANE, []), ValueError),
    (lambda: bias.projection(PLANE, ["w"], [0.0, 0.0]), ValueError),
    (lambda: bias.projection(PLANE, ["w"], [1.0, 0.0, 0.0]), ValueError),
    (lambda: bias.projection(PLANE, [], [1.0, 0.0]), ValueError),
    (lambda: bias.weat(WEAT, ["x1"], ["y1"], ["a"], ["b"]), ValueError),
    (lambda: bias.weat(WEAT, ["x1", "x2"], ["y1"], ["a"], ["b"]), ValueError),
    (lambda: bias.weat(WEAT, ["x1", "x2"], ["y1", "y2"], ["a"], ["b"], n_permutations=0), ValueError),
    (lambda: bias.weat(WEAT, ["x1", "x2"], ["y1", "y2"], ["a"], ["b"], rng=0), ValueError),
    (lambda: bias.hard_debias(PLANE, [1.0, 0.0], neutral=["nope"]), KeyError),
    (lambda: bias.hard_debias(PLANE, [1.0, 0.0], neutral=["w"], equalize=[("x1",)]), ValueError),
    (lambda: bias.neighbour_recoverability(PLANE, ["x1", "y1", "w"], [0, 1], k=1), ValueError),
    (lambda: bias.neighbour_recoverability(PLANE, ["x1", "y1", "w"], [0, 1, 1], k=3), ValueError),
    (lambda: bias.neighbour_recoverability(PLANE, ["x1", "y1", "w"], [0, 1, 1], k=0), ValueError),
    (lambda: bias.neighbour_bias(PLANE, ["w"], ["x1", "y1"], [1.0], k=1), ValueError),
    (lambda: bias.neighbour_bias(PLANE, ["w"], ["x1", "y1"], [1.0, -1.0], k=2), ValueError),
    (lambda: bias.neighbour_bias(PLANE, ["w"], ["x1", "nope"], [1.0, -1.0], k=1), KeyError),
    (lambda: bias.cluster_agreement(PLANE, ["x1", "y1", "w"], [0, 0, 0]), ValueError),
    (lambda: bias.cluster_agreement(PLANE, ["x1", "y1", "w"], [0, 1]), ValueError),
    (lambda: bias.cluster_agreement(PLANE, ["x1", "nope"], [0, 1]), KeyError),
])
def test_bad_arguments(call, error):
    with pytest.raises(error):
        call()
