"""The students' edition: the same book with every solution left out; the full edition keeps them all.

`tools/editions.py students` builds the students' edition (sphinx-exercise's hide_solutions, the
rest of book/_config.yml unchanged). Each solution in a chapter is recognised by a fingerprint, the
longest run of plain words in its text; the full edition must show every fingerprint and one
solution block per solution, the students' edition none of either in anything it serves (pages,
search index, downloadable notebooks), while keeping every exercise. Every link and launch button
of the students' edition that leads into the repository (Binder, Colab, GitHub) is followed to the
file it opens here, which must be one of the committed students' notebooks (`students/`, kept up
to date with the book) and hold no {solution} directive.
"""
from __future__ import annotations

import html as html_lib
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import nbformat
import pytest

import editions
from test_notebooks import parse_fences

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
CHAPTERS = sorted((BOOK / "chapters").glob("*.ipynb"))
MIN_FINGERPRINT_WORDS = 5
EXERCISE_BLOCK = re.compile(r'<div class="exercise[ "]')
SOLUTION_BLOCK = re.compile(r'<div class="solution[ "]')


def solutions(path: Path) -> dict[str, list[str]]:
    """Return {label: body lines} of the {solution} blocks of a chapter."""
    nb = nbformat.read(path, as_version=4)
    markdown = "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    found = {}
    for block in parse_fences(markdown):
        match = re.match(r"^\{solution\}\s+(\S+)", block["rest"])
        if match:
            found[match.group(1)] = block["body"]
    return found


def fingerprint(body: list[str]) -> str:
    """Return the longest run of plain words (letters and spaces only) in a solution's prose."""
    prose, fence = [], None
    for line in body:
        stripped = line.strip()
        opening = re.match(r"^(`{3,}|:{3,}|\$\$)", stripped)
        if fence is None and opening:
            fence = opening.group(1)
            continue
        if fence is not None:
            if stripped.startswith(fence):
                fence = None
            continue
        if line.startswith("    "):  # an indented code block
            continue
        prose.append(stripped)
    text = " ".join(prose)
    text = re.sub(r"\$[^$]*\$|`[^`]*`|\{[a-z]+\}", "|", text)  # math, code and roles are no words
    fragments = [" ".join(f.split()) for f in re.split(r"[^A-Za-z ]+", text)]
    return max(fragments, key=lambda f: len(f.split()), default="")


class _Text(HTMLParser):
    """Collect the text of an HTML page, without scripts and styles."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style") and self._skip > 0

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def page_text(markup: str) -> str:
    """Return the text of an HTML page with whitespace collapsed."""
    parser = _Text()
    parser.feed(markup)
    return " ".join(html_lib.unescape(" ".join(parser.parts)).split())


def served_texts(site: Path) -> dict[str, str]:
    """Return the readable text of every file a build serves: pages, sources, scripts, data."""
    texts = {}
    for path in sorted(site.rglob("*")):
        if not path.is_file() or path.suffix not in {".html", ".ipynb", ".md", ".txt", ".js", ".json"}:
            continue
        raw = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".html":
            text = page_text(raw) + " " + raw
        elif path.suffix == ".ipynb":
            cells = json.loads(raw).get("cells", [])
            text = " ".join("".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in cells)
        else:
            text = raw
        texts[path.relative_to(site).as_posix()] = " ".join(text.split())
    return texts


@pytest.fixture(scope="module")
def students_html(tmp_path_factory) -> Path:
    """Build the students' edition once for this module; return its HTML folder."""
    build = editions.build("students", tmp_path_factory.mktemp("students"))
    assert build.ok, f"the students' edition did not build (exit {build.returncode}):\n{build.log[-4000:]}"
    return build.output


def test_every_solution_has_a_fingerprint() -> None:
    for path in CHAPTERS:
        found = solutions(path)
        assert found, f"{path.name} has no solutions"
        for label, body in found.items():
            assert len(fingerprint(body).split()) >= MIN_FINGERPRINT_WORDS, (path.name, label, fingerprint(body))


