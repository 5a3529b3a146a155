"""The printable PDF: `tools/build_pdf.py` prints the whole book, offline, with headless Chromium.

The PDF is built once for this module into a temporary folder and read back with pypdf: a title
page, a table of contents that gives the page of every chapter, one outline entry per chapter of
the table of contents (no more, no fewer) with a bookmark below it for every section, every figure
of the book, and no raw TeX anywhere in its text (the script itself refuses
to print before MathJax has typeset every formula). Without Chromium the tests skip and say how
to install it; CI sets W2V_TEACH_REQUIRE_CHROMIUM=1, which turns that skip into a failure.
"""
from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

import nbformat
import pytest
import yaml

import browser
import build_pdf
from test_book import toc_files  # the toc walk, shared

pytestmark = pytest.mark.slow

BOOK = Path(__file__).resolve().parents[1] / "book"
TOC = yaml.safe_load((BOOK / "_toc.yml").read_text(encoding="utf-8"))
RAW_TEX = re.compile(r"\\[()\[\]]|\$\$|\\(?:frac|mathbf|mathrm|text|sum|log|exp|partial|top|sigma|begin|end)\b")
INLINE_DOLLARS = re.compile(r"(?<![\w$])\$(?=\S)[^$\n]{1,200}(?<=\S)\$(?![\w$])")


def notebooks() -> list[Path]:
    """Return the notebooks of the table of contents."""
    return [BOOK / f"{name}.ipynb" for name in toc_files(TOC) if (BOOK / f"{name}.ipynb").is_file()]


def chapter_titles() -> list[str]:
    """Return the title of every chapter in the table of contents, in order."""
    titles = []
    for path in notebooks():
        first = nbformat.read(path, as_version=4).cells[0].source
        match = re.match(r"^# (Chapter \d+: .+)$", first, re.MULTILINE)
        if match:
            titles.append(match.group(1).strip())
    return titles


def squash(text: str) -> str:
    """Return text without whitespace (the PDF outline joins wrapped lines without a space)."""
    return re.sub(r"\s+", "", text)


def outline_titles(outline) -> list[str]:
    """Return every title of a pypdf outline, depth first."""
    titles = []
    for item in outline:
        titles += outline_titles(item) if isinstance(item, list) else [item.title]
    return titles


@pytest.fixture(scope="module")
def pdf(tmp_path_factory):
    """Build the full edition's PDF once for this module; return a pypdf reader of it."""
    from pypdf import PdfReader

    if browser.find_chromium() is None:
        message = browser.missing_message()
        if os.environ.get("W2V_TEACH_REQUIRE_CHROMIUM"):
            pytest.fail(message)
        pytest.skip(message)
    path, _ = build_pdf.build("full", tmp_path_factory.mktemp("pdf"))
    return PdfReader(path)


@pytest.fixture(scope="module")
def pages(pdf) -> list[str]:
    """Return the text of every page, ligatures unfolded (NFKC: "\ufb01" -> "fi")."""
    return [unicodedata.normalize("NFKC", page.extract_text()) for page in pdf.pages]


def test_title_page_and_contents(pages) -> None:
    assert "w2v-teach" in pages[0] and "word2vec from first principles" in pages[0]
    # The contents run from the page after the title to the one that lists the last part, References.
    last = next((i for i in range(1, len(pages)) if squash("References") in squash(pages[i])), 3)
    contents = squash(" ".join(pages[1:last + 1]))
    assert squash("Contents") in contents
    for title in chapter_titles() + ["Using this book in a course", "Glossary", "References"]:
        assert squash(title) in contents, f"{title!r} is not in the table of contents"


def test_one_outline_entry_per_chapter(pdf) -> None:
    expected = chapter_titles()
    assert len(expected) == sum(1 for f in toc_files(TOC) if f.startswith("chapters/"))
    found = [t for t in outline_titles(pdf.outline) if re.match(r"^Chapter \d+:", t.strip())]
    # The contents page links every chapter and the chapter heading itself adds an entry: keep one each.
    assert list(dict.fromkeys(map(squash, found))) == [squash(t) for t in expected]


