"""Tests for w2v_teach.grade, end to end on a folder of made-up submissions built here.

The folder holds a correct notebook, a partly wrong one, one that raises before its second check,
one with a cell that loops and a function that loops, one that kills its kernel halfway, a text
file, a malformed notebook and a folder submission. The grader must score each, say why, leave
every file as it was, and finish.
"""
from __future__ import annotations

import csv
import hashlib
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from w2v_teach import grade

SETUP = "import numpy as np\nimport w2v_teach as w2v"
KEEP_RIGHT = ("def keep_probability(counts, t):\n    f = counts / counts.sum()\n"
              "    return np.minimum(np.sqrt(t / f) + t / f, 1.0)")
KEEP_PAPER = ("def keep_probability(counts, t):\n    f = counts / counts.sum()\n"
              "    return np.minimum(np.sqrt(t / f), 1.0)")
SCATTER_RIGHT = "def scatter_add(table, ids, rows):\n    np.add.at(table, ids, rows)"
SCATTER_LOOPS = "def scatter_add(table, ids, rows):\n    while True:\n        pass"
CHECK_KEEP = 'w2v.exercises.check("ch3-keep-probability", keep_probability)'
CHECK_SCATTER = 'w2v.exercises.check("ch2-scatter-add", scatter_add)'


def notebook(*sources: str) -> str:
    """Return the JSON text of a notebook with one markdown cell and the given code cells."""
    nb = new_notebook(cells=[new_markdown_cell("# My exercises")] + [new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nbformat.writes(nb)


def make_submissions(folder: Path) -> None:
    """Write the made-up submissions into `folder`."""
    folder.mkdir()
    files = {
        "alice.ipynb": notebook(SETUP, KEEP_RIGHT, CHECK_KEEP, SCATTER_RIGHT, CHECK_SCATTER),
        "bob.ipynb": notebook(SETUP, KEEP_PAPER, CHECK_KEEP, SCATTER_RIGHT, CHECK_SCATTER),
        "carol.ipynb": notebook(SETUP, KEEP_RIGHT, CHECK_KEEP, "1 / 0", "undefined_name", CHECK_SCATTER),
        "dave.ipynb": notebook(SETUP, "while True:\n    pass", KEEP_RIGHT, CHECK_KEEP, SCATTER_LOOPS, CHECK_SCATTER),
        "erin.txt": "my answers are in my head\n",
        "frank.ipynb": '{"cells": [ this is not json',
        "ivan.ipynb": notebook(SETUP, KEEP_RIGHT, CHECK_KEEP, "import os\nos._exit(1)", SCATTER_RIGHT, CHECK_SCATTER),
    }
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "hana").mkdir()  # a folder submission: two notebooks, one exercise each
    (folder / "hana" / "part1.ipynb").write_text(notebook(SETUP, KEEP_RIGHT, CHECK_KEEP), encoding="utf-8")
    (folder / "hana" / "part2.ipynb").write_text(notebook(SETUP, SCATTER_RIGHT, CHECK_SCATTER), encoding="utf-8")


def digest(folder: Path) -> dict[str, str]:
    """Return {relative path: sha256} of every file under `folder`."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_the_grader_end_to_end(tmp_path: Path) -> None:
    folder, out = tmp_path / "submissions", tmp_path / "grades.csv"
    make_submissions(folder)
    before = digest(folder)
    done = subprocess.run([sys.executable, "-m", "w2v_teach.grade", str(folder), "--out", str(out),
                           "--timeout", "10", "--check-timeout", "1"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert digest(folder) == before  # nothing the students wrote was modified
    rows = {r["student"]: r for r in csv.DictReader(out.open(encoding="utf-8"))}
    assert sorted(rows) == ["alice", "bob", "carol", "dave", "erin", "frank", "hana", "ivan"]
    score = {s: (int(r["total"]), int(r["out_of"])) for s, r in rows.items()}
    assert score == {"alice": (2, 2), "bob": (1, 2), "carol": (1, 2), "dave": (1, 2), "erin": (0, 2),
                     "frank": (0, 2), "hana": (2, 2), "ivan": (1, 2)}
    assert "paper's formula" in rows["bob"]["ch3-keep-probability reason"]
    assert "ZeroDivisionError" in rows["carol"]["notes"] and "NameError" in rows["carol"]["notes"]
    assert "not reached" in rows["carol"]["ch2-scatter-add reason"]
    assert "ran past the 10 s limit and was interrupted" in rows["dave"]["notes"]
    assert rows["dave"]["ch3-keep-probability"] == "1"  # the cells after the loop still ran
    assert "time limit" in rows["dave"]["ch2-scatter-add reason"]
    assert "not a notebook" in rows["erin"]["notes"]
    assert "not a valid notebook" in rows["frank"]["notes"]
    assert "DeadKernelError" in rows["ivan"]["notes"] and "not reached" in rows["ivan"]["ch2-scatter-add reason"]


@pytest.mark.slow
def test_the_grader_trusts_no_printed_output(tmp_path: Path) -> None:
    """A notebook that prints a pass without calling check earns nothing, and the table says why."""
    folder = tmp_path / "subs"
    folder.mkdir()
    (folder / "mallory.ipynb").write_text(notebook('print("ch3-keep-probability: passed.")'), encoding="utf-8")
    grades = grade.grade_folder(folder, tmp_path / "g.csv", timeout=30, exercises=["ch3-keep-probability"])
    assert grades["mallory"].results == {}
    row = next(csv.DictReader((tmp_path / "g.csv").open(encoding="utf-8")))
    assert row["total"] == "0" and "not reached" in row["ch3-keep-probability reason"]


def test_exercise_columns_by_id_or_prefix() -> None:
    assert grade.exercise_columns({}, ["ch2"]) == ["ch2-softmax-gradient", "ch2-cbow-gradient", "ch2-scatter-add"]
    assert grade.exercise_columns({}, ["ch8-ndcg"]) == ["ch8-ndcg"]
    with pytest.raises(KeyError, match="unknown exercises.*ch10"):
        grade.exercise_columns({}, ["ch10"])


def test_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        grade.submissions(tmp_path / "nope")
    with pytest.raises(SystemExit) as stop:
        grade.main([str(tmp_path / "nope"), "--out", str(tmp_path / "g.csv")])
    assert stop.value.code == 2
    with pytest.raises(SystemExit):
        grade.main([str(tmp_path), "--timeout", "0"])


def test_not_a_notebook_is_said_without_running_anything(tmp_path: Path) -> None:
    (tmp_path / "x.py").write_text("print(1)\n", encoding="utf-8")
    (tmp_path / "y.ipynb").write_text("{}", encoding="utf-8")
    assert "not a notebook" in grade.grade_notebook(tmp_path / "x.py").notes[0]
    assert "not a valid notebook" in grade.grade_notebook(tmp_path / "y.ipynb").notes[0]


def test_the_table_reads_one_row_per_student() -> None:
    grades = {"ann": grade.NotebookGrade({"ch8-ndcg": {"passed": True, "message": "ok"}}, []),
              "ben": grade.NotebookGrade({}, ["code cell 2 raised ValueError: x"])}
    rows = list(csv.DictReader(grade.table(grades, ["ch8-ndcg", "ch8-int8"]).splitlines()))
    assert [r["student"] for r in rows] == ["ann", "ben"]
    assert rows[0]["total"] == "1" and rows[0]["out_of"] == "2" and rows[0]["ch8-ndcg reason"] == "ok"
    assert rows[1]["ch8-ndcg"] == "0" and "see the notes" in rows[1]["ch8-ndcg reason"]
