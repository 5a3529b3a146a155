"""Measure word vectors: analogy accuracy, correlation with human similarity judgements.

The two classic intrinsic evaluations of word2vec:

* **Analogies** (Mikolov et al. 2013): for a question ``a b c d`` in the Google file, meaning
  a : b :: c : d, the vectors answer ``b - a + c`` ≈ ? and the question counts as correct when
  the nearest word, with the three query words excluded, is ``d``.
* **Word similarity** (WordSim-353, Finkelstein et al. 2002; SimLex-999, Hill et al. 2015): the
  Spearman rank correlation between human similarity scores and cosine similarities.

Both follow gensim's ``KeyedVectors.evaluate_word_analogies`` and ``evaluate_word_pairs`` (same
case-insensitive lookup, same skipping of questions with unknown words, same meaning of
``restrict_vocab``), and the tests check that they give the same numbers.
"""
from __future__ import annotations

import functools

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, NamedTuple, Sequence

import numpy as np

from ._checks import check_choice, check_float, check_int, check_rng
from .embeddings import Embeddings


class Analogy(NamedTuple):
    """One analogy question a : b :: c : d (Google order: ``a b c d`` means b - a + c = d)."""

    section: str
    a: str
    b: str
    c: str
    d: str


class WordPair(NamedTuple):
    """One human similarity judgement: two words and their score."""

    w1: str
    w2: str
    score: float


