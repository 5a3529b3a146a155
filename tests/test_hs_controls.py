"""benchmarks/hs_controls.py: the tables it writes (a quick run) and the committed tables' shape."""
from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import pytest

import w2v_teach as w2v

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "hs_controls.py"


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("hs_controls", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _read(path):
    with Path(path).open(newline="") as f:
        return list(csv.DictReader(f))


def _check_trees(script, rows, seeds, epochs_of):
    assert rows and list(rows[0]) == list(script.TREE_COLUMNS)
    keys = {(r["model"], r["output"], r["epochs"], r["seed"]) for r in rows}
    assert len(keys) == len(rows)
    expected = {(m, o, str(e), str(s)) for m, outs in script.OUTPUTS.items() for o in outs
                for e in epochs_of(o) for s in seeds}
    assert keys == expected
    for r in rows:
        assert 0 <= float(r["accuracy"]) <= 1 and float(r["seconds"]) > 0
        assert (r["avg_path"] == "") == (not r["output"].startswith("hs_"))


def _check_bands(script, rows, seeds):
    assert rows and list(rows[0]) == list(script.BAND_COLUMNS)
    sections = {r["section"] for r in rows}
    assert {(r["output"], r["seed"]) for r in rows} == {(o, str(s)) for o in script.BAND_OUTPUTS for s in seeds}
    assert len(rows) == len(script.BAND_OUTPUTS) * len(seeds) * len(sections) * 2
    for r in rows:
        assert r["band"] in {"rare", "frequent"} and 0 <= int(r["correct"]) <= int(r["questions"])


def test_quick_run_writes_both_tables(script, tmp_path):
    trees, bands = tmp_path / "t.csv", tmp_path / "b.csv"
    assert script.main(["--quick", "--seeds", "0", "--trees-out", str(trees), "--bands-out", str(bands)]) == 0
    _check_trees(script, _read(trees), ["0"], lambda o: [1])
    _check_bands(script, _read(bands), ["0"])
    before = trees.stat().st_mtime_ns
    assert script.main(["--quick", "--seeds", "0", "--trees-out", str(trees), "--bands-out", str(bands)]) == 0
    assert trees.stat().st_mtime_ns == before  # nothing left to train, nothing rewritten
    assert not list(tmp_path.glob(".*.tmp"))


def test_committed_tables_have_every_run(script):
    trees = _read(w2v.datasets.results_table("hs_trees.csv"))
    seeds = sorted({r["seed"] for r in trees})
    assert len(seeds) >= 3
    _check_trees(script, trees, seeds, lambda o: script.EPOCHS.get(o, (1, 3)))
    bands = _read(w2v.datasets.results_table("hs_bands.csv"))
    _check_bands(script, bands, sorted({r["seed"] for r in bands}))
    assert len({r["seed"] for r in bands}) >= 3


@pytest.mark.parametrize("argv, match", [(["--seeds", "a"], "integers"), (["--seeds", "-1"], "non-negative")])
def test_bad_arguments_are_named(script, argv, match, capsys):
    with pytest.raises(SystemExit):
        script.main(argv)
    assert match in capsys.readouterr().err


def test_unknown_output_is_named(script):
    with pytest.raises(ValueError, match="unknown output 'softmax' for model 'skipgram'"):
        script.train(["a"] * 10, "skipgram", "softmax", 1, 0)
