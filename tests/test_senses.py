"""Tests of senses: the planted ambiguous words and the occupational skew beside the world corpus."""
from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from w2v_teach import senses
from w2v_teach.world import world_corpus


@pytest.fixture(scope="module")
def corpus() -> senses.SenseCorpus:
    return senses.sense_corpus(200_000, seed=0)


def test_lengths_and_the_two_texts_differ_only_at_ambiguous_words(corpus):
    assert len(corpus.tokens) == len(corpus.oracle_tokens) == 200_000
    sense_tokens = {t for pair in corpus.senses.values() for t in pair}
    for written, split in zip(corpus.tokens, corpus.oracle_tokens):
        if written != split:
            assert written in corpus.senses and split in corpus.senses[written]
    assert set(corpus.oracle_tokens) & sense_tokens == sense_tokens
    assert not set(corpus.tokens) & sense_tokens
    assert not set(corpus.oracle_tokens) & set(corpus.senses)  # every occurrence is split


def test_sense_ratios_are_the_planted_ones(corpus):
    for word, (first, second) in corpus.sense_counts().items():
        n = first + second
        share = first / n
        planted = corpus.ratios[word]
        assert abs(share - planted) < 4 * np.sqrt(planted * (1 - planted) / n) + 1e-9, word
    assert corpus.sense_counts()["bank"] == tuple(Counter(corpus.oracle_tokens)[t]
                                                  for t in corpus.senses["bank"])


def _she_share(tokens, occupation):
    """Return the share of sentences around `occupation` with a she-word nearby (within 6 tokens)."""
    she, he = {"she", "her", "mrs", "mary", "anna", "emma", "sarah", "lucy", "alice", "helen", "kate"}, \
        {"he", "his", "mr", "john", "peter", "james", "thomas", "robert", "george", "william", "paul"}
    votes = []
    for i, tok in enumerate(tokens):
        if tok == occupation:
            window = tokens[max(0, i - 4): i + 6]
            f, m = sum(w in she for w in window), sum(w in he for w in window)
            if f != m:
                votes.append(f > m)
    return np.mean(votes)


def test_occupations_meet_she_words_at_their_planted_rates(corpus):
    rates = corpus.she_rates
    assert rates == senses.default_she_rates()
    assert rates["architect"] == 0.05 and rates["tailor"] == 0.95  # alphabetical, not stereotyped
    measured = [_she_share(corpus.tokens, occ) for occ in ["architect", "lawyer", "tailor"]]
    assert measured[0] < 0.2 and 0.3 < measured[1] < 0.7 and measured[2] > 0.8


def test_deterministic_and_seeded():
    a = senses.sense_corpus(5_000, seed=3)
    assert a.tokens == senses.sense_corpus(5_000, seed=3).tokens
    assert a.tokens != senses.sense_corpus(5_000, seed=4).tokens
    assert senses.sense_corpus(3_000, seed=3).tokens == a.tokens[:3_000]


def test_the_world_corpus_is_unchanged_and_its_sentences_are_reused():
    world = world_corpus(2_000, seed=0)
    pure = senses.sense_corpus(2_000, seed=0, ratios={}, she_rates={})
    assert pure.tokens == world.tokens == pure.oracle_tokens
    assert pure.questions == world.questions


def test_only_the_chosen_words_appear():
    c = senses.sense_corpus(20_000, seed=1, ratios={"bank": 1.0}, she_rates={"nurse": 0.5})
    assert c.senses == {"bank": ("bank_river", "bank_money")}
    assert c.sense_counts()["bank"][1] == 0
    counts = Counter(c.tokens)
    assert counts["bank"] > 0 and counts["bat"] == 0 and counts["nurse"] > 0 and counts["tailor"] == 0


@pytest.mark.parametrize("kwargs, error", [
    ({"n_tokens": 0}, ValueError),
    ({"n_tokens": 10, "seed": -1}, ValueError),
    ({"n_tokens": 10, "ratios": {"bank": 1.5}}, ValueError),
    ({"n_tokens": 10, "ratios": {"river": 0.5}}, KeyError),
    ({"n_tokens": 10, "ratios": [0.5]}, ValueError),
    ({"n_tokens": 10, "she_rates": {"astronaut": 0.5}}, KeyError),
    ({"n_tokens": 10, "sense_share": 0.7, "occupation_share": 0.5}, ValueError),
    ({"n_tokens": 10, "sense_share": -0.1}, ValueError),
])
def test_bad_arguments(kwargs, error):
    with pytest.raises(error):
        senses.sense_corpus(**kwargs)


def test_hold_out_removes_every_occurrence():
    tokens = ["we", "were", "swimming", "and", "running", "swimming"]
    assert senses.hold_out(tokens, ["swimming", "running"]) == ["we", "were", "and"]
    assert senses.hold_out(tokens, "swimming") == ["we", "were", "and", "running"]
    with pytest.raises(ValueError, match="at least one"):
        senses.hold_out(tokens, [])
    with pytest.raises(ValueError):
        senses.hold_out(tokens, [3])
