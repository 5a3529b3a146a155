"""Sanity checks of the book's frame: configuration, table of contents, citations, vendored MathJax.

These run in a fraction of a second and catch what would otherwise only show up as a failed
`jupyter-book build book -W -n --keep-going` (a missing toc file, an unknown citation key) or not
at all (execution switched on, MathJax loaded twice or from a CDN, intersphinx reaching for the
network). `test_build_offline` (marked slow) checks the build itself, made exactly as the README's
build command makes it, once per session by the `book_build` fixture (tests/conftest.py) that the
other tests of the rendered book share.
"""
from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

import nbformat
import pytest
import yaml
from pybtex.database import parse_file

BOOK = Path(__file__).resolve().parents[1] / "book"
sys.path.insert(0, str(BOOK / "_ext"))
import w2v_bibstyle  # noqa: E402  (book/_ext is not a package)

CONFIG = yaml.safe_load((BOOK / "_config.yml").read_text(encoding="utf-8"))
TOC = yaml.safe_load((BOOK / "_toc.yml").read_text(encoding="utf-8"))
CITE_ROLE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")
REQUIRED_KEYS = [
    "mikolov2013efficient", "mikolov2013distributed", "harris1954distributional", "firth1957synopsis",
    "rong2014word2vec", "goldberg2014word2vec", "levy2014linguistic", "levy2014neural",
    "levy2015improving", "finkelstein2002placing", "hill2015simlex", "vandermaaten2008visualizing",
    "ji2016parallelizing", "pennington2014glove", "bojanowski2017enriching", "paszke2019pytorch",
    "rehurek2010software",
]


def final_sphinx_config() -> dict:
    """Return the Sphinx configuration that Jupyter Book derives from book/_config.yml."""
    from jupyter_book.config import get_final_config

    config, _ = get_final_config(user_yaml=BOOK / "_config.yml", sourcedir=BOOK,
                                 cli_config={"latex_individualpages": False})
    return config


def toc_files(node: object) -> list[str]:
    """Return every `file:` entry of the table of contents, the root first."""
    found = []
    if isinstance(node, dict):
        for key in ("root", "file"):
            if key in node:
                found.append(node[key])
        for value in node.values():
            found += toc_files(value)
    elif isinstance(node, list):
        for item in node:
            found += toc_files(item)
    return found


def page_sources() -> dict[Path, str]:
    """Return the MyST text of every page: .md files and the markdown cells of notebooks."""
    pages = {}
    for path in sorted(BOOK.rglob("*")):
        if any(part.startswith(("_", ".")) for part in path.relative_to(BOOK).parts):
            continue
        if path.suffix == ".md":
            pages[path] = path.read_text(encoding="utf-8")
        elif path.suffix == ".ipynb":
            nb = nbformat.read(path, as_version=4)
            pages[path] = "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    return pages


def test_config_basics() -> None:
    assert CONFIG["title"] == "w2v-teach: word2vec from first principles"
    assert CONFIG["execute"]["execute_notebooks"] == "off"
    assert CONFIG["bibtex_bibfiles"] == ["references.bib"]
    assert CONFIG["repository"] == {"url": "https://github.com/w2v-teach/w2v-teach",
                                    "path_to_book": "book", "branch": "main"}
    assert {"dollarmath", "amsmath", "colon_fence", "deflist"} <= set(CONFIG["parse"]["myst_enable_extensions"])


def test_final_sphinx_config() -> None:
    config = final_sphinx_config()
    extensions = config["extensions"]
    assert "sphinx.ext.intersphinx" not in extensions
    assert "sphinx_thebe" not in extensions
    for needed in ("sphinx_exercise", "sphinxcontrib.bibtex", "myst_nb", "w2v_bibstyle"):
        assert needed in extensions
    assert config["nb_execution_mode"] == "off"
    assert config["bibtex_reference_style"] == "w2v_author_year"
    assert config["html_theme_options"]["launch_buttons"]["binderhub_url"] == "https://mybinder.org"
    assert config["html_theme_options"]["use_download_button"] is True
    assert config["html_theme_options"]["repository_branch"] == "main"


