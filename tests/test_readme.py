"""The README's chapter table stays in step with the book's table of contents.

Every chapter in book/_toc.yml has a row, in the same order, numbered as its file, and linked to
its notebook; every row links a chapter that the book contains.
"""
from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
TOC = yaml.safe_load((ROOT / "book" / "_toc.yml").read_text(encoding="utf-8"))
ROW = re.compile(r"^\|\s*(?P<number>[^|]*?)\s*\|\s*(?P<chapter>[^|]*?)\s*\|")
LINK = re.compile(r"^\[(?P<title>[^\]]+)\]\((?P<target>[^)\s]+)\)$")


def chapter_table(text: str) -> list[tuple[str, str]]:
    """Return (number, chapter cell) for each row of the table under '## Chapters'."""
    section = text.split("\n## Chapters\n", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    assert len(lines) > 2 and re.fullmatch(r"\|[\s:|-]+\|", lines[1]), "no table under '## Chapters'"
    rows = [ROW.match(line) for line in lines[2:]]  # after the header and its rule
    return [(r.group("number"), r.group("chapter")) for r in rows if r]


def toc_chapters() -> list[str]:
    """Return the chapter files of the table of contents, in order (book/chapters/NN_name.ipynb)."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            if str(node.get("file", "")).startswith("chapters/"):
                found.append(f"book/{node['file']}.ipynb")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(TOC)
    return found


def test_readme_links_every_chapter_of_the_toc_in_order() -> None:
    rows = chapter_table(README)
    problems = []
    targets = []
    for number, cell in rows:
        link = LINK.match(cell)
        if not link:
            problems.append(f"row {number}: the chapter {cell!r} is not a link to its notebook")
            continue
        target = link.group("target")
        targets.append(target)
        if not (ROOT / target).is_file():
            problems.append(f"row {number}: {target} does not exist")
        match = re.search(r"/(\d+)_[^/]+\.ipynb$", target)
        if not match or int(match.group(1)) != int(number):
            problems.append(f"row {number} links {target}, whose number differs")
    assert not problems, "\n".join(problems)
    assert targets == toc_chapters(), f"README rows {targets} differ from the toc's chapters {toc_chapters()}"


def test_chapter_table_parser() -> None:
    text = ("# T\n\n## Chapters\n\n| | chapter | x |\n|---|---|---|\n"
            "| 1 | [One](book/chapters/01_a.ipynb) | y |\n| 2 | Two | z |\n\nAfter.\n\n## Next\n| 9 | no |")
    assert chapter_table(text) == [("1", "[One](book/chapters/01_a.ipynb)"), ("2", "Two")]
