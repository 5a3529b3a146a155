"""benchmarks/ch7_polysemy.py and ch7_debias.py: their committed tables, tiny runs, bad arguments."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from w2v_teach import results, senses

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def load(name: str):
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def polysemy():
    return load("ch7_polysemy")


@pytest.fixture(scope="module")
def debias():
    return load("ch7_debias")


def test_polysemy_table_has_six_words_for_each_of_five_seeds(polysemy):
    rows = results.read("ch7_polysemy.csv")
    assert list(rows[0]) == list(polysemy.COLUMNS)
    assert {(r["seed"], r["word"]) for r in rows} == {(s, w) for s in range(5) for w in senses.DEFAULT_RATIOS}
    for r in rows:
        assert r["planted"] == senses.DEFAULT_RATIOS[r["word"]]
        assert all(-1 <= r[k] <= 1 for k in polysemy.COLUMNS if k.startswith(("cos_", "atom_")))
        assert 0 < r["misfit"] < 1
    assert results.comments("ch7_polysemy.csv")[0].startswith("benchmarks/ch7_polysemy.py --seeds 0,1,2,3,4")


def test_debias_table_has_every_measure_for_each_of_five_seeds(debias):
    rows = results.read("ch7_debias.csv")
    assert list(rows[0]) == list(debias.COLUMNS)
    measures = {"projection_max", "district_spearman", "district_weat_d", "district_weat_p",
                "district_abs_s", "neighbour_spearman", "cluster_agreement"}
    assert {(r["seed"], r["measure"]) for r in rows} == {(s, m) for s in range(5) for m in measures}
    for r in rows:
        if r["measure"] == "projection_max":
            assert r["after"] < 1e-6 < r["before"]  # neutralizing zeroes the projections
        if r["measure"] == "cluster_agreement":
            assert 0.5 <= r["after"] <= 1 and 0.5 <= r["before"] <= 1


def test_ksvd_recovers_planted_atoms(polysemy):
    rng = np.random.default_rng(0)
    atoms = polysemy.unit(rng.normal(size=(6, 40)))
    codes = np.zeros((300, 6))
    for row in codes:  # two atoms per vector
        row[rng.choice(6, 2, replace=False)] = rng.uniform(0.5, 1.5, 2)
    learned, found = polysemy.ksvd(codes @ atoms, 6, 2, 20, np.random.default_rng(1))
    # k-SVD can stop in a local minimum; from this start it reaches the planted dictionary
    assert np.abs(learned @ atoms.T).max(axis=0).min() > 0.999  # each planted atom found
    assert np.linalg.norm(found @ learned - codes @ atoms) < 1e-4 * np.linalg.norm(codes @ atoms)


def test_omp_uses_at_most_k_atoms_and_fits_an_exact_combination(polysemy):
    D = np.eye(4)
    C = polysemy.omp(np.array([[0.0, 2.0, 0.0, -1.0]]), D, 2)
    np.testing.assert_allclose(C, [[0.0, 2.0, 0.0, -1.0]])
    assert np.count_nonzero(polysemy.omp(np.ones((3, 4)), D, 3), axis=1).max() == 3


@pytest.mark.slow
def test_tiny_runs_write_their_tables(polysemy, debias, tmp_path):
    assert polysemy.main(["--seeds", "0", "--tokens", "30000", "--atoms", "8", "--sparsity", "2",
                          "--out", str(tmp_path / "p.csv")]) == 0
    assert len(results.read(tmp_path / "p.csv")) == 6
    assert debias.main(["--seeds", "0", "--tokens", "60000", "--out", str(tmp_path / "d.csv")]) == 0
    assert len(results.read(tmp_path / "d.csv")) == 7
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize("argv", [["--seeds", "a"], ["--seeds", "-1"], ["--tokens", "10"],
                                  ["--atoms", "3", "--sparsity", "3"]])
def test_polysemy_bad_arguments_exit_with_a_message(polysemy, argv, capsys):
    with pytest.raises(SystemExit) as err:
        polysemy.parse_args(argv)
    assert err.value.code == 2 and "error" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["--seeds", ""], ["--seeds", "x"], ["--tokens", "100"]])
def test_debias_bad_arguments_exit_with_a_message(debias, argv, capsys):
    with pytest.raises(SystemExit) as err:
        debias.parse_args(argv)
    assert err.value.code == 2 and "error" in capsys.readouterr().err