def test_every_chapter_is_printed(pages) -> None:
    body = squash(" ".join(pages[2:]))
    for title in chapter_titles():
        assert squash(title) in body, title
    assert len(pages) > 50, f"only {len(pages)} pages"


def test_no_raw_tex(pages) -> None:
    text = "\n".join(pages)
    problems = [text[max(0, m.start() - 50):m.end() + 30] for m in RAW_TEX.finditer(text)]
    # Dollar signs that the book prints as code (Matplotlib labels in code cells) are not math.
    in_code = {m.group(0) for path in notebooks() for cell in nbformat.read(path, as_version=4).cells
               if cell.cell_type == "code" for m in INLINE_DOLLARS.finditer(cell.source)}
    problems += [m.group(0) for m in INLINE_DOLLARS.finditer(text) if m.group(0) not in in_code]
    assert not problems, f"raw TeX in the PDF: {problems[:5]}"


def test_no_wall_of_checked_claims(pages) -> None:
    """The folded checked cells stay folded on paper: no run of more than three True/False lines."""
    claim = re.compile(r":\s*(?:True|False)\s*$")
    for number, page in enumerate(pages, 1):
        run = longest = 0
        for line in page.splitlines():
            run = run + 1 if claim.search(line) else 0
            longest = max(longest, run)
        assert longest <= 3, f"page {number} prints {longest} True/False lines in a row"


def test_every_figure_is_printed(pdf) -> None:
    figures = sum(1 for path in notebooks() for cell in nbformat.read(path, as_version=4).cells
                  if cell.cell_type == "code" for o in cell.get("outputs", [])
                  if "image/png" in o.get("data", {}))
    images = sum(len(page.images) for page in pdf.pages)
    assert figures > 0 and images >= figures, f"{images} images in the PDF, {figures} figures in the book"


def outline_pages(pdf, outline=None) -> list[tuple[str, int, int]]:
    """Return (title, depth, page number from 1) for every bookmark, depth first."""
    found = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((item.title, depth, pdf.get_destination_page_number(item) + 1))

    walk(pdf.outline if outline is None else outline, 0)
    return found


def test_a_bookmark_for_every_section(pdf) -> None:
    bookmarks = outline_pages(pdf)
    chapters = [b for b in bookmarks if b[1] == 0 and re.match(r"^Chapter \d+:", b[0])]
    assert [squash(b[0]) for b in chapters] == [squash(t) for t in chapter_titles()]
    # Below each part of the book, one bookmark per section of the notebook.
    children = {}
    for item, after in zip(pdf.outline, pdf.outline[1:] + [None]):
        if not isinstance(item, list):
            children[squash(item.title)] = len(after) if isinstance(after, list) else 0
    for path in notebooks():
        nb = nbformat.read(path, as_version=4)
        title = re.match(r"^# (.+)$", nb.cells[0].source, re.MULTILINE).group(1)
        sections = sum(1 for cell in nb.cells if cell.cell_type == "markdown"
                       for line in cell.source.splitlines() if line.startswith("## "))
        assert children.get(squash(title)) == sections, (path.name, children.get(squash(title)), sections)
    assert [b[2] for b in bookmarks if b[1] == 0] == sorted(b[2] for b in bookmarks if b[1] == 0)


def test_contents_give_the_page_of_every_chapter(pdf, pages) -> None:
    last = next(i for i in range(1, len(pages)) if squash("References") in squash(pages[i]))
    # The page numbers stand on lines of their own in the extracted text (a column beside the titles).
    numbers = [int(line) for page in pages[1:last + 1] for line in page.splitlines() if line.strip().isdigit()]
    bookmarks = outline_pages(pdf)
    assert len(numbers) >= len(bookmarks), f"{len(numbers)} page numbers in the contents, {len(bookmarks)} entries"
    for title, depth, page in bookmarks:
        if depth == 0 and re.match(r"^Chapter \d+:", title):
            # The chapter starts on that page, and the contents print that number.
            assert squash(title) in squash(pages[page - 1]), (title, page)
            assert page in numbers, (title, page)
