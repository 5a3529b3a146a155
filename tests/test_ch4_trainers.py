"""benchmarks/ch4_trainers.py on a tiny corpus: the table it writes, and bad arguments."""
from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "ch4_trainers.py"


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("ch4_trainers", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tiny_run_writes_one_row_per_model_and_seed(script, tmp_path):
    out = tmp_path / "table.csv"
    models = "ppmi_svd,sgns_numpy,sgns_torch" if importlib.util.find_spec("torch") else "ppmi_svd,sgns_numpy"
    assert script.main(["--seeds", "0,1", "--models", models, "--tokens", "20000", "--out", str(out)]) == 0
    with out.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == list(script.COLUMNS)
    assert {(r["model"], r["seed"]) for r in rows} == {(m, s) for m in models.split(",") for s in "01"}
    for r in rows:
        assert 0 <= float(r["accuracy"]) <= 1 and float(r["seconds"]) > 0
    ppmi = [float(r["accuracy"]) for r in rows if r["model"] == "ppmi_svd"]
    assert ppmi[0] == ppmi[1]  # the count vectors have no random start
    assert not list(tmp_path.glob(".*.tmp"))  # the atomic write leaves no temporary file


def test_every_model_has_a_training_function(script):
    assert set(script.MODELS) == {"ppmi_svd", "cbow_softmax", "cbow_softmax_ch2", "sgns_numpy",
                                  "sgns_torch", "cbow_ns_torch"}


@pytest.mark.parametrize("argv", [["--seeds", "a"], ["--seeds", "-1"], ["--seeds", ""],
                                  ["--models", "word2vec"], ["--models", ","], ["--tokens", "10"]])
def test_bad_arguments_exit_with_a_message(script, argv, capsys):
    with pytest.raises(SystemExit) as err:
        script.parse_args(argv)
    assert err.value.code == 2
    assert "error" in capsys.readouterr().err