# -- reading the files ------------------------------------------------------------------------
def _read_lines(path) -> tuple[Path, list[str]]:
    """Return the path and the lines of a UTF-8 text file; FileNotFoundError naming it if missing."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise ValueError(f"{path} is not UTF-8 text: {err}") from None
    return path, text.splitlines()


def load_analogies(path) -> list[Analogy]:
    """Read a Google-format analogy file (``: section`` lines, then ``a b c d`` lines), lowercased.

    Words are lowercased because the evaluation is case-insensitive, as gensim's is.
    Blank lines are skipped; any other malformed line raises ValueError with its line number.
    """
    path, lines = _read_lines(path)
    questions: list[Analogy] = []
    section = None
    for line_no, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith(":"):
            section = stripped[1:].strip()
            if not section:
                raise ValueError(f"{path}, line {line_no}: a section line needs a name after ':'")
            continue
        parts = stripped.split()
        if len(parts) != 4:
            raise ValueError(
                f"{path}, line {line_no}: expected 4 words (a b c d), got {len(parts)}: {stripped!r}"
            )
        if section is None:
            raise ValueError(f"{path}, line {line_no}: a question comes before the first ': section' line")
        questions.append(Analogy(section, *(w.lower() for w in parts)))
    if not questions:
        raise ValueError(f"{path} contains no analogy questions")
    return questions


def load_similarity(path) -> list[WordPair]:
    """Read a word-similarity file (``word1 word2 score`` per line, tab- or space-separated).

    Lines starting with ``#`` are comments (gensim's wordsim353.tsv and simlex999.txt start with
    two of them); a first data line whose score is not a number is taken as a column header and
    skipped. Words are lowercased. Any other malformed line raises ValueError with its line number.
    """
    path, lines = _read_lines(path)
    pairs: list[WordPair] = []
    first_data_line = True
    for line_no, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        parts = stripped.split("\t") if "\t" in stripped else stripped.split()
        parts = [p.strip() for p in parts]
        is_first, first_data_line = first_data_line, False
        if len(parts) == 3:
            try:
                score = float(parts[2])
            except ValueError:
                if is_first:
                    continue  # a header such as "Word 1<TAB>Word 2<TAB>Human (mean)"
                raise ValueError(
                    f"{path}, line {line_no}: the score {parts[2]!r} is not a number"
                ) from None
            if not math.isfinite(score):
                raise ValueError(f"{path}, line {line_no}: the score {parts[2]!r} is not finite")
            if not parts[0] or not parts[1] or " " in parts[0] or " " in parts[1]:
                raise ValueError(f"{path}, line {line_no}: expected two single words, got {stripped!r}")
            pairs.append(WordPair(parts[0].lower(), parts[1].lower(), score))
        elif is_first and len(parts) >= 3:
            continue  # a header with spaces inside column names
        else:
            raise ValueError(
                f"{path}, line {line_no}: expected 'word1 word2 score', got {len(parts)} fields: {stripped!r}"
            )
    if not pairs:
        raise ValueError(f"{path} contains no word pairs")
    return pairs


# -- case-insensitive lookup, as gensim does it -------------------------------------------------
def _lookup(emb: Embeddings, restrict_vocab: int | None) -> tuple[dict[str, int], int]:
    """Return {lowercased word: row} over the first `restrict_vocab` rows, and that row count.

    When several spellings lower-case to the same key ("Paris", "paris"), the first row (the most
    frequent word in a frequency-sorted table) wins, as in gensim's case-insensitive evaluation.
    """
    n = len(emb) if restrict_vocab is None else min(check_int("restrict_vocab", restrict_vocab, 1), len(emb))
    table: dict[str, int] = {}
    for i, word in enumerate(emb.words[:n]):
        table.setdefault(word.lower(), i)
    return table, n


# -- analogies -------------------------------------------------------------------------------
@dataclass
class AnalogyReport:
    """The result of :func:`analogy_accuracy`.

    ``sections`` maps each section name to (correct, covered) where covered counts the questions
    whose four words are all known; ``accuracy`` is correct / covered over all sections (NaN when
    no question is covered) and ``coverage`` is covered / all questions. ``wrong`` lists
    (question, predicted word) for the covered questions answered wrongly.
    """

    sections: dict[str, tuple[int, int]]
    n_questions: int
    method: str = "add"
    wrong: list[tuple[Analogy, str]] = field(default_factory=list)

    @property
    def correct(self) -> int:
        """Return the number of correctly answered questions."""
        return sum(c for c, _ in self.sections.values())

    @property
    def n_covered(self) -> int:
        """Return the number of questions whose four words are all in the vocabulary."""
        return sum(t for _, t in self.sections.values())

    @property
    def accuracy(self) -> float:
        """Return correct / covered (NaN if no question is covered)."""
        return self.correct / self.n_covered if self.n_covered else float("nan")

    @property
    def coverage(self) -> float:
        """Return covered / all questions."""
        return self.n_covered / self.n_questions if self.n_questions else 0.0

    def table(self) -> str:
        """Return a text table: section, correct/covered, accuracy, then the totals."""
        rows = [(name, f"{c}/{t}", f"{c / t:.3f}" if t else "-") for name, (c, t) in self.sections.items()]
        total = ("total", f"{self.correct}/{self.n_covered}", f"{self.accuracy:.3f}" if self.n_covered else "-")
        width = max(len(r[0]) for r in rows + [total, ("section",)])
        cwidth = max(len(r[1]) for r in rows + [total, ("", "correct")])
        line = lambda r: f"{r[0]:<{width}}  {r[1]:>{cwidth}}  {r[2]:>8}"  # noqa: E731
        out = [line(("section", "correct", "accuracy")), "-" * (width + cwidth + 12)]
        out += [line(r) for r in rows]
        out += ["-" * (width + cwidth + 12), line(total),
                f"coverage {self.n_covered}/{self.n_questions} = {self.coverage:.3f} (method {self.method})"]
        return "\n".join(out)

    def __str__(self) -> str:
        acc = f"{self.accuracy:.3f}" if self.n_covered else "n/a"
        return (f"analogy accuracy {acc} ({self.correct}/{self.n_covered} covered questions), "
                f"coverage {self.coverage:.3f}")


def _as_questions(questions) -> list[Analogy]:
    """Return `questions` (a path, Analogy list or list of 5-tuples) as a list of Analogy."""
    if isinstance(questions, (str, os.PathLike)):
        return load_analogies(questions)
    out = []
    for i, q in enumerate(questions):
        if isinstance(q, (str, bytes)) or len(q) != 5 or not all(isinstance(x, str) for x in q):
            raise ValueError(f"question {i} must be (section, a, b, c, d) of strings, got {q!r}")
        out.append(Analogy(*q))
    if not out:
        raise ValueError("no analogy questions given")
    return out


def analogy_accuracy(emb: Embeddings, questions, method: str = "add",
                     restrict_vocab: int | None = None, chunk_size: int | None = None) -> AnalogyReport:
    """Answer every analogy question with `emb` and report accuracy per section and overall.

    `questions` is a list of :class:`Analogy` (or plain (section, a, b, c, d) tuples) or the path
    of a Google-format file. Lookup is case-insensitive. A question with a word outside the
    vocabulary is skipped (it lowers ``coverage``, not ``accuracy``). The answer is the best word
    by 3CosAdd (``method="add"``) or 3CosMul (``"mul"``) with the three query words excluded.

    `restrict_vocab` means what it means in gensim's ``evaluate_word_analogies``: only the first
    `restrict_vocab` rows (the most frequent words, if the table is sorted by frequency) are
    candidate answers, and questions using any other word are skipped. Note that gensim's default
    is 300000, ours is None (every word).
    """
    check_choice("method", method, {"add", "mul"})
    questions = _as_questions(questions)
    table, n_cand = _lookup(emb, restrict_vocab)
    canon = np.array([table[w.lower()] for w in emb.words[:n_cand]], dtype=np.int64)  # (N,)

    sections: dict[str, list[int]] = {}
    known: list[tuple[Analogy, int, int, int, int]] = []
    for q in questions:
        sections.setdefault(q.section, [0, 0])
        ids = [table.get(w.lower()) for w in (q.a, q.b, q.c, q.d)]
        if None not in ids:
            known.append((q, *ids))

    wrong: list[tuple[Analogy, str]] = []
    if known:
        ids = np.array([k[1:] for k in known], dtype=np.int64)  # (n, 4)
        if chunk_size is None:
            chunk_size = max(1, 2**22 // max(1, len(emb)))
        chunk_size = check_int("chunk_size", chunk_size, 1)
        predicted = np.empty(len(known), dtype=np.int64)
        for start in range(0, len(known), chunk_size):
            a, b, c, _ = ids[start:start + chunk_size].T
            scores = emb.analogy_scores(a, b, c, method=method)[:, :n_cand]  # (chunk, N)
            scores = scores.astype(np.float64)
            for col in (a, b, c):  # exclude the query words (and their other spellings)
                scores[canon[None, :] == col[:, None]] = -np.inf
            predicted[start:start + chunk_size] = np.argmax(scores, axis=1)
        hits = canon[predicted] == ids[:, 3]
        for (q, *_), hit, pred in zip(known, hits, predicted):
            sections[q.section][1] += 1
            if hit:
                sections[q.section][0] += 1
            else:
                wrong.append((q, emb.words[pred]))
    return AnalogyReport({k: (v[0], v[1]) for k, v in sections.items()}, len(questions), method, wrong)


def analogy_line(emb: Embeddings, a: str, b: str, c: str, method: str = "add",
                 at_least: float | None = None) -> str:
    """Return ``"b - a + c -> answer (score)"``, e.g. ``king - man + woman -> queen (0.871)``.

    With `at_least`, a score of at least that value prints as the claim ``(cosine >= 0.70)``
    instead of its digits: the answer and the claim hold on every CPU, while the last digits of
    a trained model's cosines do not. A score below it still prints its digits.
    """
    answer, score = emb.analogy(a, b, c, topn=1, method=method)[0]
    if at_least is not None and score >= check_float("at_least", at_least):
        return f"{b} - {a} + {c} -> {answer} (cosine >= {at_least:.2f})"
    return f"{b} - {a} + {c} -> {answer} ({score:.3f})"


def nearest_table(emb: Embeddings, words: Sequence[str], topn: int = 5) -> str:
    """Return one line per word listing its `topn` nearest neighbours with cosine similarities."""
    topn = check_int("topn", topn, 1)
    words = [words] if isinstance(words, str) else list(words)
    if not words:
        raise ValueError("nearest_table needs at least one word")
    width = max(len(w) for w in words)
    lines = []
    for w in words:
        neighbours = ", ".join(f"{n} ({s:.3f})" for n, s in emb.most_similar(w, topn=topn))
        lines.append(f"{w:<{width}} : {neighbours}")
    return "\n".join(lines)


# -- word similarity ---------------------------------------------------------------------------
class SimilarityReport(NamedTuple):
    """Spearman and Pearson correlation between cosine similarities and human scores."""

    spearman: float
    pearson: float
    coverage: float
    n_pairs: int
    n_covered: int

    def __str__(self) -> str:
        return (f"Spearman {self.spearman:.3f}, Pearson {self.pearson:.3f} on {self.n_covered}/"
                f"{self.n_pairs} pairs (coverage {self.coverage:.3f})")


def similarity_correlation(emb: Embeddings, pairs: Iterable, restrict_vocab: int | None = None) -> SimilarityReport:
    """Correlate cosine similarities with human scores over the pairs whose words are both known.

    `pairs` is a list of (word1, word2, score) or the path of a file for :func:`load_similarity`.
    Lookup is case-insensitive and `restrict_vocab` keeps only the first rows, as in gensim's
    ``evaluate_word_pairs``. Raises ValueError when fewer than 3 pairs are covered, because a
    rank correlation of one or two points says nothing (gensim raises when none are covered).
    """
    from scipy import stats

    if isinstance(pairs, (str, os.PathLike)):
        pairs = load_similarity(pairs)
    pairs = list(pairs)
    gold, model = similarity_scores(emb, pairs, restrict_vocab)  # covered pairs: scores, cosines
    if len(gold) < 3:
        raise ValueError(
            f"only {len(gold)} of {len(pairs)} pairs have both words in the vocabulary; "
            "a correlation needs at least 3"
        )
    spearman = float(stats.spearmanr(gold, model)[0])
    pearson = float(stats.pearsonr(gold, model)[0])
    return SimilarityReport(spearman, pearson, len(gold) / len(pairs), len(pairs), len(gold))


# -- the standard benchmarks in one call -------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _standard_sets() -> tuple[list[WordPair], list[WordPair], list[Analogy]]:
    """Return WordSim-353, SimLex-999 and the Google analogies, read once from gensim's files."""
    from . import datasets

    return (load_similarity(datasets.wordsim353()), load_similarity(datasets.simlex999()),
            load_analogies(datasets.google_analogies()))


