"""The package's floors (README, "Layout"; GUIDE section 1): an import only points down.

checks < data < values < scaffold < kernels < trainers < orchestrators < teaching

A module imports modules of lower floors, and of its own floor, except that a trainer never
imports another trainer ("nothing imports a trainer" but an orchestrator), and neither trainers
nor orchestrators import the judges (evaluate, plotting), so that training never depends on how
its result is judged. The teaching floor (the exercise checks and the grader) may import
anything, and nothing imports it. A subpackage (exercises/) is one module here: its files share
its floor, and their imports among themselves are its own business. The imports among modules form no cycle, and no module imports another
module's private (``_name``) names. The test reads every module's imports (relative and
absolute, at any depth, so a lazy import inside a function counts too). Every module of the
package must have a floor: a new module fails here until it is placed.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "w2v_teach"

FLOORS = {  # lowest first
    "checks": {"_checks", "_files", "gradcheck"},
    "data": {"text", "sampling", "windows", "datasets", "results", "world", "world_lexicon", "senses", "sessions",
             "graphs"},
    "values": {"vectors", "embeddings"},
    "scaffold": {"training", "evaluate", "plotting", "bias", "recommend", "features", "serving", "encoder"},
    "kernels": {"scatter", "inputs", "negative_sampling", "torch_models", "torch_batches"},
    "trainers": {"counting", "cbow_softmax", "sgns", "hsoftmax", "item2vec", "torch_train", "reference"},
    "orchestrators": {"hogwild", "streaming", "spark"},
    "teaching": {"exercises", "grade"},  # the exercise checks and the grader: above everything
}
ORDER = list(FLOORS)
FLOOR_OF = {name: floor for floor, names in FLOORS.items() for name in names}
JUDGES = {"evaluate", "plotting"}  # what trainers and orchestrators must not import


def allowed(name: str) -> set[str]:
    """Return the modules that module `name` may import."""
    level = ORDER.index(FLOOR_OF[name])
    ok = {m for m, floor in FLOOR_OF.items() if ORDER.index(floor) <= level}
    if FLOOR_OF[name] == "trainers":
        ok -= FLOORS["trainers"]
    if FLOOR_OF[name] in ("trainers", "orchestrators"):
        ok -= JUDGES
    return ok - {name}


def _imports(path: Path, subpackage: str | None = None) -> list[tuple[str, list[str]]]:
    """Return (package module, imported names) for every import of the package in a file.

    For a file inside a subpackage of w2v_teach, `subpackage` is its name: a relative import of
    level 1 stays inside it (and counts as the subpackage, names unchecked), level 2 reaches
    w2v_teach.
    """
    found: list[tuple[str, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if not (node.level > 0 or (node.module or "").split(".")[0] == "w2v_teach"):
                continue
            if subpackage and node.level == 1:
                found.append((subpackage, []))
                continue
            module = (node.module or "").removeprefix("w2v_teach").lstrip(".")
            if module:
                found.append((module.split(".")[0], [alias.name for alias in node.names]))
            else:  # from . import sgns, training
                found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "w2v_teach" and len(parts) > 1:
                    found.append((parts[1], []))
    return found


def package_imports(path: Path, subpackage: str | None = None) -> set[str]:
    """Return the names of the package's modules that the file at `path` imports."""
    return {module for module, _ in _imports(path, subpackage)}


def private_imports(path: Path, subpackage: str | None = None) -> set[str]:
    """Return ``module._name`` for every private name the file imports from another module."""
    return {f"{module}.{name}" for module, names in _imports(path, subpackage)
            for name in names if name.startswith("_")}


MODULES = sorted({p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
                 | {p.parent.name for p in PACKAGE.glob("*/__init__.py")})


def module_files(name: str) -> list[tuple[Path, str | None]]:
    """Return the files of module `name` with their subpackage (None for a plain module)."""
    if (PACKAGE / name).is_dir():
        return [(p, name) for p in sorted((PACKAGE / name).glob("*.py"))]
    return [(PACKAGE / f"{name}.py", None)]


EDGES = {name: set().union(*(package_imports(p, sub) for p, sub in module_files(name))) - {name}
         for name in MODULES}


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """Return one import cycle as a list of modules (first == last), or None (depth-first search)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = 2
        path.pop()
        return None

    for start in sorted(edges):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_every_module_has_one_floor() -> None:
    placed = [name for names in FLOORS.values() for name in names]
    assert len(placed) == len(set(placed)), "a module stands on two floors"
    missing = set(MODULES) - set(placed)
    assert not missing, f"modules without a floor (add them to tests/test_layers.py): {sorted(missing)}"
    stale = set(placed) - set(MODULES)
    assert not stale, f"floors list modules that do not exist: {sorted(stale)}"


@pytest.mark.parametrize("name", MODULES)
def test_imports_point_down(name: str) -> None:
    wrong = EDGES[name] - allowed(name)
    assert not wrong, f"{name} ({FLOOR_OF[name]}) imports {sorted(wrong)}, above its floor or a trainer"


def test_the_imports_form_no_cycle() -> None:
    assert find_cycle(EDGES) is None, f"import cycle: {' -> '.join(find_cycle(EDGES))}"


@pytest.mark.parametrize("name", MODULES)
def test_no_private_names_cross_modules(name: str) -> None:
    crossing = set().union(*(private_imports(p, sub) for p, sub in module_files(name)))
    assert not crossing, f"{name} imports private names of other modules: {sorted(crossing)}"


def test_the_cycle_finder() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_the_floor_rules() -> None:
    assert "sgns" not in allowed("hsoftmax")  # trainers do not import trainers
    assert "torch_train" in allowed("streaming")  # orchestrators do
    assert "evaluate" not in allowed("hogwild") and "evaluate" in allowed("bias")
    assert "torch_models" in allowed("torch_batches") and "sgns" not in allowed("negative_sampling")
    assert {"evaluate", "sgns", "hogwild"} <= allowed("exercises")  # teaching may use anything
    assert not any("exercises" in allowed(m) for m in MODULES if FLOOR_OF[m] != "teaching")


def test_the_reader_of_imports(tmp_path: Path) -> None:
    source = ("from . import sgns, training\nfrom .embeddings import Embeddings\n"
              "import w2v_teach.evaluate as ev\nfrom w2v_teach.plotting import PALETTE\n"
              "import numpy\nfrom numpy import linalg\nfrom numpy import _private\n"
              "def lazy():\n    from .torch_models import SkipGram, _Hidden\n")
    path = tmp_path / "m.py"
    path.write_text(source, encoding="utf-8")
    assert package_imports(path) == {"sgns", "training", "embeddings", "evaluate", "plotting",
                                     "torch_models"}
    assert private_imports(path) == {"torch_models._Hidden"}


def test_the_reader_of_a_subpackage(tmp_path: Path) -> None:
    source = ("from . import ch1\nfrom .core import _Case\nfrom .. import sgns\n"
              "from ..embeddings import Embeddings, _hidden\n")
    path = tmp_path / "m.py"
    path.write_text(source, encoding="utf-8")
    assert package_imports(path, "exercises") == {"exercises", "sgns", "embeddings"}
    assert private_imports(path, "exercises") == {"embeddings._hidden"}
    assert "exercises" in MODULES and FLOOR_OF["exercises"] == "teaching"
