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
    "text", "sampling", "windows", "scatter", "datasets", "world", "world_lexicon", "embeddings",
    "senses",  # planted senses and occupational skew (chapter 7)
    # the scaffold, evaluation and pictures
    "training", "evaluate", "plotting", "gradcheck",
    "bias", "encoder",  # bias measures and the contextual encoder (chapter 7)
    # trainers
    "counting", "cbow_softmax", "sgns", "hogbatch", "hsoftmax", "torch_models", "torch_train", "reference",
    # scaling out (chapter 9)
    "hogwild", "streaming", "spark",
    # beyond words (chapter 8): generators, SGNS on sentences, metrics, features, serving
    "sessions", "graphs", "item2vec", "recommend", "features", "serving",
    # teaching: checks for the exercises, and the grader of submitted notebooks
    "exercises", "grade",
)
__all__ = list(_MODULES)


def __getattr__(name: str):
    if name in _MODULES:
        module = importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'w2v_teach' has no attribute {name!r}; modules: {', '.join(_MODULES)}")


def __dir__():
    return sorted(list(globals()) + list(_MODULES))
