"""w2v_teach: the shared package of the w2v-teach book.

Every chapter imports it as ``import w2v_teach as w2v`` and reaches the modules as attributes
(``w2v.text.Vocab``, ``w2v.sgns.train``, ...). Modules load on first use, so importing the package
does not import PyTorch until a chapter asks for ``w2v.torch_models``.
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

_MODULES = (
    # data and values
    "text", "sampling", "windows", "datasets", "results", "world", "world_lexicon", "vectors", "embeddings",
    "senses",  # planted senses and occupational skew (chapter 7)
    # the scaffold, evaluation and pictures
    "training", "evaluate", "plotting", "gradcheck",
    "bias", "encoder",  # bias measures and the contextual encoder (chapter 7)
    # trainers
    # kernels: row scatter-adds, the input side (h and its step), the negative-sampling output
    # layer, the PyTorch models and their batch pipeline
    "scatter", "inputs", "negative_sampling", "torch_models", "torch_batches",
    "counting", "cbow_softmax", "sgns", "hsoftmax", "torch_train", "reference",
    # scaling out (chapter 9)
    "hogwild", "streaming", "spark",
    # beyond words (chapter 8): generators, SGNS on sentences, metrics, features, serving
    "sessions", "graphs", "item2vec", "recommend", "features", "serving",
    # teaching: checks for the exercises, and the grader of submitted notebooks
    "exercises", "grade",
)
__all__ = list(_MODULES)

# The one list of names with two addresses: the short one (left) that chapters use, and the owner
# (right). tests/test_package.py checks that each pair is the same object and that no module's
# __all__ names another module's object outside this list.
ALIASES = {
    "sgns.scatter_add": "scatter.scatter_add",  # chapter 3 teaches it beside the SGNS step
    "sgns.loss_and_grads": "negative_sampling.loss_and_grads",  # the chapters' and GUIDE's address
    "sgns.log_sigmoid": "negative_sampling.log_sigmoid",
    "datasets.world_corpus": "world.world_corpus",  # chapters 1-8 load every corpus from datasets
    "torch_models.train": "torch_train.train",  # installed by torch_train (no import cycle)
    "torch_models.OPTIMIZERS": "torch_train.OPTIMIZERS",
}


def __getattr__(name: str):
    if name in _MODULES:
        module = importlib.import_module(f".{name}", __name__)
        if name == "torch_models":  # its trainer lives in torch_train, which installs torch_models.train
            importlib.import_module(".torch_train", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'w2v_teach' has no attribute {name!r}; modules: {', '.join(_MODULES)}")


def __dir__():
    return sorted(list(globals()) + list(_MODULES))
