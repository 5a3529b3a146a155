"""The rendered book in a real browser: what a reader sees on every page.

The book is built once per session (the `book_html` fixture, -W -n as the README builds it),
served from 127.0.0.1 and opened page by page in headless Chromium (tools/browser.py), which
resolves no host but this machine. On every page: the math is typeset by the vendored MathJax
(no raw `$...$`, `\\(` or `\\[` left in the text), every image loads (natural width above zero)
and has alt text, the console shows no error, and every request stays on the local server. The
search page finds a chapter offline. And what the page shows fits it: at the 1280-pixel window
no visible code or output block (`pre`) scrolls sideways, and no run of more than three
`...: True`/`False` lines shows outside a fold (checked claims are folded, tools/format_notebooks.py).
`test_a_block_too_wide_is_caught` shows the check failing on a page with a long line added.

Without Chromium and chromedriver the tests skip and say how to install them; CI sets
W2V_TEACH_REQUIRE_CHROMIUM=1, which turns that skip into a failure.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
import yaml

import browser
from test_book import toc_files  # the toc walk, shared

BOOK = Path(__file__).resolve().parents[1] / "book"
TOC = yaml.safe_load((BOOK / "_toc.yml").read_text(encoding="utf-8"))
# Raw TeX a reader must never see: MathJax delimiters, dollar math, or a TeX command with an argument.
RAW_TEX = re.compile(
    r"\\[()\[\]]"                             # \( \) \[ \]
    r"|\$\$"                                  # display dollars
    r"|(?<![\w$])\$(?=\S)[^$\n]{1,200}(?<=\S)\$(?![\w$])"  # $x$ inline dollars
    r"|\\(?:frac|mathbf|mathrm|text|sum|log|exp|partial|top|sigma|begin|end)\b"
)
FILE_NAME_ALT = re.compile(r"\.(?:png|jpe?g|gif|svg|webp)$", re.IGNORECASE)


# Every page a reader can reach: the table of contents, the redirect to it, Sphinx's index and search.
PAGES = [f"{name}.html" for name in toc_files(TOC)] + ["index.html", "genindex.html", "search.html"]


@pytest.fixture(scope="module")
def driver():
    """Yield a headless Chromium (Selenium WebDriver); skip, or fail in CI, where there is none."""
    if browser.find_chromium() is None:
        if os.environ.get("W2V_TEACH_REQUIRE_CHROMIUM"):
            pytest.fail(browser.missing_message())
        pytest.skip(browser.missing_message())
    with browser.chromium() as chromium:
        yield chromium


@pytest.fixture(scope="module")
def site(book_html: Path):
    """Serve the built book on 127.0.0.1 for the module; yield its base URL."""
    with browser.serve(book_html) as base:
        yield base


def drain(chromium) -> tuple[list[dict], list[str]]:
    """Return (console entries, URLs requested) since the last call, and forget them."""
    console = chromium.get_log("browser")
    urls = []
    for entry in chromium.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return console, urls


def visit(chromium, url: str) -> tuple[dict, list[dict], list[str]]:
    """Open a page and let it settle; return what it shows, its console entries and its requests."""
    drain(chromium)
    chromium.get(url)
    shown = browser.settle(chromium)
    console, urls = drain(chromium)
    return shown, console, urls


@pytest.mark.slow
def test_every_built_page_is_checked(book_html: Path) -> None:
    built = sorted(p.relative_to(book_html).as_posix() for p in book_html.rglob("*.html")
                   if not p.relative_to(book_html).parts[0].startswith("_"))
    assert built == sorted(PAGES), "pages built but not opened in the browser, or the reverse"


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_page_as_a_reader_sees_it(driver, site: str, page: str) -> None:
    shown, console, urls = visit(driver, site + page)
    assert "error" not in shown, shown
    problems = []
    # The math: MathJax loaded from the book itself and typeset every formula without an error.
    if shown["math"]:
        if not shown["mathjax_loaded"]:
            problems.append("MathJax did not load")
        if shown["math_typeset"] != shown["math"]:
            problems.append(f"{shown['math'] - shown['math_typeset']} of {shown['math']} formulas not typeset")
    if shown["math_errors"]:
        problems.append(f"{shown['math_errors']} MathJax errors")
    text = " ".join(shown["text"].split())
    for match in list(RAW_TEX.finditer(text))[:3]:
        start = max(0, match.start() - 40)
        problems.append(f"raw TeX in the text: ...{text[start:match.end() + 40]}...")
    # Every image loads and says what it shows.
    for image in shown["images"]:
        if not image["complete"] or image["width"] == 0:
            problems.append(f"image did not load: {image['src']}")
        alt = (image["alt"] or "").strip()
        if not alt or alt == image["src"] or FILE_NAME_ALT.search(alt):
            problems.append(f"image without alt text: {image['src']} (alt={image['alt']!r})")
    # The console stays clean, and nothing is requested from anywhere but the local server.
    for entry in console:
        if entry["level"] == "SEVERE":
            problems.append(f"console error: {entry['message']}")
    for url in urls:
        if re.match(r"^(?:https?|wss?):", url) and not url.startswith(site):
            problems.append(f"request to outside the book: {url}")
    assert not problems, f"{page}:\n- " + "\n- ".join(problems)
    fit = fit_problems(browser.page_fit(driver))
    assert not fit, f"{page}:\n- " + "\n- ".join(fit)


def fit_problems(fit: dict) -> list[str]:
    """Return what does not fit the page: blocks that scroll sideways, runs of claims in view."""
    problems = [f"a block scrolls sideways ({block['scroll']} px in {block['client']} px; its longest "
                f"line has {block['chars']} characters: {block['line']!r}...)" for block in fit["wide"]]
    problems += [f"more than three True/False lines in view, outside a fold (the fourth: {line!r})"
                 for line in fit["runs"]]
    return problems


# Appended to a built page: a copy of one of its output blocks holding one long line, and another
# holding five checked claims, both in view, as a chapter with an unformatted cell would show them.
ADD_BAD_BLOCKS = """
const pre = document.querySelector('div.cell_output pre');
const wide = pre.cloneNode(false), claims = pre.cloneNode(false);
wide.textContent = 'print(' + 'a_long_argument, '.repeat(8) + ')';
claims.textContent = [1, 2, 3, 4, 5].map(i => 'claim ' + i + ': True').join('\\n');
pre.parentNode.append(wide, claims);
"""


@pytest.mark.slow
def test_a_block_too_wide_is_caught(driver, site: str) -> None:
    visit(driver, site + "chapters/01_counts.html")
    before = browser.page_fit(driver)
    assert before["visible"] > 10 and fit_problems(before) == [], before
    driver.execute_script(ADD_BAD_BLOCKS)
    problems = fit_problems(browser.page_fit(driver))
    assert len(problems) == 2, problems
    assert "scrolls sideways" in problems[0] and "a_long_argument" in problems[0]
    assert "outside a fold" in problems[1] and "claim 4: True" in problems[1]


@pytest.mark.slow
def test_search_works_offline(driver, site: str) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    _, console, urls = visit(driver, site + "search.html?q=negative+sampling")
    WebDriverWait(driver, 30).until(lambda d: d.execute_script(
        "const r = document.getElementById('search-results');"
        "return r && /Search finished/.test(r.textContent);"))
    links = driver.execute_script(
        "return Array.from(document.querySelectorAll('#search-results li a'))"
        ".map(a => a.getAttribute('href'));")
    assert any("chapters/03_sgns_numpy.html" in href for href in links), links
    console += driver.get_log("browser")
    assert not [e for e in console if e["level"] == "SEVERE"], console
    assert all(u.startswith(site) for u in urls if re.match(r"^(?:https?|wss?):", u)), urls


def test_raw_tex_pattern() -> None:
    raw = [r"the loss \(L = -\log \sigma(x)\) falls", "$$ a = b $$", "where $x_i$ is the input",
           r"a \frac{1}{2} half", r"\[ y \]"]
    shown = ["costs 5 dollars", "x = $HOME/bin in a shell", "price $5 and $10 later",
             "a (parenthesis) and [bracket]", "back\\slash"]
    assert all(RAW_TEX.search(s) for s in raw), [s for s in raw if not RAW_TEX.search(s)]
    assert not any(RAW_TEX.search(s) for s in shown), [s for s in shown if RAW_TEX.search(s)]
