"""tools/format_notebooks.py: markers become tags, boolean claims fold, code fits 76 columns.

Checked on small notebooks built in memory: the formatter converts and folds, leaves teaching
cells in view, keeps what the code computes (same syntax tree), is idempotent, and its `--check`
finds each broken rule.
"""
from __future__ import annotations

import ast
from pathlib import Path

import format_notebooks as fmt  # tools/ (conftest puts it on the path)
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

RUFF = fmt.find_ruff()
needs_ruff = pytest.mark.skipif(RUFF is None, reason="ruff is not installed (requirements.txt pins it)")

SETUP = ("# Setup: where only the notebook is, install the package.\nimport importlib.util\n"
         "if importlib.util.find_spec('w2v_teach') is None:  # a comment that is long enough to pass "
         "the line length\n    pass")
LONG_PRINT = ('print(f"{len(words)} words in the vocabulary and {n_pairs:,} pairs, the first of them '
              'from the sentence {first!r}: {answer}")')


def _stream(text: str):
    return new_output("stream", name="stdout", text=text)


def notebook() -> nbformat.NotebookNode:
    """Return a notebook with a setup cell, a checked boolean cell, a checked analogy and long code."""
    claims = new_code_cell("# NBVAL_CHECK_OUTPUT\nprint('a: True')\nprint('b: False')", execution_count=2)
    claims.outputs = [_stream("the loss falls: True\nthe accuracy is at least 0.9: False\n")]
    analogy = new_code_cell("# NBVAL_CHECK_OUTPUT\nprint(line)", execution_count=3)
    analogy.outputs = [_stream("king - man + woman -> queen (cosine >= 0.70)\nall sections: True\n")]
    timing = new_code_cell("# NBVAL_IGNORE_OUTPUT\nx = 1  # " + "a long comment " * 8, execution_count=4)
    code = new_code_cell("words, n_pairs, first, answer = [1], 2, 3, 4\n" + LONG_PRINT, execution_count=5)
    setup = new_code_cell(SETUP, execution_count=1)
    return new_notebook(cells=[setup, claims, analogy, timing, code])


def test_convert_marker_moves_the_comment_into_a_tag() -> None:
    nb = notebook()
    assert fmt.convert_marker(nb.cells[1]) and fmt.convert_marker(nb.cells[3])
    assert nb.cells[1].source == "print('a: True')\nprint('b: False')"
    assert nb.cells[1].metadata["tags"] == ["nbval-check-output"]
    assert nb.cells[3].metadata["tags"] == ["nbval-ignore-output"]
    assert fmt.is_checked(nb.cells[1]) and not fmt.is_checked(nb.cells[3])
    assert not fmt.convert_marker(nb.cells[1])  # the second time, nothing to do


def test_fold_folds_boolean_claims_and_leaves_teaching_cells_in_view() -> None:
    nb = notebook()
    assert fmt.fold(nb.cells[1])
    assert "hide-cell" in nb.cells[1].metadata["tags"]
    assert nb.cells[1].metadata["mystnb"]["code_prompt_show"] == "Show checked claims"
    assert not fmt.fold(nb.cells[1])  # already folded
    assert not fmt.fold(nb.cells[2])  # an analogy line teaches: it stays in view
    unchecked = new_code_cell("print(x)")
    unchecked.outputs = [_stream("x: True\ny: True\n")]
    assert not fmt.fold(unchecked)  # only checked cells fold


def test_fold_catches_a_long_run_of_claims_among_other_lines() -> None:
    cell = new_code_cell("# NBVAL_CHECK_OUTPUT\nprint(x)")
    cell.outputs = [_stream("a table header\n" + "".join(f"claim {i}: True\n" for i in range(4)))]
    assert fmt.is_boolean_claims(cell)
    cell.outputs = [_stream("a table header\n" + "".join(f"claim {i}: True\n" for i in range(3)))]
    assert not fmt.is_boolean_claims(cell)


