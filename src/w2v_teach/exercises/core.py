"""The machinery of the checks: the registry, the result, the time limit and the diagnosis layer.

A check runs the student's function on hidden cases that the exercise generates with a fixed
seed, compares every answer with the package's reference implementation, and turns the first
difference into a sentence a student can act on: a shape, a sign, a factor, a known mistake of
that exercise (named by the exercise's own list of wrong variants), or the entry that differs.
It never shows the reference code, and it never prints: the result object says everything.
"""
from __future__ import annotations

import copy
import difflib
import math
import signal
import threading
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

TIME_LIMIT = 10.0  # seconds one call of the student's function may take, per hidden case
SEED = 20261207  # the hidden cases come from this seed, so every student sees the same checks
MAX_CASES = 6  # hidden cases an exercise may have (the grader's time limit for its re-run counts on it)


class Wrong(Exception):
    """Raised by a judge with the sentence that tells the student what is wrong."""


@dataclass(frozen=True)
class Case:
    """One hidden case: a name a student can read, the arguments, the reference answer, and the
    known wrong answers (a list of (answer, sentence)) that this case tells apart."""

    name: str
    args: tuple
    expected: Any
    wrong: tuple = ()
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Exercise:
    """A checkable exercise: its id, title, chapter, the function a student writes, and how to judge it."""

    id: str
    title: str
    chapter: int
    function: str  # the name the exercise text gives the student's function
    signature: str  # what it takes and returns, in words
    cases: Callable[[np.random.Generator], list[Case]]
    judge: Callable[[Any, Case, tuple], None]  # (answer, case, the arguments after the call): raises Wrong


EXERCISES: dict[str, Exercise] = {}
RECORDED: dict[str, Callable] = {}  # the last function passed to check() for each exercise (the grader reads it)


def register(exercise: Exercise) -> Exercise:
    """Add an exercise to the registry; refuse a duplicate id."""
    if exercise.id in EXERCISES:
        raise ValueError(f"exercise id {exercise.id!r} is registered twice")
    EXERCISES[exercise.id] = exercise
    return exercise


def get(exercise_id: str) -> Exercise:
    """Return the exercise with this id; KeyError naming it and the closest ids otherwise."""
    if not isinstance(exercise_id, str):
        raise TypeError(f"exercise_id must be a str such as 'ch2-softmax-gradient', got {type(exercise_id).__name__}")
    if exercise_id not in EXERCISES:
        close = difflib.get_close_matches(exercise_id, list(EXERCISES), n=3, cutoff=0.4)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise KeyError(f"no exercise {exercise_id!r}{hint} (w2v.exercises.list_exercises() lists them all)")
    return EXERCISES[exercise_id]


@dataclass(frozen=True)
class CheckResult:
    """What a check found: passed or not, the exercise, and a message in words."""

    exercise: str
    passed: bool
    message: str
    status: str = "pass"  # pass, wrong, raised, timeout, type
    cases_passed: int = 0
    cases_total: int = 0

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        mark = "passed" if self.passed else "not yet"
        return f"{self.exercise}: {mark}. {self.message}"

    def _repr_markdown_(self) -> str:
        mark = "**passed**" if self.passed else "**not yet**"
        icon = "\u2705" if self.passed else "\u274c"
        return f"{icon} `{self.exercise}`: {mark}. {self.message}"

    def as_dict(self) -> dict:
        """Return the result as a plain dict (what the grader stores)."""
        return {"exercise": self.exercise, "passed": self.passed, "message": self.message,
                "status": self.status, "cases_passed": self.cases_passed, "cases_total": self.cases_total}


class TimeLimit(Exception):
    """Raised inside the student's function when it runs past the time limit."""


