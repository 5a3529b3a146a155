"""Shopping sessions with planted structure, for item2vec (chapter 8).

A shop sells ``n_categories * items_per_category`` items. Inside a category, item popularity falls
off like Zipf's law (the item of rank r is drawn with weight 1 / (r + 1) ** zipf), so each category
has a few popular items and a long tail. Items come in complementary pairs (ranks 0-1, 2-3, ...
of a category: think phone and phone case).

A session picks one category (uniformly) and a length (2 + a Poisson draw, at most `max_length`).
Each next item is, in this order of checks:

* the complement of the previous item, with probability `complement_prob` (if it is already in
  the session, an item of the category instead);
* an item of any category drawn by global popularity, with probability `popular_prob` (impulse
  buys of best-sellers: the popularity bias every recommender has to live with);
* otherwise an item of the session's category drawn by its Zipf weight.

The returned :class:`ShoppingData` exposes the truth (category, complement and popularity of every
item), so the chapter can check what a model learnt. Item names read ``c3i07``: category 3, rank 7.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._checks import check_float, check_int

__all__ = ["ShoppingData", "generate", "item_name", "split_sessions"]


@dataclass
class ShoppingData:
    """Sessions (lists of item names) and the planted truth, one array entry per item."""

    sessions: list[list[str]]
    items: list[str]  # item i's name
    category: np.ndarray  # (n_items,) int: its planted category
    complement: np.ndarray  # (n_items,) int: the id of its complementary item
    popularity: np.ndarray  # (n_items,) float: its share of all draws by popularity (sums to 1)
    rank: np.ndarray  # (n_items,) int: its popularity rank inside its category (0 = most popular)

    def index(self) -> dict[str, int]:
        """Return the map from item name to item id."""
        return {name: i for i, name in enumerate(self.items)}


def item_name(category: int, rank: int) -> str:
    """Return the name of the item of `rank` in `category`, e.g. ``c3i07``."""
    return f"c{check_int('category', category, 0)}i{check_int('rank', rank, 0):02d}"


def _catalogue(n_categories: int, per: int, zipf: float):
    """Return (names, category, complement, popularity, rank) of the planted catalogue."""
    rank = np.tile(np.arange(per), n_categories)  # (n_items,)
    category = np.repeat(np.arange(n_categories), per)  # (n_items,)
    names = [item_name(int(c), int(r)) for c, r in zip(category, rank)]
    ids = np.arange(n_categories * per)
    complement = np.where(rank % 2 == 0, ids + 1, ids - 1)  # pairs (0, 1), (2, 3), ...
    if per % 2:  # an odd last item has no partner: it is its own complement (never used)
        complement[rank == per - 1] = ids[rank == per - 1]
    weight = 1.0 / (rank + 1.0) ** zipf
    return names, category, complement, weight / weight.sum(), rank


def _one_session(cat, length, rng, probs, within, complement, per, popularity):
    """Return one session (a list of item ids) of `length` items in category `cat`."""
    p_comp, p_pop = probs
    first = cat * per + rng.choice(per, p=within)
    out = [int(first)]
    while len(out) < length:
        u = rng.random()
        partner = int(complement[out[-1]])
        if u < p_comp and partner not in out:
            out.append(partner)
        elif p_comp <= u < p_comp + p_pop:
            out.append(int(rng.choice(len(complement), p=popularity)))
        else:
            out.append(int(cat * per + rng.choice(per, p=within)))
    return out


def generate(n_sessions: int = 20000, n_categories: int = 8, items_per_category: int = 40,
             mean_length: float = 5.0, max_length: int = 12, complement_prob: float = 0.3,
             popular_prob: float = 0.1, zipf: float = 1.0, seed: int = 0) -> ShoppingData:
    """Return `n_sessions` planted shopping sessions and their truth; the same seed, the same data."""
    n_sessions = check_int("n_sessions", n_sessions, 1)
    n_categories = check_int("n_categories", n_categories, 1)
    per = check_int("items_per_category", items_per_category, 2)
    max_length = check_int("max_length", max_length, 2)
    mean_length = check_float("mean_length", mean_length, 2.0, strict=False, maximum=float(max_length))
    p_comp = check_float("complement_prob", complement_prob, 0.0, strict=False, maximum=1.0)
    p_pop = check_float("popular_prob", popular_prob, 0.0, strict=False, maximum=1.0 - p_comp)
    zipf = check_float("zipf", zipf, 0.0, strict=False)
    seed = check_int("seed", seed, 0)

    names, category, complement, popularity, rank = _catalogue(n_categories, per, zipf)
    within = popularity[:per] / popularity[:per].sum()  # the Zipf weights inside one category
    rng = np.random.default_rng(seed)
    cats = rng.integers(0, n_categories, size=n_sessions)
    lengths = np.minimum(2 + rng.poisson(mean_length - 2.0, size=n_sessions), max_length)
    sessions = [[names[i] for i in _one_session(int(c), int(n), rng, (p_comp, p_pop), within, complement, per,
                                                       popularity)]
                for c, n in zip(cats, lengths)]
    return ShoppingData(sessions, names, category, complement, popularity, rank)


def split_sessions(sessions, test_fraction: float = 0.2, seed: int = 0) -> tuple[list, list]:
    """Return (train, test): a seeded random split of the sessions, `test_fraction` of them held out."""
    sessions = list(sessions)
    if len(sessions) < 2:
        raise ValueError(f"split_sessions needs at least 2 sessions, got {len(sessions)}")
    frac = check_float("test_fraction", test_fraction, 0.0, maximum=1.0)
    order = np.random.default_rng(check_int("seed", seed, 0)).permutation(len(sessions))
    n_test = min(max(1, int(round(frac * len(sessions)))), len(sessions) - 1)
    test = set(order[:n_test].tolist())
    return ([s for i, s in enumerate(sessions) if i not in test],
            [s for i, s in enumerate(sessions) if i in test])
