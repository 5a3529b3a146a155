"""benchmarks/wiki_convergence.py on a tiny grid: the table it writes, resuming, bad arguments."""
from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "wiki_convergence.py"


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("wiki_convergence", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def rows_of(path: Path) -> list[dict]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def test_tiny_grid_writes_one_row_per_run_and_resumes(script, tmp_path):
    out = tmp_path / "table.csv"
    trainers = "numpy,gensim,torch" if importlib.util.find_spec("torch") else "numpy,gensim"
    argv = ["--epochs", "1,2", "--seeds", "0", "--dims", "8", "--trainers", trainers,
            "--tokens", "20000", "--out", str(out)]
    assert script.main(argv) == 0
    rows = rows_of(out)
    assert list(rows[0]) == list(script.COLUMNS)
    assert len(rows) == 2 * len(trainers.split(","))
    assert {(r["trainer"], r["epochs"]) for r in rows} == {(t, e) for t in trainers.split(",") for e in "12"}
    for r in rows:
        assert 0 <= float(r["ws_cov"]) <= 1 and 0 <= float(r["google"]) <= 1
        assert float(r["seconds"]) > 0
    assert not list(tmp_path.glob(".*.tmp"))  # the atomic write leaves no temporary file
    before = out.read_text()
    assert script.main(argv[:-2] + ["--out", str(out)]) == 0  # every run done: nothing retrained
    assert out.read_text() == before
    assert script.main(["--epochs", "1", "--seeds", "1", "--dims", "8", "--trainers", "numpy",
                        "--tokens", "20000", "--out", str(out)]) == 0
    assert len(rows_of(out)) == len(rows) + 1  # a new seed only adds its row


@pytest.mark.parametrize("argv", [["--trainers", "numpy,fasttext"], ["--epochs", "0"], ["--epochs", "a,b"],
                                  ["--dims", "-3"], ["--tokens", "10"], ["--trainers", ""], ["--lrs", "0"], ["--lrs", "x"]])
def test_bad_arguments_stop_with_a_usage_error(script, argv):
    with pytest.raises(SystemExit) as err:
        script.parse_args(argv)
    assert err.value.code == 2


def test_unknown_trainer_function(script):
    with pytest.raises(ValueError, match="fasttext"):
        script.trainer_function("fasttext")
