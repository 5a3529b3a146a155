"""Tests for w2v_teach.text: tokenizing, building a vocabulary, encoding and decoding."""
from __future__ import annotations

import numpy as np
import pytest

from w2v_teach.text import Vocab, tokenize


# ---- tokenize ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, tokens", [
    ("Hello, World!", ["hello", "world"]),
    ("The CAT sat.", ["the", "cat", "sat"]),
    ("In 1999, 3rd-place runners ran 10km", ["in", "1999", "3rd", "place", "runners", "ran", "10km"]),
    ("Don't stop O'Neill's band", ["don't", "stop", "o'neill's", "band"]),
    ("'quoted' words' and 'n'", ["quoted", "words", "and", "n"]),
    ("rock 'n' roll", ["rock", "n", "roll"]),
    ("snake_case and e-mail", ["snake", "case", "and", "e", "mail"]),
    ("tabs\tand\nnewlines  spaces", ["tabs", "and", "newlines", "spaces"]),
    ("Café naïve ÉCOLE", ["café", "naïve", "école"]),
    ("!!! ... ---", []),
    ("", []),
])
def test_tokenize_cases(text, tokens):
    assert tokenize(text) == tokens


def test_tokenize_rejects_non_strings():
    with pytest.raises(ValueError, match="text must be a str, got list"):
        tokenize(["not", "a", "string"])


# ---- Vocab.build ---------------------------------------------------------------------------------

def test_build_sorts_by_descending_count():
    vocab = Vocab.build("b a b c a b".split())
    assert vocab.words == ["b", "a", "c"]
    assert vocab.counts.tolist() == [3, 2, 1]
    assert vocab.counts.dtype == np.int64
    assert vocab.total == 6 and len(vocab) == 3


def test_build_breaks_ties_alphabetically():
    vocab = Vocab.build("z y x z y x w".split())
    assert vocab.words == ["x", "y", "z", "w"]


def test_build_matches_numpy_unique_on_a_random_corpus():
    rng = np.random.default_rng(0)
    tokens = [f"w{i}" for i in rng.zipf(1.5, size=3000) % 200]
    words, counts = np.unique(np.array(tokens), return_counts=True)
    order = np.lexsort((words, -counts))  # by -count, then word
    vocab = Vocab.build(tokens)
    assert vocab.words == words[order].tolist()
    assert vocab.counts.tolist() == counts[order].tolist()


def test_min_count_drops_rare_words():
    vocab = Vocab.build("a a a b b c".split(), min_count=2)
    assert vocab.words == ["a", "b"] and "c" not in vocab
    assert vocab.total == 5  # the total counts only the words kept


def test_max_size_keeps_the_most_frequent():
    vocab = Vocab.build("a a a b b c c d".split(), max_size=2)
    assert vocab.words == ["a", "b"]  # b and c tie at 2; b wins alphabetically
    assert Vocab.build("a a a b b c c d".split(), min_count=2, max_size=10).words == ["a", "b", "c"]


def test_empty_corpus_raises():
    with pytest.raises(ValueError, match="empty corpus"):
        Vocab.build([])


def test_a_single_string_is_not_a_corpus(small_vocab):
    # Iterating a str gives characters; both entry points must say "tokenize it first" instead.
    with pytest.raises(ValueError, match="single str"):
        Vocab.build("the cat sat")
    with pytest.raises(ValueError, match="single str"):
        small_vocab.encode("the cat")


def test_non_string_tokens_are_named():
    with pytest.raises(ValueError, match=r"tokens must be words \(str\), got 3 \(int\)"):
        Vocab.build(["a", 3, "a"])


def test_min_count_removing_everything_raises():
    with pytest.raises(ValueError, match="min_count=5 removes every word"):
        Vocab.build("a a b".split(), min_count=5)


@pytest.mark.parametrize("kwargs, message", [
    ({"min_count": -1}, "min_count must be >= 0, got -1"),
    ({"min_count": 1.5}, "min_count must be an integer"),
    ({"max_size": 0}, "max_size must be >= 1, got 0"),
])
def test_build_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Vocab.build("a b".split(), **kwargs)


@pytest.mark.parametrize("words, counts, message", [
    ([], [], "at least one word"),
    (["a", "b"], [3], "one entry per word"),
    (["a", "b"], [3, -1], ">= 0"),
    (["a", "b"], [1, 3], "sorted"),
    (["a", "a"], [2, 1], "'a' appears more than once"),
])
def test_constructor_rejects_inconsistent_input(words, counts, message):
    with pytest.raises(ValueError, match=message):
        Vocab(words, counts)


# ---- lookups -------------------------------------------------------------------------------------

def test_index_contains_iter_and_repr(small_vocab):
    assert small_vocab.index("the") == 0 and small_vocab.index("mat") == 5
    assert "cat" in small_vocab and "cow" not in small_vocab and 3 not in small_vocab
    assert list(small_vocab) == small_vocab.words
    assert repr(small_vocab).startswith("Vocab(6 words, 200 tokens: the, of, cat")


def test_unknown_word_message_names_it_and_suggests(small_vocab):
    with pytest.raises(KeyError) as info:
        small_vocab.index("cta")
    message = info.value.args[0]
    assert "'cta' is not in the vocabulary" in message and "did you mean 'cat'" in message


def test_unknown_word_without_close_matches_has_no_hint(small_vocab):
    with pytest.raises(KeyError) as info:
        small_vocab.index("zebra")
    assert "'zebra'" in info.value.args[0] and "did you mean" not in info.value.args[0]


def test_unhashable_lookup_is_a_key_error(small_vocab):
    with pytest.raises(KeyError, match="not in the vocabulary"):
        small_vocab.index(["cat"])


# ---- encode / decode -----------------------------------------------------------------------------

def test_encode_skips_unknown_words(small_vocab):
    ids = small_vocab.encode("the cow sat on the mat".split())
    assert ids.dtype == np.int64
    assert ids.tolist() == [0, 4, 0, 5]


def test_encode_accepts_any_iterable(small_vocab):
    assert small_vocab.encode(iter(["dog", "cat"])).tolist() == [3, 2]
    assert small_vocab.encode([]).shape == (0,)


def test_encode_error_mode_names_the_first_unknown_word(small_vocab):
    with pytest.raises(KeyError, match="'cow' is not in the vocabulary"):
        small_vocab.encode("the cow sat on".split(), oov="error")
    assert small_vocab.encode(["of", "the"], oov="error").tolist() == [1, 0]


def test_encode_rejects_an_unknown_oov_mode(small_vocab):
    with pytest.raises(ValueError, match="oov must be one of .* got 'drop'"):
        small_vocab.encode(["the"], oov="drop")


def test_decode_inverts_encode(small_vocab):
    tokens = "the dog sat on the mat".split()
    kept = [w for w in tokens if w in small_vocab]
    assert small_vocab.decode(small_vocab.encode(tokens)) == kept
    assert small_vocab.decode(np.array([[0, 1], [2, 3]])) == ["the", "of", "cat", "dog"]
    assert small_vocab.decode([]) == []


@pytest.mark.parametrize("ids, message", [
    ([0, 6], "id 6 is outside the vocabulary range \\[0, 6\\)"),
    ([-1], "id -1 is outside"),
    ([0.0, 1.0], "ids must be integers"),
])
def test_decode_rejects_bad_ids(small_vocab, ids, message):
    with pytest.raises(ValueError, match=message):
        small_vocab.decode(ids)
