"""Headless Chromium for the rendered book: find it, serve a built book locally, open pages in it.

Used by tests/test_browser.py (what a reader sees on every page) and tools/build_pdf.py (the
printable PDF). Chromium is driven through Selenium and the chromedriver that matches it (Debian:
`apt-get install chromium chromium-driver`); Selenium is never allowed to download a driver.

Pages are served from 127.0.0.1 by a small HTTP server, as a reader's web server would, and the
browser resolves no other host name (`--host-resolver-rules`), so a page that reaches for the
network fails here exactly as it would for a reader who is offline. Set W2V_TEACH_CHROMIUM and
W2V_TEACH_CHROMEDRIVER to use binaries that are not on PATH.
"""
from __future__ import annotations

import functools
import http.server
import os
import shutil
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
DRIVER_NAMES = ("chromedriver",)
INSTALL_HINT = "install them with: apt-get install chromium chromium-driver (Debian/Ubuntu)"
# The flags a headless Chromium needs on a build machine, plus: no connection to any host but
# this machine, and no background traffic of the browser's own (updates, sync, field trials).
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    "--hide-scrollbars",
    "--window-size=1280,1024",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
)

# Resolves when the page has settled: MathJax has typeset everything (its startup promise), every
# image has loaded or failed, and the web fonts are ready. Returns what a reader would see.
SETTLE_JS = """
const done = arguments[arguments.length - 1];
const mathjax = (window.MathJax && window.MathJax.startup && window.MathJax.startup.promise)
  ? window.MathJax.startup.promise : Promise.resolve();
const images = Array.from(document.images).map(img => img.complete ? null
  : new Promise(resolve => { img.addEventListener('load', resolve); img.addEventListener('error', resolve); }));
Promise.all([mathjax, document.fonts.ready, ...images.filter(Boolean)]).then(() => done({
  mathjax_loaded: !!(window.MathJax && window.MathJax.startup),
  math: document.querySelectorAll('.math').length,
  math_typeset: Array.from(document.querySelectorAll('.math')).filter(
      el => el.querySelector('mjx-container') || el.tagName.toLowerCase() === 'mjx-container').length,
  math_errors: document.querySelectorAll('mjx-merror').length,
  images: Array.from(document.images).map(img => ({
      src: img.getAttribute('src'), alt: img.getAttribute('alt'),
      complete: img.complete, width: img.naturalWidth})),
  text: (() => {  // the page's text without code, scripts and typeset math
    const body = document.body.cloneNode(true);
    body.querySelectorAll('pre, code, script, style, noscript, mjx-container, .highlight')
        .forEach(el => el.remove());
    return body.textContent;
  })(),
})).catch(error => done({error: String(error)}));
"""

# What does not fit the page: every visible `pre` (code and output blocks; not one inside a closed
# fold, a `details` element that Chromium lays out but does not show) that scrolls sideways, with
# its longest line, and every run of more than three `...: True`/`False` lines a reader sees.
PAGE_FIT_JS = """
const wide = [], runs = [];
const claim = /:\\s*(?:True|False)\\s*$/;
const shown = pre => (pre.checkVisibility
  ? pre.checkVisibility({checkVisibilityCSS: true, checkOpacity: true}) : !!pre.offsetParent)
  && !pre.closest('details:not([open])') && pre.clientWidth > 0;
for (const pre of document.querySelectorAll('pre')) {
  if (!shown(pre)) continue;
  const lines = pre.textContent.split('\\n');
  if (pre.scrollWidth > pre.clientWidth + 1) {
    const longest = lines.reduce((a, b) => (b.length > a.length ? b : a), '');
    wide.push({scroll: pre.scrollWidth, client: pre.clientWidth, chars: longest.length,
               line: longest.slice(0, 60)});
  }
  let run = 0;
  for (const line of lines) {
    run = claim.test(line) ? run + 1 : 0;
    if (run === 4) runs.push(line.slice(0, 60));
  }
}
return {wide: wide, runs: runs, visible: Array.from(document.querySelectorAll('pre')).filter(shown).length};
"""


def find_chromium() -> tuple[str, str] | None:
    """Return (browser, chromedriver) paths, or None when either cannot be found."""
    browser = os.environ.get("W2V_TEACH_CHROMIUM") or next(
        (p for p in map(shutil.which, BROWSER_NAMES) if p), None)
    driver = os.environ.get("W2V_TEACH_CHROMEDRIVER") or next(
        (p for p in map(shutil.which, DRIVER_NAMES) if p), None)
    if not browser or not driver or not Path(browser).exists() or not Path(driver).exists():
        return None
    return browser, driver


def missing_message() -> str:
    """Return why no Chromium can be used here (the skip message of the browser tests)."""
    return ("headless Chromium and its chromedriver were not found (looked for "
            f"{', '.join(BROWSER_NAMES)} and {', '.join(DRIVER_NAMES)} on PATH, or "
            f"W2V_TEACH_CHROMIUM and W2V_TEACH_CHROMEDRIVER); {INSTALL_HINT}")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serve files without logging every request to stderr."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve `folder` on 127.0.0.1 (a free port) while the block runs; yield its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextmanager
def chromium(script_timeout: float = 60.0) -> Iterator[Any]:
    """Start headless Chromium with a fresh profile; yield the Selenium WebDriver, quit it after."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    found = find_chromium()
    if found is None:
        raise RuntimeError(missing_message())
    browser, driver_path = found
    with tempfile.TemporaryDirectory(prefix="w2v-chromium-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = browser
        for flag in FLAGS + (f"--user-data-dir={profile}",):
            options.add_argument(flag)
        # Console messages and every network request, read back with driver.get_log(...).
        options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
        try:
            driver.set_script_timeout(script_timeout)
            driver.set_page_load_timeout(script_timeout)
            yield driver
        finally:
            driver.quit()


def settle(driver: Any) -> dict[str, Any]:
    """Wait until the current page has typeset its math and loaded its images; return what it shows."""
    return driver.execute_async_script(SETTLE_JS)


def page_fit(driver: Any) -> dict[str, Any]:
    """Return the visible blocks of the current page that scroll sideways, and its runs of claims."""
    return driver.execute_script(PAGE_FIT_JS)
