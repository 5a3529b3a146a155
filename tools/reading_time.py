"""Estimate how long a chapter takes to read and its exercises to do; state it on its first page.

The estimate counts what a reader reads: prose words at 120 a minute (a careful pace for technical
text with formulas) and lines of code at 15 a minute. Prose is the Markdown outside code fences
(directive and option lines left out); code is every non-empty line of a visible code cell (the
hidden setup cell, cells with a hidden input and folded checked-claims cells are left out) and of
the code fences in the Markdown. Folded boxes (a `{dropdown}` or an admonition of class
`dropdown`) are optional and not counted. Everything before a "Going further" heading, or else
before the `## Exercises` heading, is the main path; a "Going further" part after the summary is
optional and stated apart; the exercises, with their solutions, are the rest. Minutes are rounded
up to the next 5. Doing the exercises takes longer than reading them: each exercise's difficulty
label (its title ends in "(easy)", "(medium, checked)", "(harder)", ...) counts 15, 30 or 60
minutes, and the line states their sum.

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
    """Count the prose words and the lines of code fences (```python etc.) of Markdown text.

    Text inside a folded box (a {dropdown} directive, or a directive with `:class: dropdown`) is
    optional reading and is not counted.
    """
    words = code = 0
    in_code = None
    boxes: list[list] = []  # open directive fences: [fence, folded]
    for line in text.splitlines():
        fence = FENCE.match(line)
        folded = any(folded for _, folded in boxes)
        if fence and in_code is None and fence.group(1).startswith("`") and not fence.group(2).startswith("{"):
            in_code = fence.group(1)
            continue
        if in_code is not None:
            if line.strip() == in_code:
                in_code = None
            elif line.strip() and not folded:
                code += 1
            continue
        if fence and fence.group(2).startswith("{"):  # a directive opens
            boxes.append([fence.group(1), fence.group(2).startswith("{dropdown")])
            continue
        if fence and boxes and line.strip() == boxes[-1][0]:  # the innermost directive closes
            boxes.pop()
            continue
        if re.match(r"^\s*:[\w-]+:", line):  # a directive option
            if boxes and re.match(r"^\s*:class:.*\bdropdown\b", line):
                boxes[-1][1] = True
            continue
        if fence:
            continue
        if not folded:
            words += len(line.split())
    return Counts(words, code)


def cell_counts(cell: Any, index: int) -> Counts:
    """Count what a reader reads in one cell (nothing in hidden code cells)."""
    if cell.cell_type == "markdown":
        return markdown_counts(LINE.sub("", cell.source))
    if cell.cell_type != "code" or HIDDEN_TAGS & set(cell.get("metadata", {}).get("tags", [])):
        return Counts(0, 0)
    return Counts(0, sum(1 for line in cell.source.splitlines() if line.strip()))


GOING_FURTHER = re.compile(r"^#{2,4} .*Going further", re.MULTILINE | re.IGNORECASE)
EXERCISES = re.compile(r"^## Exercises\s*$", re.MULTILINE)


def page_counts(nb: Any) -> tuple[Counts, Counts, Counts]:
    """Return the counts of the main path, of the optional 'Going further' part and of the exercises."""
    parts = {"main": [0, 0], "further": [0, 0], "exercises": [0, 0]}
    part = "main"
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown" and EXERCISES.search(cell.source):
            part = "exercises"
        elif cell.cell_type == "markdown" and part == "main" and GOING_FURTHER.search(cell.source):
            part = "further"
        words, code = cell_counts(cell, index)
        parts[part][0] += words
        parts[part][1] += code
    return Counts(*parts["main"]), Counts(*parts["further"]), Counts(*parts["exercises"])


EXERCISE = re.compile(r"^\s*[`:]{3,}\{exercise\}.*\(([^()]*)\)\s*$", re.MULTILINE)
EFFORT = {"easy": 15, "medium": 30, "harder": 60, "hard": 60}  # minutes to do one exercise


def exercise_effort(nb: Any) -> tuple[int, dict[str, int]]:
    """Return the minutes the exercises take to do, and how many there are of each difficulty."""
    counts: dict[str, int] = {}
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for label in EXERCISE.findall(cell.source):
            level = next((w for w in re.split(r"[,\s]+", label) if w in EFFORT), "medium")
            counts[level] = counts.get(level, 0) + 1
    return sum(EFFORT[k] * n for k, n in counts.items()), counts


def _duration(minutes: int) -> str:
    """Return minutes as 'about 45 minutes' or, from 90 minutes, in half hours rounded up."""
    if minutes < 90:
        return f"about {minutes} minutes"
    hours = math.ceil(minutes / 30) / 2  # rounded up to the next half hour
    return f"about {hours:g} hours"


def reading_line(nb: Any) -> str:
    """Return the reading-time line of a page."""
    main, further, exercises = page_counts(nb)
    line = f"*Reading time: about {main.minutes()} minutes"
    if further.words or further.code_lines:
        line += f" (the optional part after the summary: about {further.minutes()} more)"
    effort, levels = exercise_effort(nb)
    if effort:
        mix = ", ".join(f"{levels[k]} {k}" for k in EFFORT if k in levels)
        line += f"; doing the exercises: {_duration(effort)} ({mix})"
    elif exercises.words or exercises.code_lines:
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
        counts = dict(zip(("main", "further", "exercises"), page_counts(nb)))
        print(f"{path.name}: {line} (" + "; ".join(f"{k} {c.words} words, {c.code_lines} code lines"
                                                for k, c in counts.items()) + ")")
        if new != nb.cells[0].source:
            stale = True
            if not args.check:
                nb.cells[0].source = new
                nbformat.write(nb, path)
    return 1 if stale and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
