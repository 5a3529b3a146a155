"""Lecture slides for every chapter, generated from the notebooks so that they never drift from them.

    python tools/slides.py                      # -> book/_build/slides/index.html and one deck a chapter
    python tools/slides.py --output DIR 02_cbow_softmax

Each deck is a reveal.js presentation that opens offline from the folder (reveal.js and MathJax
are copied beside the decks): a title slide with the chapter's learning objectives, one slide per
section with its subsections (the lecture's outline), the chapter's key equations (its "Key
equations" box), its key figure (the last figure before the summary, as the notebook stored it),
the summary and the exercises with their titles. Nothing is typed twice: change the notebook and
rebuild the slides.
"""
from __future__ import annotations

import argparse
import html
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "book" / "chapters"
OUTPUT = ROOT / "book" / "_build" / "slides"
REVEAL = Path(__file__).resolve().parent / "vendor" / "reveal.js"
MATHJAX = ROOT / "book" / "_vendor" / "mathjax"
FENCE = re.compile(r"^(`{3,}|:{3,})\{(?P<name>[\w-]+)\}(?P<rest>.*)$")


@dataclass
class Chapter:
    """What a chapter's slides show, read from its notebook."""

    title: str
    objectives: str = ""
    sections: list[tuple[str, list[str]]] = field(default_factory=list)
    equations: str = ""
    figure: str = ""  # base64 PNG
    summary: str = ""
    exercises: list[str] = field(default_factory=list)


def directive_body(markdown: str, name: str, title: str | None = None) -> str:
    """Return the body of the first {name} directive (with that title, if given), options left out."""
    lines = markdown.splitlines()
    for i, line in enumerate(lines):
        match = FENCE.match(line.strip())
        if match and match.group("name") == name and (title is None or match.group("rest").strip() == title):
            fence, body = match.group(1), []
            for inner in lines[i + 1:]:
                if inner.strip() == fence:
                    break
                if not inner.startswith(":"):
                    body.append(inner)
            return "\n".join(body).strip()
    return ""


def exercise_titles(markdown: str) -> list[str]:
    """Return the title of every {exercise} directive, in order."""
    found = []
    for line in markdown.splitlines():
        match = FENCE.match(line.strip())
        if match and match.group("name") == "exercise":
            found.append(match.group("rest").strip() or "Exercise")
    return found


def read_chapter(path: Path) -> Chapter:
    """Read a chapter notebook into what its slides show."""
    nb = nbformat.read(path, as_version=4)
    markdown = "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    title = re.search(r"^# (.+)$", markdown, re.MULTILINE).group(1).strip()
    chapter = Chapter(title, objectives=directive_body(markdown, "admonition", "Learning objectives"),
                      equations=directive_body(markdown, "admonition", "Key equations"),
                      exercises=exercise_titles(markdown))
    for heading in re.findall(r"^(##{1,2}) (.+)$", markdown, re.MULTILINE):
        level, text = heading
        if level == "##":
            chapter.sections.append((text.strip(), []))
        elif chapter.sections:
            chapter.sections[-1][1].append(text.strip())
    summary = markdown.split("\n## Summary\n", 1)[-1].split("\n## ", 1)[0] if "\n## Summary\n" in markdown else ""
    chapter.summary = re.sub(r"(?s)^\s*(`{3,})\{admonition\}.*?\n\1\s*\n", "", summary).strip()
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith("## Summary"):
            break
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if "image/png" in output.get("data", {}):
                chapter.figure = output["data"]["image/png"].replace("\n", "")
    return chapter


def markdown_to_html(text: str) -> str:
    """Render Markdown with $math$ as HTML that MathJax typesets (roles like {cite} left as text)."""
    def math(content: str, options: dict) -> str:
        open_, close = (r"\[", r"\]") if options.get("display_mode") else (r"\(", r"\)")
        return html.escape(f"{open_}{content}{close}")

    md = MarkdownIt("commonmark").enable("table").use(dollarmath_plugin, renderer=math, double_inline=True)
    text = re.sub(r"\{(?:cite|cite:p|cite:t|ref|numref|term|doc)\}`([^`<]*?)(?:\s*<[^>]*>)?`", r"\1", text)
    return md.render(text)


