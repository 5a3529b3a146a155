"""Tests for w2v_teach.training (shared trainer utilities) and w2v_teach._checks."""
from __future__ import annotations

import numpy as np
import pytest

from w2v_teach import _checks, training
from w2v_teach.text import Vocab
from w2v_teach.training import check_finite_loss, check_hyperparameters, linear_lr

GOOD = dict(dim=10, window=5, negatives=5, epochs=3, lr=0.025, t=1e-4, min_count=1, batch_size=256)


# ---- check_hyperparameters -----------------------------------------------------------------------

def test_good_hyperparameters_pass_through_cleaned():
    clean = check_hyperparameters(**{**GOOD, "dim": np.int64(10), "lr": 1})
    assert vars(clean) == {**GOOD, "lr": 1.0}
    assert type(clean.dim) is int and type(clean.lr) is float


def test_none_and_unknown_names_pass_through():
    clean = check_hyperparameters(t=None, max_size=None, seed=3, method="add")
    assert vars(clean) == {"t": None, "max_size": None, "seed": 3, "method": "add"}


def test_min_count_zero_is_allowed():
    assert check_hyperparameters(min_count=0).min_count == 0


@pytest.mark.parametrize("name, value, message", [
    ("negatives", 0, "negatives must be >= 1, got 0"),
    ("dim", 0, "dim must be >= 1, got 0"),
    ("dim", 10.0, "dim must be an integer, got 10.0"),
    ("dim", "10", "dim must be an integer"),
    ("dim", True, "dim must be an integer, got True"),
    ("lr", 0.0, "lr must be > 0.0, got 0.0"),
    ("lr", -0.1, "lr must be > 0.0"),
    ("lr", float("nan"), "lr must be finite"),
    ("epochs", 0, "epochs must be >= 1, got 0"),
    ("window", 0, "window must be >= 1, got 0"),
    ("min_count", -1, "min_count must be >= 0, got -1"),
    ("t", 0.0, "t must be > 0.0, got 0.0"),
    ("t", -1e-4, "t must be > 0.0"),
    ("batch_size", 0, "batch_size must be >= 1"),
])
def test_bad_hyperparameter_is_named(name, value, message):
    with pytest.raises(ValueError, match=f"^{message}"):
        check_hyperparameters(**{**GOOD, name: value})


# ---- linear_lr -----------------------------------------------------------------------------------

@pytest.mark.parametrize("progress, expected", [(0.0, 0.025), (0.25, 0.01875), (0.5, 0.0125),
                                                (0.9, 0.0025), (1.0, 0.025e-4), (1.5, 0.025e-4)])
def test_linear_lr_decays_to_a_floor(progress, expected):
    assert linear_lr(0.025, progress) == pytest.approx(expected, rel=1e-12)


def test_linear_lr_is_non_increasing_and_custom_floor():
    rates = [linear_lr(1.0, p) for p in np.linspace(0, 1, 101)]
    assert all(a >= b for a, b in zip(rates, rates[1:]))
    assert linear_lr(1.0, 0.99, min_fraction=0.1) == pytest.approx(0.1)


# ---- check_finite_loss ---------------------------------------------------------------------------

def test_finite_loss_is_returned_as_float():
    out = check_finite_loss(np.float32(0.5), step=3, lr=0.1)
    assert out == 0.5 and type(out) is float


@pytest.mark.parametrize("loss", [float("nan"), float("inf"), -np.inf])
def test_non_finite_loss_raises_with_step_and_hint(loss):
    with pytest.raises(FloatingPointError, match=r"at step 1234 \(learning rate 2\.5\).*smaller lr"):
        check_finite_loss(loss, step=1234, lr=2.5)


# ---- _checks -------------------------------------------------------------------------------------

def test_check_int():
    assert _checks.check_int("n", np.int32(4), 1) == 4
    with pytest.raises(ValueError, match="n must be >= 1, got 0"):
        _checks.check_int("n", 0, 1)
    with pytest.raises(ValueError, match="n must be an integer, got False"):
        _checks.check_int("n", False)


def test_check_float():
    assert _checks.check_float("x", 0, 0.0, strict=False) == 0.0
    assert _checks.check_float("x", np.float32(0.5), 0.0, maximum=1.0) == 0.5
    with pytest.raises(ValueError, match="x must be > 0.0, got 0.0"):
        _checks.check_float("x", 0, 0.0)
    with pytest.raises(ValueError, match="x must be >= 0.0, got -1.0"):
        _checks.check_float("x", -1, 0.0, strict=False)
    with pytest.raises(ValueError, match="x must be <= 1.0, got 2.0"):
        _checks.check_float("x", 2, maximum=1.0)
    with pytest.raises(ValueError, match="x must be a number, got None"):
        _checks.check_float("x", None)


