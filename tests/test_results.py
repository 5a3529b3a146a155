"""results: the one reader and writer of the benchmark tables."""
import pytest

from w2v_teach import datasets, results


def test_read_types_the_values_and_skips_the_comment_lines():
    rows = results.read("knobs_world.csv")
    assert rows and all(isinstance(r["seed"], int) for r in rows)
    assert results.comments("knobs_world.csv")[0].startswith("command: python benchmarks/knob_sweeps.py")
    raw = results.read("hs_quality.csv", typed=False)
    assert isinstance(raw[0]["seed"], str) and raw[0]["trainer"] == "hs"


@pytest.mark.parametrize("name", sorted(p.name for p in datasets.RESULTS.glob("*.csv")))
def test_every_committed_table_survives_a_round_trip(name, tmp_path):
    rows = results.read(name, typed=False)
    columns = list(rows[0])
    path = results.write(tmp_path / name, rows, columns, header=results.comments(name))
    assert results.read(path, typed=False) == rows and results.comments(path) == results.comments(name)


def test_write_sorts_formats_and_writes_atomically(tmp_path):
    path = results.write(tmp_path / "t.csv", [{"a": 2, "b": 1 / 3}, {"a": 1, "b": 0.5}], ["a", "b"],
                         header=["made by a test"], sort_key=lambda r: r["a"], float_format=".6g")
    assert path.read_text() == "# made by a test\na,b\n1,0.5\n2,0.333333\n"
    assert results.read(path) == [{"a": 1, "b": 0.5}, {"a": 2, "b": 0.333333}]
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_summarise_gives_mean_std_and_n_per_group():
    rows = [{"m": "x", "v": 1.0}, {"m": "x", "v": 3.0}, {"m": "y", "v": 5.0}]
    assert results.summarise(rows, ["m"], "v") == {("x",): (2.0, 2 ** 0.5, 2), ("y",): (5.0, 0.0, 1)}


def test_missing_tables_name_themselves(tmp_path):
    with pytest.raises(FileNotFoundError, match="committed tables"):
        results.read("nope.csv")
    with pytest.raises(FileNotFoundError, match="no results table"):
        results.read(tmp_path / "nope.csv")
    assert results.read(tmp_path / "nope.csv", missing_ok=True) == []


def test_group_keeps_the_values_of_each_group_in_order_of_first_row():
    rows = [{"m": "b", "e": 1, "x": 2}, {"m": "a", "e": 1, "x": "3"}, {"m": "b", "e": 2, "x": 4},
            {"m": "b", "e": 1, "x": 5}]
    assert results.group(rows, "m", "x") == {"b": [2.0, 4.0, 5.0], "a": [3.0]}
    assert list(results.group(rows, "m", "x")) == ["b", "a"]
    assert results.group(rows, ["m", "e"], "x") == {("b", 1): [2.0, 5.0], ("a", 1): [3.0], ("b", 2): [4.0]}
    mean, sd, n = results.summarise(rows, ["m"], "x")[("b",)]
    assert (mean, n) == (pytest.approx(11 / 3), 3)
    assert sd == pytest.approx((((5 / 3) ** 2 + (1 / 3) ** 2 + (4 / 3) ** 2) / 2) ** 0.5)
    with pytest.raises(KeyError, match="'score'"):
        results.group(rows, "m", "score")
