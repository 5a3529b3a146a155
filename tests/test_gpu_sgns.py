"""benchmarks/gpu_sgns.py: refuses without CUDA, and its CPU smoke run writes the table's rows."""
from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "gpu_sgns.py"


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("gpu_sgns", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(torch.cuda.is_available(), reason="a CUDA device is present")
def test_without_cuda_it_refuses_with_status_3_and_writes_nothing(script, capsys, tmp_path):
    out = tmp_path / "gpu.csv"
    assert script.main(["--out", str(out)]) == script.NO_CUDA == 3
    err = capsys.readouterr().err
    assert "no CUDA device" in err and "--device cpu --quick" in err
    assert not out.exists()


def test_cpu_smoke_run_writes_one_row_per_corpus_and_batch(script, tmp_path):
    out = tmp_path / "gpu.csv"
    assert script.main(["--device", "cpu", "--quick", "--out", str(out)]) == 0
    with out.open(newline="") as f:
        rows = list(csv.DictReader(line for line in f if not line.startswith("#")))
    assert list(rows[0]) == list(script.COLUMNS)
    assert [(r["corpus"], r["batch"]) for r in rows] == [
        (c, b) for c in ("wiki_sample", "planted 100,000") for b in ("256", "1024")]
    for r in rows:
        assert r["status"] == "ok" and r["device"].startswith("CPU")
        assert int(r["effective_words"]) < int(r["raw_words"])  # subsampling drops words
        assert float(r["raw_wps"]) > float(r["effective_wps"]) > 0
        assert -1 <= float(r["score"]) <= 1 and r["score_name"]
    assert out.read_text().startswith("# python benchmarks/gpu_sgns.py")


def test_cpu_run_writes_no_table_unless_asked(script):
    args = script.parse_args(["--device", "cpu"])
    assert args.out is None and script.parse_args([]).out == script.TABLE


def test_the_budget_stops_starting_runs(script, capsys, tmp_path):
    assert script.main(["--device", "cpu", "--quick", "--budget", "1e-9",
                        "--out", str(tmp_path / "g.csv")]) == 0
    assert "not run (budget): [('wiki_sample', 256)" in capsys.readouterr().out
    assert not (tmp_path / "g.csv").exists()


@pytest.mark.parametrize("argv", [["--batches", "a,b"], ["--batches", "8"], ["--tokens", "10"],
                                  ["--budget", "0"], ["--device", "tpu"]])
def test_bad_arguments_exit_with_a_message(script, argv, capsys):
    with pytest.raises(SystemExit) as err:
        script.parse_args(argv)
    assert err.value.code == 2
    assert "error" in capsys.readouterr().err
