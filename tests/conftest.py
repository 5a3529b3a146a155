"""Shared fixtures: a seeded generator, a small Zipf-like vocabulary with its corpus ids, and a
corpus with a learnable structure for the trainers."""
from __future__ import annotations

import numpy as np
import pytest

from w2v_teach.text import Vocab


@pytest.fixture
def rng() -> np.random.Generator:
    """Return a freshly seeded generator (the same stream in every test)."""
    return np.random.default_rng(12345)


@pytest.fixture
def small_vocab() -> Vocab:
    """Return a 6-word vocabulary with distinct, Zipf-like counts (total 200)."""
    return Vocab(["the", "of", "cat", "dog", "sat", "mat"], [96, 48, 24, 16, 10, 6])


@pytest.fixture
def small_ids(small_vocab: Vocab) -> np.ndarray:
    """Return a shuffled corpus of ids (int64) whose word counts equal `small_vocab.counts`."""
    ids = np.repeat(np.arange(len(small_vocab)), small_vocab.counts)
    return np.random.default_rng(7).permutation(ids).astype(np.int64)


def _cycle_tokens(n: int, vocab: int = 12, seed: int = 0) -> list[str]:
    """Return n tokens where each word is usually (80 %) followed by the next word in a cycle."""
    rng = np.random.default_rng(seed)
    ids = [0]
    for _ in range(n - 1):
        ids.append((ids[-1] + 1) % vocab if rng.random() < 0.8 else int(rng.integers(vocab)))
    return [f"w{i}" for i in ids]


@pytest.fixture
def cycle_tokens():
    """Return the function cycle_tokens(n, vocab=12, seed=0): a corpus a trainer can learn."""
    return _cycle_tokens
