"""Tests for w2v_teach.sampling: keep probabilities, subsampling, noise, negative draws."""
from __future__ import annotations

import math

import numpy as np
import pytest

from w2v_teach import sampling

COUNTS = np.array([96, 48, 24, 16, 10, 6])  # total 200: f = .48, .24, .12, .08, .05, .03
FREQS = [0.48, 0.24, 0.12, 0.08, 0.05, 0.03]


# ---- keep_probability -------------------------------------------------------------------------

def test_c_tool_formula_matches_hand_computation():
    t = 0.02
    expected = [min(1.0, math.sqrt(t / f) + t / f) for f in FREQS]
    got = sampling.keep_probability(COUNTS, t=t)  # "c_tool" is the default
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    assert got.dtype == np.float64 and got.shape == (6,)
    # words with f = .05, .03 < 2.618 t are clipped to 1, the others are thinned
    assert (got[-2:] == 1.0).all() and (got[:-2] < 1.0).all()


def test_paper_formula_is_one_minus_the_discard_probability():
    t = 0.02
    discard = [max(0.0, 1 - math.sqrt(t / f)) for f in FREQS]
    got = sampling.keep_probability(COUNTS, t=t, formula="paper")
    np.testing.assert_allclose(got, [1 - p for p in discard], rtol=1e-12)


def test_paper_formula_keeps_less_than_the_c_tool():
    t = 1e-3
    counts = np.array([5000, 900, 80, 7, 1])
    paper = sampling.keep_probability(counts, t, formula="paper")
    c_tool = sampling.keep_probability(counts, t, formula="c_tool")
    assert (paper <= c_tool).all() and (paper < c_tool).any()


def test_levy2015_form_is_algebraically_the_c_formula():
    counts = np.array([123456, 5000, 900, 80, 7, 1])
    for t in (1e-5, 1e-4, 1e-3, 0.05):
        np.testing.assert_allclose(sampling.keep_probability(counts, t, formula="levy2015"),
                                   sampling.keep_probability(counts, t, formula="c_tool"),
                                   rtol=1e-12)


def test_c_tool_threshold_is_golden_ratio_times_t():
    # sqrt(x) + x = 1 at x = t/f = (3 - sqrt 5)/2, i.e. words with f below about 2.618 t are kept
    t = 1e-3
    edge = t * (3 + math.sqrt(5)) / 2
    counts = np.array([edge * 0.99, edge * 1.01, 1 - 2.0 * edge]) * 1e6
    keep = sampling.keep_probability(counts, t)
    assert keep[0] == 1.0 and keep[1] < 1.0


def test_unseen_word_has_keep_probability_one():
    keep = sampling.keep_probability(np.array([50, 0, 50]), t=0.1, formula="paper")
    assert keep[1] == 1.0
    assert np.isfinite(keep).all()


@pytest.mark.parametrize("t", [0, -1e-4, float("nan"), float("inf")])
def test_keep_probability_rejects_bad_t(t):
    with pytest.raises(ValueError, match="^t must"):
        sampling.keep_probability(COUNTS, t=t)


@pytest.mark.parametrize("counts, message", [
    (np.array([3, -1, 2]), "counts must be >= 0"),
    (np.array([[1, 2], [3, 4]]), "1-D"),
    (np.array([]), "1-D"),
    (np.array([0, 0, 0]), "all zero"),
    (np.array([1.0, np.nan]), "finite"),
    (np.array(["a", "b"]), "dtype"),
])
def test_keep_probability_rejects_bad_counts(counts, message):
    with pytest.raises(ValueError, match=message):
        sampling.keep_probability(counts, t=1e-3)


def test_keep_probability_rejects_unknown_formula():
    with pytest.raises(ValueError, match="formula.*'nope'"):
        sampling.keep_probability(COUNTS, formula="nope")


