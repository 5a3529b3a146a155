"""Properties that every trainer of the package shares, checked over all ten of them.

1. A bad argument raises ValueError naming that argument.
2. A run that diverges (lr 1e38: float32 overflows) raises FloatingPointError with the step and a hint (lower the learning
   rate), even when no loss was logged after the divergence (the ending, training.finish).
3. Keywords that several trainers share have one meaning and one default, apart from the
   exceptions listed (with their reasons) in DEFAULT_EXCEPTIONS.
"""
from __future__ import annotations

import inspect

import numpy as np
import pytest

import w2v_teach as w2v

TRAINERS = {  # name: (module, function)
    "counting": ("counting", "train"),
    "cbow_softmax": ("cbow_softmax", "train"),
    "sgns": ("sgns", "train"),
    "hsoftmax": ("hsoftmax", "train"),
    "item2vec": ("item2vec", "train"),
    "torch_models": ("torch_models", "train"),
    "reference": ("reference", "train_gensim"),
    "hogwild": ("hogwild", "train"),
    "streaming": ("streaming", "train"),
    "spark": ("spark", "train"),
}
TOKENS = "the cat sat on the mat and the dog sat on the log".split() * 20


def trainer(name: str):
    """Return the training function of trainer `name`."""
    module, function = TRAINERS[name]
    return getattr(getattr(w2v, module), function)


def corpus_for(name: str, tmp_path):
    """Return what trainer `name` trains on, built from TOKENS."""
    if name == "item2vec":
        return [TOKENS[i:i + 6] for i in range(0, len(TOKENS), 6)]
    if name == "streaming":
        return w2v.streaming.write_shards(TOKENS, tmp_path / "shards", shard_tokens=100)
    return TOKENS


def _bad_value(annotation: str):
    """Return a value of the wrong kind for a parameter annotated `annotation`."""
    for kind, value in (("bool", "yes"), ("int", -1), ("float", float("nan")), ("str", "bogus")):
        if kind in annotation:
            return value
    return "bogus"


def _arguments():
    for name in TRAINERS:
        params = list(inspect.signature(trainer(name)).parameters.items())[1:]  # after the corpus
        for arg, param in params:
            yield pytest.param(name, arg, _bad_value(str(param.annotation)), id=f"{name}-{arg}")


def test_the_list_holds_every_trainer():
    assert len(TRAINERS) == 10


@pytest.mark.parametrize("name, arg, bad", list(_arguments()))
def test_every_trainer_rejects_a_bad_argument_by_its_own_name(name, arg, bad, tmp_path):
    train = trainer(name)
    small = {k: v for k, v in {"dim": 4, "min_count": 1, "epochs": 1}.items()
             if k in inspect.signature(train).parameters and k != arg}
    with pytest.raises(ValueError) as info:
        train(corpus_for(name, tmp_path), **small, **{arg: bad})
    assert arg in str(info.value), f"{arg}={bad!r} raised {info.value!r}, which does not name {arg!r}"


LEARNED = ["cbow_softmax", "sgns", "hsoftmax", "item2vec", "torch_models", "hogwild", "streaming"]
NOT_OURS = {  # trainers without an SGD loop of our own to watch
    "counting": "counts and an SVD: no learning rate, nothing to diverge",
    "reference": "gensim's own loop (it never checks for divergence; the book compares against it)",
    "spark": "MLlib's own loop inside the JVM",
}


@pytest.mark.parametrize("name", LEARNED)
def test_every_learned_trainer_raises_on_divergence_at_its_end(name, tmp_path):
    train = trainer(name)
    kwargs = {"dim": 8, "min_count": 1, "epochs": 2, "lr": 1e38, "loss_every": 10 ** 6, "batch_size": 32}
    corpus = corpus_for(name, tmp_path)
    if name == "hsoftmax":  # it skips nodes with |score| >= 6 (MAX_SCORE), so one large step freezes a
        # tiny model; on real text the many updates of the top nodes within one batch overflow
        kwargs.update(batch_size=None, t=None)
        corpus = w2v.datasets.world_corpus(20_000, seed=0).tokens
    if name == "hogwild":
        kwargs["workers"] = 1
    if name == "cbow_softmax":  # it checks the loss of every batch, so the loss log raises first
        kwargs["loss_every"] = 1
    with pytest.raises(FloatingPointError, match=r"step \d+ \(learning rate .*\).*smaller lr"), \
            np.errstate(all="ignore"):
        train(corpus, **kwargs)


