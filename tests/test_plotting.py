"""Tests for w2v_teach.plotting: what is drawn, determinism, smoothing, error paths."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from w2v_teach.embeddings import Embeddings  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from w2v_teach.plotting import (  # noqa: E402
    MARKERS, PALETTE, default_smoothing, ema, plot_embeddings, plot_losses, project_2d,
)

# Okabe and Ito (2008), "Color Universal Design": the eight colours of the colour-blind-safe set.
OKABE_ITO = {"#000000", "#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7"}


@pytest.fixture(autouse=True)
def close_figures(monkeypatch):
    def no_show(*args, **kwargs):
        raise AssertionError("the library must not call plt.show()")

    monkeypatch.setattr(plt, "show", no_show)
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def emb():
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(40)]
    return Embeddings(words, rng.normal(size=(40, 8)))


def n_points(ax) -> int:
    return sum(len(c.get_offsets()) for c in ax.collections)


def legend_labels(ax) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


# -- projections --------------------------------------------------------------------------------
def test_pca_matches_scikit_learn_on_unit_vectors(emb):
    from sklearn.decomposition import PCA

    words = emb.words[:10]
    xy = project_2d(emb, words)
    X = emb.vectors[:10] / np.linalg.norm(emb.vectors[:10], axis=1, keepdims=True)
    expected = PCA(n_components=2, svd_solver="full").fit_transform(X)
    signs = np.sign(np.sum(xy * expected, axis=0))  # components are defined up to sign
    np.testing.assert_allclose(xy, expected * signs, atol=1e-10)


def test_pca_of_two_words_and_sign_convention(emb):
    xy = project_2d(emb, ["w0", "w1"])
    assert xy.shape == (2, 2)
    np.testing.assert_allclose(xy[:, 1], 0, atol=1e-12)  # two points span one direction
    np.testing.assert_allclose(xy[:, 0], np.array([1, -1]) * np.linalg.norm(emb.unit[0] - emb.unit[1]) / 2 * np.sign(xy[0, 0]))
    np.testing.assert_array_equal(project_2d(emb, emb.words[:6]), project_2d(emb, emb.words[:6]))


def test_tsne_is_deterministic_for_a_seed(emb):
    words = emb.words[:12]
    first = project_2d(emb, words, method="tsne", seed=3)
    again = project_2d(emb, words, method="tsne", seed=3)
    assert first.shape == (12, 2)
    np.testing.assert_array_equal(first, again)


def test_plot_draws_one_labelled_point_per_word(emb):
    words = emb.words[:7]
    fig, ax = plt.subplots()
    out = plot_embeddings(emb, words, ax=ax, title="seven words")
    assert out is ax
    assert n_points(ax) == 7
    assert [t.get_text() for t in ax.texts] == words
    np.testing.assert_allclose(np.vstack([c.get_offsets() for c in ax.collections]), project_2d(emb, words))
    assert ax.get_title() == "seven words"
    assert ax.get_legend() is None
    assert ax.get_xlabel() == "PC 1"


def test_arrows_join_the_plotted_points(emb):
    words = emb.words[:4]
    ax = plot_embeddings(emb, words, arrows=[(words[0], words[1]), (words[2], words[3])])
    arrows = [t for t in ax.texts if t.arrow_patch is not None]
    assert len(arrows) == 2 and [t.get_text() for t in ax.texts if t.arrow_patch is None] == words
    xy = project_2d(emb, words)
    np.testing.assert_allclose([arrows[0].xyann, arrows[0].xy], [xy[0], xy[1]])


def test_plot_tsne_creates_axes(emb):
    ax = plot_embeddings(emb, emb.words[:5], method="tsne", seed=1)
    assert n_points(ax) == 5 and len(ax.texts) == 5
    assert "t-SNE" in ax.get_title()


@pytest.mark.parametrize("groups", [
    {"w0": "odd one", "w1": "pair", "w2": "pair"},
    {"odd one": ["w0"], "pair": ["w1", "w2"]},
])
def test_groups_colour_points_and_add_a_legend(emb, groups):
    ax = plot_embeddings(emb, ["w0", "w1", "w2", "w3"], groups=groups)
    assert legend_labels(ax) == ["odd one", "pair", "other"]
    sizes = [len(c.get_offsets()) for c in ax.collections]
    assert sizes == [1, 2, 1]
    colours = [tuple(c.get_facecolor()[0]) for c in ax.collections]
    assert len(set(colours)) == 3


def test_groups_differ_by_colour_blind_safe_colour_and_by_marker(emb):
    groups = {f"g{k}": [f"w{2 * k}", f"w{2 * k + 1}"] for k in range(6)}
    ax = plot_embeddings(emb, [f"w{i}" for i in range(14)], groups=groups)
    grouped = ax.collections[:6]
    colours = [to_hex(c.get_facecolor()[0]) for c in grouped]
    assert set(colours) <= OKABE_ITO and len(set(colours)) == 6
    shapes = [c.get_paths()[0].vertices.round(3).tobytes() for c in grouped]
    assert len(set(shapes)) == 6, "each group needs its own marker shape"
    assert len(MARKERS) == len(PALETTE) and {c.lower() for c in PALETTE} == OKABE_ITO


def test_groups_as_list_of_lists(emb):
    ax = plot_embeddings(emb, ["w0", "w1", "w2", "w3"], groups=[["w0", "w1"], ["w2", "w3"]])
    assert legend_labels(ax) == ["group 1", "group 2"]
    assert n_points(ax) == 4


def test_plotting_leaves_rcparams_alone(emb):
    before = dict(plt.rcParams)
    plot_embeddings(emb, emb.words[:4], groups=[["w0"]])
    plot_losses(np.linspace(3, 1, 50))
    assert dict(plt.rcParams) == before


@pytest.mark.parametrize("words, kwargs, error, match", [
    (["w0", "nope"], {}, KeyError, "nope"),
    (["w0"], {}, ValueError, "at least 2"),
    (["w0", "w1"], {"method": "tsne"}, ValueError, "at least 3"),
    (["w0", "w1", "w2"], {"method": "tsne", "perplexity": 3}, ValueError, "perplexity"),
    (["w0", "w1", "w0"], {}, ValueError, "'w0' appears more than once"),
    (["w0", "w1"], {"method": "umap"}, ValueError, "method"),
    (["w0", "w1"], {"groups": {"w5": "x"}}, ValueError, "w5"),
    (["w0", "w1"], {"groups": ["w0"]}, ValueError, "list of word lists"),
    (["w0", "w1"], {"seed": -1}, ValueError, "seed"),
    (["w0", "w1"], {"arrows": [("w0", "w5")]}, ValueError, "w5"),
    (["w0", "w1"], {"arrows": [("w0",)]}, ValueError, "pair"),
])
def test_plot_embeddings_errors(emb, words, kwargs, error, match):
    with pytest.raises(error, match=match):
        plot_embeddings(emb, words, **kwargs)


# -- losses -------------------------------------------------------------------------------------
def test_ema_matches_a_hand_loop():
    rng = np.random.default_rng(1)
    x = rng.random(200)
    beta = 0.9
    m, expected = 0.0, []
    for t, value in enumerate(x, start=1):
        m = beta * m + (1 - beta) * value
        expected.append(m / (1 - beta**t))
    np.testing.assert_allclose(ema(x, beta), expected, rtol=1e-12)


def test_ema_is_unbiased_on_a_constant_and_zero_beta_is_identity():
    np.testing.assert_allclose(ema(np.full(30, 2.5), 0.99), 2.5)
    x = np.array([3.0, 1.0, 2.0])
    np.testing.assert_array_equal(ema(x, 0.0), x)
    with pytest.raises(ValueError, match="beta"):
        ema(x, 1.0)


def test_plot_losses_draws_raw_and_smoothed():
    rng = np.random.default_rng(2)
    losses = 3 * np.exp(-np.arange(400) / 100) + rng.normal(scale=0.3, size=400)
    fig, ax = plt.subplots()
    out = plot_losses(losses, ax=ax, smooth=0.95)
    assert out is ax
    raw, smooth = ax.lines
    np.testing.assert_array_equal(raw.get_ydata(), losses)
    np.testing.assert_allclose(smooth.get_ydata(), ema(losses, 0.95))
    assert raw.get_alpha() < 1 and smooth.get_linewidth() > raw.get_linewidth()
    assert raw.get_color() == smooth.get_color()
    assert ax.get_xlabel() and ax.get_ylabel() == "loss"
    assert len(legend_labels(ax)) == 2


def test_plot_losses_default_and_disabled_smoothing():
    losses = np.linspace(5, 1, 1000)
    ax = plot_losses(losses)
    assert default_smoothing(1000) == pytest.approx(0.98)
    np.testing.assert_allclose(ax.lines[1].get_ydata(), ema(losses, 0.98))
    ax = plot_losses(losses, smooth=0)
    assert len(ax.lines) == 1
    assert default_smoothing(10) == 0.0


def test_two_runs_on_one_axes_get_different_colours():
    fig, ax = plt.subplots()
    plot_losses(np.linspace(3, 1, 100), ax=ax, label="numpy")
    plot_losses(np.linspace(3, 2, 100), ax=ax, label="torch")
    assert ax.lines[0].get_color() != ax.lines[2].get_color()
    assert {to_hex(line.get_color()) for line in ax.lines} == {"#0072b2", "#e69f00"}  # Okabe-Ito
    assert legend_labels(ax)[0].startswith("numpy") and legend_labels(ax)[-1].startswith("torch")


@pytest.mark.parametrize("losses, kwargs, match", [
    ([], {}, "non-empty"),
    ([[1.0, 2.0]], {}, "1-D"),
    ([1.0, np.nan, 2.0], {}, "step 1"),
    ([1.0, 2.0], {"smooth": 1.0}, "smooth"),
    ([1.0, 2.0], {"smooth": -0.1}, "smooth"),
])
def test_plot_losses_errors(losses, kwargs, match):
    with pytest.raises(ValueError, match=match):
        plot_losses(losses, **kwargs)