def standard_scores(emb: Embeddings) -> dict[str, float]:
    """Return the book's standard real-text scores of `emb`, each with its coverage.

    ws353 / simlex: Spearman correlation with WordSim-353 and SimLex-999; google: 3CosAdd
    accuracy on the Google analogies (over the covered questions); *_cov: the share covered.
    """
    ws353, simlex, google = _standard_sets()
    ws, sl = similarity_correlation(emb, ws353), similarity_correlation(emb, simlex)
    an = analogy_accuracy(emb, google)
    return {"ws353": ws.spearman, "ws_cov": ws.coverage, "simlex": sl.spearman, "sl_cov": sl.coverage,
            "google": an.accuracy, "google_cov": an.coverage}


# -- how sure is a correlation? Confidence intervals for Spearman's rho ----------------------------
class SpearmanInterval(NamedTuple):
    """A Spearman correlation (or a difference of two) with a confidence interval [low, high]."""

    rho: float
    low: float
    high: float
    n: int
    level: float
    method: str

    def contains(self, value: float) -> bool:
        """Return True when `value` lies inside the interval (e.g. 0: no evidence of a difference)."""
        return self.low <= value <= self.high

    def __str__(self) -> str:
        return (f"{self.rho:.3f}, {self.level:.0%} interval [{self.low:.3f}, {self.high:.3f}] "
                f"on {self.n} pairs ({self.method})")