def _where(exc: BaseException) -> str:
    """Return ' (line N of <fn>)' for the last frame of the traceback outside this package."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "w2v_teach" not in f.filename.replace("\\", "/")]
    if not frames:
        return ""
    last = frames[-1]
    return f" (in {last.name}, line {last.lineno})"


def call_limited(fn: Callable, args: tuple, seconds: float) -> tuple[str, Any]:
    """Call fn(*args) under a time limit; return ("ok", value), ("raised", text) or ("timeout", how).

    In the main thread of a Unix process (a Jupyter kernel, a script) the limit is an alarm signal
    (signal.setitimer), which stops the function. Elsewhere the function runs in a daemon thread that
    is abandoned when the limit passes: the answer is the same, but the loop goes on in the
    background until the process ends.
    """
    if hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():
        return _call_with_alarm(fn, args, seconds)
    return _call_in_thread(fn, args, seconds)


def _call_with_alarm(fn, args, seconds):
    """Call fn under signal.setitimer(ITIMER_REAL); restore the previous handler afterwards."""
    def on_alarm(signum, frame):
        raise TimeLimit()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        with np.errstate(all="ignore"):  # a NaN in the answer is diagnosed, not warned about
            return "ok", fn(*args)
    except TimeLimit:
        return "timeout", f"stopped after {seconds:g} s by an alarm signal"
    except Exception as exc:  # the student's code may raise anything
        return "raised", f"{type(exc).__name__}: {exc}{_where(exc)}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _call_in_thread(fn, args, seconds):
    """Call fn in a daemon thread and wait at most `seconds` for it."""
    box: dict[str, Any] = {}

    def run():
        try:
            with np.errstate(all="ignore"):
                box["value"] = fn(*args)
        except Exception as exc:  # the student's code may raise anything
            box["error"] = f"{type(exc).__name__}: {exc}{_where(exc)}"

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        return "timeout", f"abandoned after {seconds:g} s in a background thread (it may still be running)"
    if "error" in box:
        return "raised", box["error"]
    return "ok", box.get("value")


def run_check(exercise: Exercise, fn: Callable, time_limit: float = TIME_LIMIT) -> CheckResult:
    """Run `fn` on every hidden case of `exercise` and judge each answer against the reference."""
    name = exercise.id
    if not callable(fn):
        return CheckResult(name, False, f"check needs your function itself, e.g. check({name!r}, "
                           f"{exercise.function}); got a {type(fn).__name__}", "type")
    cases = exercise.cases(np.random.default_rng(SEED))
    total = len(cases)
    for i, case in enumerate(cases):
        label = f"hidden case {i + 1} of {total} ({case.name})"
        args = copy.deepcopy(case.args)  # the student's function may change its arguments
        status, value = call_limited(fn, args, time_limit)
        if status == "raised":
            return CheckResult(name, False, f"On {label} your function raised {value}.", "raised", i, total)
        if status == "timeout":
            return CheckResult(name, False, f"On {label} your function ran past the time limit of "
                               f"{time_limit:g} s ({value}): look for a loop that never ends.", "timeout", i, total)
        try:
            exercise.judge(value, case, args)
        except Wrong as wrong:
            kind = "type" if str(wrong).startswith("Expected") else "wrong"
            return CheckResult(name, False, f"On {label}: {wrong}", kind, i, total)
    return CheckResult(name, True, f"Your {exercise.function} agrees with the package's reference on all "
                       f"{total} hidden cases.", "pass", total, total)


# -- the diagnosis layer: compare an answer with the reference and name the difference -------------

def as_array(value: Any, what: str) -> np.ndarray:
    """Return `value` as a float64 array, or raise Wrong naming what came back instead."""
    if hasattr(value, "toarray"):  # a scipy.sparse matrix
        value = value.toarray()
    if hasattr(value, "detach"):  # a torch tensor
        value = value.detach().cpu().numpy()
    if value is None:
        raise Wrong(f"Expected {what}, but your function returned None (a missing `return`?)")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise Wrong(f"Expected {what}, got a {type(value).__name__} that is not an array of numbers") from None
    return arr


def close(a: np.ndarray, b: np.ndarray, rtol: float = 1e-6, atol: float = 1e-9) -> bool:
    """Return True when the arrays have the same shape and agree to rounding."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=False))