@pytest.mark.slow
@pytest.mark.parametrize("path", CHAPTERS, ids=[p.name for p in CHAPTERS])
def test_full_edition_shows_every_solution(book_html: Path, path: Path) -> None:
    markup = (book_html / "chapters" / f"{path.stem}.html").read_text(encoding="utf-8")
    text = page_text(markup)
    found = solutions(path)
    assert len(SOLUTION_BLOCK.findall(markup)) == len(found)
    missing = {label: fingerprint(body) for label, body in found.items() if fingerprint(body) not in text}
    assert not missing, f"solutions not in the full edition's page: {missing}"


@pytest.mark.slow
def test_students_edition_has_no_solution_and_every_exercise(book_html: Path, students_html: Path) -> None:
    texts = served_texts(students_html)
    assert any(name.startswith("_sources/") and name.endswith(".ipynb") for name in texts)
    leaks = [f"{name}: {label} ({print_})"
             for path in CHAPTERS for label, body in solutions(path).items()
             for print_ in [fingerprint(body)] for name, text in texts.items() if print_ in text]
    assert not leaks, "solution text in the students' edition:\n" + "\n".join(leaks)
    for path in CHAPTERS:
        student = (students_html / "chapters" / f"{path.stem}.html").read_text(encoding="utf-8")
        full = (book_html / "chapters" / f"{path.stem}.html").read_text(encoding="utf-8")
        assert not SOLUTION_BLOCK.search(student), f"{path.name}: a solution block in the students' edition"
        assert len(EXERCISE_BLOCK.findall(student)) == len(EXERCISE_BLOCK.findall(full)) >= 4, path.name
    intro = (students_html / "intro.html").read_text(encoding="utf-8")
    assert "students&#39; edition" in intro or "students' edition" in intro


def test_students_config_only_hides_solutions() -> None:
    import yaml

    full = yaml.safe_load((BOOK / "_config.yml").read_text(encoding="utf-8"))
    students = editions.students_config()
    assert students["sphinx"]["config"].pop("hide_solutions") is True
    assert students["repository"].pop("path_to_book") == "students"
    students["repository"]["path_to_book"] = full["repository"]["path_to_book"]
    students["html"] = full["html"]  # no repository and issues buttons, tested below
    assert students["title"] == full["title"] + editions.STUDENTS_TITLE_SUFFIX
    students["title"] = full["title"]
    for name, path in students["sphinx"]["local_extensions"].items():
        assert Path(path) == (BOOK / full["sphinx"]["local_extensions"][name]).resolve()
    students["sphinx"]["local_extensions"] = full["sphinx"]["local_extensions"]
    assert students == full


def test_strip_solutions_removes_every_form_of_solution() -> None:
    text = ("Before.\n\n```{exercise}\n:label: a\nDo it.\n```\n\n````{solution} a\n:class: dropdown\n\n"
            "Secret one.\n\n```python\nx = 1\n```\n````\n\n:::{solution} b\nSecret two.\n:::\n\n"
            "```{solution-start} c\n```\nSecret three.\n```{solution-end}\n```\nAfter.\n")
    stripped = editions.strip_solutions(text)
    assert "Secret" not in stripped and "x = 1" not in stripped
    assert "Before." in stripped and "Do it." in stripped and "After." in stripped


def test_students_config_launches_the_students_notebooks() -> None:
    config = editions.students_config()
    assert config["repository"]["path_to_book"] == "students"
    assert config["html"]["use_repository_button"] is False and config["html"]["use_issues_button"] is False


