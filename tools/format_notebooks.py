"""Format the book's notebooks for the page: tags instead of test markers, folded checks, 76 columns.

The rendered page holds about 76 monospace characters in its content column, so every code cell is
formatted with ruff (`ruff format --line-length 76`) and the nbval markers, which are for the tests
and not for the reader, move from the cell's first line into its tags. Three steps, each
idempotent, so the tool can run over any notebook any number of times:

1. A code cell whose first line is `# NBVAL_CHECK_OUTPUT` (or `# NBVAL_IGNORE_OUTPUT`) loses that
   line and gets the cell tag `nbval-check-output` (or `nbval-ignore-output`); nbval 0.11 reads
   both forms.
2. A checked cell whose output is a list of boolean claims (`...: True` / `...: False`, more than
   one line of them) gets the tag `hide-cell` and a "Show checked claims" toggle: nbval still
   compares it, and the reader sees the result and the sentence that interprets it.
3. Every code cell but the hidden setup cell (the first code cell, `# Setup ...`, which installs the
   package in hosted notebooks) is formatted by ruff at line length 76. ruff leaves long comments
   and strings alone; those are wrapped by hand, and `--check` reports them.

Usage:
    python tools/format_notebooks.py [NOTEBOOK ...]          # default: the intro and every chapter
    python tools/format_notebooks.py --check [NOTEBOOK ...]  # report, change nothing; exit 1 if any

`--check` reports code lines longer than 76 characters, marker comments left in a first line,
boolean-claim cells not folded and, where ruff can be found, cells ruff would reformat.
"""
from __future__ import annotations

import argparse
import ast
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import tokenize
from pathlib import Path
from typing import Any

import nbformat

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_NOTEBOOKS = [ROOT / "book" / "intro.ipynb", *sorted((ROOT / "book" / "chapters").glob("*.ipynb"))]
LINE_LENGTH = 76
MARKERS = {"# NBVAL_CHECK_OUTPUT": "nbval-check-output", "# NBVAL_IGNORE_OUTPUT": "nbval-ignore-output"}
CHECK_TAG = "nbval-check-output"
FOLD_TAG = "hide-cell"
FOLD_PROMPTS = {"code_prompt_show": "Show checked claims", "code_prompt_hide": "Hide checked claims"}
# One boolean claim as a checked cell prints it: some words, a colon, then True or False.
BOOLEAN_LINE = re.compile(r"^\S.*:\s*(?:True|False)\s*$")
MAX_BOOLEAN_RUN = 3  # the browser test allows at most this many True/False lines in view


def tags(cell: Any) -> list[str]:
    """Return the cell's tags (a list stored in its metadata, created when missing)."""
    return cell.setdefault("metadata", {}).setdefault("tags", [])


def is_setup_cell(cell: Any, index: int) -> bool:
    """Return whether a code cell is the hidden setup cell (first code cell, '# Setup ...')."""
    return index == 0 and cell.source.startswith("# Setup")


def marker_of(cell: Any) -> str | None:
    """Return the nbval marker comment on the cell's first line, or None."""
    first = cell.source.split("\n", 1)[0].strip()
    return first if first in MARKERS else None


def is_checked(cell: Any) -> bool:
    """Return whether nbval compares the cell's output (by tag or by first-line comment)."""
    return cell.cell_type == "code" and (
        CHECK_TAG in cell.get("metadata", {}).get("tags", []) or marker_of(cell) == "# NBVAL_CHECK_OUTPUT")


def convert_marker(cell: Any) -> bool:
    """Move an nbval marker from the first line into the cell's tags; return whether it changed."""
    marker = marker_of(cell)
    if marker is None:
        return False
    cell.source = cell.source.split("\n", 1)[1] if "\n" in cell.source else ""
    if MARKERS[marker] not in tags(cell):
        tags(cell).append(MARKERS[marker])
    return True


def printed_text(cell: Any) -> str:
    """Return the text a code cell prints: its streams and its plain-text results."""
    parts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            parts.append(output.get("text", ""))
        elif output.get("output_type") == "execute_result":
            parts.append(output.get("data", {}).get("text/plain", "") + "\n")
    return "".join(parts)


def longest_boolean_run(lines: list[str]) -> int:
    """Return the length of the longest run of consecutive boolean-claim lines."""
    longest = run = 0
    for line in lines:
        run = run + 1 if BOOLEAN_LINE.match(line) else 0
        longest = max(longest, run)
    return longest


def is_boolean_claims(cell: Any) -> bool:
    """Return whether a checked cell prints a list of boolean claims (and so should be folded).

    That is: more than one `...: True/False` line and nothing else, or a run of more than
    MAX_BOOLEAN_RUN of them among other lines (which the browser test would flag in view).
    """
    if not is_checked(cell):
        return False
    lines = [line for line in printed_text(cell).splitlines() if line.strip()]
    claims = sum(1 for line in lines if BOOLEAN_LINE.match(line))
    return (claims > 1 and claims == len(lines)) or longest_boolean_run(lines) > MAX_BOOLEAN_RUN


