"""Tests of w2v_teach.world.family_sentences: sample sentences of one family of the planted corpus."""
import pytest

from w2v_teach.world import FAMILIES, family_sentences


def test_family_sentences_returns_n_strings_for_every_family():
    for family in FAMILIES:
        sentences = family_sentences(family, n=4, seed=2)
        assert len(sentences) == 4 and all(isinstance(s, str) and s for s in sentences)


def test_family_sentences_is_deterministic_and_depends_on_the_seed():
    assert family_sentences("gender", 5, seed=3) == family_sentences("gender", 5, seed=3)
    assert family_sentences("gender", 5, seed=3) != family_sentences("gender", 5, seed=4)


def test_family_sentences_use_the_family_words():
    countries = " ".join(family_sentences("country", 30, seed=0)).split()
    assert {"capital", "speaks", "currency", "mayor"} & set(countries)
    gender = " ".join(family_sentences("gender", 30, seed=0)).split()
    assert {"he", "she"} <= set(gender)


@pytest.mark.parametrize("bad", ["countries", "", None])
def test_family_sentences_rejects_an_unknown_family(bad):
    with pytest.raises(ValueError, match="family"):
        family_sentences(bad)


@pytest.mark.parametrize("bad", [0, -1, 1.5])
def test_family_sentences_rejects_bad_n(bad):
    with pytest.raises((ValueError, TypeError), match="n"):
        family_sentences("verb", n=bad)