def test_check_ids():
    out = _checks.check_ids("ids", np.array([0, 2], dtype=np.int32), 3)
    assert out.dtype == np.int64 and out.tolist() == [0, 2]
    assert _checks.check_ids("c", [[0, -1]], 3, ndim=2, allow_padding=True).shape == (1, 2)
    with pytest.raises(ValueError, match=r"ids contains id 3, outside the vocabulary range \[0, 3\)$"):
        _checks.check_ids("ids", [0, 3], 3)
    with pytest.raises(ValueError, match="or -1 for padding"):
        _checks.check_ids("c", [-2], 3, allow_padding=True)
    with pytest.raises(ValueError, match="ids must be 1-dimensional"):
        _checks.check_ids("ids", [[0]], 3, ndim=1)
    with pytest.raises(ValueError, match="integer word ids, got dtype float64"):
        _checks.check_ids("ids", [0.0], 3)


def test_check_matrix():
    m = np.zeros((2, 3))
    assert _checks.check_matrix("W", m, rows=2, cols=3) is m
    bad = m.copy()
    bad[1, 2] = np.nan
    with pytest.raises(ValueError, match="W contains a non-finite value nan at row 1"):
        _checks.check_matrix("W", bad)
    assert _checks.check_matrix("W", bad, finite=False) is bad
    for arr, kwargs, message in [(np.zeros(3), {}, "2-D"), (np.zeros((2, 3), int), {}, "floating"),
                                 (m, {"rows": 3}, "3 rows"), (m, {"cols": 2}, "2 columns")]:
        with pytest.raises(ValueError, match=message):
            _checks.check_matrix("W", arr, **kwargs)


def test_check_choice():
    assert _checks.check_choice("method", "add", {"add", "mul"}) == "add"
    with pytest.raises(ValueError, match=r"method must be one of \['add', 'mul'\], got 'sub'"):
        _checks.check_choice("method", "sub", {"add", "mul"})


def test_vectors_to_keep_picks_a_matrix_and_the_embeddings_copy_it():
    W_in, W_out = np.ones((3, 2)), np.full((3, 2), 3.0)
    np.testing.assert_array_equal(training.vectors_to_keep(W_in, W_out, "in"), W_in)
    np.testing.assert_array_equal(training.vectors_to_keep(W_in, W_out, "out"), W_out)
    np.testing.assert_array_equal(training.vectors_to_keep(W_in, W_out, "avg"), np.full((3, 2), 2.0))
    with pytest.raises(ValueError, match="keep must be one of"):
        training.vectors_to_keep(W_in, W_out, "sum")
    result = training.make_result(Vocab(["a", "b", "c"], [3, 2, 1]), W_in, W_out, [], 6, 1.0)
    W_in[0, 0] = 99.0  # the trainer's matrix changes later: the embeddings keep their own copy
    assert result.embeddings.vectors[0, 0] == 1.0


def test_make_result_counts_words_per_second():
    vocab = Vocab(["a", "b", "c"], [3, 2, 1])
    W = np.arange(6.0).reshape(3, 2)
    result = training.make_result(vocab, W, W * 2, [1.0, 0.5], words=300, seconds=2.0, keep="out")
    assert result.words_per_second == 150.0
    assert result.embeddings.words == ["a", "b", "c"]
    np.testing.assert_array_equal(result.embeddings.vectors, W * 2)
    assert result.losses.tolist() == [1.0, 0.5] and result.info["keep"] == "out"


# (every trainer names every bad argument: tests/test_trainers.py)


# -- the scaffold: corpus, initialisation, loss log, progress bar -----------------------------------
def test_prepare_corpus_drops_rare_words_and_names_a_corpus_too_small():
    vocab, ids = training.prepare_corpus("a b a c a b d".split(), min_count=2)
    assert vocab.words == ["a", "b"] and ids.tolist() == [0, 1, 0, 0, 1]
    with pytest.raises(ValueError, match=r"too small to train on: 3 tokens and 1 word\(s\) .*min_count=3"):
        training.prepare_corpus("a b a c a".split(), min_count=3)
    with pytest.raises(ValueError, match="single str"):
        training.prepare_corpus("a b a", min_count=1)
    with pytest.raises(ValueError, match="empty"):
        training.prepare_corpus(iter([]), min_count=1)


@pytest.mark.parametrize("half_width", [0.5, 1.0])
def test_init_matrices_spans_the_range_and_zeroes_w_out(half_width):
    W_in, W_out = training.init_matrices(500, 10, np.random.default_rng(0), half_width=half_width)
    assert W_in.dtype == W_out.dtype == np.float32 and not W_out.any()
    assert W_in.min() >= -half_width / 10 and W_in.max() < half_width / 10
    assert W_in.min() < -0.9 * half_width / 10 and W_in.max() > 0.9 * half_width / 10


