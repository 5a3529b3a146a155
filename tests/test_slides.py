"""The lecture slides: `tools/slides.py` builds a reveal.js deck per chapter from its notebook, offline.

One deck is built into a temporary folder: it must hold the chapter's title, learning objectives,
every section, the key equations as math for MathJax, the key figure exactly as the notebook stored
it, the summary and every exercise, and load nothing from outside its folder.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
import slides

CHAPTERS = sorted(slides.CHAPTERS.glob("*.ipynb"))


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.name for p in CHAPTERS])
def test_every_chapter_has_what_its_slides_show(path: Path) -> None:
    chapter = slides.read_chapter(path)
    assert chapter.title.startswith("Chapter ")
    assert chapter.objectives.count("\n- ") >= 2 and "$" in chapter.equations, path.name
    assert chapter.figure and len(chapter.sections) >= 4 and len(chapter.exercises) >= 4, path.name
    assert chapter.summary.lstrip().startswith("- "), path.name


def test_a_deck_builds_offline_from_its_notebook(tmp_path: Path) -> None:
    path = slides.CHAPTERS / "02_cbow_softmax.ipynb"
    (deck,) = slides.build(tmp_path, ["02_cbow_softmax"])
    page = deck.read_text(encoding="utf-8")
    chapter = slides.read_chapter(path)
    assert page.count("<section") >= 4 + len(chapter.sections) - 3
    assert "Learning objectives" in page and "Key equations" in page and "Key figure" in page
    assert r"\(\mathbf h = \frac{1}{n}" in page  # the key equations, typeset by MathJax in the browser
    nb = nbformat.read(path, as_version=4)
    pngs = [o["data"]["image/png"].replace("\n", "") for c in nb.cells if c.cell_type == "code"
            for o in c.outputs if "image/png" in o.get("data", {})]
    assert chapter.figure in pngs and f"base64,{chapter.figure}" in page
    for title in chapter.exercises:
        assert slides.markdown_to_html(title).strip()[3:-4] in page, title
    # Offline: every script and stylesheet is a file in the folder.
    sources = re.findall(r'(?:src|href)="([^"#]+)"', page)
    assert sources and not [s for s in sources if re.match(r"https?:", s)], sources
    for source in sources:
        if not source.startswith("data:"):
            assert (tmp_path / source).is_file(), source
    assert (tmp_path / "index.html").is_file()


def test_an_unknown_chapter_is_named(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no chapter named.*02_cbow"):
        slides.build(tmp_path, ["02_cbow"])