def _z_quantile(level: float) -> float:
    """Return the two-sided standard-normal quantile of a `level` interval (1.96 for 0.95)."""
    from scipy import stats

    return float(stats.norm.ppf(0.5 + check_float("level", level, 0.0, maximum=0.999999) / 2))


def fisher_interval(rho: float, n: int, level: float = 0.95, variance: str = "fisher") -> SpearmanInterval:
    """Return the Fisher-z confidence interval of a correlation `rho` measured on `n` pairs.

    z = atanh(rho) is roughly normal with standard error sqrt(c / (n - 3)); the interval is
    tanh(z -/+ q * se) with q the normal quantile of `level`. `variance` picks c: "fisher" (1, exact
    for Pearson's r on normal data) or "fieller" (1.06, Fieller, Hartley and Pearson 1957's value
    for Spearman's rho, slightly wider). Needs n >= 4 and -1 < rho < 1.
    """
    check_choice("variance", variance, {"fisher", "fieller"})
    rho = check_float("rho", rho, -1.0)
    if not -1.0 < rho < 1.0:
        raise ValueError(f"rho must lie strictly between -1 and 1, got {rho}")
    n = check_int("n", n, 4)
    se = math.sqrt((1.0 if variance == "fisher" else 1.06) / (n - 3))
    z, q = math.atanh(rho), _z_quantile(level)
    return SpearmanInterval(rho, math.tanh(z - q * se), math.tanh(z + q * se), n, level, f"Fisher z, {variance}")


