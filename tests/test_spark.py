"""Tests for w2v_teach.spark: what is missing is said in words; with pyspark and Java, MLlib's
Word2Vec trains on our tokens and comes back as Embeddings in our vocabulary's order."""
from __future__ import annotations

import os

import numpy as np
import pytest

from w2v_teach import spark


def test_missing_is_none_or_a_sentence():
    why = spark.missing()
    assert why is None or (why.startswith("Spark cannot run here") and why.endswith("."))


def test_missing_names_java_when_there_is_none(monkeypatch):
    monkeypatch.setattr(spark.shutil, "which", lambda name: None)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    assert "Java runtime" in spark.missing()
    with pytest.raises(RuntimeError, match="Java runtime"):
        spark.session()


def test_sentences_of_cuts_and_checks():
    assert spark.sentences_of(list("abcde"), 2) == [["a", "b"], ["c", "d"], ["e"]]
    with pytest.raises(ValueError, match="length"):
        spark.sentences_of(["a"], 0)
    with pytest.raises(ValueError, match="single str"):
        spark.sentences_of("abc")


def test_train_rejects_bad_arguments_before_starting_spark():
    for kwargs, match in [({"dim": 0}, "dim"), ({"num_partitions": 0}, "num_partitions"), ({"lr": 0.0}, "lr"),
                          ({"epochs": 0}, "epochs"), ({"min_count": 0}, "min_count")]:
        with pytest.raises(ValueError, match=match):
            spark.train(["a", "b", "a", "b"], **kwargs)


@pytest.fixture(scope="module")
def spark_ready():
    why = spark.missing()
    if why is not None:
        if os.environ.get("W2V_TEACH_REQUIRE_SPARK"):  # set by .ci/run after installing the extra
            pytest.fail(why)
        pytest.skip(why)
    yield
    spark.stop()


@pytest.mark.slow
def test_mllib_word2vec_learns_the_cycle(spark_ready, cycle_tokens):
    tokens = cycle_tokens(20_000, vocab=15)
    result = spark.train(tokens, dim=16, window=2, epochs=2, min_count=1, num_partitions=2, lr=0.025)
    emb = result.embeddings
    assert list(emb.index_to_key) == list(result.vocab.words) and result.W_in.shape == (15, 16)
    assert np.isfinite(result.W_in).all() and result.info["num_partitions"] == 2
    assert result.words_trained == 2 * 20_000 and result.seconds > 0
    assert emb.similarity("w3", "w4") > emb.similarity("w3", "w10")
