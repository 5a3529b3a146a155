"""benchmarks/ch4_budgets.py on a tiny corpus: the table it writes, and bad arguments."""
from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "ch4_budgets.py"


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("ch4_budgets", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tiny_run_writes_one_row_per_model_epochs_and_seed(script, tmp_path):
    out = tmp_path / "table.csv"
    assert script.main(["--seeds", "0,1", "--epochs", "1,2", "--models", "ppmi_svd,sgns_numpy",
                        "--tokens", "20000", "--out", str(out)]) == 0
    with out.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == list(script.COLUMNS)
    keys = {(r["model"], r["epochs"], r["seed"]) for r in rows}
    assert keys == {("ppmi_svd", "0", s) for s in "01"} | {("sgns_numpy", e, s) for e in "12" for s in "01"}
    for r in rows:
        assert 0 <= float(r["accuracy"]) <= 1 and float(r["seconds"]) > 0
    assert not list(tmp_path.glob(".*.tmp"))  # the atomic write leaves no temporary file


def test_the_models_are_chapter_4s_trainers(script):
    assert set(script.MODELS) == {"ppmi_svd", "cbow_softmax_ch2", "sgns_numpy", "sgns_torch",
                                  "cbow_ns_torch"}


@pytest.mark.parametrize("argv", [["--seeds", "a"], ["--seeds", "-1"], ["--epochs", "0"],
                                  ["--epochs", ""], ["--models", "word2vec"], ["--tokens", "10"]])
def test_bad_arguments_exit_with_a_message(script, argv, capsys):
    with pytest.raises(SystemExit) as err:
        script.parse_args(argv)
    assert err.value.code == 2
    assert "error" in capsys.readouterr().err
