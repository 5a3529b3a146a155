"""A corpus larger than memory: text written once as shards on disk, then streamed.

:func:`write_shards` writes any iterable of tokens into numbered text files of `shard_tokens`
tokens each (one "sentence" of at most `line_tokens` words per line, since gensim cuts longer
sentences), and last an index file ``shards.tsv`` that lists them; a folder without the index
is an unfinished write, which :class:`ShardedCorpus` refuses to read.

:class:`ShardedCorpus` streams the shards back:

* iterating over it yields sentences (lists of words) and starts again from the first shard at
  every ``for`` loop, which is what ``gensim.models.Word2Vec(sentences=...)`` needs for its
  vocabulary pass and each epoch;
* :meth:`ShardedCorpus.tokens` yields the words one by one (from any shard: restartable),
  which ``Vocab.build`` counts without holding them;
* :func:`train` is the PyTorch trainer of :mod:`w2v_teach.torch_train` fed shard by shard: a
  first pass builds the vocabulary, and each epoch then reads the shards again, encodes one at a
  time and trains on it, so memory holds the tables and one shard, whatever the corpus size.
"""
from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import torch

from . import sampling
from ._checks import InvalidParameterError, check_bool, check_int
from ._files import atomic_write
from .text import Vocab
from .torch_models import init_tables
from .torch_batches import BatchLayout, ChunkSpec, chunks, loop, noise_cdf
from .torch_train import Stepper
from .training import (LossLog, TrainResult, check_trainable, finish, model_hyperparameters, progress_bar)

__all__ = ["INDEX", "ShardedCorpus", "train", "write_shards"]

INDEX = "shards.tsv"  # the index: one "file name<TAB>tokens" line per shard, written last


def _write_one(folder: Path, number: int, tokens: list[str], line_tokens: int) -> tuple[str, int]:
    """Write one shard, `line_tokens` words a line; return its file name and token count."""
    name = f"shard_{number:05d}.txt"
    lines = (" ".join(tokens[i:i + line_tokens]) for i in range(0, len(tokens), line_tokens))
    atomic_write(folder / name, "\n".join(lines) + "\n")
    return name, len(tokens)


def write_shards(tokens: Iterable[str], folder, shard_tokens: int = 1_000_000,
                 line_tokens: int = 10_000) -> ShardedCorpus:
    """Write `tokens` into `folder` as shards of `shard_tokens` tokens; return the ShardedCorpus.

    `tokens` may be any iterable (a generator never held in memory). Each shard is written to
    a temporary file and renamed; the index comes last, so an interrupted write leaves no index.
    """
    shard_tokens = check_int("shard_tokens", shard_tokens, 1)
    line_tokens = check_int("line_tokens", line_tokens, 1)
    if isinstance(tokens, str):
        raise ValueError("tokens must be an iterable of words, got a single str (tokenize it first)")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    entries, buffer = [], []
    for word in tokens:
        if not isinstance(word, str) or not word or any(ch.isspace() for ch in word):
            raise ValueError(f"tokens must be non-empty words without whitespace, got {word!r}")
        buffer.append(word)
        if len(buffer) == shard_tokens:
            entries.append(_write_one(folder, len(entries), buffer, line_tokens))
            buffer = []
    if buffer:
        entries.append(_write_one(folder, len(entries), buffer, line_tokens))
    if not entries:
        raise ValueError("tokens is empty; there is nothing to write")
    atomic_write(folder / INDEX, "".join(f"{name}\t{n}\n" for name, n in entries))
    return ShardedCorpus(folder)


class ShardedCorpus:
    """A corpus stored as shards by :func:`write_shards`, read back one shard at a time."""

    def __init__(self, folder) -> None:
        self.folder = Path(folder)
        index = self.folder / INDEX
        if not index.is_file():
            raise FileNotFoundError(f"{index} does not exist: {self.folder} holds no finished sharded corpus "
                                    "(write one with write_shards)")
        rows = [line.split("\t") for line in index.read_text(encoding="utf-8").splitlines() if line]
        self.names = [name for name, _ in rows]
        self.shard_tokens = [int(n) for _, n in rows]
        missing = [name for name in self.names if not (self.folder / name).is_file()]
        if missing:
            raise FileNotFoundError(f"{self.folder} lacks shard(s) listed in {INDEX}: {', '.join(missing[:3])}")

    def __len__(self) -> int:
        """Return the number of shards."""
        return len(self.names)

    def __repr__(self) -> str:
        return f"ShardedCorpus({str(self.folder)!r}: {len(self)} shards, {self.n_tokens:,} tokens)"

    @property
    def n_tokens(self) -> int:
        """Return the number of tokens in all shards (from the index, without reading them)."""
        return sum(self.shard_tokens)

    def _check_shard(self, i: int) -> int:
        """Return `i` if it names a shard, else raise ValueError."""
        i = check_int("shard", i, 0)
        if i >= len(self):
            raise ValueError(f"shard must be below {len(self)} (the number of shards), got {i}")
        return i

    def sentences(self, start: int = 0) -> Iterator[list[str]]:
        """Yield the sentences (lines, as lists of words) of shard `start` and every later shard."""
        for i in range(self._check_shard(start), len(self)):
            with open(self.folder / self.names[i], encoding="utf-8") as f:
                for line in f:
                    words = line.split()
                    if words:
                        yield words

    def __iter__(self) -> Iterator[list[str]]:
        """Yield every sentence from the first shard: each loop is a fresh pass (gensim needs several)."""
        return self.sentences(0)

    def tokens(self, start: int = 0) -> Iterator[str]:
        """Yield the words one by one, from shard `start` on."""
        for sentence in self.sentences(start):
            yield from sentence

    def shard(self, i: int) -> list[str]:
        """Return the tokens of shard `i` as a list (the only part of the corpus held at once)."""
        i = self._check_shard(i)
        return (self.folder / self.names[i]).read_text(encoding="utf-8").split()

    def build_vocab(self, min_count: int = 5, max_size: int | None = None) -> Vocab:
        """Return the vocabulary from one streaming pass over the shards (memory: the counts only)."""
        return Vocab.build(self.tokens(), min_count=min_count, max_size=max_size)


