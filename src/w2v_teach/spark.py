"""Apache Spark's MLlib Word2Vec, run from Python and returned as the book's Embeddings (optional).

``pyspark.ml.feature.Word2Vec`` trains skip-gram with *hierarchical softmax* (no negative
sampling, no subsampling). For ``numPartitions = P`` it splits the sentences into P partitions;
in every iteration each partition trains its own copy of the vectors with plain SGD on its part
of the data, and the driver then averages the copies of each word that the partitions touched
(summing the changes and dividing by how many partitions changed the row) and broadcasts the
result for the next iteration. P = 1 is ordinary sequential SGD; a larger P is faster per
iteration but each copy sees 1/P of the data between averages, which costs quality unless the
iterations (``maxIter``) grow. This module needs the optional ``pyspark`` package and a Java
runtime (17 or 21): install them with ``pip install -e '.[spark]'`` and your system's JDK.
"""
from __future__ import annotations

import re

import importlib.util
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from ._checks import check_float, check_int
from .text import Vocab
from .training import TrainResult, check_tokens, make_result

__all__ = ["missing", "sentences_of", "session", "stop", "train"]

_SESSION = None
JVM_LOG = Path(tempfile.gettempdir()) / "w2v_teach_spark_jvm.log"  # where the JVM's own messages go


@contextmanager
def _output_to(path: Path):
    """Point this process's stdout and stderr file descriptors at `path` for the duration.

    A process started inside (the JVM) inherits them and keeps writing there afterwards, so its
    start-up banner and log lines go to the file instead of a notebook's cells.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    try:
        with open(path, "ab") as log:
            os.dup2(log.fileno(), 1)
            os.dup2(log.fileno(), 2)
            yield
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in saved:
            os.close(fd)


def missing() -> str | None:
    """Return what is missing to run Spark here (a sentence), or None when pyspark and Java are present."""
    needs = []
    if importlib.util.find_spec("pyspark") is None:
        needs.append("the Python package pyspark (pip install -e '.[spark]', about 490 MB)")
    java_home = os.environ.get("JAVA_HOME")
    if shutil.which("java") is None and not (java_home and os.path.isfile(os.path.join(java_home, "bin", "java"))):
        needs.append("a Java runtime, version 17 or 21 (e.g. apt install openjdk-17-jre-headless)")
    return None if not needs else "Spark cannot run here: it needs " + " and ".join(needs) + "."


# The forms of a master URL that Spark accepts: local, local[N], local[*], local[N,F], or a cluster URL.
_MASTER = r"local(\[(\d+|\*)(,\d+)?\])?|(spark|mesos|k8s)://\S+|yarn"


def session(master: str = "local[2]", memory: str = "2g"):
    """Return a SparkSession on `master` (started once, then reused); RuntimeError if Spark cannot run.

    The JVM's console messages go to :data:`JVM_LOG`; Spark's errors still reach Python as exceptions.
    """
    global _SESSION
    if not isinstance(master, str) or not re.fullmatch(_MASTER, master):  # a bad value first, Spark or not
        raise ValueError(f"master must be a Spark master URL such as 'local[2]', 'local[*]' or "
                         f"'spark://host:7077', got {master!r}")
    why = missing()
    if why is not None:
        raise RuntimeError(why)
    if _SESSION is not None:
        if _SESSION.sparkContext.master == master:
            return _SESSION
        stop()
    from pyspark.sql import SparkSession

    with _output_to(JVM_LOG):
        _SESSION = (SparkSession.builder.master(master).appName("w2v-teach")
                    .config("spark.driver.memory", memory).config("spark.ui.enabled", "false")
                    .config("spark.ui.showConsoleProgress", "false").config("spark.sql.shuffle.partitions", "4")
                    .getOrCreate())
    _SESSION.sparkContext.setLogLevel("ERROR")
    return _SESSION


def stop() -> None:
    """Stop the session that :func:`session` started, if any."""
    global _SESSION
    if _SESSION is not None:
        _SESSION.stop()
        _SESSION = None


def sentences_of(tokens: Sequence[str], length: int = 1000) -> list[list[str]]:
    """Cut a flat token list into sentences of `length` words (MLlib's maxSentenceLength default)."""
    tokens = check_tokens(tokens)
    length = check_int("length", length, 1)
    return [tokens[i:i + length] for i in range(0, len(tokens), length)]


def _vectors(model, vocab: Vocab, dim: int) -> np.ndarray:
    """Return the model's vectors as a (V, dim) float32 matrix in the order of `vocab`."""
    table = {row["word"]: row["vector"].toArray() for row in model.getVectors().collect()}
    lost = [w for w in vocab.words if w not in table]
    if lost:
        raise RuntimeError(f"Spark's vocabulary lacks {len(lost)} word(s) of ours, e.g. {lost[:3]}")
    return np.asarray([table[w] for w in vocab.words], dtype=np.float32).reshape(len(vocab), dim)


def train(tokens: Iterable[str], *, dim: int = 100, window: int = 5, epochs: int = 1, lr: float = 0.025,
          min_count: int = 5, num_partitions: int = 1, seed: int = 0, master: str = "local[2]",
          sentence_length: int = 1000) -> TrainResult:
    """Train MLlib's Word2Vec (skip-gram, hierarchical softmax) on `tokens`; return a TrainResult.

    dim, window, epochs (``maxIter``), lr (``stepSize``), min_count, seed: the book's names for
    MLlib's parameters; num_partitions: data partitions trained separately and averaged each
    iteration. The tokens are cut into sentences of `sentence_length` words. ``W_out`` is empty
    (MLlib does not expose its inner-node vectors). ``seconds`` is the time of ``fit`` alone;
    ``words_per_second`` counts every token of every iteration (MLlib does not subsample).
    """
    tokens = check_tokens(tokens)
    dim, window = check_int("dim", dim, 1), check_int("window", window, 1)
    epochs, min_count = check_int("epochs", epochs, 1), check_int("min_count", min_count, 1)
    num_partitions, seed = check_int("num_partitions", num_partitions, 1), check_int("seed", seed, 0)
    lr = check_float("lr", lr, 0.0, strict=True)
    sentence_length = check_int("sentence_length", sentence_length, 1)
    vocab = Vocab.build(tokens, min_count=min_count)
    spark = session(master)
    from pyspark.ml.feature import Word2Vec

    frame = spark.createDataFrame([(s,) for s in sentences_of(tokens, sentence_length)], ["words"])
    frame = frame.repartition(num_partitions).cache()
    frame.count()  # materialise the cached input, so that the clock below measures training
    estimator = Word2Vec(vectorSize=dim, windowSize=window, maxIter=epochs, stepSize=lr, minCount=min_count,
                         numPartitions=num_partitions, seed=seed, inputCol="words", outputCol="vector",
                         maxSentenceLength=sentence_length)
    start = time.perf_counter()
    model = estimator.fit(frame)
    seconds = time.perf_counter() - start
    frame.unpersist()
    W_in = _vectors(model, vocab, dim)
    words = int(vocab.counts.sum()) * epochs
    return make_result(vocab, W_in, np.zeros((0, dim), dtype=np.float32), [], words, seconds,
                       info={"model": "skipgram-hs (Spark MLlib)", "num_partitions": num_partitions,
                             "master": master, "epochs": epochs})
