"""Chapter 9's checkable exercises: each Hogwild worker's slice of the corpus, and the shared learning rate."""
from __future__ import annotations

import numpy as np

from .. import training
from .core import Case, Exercise, Wrong, compare_array, register


def _split_cases(rng: np.random.Generator) -> list[Case]:
    """Return hidden (ids, workers): lengths that divide evenly and lengths that do not."""
    from .. import hogwild  # imported here: it loads PyTorch, which the other checks do not need

    specs = [("100 ids, 4 workers", 100, 4), ("103 ids, 4 workers", 103, 4), ("17 ids, 3 workers", 17, 3),
             ("1,000 ids, 7 workers", 1000, 7)]
    return [Case(name, (rng.integers(0, 50, size=n), w), hogwild.split_ids(np.arange(n), w)) for name, n, w in specs]


def _judge_split(value, case: Case, args: tuple) -> None:
    """Judge the slices: their number, that they cover the corpus once, in order, and their balance."""
    ids, workers = case.args
    if not isinstance(value, (list, tuple)) or not all(hasattr(p, "__len__") for p in value):
        raise Wrong(f"Expected a list of {workers} arrays (one slice per worker), got a {type(value).__name__}.")
    if len(value) != workers:
        raise Wrong(f"Expected {workers} slices, one per worker, got {len(value)}.")
    parts = [np.asarray(p) for p in value]
    lengths = [len(p) for p in parts]
    joined = np.concatenate(parts) if parts else np.zeros(0)
    if sum(lengths) < len(ids):
        raise Wrong(f"Your slices hold {sum(lengths)} of the {len(ids)} ids: the last {len(ids) - sum(lengths)} "
                    "belong to no worker (the remainder of the division was dropped).")
    if sum(lengths) > len(ids):
        raise Wrong(f"Your slices hold {sum(lengths)} ids, more than the {len(ids)} of the corpus: neighbouring "
                    "slices overlap (an off-by-one at the boundaries?).")
    if not np.array_equal(joined, ids):
        raise Wrong("Your slices are not the corpus cut into consecutive pieces: each worker reads one "
                    "contiguous stretch, in order (worker 0 the first, ...).")
    if max(lengths) - min(lengths) > 1:
        raise Wrong(f"Your slices have lengths {lengths}: balance them (lengths may differ by at most 1), "
                    "or one worker finishes long after the others.")


register(Exercise(
    "ch9-hogwild-slices", "Each Hogwild worker's slice of the corpus", 9, "split_ids",
    "split_ids(ids, workers) -> list of `workers` contiguous, balanced slices", _split_cases, _judge_split))


def _lr_cases(rng: np.random.Generator) -> list[Case]:
    """Return hidden (lr0, words_done, words_total) and the shared linear schedule's rate."""
    specs = [("at the start", 0.025, 0, 1_000_000), ("a third of the way", 0.025, 333_333, 1_000_000),
             ("at the very end", 0.05, 1_000_000, 1_000_000), ("a few words before the end", 0.1, 999_990, 1_000_000),
             ("workers overshoot the total a little", 0.025, 1_000_512, 1_000_000)]
    cases = []
    for name, lr0, done, total in specs:
        p = done / total
        wrong = [(lr0 * max(1 - p, 0.0), "Your rate reaches 0 (or below) at the end; the C tool keeps a floor of "
                  "lr0 * 1e-4, so the last words still move the vectors."),
                 (lr0 * (1 - p), "Your rate goes negative once the workers' counter passes the total; never "
                  "go below lr0 * 1e-4."),
                 (lr0 * max(p, 1e-4), "Your rate grows as training goes on; it falls linearly from lr0.")]
        cases.append(Case(name, (lr0, done, total), training.linear_lr(lr0, p), tuple(wrong)))
    return cases


def _judge_lr(value, case: Case, args: tuple) -> None:
    """Judge one learning rate."""
    if np.ndim(value) != 0:
        raise Wrong(f"Expected one learning rate (a float), got shape {np.shape(value)}.")
    compare_array(value, case, "your learning rate")


register(Exercise(
    "ch9-shared-lr", "The learning rate that all Hogwild workers share", 9, "hogwild_lr",
    "hogwild_lr(lr0, words_done, words_total) -> float", _lr_cases, _judge_lr))