def is_folded(cell: Any) -> bool:
    """Return whether a cell is folded with the checked-claims toggle."""
    mystnb = cell.get("metadata", {}).get("mystnb", {})
    return FOLD_TAG in cell.get("metadata", {}).get("tags", []) and all(
        mystnb.get(k) == v for k, v in FOLD_PROMPTS.items())


def fold(cell: Any) -> bool:
    """Fold a boolean-claims cell behind a 'Show checked claims' toggle; return whether it changed."""
    if not is_boolean_claims(cell) or is_folded(cell):
        return False
    if FOLD_TAG not in tags(cell):
        tags(cell).append(FOLD_TAG)
    cell.metadata.setdefault("mystnb", {}).update(FOLD_PROMPTS)
    return True


# A line that is one string literal inside brackets, as ruff leaves a long argument: indent, an
# optional keyword, the prefix and the quote, the text, the same quote, an optional comma.
STRING_LINE = re.compile(r"""^(?P<indent>\s*)(?P<kw>\w+=)?(?P<prefix>[rRbBfFuU]{0,2})(?P<q>["'])"""
                         r"""(?P<text>(?:\\.|(?!(?P=q)).)*)(?P=q)(?P<comma>,?)$""")


def _same_code(old: str, new: str) -> bool:
    """Return whether two sources parse to the same syntax tree (comments and layout aside)."""
    try:
        return ast.dump(ast.parse(old)) == ast.dump(ast.parse(new))
    except SyntaxError:
        return False


def _split_points(text: str, is_f: bool) -> list[int]:
    """Return the indices just after each space where a string may be cut (outside f-string fields)."""
    points, depth, i = [], 0, 0
    while i < len(text):
        pair = text[i:i + 2]
        if text[i] == "\\":
            i += 2
            continue
        if is_f and pair in ("{{", "}}") and depth == 0:
            i += 2
            continue
        if is_f and text[i] == "{":
            depth += 1
        elif is_f and text[i] == "}":
            depth = max(0, depth - 1)
        elif text[i] == " " and depth == 0 and 0 < i < len(text) - 1:
            points.append(i + 1)
        i += 1
    return points


def split_string_line(line: str) -> list[str] | None:
    """Cut a long string-literal line into adjacent literals that fit; None where it cannot."""
    match = STRING_LINE.match(line)
    if match is None or match["text"].startswith(match["q"] * 2):
        return None
    indent, kw, prefix, q = match["indent"], match["kw"] or "", match["prefix"], match["q"]
    text, is_f = match["text"], "f" in prefix.lower()
    pieces, head = [], indent + kw
    while len(head) + len(prefix) + len(text) + 2 + len(match["comma"]) > LINE_LENGTH:
        room = LINE_LENGTH - len(head) - len(prefix) - 2
        fits = [p for p in _split_points(text, is_f) if p <= room]
        if not fits:
            break
        pieces.append(f"{head}{prefix}{q}{text[:fits[-1]]}{q}")
        text, head = text[fits[-1]:], indent + " " * len(kw)
    if not pieces:
        return None
    return pieces + [f"{head}{prefix}{q}{text}{q}{match['comma']}"]


def split_long_strings(source: str) -> str:
    """Cut string literals that ruff leaves longer than the line into adjacent literals that fit."""
    lines = source.split("\n")
    for i in reversed(range(len(lines))):
        if len(lines[i]) > LINE_LENGTH:
            pieces = split_string_line(lines[i])
            candidate = lines[:i] + (pieces or []) + lines[i + 1:]
            if pieces and _same_code("\n".join(lines), "\n".join(candidate)):
                lines = candidate
    return "\n".join(lines)


def _comment_lines(comment: str, indent: str) -> list[str]:
    """Return a comment wrapped to the line length at an indent, each line starting with '# '."""
    body = comment.lstrip("#").strip()
    width = max(20, LINE_LENGTH - len(indent) - 2)
    return [f"{indent}# {part}" for part in textwrap.wrap(body, width, break_on_hyphens=False)]


def _comment_targets(tokens: list[tokenize.TokenInfo]) -> dict[int, int]:
    """Map the row of each trailing comment to the row a moved copy goes above (0-based).

    A comment on the last line of a statement that spans several lines describes the statement,
    so it goes above the statement's first line; any other goes above its own line.
    """
    targets, pending, start = {}, [], None
    for token in tokens:
        if token.type in (tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING):
            continue
        if token.type == tokenize.COMMENT:
            if start is not None:  # code before it: a trailing comment
                pending.append(token.start[0])
            continue
        if start is None:
            start = token.start[0]
        if token.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
            for row in pending:
                targets[row - 1] = (start if row == token.start[0] else row) - 1
            pending, start = [], None
    return targets


