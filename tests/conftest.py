"""Shared fixtures: a seeded generator, a small Zipf-like vocabulary with its corpus ids, a
corpus with a learnable structure for the trainers, and the book built once per test session."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from w2v_teach.text import Vocab

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))  # tools/ holds scripts, not a package
import editions  # noqa: E402


def pytest_addoption(parser):
    """Add --perturb: run the chapters again with perturbed vectors (tests/test_checked_claims.py)."""
    parser.addoption("--perturb", action="store_true", default=False,
                     help="re-run every chapter with perturbed vectors and check that its named "
                          "checked cells fail (about 7 minutes; a later step of .ci/run)")


def pytest_collection_modifyitems(config, items):
    """Skip the perturbed chapter runs unless --perturb was given."""
    if config.getoption("--perturb"):
        return
    skip = pytest.mark.skip(reason="perturbed chapter runs need --perturb (a later step of .ci/run)")
    for item in items:
        if "perturb" in item.keywords:
            item.add_marker(skip)


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


@pytest.fixture(scope="session")
def book_build(tmp_path_factory) -> "editions.Build":
    """Build the book's HTML once per session, as the README's build command does (-W -n --keep-going).

    Shared by every test that needs the rendered book (the offline check, the alt texts, the
    browser, the comparison with the students' edition); it is built only if one of them runs.
    """
    return editions.build("full", tmp_path_factory.mktemp("book"))


@pytest.fixture(scope="session")
def book_html(book_build) -> Path:
    """Return the folder of the built HTML book; fail when the build did not succeed."""
    if not book_build.ok:
        pytest.fail(f"the book did not build (exit code {book_build.returncode}):\n{book_build.log[-4000:]}")
    return book_build.output