def _shard_chunks(corpus: ShardedCorpus, vocab: Vocab, epochs: int, chunk_tokens: int, spec: ChunkSpec,
                  seed: int) -> Iterator:
    """Yield the training chunks of every epoch, reading and encoding one shard at a time."""
    rng = np.random.default_rng(seed)
    gen = torch.Generator().manual_seed(seed + 1)
    for _ in range(epochs):
        for i in range(len(corpus)):
            ids = vocab.encode(corpus.shard(i), oov="skip")
            if ids.shape[0] >= 2:
                yield from chunks(ids, 1, chunk_tokens, spec, rng, gen)


def train(corpus: ShardedCorpus, *, model: str = "skipgram", dim: int = 100, window: int = 5, negatives: int = 5,
          epochs: int = 5, lr: float | None = None, t: float | None = 1e-4, min_count: int = 5,
          max_size: int | None = None, seed: int = 0, batch_size: int | None = None, shared_negatives: int = 32,
          share_size: int = 512, chunk_tokens: int = 1 << 17, loss_every: int = 20, keep: str = "in",
          cbow_update: str = "c_tool", progress: bool = False) -> TrainResult:
    """Train skip-gram or CBOW (negative sampling, PyTorch, CPU) on a ShardedCorpus, one shard in memory.

    Pass 1 counts the words (:meth:`ShardedCorpus.build_vocab`); every epoch is one more pass
    that encodes a shard, trains on it (the batches and SGD step of
    :func:`w2v_teach.torch_train.train`, inline, on the torch threads set by the caller) and
    drops it. The learning rate decays over the expected effective words, computed from the
    counts alone. ``info["passes"]`` counts the reads of the corpus (1 + epochs). cbow_update: as in
    :func:`w2v_teach.torch_train.train`. A run that diverged raises FloatingPointError, as every trainer.
    """
    if not isinstance(corpus, ShardedCorpus):
        raise InvalidParameterError(f"corpus must be a ShardedCorpus (see write_shards), got {type(corpus).__name__}")
    hp = model_hyperparameters(
        model, lr=lr, batch_size=batch_size, dim=dim, window=window, negatives=negatives, epochs=epochs, t=t,
        min_count=min_count, max_size=max_size, seed=seed, keep=keep, loss_every=loss_every,
        cbow_update=cbow_update)
    S, share_size = check_int("shared_negatives", shared_negatives, 1), check_int("share_size", share_size, 1)
    chunk_tokens, progress = check_int("chunk_tokens", chunk_tokens, 2), check_bool("progress", progress)
    vocab = corpus.build_vocab(hp.min_count, hp.max_size)  # pass 1: the counts
    check_trainable(int(vocab.counts.sum()), len(vocab), hp.min_count)
    layout = BatchLayout(model, hp.window, share_size, S)
    cdf = noise_cdf(vocab.counts)
    spec = ChunkSpec(layout, vocab.counts, hp.t, hp.batch_size, cdf)
    counts = vocab.counts.astype(np.float64)
    kept = counts.sum() if hp.t is None else float((counts * sampling.keep_probability(vocab.counts, hp.t)).sum())
    total_words = max(kept * hp.epochs, 1.0)
    stepper = Stepper(*init_tables(len(vocab), hp.dim, hp.seed), layout, hp.negatives / S, torch.device("cpu"),
                       None, hp)
    log = LossLog(hp.loss_every)
    with progress_bar(progress, int(total_words), f"streamed {model}", "word") as bar, torch.no_grad():
        start = time.perf_counter()
        run = loop(_shard_chunks(corpus, vocab, hp.epochs, chunk_tokens, spec, hp.seed), stepper,
                    torch.device("cpu"), hp.lr, total_words, log, bar)
        seconds = time.perf_counter() - start
    return finish(vocab, *stepper.matrices(len(vocab)), log, run, seconds, keep=hp.keep,
                  info={"model": model, "cbow_update": hp.cbow_update, "passes": 1 + hp.epochs,
                        "shards": len(corpus), "loss_every": hp.loss_every, "batch_size": hp.batch_size,
                        "device": "cpu"})
