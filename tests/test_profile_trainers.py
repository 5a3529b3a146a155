"""benchmarks/profile_trainers.py on a few batches: the shape of its tables, and bad arguments."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "profile_trainers.py"


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("profile_trainers", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("trainer", ["numpy", "hs", "torch"])
def test_parts_add_up_to_the_whole_step(script, trainer):
    if trainer == "torch":
        pytest.importorskip("torch")
    with np.errstate(over="ignore", invalid="ignore"):
        table = getattr(script, f"{trainer}_parts")(2)
    names = [name for name, _ in table]
    assert len(set(names)) == len(names) and all(np.isfinite(ms) and ms > -1e3 for _, ms in table)
    whole = next(ms for name, ms in table if name.startswith("the whole step"))
    rest = next(ms for name, ms in table if name.startswith("the rest"))
    parts = [ms for name, ms in table if not name.startswith(("the whole", "the rest", "cut a batch"))]
    assert whole > 0 and all(ms > 0 for ms in parts)
    assert rest == pytest.approx(whole - sum(parts))


def test_best_time_is_the_smallest_of_the_calls(script):
    calls = iter([0.0, 0.01, 0.0, 0.0])
    times = iter([0.0, 0.02, 0.0, 0.003, 0.0, 0.001])  # perf_counter: start and end of each timed call
    script.time.perf_counter, real = (lambda: next(times)), script.time.perf_counter
    try:
        assert script.best_time(lambda: next(calls), 3) == pytest.approx(0.001)
    finally:
        script.time.perf_counter = real


def test_rejects_an_unknown_trainer(script):
    with pytest.raises(SystemExit):
        script.main(["--parts", "glove"])
