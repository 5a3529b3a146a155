"""Checks for the book's coding exercises: run a student's function on hidden cases and say what is wrong.

Usage in a chapter (``import w2v_teach as w2v``)::

    w2v.exercises.check("ch2-softmax-gradient", softmax_gradient)

The check runs the function on cases the student does not see (generated with a fixed seed),
compares every answer with the package's reference implementation and returns a
:class:`CheckResult`: ``.passed``, ``.exercise``, ``.message``, shown as one line in Jupyter. A
wrong answer is described (a shape, a sign, a factor, a known mistake, the entry that differs)
without showing the solution; a function that raises, runs past the time limit or returns the
wrong type gets that said. ``list_exercises()`` lists every checkable exercise. The grader
(:mod:`w2v_teach.grade`) re-runs the checks on the functions a notebook passed to :func:`check`.
"""
from __future__ import annotations

import json
import os
from typing import Callable

from . import ch1, ch2, ch3, ch4, ch5, ch6, ch7, ch8, ch9  # noqa: F401  (each registers its exercises)
from .core import EXERCISES, MAX_CASES, RECORDED, TIME_LIMIT, CheckResult, Exercise, get, run_check

__all__ = ["GRADE_LOG", "MAX_CASES", "CheckResult", "Exercise", "check", "list_exercises", "recorded", "regrade"]

GRADE_LOG = "W2V_TEACH_GRADE_LOG"  # set by the grader: every check's result is appended there as it happens


def check(exercise_id: str, fn: Callable, time_limit: float = TIME_LIMIT) -> CheckResult:
    """Check `fn` against the reference of exercise `exercise_id`; return what was found."""
    exercise = get(exercise_id)
    if isinstance(time_limit, bool) or not isinstance(time_limit, (int, float)) or not time_limit > 0:
        raise ValueError(f"time_limit must be a positive number of seconds, got {time_limit!r}")
    if callable(fn):
        RECORDED[exercise.id] = fn
    result = run_check(exercise, fn, float(time_limit))
    _log(result)
    return result


def _log(result: CheckResult) -> None:
    """Append the result to the grader's log when the grader runs this kernel (so a later crash loses nothing)."""
    path = os.environ.get(GRADE_LOG)
    if not path:
        return
    try:
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps(result.as_dict()) + "\n")
    except OSError:  # the grader's folder is gone: the final re-run of the checks still reports
        pass


def list_exercises(chapter: int | None = None) -> dict[str, str]:
    """Return {id: title} of every checkable exercise, in chapter order (of one chapter if given)."""
    if chapter is not None and (isinstance(chapter, bool) or chapter not in range(1, 10)):
        raise ValueError(f"chapter must be 1..9 or None, got {chapter!r}")
    return {e.id: e.title for e in sorted(EXERCISES.values(), key=lambda e: e.chapter)
            if chapter is None or e.chapter == chapter}


def recorded() -> dict[str, Callable]:
    """Return {exercise id: the last function passed to check} in this process."""
    return dict(RECORDED)


def regrade(time_limit: float = TIME_LIMIT) -> dict[str, dict]:
    """Run the checks again on every recorded function; return {id: CheckResult.as_dict()}."""
    return {name: run_check(get(name), fn, time_limit).as_dict() for name, fn in RECORDED.items()}
