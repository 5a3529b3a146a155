"""Grade a folder of submitted notebooks: ``python -m w2v_teach.grade SUBMISSIONS --out grades.csv``.

Each submission is a notebook (``alice.ipynb``: student "alice") or a folder of notebooks
(``bob/``: student "bob"). Every notebook runs on a copy in a temporary folder, in a fresh Jupyter
kernel, with a time limit per cell and errors allowed (nbclient), so one crash does not stop the
cells after it; the student's file is never modified. After the last cell the grader runs the
checks of :mod:`w2v_teach.exercises` again, inside that kernel, on every function the notebook
passed to ``w2v.exercises.check``: printed outputs are never trusted. The table has one row per
student: 1 or 0 and the reason for every exercise, the total, and notes (a cell that raised or was
stopped, a file that is not a notebook). A submission that crashes, loops or is malformed scores 0
on what it did not reach, says why, and the grading goes on with the next one.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import os
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from ._files import atomic_write
from .exercises import GRADE_LOG, MAX_CASES, list_exercises

CELL_TIMEOUT = 60  # seconds a cell may run before the kernel is interrupted
CHECK_TIMEOUT = 10.0  # seconds one call of a student's function may take when the checks run again
RESULTS = "w2v_grade_results.json"
LOG = "w2v_grade_log.jsonl"

# Runs after the student's cells, in the student's kernel: the checks again, on the recorded functions.
FINAL_CELL = """\
import json as _json
from w2v_teach import exercises as _exercises
with open({path!r}, "w", encoding="utf-8") as _out:
    _json.dump(_exercises.regrade(time_limit={limit!r}), _out)
"""


@dataclass
class NotebookGrade:
    """What one notebook earned: {exercise id: check result dict} and notes on what went wrong."""

    results: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)


def _read(path: Path):
    """Return the notebook at `path` (nbformat v4), or raise ValueError saying why it is not one."""
    import nbformat

    if path.suffix != ".ipynb":
        raise ValueError(f"{path.name} is not a notebook (expected a .ipynb file)")
    try:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
    except Exception as exc:  # malformed JSON, a wrong schema, an unreadable file
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ValueError(f"{path.name} is not a valid notebook ({type(exc).__name__}: {first[:200]})") from None
    return nb


def _cell_timeout(cell, timeout: float, check_timeout: float) -> float:
    """Return a cell's time limit: `timeout`, or for the grader's own cell enough for every hidden case."""
    if not cell.metadata.get("w2v_grader"):
        return timeout
    return max(timeout, check_timeout * MAX_CASES * len(list_exercises()) + 30)


def _cell_notes(nb, timeout: float) -> list[str]:
    """Return one note per code cell that raised (or was interrupted at the time limit)."""
    notes = []
    for number, cell in enumerate((c for c in nb.cells if c.cell_type == "code"), start=1):
        for output in cell.get("outputs", []):
            if output.get("output_type") != "error":
                continue
            if cell.metadata.get("w2v_grader"):
                notes.append(f"the grader's re-run of the checks failed: {output.get('ename')}")
                continue
            if output.get("ename") == "KeyboardInterrupt":
                notes.append(f"code cell {number} ran past the {timeout:g} s limit and was interrupted")
            else:
                notes.append(f"code cell {number} raised {output.get('ename')}: {str(output.get('evalue'))[:200]}")
    return notes


@contextmanager
def _environment(name: str, value: str):
    """Set an environment variable for the kernels started inside the block; restore it afterwards."""
    before = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before


def _logged(path: Path) -> dict:
    """Return {exercise: the last result} from the log that check() writes while the notebook runs."""
    results = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
                results[entry["exercise"]] = entry
            except (ValueError, KeyError, TypeError):
                continue
    return results


def grade_notebook(path: Path, timeout: float = CELL_TIMEOUT, check_timeout: float = CHECK_TIMEOUT,
                   kernel_name: str = "python3") -> NotebookGrade:
    """Run one notebook on a copy in a fresh kernel and return the checks' results on its functions."""
    try:
        from nbclient import NotebookClient
        from nbformat.v4 import new_code_cell
    except ImportError as exc:
        raise ImportError(f"the grader needs nbclient and nbformat (pip install nbclient): {exc}") from None

    grade = NotebookGrade()
    try:
        nb = _read(path)
    except ValueError as exc:
        grade.notes.append(str(exc))
        return grade
    with tempfile.TemporaryDirectory(prefix="w2v_grade_") as tmp:
        results, log = Path(tmp) / RESULTS, Path(tmp) / LOG
        final = new_code_cell(FINAL_CELL.format(path=str(results), limit=float(check_timeout)))
        final.metadata["w2v_grader"] = True
        nb.cells.append(final)
        client = NotebookClient(nb, timeout=timeout, kernel_name=kernel_name, allow_errors=True,
                                interrupt_on_timeout=True, resources={"metadata": {"path": tmp}},
                                timeout_func=lambda cell: _cell_timeout(cell, timeout, check_timeout))
        try:
            with _environment(GRADE_LOG, str(log)):
                client.execute()
        except Exception as exc:  # a dead kernel, a kernel that cannot start
            grade.notes.append(f"the notebook stopped: {type(exc).__name__}: {str(exc).strip()[:200]}")
        grade.notes += _cell_notes(nb, timeout)
        if results.exists():
            grade.results = json.loads(results.read_text(encoding="utf-8"))
        else:
            grade.results = _logged(log)
            grade.notes.append("the checks could not be run again after the last cell (the kernel stopped); "
                               "the results are those of the check calls that ran before")
    return grade