def test_c_tool_formula_matches_gensim():
    gensim = pytest.importorskip("gensim")
    words = [f"w{i}" for i in range(len(COUNTS))]
    sentence = [w for w, c in zip(words, COUNTS) for _ in range(c)]
    model = gensim.models.Word2Vec(vector_size=4, min_count=1, sample=0.02, workers=1)
    model.build_vocab([sentence])
    theirs = [model.wv.get_vecattr(w, "sample_int") / (2**32 - 1) for w in words]
    np.testing.assert_allclose(sampling.keep_probability(COUNTS, t=0.02), theirs, atol=1e-8)


# ---- subsample -----------------------------------------------------------------------------------

def test_subsample_uses_one_uniform_draw_per_token(small_ids):
    t = 0.02
    kept = sampling.subsample(small_ids, COUNTS, t, np.random.default_rng(3))
    u = np.random.default_rng(3).random(len(small_ids))
    keep = [min(1.0, math.sqrt(t / f) + t / f) for f in FREQS]
    expected = [w for w, x in zip(small_ids.tolist(), u) if x < keep[w]]  # loop gold
    assert kept.dtype == np.int64
    assert kept.tolist() == expected


def test_subsample_frequencies_converge_to_keep_probabilities(rng):
    # 40,000 copies of each word: the kept fraction has a standard deviation <= 0.0025, the
    # tolerance is 6 of them; the seed is fixed, so the test is deterministic anyway.
    per_word = 40_000
    ids = np.repeat(np.arange(6), per_word)
    for formula in ("c_tool", "paper"):
        kept = sampling.subsample(ids, COUNTS, 0.02, rng, formula=formula)
        fraction = np.bincount(kept, minlength=6) / per_word
        np.testing.assert_allclose(fraction, sampling.keep_probability(COUNTS, 0.02, formula),
                                   atol=0.015)


def test_subsample_without_t_returns_a_copy(small_ids, rng):
    kept = sampling.subsample(small_ids, COUNTS, None, rng)
    np.testing.assert_array_equal(kept, small_ids)
    assert kept is not small_ids


def test_subsample_empty_ids(rng):
    kept = sampling.subsample(np.array([], dtype=np.int64), COUNTS, 1e-3, rng)
    assert kept.shape == (0,) and kept.dtype == np.int64


@pytest.mark.parametrize("ids, t, rng_arg, message", [
    ([0, 6], 1e-3, "gen", "ids contains id 6"),
    ([0, -1], 1e-3, "gen", "ids contains id -1"),
    ([[0, 1]], 1e-3, "gen", "ids must be 1-dimensional"),
    ([0, 1], 0.0, "gen", "^t must be > 0"),
    ([0, 1], 1e-3, 42, "rng must be a numpy.random.Generator"),
])
def test_subsample_rejects_bad_input(ids, t, rng_arg, message):
    gen = np.random.default_rng(0) if rng_arg == "gen" else rng_arg
    with pytest.raises(ValueError, match=message):
        sampling.subsample(ids, COUNTS, t, gen)


# ---- noise_distribution --------------------------------------------------------------------------

def test_noise_is_counts_to_the_three_quarters_normalised():
    noise = sampling.noise_distribution(COUNTS)
    raw = [c ** 0.75 for c in COUNTS.tolist()]
    np.testing.assert_allclose(noise, [r / sum(raw) for r in raw], rtol=1e-12)
    assert noise.dtype == np.float64
    assert math.isclose(noise.sum(), 1.0, rel_tol=1e-12)


def test_noise_power_one_is_unigram_and_zero_is_uniform_over_seen_words():
    counts = np.array([6, 3, 0, 1])
    np.testing.assert_allclose(sampling.noise_distribution(counts, 1.0), [0.6, 0.3, 0.0, 0.1])
    np.testing.assert_allclose(sampling.noise_distribution(counts, 0.0), [1 / 3, 1 / 3, 0, 1 / 3])


def test_noise_flattens_the_unigram_distribution():
    unigram = sampling.noise_distribution(COUNTS, 1.0)
    noise = sampling.noise_distribution(COUNTS)
    assert noise[0] < unigram[0] and noise[-1] > unigram[-1]


