"""Draw word vectors in two dimensions, and training losses with a smoothed trend.

Both functions draw on a Matplotlib ``Axes`` (a new figure if none is given) and return it;
they never call ``plt.show()`` and never change Matplotlib's global settings. Where colour tells
groups or runs apart, it comes from the Okabe-Ito palette, which readers with any common form of
colour blindness can tell apart, and groups of points differ by marker shape as well.
"""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from ._checks import check_choice, check_float, check_int
from .embeddings import Embeddings

# Okabe and Ito's colour-blind-safe palette (Color Universal Design, 2008), yellow and black last:
# yellow is faint on white, and black is kept for text and reference lines.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
# One marker shape per group, so that groups differ by more than colour (and in grey print).
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
OTHER_COLOUR = "0.6"  # points in no group
_RUN_GID = "w2v-loss-run"  # marks the first line of each plot_losses run on an Axes


# -- projections ------------------------------------------------------------------------------
def _group_of(words: Sequence[str], groups) -> dict[str, str] | None:
    """Return {word: group name} from a dict word->group, dict group->words, or list of word lists."""
    if groups is None:
        return None
    mapping: dict[str, str] = {}
    if isinstance(groups, Mapping):
        values = list(groups.values())
        if all(isinstance(v, str) for v in values):
            mapping = {str(w): v for w, v in groups.items()}
        elif all(not isinstance(v, str) for v in values):
            for name, members in groups.items():
                for w in members:
                    mapping[w] = str(name)
        else:
            raise ValueError("groups must map words to group names, or group names to lists of words")
    else:
        for k, members in enumerate(groups, start=1):
            if isinstance(members, str):
                raise ValueError(f"groups must be a list of word lists, got the string {members!r}")
            for w in members:
                mapping[w] = f"group {k}"
    stray = [w for w in mapping if w not in set(words)]
    if stray:
        raise ValueError(f"groups name words that are not plotted: {stray[:5]}")
    return mapping


def _pca_2d(X: np.ndarray) -> np.ndarray:
    """Return the first two principal-component coordinates of the rows of `X`.

    An SVD of the centred rows; each component's sign is fixed so that its largest loading is
    positive, which makes the picture reproducible.
    """
    Xc = X - X.mean(axis=0)  # (n, dim)
    U, S, Vt = np.linalg.svd(Xc, full_matrices=False)
    k = min(2, len(S))
    signs = np.sign(Vt[np.arange(k), np.argmax(np.abs(Vt[:k]), axis=1)])
    coords = np.zeros((len(X), 2))
    coords[:, :k] = U[:, :k] * S[:k] * signs
    return coords


def project_2d(emb: Embeddings, words: Sequence[str], method: str = "pca", seed: int = 0,
               perplexity: float | None = None) -> np.ndarray:
    """Return (n, 2) coordinates of the words' unit vectors by PCA or seeded t-SNE.

    Unit vectors are projected because cosine similarity is what the book compares; for unit
    vectors Euclidean distance is a function of cosine. t-SNE (van der Maaten and Hinton 2008)
    starts from the PCA layout and uses ``perplexity = min(30, n - 1)`` unless given; it must be
    below the number of points. Up to 1000 words it uses the exact t-SNE gradient.
    """
    check_choice("method", method, {"pca", "tsne"})
    seed = check_int("seed", seed, 0)
    words = [words] if isinstance(words, str) else list(words)
    minimum = 2 if method == "pca" else 3
    if len(words) < minimum:
        raise ValueError(f"method={method!r} needs at least {minimum} words, got {len(words)}")
    if len(set(words)) != len(words):
        dup = next(w for w in words if words.count(w) > 1)
        raise ValueError(f"word {dup!r} appears more than once in words")
    X = emb.unit[[emb.index(w) for w in words]].astype(np.float64)  # (n, dim)
    if method == "pca":
        return _pca_2d(X)
    from sklearn.manifold import TSNE

    n = len(words)
    perplexity = min(30.0, n - 1.0) if perplexity is None else check_float("perplexity", perplexity, 0.0)
    if perplexity >= n:
        raise ValueError(f"perplexity must be smaller than the number of words ({n}), got {perplexity}")
    # The exact gradient is faster than Barnes-Hut for the few dozen words a figure shows.
    tsne = TSNE(n_components=2, perplexity=perplexity, init="pca", learning_rate="auto",
                random_state=seed, method="exact" if n <= 1000 else "barnes_hut")
    return tsne.fit_transform(X)


def _check_arrows(arrows, words: list[str]) -> list[tuple[str, str]]:
    """Return the arrows as (start, end) word pairs, ValueError naming a pair not among the words."""
    pairs = [tuple(pair) for pair in (arrows or ())]
    for pair in pairs:
        if len(pair) != 2 or any(w not in words for w in pair):
            raise ValueError(f"each arrow must be a (start, end) pair of plotted words, got {pair!r}; "
                             f"plotted: {words}")
    return pairs


