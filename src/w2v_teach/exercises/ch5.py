"""Chapter 5's checkable exercises: Huffman code lengths and the probabilities of hierarchical softmax."""
from __future__ import annotations

import numpy as np

from .. import hsoftmax
from .core import Case, Exercise, Wrong, as_array, compare_array, register


def _length_cases(rng: np.random.Generator) -> list[Case]:
    """Return hidden count vectors: Zipf-like, two words, ties, powers of two."""
    zipf = np.maximum(1, 10_000 / np.arange(1, 41) * rng.uniform(0.7, 1.3, 40)).astype(np.int64)
    specs = [("40 Zipf-like counts", rng.permutation(zipf)), ("two words", np.array([7, 3])),
             ("12 counts with ties", rng.integers(1, 5, size=12) * 10),
             ("counts 1, 1, 2, 4, ..., 512", np.array([1] + [2 ** k for k in range(10)]))]
    return [Case(name, (counts,), hsoftmax.huffman(counts)) for name, counts in specs]


def _judge_lengths(value, case: Case, args: tuple) -> None:
    """Judge code lengths by the tree they form: whole numbers, Kraft's sum, the average length."""
    tree = case.expected
    counts = case.args[0]
    got = as_array(value, f"one code length per word, shape ({len(counts)},)")
    if got.shape != (len(counts),):
        raise Wrong(f"Expected one code length per word, shape ({len(counts)},), got shape {got.shape}.")
    if not np.all(got == np.round(got)) or got.min() < 1:
        raise Wrong("Code lengths count turns from the root to a leaf: whole numbers, at least 1.")
    kraft = float(np.sum(2.0 ** -got))
    if np.isclose(kraft, 0.5):
        raise Wrong("Every length is one too long: count the turns (edges) from the root, not the nodes on the path.")
    if not np.isclose(kraft, 1.0):
        raise Wrong(f"These lengths cannot come from a full binary tree: sum(2**-length) is {kraft:.4g}, "
                    "and every tree in which each inner node has two children gives exactly 1.")
    f = counts / counts.sum()
    average, best = float((f * got).sum()), tree.average_length()
    if np.isclose(average, best):
        return
    if np.array_equal(np.sort(got), np.sort(tree.lengths)):
        raise Wrong("Your lengths are Huffman's, given to the wrong words: a more frequent word got a longer "
                    "code than a rarer one. Huffman's tree puts the frequent words near the root.")
    raise Wrong(f"Your lengths form a valid tree, but its average length (weighted by frequency) is "
                f"{average:.4f} turns, and Huffman's tree reaches {best:.4f}: merge the two least "
                "frequent nodes at every step.")


register(Exercise(
    "ch5-code-lengths", "Huffman code lengths", 5, "code_lengths",
    "code_lengths(counts) -> (V,) ints, the number of turns from the root to each word", _length_cases, _judge_lengths))


def _prob_cases(rng: np.random.Generator) -> list[Case]:
    """Return hidden (h, nodes, tree) triples and the package's P(w | h) for each."""
    cases = []
    for name, V, dim in [("6 words, dim 4", 6, 4), ("2 words, dim 3", 2, 3), ("25 words, dim 5", 25, 5)]:
        counts = rng.integers(1, 100, size=V)
        tree = hsoftmax.huffman(counts)
        h, nodes = rng.normal(size=dim), rng.normal(size=(V - 1, dim))
        W_in = np.zeros((V, dim))
        W_in[0] = h  # the centre word 0 holds h
        expected = hsoftmax.probabilities(W_in, nodes, tree, np.array([0]))[0]
        swapped = hsoftmax.probabilities(W_in, -nodes, tree, np.array([0]))[0]  # bit 1 taken as sigma(+s)
        sig = 1.0 / (1.0 + np.exp(-(nodes @ h)))  # (V - 1,)
        unsigned = np.array([np.prod(sig[p]) for p in tree.points])
        wrong = [(swapped, "Your turns are swapped: in the book (and the C tool) bit 0 is taken with probability "
                  "sigma(s) and bit 1 with sigma(-s), s the node's score."),
                 (unsigned, "You multiply sigma(s) at every node of the path whichever way the path turns: "
                  "a turn with bit 1 contributes sigma(-s) = 1 - sigma(s).")]
        cases.append(Case(name, (h, nodes, tree), expected, tuple(wrong)))
    return cases


def _judge_probs(value, case: Case, args: tuple) -> None:
    """Judge P(w | h): a sum that is not 1 first, then the known mistakes."""
    got = as_array(value, f"one probability per word, shape {case.expected.shape}")
    if got.shape == case.expected.shape and np.isfinite(got).all() and not np.isclose(got.sum(), 1.0):
        known = [w for w, _ in case.wrong]
        if not any(np.allclose(got, w) for w in known):
            raise Wrong(f"Your probabilities sum to {got.sum():.4g}, not 1: each word's probability is the "
                        "product of one sigmoid per node on its path.")
    compare_array(value, case, "your P(w | h)")


register(Exercise(
    "ch5-path-probabilities", "Word probabilities along Huffman paths", 5, "word_probabilities",
    "word_probabilities(h, nodes, tree) -> (V,) probabilities that sum to 1", _prob_cases, _judge_probs))
