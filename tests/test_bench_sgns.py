"""benchmarks/bench_sgns.py on a slice of the Wikipedia sample: the table it writes, its baselines."""
from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import pytest

pytest.importorskip("gensim")
SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_sgns.py"


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("bench_sgns", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read(path: Path) -> list[dict]:
    with path.open(newline="") as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


def test_gensim_rows_write_one_row_per_run_in_both_units(script, tmp_path, capsys):
    out = tmp_path / "bench.csv"
    rows = ",".join([script.G1, script.G2_ITER, script.G2_FILE])
    assert script.main(["--tokens", "20000", "--epochs", "1", "--repeats", "2", "--rows", rows,
                        "--out", str(out)]) == 0
    table = read(out)
    assert list(table[0]) == list(script.COLUMNS)
    assert sorted((r["row"], r["seed"]) for r in table) == sorted(
        (name, s) for name in rows.split(",") for s in "01")
    for r in table:
        assert int(r["effective_words"]) < int(r["raw_words"])  # subsampling drops words
        assert float(r["raw_wps"]) == pytest.approx(int(r["raw_words"]) / float(r["train_s"]), rel=1e-4)
        assert float(r["cpu_s"]) > 0 and float(r["wall_s"]) >= float(r["train_s"])
    assert out.read_text().startswith("# python benchmarks/bench_sgns.py")
    printed = capsys.readouterr().out
    assert "stronger gensim workers=2 mode here:" in printed and "medians over 2 repeat(s)" in printed
    assert not list(tmp_path.glob(".*.tmp"))  # the atomic write leaves no temporary file


def test_the_hogwild_row_is_compared_with_the_stronger_gensim_mode(script):
    med = {script.G2_ITER: {"raw_wps": 300.0}, script.G2_FILE: {"raw_wps": 400.0}}
    assert script.resolve(script.STRONGER, med) == script.G2_FILE
    med[script.G2_ITER]["raw_wps"] = 500.0
    assert script.resolve(script.STRONGER, med) == script.G2_ITER
    assert script.resolve(script.G1, med) is None  # a baseline that did not run gives no ratio
    assert script.table_rows(1)[script.HOG2][1] == script.STRONGER


def test_both_hogwild_rows_use_the_same_batch_per_worker(script):
    rows = script.table_rows(1)
    assert {script.HOG1, script.HOG2, script.G1, script.G2_ITER, script.G2_FILE} <= set(rows)
    assert script.HOG_BATCH == 1024


@pytest.mark.slow
def test_every_row_runs_on_a_slice(script, tmp_path):
    out = tmp_path / "bench.csv"
    assert script.main(["--quick", "--tokens", "20000", "--threads", "1", "--out", str(out)]) == 0
    names = {r["row"] for r in read(out)}
    assert names == set(script.table_rows(1))


def test_an_unknown_row_is_refused_with_the_names(script, capsys):
    assert script.main(["--quick", "--rows", "gensim workers=3"]) == 2
    assert "gensim workers=1" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["--epochs", "0"], ["--repeats", "0"], ["--threads", "0"],
                                  ["--tokens", "10"], ["--epochs", "x"]])
def test_bad_arguments_exit_with_a_message(script, argv, capsys):
    with pytest.raises(SystemExit) as err:
        script.parse_args(argv)
    assert err.value.code == 2
    assert "error" in capsys.readouterr().err


def test_the_fast_rows_pass_the_options_profile_trainers_measured(script):
    spec = importlib.util.spec_from_file_location("profile_trainers", SCRIPT.parent / "profile_trainers.py")
    profile = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(profile)
    assert (script.FAST_NUMPY, script.FAST_TORCH, script.FAST_HS) == (
        profile.FAST_NUMPY, profile.FAST_TORCH, profile.FAST_HS)
    rows = script.table_rows(1)
    assert rows[script.HOG2_FAST][1] == script.STRONGER  # compared with the stronger gensim mode
    assert rows[script.HS_FAST][1] == script.HS_REF and rows[script.NUMPY_FAST][1] == script.G1
    assert script.FAST_NUMPY["shared_negatives"] > script.HYPER["negatives"]  # >= K noise per pair


def test_the_committed_table_has_the_rows_chapter_9_reads(script):
    from w2v_teach import results

    table = results.read("bench_sgns.csv")
    assert list(table[0]) == list(script.COLUMNS)
    assert results.comments("bench_sgns.csv")[0].startswith("python benchmarks/bench_sgns.py")
    for name in (script.G1, script.G2_ITER, script.G2_FILE, script.HOG1, script.HOG2,
                 script.NUMPY, script.NUMPY_FAST, script.HOG2_FAST, script.HS_REF, script.HS_FAST):
        runs = [r for r in table if r["row"] == name]
        assert len(runs) >= 5, name  # medians over at least five repeats
        assert len({r["seed"] for r in runs}) == len(runs)
        for r in runs:
            assert 0 < r["effective_words"] < r["raw_words"] and r["cpu_s"] > 0
