"""benchmarks/beyond_words.py: its pair arithmetic, a tiny recommend run, and the shipped tables."""
from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import pytest

import w2v_teach as w2v

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "beyond_words.py"
METHODS = {"most popular", "co-occurrence", "ALS (implicit)", "item2vec cosine", "item2vec v.u",
           "gensim item2vec cosine"}


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("beyond_words", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_pairs_per_walk_counts_both_directions(script):
    assert script.pairs_per_walk(5, 1) == 8  # 4 neighbouring pairs, both ways
    assert script.pairs_per_walk(5, 2) == 14
    assert script.pairs_per_walk(3, 10) == 6  # the window cannot reach past the walk
    assert script.budget_epochs(5, 1, 3000) == round(script.PAIRS / 24_000)
    assert script.budget_epochs(10_000, 5, 3000) == 1


def test_grids_are_the_same_size(script):
    assert len(script.ITEM2VEC_GRID) == len(script.ALS_GRID) == 8
    assert {p for p, _, _ in script.ITEM2VEC_GRID} >= {-0.5, 0.75}


def test_tiny_recommend_run_chooses_one_setting_per_method(script, tmp_path):
    small = [(0.75, None, 1), (0.25, 1, 1)]
    script.ITEM2VEC_GRID[:], saved = small, list(script.ITEM2VEC_GRID)
    try:
        assert script.main(["--only", "recommend", "--seeds", "1", "--sessions", "300",
                            "--out", str(tmp_path)]) == 0
    finally:
        script.ITEM2VEC_GRID[:] = saved
    with (tmp_path / "ch08_recommend.csv").open(newline="") as f:
        chosen = list(csv.DictReader(f))
    with (tmp_path / "ch08_tuning.csv").open(newline="") as f:
        grid = list(csv.DictReader(f))
    assert {r["method"] for r in chosen} == METHODS and len(chosen) == len(METHODS)
    for r in chosen:  # the chosen setting is the best on validation among those tried
        tried = [g for g in grid if g["method"] == r["method"]]
        assert float(r["val_ndcg10"]) == max(float(g["val_ndcg10"]) for g in tried)
        assert 0 <= float(r["ndcg10"]) <= float(r["hr10"]) <= float(r["hr10_max"]) <= 1
    assert len(grid) == 1 + 3 + len(script.ALS_GRID) + 2 * 2 + 1
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize("argv", [["--seeds", "0"], ["--sessions", "10"], ["--pairs", "0"]])
def test_bad_arguments_exit(script, argv):
    with pytest.raises(SystemExit):
        script.main(argv)


def test_shipped_tables_have_every_seed_and_setting():
    rec = w2v.results.read("ch08_recommend.csv")
    assert {r["method"] for r in rec} == METHODS and {r["seed"] for r in rec} == set(range(5))
    grid = w2v.results.read("ch08_tuning.csv")
    assert len(grid) == 5 * (1 + 3 + 8 + 2 * 8 + 1)
    dw = w2v.results.read("ch08_deepwalk.csv")
    assert {r["budget"] for r in dw if r["method"] != "spectral"} == {"1 epoch", "equal pairs"}
    assert {r["seed"] for r in dw} == {0, 1, 2}
    for r in dw:
        if r["budget"] == "equal pairs":  # within a factor 1.5 of the budget
            assert 1e6 / 1.5 <= r["pairs"] <= 1.5e6 or r["epochs"] == 1