def wrap_long_comments(source: str) -> str:
    """Wrap long comments; a long line's trailing comment moves above it (or its statement)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return source
    lines = source.split("\n")
    comments = {t.start[0] - 1: t for t in tokens if t.type == tokenize.COMMENT}
    targets = _comment_targets(tokens)
    for row in sorted(comments, reverse=True):
        line, token = lines[row], comments[row]
        if len(line) <= LINE_LENGTH or token.string.startswith("#!") or "noqa" in token.string:
            continue
        code = line[:token.start[1]].rstrip()
        target = targets.get(row, row) if code.strip() else row
        indent = re.match(r"\s*", lines[target]).group(0)
        lines[row] = code
        if not code.strip():
            del lines[row]
        lines[target:target] = _comment_lines(token.string, indent)
    new = "\n".join(lines)
    return new if _same_code(source, new) else source


def find_ruff() -> str | None:
    """Return the ruff executable (beside this Python, or on PATH), or None."""
    beside = Path(sys.executable).parent / ("ruff.exe" if os.name == "nt" else "ruff")
    return str(beside) if beside.exists() else shutil.which("ruff")


def ruff_format(sources: list[str], ruff: str) -> list[str]:
    """Return the sources formatted by ruff at LINE_LENGTH, in one ruff run over temporary files."""
    with tempfile.TemporaryDirectory(prefix="w2v-format-") as folder:
        paths = [Path(folder) / f"cell_{i:04d}.py" for i in range(len(sources))]
        for path, source in zip(paths, sources):
            path.write_text(source + "\n", encoding="utf-8")
        if paths:
            done = subprocess.run([ruff, "format", "--isolated", f"--line-length={LINE_LENGTH}",
                                   "--quiet", folder], capture_output=True, text=True)
            if done.returncode != 0:
                raise RuntimeError(f"ruff could not format a cell:\n{done.stderr or done.stdout}")
        return [path.read_text(encoding="utf-8").rstrip("\n") for path in paths]


def format_sources(sources: list[str], ruff: str) -> list[str]:
    """Format cell sources for the page: long trailing comments above, ruff, long strings cut, ruff."""
    formatted = ruff_format([wrap_long_comments(s) for s in sources], ruff)
    wrapped = [wrap_long_comments(split_long_strings(s)) for s in formatted]
    return [new if new == old else again for old, new, again
            in zip(formatted, wrapped, ruff_format(wrapped, ruff))]


def formattable(nb: Any) -> list[Any]:
    """Return the code cells the formatter formats: every non-empty one but the setup cell."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    return [c for i, c in enumerate(code) if not is_setup_cell(c, i) and c.source.strip()]


def format_notebook(path: Path, ruff: str) -> list[str]:
    """Convert markers, fold boolean claims and format the code of one notebook; return what changed."""
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    changes = [f"marker to tag: {c.get('id')}" for c in code if convert_marker(c)]
    changes += [f"folded: {c.get('id')}" for c in code if fold(c)]
    cells = formattable(nb)
    for cell, new in zip(cells, format_sources([c.source for c in cells], ruff)):
        if new != cell.source:
            changes.append(f"formatted: {cell.get('id')}")
            cell.source = new
    if changes:
        nbformat.write(nb, path)
    return changes


def check_notebook(nb: Any, ruff: str | None = None) -> list[str]:
    """Return every way the notebook departs from the page conventions (empty when it is fine)."""
    problems = []
    code = [c for c in nb.cells if c.cell_type == "code"]
    for i, cell in enumerate(code):
        name = f"code cell {i + 1} ({cell.get('id')})"
        if marker_of(cell):
            problems.append(f"{name} starts with the marker comment {marker_of(cell)!r} (make it a tag)")
        if not is_setup_cell(cell, i):
            for n, line in enumerate(cell.source.splitlines(), 1):
                if len(line) > LINE_LENGTH:
                    problems.append(f"{name} line {n} has {len(line)} characters "
                                    f"(at most {LINE_LENGTH}): {line[:40]}...")
        if is_boolean_claims(cell) and not is_folded(cell):
            problems.append(f"{name} prints boolean claims but is not folded "
                            f"(tag {FOLD_TAG!r} and the checked-claims prompts)")
    if ruff is not None:
        cells = formattable(nb)
        for cell, formatted in zip(cells, format_sources([c.source for c in cells], ruff)):
            if formatted != cell.source:
                problems.append(f"cell {cell.get('id')} is not formatted as "
                                f"ruff format --line-length {LINE_LENGTH} formats it")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Format the notebooks named (default: all), or with --check only report; return an exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("notebooks", nargs="*", type=Path, default=DEFAULT_NOTEBOOKS)
    parser.add_argument("--check", action="store_true", help="report problems, change nothing")
    args = parser.parse_args(argv)
    ruff = find_ruff()
    if ruff is None and not args.check:
        parser.error("ruff was not found beside this Python or on PATH (pip install ruff)")
    failed = False
    for path in args.notebooks:
        if args.check:
            problems = check_notebook(nbformat.read(path, as_version=4), ruff)
            failed |= bool(problems)
            for problem in problems:
                print(f"{path}: {problem}")
        else:
            changes = format_notebook(path, ruff)
            print(f"{path}: {len(changes)} changes")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
