"""The package's front door: modules load lazily by attribute, and a typo gets a clear error."""
import subprocess
import sys

import pytest

import w2v_teach as w2v


def test_modules_are_reachable_as_attributes():
    assert w2v.text.Vocab is not None
    assert "text" in dir(w2v)


def test_unknown_attribute_names_the_modules():
    with pytest.raises(AttributeError, match="no attribute 'sgsn'.*sgns"):
        w2v.sgsn


def test_importing_the_package_does_not_import_torch():
    code = "import sys, w2v_teach as w; w.text; w.embeddings; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
