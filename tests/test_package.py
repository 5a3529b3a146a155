"""The package's front door: modules load lazily by attribute, and a typo gets a clear error."""
import subprocess
import sys

import pytest

import w2v_teach as w2v


def test_modules_are_reachable_as_attributes():
    import w2v_teach.text

    assert w2v.text is w2v_teach.text and w2v.text.Vocab is w2v_teach.text.Vocab
    assert set(w2v.__all__) <= set(dir(w2v))


def test_unknown_attribute_names_the_modules():
    with pytest.raises(AttributeError, match="no attribute 'sgsn'.*sgns"):
        w2v.sgsn


def test_importing_the_package_does_not_import_torch():
    code = "import sys, w2v_teach as w; w.text; w.embeddings; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_every_module_file_is_reachable():
    from pathlib import Path

    package = Path(w2v.__file__).parent
    files = {p.stem for p in package.glob("*.py") if not p.stem.startswith("_")}
    files |= {p.parent.name for p in package.glob("*/__init__.py")}  # subpackages (exercises)
    assert files == set(w2v.__all__)
    assert w2v.torch_models.train is w2v.torch_train.train  # the trainer, installed by torch_train


def test_version_matches_pyproject():
    from pathlib import Path

    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    assert f'version = "{w2v.__version__}"' in pyproject.read_text(encoding="utf-8")


@pytest.mark.slow
def test_readme_example_runs_and_answers_the_classic_analogy():
    """Run README.md's Python example as written: the API it shows must exist and work."""
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, re.DOTALL)
    assert len(blocks) == 1, "README.md should have exactly one Python example"
    out = subprocess.run([sys.executable, "-c", blocks[0]], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert re.fullmatch(r"king - man \+ woman -> queen \(\d\.\d{3}\)\n", out.stdout), out.stdout


def _resolve(address: str):
    module, name = address.split(".")
    return getattr(getattr(w2v, module), name)


@pytest.mark.parametrize("alias", sorted(w2v.ALIASES))
def test_every_alias_is_its_owner(alias):
    assert _resolve(alias) is _resolve(w2v.ALIASES[alias])


@pytest.mark.parametrize("name", [m for m in w2v.__all__ if m not in ("torch_models", "torch_train",
                                                                      "torch_batches", "hogwild", "streaming")])
def test_no_module_exports_another_modules_object(name):
    """A public name defined in another package module is an alias, listed once in w2v.ALIASES."""
    module = getattr(w2v, name)
    for public in getattr(module, "__all__", []):
        owner = getattr(getattr(module, public), "__module__", module.__name__)
        inside = owner == module.__name__ or owner.startswith(module.__name__ + ".")  # a subpackage's own
        if owner.startswith("w2v_teach.") and not inside:
            assert f"{name}.{public}" in w2v.ALIASES, f"{name}.{public} re-exports {owner}.{public}"


@pytest.mark.parametrize("name", ["torch_models", "torch_train", "torch_batches", "hogwild", "streaming"])
def test_no_torch_module_exports_another_modules_object(name):
    pytest.importorskip("torch")
    test_no_module_exports_another_modules_object(name)
