"""benchmarks/knob_sweeps.py still runs: a reduced grid on both corpora, and the table it writes."""
from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "knob_sweeps.py"


@pytest.fixture(scope="module")
def sweeps():
    spec = importlib.util.spec_from_file_location("knob_sweeps", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_table(path: Path) -> tuple[list[str], list[dict]]:
    lines = path.read_text().splitlines()
    comments = [line for line in lines if line.startswith("#")]
    return comments, list(csv.DictReader(line for line in lines if not line.startswith("#")))


@pytest.mark.parametrize("corpus, extra", [("world", []), ("wiki", ["--wiki-tokens", "30000"])])
def test_quick_sweep_writes_the_table(sweeps, tmp_path, corpus, extra):
    assert sweeps.main(["--corpus", corpus, "--quick", "--seeds", "0", "1", "--out", str(tmp_path), *extra]) == 0
    comments, rows = read_table(tmp_path / f"knobs_{corpus}.csv")
    assert comments[0].startswith("# command: python benchmarks/knob_sweeps.py --corpus")
    assert comments[-1].startswith("# finished")
    expected = sweeps.plan(sweeps.QUICK_KNOBS, [0, 1])
    assert [(r["knob"], r["value"], r["trainer"], int(r["seed"])) for r in rows] == \
        [(k, str(v), t, s) for k, v, t, s in expected]
    assert list(rows[0]) == sweeps.COLUMNS
    for r in rows:
        assert -1 <= float(r["score"]) <= 1 and int(r["n_eval"]) > 0
        if corpus == "wiki":
            assert float(r["score_low"]) <= float(r["score"]) <= float(r["score_high"])
    # the baseline (window 5 = loss ns) is trained once per seed and reported in both sweeps
    base = [r for r in rows if (r["knob"], r["value"]) in {("window", "5"), ("loss", "ns")} and r["seed"] == "0"]
    assert base[0]["score"] == base[1]["score"]


def test_settings_move_one_knob(sweeps):
    hp = sweeps.settings("wiki", "window", 10)
    assert hp == dict(sweeps.BASE, window=10, epochs=sweeps.BASE_EPOCHS["wiki"])
    assert sweeps.settings("world", "epochs", 20)["epochs"] == 20
    assert set(sweeps.KNOBS) == {"window", "dim", "negatives", "t", "min_count", "epochs", "model", "loss",
                                 "lr", "ns_exponent", "phrases"}
    assert all(sweeps.BASE.get(k, sweeps.BASE_EPOCHS["wiki"]) in v for k, v in sweeps.KNOBS.items())


def test_bad_corpus_is_refused(sweeps, capsys):
    with pytest.raises(SystemExit):
        sweeps.main(["--corpus", "text8"])
    assert "invalid choice" in capsys.readouterr().err


def test_knobs_and_name_split_a_sweep(sweeps, tmp_path):
    argv = ["--corpus", "world", "--quick", "--seeds", "0", "--knobs", "loss", "--name", "part", "--out", str(tmp_path)]
    assert sweeps.main(argv) == 0
    _, rows = read_table(tmp_path / "part.csv")
    assert [(r["knob"], r["value"]) for r in rows] == [("loss", "ns"), ("loss", "hs")]


def test_grid_chooses_knobs_and_values(sweeps, tmp_path):
    argv = ["--corpus", "world", "--quick", "--seeds", "0", "--grid", "dim=25,50", "model=cbow",
            "--name", "grid", "--out", str(tmp_path)]
    assert sweeps.main(argv) == 0
    _, rows = read_table(tmp_path / "grid.csv")
    assert [(r["knob"], r["value"]) for r in rows] == [("dim", "25"), ("dim", "50"), ("model", "cbow")]
    assert sweeps.parse_grid("t=1e-05,0.001") == ("t", [1e-5, 1e-3])


@pytest.mark.parametrize("bad", ["size=3", "dim=", "dim=a,b"])
def test_grid_errors(sweeps, bad, capsys):
    with pytest.raises(SystemExit):
        sweeps.main(["--corpus", "world", "--grid", bad])
    assert "--grid" in capsys.readouterr().err


def test_set_moves_the_baseline_and_the_rows_say_so(sweeps, tmp_path):
    argv = ["--corpus", "world", "--quick", "--seeds", "0", "--set", "t=0.001", "--grid", "window=2",
            "--name", "moved", "--out", str(tmp_path)]
    assert sweeps.main(argv) == 0
    comments, rows = read_table(tmp_path / "moved.csv")
    assert "'t': 0.001" in comments[1]
    assert [(r["knob"], r["value"], r["base"]) for r in rows] == [("window", "2", "t=0.001")]
    assert sweeps.settings("world", "window", 2, moved={"t": 0.001})["t"] == 0.001


def test_wiki_rows_carry_common_pairs_and_frequency_correlation(sweeps, tmp_path):
    import w2v_teach as w2v

    tokens = w2v.datasets.wiki_sample()
    common = sweeps.common_pairs(tokens)
    counts = {}
    for w in tokens:
        counts[w] = counts.get(w, 0) + 1
    assert common and all(min(counts[p.w1], counts[p.w2]) >= sweeps.COMMON_MIN_COUNT for p in common)
    assert len(common) < len(sweeps.common_pairs(tokens, min_count=5))
    argv = ["--corpus", "wiki", "--quick", "--seeds", "0", "--grid", "phrases=1", "--name", "ph", "--out", str(tmp_path)]
    assert sweeps.main(argv) == 0
    _, rows = read_table(tmp_path / "ph.csv")
    assert -1 <= float(rows[0]["freq_corr"]) <= 1 and -1 <= float(rows[0]["score_common"]) <= 1


def test_phrases_join_pairs(sweeps):
    import w2v_teach as w2v

    tokens = w2v.datasets.wiki_sample()[:100_000]
    joined = sweeps.join_phrases(tokens)
    assert "new_york" in joined and "new_york" not in tokens and len(joined) < len(tokens)


def test_the_committed_tables_have_three_seeds_for_every_setting(sweeps):
    # The chapter reads these tables: every setting it plots has seeds 0, 1 and 2 with a score.
    from w2v_teach import datasets, results

    seen: dict[tuple, set] = {}
    for path in sorted(datasets.RESULTS.glob("knobs_*.csv")):
        corpus = path.name.split("_")[1].removesuffix(".csv")
        for r in results.read(path, typed=False):
            if r["trainer"] == "gensim" and r["score"]:
                seen.setdefault((corpus, r.get("base") or "", r["knob"], r["value"]), set()).add(r["seed"])
    for knob in ["lr", "ns_exponent"]:
        for value in sweeps.KNOBS[knob]:
            if str(value) not in {"0.025", "0.75"}:  # the baseline comes from the other sweeps
                assert seen[("world", "", knob, format(value, ".6g"))] == {"0", "1", "2"}
    for knob, value in [("lr", "0.0125"), ("lr", "0.05"), ("ns_exponent", "0.5"), ("ns_exponent", "1")]:
        assert seen[("wiki", "", knob, value)] == {"0", "1", "2"}
    assert seen[("wiki", "", "phrases", "1")] == {"0", "1", "2"}
    for base in ["t=0.0", "t=0.001"]:  # the window x subsampling grid
        for window in ["2", "5", "10"]:
            assert seen[("world", base, "window", window)] == {"0", "1", "2"}
    common = [r for r in results.read("knobs_wiki_13.csv", typed=False) if r["knob"] == "min_count"]
    assert {(r["value"], r["seed"]) for r in common if r["score_common"]} == \
        {(v, s) for v in ["1", "5", "20"] for s in "012"}
    assert all(-1 <= float(r["freq_corr"]) <= 1 for r in common)
