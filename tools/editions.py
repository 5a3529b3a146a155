"""The book's editions, built from the same sources with the same checks as the README's build.

- full: the HTML book, exercises with their solutions folded away (book/_config.yml as it is);
- students: the same book with every solution left out, for handing out exercises. It is
  book/_config.yml plus sphinx-exercise's `hide_solutions` (and a title that says which edition it
  is); the configuration is derived here at build time, so the two editions cannot drift apart.
  The notebooks that its pages offer for download (the copies under _sources/) lose their
  {solution} blocks too, so nothing the students' edition serves contains a solution.

Every build runs Jupyter Book 1.x with warnings as errors (-W -n --keep-going), offline, into a
folder of its own, so the editions coexist:

    python tools/editions.py students            # -> book/_build/students/_build/html
    python tools/editions.py full --output DIR   # -> DIR/_build/html

The PDF (tools/build_pdf.py) prints the single-page HTML build of an edition (builder singlehtml).
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
CONFIG = BOOK / "_config.yml"
EDITIONS = ("full", "students")
STUDENTS_TITLE_SUFFIX = " (students' edition)"
DEFAULT_OUTPUT = {"full": BOOK, "students": BOOK / "_build" / "students"}
NAMES = {"full": "full edition", "students": "students' edition"}
FENCE = re.compile(r"^\s*(?P<fence>`{3,}|:{3,})(?P<rest>.*)$")
SOLUTION = re.compile(r"^\{solution(?P<part>-start|-end)?\}(?:\s|$)")


@dataclass
class Build:
    """The outcome of one `jupyter-book build`: exit code, log, and the folder it wrote."""

    returncode: int
    log: str
    output: Path  # the builder's folder, e.g. <path-output>/_build/html
    seconds: float

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and (self.output / "index.html").is_file()


def students_config(config_path: Path = CONFIG) -> dict:
    """Return the students' edition configuration: the book's, with every solution hidden."""
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    config["title"] = config["title"] + STUDENTS_TITLE_SUFFIX
    sphinx = config.setdefault("sphinx", {})
    sphinx.setdefault("config", {})["hide_solutions"] = True
    # Jupyter Book resolves local extension folders against the configuration file's folder;
    # this copy is written elsewhere, so point it at book/ explicitly.
    extensions = sphinx.get("local_extensions") or {}
    sphinx["local_extensions"] = {name: str((config_path.parent / path).resolve())
                                  for name, path in extensions.items()}
    return config


def strip_solutions(markdown: str) -> str:
    """Return MyST text without its solutions: {solution} blocks, and {solution-start} to {solution-end}."""
    kept: list[str] = []
    lines = markdown.splitlines(keepends=True)
    i, inside_gated = 0, False
    while i < len(lines):
        match = FENCE.match(lines[i])
        solution = SOLUTION.match(match.group("rest").strip()) if match else None
        if match and (solution or inside_gated):
            # Skip this fenced block: up to a closing fence of the same character, at least as long.
            fence = match.group("fence")
            close = re.compile(rf"^\s*{re.escape(fence[0])}{{{len(fence)},}}\s*$")
            i += 1
            while i < len(lines) and not close.match(lines[i]):
                i += 1
            i += 1
            if solution and solution.group("part"):
                inside_gated = solution.group("part") == "-start"
            continue
        if not inside_gated:
            kept.append(lines[i])
        i += 1
    return "".join(kept)


def strip_solutions_from_sources(html: Path) -> list[Path]:
    """Remove the solutions from the page sources that a build offers for download; return those changed."""
    changed = []
    for path in sorted((html / "_sources").rglob("*")):
        if path.suffix == ".ipynb":
            nb = json.loads(path.read_text(encoding="utf-8"))
            for cell in nb.get("cells", []):
                if cell.get("cell_type") == "markdown":
                    source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
                    cell["source"] = strip_solutions(source)
            text = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
        elif path.suffix in {".md", ".txt"}:
            text = strip_solutions(path.read_text(encoding="utf-8"))
        else:
            continue
        if text != path.read_text(encoding="utf-8"):
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed


def jupyter_book(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run the jupyter-book command line of this Python with the given arguments."""
    return subprocess.run(
        [sys.executable, "-c", "from jupyter_book.cli.main import main; main()", *args],
        capture_output=True, text=True, timeout=timeout, cwd=ROOT,
    )


def build(edition: str = "full", path_output: Path | None = None, builder: str = "html") -> Build:
    """Build an edition of the book with warnings as errors into `path_output`/_build/`builder`."""
    if edition not in EDITIONS:
        raise ValueError(f"edition must be one of {EDITIONS}, got {edition!r}")
    path_output = Path(path_output or DEFAULT_OUTPUT[edition]).resolve()
    args = ["build", str(BOOK), "--path-output", str(path_output), "--builder", builder,
            "-W", "-n", "--keep-going"]
    if edition == "students":
        path_output.mkdir(parents=True, exist_ok=True)
        config = path_output / "_config_students.yml"
        config.write_text(yaml.safe_dump(students_config(), sort_keys=False), encoding="utf-8")
        args += ["--config", str(config)]
    start = time.perf_counter()
    result = jupyter_book(*args)
    output = path_output / "_build" / builder
    if edition == "students" and output.is_dir():
        strip_solutions_from_sources(output)
    return Build(result.returncode, result.stdout + result.stderr, output, time.perf_counter() - start)


def main(argv: list[str] | None = None) -> int:
    """Build the edition named on the command line; print where it is."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("edition", choices=EDITIONS)
    parser.add_argument("--output", type=Path, default=None,
                        help="the --path-output folder (default: book for full, "
                             "book/_build/students for students)")
    parser.add_argument("--builder", default="html", choices=("html", "singlehtml"))
    args = parser.parse_args(argv)
    result = build(args.edition, args.output, args.builder)
    if not result.ok:
        print(result.log[-6000:], file=sys.stderr)
        print(f"The {NAMES[args.edition]} failed to build (exit code {result.returncode}).", file=sys.stderr)
        return 1
    print(f"The {NAMES[args.edition]} ({args.builder}) built in {result.seconds:.0f} s: "
          f"open {result.output / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