@pytest.mark.parametrize("counts, power, message", [
    (COUNTS, float("nan"), "power must be finite"),
    (COUNTS, float("inf"), "power must be finite"),
    (COUNTS, "0.75", "power must be a number"),
    (np.zeros(3), 0.75, "all zero"),
    (np.array([2, -2]), 0.75, "counts must be >= 0"),
])
def test_noise_rejects_bad_input(counts, power, message):
    with pytest.raises(ValueError, match=message):
        sampling.noise_distribution(counts, power)


# ---- draw_negatives ------------------------------------------------------------------------------

def test_negatives_have_the_requested_shape_and_dtype(rng):
    noise = sampling.noise_distribution(COUNTS)
    assert sampling.draw_negatives(noise, 7, rng).shape == (7,)
    out = sampling.draw_negatives(noise, (4, 5), rng)
    assert out.shape == (4, 5) and out.dtype == np.int64
    assert sampling.draw_negatives(noise, (0, 5), rng).shape == (0, 5)


def test_negatives_equal_numpy_choice_with_the_same_seed():
    # Generator.choice(p=...) is also inverse-CDF sampling of one uniform per draw
    noise = sampling.noise_distribution(np.array([96, 48, 0, 24, 16, 10, 6, 3]))
    ours = sampling.draw_negatives(noise, (500, 5), np.random.default_rng(11))
    theirs = np.random.default_rng(11).choice(len(noise), size=(500, 5), p=noise)
    np.testing.assert_array_equal(ours, theirs)


def test_negatives_empirical_frequencies_match_the_noise(rng):
    # 10^6 draws: each frequency has a standard deviation <= 5e-4; tolerance 3e-3, fixed seed
    counts = np.array([96, 48, 0, 24, 16, 10, 6, 3, 0])
    noise = sampling.noise_distribution(counts)
    draws = sampling.draw_negatives(noise, 1_000_000, rng)
    freq = np.bincount(draws, minlength=len(noise)) / draws.size
    np.testing.assert_allclose(freq, noise, atol=3e-3)
    assert freq[2] == 0 and freq[-1] == 0  # words of probability 0 are never drawn


def test_last_bin_is_guarded_against_rounding():
    noise = np.full(10, 0.1)  # its cumulative sum ends at 0.9999999999999999, not 1
    assert np.cumsum(noise)[-1] < 1.0
    sampler = sampling.NegativeSampler(noise)
    assert sampler.cdf[-1] == 1.0
    largest_u = np.nextafter(1.0, 0.0)  # the largest value rng.random() can return
    assert np.searchsorted(sampler.cdf, largest_u, side="right") == 9


def test_sampler_reuses_its_table_and_matches_draw_negatives():
    noise = sampling.noise_distribution(COUNTS)
    sampler = sampling.NegativeSampler(noise)
    a = sampler.draw((3, 4), np.random.default_rng(5))
    b = sampling.draw_negatives(noise, (3, 4), np.random.default_rng(5))
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("noise, message", [
    (np.array([0.5, 0.4]), "sum to 1, got a sum of 0.9"),
    (np.array([0.7, 0.7, -0.4]), ">= 0, got -0.4"),
    (np.array([0.5, np.nan]), "nan"),
    (np.array([[0.5, 0.5]]), "1-D"),
    (np.array([]), "1-D"),
])
def test_draw_negatives_rejects_bad_noise(noise, message, rng):
    with pytest.raises(ValueError, match=message):
        sampling.draw_negatives(noise, 3, rng)


@pytest.mark.parametrize("shape", [-1, (2, -3), 2.5, "ab", (2, None), True])
def test_draw_negatives_rejects_bad_shape(shape, rng):
    with pytest.raises(ValueError, match="shape"):
        sampling.draw_negatives(np.array([0.5, 0.5]), shape, rng)


def test_draw_negatives_needs_a_generator():
    with pytest.raises(ValueError, match="rng"):
        sampling.draw_negatives(np.array([0.5, 0.5]), 3, 0)