def slides(chapter: Chapter) -> list[str]:
    """Return the HTML of each slide of a chapter's deck."""
    out = [f"<h2>{html.escape(chapter.title)}</h2>"
           + (f"<h4>Learning objectives</h4>{markdown_to_html(chapter.objectives)}" if chapter.objectives else "")]
    outline = "".join(f"<li>{markdown_to_html(name).strip()[3:-4]}</li>" for name, _ in chapter.sections)
    out.append(f"<h3>Outline</h3><ol>{outline}</ol>")
    for name, subsections in chapter.sections:
        if name in ("Summary", "Exercises", "References"):
            continue
        items = "".join(f"<li>{markdown_to_html(s).strip()[3:-4]}</li>" for s in subsections)
        out.append(f"<h3>{markdown_to_html(name).strip()[3:-4]}</h3>" + (f"<ul>{items}</ul>" if items else ""))
    if chapter.equations:
        out.append(f"<h3>Key equations</h3>{markdown_to_html(chapter.equations)}")
    if chapter.figure:
        out.append('<h3>Key figure</h3><img class="figure" alt="The key figure of the chapter, as the notebook '
                   f'computed it" src="data:image/png;base64,{chapter.figure}">')
    if chapter.summary:
        out.append(f"<h3>Summary</h3>{markdown_to_html(chapter.summary)}")
    if chapter.exercises:
        items = "".join(f"<li>{markdown_to_html(t).strip()[3:-4]}</li>" for t in chapter.exercises)
        out.append(f"<h3>Exercises</h3><ol>{items}</ol>")
    return out


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<link rel="stylesheet" href="_vendor/reveal.js/dist/reveal.css">
<link rel="stylesheet" href="_vendor/reveal.js/dist/theme/white.css">
<style>.reveal {{ font-family: sans-serif; font-size: 28px; }} .reveal h2, .reveal h3 {{ font-family: sans-serif;
text-transform: none; }} .reveal section {{ text-align: left; }} .reveal img.figure {{ max-height: 520px; }}
.reveal li {{ margin: 0.2em 0; }} .reveal ul, .reveal ol {{ display: block; }}</style>
<script>window.MathJax = {{tex: {{inlineMath: [["\\\\(", "\\\\)"]]}}, startup: {{typeset: true}}}};</script>
<script src="_vendor/mathjax/tex-chtml-full.js"></script>
</head><body><div class="reveal"><div class="slides">
{slides}
</div></div>
<script src="_vendor/reveal.js/dist/reveal.js"></script>
<script>Reveal.initialize({{hash: true, width: 1280, height: 800, margin: 0.06}});</script>
</body></html>
"""


def write_deck(path: Path, output: Path) -> Path:
    """Write one chapter's deck into `output`; return its file."""
    chapter = read_chapter(path)
    sections = "\n".join(f'<section data-auto-animate="false">{s}</section>' for s in slides(chapter))
    target = output / f"{path.stem}.html"
    partial = target.with_name(target.name + ".part")
    partial.write_text(PAGE.format(title=html.escape(chapter.title), slides=sections), encoding="utf-8")
    partial.replace(target)
    return target


def build(output: Path = OUTPUT, names: list[str] | None = None) -> list[Path]:
    """Write the decks of the named chapters (default: all) and an index into `output`, with reveal.js and MathJax."""
    paths = sorted(CHAPTERS.glob("*.ipynb"))
    if names:
        unknown = set(names) - {p.stem for p in paths}
        if unknown:
            raise ValueError(f"no chapter named {sorted(unknown)}; expected some of {[p.stem for p in paths]}")
        paths = [p for p in paths if p.stem in names]
    output.mkdir(parents=True, exist_ok=True)
    for source, name in ((REVEAL, "reveal.js"), (MATHJAX, "mathjax")):
        shutil.copytree(source, output / "_vendor" / name, dirs_exist_ok=True)
    decks = [write_deck(path, output) for path in paths]
    links = "".join(f'<li><a href="{d.name}">{html.escape(read_chapter(p).title)}</a></li>'
                    for d, p in zip(decks, paths))
    (output / "index.html").write_text(f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
                                       f"<title>Lecture slides</title></head><body><h1>Lecture slides</h1>"
                                       f"<ol>{links}</ol></body></html>\n", encoding="utf-8")
    return decks


def main(argv: list[str] | None = None) -> int:
    """Build the decks named on the command line (default: every chapter); print where they are."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("chapters", nargs="*", help="chapter notebooks by name, e.g. 02_cbow_softmax (default: all)")
    parser.add_argument("--output", type=Path, default=OUTPUT, help=f"folder for the slides (default {OUTPUT})")
    args = parser.parse_args(argv)
    try:
        decks = build(args.output.resolve(), args.chapters)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"{len(decks)} decks in {args.output.resolve()}: open index.html")
    return 0


if __name__ == "__main__":
    sys.exit(main())
