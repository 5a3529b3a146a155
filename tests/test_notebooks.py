"""Structural test of the chapter notebooks: the skeleton agreed in GUIDE section 3.

nbval re-executes the chapters and compares their checked outputs; this test checks what nbval
cannot see: the title and learning objectives, the setup cell for hosted notebooks (first, hidden,
silent; tests/test_hosted_setup.py runs it), the seeded imports cell right after it, the closing
Summary and Exercises sections, exercises with folded solutions, citations, a stored figure with alt
text, a checked analogy line, clean execution counts, no stored errors, no absolute paths and no
walls of printed numbers. A checked cell is one nbval compares: tagged `nbval-check-output` (the
form the book uses, see tools/format_notebooks.py) or with `# NBVAL_CHECK_OUTPUT` on its first line.
`test_notebook_fits_the_page` runs the formatter's check: code lines of at most 76 characters,
code as ruff formats it, no marker comments left, boolean-claim cells folded.

`check_notebook` returns a list of problems (empty when the notebook is fine), so a failing
chapter reports everything that is wrong at once. The checker is itself tested on a synthetic
notebook built in memory, once intact and once with each rule broken.
"""
from __future__ import annotations

import base64
import copy
import re
from pathlib import Path
from typing import Any, Callable

import format_notebooks  # tools/ (conftest puts it on the path)
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

CHAPTERS_DIR = Path(__file__).resolve().parents[1] / "book" / "chapters"
CHAPTERS = sorted(CHAPTERS_DIR.glob("*.ipynb"))

MIN_OBJECTIVES, MAX_OBJECTIVES = 3, 5
MIN_EXERCISES = 4
MAX_OUTPUT_LINES = 60
MIN_ALT_WORDS = 8  # alt text of a figure: a sentence that says what it shows, not "a plot"
# The setup cell installs the package with pip only where it cannot be found (see _check_setup).
SETUP_GUARD = 'importlib.util.find_spec("w2v_teach") is None'
SETUP_INSTALL = '"pip", "install"'
IMPORTS_PACKAGE = re.compile(r"^\s*(?:import w2v_teach\b|from w2v_teach\b)", re.MULTILINE)
ANALOGY_LINE = re.compile(r"^\w+ - \w+ \+ \w+ -> \w+ \((?:-?\d\.\d{3}|cosine >= -?\d\.\d\d)\)$", re.MULTILINE)
CITE_ROLE = re.compile(r"\{cite(?::[a-z]+)?\}`[^`]+`")
TERM_ROLE = re.compile(r"\{term\}`")
# An absolute path starts a token (so URLs such as https://x.org/home/ do not count).
ABSOLUTE_PATH = re.compile(
    r"(?<![\w.:/~-])/(?:work|home|root|tmp|Users|private|mnt|var/folders)/"
    r"|(?<![\w\\])[A-Za-z]:\\\\?(?:Users|Windows|Program Files|ProgramData|tmp|work)\b"
)
FENCE = re.compile(r"^(?P<fence>`{3,}|:{3,})(?P<rest>.*)$")
OPTION = re.compile(r"^:(?P<key>[\w-]+):\s*(?P<value>.*)$")


def _is_directive(rest: str, name: str) -> bool:
    """Return whether a fence's info string opens the directive `name` (or `name-start`)."""
    return re.match(rf"\{{{name}(?:-start)?\}}(?:\s|$)", rest) is not None


