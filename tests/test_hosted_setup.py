"""The first code cell of every chapter, run as it runs where the reader is.

Colab (the book's launch button) opens a chapter with nothing but the notebook, so the chapter's
setup cell installs the package there; Binder builds the repository's requirements.txt, and a
clone has the package already, so there the cell does nothing. These tests run each chapter's
real setup cell without a network: with the package present; in a simulated Colab (the package
lookup patched to "missing", `google.colab` loaded, the pip command captured); and on a machine
that is neither. They also check that what the cell installs brings everything the chapters
import, and that the repository it names is the book's.
"""
from __future__ import annotations

import ast
import contextlib
import importlib.util
import io
import sys
import tomllib
import types
from pathlib import Path
from unittest import mock

import nbformat
import pytest
import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "book" / "chapters").glob("*.ipynb"))
CONFIG = yaml.safe_load((ROOT / "book" / "_config.yml").read_text(encoding="utf-8"))
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
EXTRA = "notebooks"
# The exact command the cell runs on Colab: the package with its notebooks extra, from the
# repository and branch named in book/_config.yml (the launch buttons' repository).
EXPECTED_INSTALL = [sys.executable, "-m", "pip", "install", "--quiet",
                    f"w2v-teach[{EXTRA}] @ git+{CONFIG['repository']['url']}@{CONFIG['repository']['branch']}"]
# Import name -> distribution, for the modules a chapter imports that are not the standard library.
DISTRIBUTIONS = {"numpy": "numpy", "scipy": "scipy", "matplotlib": "matplotlib", "sklearn": "scikit-learn",
                 "tqdm": "tqdm", "threadpoolctl": "threadpoolctl", "torch": "torch", "gensim": "gensim",
                 "myst_nb": "myst-nb",
                 "networkx": "networkx", "implicit": "implicit", "faiss": "faiss-cpu",
                 "safetensors": "safetensors", "tokenizers": "tokenizers", "transformers": "transformers"}


def setup_source(path: Path) -> str:
    """Return the source of a chapter's first code cell."""
    nb = nbformat.read(path, as_version=4)
    return next(c.source for c in nb.cells if c.cell_type == "code")


def run_cell(source: str, *, installed: bool, colab: bool = False) -> tuple[mock.Mock, str]:
    """Run a cell's code with the package present or missing, inside Colab or not.

    Returns the mock that stands in for subprocess.run (nothing is installed) and what the
    cell printed.
    """
    real_find_spec = importlib.util.find_spec

    def find_spec(name: str, *args, **kwargs):
        if name == "w2v_teach" and not installed:
            return None
        return real_find_spec(name, *args, **kwargs)

    modules = {"google.colab": types.ModuleType("google.colab")} if colab else {}
    printed = io.StringIO()
    with mock.patch("importlib.util.find_spec", side_effect=find_spec), \
            mock.patch("subprocess.run") as run, \
            mock.patch.dict(sys.modules, modules), \
            mock.patch.dict("os.environ", {}, clear=False) as environ, \
            contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        environ.pop("KAGGLE_KERNEL_RUN_TYPE", None)
        if not colab:
            sys.modules.pop("google.colab", None)
        exec(compile(source, "<setup cell>", "exec"), {"__name__": "__main__"})
    return run, printed.getvalue()


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.name for p in CHAPTERS])
def test_setup_cell_does_nothing_where_the_package_is_installed(path: Path) -> None:
    run, printed = run_cell(setup_source(path), installed=True)
    run.assert_not_called()
    assert printed == ""


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.name for p in CHAPTERS])
def test_setup_cell_installs_the_package_on_colab(path: Path) -> None:
    run, printed = run_cell(setup_source(path), installed=False, colab=True)
    run.assert_called_once_with(EXPECTED_INSTALL, check=True)
    assert printed == ""


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.name for p in CHAPTERS])
def test_setup_cell_explains_a_missing_package_elsewhere(path: Path) -> None:
    with pytest.raises(ModuleNotFoundError, match=r"w2v_teach is not installed.*README"):
        run_cell(setup_source(path), installed=False, colab=False)


def test_every_chapter_has_the_same_setup_cell() -> None:
    assert len({setup_source(path) for path in CHAPTERS}) == 1


def test_the_install_requirement_names_the_books_repository() -> None:
    requirement = Requirement(EXPECTED_INSTALL[-1])
    assert requirement.name == PYPROJECT["project"]["name"] == "w2v-teach"
    assert requirement.extras == {EXTRA}
    assert requirement.url == f"git+{CONFIG['repository']['url']}@{CONFIG['repository']['branch']}"
    assert CONFIG["launch_buttons"]["colab_url"] == "https://colab.research.google.com"


def chapter_imports() -> set[str]:
    """Return the top-level modules that the chapters' code cells import."""
    modules = set()
    for path in CHAPTERS:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "code":
                continue
            for node in ast.walk(ast.parse(cell.source)):
                if isinstance(node, ast.Import):
                    modules |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    modules.add(node.module.split(".")[0])
    return modules


def test_the_hosted_install_brings_everything_the_chapters_import() -> None:
    third_party = chapter_imports() - set(sys.stdlib_module_names) - {"w2v_teach"}
    unknown = third_party - set(DISTRIBUTIONS)
    assert not unknown, f"chapters import {sorted(unknown)}: add them to DISTRIBUTIONS and to the install"
    project = PYPROJECT["project"]
    installed = {Requirement(r).name for r in project["dependencies"]}
    installed |= {Requirement(r).name for r in project["optional-dependencies"][EXTRA]}
    missing = {DISTRIBUTIONS[m] for m in third_party} - installed
    assert not missing, f"w2v-teach[{EXTRA}] does not install {sorted(missing)}, which the chapters import"
    # gensim's wheel ships the data sets the chapters read (the Wikipedia sample, the evaluation sets).
    assert "gensim" in installed