@pytest.mark.parametrize("line", [
    '    f"{len(words)} words in the vocabulary and {n_pairs:,} pairs, the first {first!r}: {answer}",',
    "    label='a plain string with many words in it that goes on well past the end of the line',",
    '    f"a field with a space inside {x if x else \'no value at all\'} and more words to cut here"',
])
def test_split_string_line_keeps_the_value(line: str) -> None:
    pieces = fmt.split_string_line(line)
    assert pieces and all(len(p) <= fmt.LINE_LENGTH for p in pieces)
    wrap = lambda lines: "x, first, words, n_pairs, answer = 1, 2, 3, 4, 5\nf(\n" + "\n".join(lines) + "\n)"
    assert ast.dump(ast.parse(wrap([line]))) == ast.dump(ast.parse(wrap(pieces)))


def test_split_long_strings_leaves_a_bare_string_statement_alone() -> None:
    source = "'" + "word " * 20 + "'"  # two literals on two lines would be two statements
    assert fmt.split_long_strings(source) == source


def test_wrap_long_comments_moves_a_trailing_comment_above() -> None:
    source = "x = compute(a, b)  # " + "this comment explains the line in far too many words " * 2
    wrapped = fmt.wrap_long_comments(source).splitlines()
    assert wrapped[-1] == "x = compute(a, b)" and all(w.startswith("# ") for w in wrapped[:-1])
    assert all(len(w) <= fmt.LINE_LENGTH for w in wrapped)


@needs_ruff
def test_format_notebook_is_idempotent_and_passes_its_check(tmp_path: Path) -> None:
    path = tmp_path / "nb.ipynb"
    nbformat.write(notebook(), path)
    before = fmt.check_notebook(nbformat.read(path, as_version=4), RUFF)
    assert any("marker comment" in p for p in before)
    assert any("not folded" in p for p in before)
    assert any("characters (at most 76)" in p for p in before)
    assert fmt.format_notebook(path, RUFF)
    once = path.read_text(encoding="utf-8")
    assert fmt.format_notebook(path, RUFF) == [] and path.read_text(encoding="utf-8") == once
    nb = nbformat.read(path, as_version=4)
    assert fmt.check_notebook(nb, RUFF) == []
    assert nb.cells[0].source == SETUP  # the hidden setup cell is left as it is
    assert ast.dump(ast.parse(nb.cells[4].source)) == ast.dump(ast.parse(notebook().cells[4].source))


@needs_ruff
def test_check_reports_code_that_ruff_would_reformat() -> None:
    nb = notebook()
    for cell in nb.cells[1:4]:
        fmt.convert_marker(cell)
    fmt.fold(nb.cells[1])
    cells = nb.cells[1:]
    for cell, source in zip(cells, fmt.format_sources([c.source for c in cells], RUFF)):
        cell.source = source
    assert fmt.check_notebook(nb, RUFF) == []
    nb.cells[2].source = "x = [1,2,3]"  # short, but not as ruff writes it
    assert [p for p in fmt.check_notebook(nb, RUFF) if "not formatted as ruff" in p]


def test_main_check_exits_1_on_a_broken_notebook(tmp_path: Path, capsys) -> None:
    path = tmp_path / "nb.ipynb"
    nbformat.write(notebook(), path)
    assert fmt.main(["--check", str(path)]) == 1
    assert "marker comment" in capsys.readouterr().out


def test_a_comment_on_the_last_line_of_a_statement_goes_above_the_statement() -> None:
    source = ('for a, b in [("france", "paris"), ("man", "king"),\n'
              '             ("walk", "walked")]:  # the analogies of every chapter, a comment too long\n'
              "    print(a, b)")
    wrapped = fmt.wrap_long_comments(source).splitlines()
    assert wrapped[0] == "# the analogies of every chapter, a comment too long"
    assert wrapped[1].startswith("for a, b in") and wrapped[2].endswith("]:")
    items = ('pairs = [("the dog chased the cat", "the cat chased the dog"),\n'
             '         ("a man is playing a guitar", "someone plays"),  # paraphrases, a long comment\n'
             '         ("x", "y")]')
    wrapped = fmt.wrap_long_comments(items).splitlines()
    assert wrapped[1] == "         # paraphrases, a long comment"  # above its own item, inside the list
