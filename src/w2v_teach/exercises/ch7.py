"""Chapter 7's checkable exercises: the WEAT effect size and neutralising a bias direction."""
from __future__ import annotations

import numpy as np

from .. import bias
from ..embeddings import Embeddings
from .core import Case, Exercise, Wrong, compare_array, register


def _effect(s_x: np.ndarray, s_y: np.ndarray, ddof: int = 1, spread: str = "all") -> float:
    """Return a WEAT effect size from the associations of X and Y (variants for the wrong answers)."""
    pooled = np.concatenate([s_x, s_y]) if spread == "all" else s_x
    return float((s_x.mean() - s_y.mean()) / pooled.std(ddof=ddof))


def _weat_cases(rng: np.random.Generator) -> list[Case]:
    """Return hidden embeddings with a planted association and the package's effect size."""
    cases = []
    for name, n_t, n_a, dim, push in [("4 targets a side, 3 attributes a side", 4, 3, 8, 0.8),
                                      ("5 targets a side, 4 attributes a side, a weak effect", 5, 4, 10, 0.2),
                                      ("3 targets a side, 2 attributes a side", 3, 2, 6, 1.5)]:
        X, Y = [f"x{i}" for i in range(n_t)], [f"y{i}" for i in range(n_t)]
        A, B = [f"a{i}" for i in range(n_a)], [f"b{i}" for i in range(n_a)]
        axis = rng.normal(size=dim)
        vecs = {w: rng.normal(size=dim) * rng.uniform(0.3, 3.0) for w in X + Y + A + B}
        for w in X + A:
            vecs[w] += push * axis
        words = X + Y + A + B
        emb = Embeddings(words, np.stack([vecs[w] for w in words]))
        expected = bias.weat(emb, X, Y, A, B).effect_size
        unit = {w: vecs[w] / np.linalg.norm(vecs[w]) for w in words}

        def s(w, table):
            return np.mean([table[w] @ table[a] for a in A]) - np.mean([table[w] @ table[b] for b in B])
        sx, sy = np.array([s(w, unit) for w in X]), np.array([s(w, unit) for w in Y])
        dx, dy = np.array([s(w, vecs) for w in X]), np.array([s(w, vecs) for w in Y])
        wrong = [(_effect(dx, dy), "Your associations use dot products of the raw vectors; WEAT uses cosine "
                  "similarity (normalise the vectors first)."),
                 (_effect(sx, sy, ddof=0), "Your standard deviation divides by n; the effect size uses the "
                  "sample standard deviation (ddof=1)."),
                 (_effect(sx, sy, spread="x"), "Your standard deviation is taken over X alone; take it over the "
                  "associations of X and Y together."),
                 (float(sx.sum() - sy.sum()), "You return the test statistic (a difference of sums); the effect "
                  "size divides the difference of the means by the standard deviation.")]
        cases.append(Case(name, (emb, X, Y, A, B), expected, tuple(wrong)))
    return cases


def _judge_weat(value, case: Case, args: tuple) -> None:
    """Judge the effect size (a WeatResult is accepted too)."""
    if hasattr(value, "effect_size"):
        value = value.effect_size
    if np.ndim(value) != 0:
        raise Wrong(f"Expected the effect size as one number, got shape {np.shape(value)}.")
    compare_array(value, case, "your effect size")


register(Exercise(
    "ch7-weat-effect", "The WEAT effect size", 7, "weat_effect_size",
    "weat_effect_size(emb, X, Y, A, B) -> float", _weat_cases, _judge_weat))


def _unit(rows: np.ndarray) -> np.ndarray:
    """Return the rows scaled to length 1."""
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def _neutral_cases(rng: np.random.Generator) -> list[Case]:
    """Return hidden (vectors, direction) pairs, the direction not of unit length."""
    cases = []
    for name, n, dim in [("5 vectors of dimension 4", 5, 4), ("1 vector of dimension 3", 1, 3),
                         ("8 vectors of dimension 10", 8, 10)]:
        vectors = rng.normal(size=(n, dim)) * rng.uniform(0.5, 2.0, size=(n, 1))
        g = rng.normal(size=dim) * 3.0
        words = [f"w{i}" for i in range(n)]
        expected = bias.hard_debias(Embeddings(words, vectors), g, neutral=words).vectors.astype(np.float64)
        unit_g = g / np.linalg.norm(g)
        unit_v = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        raw_g = unit_v - np.outer(unit_v @ g, g)
        kept = unit_v - np.outer(unit_v @ unit_g, unit_g)
        wrong = [(_unit(raw_g),
                  "The direction g must be of unit length before you project on it: divide g by its norm."),
                 (kept, "Your vectors are orthogonal to g but no longer of length 1: renormalise them."),
                 (_unit(unit_v + np.outer(unit_v @ unit_g, unit_g)), "You add the projection along g; subtract it.")]
        cases.append(Case(name, (vectors, g), expected, tuple(wrong)))
    return cases


def _judge_neutral(value, case: Case, args: tuple) -> None:
    """Judge the neutralised unit vectors."""
    compare_array(value, case, "your neutralised vectors", rtol=1e-5, atol=1e-6)  # the reference is float32


register(Exercise(
    "ch7-neutralize", "Neutralise: remove a bias direction", 7, "neutralize",
    "neutralize(vectors, g) -> (n, d) unit vectors orthogonal to g", _neutral_cases, _judge_neutral))