def parse_fences(text: str) -> list[dict[str, Any]]:
    """Split MyST text into top-level fenced blocks: info string, options and body lines."""
    blocks: list[dict[str, Any]] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        match = FENCE.match(lines[i].strip())
        if not match:
            i += 1
            continue
        fence, rest = match.group("fence"), match.group("rest").strip()
        close = re.compile(rf"^{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        body, j = [], i + 1
        while j < len(lines) and not close.match(lines[j].strip()):
            body.append(lines[j])
            j += 1
        options: dict[str, str] = {}
        k = 0
        if body and body[0].strip() == "---":  # YAML-style options block
            k = 1
            while k < len(body) and body[k].strip() != "---":
                key, _, value = body[k].partition(":")
                options[key.strip()] = value.strip()
                k += 1
            k += 1
        else:
            while k < len(body) and OPTION.match(body[k].strip()):
                opt = OPTION.match(body[k].strip())
                options[opt.group("key")] = opt.group("value").strip()
                k += 1
        blocks.append({"rest": rest, "options": options, "body": body[k:]})
        i = j + 1
    return blocks


def headings(text: str, level: int) -> list[str]:
    """Return the titles of the headings of a level, skipping fenced blocks."""
    found, fence = [], None
    for line in text.splitlines():
        stripped = line.strip()
        match = FENCE.match(stripped)
        if fence is None and match:
            fence = re.compile(rf"^{re.escape(match.group('fence')[0])}{{{len(match.group('fence'))},}}\s*$")
            continue
        if fence is not None:
            if fence.match(stripped):
                fence = None
            continue
        heading = re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", line)
        if heading and len(heading.group(1)) == level:
            found.append(heading.group(2))
    return found


def output_text(output: Any) -> str:
    """Return the human-readable text of one output (streams, text/* data, tracebacks)."""
    if output.get("output_type") == "stream":
        return output.get("text", "")
    if output.get("output_type") in ("execute_result", "display_data"):
        parts = [v if isinstance(v, str) else "".join(v)
                 for k, v in output.get("data", {}).items() if k.startswith("text/")]
        return "\n".join(parts)
    if output.get("output_type") == "error":
        return "\n".join([output.get("evalue", "")] + list(output.get("traceback", [])))
    return ""


def printed_lines(cell: Any) -> int:
    """Return the number of lines a code cell prints (streams and plain-text results)."""
    text = ""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            text += output.get("text", "")
        elif output.get("output_type") == "execute_result":
            text += output.get("data", {}).get("text/plain", "") + "\n"
    return len(text.rstrip("\n").splitlines())


def chapter_number(path: Path | None) -> int | None:
    """Return the chapter number from a file name such as 03_sgns_numpy.ipynb."""
    match = re.match(r"^(\d+)_", path.name) if path is not None else None
    return int(match.group(1)) if match else None


def _check_first_cell(cell: Any, number: int | None) -> list[str]:
    """Check the title, the learning objectives and the tip of the first cell."""
    if cell.cell_type != "markdown":
        return ["first cell is not a markdown cell"]
    problems = []
    text = cell.source.lstrip()
    title = re.match(r"^# Chapter (\d+): \S", text)
    if not title:
        problems.append("first cell does not start with a '# Chapter N: Title' heading")
    elif number is not None and int(title.group(1)) != number:
        problems.append(f"title says chapter {title.group(1)} but the file name says {number}")
    blocks = parse_fences(text)
    objectives = [b for b in blocks if re.match(r"^\{admonition\}\s+Learning objectives\s*$", b["rest"])]
    if not objectives:
        problems.append("first cell has no '{admonition} Learning objectives' block")
    else:
        block = objectives[0]
        if block["options"].get("class", "").split() != ["note"]:
            problems.append("the Learning objectives admonition lacks ':class: note'")
        bullets = [line for line in block["body"] if re.match(r"^(?:[-*+]|\d+\.)\s+\S", line)]
        if not MIN_OBJECTIVES <= len(bullets) <= MAX_OBJECTIVES:
            problems.append(f"Learning objectives has {len(bullets)} bullets, "
                            f"expected {MIN_OBJECTIVES}-{MAX_OBJECTIVES}")
    if not any(_is_directive(b["rest"], "tip") for b in blocks):
        problems.append("first cell has no {tip} block on how to run the notebook")
    return problems


def _check_setup(code_cells: list[Any]) -> list[str]:
    """Check that the first code cell is the setup cell for hosted notebooks: guarded, hidden, silent."""
    cell = code_cells[0] if code_cells else None
    if (cell is None or not cell.source.startswith("# Setup")
            or SETUP_GUARD not in cell.source or SETUP_INSTALL not in cell.source):
        return ["the first code cell is not the setup cell for hosted notebooks (a '# Setup' cell "
                f"that runs pip install only when {SETUP_GUARD})"]
    problems = []
    if IMPORTS_PACKAGE.search(cell.source):
        problems.append("the setup cell imports w2v_teach (the imports cell after it does)")
    if cell.get("outputs"):
        problems.append("the setup cell has outputs (where w2v_teach is installed it prints nothing)")
    if "hide-input" not in cell.metadata.get("tags", []):
        problems.append("the setup cell lacks the 'hide-input' tag")
    return problems


def _check_imports(code_cells: list[Any]) -> list[str]:
    """Check that the second code cell, after the setup cell, imports w2v_teach and seeds a generator."""
    cell = code_cells[1] if len(code_cells) > 1 else None
    if cell is not None and IMPORTS_PACKAGE.search(cell.source) and re.search(
            r"np\.random\.default_rng\(\s*[^)\s]", cell.source):
        return []
    return ["the second code cell (after the setup cell) does not both import w2v_teach and "
            "create a seeded np.random.default_rng(<seed>)"]


def _check_figures(code_cells: list[Any]) -> list[str]:
    """Check that every code cell that draws a figure gives it alt text (cell metadata)."""
    problems = []
    for index, cell in enumerate(code_cells):
        if any("image/png" in o.get("data", {}) for o in cell.get("outputs", [])):
            alt = str(cell.metadata.get("mystnb", {}).get("image", {}).get("alt", ""))
            if len(alt.split()) < MIN_ALT_WORDS:
                problems.append(f"code cell {index + 1} draws a figure without alt text of at least "
                                f"{MIN_ALT_WORDS} words (cell metadata mystnb.image.alt)")
    return problems


def _check_closing_sections(markdown: str) -> list[str]:
    """Check that '## Summary' then '## Exercises' are the last two level-2 sections."""
    sections = headings(markdown, 2)
    problems = []
    for name in ("Summary", "Exercises"):
        if name not in sections:
            problems.append(f"no '## {name}' heading")
    if not problems and sections[-2:] != ["Summary", "Exercises"]:
        problems.append(f"the last two '##' sections must be Summary then Exercises, got {sections[-2:]}")
    return problems


def _check_exercises(markdown: str, number: int | None) -> list[str]:
    """Check the exercise blocks: enough of them, labelled, each with a folded solution."""
    blocks = parse_fences(markdown)
    exercises = [b for b in blocks if _is_directive(b["rest"], "exercise")]
    solutions = {}
    for block in blocks:
        match = re.match(r"^\{solution(?:-start)?\}\s+(\S+)", block["rest"])
        if match:
            solutions[match.group(1)] = block
    problems = []
    if len(exercises) < MIN_EXERCISES:
        problems.append(f"{len(exercises)} {{exercise}} blocks, expected at least {MIN_EXERCISES}")
    prefix = f"ch{number}-" if number is not None else "ch"
    for exercise in exercises:
        label = exercise["options"].get("label", "")
        if not label:
            problems.append("an {exercise} block has no :label:")
            continue
        if not label.startswith(prefix):
            problems.append(f"exercise label {label!r} does not start with {prefix!r}")
        solution = solutions.get(label)
        if solution is None:
            problems.append(f"exercise {label!r} has no matching {{solution}} block")
        elif "dropdown" not in solution["options"].get("class", "").split():
            problems.append(f"the solution of {label!r} lacks ':class: dropdown'")
    return problems


def _check_outputs(code_cells: list[Any]) -> list[str]:
    """Check execution counts, errors, the stored figure, the checked analogy line and walls."""
    problems = []
    executed = [c for c in code_cells if c.source.strip()]
    counts = [c.get("execution_count") for c in executed]
    if counts != list(range(1, len(executed) + 1)):
        problems.append(f"execution counts of the non-empty code cells are {counts}, "
                        f"expected 1..{len(executed)} in order (re-execute the notebook)")
    outputs = [o for c in code_cells for o in c.get("outputs", [])]
    if any(o.get("output_type") == "error" for o in outputs):
        problems.append("a stored error output (catch intentional errors and print the message)")
    if not any("image/png" in o.get("data", {}) for o in outputs):
        problems.append("no stored image/png output (a plot)")
    checked = [c for c in code_cells if format_notebooks.is_checked(c)]
    if not any(ANALOGY_LINE.search(output_text(o)) for c in checked for o in c.get("outputs", [])):
        problems.append("no analogy line like 'king - man + woman -> queen (0.871)' in a checked "
                        "cell (tag nbval-check-output, or # NBVAL_CHECK_OUTPUT on its first line)")
    for index, cell in enumerate(code_cells):
        lines = printed_lines(cell)
        if lines > MAX_OUTPUT_LINES:
            problems.append(f"code cell {index + 1} prints {lines} lines (more than {MAX_OUTPUT_LINES})")
    return problems


def check_notebook(nb: Any, path: Path | None = None) -> list[str]:
    """Return every way in which a chapter notebook departs from the agreed skeleton."""
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as exc:
        return [f"invalid nbformat: {exc.message}"]
    if not nb.cells:
        return ["the notebook has no cells"]
    number = chapter_number(path)
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    markdown = "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    problems = _check_first_cell(nb.cells[0], number)
    problems += _check_setup(code_cells)
    problems += _check_imports(code_cells)
    problems += _check_figures(code_cells)
    problems += _check_closing_sections(markdown)
    problems += _check_exercises(markdown, number)
    if not CITE_ROLE.search(markdown):
        problems.append("no {cite} reference to references.bib")
    if any(_is_directive(b["rest"], "bibliography") for b in parse_fences(markdown)):
        problems.append("a {bibliography} directive (the book has one, on references.md)")
    if TERM_ROLE.search(markdown):
        problems.append("a {term} role (not used in chapters)")
    problems += _check_outputs(code_cells)
    for index, cell in enumerate(nb.cells):
        texts = [cell.source] + [output_text(o) for o in cell.get("outputs", [])]
        for text in texts:
            match = ABSOLUTE_PATH.search(text)
            if match:
                problems.append(f"cell {index + 1} contains an absolute path ({match.group(0)!r}...)")
                break
    return problems


# ---------------------------------------------------------------------------------------------
# The chapters


@pytest.mark.parametrize(
    "path",
    CHAPTERS or [pytest.param(None, marks=pytest.mark.skip(reason="no notebooks in book/chapters yet"))],
    ids=[p.name for p in CHAPTERS] or ["no-chapters"],
)
def test_chapter_structure(path: Path) -> None:
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # unreadable JSON or an unknown nbformat version
        pytest.fail(f"{path.name} cannot be read as a notebook: {exc}")
    problems = check_notebook(nb, path)
    assert not problems, f"{path.name}:\n- " + "\n- ".join(problems)


PAGES = [CHAPTERS_DIR.parent / "intro.ipynb", *CHAPTERS]


@pytest.mark.parametrize("path", PAGES, ids=[p.name for p in PAGES])
def test_notebook_fits_the_page(path: Path) -> None:
    ruff = format_notebooks.find_ruff()
    if ruff is None:
        pytest.skip("ruff is not installed (requirements.txt pins it); run pip install ruff")
    problems = format_notebooks.check_notebook(nbformat.read(path, as_version=4), ruff)
    assert not problems, (f"{path.name} (run: python tools/format_notebooks.py {path.name}, then "
                          "wrap what ruff leaves long by hand):\n- " + "\n- ".join(problems))


# ---------------------------------------------------------------------------------------------
# The checker itself, on a synthetic chapter built in memory

PNG_1X1 = base64.b64encode(
    bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                  "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082")
).decode()