def test_mathjax_is_vendored_and_loaded_once() -> None:
    config = final_sphinx_config()
    mathjax_path = config["mathjax_path"]
    assert "://" not in mathjax_path and not mathjax_path.startswith("//")
    static_dirs = [BOOK / d for d in config["html_static_path"]]
    located = [d / mathjax_path for d in static_dirs if (d / mathjax_path).is_file()]
    assert located, f"{mathjax_path} is in none of {config['html_static_path']}"
    root = located[0].parent
    assert (root / "LICENSE").read_text(encoding="utf-8").lstrip().startswith("Apache License")
    fonts = sorted((root / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff"))
    assert len(fonts) >= 20 and any(f.name == "MathJax_Main-Regular.woff" for f in fonts)
    recorded = re.search(r"sha256\(tex-chtml-full\.js\) = ([0-9a-f]{64})", (root / "SOURCE.txt").read_text())
    assert recorded and hashlib.sha256(located[0].read_bytes()).hexdigest() == recorded.group(1)
    # Jupyter Book adds every .js under book/_static to every page: MathJax must not be among them.
    assert not any("mathjax" in str(js).lower() for js in config.get("html_js_files", []))


def test_toc_files_exist_and_chapters_are_listed() -> None:
    files = toc_files(TOC)
    assert files[0] == "intro"
    for name in files:
        matches = [BOOK / f"{name}{ext}" for ext in (".md", ".ipynb") if (BOOK / f"{name}{ext}").is_file()]
        assert len(matches) == 1, f"_toc.yml entry {name!r}: expected one .md or .ipynb, found {matches}"
    for name in ("course", "glossary", "references"):
        assert name in files
    for chapter in sorted((BOOK / "chapters").glob("*.ipynb")):
        assert f"chapters/{chapter.stem}" in files, f"{chapter.name} is missing from book/_toc.yml"


def test_bibliography_entries() -> None:
    data = parse_file(BOOK / "references.bib")  # raises on syntax errors and duplicate keys
    for key in REQUIRED_KEYS:
        assert key in data.entries, key
    for key, entry in data.entries.items():
        assert re.fullmatch(r"[a-z]+\d{4}[a-z0-9]+", key), f"key {key!r} breaks the naming scheme"
        assert entry.persons.get("author"), f"{key} has no author"
        assert entry.fields.get("title") and re.fullmatch(r"\d{4}", entry.fields.get("year", "")), key


def test_every_citation_key_exists() -> None:
    keys = set(parse_file(BOOK / "references.bib").entries.keys())
    cited = {}
    for path, text in page_sources().items():
        for group in CITE_ROLE.findall(text):
            for key in group.split(","):
                cited.setdefault(key.strip(), path.relative_to(BOOK))
    assert cited, "no page cites anything"
    missing = {key: str(path) for key, path in cited.items() if key not in keys}
    assert not missing, f"citation keys not in references.bib: {missing}"


def test_one_bibliography_page() -> None:
    with_bibliography = [p.relative_to(BOOK).as_posix() for p, text in page_sources().items()
                         if re.search(r"^(`{3,}|:{3,})\{bibliography\}", text, re.MULTILINE)]
    assert with_bibliography == ["references.md"]


def test_years_are_disambiguated_in_file_order() -> None:
    entries = parse_file(BOOK / "references.bib").entries
    years = w2v_bibstyle.disambiguate_years(entries.values())
    assert years["mikolov2013efficient"] == "2013a" and years["mikolov2013distributed"] == "2013b"
    assert years["levy2014linguistic"] == "2014a" and years["levy2014neural"] == "2014b"
    assert years["mikolov2013word2vec"] == "2013"  # a single author: "Mikolov, 2013" is distinct
    assert years["harris1954distributional"] == "1954"
    assert w2v_bibstyle.disambiguate_years(entries.values()) == years  # idempotent on a rebuild
    assert w2v_bibstyle.author_label(entries["gutmann2010noise"]) == "Gutmann and Hyvärinen"
    assert w2v_bibstyle.author_label(entries["vandermaaten2008visualizing"]) == "van der Maaten and Hinton"


def test_intro_notebook_is_executed_and_tagged() -> None:
    nb = nbformat.read(BOOK / "intro.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1))
    assert all("hide-input" in c.metadata.get("tags", []) for c in code)
    assert any("image/png" in o.get("data", {}) for c in code for o in c.outputs)
    assert not any(o.output_type == "error" for c in code for o in c.outputs)
    for cell in code:  # every figure says what it shows (the chapters' rule, tests/test_notebooks.py)
        if any("image/png" in o.get("data", {}) for o in cell.outputs):
            assert len(str(cell.metadata.get("mystnb", {}).get("image", {}).get("alt", "")).split()) >= 8


def test_intro_covers_the_issue_and_links_every_chapter_in_the_toc() -> None:
    nb = nbformat.read(BOOK / "intro.ipynb", as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for topic in ("one-hot", "distributional hypothesis", "CBOW", "Skip-gram", "Hierarchical softmax",
                  "Negative sampling", "Recommendation", "Small devices", "## Roadmap"):
        assert topic in text, topic
    for key in ("harris1954distributional", "mikolov2013efficient", "mikolov2013distributed"):
        assert key in text, key
    roadmap = text.split("## Roadmap", 1)[1]
    linked = set(re.findall(r"\{doc\}`[^`<]*<(chapters/[^>]+)>`", roadmap))
    listed = {name for name in toc_files(TOC) if name.startswith("chapters/")}
    # A chapter that is in the book is linked from the roadmap; one that is not yet is plain text.
    assert linked == listed, f"roadmap links {sorted(linked)}, the toc lists {sorted(listed)}"


REMOTE_RESOURCE = re.compile(
    r"<(?:script|img|iframe|source|embed)\b[^>]*\bsrc=[\"'](?:https?:)?//"
    r"|<link\b[^>]*\bhref=[\"'](?:https?:)?//[^\"']*[\"'][^>]*\brel=[\"']?(?:stylesheet|preload|modulepreload|icon)"
    r"|<link\b[^>]*\brel=[\"']?(?:stylesheet|preload|modulepreload|icon)[^>]*\bhref=[\"'](?:https?:)?//"
    r"|url\(\s*[\"']?(?:https?:)?//"
    r"|cdn\.jsdelivr|unpkg\.com|googleapis|cdnjs|gstatic"
)


@pytest.mark.slow
def test_build_offline(book_build) -> None:
    """Build the book as CI does; no warning, and no page or stylesheet loads anything remote."""
    assert book_build.returncode == 0, book_build.log[-6000:]
    html = book_build.output
    assert (html / "intro.html").is_file(), book_build.log[-3000:]
    offending = []
    for path in sorted(html.rglob("*")):
        if path.suffix not in {".html", ".css", ".js"} or "mathjax" in path.parts:
            continue
        match = REMOTE_RESOURCE.search(path.read_text(encoding="utf-8", errors="replace"))
        if match:
            offending.append(f"{path.relative_to(html)}: {match.group(0)}")
    assert not offending, offending
    assert (html / "_static" / "mathjax" / "tex-chtml-full.js").is_file()
    intro = (html / "intro.html").read_text(encoding="utf-8")
    assert intro.count("mathjax/tex-chtml-full.js") == 1


IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
ATTRIBUTE = re.compile(r'\b(alt|src)\s*=\s*"([^"]*)"', re.IGNORECASE)


def images_without_alt(markup: str) -> list[str]:
    """Return the <img> tags of a page whose alt text is missing, empty, or just the file's name."""
    bad = []
    for tag in IMG_TAG.findall(markup):
        attributes = {k.lower(): v for k, v in ATTRIBUTE.findall(tag)}
        alt, src = attributes.get("alt", "").strip(), attributes.get("src", "")
        # docutils writes the image's path as its alt text when none was given.
        if not alt or alt == src or re.search(r"\.(?:png|jpe?g|gif|svg|webp)$", alt, re.IGNORECASE):
            bad.append(tag)
    return bad


@pytest.mark.slow
def test_every_image_has_alt_text(book_html) -> None:
    pages = sorted(p for p in book_html.rglob("*.html") if "_static" not in p.parts)
    images, bad = 0, []
    for page in pages:
        markup = page.read_text(encoding="utf-8")
        images += len(IMG_TAG.findall(markup))
        bad += [f"{page.relative_to(book_html)}: {tag}" for tag in images_without_alt(markup)]
    assert images >= 15, f"only {images} images in the book"
    assert not bad, "images without alt text:\n" + "\n".join(bad)


def test_alt_text_check() -> None:
    assert images_without_alt('<img alt="_images/ab12.png" src="_images/ab12.png" />')
    assert images_without_alt('<img src="a.png">') and images_without_alt('<img alt="" src="a.png">')
    assert images_without_alt('<img alt="figure.PNG" src="x/figure.png">')
    assert not images_without_alt('<img alt="Loss against steps: it falls." src="_images/a.png" />')


def test_remote_resource_pattern() -> None:
    remote = ['<script src="https://cdn.jsdelivr.net/npm/thebe.js"></script>',
              '<link rel="stylesheet" href="https://example.org/a.css">',
              '<link href="//example.org/a.css" rel="stylesheet">',
              "@font-face { src: url('https://example.org/f.woff') }",
              '<img src="http://example.org/a.png">']
    local = ['<a href="https://github.com/w2v-teach/w2v-teach">repository</a>',
             '<script src="_static/mathjax/tex-chtml-full.js"></script>',
             '<link rel="stylesheet" href="_static/styles/theme.css">',
             '<link rel="canonical" href="https://example.org/intro.html">']
    assert all(REMOTE_RESOURCE.search(s) for s in remote)
    assert not any(REMOTE_RESOURCE.search(s) for s in local)
