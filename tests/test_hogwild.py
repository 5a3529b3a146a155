"""Tests for w2v_teach.hogwild: slices and seeds, shared-memory training in several processes
(it learns, it uses every worker, one worker is repeatable), failures reported, bad arguments."""
from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from w2v_teach import hogwild


def test_split_ids_covers_the_corpus_in_order():
    ids = np.arange(11)
    parts = hogwild.split_ids(ids, 3)
    assert len(parts) == 3
    np.testing.assert_array_equal(np.concatenate(parts), ids)
    assert max(map(len, parts)) - min(map(len, parts)) <= 1


def test_split_ids_rejects_too_few_ids_and_bad_workers():
    with pytest.raises(ValueError, match="at least 2 ids per worker"):
        hogwild.split_ids(np.arange(3), 2)
    with pytest.raises(ValueError, match="workers"):
        hogwild.split_ids(np.arange(10), 0)


def test_worker_seeds_differ_and_repeat():
    seeds = [hogwild.worker_seed(0, r) for r in range(4)] + [hogwild.worker_seed(1, 0)]
    assert len(set(seeds)) == 5
    assert hogwild.worker_seed(3, 2) == hogwild.worker_seed(3, 2)
    assert all(0 <= s < 2**31 for s in seeds)
    with pytest.raises(ValueError, match="rank"):
        hogwild.worker_seed(0, -1)


def test_start_method_is_one_python_knows():
    assert hogwild.start_method() in ("fork", "spawn")


@pytest.mark.parametrize("workers", [1, 2])
def test_train_learns_with_every_worker(cycle_tokens, workers):
    tokens = cycle_tokens(6000, vocab=15)
    result = hogwild.train(tokens, workers=workers, dim=16, window=2, epochs=4, t=None, min_count=1, seed=3,
                           batch_size=16, shared_negatives=8, loss_every=1, lr=0.025)
    assert result.W_in.shape == (15, 16) and np.isfinite(result.W_in).all()
    assert result.info["workers"] == workers and len(result.info["workers_seconds"]) == workers
    assert all(w > 0 for w in result.info["workers_words"])
    assert result.words_trained == 4 * 6000  # no subsampling: every token of every epoch
    assert result.losses[-10:].mean() < 0.8 * result.losses[:10].mean()
    emb = result.embeddings  # neighbours in the cycle end up closer than words far apart
    assert emb.similarity("w3", "w4") > emb.similarity("w3", "w10")


def test_one_worker_is_repeatable(cycle_tokens):
    tokens = cycle_tokens(5_000)
    a, b = (hogwild.train(tokens, workers=1, dim=8, window=2, epochs=1, min_count=1, seed=3) for _ in range(2))
    np.testing.assert_array_equal(a.W_in, b.W_in)


def test_cbow_trains_and_keeps_the_padding_out(cycle_tokens):
    result = hogwild.train(cycle_tokens(5_000, vocab=15), workers=2, model="cbow", dim=8, window=2, epochs=1,
                           min_count=1, batch_size=16, shared_negatives=8)
    assert result.W_in.shape == (15, 8) and np.isfinite(result.W_out).all()


def test_a_diverging_worker_raises_floating_point_error(cycle_tokens):
    with pytest.raises(FloatingPointError, match="Hogwild worker"):
        hogwild.train(cycle_tokens(5_000), workers=2, dim=8, epochs=2, min_count=1, lr=1e30, loss_every=1)


@pytest.mark.parametrize("kwargs, match", [
    ({"workers": 0}, "workers"), ({"model": "glove"}, "model"), ({"dim": 0}, "dim"),
    ({"shared_negatives": 0}, "shared_negatives"), ({"chunk_tokens": 1}, "chunk_tokens"),
    ({"lr": -1.0}, "lr"), ({"workers": 5000}, "at least 2 ids per worker"),
])
def test_train_rejects_bad_arguments(cycle_tokens, kwargs, match):
    with pytest.raises(ValueError, match=match):
        hogwild.train(cycle_tokens(2_000), min_count=1, **kwargs)


def test_train_rejects_a_bare_string():
    with pytest.raises(ValueError, match="single str"):
        hogwild.train("the cat sat on the mat")


def test_a_loss_that_blows_up_without_overflowing_is_divergence():
    report = {"losses": [4.0, 3.0, 2.5], "batches": 3, "words": 30, "final_lr": 0.01}
    log, run = hogwild._check_run([report, dict(report, final_lr=0.02)], 1)
    assert log.array().tolist() == [4.0, 3.0, 2.5]
    assert run == {"words": 60, "batches": 6, "final_lr": 0.01}
    with pytest.raises(FloatingPointError, match="diverged.*learning rate 0.01"):
        hogwild._check_run([dict(report, losses=[4.0, 3e13])], 1)


def test_the_default_batch_is_divided_among_the_workers(cycle_tokens):
    result = hogwild.train(cycle_tokens(3_000, vocab=15), workers=2, dim=8, epochs=1, min_count=1)
    assert result.info["batch_size"] == 1024