def test_students_notebooks_are_up_to_date(tmp_path: Path) -> None:
    written = editions.write_students_notebooks(tmp_path)
    fresh = {p.relative_to(tmp_path).as_posix(): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    committed = {p.relative_to(editions.STUDENTS_NOTEBOOKS).as_posix(): p.read_bytes()
                 for p in editions.STUDENTS_NOTEBOOKS.rglob("*") if p.is_file()}
    assert len(written) == len(CHAPTERS) + 1  # the introduction and every chapter
    stale = sorted(name for name in fresh.keys() | committed.keys() if fresh.get(name) != committed.get(name))
    assert not stale, f"students/ is out of date in {stale}: run python tools/editions.py notebooks"


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.name for p in CHAPTERS])
def test_students_notebook_keeps_exercises_and_code_but_no_solution(path: Path) -> None:
    book = nbformat.read(path, as_version=4)
    student = nbformat.read(editions.STUDENTS_NOTEBOOKS / "chapters" / path.name, as_version=4)
    markdown = "\n\n".join(c.source for c in student.cells if c.cell_type == "markdown")
    assert not editions.has_solution(markdown)
    assert editions.has_solution("\n\n".join(c.source for c in book.cells if c.cell_type == "markdown"))
    exercises = [b for b in parse_fences(markdown) if b["rest"].startswith("{exercise")]
    assert len(exercises) == len(solutions(path)) >= 4
    codes = [c for c in student.cells if c.cell_type == "code"]
    assert [c.source for c in codes] == [c.source for c in book.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in codes)


def test_students_notebook_drops_gated_solutions_across_cells() -> None:
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("```{exercise}\n:label: e\nDo it.\n```"),
        nbformat.v4.new_markdown_cell("Kept.\n\n```{solution-start} e\n```\nSecret one."),
        nbformat.v4.new_code_cell("secret = 2"),
        nbformat.v4.new_markdown_cell("Secret two.\n```{solution-end}\n```\nAfter."),
        nbformat.v4.new_code_cell("kept = 1", outputs=[nbformat.v4.new_output("stream", text="1")],
                                  execution_count=1),
    ])
    student = editions.students_notebook(nb)
    text = "\n".join(c.source for c in student.cells)
    assert "Secret" not in text and "secret" not in text
    assert "Do it." in text and "Kept." in text and "After." in text and "kept = 1" in text
    assert student.cells[-1].outputs == [] and student.cells[-1].execution_count is None
    assert nb.cells[-1].outputs  # the book's notebook is left as it was


def repository_target(url: str, repository: str) -> str | None:
    """Return the path in the repository that a link opens ('' for the whole repository), or None.

    Binder (v2/gh/ORG/REPO/BRANCH?urlpath=lab/tree/PATH), Colab (github/ORG/REPO/blob/BRANCH/PATH)
    and GitHub (ORG/REPO/blob|tree|raw/BRANCH/PATH) links are mapped to PATH; any other link that
    names the repository counts as the whole repository, solutions included.
    """
    org_repo = urlsplit(repository).path.strip("/")
    parts = urlsplit(url)
    if org_repo not in url:
        return None
    if parts.netloc == "mybinder.org" and parts.path.startswith(f"/v2/gh/{org_repo}/"):
        urlpath = parse_qs(parts.query).get("urlpath", [""])[0]
        match = re.fullmatch(r"(?:lab/tree|tree|notebooks)/(.+)", urlpath)
        return match.group(1) if match else ""
    github = {"colab.research.google.com": f"/github/{org_repo}/", "github.com": f"/{org_repo}/"}
    prefix = github.get(parts.netloc)
    if prefix and parts.path.startswith(prefix):
        match = re.fullmatch(r"(?:blob|tree|raw)/[^/]+/(.+)", parts.path[len(prefix):])
        return match.group(1) if match else ""
    return ""


def link_targets(site: Path) -> dict[str, list[str]]:
    """Return {href: pages} for every link of a built site that leaves the site."""
    found: dict[str, list[str]] = {}
    for page in sorted(site.rglob("*.html")):
        for href in re.findall(r'href="(https?://[^"]+)"', page.read_text(encoding="utf-8")):
            found.setdefault(html_lib.unescape(href), []).append(page.relative_to(site).as_posix())
    return found