def similarity_scores(emb: Embeddings, pairs: Iterable, restrict_vocab: int | None = None
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Return (human scores, cosines) of the pairs whose two words are known, as two arrays.

    The pairs and the lookup are those of :func:`similarity_correlation` (its Spearman is
    ``spearmanr(*similarity_scores(...))``); use them to bootstrap or to compare two models on
    exactly the same pairs.
    """
    if isinstance(pairs, (str, os.PathLike)):
        pairs = load_similarity(pairs)
    pairs = list(pairs)
    if not pairs:
        raise ValueError("no word pairs given")
    table, _ = _lookup(emb, restrict_vocab)
    gold, i1, i2 = [], [], []
    for k, p in enumerate(pairs):
        if isinstance(p, (str, bytes)) or len(p) != 3:
            raise ValueError(f"pair {k} must be (word1, word2, score), got {p!r}")
        r1, r2 = table.get(str(p[0]).lower()), table.get(str(p[1]).lower())
        if r1 is not None and r2 is not None:
            gold.append(float(p[2]))
            i1.append(r1)
            i2.append(r2)
    U = emb.unit
    cosines = np.einsum("nd,nd->n", U[i1], U[i2]) if gold else np.zeros(0, dtype=U.dtype)  # (n_covered,)
    return np.asarray(gold, dtype=np.float64), cosines


def _spearman_rows(gold: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Return Spearman's rho of each row of `gold` against the same row of `scores` (both (B, n))."""
    from scipy import stats

    rg, rs = stats.rankdata(gold, axis=1), stats.rankdata(scores, axis=1)  # average ranks for ties
    rg -= rg.mean(axis=1, keepdims=True)
    rs -= rs.mean(axis=1, keepdims=True)
    denom = np.sqrt((rg * rg).sum(axis=1) * (rs * rs).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return (rg * rs).sum(axis=1) / denom  # NaN for a resample with constant values


def bootstrap_spearman(gold, scores, *, rng: np.random.Generator, n_boot: int = 2000,
                       level: float = 0.95, baseline=None) -> SpearmanInterval:
    """Return a percentile-bootstrap interval for Spearman's rho of `scores` against `gold`.

    Each of `n_boot` resamples draws len(gold) pairs with replacement and recomputes rho; the
    interval holds the middle `level` of those values. With `baseline` (a second model's scores
    on the same pairs) the statistic is rho(scores) - rho(baseline) on the *same* resamples, a
    paired comparison: an interval containing 0 means the data cannot tell the two apart.
    """
    from scipy import stats

    check_rng("rng", rng)
    n_boot = check_int("n_boot", n_boot, 10)
    check_float("level", level, 0.0, maximum=0.999999)
    gold, scores = np.asarray(gold, dtype=np.float64), np.asarray(scores, dtype=np.float64)
    columns = [scores] if baseline is None else [scores, np.asarray(baseline, dtype=np.float64)]
    if gold.ndim != 1 or len(gold) < 4 or any(c.shape != gold.shape for c in columns):
        raise ValueError(f"gold and scores (and baseline) must be 1-D of the same length >= 4, got shapes "
                         f"{gold.shape} and {[c.shape for c in columns]}")
    idx = rng.integers(0, len(gold), size=(n_boot, len(gold)))  # (n_boot, n)
    stat = _spearman_rows(gold[idx], columns[0][idx])
    rho = float(stats.spearmanr(gold, columns[0])[0])
    if baseline is not None:
        stat = stat - _spearman_rows(gold[idx], columns[1][idx])
        rho -= float(stats.spearmanr(gold, columns[1])[0])
    low, high = np.nanquantile(stat, [(1 - level) / 2, (1 + level) / 2])
    method = "paired bootstrap of the difference" if baseline is not None else "bootstrap"
    return SpearmanInterval(rho, float(low), float(high), len(gold), level, f"{method}, {n_boot} resamples")
