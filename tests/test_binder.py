"""Binder's install, simulated: the launch button's environment must build from the repository.

mybinder.org (repo2docker) finds the folder binder/ and reads only its files: binder/runtime.txt
names the Python, and `pip install -r binder/requirements.txt` runs in the repository's root; the
requirements end with `-e .`, which installs this package from that copy. Binder's requirements
are its own, light ones: PyTorch's CPU build from PyTorch's index, what the notebooks import, the
same pins as requirements.txt, and none of the tools that build or test the book. The slow test
repeats the install offline in a temporary copy: a fresh virtual environment that sees the
already installed dependencies, the same pip command from the copy's root, then the package must
import from the copy and a chapter's setup cell must do nothing.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from test_hosted_setup import DISTRIBUTIONS, OPTIONAL, chapter_imports

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
BINDER = ROOT / "binder"
# What a Binder build needs from the repository to run `pip install -r binder/requirements.txt`.
INSTALL_FILES = ["binder/requirements.txt", "binder/runtime.txt", "pyproject.toml", "README.md"]
# The book's build and test tools: Binder runs notebooks, it neither builds nor tests the book.
NOT_FOR_BINDER = {"jupyter-book", "sphinx-exercise", "sphinxcontrib-bibtex", "pytest", "nbval", "selenium", "pypdf"}


def requirements(path: Path) -> dict[str, Requirement]:
    """Return {name: requirement} for the pinned lines of a requirements file."""
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    found = [Requirement(line) for line in lines if line and not line.startswith(("#", "-"))]
    return {r.name: r for r in found}


def pinned(requirement: Requirement) -> Version:
    """Return the version that an '==' requirement pins."""
    (spec,) = requirement.specifier
    assert spec.operator == "==", requirement
    return Version(spec.version)


def runtime_python() -> str:
    """Return the Python version that binder/runtime.txt asks Binder for, e.g. '3.11'."""
    text = (BINDER / "runtime.txt").read_text(encoding="utf-8").strip()
    match = re.fullmatch(r"python-(3\.\d+)", text)
    assert match, f"runtime.txt must read 'python-3.X', got {text!r}"
    return match.group(1)


def test_binder_python_is_one_the_project_supports() -> None:
    version = runtime_python()
    assert SpecifierSet(PYPROJECT["project"]["requires-python"]).contains(f"{version}.0")
    # Every pin carries the tested range as a marker; Binder's Python must fall inside it.
    lines = [line for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith(("#", "-e"))]
    for line in lines:
        low, high = re.search(r'python_version >= "(3\.\d+)" and python_version < "(3\.\d+)"', line).groups()
        as_tuple = lambda v: tuple(int(x) for x in v.split("."))  # noqa: E731
        assert as_tuple(low) <= as_tuple(version) < as_tuple(high), line


def test_requirements_install_this_package_from_the_repository_root() -> None:
    lines = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert lines[-1].strip() == "-e .", "requirements.txt must end with '-e .' (the README's install)"
    binder = (BINDER / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert binder[-1].strip() == "-e .", "binder/requirements.txt must end with '-e .' (Binder installs the package so)"


def test_binder_has_its_own_light_environment() -> None:
    binder, full = requirements(BINDER / "requirements.txt"), requirements(ROOT / "requirements.txt")
    assert not (ROOT / "runtime.txt").exists(), "repo2docker ignores root files once binder/ exists"
    # PyTorch's CPU build, from PyTorch's CPU index, at the tested version.
    assert pinned(binder["torch"]).local == "cpu"
    assert pinned(binder["torch"]).public == pinned(full["torch"]).public
    options = [line.split() for line in (BINDER / "requirements.txt").read_text(encoding="utf-8").splitlines()
               if line.startswith("--")]
    assert ["--extra-index-url", "https://download.pytorch.org/whl/cpu"] in options
    # The same pins as the tested stack, and none of the book's build and test tools.
    for name, requirement in binder.items():
        assert name not in full or pinned(requirement).public == pinned(full[name]).public, requirement
    assert not NOT_FOR_BINDER & set(binder), sorted(NOT_FOR_BINDER & set(binder))
    # Everything the chapters import (myst-nb for glue) comes along.
    third_party = chapter_imports() - OPTIONAL
    wanted = {DISTRIBUTIONS[m] for m in third_party} | {"myst-nb"}
    missing = wanted - set(binder)
    assert not missing, f"binder/requirements.txt lacks {sorted(missing)}, which the chapters import"


@pytest.mark.slow
def test_binder_style_install_in_a_copy(tmp_path: Path) -> None:
    copy = tmp_path / "repo"
    (copy / "binder").mkdir(parents=True)
    for name in INSTALL_FILES:
        shutil.copy2(ROOT / name, copy / name)
    shutil.copytree(ROOT / "src", copy / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    shutil.copytree(ROOT / "book" / "chapters", copy / "book" / "chapters")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    # Offline: the new environment sees this one's installed packages, pip included (a path
    # entry, so the editable install of the checkout itself stays invisible); pip uses no index.
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--no-index", "--no-build-isolation", "--disable-pip-version-check",
         "-r", "binder/requirements.txt"],
        cwd=copy, capture_output=True, text=True, timeout=300,
    )
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]
    # The package now imports from the copy, from any folder, and the setup cell does nothing.
    probe = (
        "import json, pathlib, w2v_teach, nbformat\n"
        "nb = nbformat.read(pathlib.Path(r'%s') / '01_counts.ipynb', as_version=4)\n"
        "setup = next(c.source for c in nb.cells if c.cell_type == 'code')\n"
        "exec(setup)\n"
        "print(json.dumps({'file': w2v_teach.__file__, 'version': w2v_teach.__version__}))\n"
    ) % (copy / "book" / "chapters")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # the copy's package, not a checkout's
    result = subprocess.run([str(python), "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                            env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().startswith("{"), result.stdout  # the setup cell printed nothing
    imported = Path(__import__("json").loads(result.stdout)["file"]).resolve()
    assert imported.is_relative_to((copy / "src").resolve()), imported
