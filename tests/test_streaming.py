"""Tests for w2v_teach.streaming: shards written and read back exactly, restartable passes that
gensim accepts, an unfinished folder refused, streamed training that learns, bad arguments."""
from __future__ import annotations

import numpy as np
import pytest

from w2v_teach import streaming
from w2v_teach.text import Vocab


def test_shards_round_trip_the_tokens(tmp_path, cycle_tokens):
    tokens = cycle_tokens(2_500)
    corpus = streaming.write_shards(iter(tokens), tmp_path, shard_tokens=1_000, line_tokens=300)
    assert len(corpus) == 3 and corpus.shard_tokens == [1_000, 1_000, 500] and corpus.n_tokens == 2_500
    assert list(corpus.tokens()) == tokens
    assert corpus.shard(1) == tokens[1_000:2_000]
    assert max(len(s) for s in corpus) == 300
    assert list(corpus.tokens(start=2)) == tokens[2_000:]
    assert "3 shards" in repr(corpus)


def test_every_pass_starts_again(tmp_path, cycle_tokens):
    corpus = streaming.write_shards(cycle_tokens(1_200), tmp_path, shard_tokens=500)
    first, second = sum(len(s) for s in corpus), sum(len(s) for s in corpus)
    assert first == second == 1_200


def test_vocabulary_pass_equals_the_in_memory_vocabulary(tmp_path, cycle_tokens):
    tokens = cycle_tokens(3_000)
    corpus = streaming.write_shards(tokens, tmp_path, shard_tokens=700)
    streamed, direct = corpus.build_vocab(min_count=2), Vocab.build(tokens, min_count=2)
    assert streamed.words == direct.words
    np.testing.assert_array_equal(streamed.counts, direct.counts)


def test_gensim_trains_on_the_stream(tmp_path, cycle_tokens):
    gensim = pytest.importorskip("gensim")
    corpus = streaming.write_shards(cycle_tokens(3_000), tmp_path, shard_tokens=1_000)
    model = gensim.models.Word2Vec(sentences=corpus, vector_size=8, min_count=1, epochs=2, workers=1, seed=0)
    assert len(model.wv) == 12 and model.corpus_total_words == 3_000


def test_unfinished_or_missing_corpus_is_refused(tmp_path, cycle_tokens):
    with pytest.raises(FileNotFoundError, match="no finished sharded corpus"):
        streaming.ShardedCorpus(tmp_path)
    corpus = streaming.write_shards(cycle_tokens(1_000), tmp_path / "c", shard_tokens=400)
    (corpus.folder / corpus.names[1]).unlink()
    with pytest.raises(FileNotFoundError, match="lacks shard"):
        streaming.ShardedCorpus(corpus.folder)


@pytest.mark.parametrize("tokens, match", [("a b c", "single str"), ([], "empty"), (["a", "b c"], "whitespace"),
                                           (["a", 3], "non-empty words")])
def test_write_shards_rejects_bad_tokens(tmp_path, tokens, match):
    with pytest.raises(ValueError, match=match):
        streaming.write_shards(tokens, tmp_path)


def test_write_shards_and_shard_reject_bad_numbers(tmp_path, cycle_tokens):
    with pytest.raises(ValueError, match="shard_tokens"):
        streaming.write_shards(["a"], tmp_path, shard_tokens=0)
    with pytest.raises(ValueError, match="line_tokens"):
        streaming.write_shards(["a"], tmp_path, line_tokens=0)
    corpus = streaming.write_shards(cycle_tokens(100), tmp_path)
    with pytest.raises(ValueError, match="shard must be below 1"):
        corpus.shard(1)


def test_streamed_training_learns(tmp_path, cycle_tokens):
    torch = pytest.importorskip("torch")
    old = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny batches: one thread is fastest (and two crawl on a loaded machine)
    try:
        _learns(tmp_path, cycle_tokens)
    finally:
        torch.set_num_threads(old)


def _learns(tmp_path, cycle_tokens):
    """Train on a streamed cycle corpus and check that it learned the cycle."""
    corpus = streaming.write_shards(cycle_tokens(6000, vocab=15), tmp_path, shard_tokens=1_500)
    result = streaming.train(corpus, dim=16, window=2, epochs=4, t=None, min_count=1, seed=3, batch_size=64,
                             shared_negatives=8, loss_every=1, lr=0.025)
    assert result.info["passes"] == 5 and result.info["shards"] == 4
    assert result.words_trained == 24_000
    assert result.losses[-10:].mean() < 0.8 * result.losses[:10].mean()
    emb = result.embeddings
    assert emb.similarity("w3", "w4") > emb.similarity("w3", "w10")


def test_streamed_training_rejects_bad_arguments(tmp_path, cycle_tokens):
    pytest.importorskip("torch")
    with pytest.raises(ValueError, match="ShardedCorpus"):
        streaming.train(["a", "b"])
    corpus = streaming.write_shards(cycle_tokens(500), tmp_path)
    for kwargs, match in [({"dim": 0}, "dim"), ({"model": "x"}, "model"), ({"shared_negatives": 0}, "shared"),
                          ({"min_count": 10_000}, "min_count")]:
        with pytest.raises(ValueError, match=match):
            streaming.train(corpus, **kwargs)