FIRST_CELL = """# Chapter 7: A synthetic chapter

```{admonition} Learning objectives
:class: note
- Build a thing.
- Check the thing.
- Measure the thing.
```

```{tip}
Run all cells from the top; it takes a few seconds.
```"""


def _exercise(name: str) -> str:
    """Return one exercise with its folded solution, labelled ch7-<name>."""
    return (f"```{{exercise}}\n:label: ch7-{name}\n\nDo {name}.\n```\n\n"
            f"```{{solution}} ch7-{name}\n:class: dropdown\n\nDone {name}.\n```")


SETUP_SOURCE = ("# Setup: where only the notebook is (Colab), install the package.\n"
                "import importlib.util\nimport subprocess\nimport sys\n\n"
                "if importlib.util.find_spec(\"w2v_teach\") is None:\n"
                "    subprocess.run([sys.executable, \"-m\", \"pip\", \"install\", \"w2v-teach\"], check=True)")
FIGURE_ALT = "A scatter plot of seven word vectors in two dimensions, one colour per group."


def _code(source: str, count: int, outputs: list[Any]) -> Any:
    """Return an executed code cell."""
    cell = new_code_cell(source, execution_count=count)
    cell.outputs = outputs
    return cell


def synthetic_chapter() -> Any:
    """Return a small notebook that follows every rule of the chapter skeleton."""
    setup = _code(SETUP_SOURCE, 1, [])
    setup.metadata["tags"] = ["hide-input"]
    figure = _code("fig, ax = plt.subplots(figsize=(4, 3))\nplt.show()", 4,
                   [new_output("display_data", data={"image/png": PNG_1X1, "text/plain": "<Figure>"})])
    figure.metadata["mystnb"] = {"image": {"alt": FIGURE_ALT}}
    nb = new_notebook(cells=[
        new_markdown_cell(FIRST_CELL),
        setup,
        _code("import numpy as np\nimport w2v_teach as w2v\nrng = np.random.default_rng(7)\n"
              "print(rng.integers(10))", 2, [_stream("3\n")]),
        new_markdown_cell("## Vectors\n\nSee {cite}`mikolov2013efficient` for the model.\n\n"
                          "```python\n## not a heading: inside a code block\n```"),
        _code("# NBVAL_CHECK_OUTPUT\nprint(w2v.evaluate.analogy_line(emb, 'man', 'king', 'woman'))", 3,
              [_stream("king - man + woman -> queen (0.871)\n")]),
        figure,
        new_code_cell(""),
        new_markdown_cell("## Summary\n\n- One.\n- Two."),
        new_markdown_cell("## Exercises\n\n" + "\n\n".join(_exercise(n) for n in "abcd")),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


SYNTHETIC_PATH = Path("07_synthetic.ipynb")


def test_checker_accepts_the_synthetic_chapter() -> None:
    assert check_notebook(synthetic_chapter(), SYNTHETIC_PATH) == []


def test_checker_accepts_a_tag_as_the_check_marker() -> None:
    nb = synthetic_chapter()
    nb.cells[4].source = nb.cells[4].source.replace("# NBVAL_CHECK_OUTPUT\n", "")
    nb.cells[4].metadata["tags"] = ["nbval-check-output"]
    assert check_notebook(nb, SYNTHETIC_PATH) == []
    nb.cells[4].metadata["tags"] = ["nbval-ignore-output"]
    assert any("analogy line" in p for p in check_notebook(nb, SYNTHETIC_PATH))


def _set_source(index: int, source: str) -> Callable[[Any], None]:
    """Return a mutation that replaces the source of one cell."""
    def mutate(nb: Any) -> None:
        nb.cells[index].source = source
    return mutate


def _replace(index: int, old: str, new: str) -> Callable[[Any], None]:
    """Return a mutation that edits the source of one cell."""
    def mutate(nb: Any) -> None:
        assert old in nb.cells[index].source
        nb.cells[index].source = nb.cells[index].source.replace(old, new)
    return mutate


def _set_outputs(index: int, outputs: list[Any]) -> Callable[[Any], None]:
    """Return a mutation that replaces the outputs of one code cell."""
    def mutate(nb: Any) -> None:
        nb.cells[index].outputs = outputs
    return mutate


def _insert(index: int, *cells: Any) -> Callable[[Any], None]:
    """Return a mutation that inserts cells before position `index`."""
    def mutate(nb: Any) -> None:
        nb.cells[index:index] = list(cells)
    return mutate


def _stream(text: str) -> Any:
    """Return a stdout stream output."""
    return new_output("stream", name="stdout", text=text)


BROKEN = {
    "invalid nbformat": (lambda nb: nb.cells[2].pop("outputs"), "invalid nbformat"),
    "no setup cell": (lambda nb: nb.cells.pop(1), "not the setup cell"),
    "setup cell after the imports": (lambda nb: nb.cells.insert(2, nb.cells.pop(1)), "not the setup cell"),
    "setup cell without its guard": (_replace(1, 'importlib.util.find_spec("w2v_teach") is None', "True"),
                                     "not the setup cell"),
    "setup cell prints": (_set_outputs(1, [_stream("Successfully installed w2v-teach\n")]),
                          "the setup cell has outputs"),
    "setup cell shown": (lambda nb: nb.cells[1].metadata.pop("tags"), "'hide-input'"),
    "setup cell imports the package": (_replace(1, "import sys\n", "import sys\nimport w2v_teach\n"),
                                       "the setup cell imports w2v_teach"),
    "figure without alt text": (lambda nb: nb.cells[5].metadata.pop("mystnb"), "without alt text"),
    "alt text too short": (lambda nb: nb.cells[5].metadata["mystnb"]["image"].__setitem__("alt", "A plot."),
                           "without alt text"),
    "title not a chapter heading": (_replace(0, "# Chapter 7: A synthetic chapter", "Intro text"),
                                    "'# Chapter N: Title'"),
    "title number differs from file": (_replace(0, "Chapter 7:", "Chapter 8:"), "file name says 7"),
    "first cell is code": (_insert(0, new_code_cell("x = 1")), "first cell"),
    "no objectives": (_replace(0, "Learning objectives", "Goals"), "Learning objectives"),
    "objectives lack class note": (_replace(0, ":class: note\n", ""), ":class: note"),
    "two objectives": (_replace(0, "- Measure the thing.\n", ""), "2 bullets"),
    "six objectives": (_replace(0, "- Measure the thing.\n", "- c\n- d\n- e\n- f\n"), "6 bullets"),
    "no tip": (_replace(0, "{tip}", "{note}"), "{tip}"),
    "rng not seeded": (_replace(2, "default_rng(7)", "default_rng()"), "does not both import"),
    "w2v_teach not imported": (_replace(2, "import w2v_teach as w2v\n", ""), "does not both import"),
    "imports only in third code cell": (_insert(2, _code("x = 1", 2, []), _code("y = 2", 3, [])),
                                        "does not both import w2v_teach"),
    "no summary": (_set_source(7, "## Wrap-up\n\n- One."), "'## Summary'"),
    "no exercises heading": (_replace(8, "## Exercises", "## Practice"), "'## Exercises'"),
    "summary after exercises": (lambda nb: nb.cells.append(nb.cells.pop(7)), "Summary then Exercises"),
    "section after exercises": (lambda nb: nb.cells.append(new_markdown_cell("## Appendix")),
                                "Summary then Exercises"),
    "three exercises": (_replace(8, _exercise("d"), ""), "3 {exercise} blocks"),
    "solution not folded": (_replace(8, "{solution} ch7-b\n:class: dropdown", "{solution} ch7-b"),
                            "'ch7-b' lacks ':class: dropdown'"),
    "exercise without solution": (_replace(8, "{solution} ch7-c", "{solution} ch7-x"),
                                  "'ch7-c' has no matching"),
    "exercise without label": (_replace(8, ":label: ch7-a\n", ""), "no :label:"),
    "label of another chapter": (_replace(8, "ch7-a", "ch3-a"), "does not start with 'ch7-'"),
    "no citation": (_replace(3, "{cite}`mikolov2013efficient`", "Mikolov"), "{cite}"),
    "bibliography in chapter": (lambda nb: nb.cells[7].__setitem__(
        "source", nb.cells[7].source + "\n\n```{bibliography}\n```"), "{bibliography}"),
    "term role": (_replace(3, "the model", "the {term}`skip-gram` model"), "{term}"),
    "no png": (_set_outputs(5, []), "image/png"),
    "analogy line unchecked": (_replace(4, "# NBVAL_CHECK_OUTPUT\n", ""), "analogy line"),
    "analogy line misformatted": (_set_outputs(4, [_stream("king - man + woman -> queen (0.87)\n")]),
                                  "analogy line"),
    "counts out of order": (lambda nb: nb.cells[4].__setitem__("execution_count", 5), "execution counts"),
    "cell not executed": (lambda nb: nb.cells[5].__setitem__("execution_count", None), "execution counts"),
    "error output": (_set_outputs(5, [new_output("error", ename="ValueError", evalue="bad",
                                                 traceback=["ValueError: bad"])]), "error output"),
    "absolute path in source": (_replace(2, "print(rng", "open('/home/ann/data.txt')\nprint(rng"),
                                "absolute path"),
    "absolute path in output": (_set_outputs(2, [_stream("saved to /tmp/vectors.txt\n")]), "absolute path"),
    "windows path in output": (_set_outputs(2, [_stream("saved to C:\\Users\\ann\\v.txt\n")]), "absolute path"),
    "wall of numbers": (_set_outputs(2, [_stream("".join(f"{i}\n" for i in range(61)))]), "prints 61 lines"),
}


@pytest.mark.parametrize("name", list(BROKEN))
def test_checker_rejects_a_broken_chapter(name: str) -> None:
    mutate, expected = BROKEN[name]
    nb = copy.deepcopy(synthetic_chapter())
    mutate(nb)
    problems = check_notebook(nb, SYNTHETIC_PATH)
    assert any(expected in p for p in problems), problems


def test_checker_ignores_urls_and_latex_that_look_like_paths() -> None:
    nb = synthetic_chapter()
    nb.cells[3].source += "\n\nSee https://example.org/home/ and $f:\\mathbb{R} \\to \\mathbb{R}$."
    assert check_notebook(nb, SYNTHETIC_PATH) == []


def test_headings_skip_fenced_blocks() -> None:
    text = "## A\n\n```python\n## not one\n```\n\n````{exercise}\n```\n## nor this\n```\n````\n## B"
    assert headings(text, 2) == ["A", "B"]
