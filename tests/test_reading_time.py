"""tools/reading_time.py: the reading-time estimate and the line it writes under a page's title."""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
import reading_time as rt  # tools/ (conftest puts it on the path)
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

BOOK = Path(__file__).resolve().parents[1] / "book"
PAGES = [BOOK / "intro.ipynb"] + sorted((BOOK / "chapters").glob("*.ipynb"))  # each states its time


def page() -> nbformat.NotebookNode:
    """Return a page of 240 prose words, 15 visible code lines, and exercises of 120 words."""
    hidden = new_code_cell("x = 1\n" * 30)
    hidden.metadata["tags"] = ["hide-input"]
    return new_notebook(cells=[
        new_markdown_cell("# Chapter 1: A page\n\n```{tip}\n:class: note\n" + "word " * 118 + "\n```"),
        new_code_cell("\n".join(f"y = {i}" for i in range(15)) + "\n\n"),
        hidden,
        new_markdown_cell("word " * 120 + "\n```python\nz = 1\n```"),
        new_markdown_cell("## Exercises\n\n" + "word " * 118),
    ])


def test_counts_prose_words_and_visible_code_lines() -> None:
    main, further, exercises = rt.page_counts(page())
    assert main == rt.Counts(words=118 + 5 + 120, code_lines=15 + 1) and further == rt.Counts(0, 0)
    assert exercises == rt.Counts(words=2 + 118, code_lines=0)
    assert main.minutes() == 5 and rt.Counts(1200, 150).minutes() == 20
    assert rt.Counts(1201, 150).minutes() == 25  # rounded up to the next 5


def test_folded_boxes_and_going_further_are_optional() -> None:
    nb = page()
    nb.cells.insert(4, new_markdown_cell("### Going further: more\n\n" + "word " * 240))
    nb.cells[3].source += "\n\n```{admonition} Optional\n:class: dropdown\n" + "word " * 50 + "\n```"
    nb.cells[3].source += "\n\n```{dropdown} Also optional\n" + "word " * 50 + "\n```"
    main, further, _ = rt.page_counts(nb)
    assert main == rt.Counts(words=118 + 5 + 120, code_lines=15 + 1)
    assert further == rt.Counts(words=4 + 240, code_lines=0)  # the heading counts its "###"
    assert "(the optional part after the summary: about 5 more)" in rt.reading_line(nb)


def test_doing_the_exercises_counts_their_difficulty() -> None:
    nb = page()
    nb.cells[4].source += ("\n\n```{exercise} One (easy)\n:label: a\nDo.\n```\n\n"
                           "````{exercise} Two (medium, checked)\n:label: b\nDo.\n````\n\n"
                           "```{exercise} Three (harder, pen and paper)\n:label: c\nDo.\n```")
    assert rt.exercise_effort(nb) == (15 + 30 + 60, {"easy": 1, "medium": 1, "harder": 1})
    assert rt.reading_line(nb).endswith("; doing the exercises: about 2 hours (1 easy, 1 medium, 1 harder).*")


def test_the_line_goes_under_the_title_and_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "page.ipynb"
    nbformat.write(page(), path)
    assert rt.main([str(path)]) == 0
    first = nbformat.read(path, as_version=4).cells[0].source
    assert first.startswith("# Chapter 1: A page\n\n*Reading time: about 5 minutes; "
                            "the exercises: about 5 minutes more.*\n\n```{tip}")
    assert rt.main(["--check", str(path)]) == 0
    assert nbformat.read(path, as_version=4).cells[0].source == first  # idempotent
    nb = nbformat.read(path, as_version=4)
    nb.cells[3].source += "\n" + " word" * 2400
    nbformat.write(nb, path)
    assert rt.main(["--check", str(path)]) == 1  # stale: the page grew by 20 minutes


@pytest.mark.parametrize("path", PAGES, ids=[p.name for p in PAGES])
def test_every_page_states_its_reading_time(path: Path) -> None:
    first = nbformat.read(path, as_version=4).cells[0].source
    assert rt.LINE.search(first), f"{path.name}: run python tools/reading_time.py {path.name}"
