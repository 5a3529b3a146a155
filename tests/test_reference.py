"""reference.train_gensim: gensim under the book's names, returning the book's TrainResult."""
from __future__ import annotations

import numpy as np
import pytest

from w2v_teach.datasets import world_corpus
from w2v_teach.reference import train_gensim

gensim_models = pytest.importorskip("gensim.models")


@pytest.fixture(scope="module")
def tokens():
    return world_corpus(60_000, seed=0).tokens


def test_same_vectors_as_gensim_called_by_hand(tokens):
    ours = train_gensim(tokens, dim=16, window=3, negatives=4, epochs=2, lr=0.03, t=1e-3, min_count=3, seed=5)
    chunks = [tokens[i:i + 10_000] for i in range(0, len(tokens), 10_000)]
    theirs = gensim_models.Word2Vec(chunks, sg=1, hs=0, negative=4, vector_size=16, window=3, alpha=0.03,
                                    sample=1e-3, min_count=3, workers=1, seed=5, epochs=2)
    assert ours.embeddings.words == list(theirs.wv.index_to_key)
    np.testing.assert_array_equal(ours.W_in, theirs.wv.vectors)
    np.testing.assert_array_equal(ours.W_out, theirs.syn1neg)
    np.testing.assert_array_equal(ours.embeddings.vectors, theirs.wv.vectors)
    assert ours.embeddings.counts.tolist() == [theirs.wv.get_vecattr(w, "count") for w in ours.embeddings.words]
    assert ours.info["gensim_model"].wv.vector_size == 16 and ours.words_per_second > 0


def test_long_text_is_fed_in_chunks_so_nothing_is_cut(tokens):
    # One 60,000-token "sentence" would lose all but its first 10,000 tokens inside gensim.
    result = train_gensim(tokens, dim=8, epochs=1, t=None, min_count=1)
    assert result.vocab.total == len(tokens)
    assert result.words_trained == len(tokens)  # no subsampling: every token is a training word


def test_cbow_and_hierarchical_softmax(tokens):
    cbow = train_gensim(tokens, model="cbow", dim=8, epochs=1, hs=True)
    model = cbow.info["gensim_model"]
    assert model.sg == 0 and model.hs == 1 and model.negative == 0 and model.alpha == 0.05
    np.testing.assert_array_equal(cbow.W_out, model.syn1)


def test_a_bare_string_is_refused():
    with pytest.raises(ValueError, match="tokenize"):
        train_gensim("the cat sat")


def test_ns_exponent_reaches_gensim_and_is_checked(tokens):
    model = train_gensim(tokens, dim=8, epochs=1, ns_exponent=0.0).info["gensim_model"]
    assert model.ns_exponent == 0.0
    noise = np.diff(model.cum_table, prepend=0) / model.cum_table[-1]
    np.testing.assert_allclose(noise, 1 / len(noise), rtol=1e-4)  # uniform noise words
    with pytest.raises(ValueError, match="ns_exponent"):
        train_gensim(tokens, dim=8, epochs=1, ns_exponent=-0.5)

def test_corpus_file_mode_reads_the_same_text_from_a_file(tokens, tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", None)
    listed = train_gensim(tokens, dim=8, epochs=1, t=None, min_count=3)
    filed = train_gensim(tokens, dim=8, epochs=1, t=None, min_count=3, corpus_file=True)
    assert filed.info["corpus_file"] and not listed.info["corpus_file"]
    assert filed.embeddings.words == listed.embeddings.words  # the same vocabulary and counts
    assert filed.embeddings.counts.tolist() == listed.embeddings.counts.tolist()
    # t=None: every word trains (with long lines gensim's file reader trained about half of them)
    assert filed.words_trained == listed.words_trained == listed.vocab.total
    two = train_gensim(tokens, dim=8, epochs=1, t=None, min_count=3, corpus_file=True, workers=2)
    assert abs(two.words_trained / listed.vocab.total - 1) < 0.05  # each worker its own part
    assert not list(tmp_path.iterdir())  # the temporary corpus file is removed


def test_corpus_file_must_be_a_bool(tokens):
    with pytest.raises(TypeError, match="corpus_file"):
        train_gensim(tokens, corpus_file="yes")