def test_every_trainer_is_either_watched_for_divergence_or_says_why_not():
    assert set(LEARNED) | set(NOT_OURS) == set(TRAINERS) and not set(LEARNED) & set(NOT_OURS)


# -- one keyword, one meaning, one default --------------------------------------------------------
SHARED_DEFAULTS = {"model": "skipgram", "cbow_update": "c_tool", "dim": 100, "window": 5, "negatives": 5,
                   "epochs": 5, "lr": None, "t": 1e-4, "min_count": 5, "max_size": None, "seed": 0,
                   "keep": "in", "batch_size": None, "shared_negatives": 32, "noise_power": 0.75,
                   "blas_threads": 1, "progress": False, "chunk_tokens": 1 << 17}
DEFAULT_EXCEPTIONS = {
    # chapter 2's model: a small vocabulary and the batch-mean gradient (its lr grows with the batch)
    ("cbow_softmax", "dim"): 50, ("cbow_softmax", "epochs"): 6, ("cbow_softmax", "lr"): 20.0,
    ("cbow_softmax", "batch_size"): 256, ("cbow_softmax", "min_count"): 1, ("cbow_softmax", "max_size"): 1000,
    ("cbow_softmax", "t"): 3e-4, ("cbow_softmax", "cbow_update"): "exact",  # the gradient chapter 2 derives
    # item2vec: small catalogues, whole sessions as the window, no subsampling, shuffled pairs
    ("item2vec", "dim"): 32, ("item2vec", "window"): None, ("item2vec", "t"): None, ("item2vec", "min_count"): 1,
    ("item2vec", "batch_size"): 256,
    # Spark MLlib's own defaults (one pass, a fixed lr)
    ("spark", "epochs"): 1, ("spark", "lr"): 0.025,
}
SHARE_SIZE = {"sgns": 256, "item2vec": 64, "torch_models": 512, "hogwild": 512, "streaming": 512}  # tuned per
# trainer: each NumPy group pays one matrix product, each torch group one bmm slice (the batches differ)
ACCEPTS_NO_SHARING = {"sgns", "torch_models"}  # shared_negatives=None: K noise words of each example's own


@pytest.mark.parametrize("name", list(TRAINERS))
def test_shared_keywords_have_one_default(name):
    params = inspect.signature(trainer(name)).parameters
    for arg, default in SHARED_DEFAULTS.items():
        if arg in params:
            expected = DEFAULT_EXCEPTIONS.get((name, arg), default)
            assert params[arg].default == expected, f"{name}.{arg} defaults to {params[arg].default!r}"
    if "share_size" in params:
        assert params["share_size"].default == SHARE_SIZE[name]


def test_every_cbow_trainer_has_both_update_rules():
    for name in TRAINERS:
        params = inspect.signature(trainer(name)).parameters
        if ("model" in params or name == "cbow_softmax") and name != "reference":
            assert "cbow_update" in params, f"{name} trains CBOW without the cbow_update keyword"


@pytest.mark.parametrize("name", ["sgns", "item2vec", "torch_models", "hogwild", "streaming"])
def test_shared_negatives_none_is_accepted_or_refused_by_name(name, tmp_path):
    train = trainer(name)
    kwargs = {"dim": 4, "min_count": 1, "epochs": 1, "shared_negatives": None}
    if name == "hogwild":
        kwargs["workers"] = 1
    if name in ACCEPTS_NO_SHARING:
        assert train(corpus_for(name, tmp_path), **kwargs).info["shared_negatives"] is None
    else:
        with pytest.raises(ValueError, match="shared_negatives"):
            train(corpus_for(name, tmp_path), **kwargs)