def plot_embeddings(emb: Embeddings, words: Sequence[str], method: str = "pca", seed: int = 0,
                    ax=None, groups=None, title: str | None = None, perplexity: float | None = None,
                    arrows=None):
    """Scatter the words in 2-D (PCA or t-SNE), label each point, mark each group; return the Axes.

    `groups` gives each group its own colour (from PALETTE) and marker shape and adds a legend: a
    dict word -> group name, a dict group name -> words, or a list of word lists ("group 1",
    "group 2", ...). Words in no group are grey dots. `arrows`: (start, end) pairs of plotted
    words, each drawn as a grey arrow (country -> capital, male -> female: a relation that is one
    direction shows as parallel arrows).
    Unknown words raise KeyError; PCA needs 2 words, t-SNE 3.
    """
    import matplotlib.pyplot as plt

    words = [words] if isinstance(words, str) else list(words)
    pairs = _check_arrows(arrows, words)
    xy = project_2d(emb, words, method=method, seed=seed, perplexity=perplexity)  # (n, 2)
    group_of = _group_of(words, groups)
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 5))
    if group_of is None:
        ax.scatter(xy[:, 0], xy[:, 1], s=20, color=PALETTE[0])
    else:
        names = list(dict.fromkeys(group_of[w] for w in words if w in group_of))
        for k, name in enumerate(names):
            rows = [i for i, w in enumerate(words) if group_of.get(w) == name]
            ax.scatter(xy[rows, 0], xy[rows, 1], s=24, color=PALETTE[k % len(PALETTE)],
                       marker=MARKERS[k % len(MARKERS)], label=name)
        rest = [i for i, w in enumerate(words) if w not in group_of]
        if rest:
            ax.scatter(xy[rest, 0], xy[rest, 1], s=20, color=OTHER_COLOUR, marker="o", label="other")
        ax.legend(loc="best", fontsize="small")
    for (x, y), word in zip(xy, words):
        ax.annotate(word, (x, y), xytext=(3, 3), textcoords="offset points", fontsize=9)
    at = dict(zip(words, xy))
    for start, end in pairs:
        ax.annotate("", xy=at[end], xytext=at[start], arrowprops=dict(arrowstyle="->", color="0.5", lw=0.8))
    prefix = "PC" if method == "pca" else "t-SNE"
    ax.set_xlabel(f"{prefix} 1")
    ax.set_ylabel(f"{prefix} 2")
    ax.set_title(title if title is not None else f"{'PCA' if method == 'pca' else 't-SNE'} of {len(words)} word vectors")
    return ax


# -- losses -----------------------------------------------------------------------------------
def ema(values, beta: float) -> np.ndarray:
    """Return the bias-corrected exponential moving average of `values` with decay `beta`.

    m_t = beta m_{t-1} + (1 - beta) x_t with m_0 = 0, divided by (1 - beta^t) so that the first
    points are not pulled towards zero (the correction Adam uses). beta = 0 returns the values.
    """
    beta = check_float("beta", beta, 0.0, strict=False, maximum=1.0)
    if beta >= 1.0:
        raise ValueError(f"beta must be < 1, got {beta}")
    x = np.asarray(values, dtype=np.float64).ravel()
    if beta == 0.0:
        return x.copy()
    from scipy.signal import lfilter

    m = lfilter([1.0 - beta], [1.0, -beta], x)  # m_t = beta m_{t-1} + (1 - beta) x_t
    return m / (1.0 - beta ** np.arange(1, len(x) + 1))


def default_smoothing(n: int) -> float:
    """Return the EMA decay used for `n` loss points: an effective window of n/20 points, at most 100."""
    window = min(100.0, max(1.0, n / 20.0))
    return 1.0 - 1.0 / window


def plot_losses(losses, ax=None, smooth: float | None = None, label: str | None = None):
    """Plot the raw loss curve faintly and its exponential moving average boldly; return the Axes.

    Minibatch losses are noisy, so the trend is an exponential moving average with decay
    `smooth` (bias-corrected, see :func:`ema`). None picks an effective window of about a
    twentieth of the curve (:func:`default_smoothing`); 0 draws the raw curve only. Several runs
    can share one Axes: each takes the next colour of PALETTE.
    """
    import matplotlib.pyplot as plt

    y = np.asarray(losses, dtype=np.float64)
    if y.ndim != 1 or len(y) == 0:
        raise ValueError(f"losses must be a non-empty 1-D sequence, got shape {y.shape}")
    if not np.isfinite(y).all():
        raise ValueError(f"losses contain a non-finite value at step {int(np.argmax(~np.isfinite(y)))}")
    beta = default_smoothing(len(y)) if smooth is None else check_float("smooth", smooth, 0.0, strict=False, maximum=1.0)
    if beta >= 1.0:
        raise ValueError(f"smooth must be < 1, got {beta}")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    steps = np.arange(len(y))
    name = label or "loss"
    runs = sum(1 for line in ax.lines if line.get_gid() == _RUN_GID)  # runs already on this Axes
    colour = PALETTE[runs % len(PALETTE)]
    if beta == 0.0:
        ax.plot(steps, y, color=colour, linewidth=1.5, label=name, gid=_RUN_GID)
    else:  # the raw curve faint, its trend bold, in the same colour
        ax.plot(steps, y, color=colour, alpha=0.3, linewidth=1.0, label=f"{name} (raw)", gid=_RUN_GID)
        ax.plot(steps, ema(y, beta), color=colour, linewidth=2.0, label=f"{name} (EMA, beta={beta:.2f})")
    ax.set_xlabel("reporting step")
    ax.set_ylabel("loss")
    ax.legend(loc="best", fontsize="small")
    return ax
