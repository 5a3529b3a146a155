"""Print the whole book to one PDF, offline: the single-page HTML build, printed by headless Chromium.

    python tools/build_pdf.py                     # -> book/_build/pdf/w2v-teach.pdf
    python tools/build_pdf.py --edition students  # -> book/_build/pdf/w2v-teach-students.pdf

Steps: build the edition with Jupyter Book's `singlehtml` builder (warnings are errors), serve it
from 127.0.0.1, open it in headless Chromium (tools/browser.py: no host but this machine is
reachable), wait until MathJax has typeset every formula and every figure has loaded (the script
stops with an error otherwise), then lay the page out for paper and print it through the DevTools
protocol (Page.printToPDF) with page numbers and A4 pages: once to find the page of every section,
then again with those page numbers in the table of contents. pypdf then adds the PDF's outline:
a bookmark for every part of the book and every section of each part.

The print layout is added only to the page that is printed, not to the book: a title page, a
table of contents (linked, with page numbers; the PDF's outline has the same entries), each part of the book on a
new page, the solutions unfolded (full edition), the hidden code cells left out as in the book,
and none of the web page's navigation.
"""
from __future__ import annotations

import argparse
import base64
import datetime
import io
import sys
import time
from pathlib import Path

import yaml
from pypdf import PdfReader, PdfWriter

import browser
import editions

OUTPUT = editions.BOOK / "_build" / "pdf"

# Lays the single page out for print: runs in the page after MathJax has finished.
LAYOUT_JS = r"""
const [title, subtitle, author, edition, date, repository] = arguments;
const style = document.createElement('style');
style.textContent = `
  @page { size: A4; margin: 16mm 15mm 18mm 15mm; }
  html, body { background: white !important; }
  .bd-header, .bd-header-article, .bd-sidebar-primary, .bd-sidebar-secondary, .bd-footer,
  .bd-footer-article, .bd-footer-content, .prev-next-area, .header-article-items, .skip-link,
  #pst-back-to-top, .headerlink, .copybtn, .toggle-button, .sd-btn, .search-button-field,
  details.hide.above-input, div.cell.tag_hide-cell,
  #pst-primary-sidebar-checkbox, #pst-secondary-sidebar-checkbox,
  .pst-async-banner-revealer, .bd-search, .theme-switch-button, label.overlay,
  #jb-print-docs-body, .onlyprint { display: none !important; }
  .bd-main .bd-content .bd-article h1:first-of-type { display: block !important; }
  .bd-container, .bd-container__inner, .bd-page-width, .bd-main, .bd-content,
  .bd-article-container, .bd-article { max-width: none !important; width: auto !important;
    margin: 0 !important; padding: 0 !important; display: block !important; }
  .w2v-title-page { break-after: page; text-align: center; padding-top: 28vh; }
  .w2v-title-page h1 { font-size: 2.6em; margin-bottom: 0.3em; }
  .w2v-title-page .subtitle { font-size: 1.6em; margin-bottom: 2.5em; }
  .w2v-title-page p { margin: 0.4em 0; }
  .w2v-contents { break-after: page; }
  .w2v-contents ol { list-style: none; padding-left: 0; }
  .w2v-contents li { margin: 0.35em 0; }
  .w2v-contents li li { margin: 0.15em 0 0.15em 1.5em; font-size: 0.95em; }
  .w2v-contents .w2v-page { float: right; min-width: 2.5em; text-align: right; }
  .w2v-part { break-before: page; }
  .cell_output img, figure img, img { max-width: 100% !important; break-inside: avoid; }
  div.cell, .cell_input, .cell_output, .admonition, figure, pre, mjx-container[display="true"] {
    break-inside: avoid; }
  pre { white-space: pre-wrap !important; overflow-wrap: anywhere; overflow: visible !important; }
  h1, h2, h3, h4 { break-after: avoid; }
  .toggle-hidden, .toggle-hidden > * { display: block !important; visibility: visible !important;
    opacity: 1 !important; height: auto !important; }
`;
document.head.appendChild(style);
// Solutions and other folded blocks are unfolded on paper; folded cells (the checked claims, a few
// timings: tag hide-cell) stay folded, which on paper means left out (div.cell.tag_hide-cell above).
document.querySelectorAll('.toggle-hidden').forEach(el => el.classList.remove('toggle-hidden'));
document.querySelectorAll('details:not(.hide)').forEach(el => el.open = true);
// Each part of the book (the documents of the table of contents) starts on a new page.
const article = document.querySelector('article.bd-article') || document.querySelector('main') || document.body;
const parts = Array.from(document.querySelectorAll('span[id^="document-"]')).map(span => {
  let section = span.nextElementSibling;
  while (section && section.tagName.toLowerCase() !== 'section') section = section.nextElementSibling;
  return section;
}).filter(Boolean);
parts.forEach(section => section.classList.add('w2v-part'));
// The table of contents: the introduction, then every part, each with its sections.
const heading = section => section.querySelector(':scope > h1, :scope > h2, :scope > h3');
const label = section => heading(section).textContent.replace(/[#¶]/g, '').trim();
const entry = (section, children) => {
  const li = document.createElement('li');
  const a = document.createElement('a');
  a.href = '#' + section.id;
  a.textContent = label(section);
  const page = document.createElement('span');  // its page number, filled in after a first print
  page.className = 'w2v-page';
  page.dataset.target = section.id;
  page.textContent = '000';
  li.appendChild(page);
  li.appendChild(a);
  if (children.length) {
    const ol = document.createElement('ol');
    children.forEach(child => ol.appendChild(entry(child, [])));
    li.appendChild(ol);
  }
  return li;
};
const contents = document.createElement('nav');
contents.className = 'w2v-contents';
contents.innerHTML = '<h1>Contents</h1>';
const list = document.createElement('ol');
const root = article.querySelector('section');
const sections = part => Array.from(part.querySelectorAll(':scope > section'))
  .filter(s => heading(s) && !s.closest('.admonition'));
[root].concat(parts).forEach(section => list.appendChild(entry(section, sections(section))));
contents.appendChild(list);
const titlePage = document.createElement('div');
titlePage.className = 'w2v-title-page';
titlePage.innerHTML = '<h1></h1><p class="subtitle"></p><p class="author"></p><p class="edition"></p><p class="repository"></p>';
titlePage.querySelector('h1').textContent = title;
titlePage.querySelector('.subtitle').textContent = subtitle;
titlePage.querySelector('.author').textContent = author;
titlePage.querySelector('.edition').textContent = edition + ', printed ' + date;
titlePage.querySelector('.repository').textContent = repository;
article.prepend(contents);
article.prepend(titlePage);
const outline = [root].concat(parts).map(section => ({id: section.id, title: label(section),
  children: sections(section).map(s => ({id: s.id, title: label(s)}))}));
return {parts: parts.map(label), contents: list.querySelectorAll(':scope > li').length, outline: outline};
"""

