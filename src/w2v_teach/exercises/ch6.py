"""Chapter 6's checkable exercises: an analogy answered with 3CosAdd, and the Fisher interval."""
from __future__ import annotations

import math

import numpy as np

from .. import evaluate
from ..embeddings import Embeddings
from .core import Case, Exercise, Wrong, compare_array, register


def _answers(vectors: np.ndarray, words: list[str], a: str, b: str, c: str) -> dict[str, str]:
    """Return the right answer and the answers of the typical mistakes for a : b :: c : ?."""
    idx = {w: i for i, w in enumerate(words)}
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    ia, ib, ic = idx[a], idx[b], idx[c]

    def best(scores, exclude=True):
        scores = scores.copy()
        if exclude:
            scores[[ia, ib, ic]] = -np.inf
        return words[int(np.argmax(scores))]

    target = unit[ib] - unit[ia] + unit[ic]
    return {"right": Embeddings(words, vectors).analogy(a, b, c)[0][0],
            "no_exclusion": best(unit @ target, exclude=False),
            "raw": best(vectors @ (vectors[ib] - vectors[ia] + vectors[ic])),
            "direction": best(unit @ (unit[ia] - unit[ib] + unit[ic]))}


_ANALOGY_SENTENCES = {
    "no_exclusion": "Your answer is one of the three query words: exclude a, b and c from the answers, as "
                    "the original evaluation does.",
    "raw": "Your answer changes when the vectors are normalised: use cosine similarity (unit-length "
           "vectors for a, b, c and the candidates), so long vectors do not win by their length.",
    "direction": "Your answer follows a - b + c; a : b :: c : ? points along b - a + c (king - man + woman).",
}


def _analogy_cases(rng: np.random.Generator) -> list[Case]:
    """Return hidden vocabularies and questions, each chosen so that one typical mistake answers wrongly."""
    words = [f"w{i}" for i in range(40)]
    cases, wanted = [], ["no_exclusion", "raw", "direction", "no_exclusion", "raw"]
    while wanted:
        vectors = rng.normal(size=(40, 6)) * rng.uniform(0.2, 3.0, size=(40, 1))
        a, b, c = (words[i] for i in rng.choice(40, 3, replace=False))
        answers = _answers(vectors, words, a, b, c)
        if answers[wanted[0]] != answers["right"]:
            mistake = wanted.pop(0)
            cases.append(Case(f"question {a} : {b} :: {c} : ?", (vectors, list(words), a, b, c),
                              answers["right"], extra={"answers": answers, "trap": mistake}))
    return cases


def _judge_analogy(value, case: Case, args: tuple) -> None:
    """Judge the answer word, naming the mistake whose answer it is."""
    if isinstance(value, (list, tuple)) and value and isinstance(value[0], (list, tuple)):
        value = value[0][0]  # [(word, score)], as Embeddings.analogy returns
    if not isinstance(value, str):
        raise Wrong(f"Expected the answer as a word (a str), got a {type(value).__name__}.")
    if value == case.expected:
        return
    if value in case.args[2:]:
        raise Wrong(_ANALOGY_SENTENCES["no_exclusion"])
    for key in ("raw", "direction"):
        if value == case.extra["answers"][key]:
            raise Wrong(_ANALOGY_SENTENCES[key])
    raise Wrong(f"Your answer {value!r} is not the word whose unit vector has the largest cosine with "
                "b - a + c (query words excluded).")


register(Exercise(
    "ch6-analogy", "An analogy with 3CosAdd, query words excluded", 6, "analogy",
    "analogy(vectors, words, a, b, c) -> the answer word (a str)", _analogy_cases, _judge_analogy))


def _fisher_cases(rng: np.random.Generator) -> list[Case]:
    """Return hidden (rho, n) pairs and the package's 95 % interval for each."""
    cases = []
    for rho, n in [(0.38, 353), (-0.21, 60), (0.9, 12), (0.0, 999)]:
        ref = evaluate.fisher_interval(rho, n)
        z, se = math.atanh(rho), 1 / math.sqrt(n - 3)
        wrong = [((math.tanh(z - 1.96 / math.sqrt(n)), math.tanh(z + 1.96 / math.sqrt(n))),
                  "Your standard error uses n; Fisher's z has standard error 1 / sqrt(n - 3)."),
                 ((math.tanh(z - 1.645 * se), math.tanh(z + 1.645 * se)),
                  "Your interval is too narrow for 95 %: the two-sided normal quantile is 1.96, not 1.645."),
                 ((z - 1.96 * se, z + 1.96 * se), "Your interval is on the z scale: transform both ends back with tanh."),
                 ((rho - 1.96 * se, rho + 1.96 * se), "Your interval is rho +- 1.96 se, symmetric around rho: "
                  "build it around z = atanh(rho) and transform back with tanh.")]
        cases.append(Case(f"rho = {rho} on n = {n} pairs", (rho, n), (ref.low, ref.high), tuple(wrong)))
    return cases


def _judge_fisher(value, case: Case, args: tuple) -> None:
    """Judge a (low, high) interval (a SpearmanInterval is accepted too)."""
    if hasattr(value, "low") and hasattr(value, "high"):
        value = (value.low, value.high)
    if not isinstance(value, (tuple, list, np.ndarray)) or len(value) != 2:
        raise Wrong(f"Expected the interval as a pair (low, high), got a {type(value).__name__}.")
    # 1.96 for the normal quantile (1.959964...) is fine: the tolerance allows it
    compare_array(value, case, "your interval (low, high)", rtol=2e-4, atol=1e-6)


register(Exercise(
    "ch6-fisher-interval", "A confidence interval for a Spearman correlation", 6, "fisher_interval",
    "fisher_interval(rho, n) -> (low, high), the 95 % Fisher-z interval", _fisher_cases, _judge_fisher))
