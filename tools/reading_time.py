"""Estimate how long a chapter takes to read and its exercises to do; state it on its first page.

The estimate counts what a reader reads: prose words at 120 a minute (a careful pace for technical
text with formulas) and lines of code at 15 a minute. Prose is the Markdown outside code fences
(directive and option lines left out); code is every non-empty line of a visible code cell (the
hidden setup cell, cells with a hidden input and folded checked-claims cells are left out) and of
the code fences in the Markdown. Everything before the `## Exercises` heading is the main path;
the exercises, with their solutions, are the rest. Minutes are rounded up to the next 5.

The result is written as one line right under the page's title and replaced on every run, so the
tool is idempotent and can run again after the text changes:

    *Reading time: about 45 minutes; the exercises: about 30 minutes more.*

Usage:
    python tools/reading_time.py [NOTEBOOK ...]          # default: the intro and every chapter
    python tools/reading_time.py --check [NOTEBOOK ...]  # exit 1 where the line is missing or stale
"""
from __future__ import annotations

import argparse
import math
import re
import sys
from pathlib import Path
from typing import Any, NamedTuple

import nbformat

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_NOTEBOOKS = [ROOT / "book" / "intro.ipynb", *sorted((ROOT / "book" / "chapters").glob("*.ipynb"))]
WORDS_PER_MINUTE = 120
CODE_LINES_PER_MINUTE = 15
LINE = re.compile(r"^\*Reading time: .*\*\n?", re.MULTILINE)
FENCE = re.compile(r"^\s*(`{3,}|:{3,})(.*)$")
HIDDEN_TAGS = {"hide-input", "hide-cell", "remove-cell", "remove-input"}


class Counts(NamedTuple):
    """Prose words and code lines of one part of a page."""

    words: int
    code_lines: int

    def minutes(self) -> int:
        """Return the reading time in minutes, rounded up to the next 5."""
        raw = self.words / WORDS_PER_MINUTE + self.code_lines / CODE_LINES_PER_MINUTE
        return max(5, 5 * math.ceil(raw / 5))


def markdown_counts(text: str) -> Counts:
    """Count the prose words and the lines of code fences (```python etc.) of Markdown text."""
    words = code = 0
    in_code = None
    for line in text.splitlines():
        fence = FENCE.match(line)
        if fence and in_code is None and fence.group(1).startswith("`") and not fence.group(2).startswith("{"):
            in_code = fence.group(1)
            continue
        if in_code is not None:
            if line.strip() == in_code:
                in_code = None
            elif line.strip():
                code += 1
            continue
        if fence or re.match(r"^\s*:[\w-]+:", line):  # a directive fence or one of its options
            continue
        words += len(line.split())
    return Counts(words, code)


def cell_counts(cell: Any, index: int) -> Counts:
    """Count what a reader reads in one cell (nothing in hidden code cells)."""
    if cell.cell_type == "markdown":
        return markdown_counts(LINE.sub("", cell.source))
    if cell.cell_type != "code" or HIDDEN_TAGS & set(cell.get("metadata", {}).get("tags", [])):
        return Counts(0, 0)
    return Counts(0, sum(1 for line in cell.source.splitlines() if line.strip()))


def page_counts(nb: Any) -> tuple[Counts, Counts]:
    """Return the counts of the main path and of the exercises (from '## Exercises' on)."""
    main, exercises, in_exercises = [0, 0], [0, 0], False
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown" and re.search(r"^## Exercises\s*$", cell.source, re.MULTILINE):
            in_exercises = True
        words, code = cell_counts(cell, index)
        target = exercises if in_exercises else main
        target[0] += words
        target[1] += code
    return Counts(*main), Counts(*exercises)


def reading_line(nb: Any) -> str:
    """Return the reading-time line of a page."""
    main, exercises = page_counts(nb)
    line = f"*Reading time: about {main.minutes()} minutes"
    if exercises.words or exercises.code_lines:
        line += f"; the exercises: about {exercises.minutes()} minutes more"
    return line + ".*"


def with_line(source: str, line: str) -> str:
    """Return the first cell's source with the reading-time line right under its title."""
    source = LINE.sub("", source)
    title, _, rest = source.partition("\n")
    return f"{title}\n\n{line}\n\n{rest.lstrip(chr(10))}"


def main(argv: list[str] | None = None) -> int:
    """Write (or with --check, verify) the reading-time line of each notebook; return an exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("notebooks", nargs="*", type=Path, default=DEFAULT_NOTEBOOKS)
    parser.add_argument("--check", action="store_true", help="report stale lines, change nothing")
    args = parser.parse_args(argv)
    stale = False
    for path in args.notebooks:
        nb = nbformat.read(path, as_version=4)
        line = reading_line(nb)
        new = with_line(nb.cells[0].source, line)
        main_counts, exercise_counts = page_counts(nb)
        print(f"{path.name}: {line} (main {main_counts.words} words, {main_counts.code_lines} code "
              f"lines; exercises {exercise_counts.words} words, {exercise_counts.code_lines} code lines)")
        if new != nb.cells[0].source:
            stale = True
            if not args.check:
                nb.cells[0].source = new
                nbformat.write(nb, path)
    return 1 if stale and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