def test_loss_log_samples_every_kth_batch_and_catches_divergence():
    log = training.LossLog(3, hint=", or a smaller batch")
    for batch in range(7):
        if log.due(batch):
            log.record(float(batch), batch, 0.1)
    assert log.array().tolist() == [0.0, 3.0, 6.0]
    with pytest.raises(FloatingPointError, match=r"became nan at step 9 \(learning rate 0.05\).*smaller lr, or a smaller batch"):
        log.record(float("nan"), 9, 0.05)
    with pytest.raises(ValueError, match="loss_every must be >= 1"):
        training.LossLog(0)


def test_progress_bar_is_optional_and_always_closed(capsys):
    with training.progress_bar(False, 10, "quiet", "step") as bar:
        bar.update(5)
    assert capsys.readouterr().err == ""
    with pytest.raises(RuntimeError), training.progress_bar(True, 10, "loud", "step") as bar:
        bar.update(5)
        raise RuntimeError("stop")
    assert "loud" in capsys.readouterr().err
    with pytest.raises(ValueError, match="progress must be True or False"):
        with training.progress_bar("yes", 10, "x", "step"):
            pass


# -- the one epoch loop, the defaults and the ending -----------------------------------------------
class _Bar:
    def __init__(self):
        self.epochs, self.postfix = 0, None

    def update(self, n=1):
        self.epochs += n

    def set_postfix(self, **kwargs):
        self.postfix = kwargs


def test_run_epochs_steps_through_batches_with_the_schedule_and_logs_every_kth():
    seen = []

    def examples(epoch):
        if epoch == 1:
            return None  # an epoch with too little text is skipped
        n = 5
        return np.arange(n) + 10 * epoch, np.arange(n), 7

    def step(inputs, targets, lr, want):
        seen.append((inputs.tolist(), lr, want))
        return float(len(targets)) if want else None

    log, bar = training.LossLog(2), _Bar()
    run = training.run_epochs(3, examples, step, 2, training.words_schedule(1.0, 3), log, bar, lr0=1.0)
    assert run == {"words": 14, "examples": 10, "batches": 6, "final_lr": training.linear_lr(1.0, (2 + 4 / 5) / 3)}
    assert [s[0] for s in seen] == [[0, 1], [2, 3], [4], [20, 21], [22, 23], [24]]
    assert [s[1] for s in seen][:3] == [1.0, training.linear_lr(1.0, 2 / 15), training.linear_lr(1.0, 4 / 15)]
    assert [s[2] for s in seen] == [True, False, True, False, True, False] and log.values == [2.0, 1.0, 2.0]
    assert bar.epochs == 2 and bar.postfix == {"loss": "2.000"}


def test_model_hyperparameters_fill_the_models_defaults():
    hp = training.model_hyperparameters("cbow", lr=None, batch_size=None, dim=3)
    assert (hp.model, hp.lr, hp.batch_size, hp.dim) == ("cbow", 0.05, 256, 3)
    hp = training.model_hyperparameters("skipgram", lr=0.1, batch_size=None, default_batch={"skipgram": 7})
    assert (hp.lr, hp.batch_size) == (0.1, 7)
    with pytest.raises(ValueError, match="model must be one of"):
        training.model_hyperparameters("glove", lr=None, batch_size=None)


def test_finish_raises_on_non_finite_tables_with_the_last_step_and_rate():
    vocab, _ = training.prepare_corpus("a b a b".split(), min_count=1)
    W = np.zeros((2, 3))
    run = {"words": 4, "batches": 9, "final_lr": 0.25}
    result = training.finish(vocab, W, W, training.LossLog(1), dict(run), 2.0, info={"model": "x"})
    assert result.info == {"model": "x", "batches": 9, "final_lr": 0.25, "keep": "in"} and result.words_trained == 4
    with pytest.raises(FloatingPointError, match=r"at step 9 \(learning rate 0.25\).*smaller lr, or less"):
        training.finish(vocab, W, W + np.nan, training.LossLog(1, hint=", or less"), run, 2.0)


def test_text_examples_cut_pairs_or_windows_of_the_subsampled_text():
    from types import SimpleNamespace

    ids, counts = np.array([0, 1, 2, 1, 0, 2]), np.array([2, 2, 2])
    hp = SimpleNamespace(model="cbow", window=1, t=None)
    contexts, targets, words = training.text_examples(ids, counts, np.random.default_rng(0), hp)(0)
    assert words == 6 and targets.tolist() == ids.tolist() and contexts.shape == (6, 2)
    hp.model = "skipgram"
    centers, contexts, words = training.text_examples(ids, counts, np.random.default_rng(0), hp)(0)
    assert len(centers) == len(contexts) == 10  # window 1: two neighbours inside, one at each end


def test_a_wrong_type_is_both_a_value_error_and_a_type_error():
    from w2v_teach import sgns

    for bad in ({"dim": "ten"}, {"progress": "yes"}, {"lr": "fast"}):
        with pytest.raises(_checks.InvalidParameterError, match=next(iter(bad))) as info:
            sgns.train("a b c a b c".split(), min_count=1, epochs=1, **bad)
        assert isinstance(info.value, TypeError) and isinstance(info.value, ValueError)