# Writes the page numbers found by a first print into the table of contents (same width as '000').
PAGE_NUMBERS_JS = r"""
const pages = arguments[0];
document.querySelectorAll('.w2v-contents .w2v-page').forEach(span => {
  span.textContent = pages[span.dataset.target] ? String(pages[span.dataset.target]) : '';
});
"""

FOOTER = ('<div style="font-size: 8px; width: 100%; text-align: center; color: #555;">'
          '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')


def print_page(driver) -> bytes:
    """Print the open page to PDF bytes (A4 from the page's CSS, page numbers in the footer)."""
    result = driver.execute_cdp_cmd("Page.printToPDF", {
        "printBackground": True, "preferCSSPageSize": True, "displayHeaderFooter": True,
        "headerTemplate": "<span></span>", "footerTemplate": FOOTER, "generateTaggedPDF": True,
    })
    return base64.b64decode(result["data"])


def destination_pages(pdf: bytes) -> dict[str, int]:
    """Return {anchor id: page number from 1} for the named destinations of a printed PDF."""
    reader = PdfReader(io.BytesIO(pdf))
    return {str(name).lstrip("/"): reader.get_destination_page_number(dest) + 1
            for name, dest in reader.named_destinations.items()}


def with_outline(pdf: bytes, outline: list[dict], pages: dict[str, int]) -> bytes:
    """Return the PDF with a bookmark for every part of the book and every section of a part."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    for entry in outline:
        parent = writer.add_outline_item(title=entry["title"], page_number=pages[entry["id"]] - 1)
        for child in entry["children"]:
            if child["id"] in pages:
                writer.add_outline_item(title=child["title"], page_number=pages[child["id"]] - 1, parent=parent)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def title_parts(edition: str) -> tuple[str, str]:
    """Return (title, subtitle) from the book's configuration: 'w2v-teach', 'word2vec from ...'."""
    title = editions.students_config()["title"] if edition == "students" else \
        yaml.safe_load(editions.CONFIG.read_text(encoding="utf-8"))["title"]
    main, _, subtitle = title.partition(": ")
    return main, subtitle