def test_repository_target_maps_the_launch_services() -> None:
    repo = "https://github.com/o/r"
    assert repository_target("https://mybinder.org/v2/gh/o/r/main?urlpath=lab/tree/students/a.ipynb", repo) \
        == "students/a.ipynb"
    assert repository_target("https://colab.research.google.com/github/o/r/blob/main/students/a.ipynb", repo) \
        == "students/a.ipynb"
    assert repository_target("https://github.com/o/r", repo) == ""
    assert repository_target("https://github.com/o/r/issues/new?title=x", repo) == ""
    assert repository_target("https://doi.org/10.1/x", repo) is None


@pytest.mark.slow
def test_every_link_of_the_students_edition_reaches_no_solution(students_html: Path) -> None:
    import yaml

    repository = yaml.safe_load((BOOK / "_config.yml").read_text(encoding="utf-8"))["repository"]["url"]
    reached = {}
    for href, pages in link_targets(students_html).items():
        target = repository_target(href, repository)
        if target is None:
            continue
        assert target, f"{pages[0]} links to the whole repository, solutions included: {href}"
        path = ROOT / target
        assert path.is_file() and path.is_relative_to(editions.STUDENTS_NOTEBOOKS), (href, pages[0])
        nb = nbformat.read(path, as_version=4)
        assert not editions.has_solution("\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")), href
        reached.setdefault(target, set()).add(urlsplit(href).netloc)
    # Every notebook page launches its students' notebook on both services.
    assert len(reached) == len(CHAPTERS) + 1, sorted(reached)
    assert all(services == {"mybinder.org", "colab.research.google.com"} for services in reached.values()), reached


@pytest.mark.slow
def test_exercises_are_numbered_within_their_chapter(book_html: Path, students_html: Path) -> None:
    for site in (book_html, students_html):
        for path in CHAPTERS:
            markup = (site / "chapters" / f"{path.stem}.html").read_text(encoding="utf-8")
            titles = re.findall(r'<span class="caption-number">Exercise (\d+) </span>', markup) or \
                re.findall(r'<p class="admonition-title">\s*<span class="caption-number">Exercise (\d+)', markup)
            assert titles == [str(i) for i in range(1, len(titles) + 1)] and len(titles) >= 4, (site, path.name, titles)
            assert not re.search(r"[Ee]xercise\s*(<[^>]+>\s*)+Exercise \d", markup), path.name  # "exercise Exercise 3"


@pytest.mark.slow
def test_start_here_box_only_in_the_students_edition(book_html: Path, students_html: Path) -> None:
    assert "Start here" in page_text((students_html / "intro.html").read_text(encoding="utf-8"))
    assert "Start here" not in page_text((book_html / "intro.html").read_text(encoding="utf-8"))


def test_course_repository_holds_no_solution(tmp_path: Path) -> None:
    files = editions.export_students_repository(tmp_path / "course")
    names = {p.relative_to(tmp_path / "course").as_posix() for p in files}
    assert {"binder/requirements.txt", "binder/runtime.txt", "pyproject.toml", "README.md",
            "src/w2v_teach/__init__.py", "students/chapters/02_cbow_softmax.ipynb"} <= names
    assert not any(name.startswith("book/") for name in names)
    for path in files:
        if path.suffix == ".ipynb":
            nb = nbformat.read(path, as_version=4)
            assert not editions.has_solution("\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown"))
        elif path.suffix in {".md", ".txt", ".py", ".toml"}:
            assert not editions.has_solution(path.read_text(encoding="utf-8")), path
    with pytest.raises(FileExistsError, match="not empty"):
        editions.export_students_repository(tmp_path / "course")


def test_students_edition_can_launch_a_course_repository() -> None:
    config = editions.students_config(repository="https://github.com/a-course/notebooks@spring")
    assert config["repository"]["url"] == "https://github.com/a-course/notebooks"
    assert config["repository"]["branch"] == "spring" and config["repository"]["path_to_book"] == "students"
    with pytest.raises(ValueError, match="https://github.com/ORG/NAME.*'gitlab.com/x'"):
        editions.students_config(repository="gitlab.com/x")
