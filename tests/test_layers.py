"""The package's floors (README, "Layout"): an import only points down a floor.

values and data  <-  scaffold (training, evaluation, measures, pictures)  <-  trainers  <-  teaching

A data module imports only data modules; a scaffold module imports data and scaffold modules; a
trainer may import anything but evaluation and pictures, so that training never depends on how its
result is judged; the teaching floor (the exercise checks and the grader) may import anything, and
nothing below imports it. A subpackage (exercises/) is one module here: its files share its floor.
The test reads every module's imports (relative and absolute, at any depth, so a lazy import
inside a function counts too) and checks each against its floor. Every module of the
package must have a floor: a new module fails here until it is placed.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "w2v_teach"

DATA = {"_checks", "_files", "text", "sampling", "windows", "scatter", "embeddings", "datasets",
        "world", "world_lexicon", "senses", "sessions", "graphs"}
SCAFFOLD = {"training", "evaluate", "plotting", "gradcheck", "bias", "recommend", "features",
            "serving", "encoder"}
TRAINERS = {"counting", "cbow_softmax", "sgns", "hogbatch", "hsoftmax", "torch_models",
            "torch_train", "reference", "hogwild", "streaming", "spark", "item2vec"}
TEACHING = {"exercises", "grade"}  # checks for the exercises and the grader, above everything
JUDGES = {"evaluate", "plotting"}  # what a trainer must not import
ALLOWED = {
    **{name: DATA for name in DATA},
    **{name: DATA | SCAFFOLD for name in SCAFFOLD},
    **{name: DATA | SCAFFOLD | TRAINERS - JUDGES for name in TRAINERS},
    **{name: DATA | SCAFFOLD | TRAINERS | TEACHING for name in TEACHING},
}


def package_imports(path: Path, subpackage: str | None = None) -> set[str]:
    """Return the names of the package's modules that the file at `path` imports.

    For a file inside a subpackage of w2v_teach, `subpackage` is its name: a relative import of
    level 1 then stays inside it (and counts as the subpackage), level 2 reaches w2v_teach.
    """
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            inside = node.level > 0 or (node.module or "").split(".")[0] == "w2v_teach"
            if not inside:
                continue
            if subpackage and node.level == 1:
                names.add(subpackage)
                continue
            module = (node.module or "").removeprefix("w2v_teach").lstrip(".")
            if module:
                names.add(module.split(".")[0])
            else:  # from . import sgns, training
                names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "w2v_teach" and len(parts) > 1:
                    names.add(parts[1])
    return names


MODULES = sorted({p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
                 | {p.parent.name for p in PACKAGE.glob("*/__init__.py")})


def module_files(name: str) -> list[tuple[Path, str | None]]:
    """Return the files of module `name` with their subpackage (None for a plain module)."""
    if (PACKAGE / name).is_dir():
        return [(p, name) for p in sorted((PACKAGE / name).glob("*.py"))]
    return [(PACKAGE / f"{name}.py", None)]


def test_every_module_has_a_floor() -> None:
    floors = [DATA, SCAFFOLD, TRAINERS, TEACHING]
    assert all(not a & b for i, a in enumerate(floors) for b in floors[i + 1:])
    missing = set(MODULES) - set(ALLOWED)
    assert not missing, f"modules without a floor (add them to tests/test_layers.py): {sorted(missing)}"
    stale = set(ALLOWED) - set(MODULES)
    assert not stale, f"floors list modules that do not exist: {sorted(stale)}"


@pytest.mark.parametrize("name", MODULES)
def test_imports_point_down(name: str) -> None:
    imported = set().union(*(package_imports(path, sub) for path, sub in module_files(name))) - {name}
    wrong = imported - ALLOWED.get(name, set())
    assert not wrong, f"{name} imports {sorted(wrong)}, above or beside its floor"


def test_the_reader_of_imports(tmp_path: Path) -> None:
    source = ("from . import sgns, training\nfrom .embeddings import Embeddings\n"
              "import w2v_teach.evaluate as ev\nfrom w2v_teach.plotting import PALETTE\n"
              "import numpy\nfrom numpy import linalg\n"
              "def lazy():\n    from .torch_models import SkipGram\n")
    path = tmp_path / "m.py"
    path.write_text(source, encoding="utf-8")
    assert package_imports(path) == {"sgns", "training", "embeddings", "evaluate", "plotting",
                                     "torch_models"}


def test_the_reader_of_a_subpackage(tmp_path: Path) -> None:
    source = "from . import ch1\nfrom .core import Case\nfrom .. import sgns\nfrom ..embeddings import Embeddings\n"
    path = tmp_path / "m.py"
    path.write_text(source, encoding="utf-8")
    assert package_imports(path, "exercises") == {"exercises", "sgns", "embeddings"}
    assert "exercises" in MODULES and ALLOWED["exercises"] >= TRAINERS
