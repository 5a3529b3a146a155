"""gensim, the reference implementation, trained with the book's names for the hyperparameters.

:func:`train_gensim` runs gensim's ``Word2Vec`` (its optimised C loop) on a flat token list and
returns the same :class:`~w2v_teach.training.TrainResult` as the book's own trainers, so that a
chapter, a test or a benchmark compares like with like in one line. Only needs gensim.
"""
from __future__ import annotations

import os
import tempfile
import time
from typing import Sequence

import numpy as np

from ._checks import check_bool, check_choice, check_float, check_int
from .text import Vocab
from .training import DEFAULT_LR, TrainResult, check_hyperparameters, make_result

# gensim truncates every "sentence" longer than 10,000 tokens without a word: feed it chunks.
GENSIM_MAX_SENTENCE = 10_000
# corpus_file mode trains fewer words than a line holds when lines are long (measured with gensim
# 4.4, no subsampling, one worker: on the Wikipedia sample 53 % of the words with 10,000-token
# lines, 97 % with 1,000, 99.9 % with 500; on a planted corpus 99.5 % with 250; all of them with
# 100 on both): its file gets lines of this many tokens (the windows stop at line ends, which
# removes a few percent of the skip-gram pairs at window 5, in gensim's favour).
CORPUS_FILE_LINE = 100


def train_gensim(
    tokens: Sequence[str],
    *,
    model: str = "skipgram",
    dim: int = 100,
    window: int = 5,
    negatives: int = 5,
    epochs: int = 5,
    lr: float | None = None,
    t: float | None = 1e-4,
    min_count: int = 5,
    seed: int = 0,
    workers: int = 1,
    hs: bool = False,
    ns_exponent: float = 0.75,
    corpus_file: bool = False,
) -> TrainResult:
    """Train gensim's word2vec on `tokens` (a flat list of words); return a TrainResult.

    model: "skipgram" (sg=1) or "cbow" (sg=0, averaged context, cbow_mean=1).
    dim, window, negatives, epochs, min_count, seed: gensim's vector_size, window, negative,
    epochs, min_count, seed. lr: alpha, decaying linearly to gensim's min_alpha (None: the C
    tool's 0.025 for skip-gram, 0.05 for CBOW). t: sample (None or 0: no subsampling).
    workers: gensim's threads (1 repeats exactly; more are faster and do not). hs: hierarchical
    softmax instead of negative sampling (then negatives=0 is passed to gensim; gensim's own
    ``hs=1`` keeps negative sampling on unless ``negative=0``). ns_exponent: the power of the
    noise distribution (0.75 in the papers; 0 draws noise words uniformly, 1 by frequency).
    corpus_file: feed gensim a text file (one line per CORPUS_FILE_LINE tokens, written to a temporary
    file before the clock starts and removed after) instead of the list: each worker thread then
    reads its own part of the file in C, without the GIL, where the list (an iterable) goes
    through one Python reader thread that feeds the workers (gensim issue #1509).

    The result holds the embeddings (gensim's ``wv``, in its frequency order, with counts),
    W_in (``wv.vectors``), W_out (``syn1neg``, or ``syn1`` with hs), the effective words per
    second of ``train`` (the clock covers training, not the vocabulary nor writing the file), and
    the gensim model itself in ``info["gensim_model"]``. ``losses`` is empty: gensim's running loss is cumulative
    and is the subject of its own chapter.
    """
    from gensim.models import Word2Vec

    check_choice("model", model, {"skipgram", "cbow"})
    hp = check_hyperparameters(dim=dim, window=window, negatives=negatives, epochs=epochs, seed=seed,
                               lr=DEFAULT_LR[model] if lr is None else lr, t=t, min_count=min_count)
    workers = check_int("workers", workers, 1)
    hs, corpus_file = check_bool("hs", hs), check_bool("corpus_file", corpus_file)
    ns_exponent = check_float("ns_exponent", ns_exponent, minimum=0.0, strict=False, maximum=2.0)
    if isinstance(tokens, str) or not tokens:
        raise ValueError("tokens must be a non-empty list of words (tokenize a str first)")
    tokens = tokens if isinstance(tokens, list) else list(tokens)
    chunks = [tokens[i:i + GENSIM_MAX_SENTENCE] for i in range(0, len(tokens), GENSIM_MAX_SENTENCE)]
    gensim_model = Word2Vec(
        sg=int(model == "skipgram"), hs=int(hs), negative=0 if hs else hp.negatives,
        vector_size=hp.dim, window=hp.window, alpha=hp.lr, sample=hp.t or 0, min_count=hp.min_count,
        workers=workers, seed=hp.seed, ns_exponent=ns_exponent,
    )
    train = _train_from_file if corpus_file else _train_from_list
    words, seconds = train(gensim_model, tokens if corpus_file else chunks, hp.epochs)
    wv = gensim_model.wv
    vocab = Vocab(list(wv.index_to_key), [wv.get_vecattr(w, "count") for w in wv.index_to_key])
    W_out = gensim_model.syn1 if hs else gensim_model.syn1neg
    return make_result(vocab, np.array(wv.vectors), np.array(W_out), [], words, seconds,
                       info={"model": model, "gensim_model": gensim_model, "workers": workers, "hs": hs,
                             "corpus_file": corpus_file})


def _train_from_list(gensim_model, chunks: list[list[str]], epochs: int) -> tuple[int, float]:
    """Build the vocabulary from `chunks`, then train on them; return effective words and seconds."""
    gensim_model.build_vocab(chunks)
    start = time.perf_counter()
    words, _ = gensim_model.train(chunks, total_examples=gensim_model.corpus_count, epochs=epochs)
    return words, time.perf_counter() - start


def _train_from_file(gensim_model, tokens: list[str], epochs: int) -> tuple[int, float]:
    """Write `tokens` to a temporary text file, build the vocabulary and train from it (timed)."""
    fd, path = tempfile.mkstemp(suffix=".txt", prefix="w2v_corpus_")
    n = CORPUS_FILE_LINE
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.writelines(" ".join(tokens[i:i + n]) + "\n" for i in range(0, len(tokens), n))
        gensim_model.build_vocab(corpus_file=path)
        start = time.perf_counter()
        words, _ = gensim_model.train(corpus_file=path, total_words=gensim_model.corpus_total_words,
                                      epochs=epochs)
        return words, time.perf_counter() - start
    finally:
        os.remove(path)