def print_pdf(singlehtml: Path, pdf: Path, edition: str = "full") -> dict:
    """Print a single-page HTML build to `pdf` with headless Chromium; return what was printed."""
    config = yaml.safe_load(editions.CONFIG.read_text(encoding="utf-8"))
    title, subtitle = title_parts(edition)
    page = next(p for p in sorted(singlehtml.glob("*.html")) if p.name != "index.html")
    with browser.serve(singlehtml) as base, browser.chromium(script_timeout=120) as driver:
        driver.get(base + page.name)
        shown = browser.settle(driver)
        if "error" in shown:
            raise RuntimeError(f"the page did not settle: {shown['error']}")
        problems = []
        if shown["math"] and (not shown["mathjax_loaded"] or shown["math_typeset"] != shown["math"]):
            problems.append(f"MathJax typeset {shown['math_typeset']} of {shown['math']} formulas")
        if shown["math_errors"]:
            problems.append(f"{shown['math_errors']} MathJax errors")
        broken = [i["src"] for i in shown["images"] if not i["complete"] or i["width"] == 0]
        if broken:
            problems.append(f"images that did not load: {broken}")
        if problems:
            raise RuntimeError("not printing a page that a reader would see broken: " + "; ".join(problems))
        edition_name = "Full edition" if edition == "full" else "Students' edition (without solutions)"
        laid_out = driver.execute_script(LAYOUT_JS, title, subtitle, config["author"], edition_name,
                                         datetime.date.today().isoformat(), config["repository"]["url"])
        browser.settle(driver)  # the layout may load nothing new, but let fonts and images settle
        # Print once to learn the page of every section, write the numbers into the contents (in
        # space the layout reserved for them), print again, and check that nothing moved.
        pages = destination_pages(print_page(driver))
        driver.execute_script(PAGE_NUMBERS_JS, pages)
        printed = print_page(driver)
    if destination_pages(printed) != pages:
        raise RuntimeError("the page numbers of the contents moved between the two prints")
    missing = [e["title"] for e in laid_out["outline"] if e["id"] not in pages]
    if missing:
        raise RuntimeError(f"no page found for {missing}")
    pdf.parent.mkdir(parents=True, exist_ok=True)
    partial = pdf.with_name(pdf.name + ".part")
    partial.write_bytes(with_outline(printed, laid_out["outline"], pages))
    partial.replace(pdf)  # never leave a half-written PDF under the final name
    return {"formulas": shown["math"], "images": len(shown["images"]), **laid_out}


def build(edition: str = "full", output: Path = OUTPUT) -> tuple[Path, dict]:
    """Build the edition's single page and print it into `output`; return the PDF and its summary."""
    if browser.find_chromium() is None:
        raise RuntimeError(browser.missing_message())
    path_output = output / f"{edition}-singlehtml"
    result = editions.build(edition, path_output, builder="singlehtml")
    if not result.ok:
        raise RuntimeError(f"the single-page build failed (exit {result.returncode}):\n{result.log[-4000:]}")
    name = "w2v-teach.pdf" if edition == "full" else "w2v-teach-students.pdf"
    summary = print_pdf(result.output, output / name, edition)
    return output / name, summary


def main(argv: list[str] | None = None) -> int:
    """Build the PDF named on the command line; print where it is."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edition", choices=editions.EDITIONS, default="full")
    parser.add_argument("--output", type=Path, default=OUTPUT, help=f"folder for the PDF (default {OUTPUT})")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        pdf, summary = build(args.edition, args.output.resolve())
    except RuntimeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"{pdf} ({pdf.stat().st_size / 1e6:.1f} MB): {len(summary['parts'])} parts after the introduction, "
          f"{summary['formulas']} formulas, {summary['images']} images, {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