def _factor(got: np.ndarray, expected: np.ndarray) -> float | None:
    """Return c when got is c * expected (one scalar for every entry), else None."""
    scale = float(expected.ravel() @ expected.ravel())
    if scale == 0:
        return None
    c = float(got.ravel() @ expected.ravel()) / scale
    return c if close(got, c * expected, rtol=1e-6, atol=1e-9) and not math.isclose(c, 1.0) else None


def _entry(index: tuple) -> str:
    """Return an index as the student would type it: [2, 3]."""
    return "[" + ", ".join(str(int(i)) for i in index) + "]"


def compare_array(value: Any, case: Case, what: str = "the result", expected: Any = None,
                  wrong: tuple | None = None, rtol: float = 1e-6, atol: float = 1e-9) -> None:
    """Judge an array answer: type, shape, NaN, the case's known mistakes, sign, factor, axis, entry."""
    expected = np.asarray(case.expected if expected is None else expected, dtype=np.float64)
    got = as_array(value, f"{what} as an array of shape {expected.shape}")
    if got.shape != expected.shape:
        axis = " (the axes are swapped)" if got.shape == expected.shape[::-1] and got.ndim == 2 else ""
        raise Wrong(f"{what} has shape {got.shape}, expected {expected.shape}{axis}.")
    if not np.isfinite(got).all() and np.isfinite(expected).all():
        bad = _entry(np.argwhere(~np.isfinite(got))[0])
        raise Wrong(f"{what} contains NaN or infinity (first at entry {bad}); the reference is finite "
                    "everywhere. Look for an overflowing exp, a log of 0 or a division by 0.")
    if close(got, expected, rtol, atol):
        return
    for answer, sentence in (case.wrong if wrong is None else wrong):
        if close(got, np.asarray(answer, dtype=np.float64), rtol, atol):
            raise Wrong(sentence)
    diagnose_generic(got, expected, what)


def diagnose_generic(got: np.ndarray, expected: np.ndarray, what: str) -> None:
    """Raise Wrong naming a sign flip, a constant factor, swapped axes, or the first entry that differs."""
    if close(got, -expected):
        raise Wrong(f"{what} has the right size everywhere but the opposite sign: check the sign of your formula.")
    c = _factor(got, expected)
    if c is not None:
        raise Wrong(f"{what} is off by a constant factor: it is {c:.4g} times the reference. Look for a "
                    "missing or extra division (a mean against a sum, 1/n, 1/B) or a wrong constant.")
    if got.ndim == 2 and got.shape[0] == got.shape[1] and close(got, expected.T):
        raise Wrong(f"{what} is the transpose of the reference: rows and columns (the axes) are swapped.")
    diff = np.abs(got - expected) - 1e-6 * np.abs(expected)
    index = np.unravel_index(int(np.argmax(diff)), got.shape) if got.ndim else ()
    where = f" at entry {_entry(index)}" if got.ndim else ""
    raise Wrong(f"{what} differs from the reference{where}: yours is {float(got[index]):.6g}, the reference "
                f"{float(expected[index]):.6g} ({int((~np.isclose(got, expected, rtol=1e-6, atol=1e-9)).sum())} "
                f"of {got.size} entries differ).")


def compare_tuple(value: Any, n: int, names: list[str]) -> tuple:
    """Return `value` as a tuple of n parts, or raise Wrong saying what was expected."""
    if not isinstance(value, (tuple, list)) or len(value) != n:
        got = f"a {type(value).__name__}" + (f" of length {len(value)}" if isinstance(value, (tuple, list)) else "")
        raise Wrong(f"Expected a tuple of {n} ({', '.join(names)}), got {got}.")
    return tuple(value)