def submissions(folder: Path, skip: Sequence[Path] = ()) -> dict[str, list[Path]]:
    """Return {student: their files}: a file is one student (its stem), a folder one student (its name)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"the submissions folder {folder} does not exist (or is not a folder)")
    skipped = {Path(p).resolve() for p in skip}
    found: dict[str, list[Path]] = {}
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith(".") or entry.resolve() in skipped:
            continue
        if entry.is_dir():
            found[entry.name] = sorted(p for p in entry.iterdir() if p.is_file() and not p.name.startswith("."))
        else:
            found.setdefault(entry.stem, []).append(entry)
    return found


def grade_student(files: Sequence[Path], **options) -> NotebookGrade:
    """Grade every file of one student; a later notebook's result for an exercise wins only if it passed."""
    total = NotebookGrade()
    if not files:
        total.notes.append("no file in the submission folder")
    for path in files:
        one = grade_notebook(path, **options)
        for exercise, result in one.results.items():
            if exercise not in total.results or result["passed"]:
                total.results[exercise] = result
        prefix = f"{path.name}: " if len(files) > 1 else ""
        total.notes += [prefix + note for note in one.notes]
    return total


def exercise_columns(grades: dict[str, NotebookGrade], wanted: Sequence[str] | None) -> list[str]:
    """Return the exercises to score: the ids or chapter prefixes asked for, else every one any student checked."""
    known = list(list_exercises())
    if wanted:
        chosen = [e for e in known if any(e == w or e.startswith(w.rstrip("-") + "-") for w in wanted)]
        unknown = [w for w in wanted if not any(e == w or e.startswith(w.rstrip("-") + "-") for e in known)]
        if unknown:
            raise KeyError(f"unknown exercises {unknown}: give ids such as 'ch2-softmax-gradient' "
                           "or prefixes such as 'ch2'")
        return chosen
    seen = {e for g in grades.values() for e in g.results}
    return [e for e in known if e in seen]


def table(grades: dict[str, NotebookGrade], columns: Sequence[str]) -> str:
    """Return the CSV text: one row per student, 1/0 and the reason per exercise, total, notes."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student", "total", "out_of"] + [x for e in columns for x in (e, f"{e} reason")] + ["notes"])
    for student, grade in grades.items():
        cells, total = [], 0
        for exercise in columns:
            result = grade.results.get(exercise)
            if result is None:
                reason = "not reached: no call to w2v.exercises.check ran for this exercise"
                cells += [0, reason + ("; see the notes" if grade.notes else "")]
                continue
            total += int(result["passed"])
            cells += [int(result["passed"]), result["message"]]
        writer.writerow([student, total, len(columns)] + cells + ["; ".join(grade.notes)])
    return out.getvalue()


def grade_folder(folder, out, timeout: float = CELL_TIMEOUT, check_timeout: float = CHECK_TIMEOUT,
                 exercises: Sequence[str] | None = None, kernel_name: str = "python3") -> dict[str, NotebookGrade]:
    """Grade every submission in `folder`, write the table to `out` atomically, return the grades."""
    out = Path(out)
    options = {"timeout": timeout, "check_timeout": check_timeout, "kernel_name": kernel_name}
    found = submissions(Path(folder), skip=[out])
    grades = {student: grade_student(files, **options) for student, files in found.items()}
    atomic_write(out, table(grades, exercise_columns(grades, exercises)))
    return grades


def _positive(text: str) -> float:
    """Parse a positive number of seconds for argparse."""
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return 0 when the grading completed (whatever the students scored)."""
    parser = argparse.ArgumentParser(prog="python -m w2v_teach.grade", description=__doc__.splitlines()[0])
    parser.add_argument("submissions", type=Path, help="folder of submitted notebooks (or of one folder per student)")
    parser.add_argument("--out", type=Path, default=Path("grades.csv"), help="the CSV to write (default grades.csv)")
    parser.add_argument("--timeout", type=_positive, default=CELL_TIMEOUT, help="seconds per cell (default 60)")
    parser.add_argument("--check-timeout", type=_positive, default=CHECK_TIMEOUT,
                        help="seconds per call of a student's function when the checks run again (default 10)")
    parser.add_argument("--exercises", default="", help="comma-separated ids or chapter prefixes to score (default: "
                        "every exercise any submission checked), e.g. ch2,ch3-keep-probability")
    parser.add_argument("--kernel", default="python3", help="the Jupyter kernel to run the notebooks with")
    args = parser.parse_args(argv)
    wanted = [w.strip() for w in args.exercises.split(",") if w.strip()]
    try:
        grades = grade_folder(args.submissions, args.out, args.timeout, args.check_timeout, wanted, args.kernel)
    except (FileNotFoundError, KeyError) as exc:
        parser.error(str(exc).strip("'\""))
    plural = "" if len(grades) == 1 else "s"
    print(f"graded {len(grades)} submission{plural}; wrote {args.out}")  # the command line reports; the library does not
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
