"""Text to train on and the standard sets to evaluate with.

- :func:`toy_corpus`: a few dozen hand-written sentences for the first chapters.
- :func:`world_corpus` (from :mod:`w2v_teach.world`): a synthetic, English-like corpus of any
  length with *planted* relations (countries and capitals, male and female words, verb tenses,
  plurals, comparatives) and the analogy questions that test them.
- :func:`wiki_sample`: about half a million tokens of real Wikipedia text (the sample that ships
  with gensim), cleaned, tokenized and cached on disk.
- :func:`google_analogies`, :func:`wordsim353`, :func:`simlex999`: paths to the evaluation files
  that ship with gensim (parse them with :mod:`w2v_teach.evaluate`).
- :func:`download_text8`: the classic 100 MB text8 corpus, for readers with internet access.
"""
from __future__ import annotations

import bz2
import hashlib
import importlib.util
import os
import re
import urllib.error
import urllib.request
import zipfile
from pathlib import Path


from ._files import atomic_output, atomic_write, sha256_file
from .text import tokenize
from .world import WorldCorpus, world_corpus  # noqa: F401  (the planted corpus lives in its own module)

# ---------------------------------------------------------------------------------------------
# A toy corpus
# ---------------------------------------------------------------------------------------------

_TOY = """\
the dog chased the cat
the cat chased the dog
the dog chased the ball
the cat chased the mouse
the mouse ate the cheese
the dog ate the bone
the cat drank the milk
a dog is an animal
a cat is an animal
a mouse is a small animal
the king ruled the kingdom
the queen ruled the kingdom
the king wore a golden crown
the queen wore a golden crown
the prince is the son of the king
the princess is the daughter of the queen
the man walked to the city
the woman walked to the city
the man is a father
the woman is a mother
paris is the capital of france
rome is the capital of italy
berlin is the capital of germany
madrid is the capital of spain
people in paris speak french
people in rome speak italian
people in berlin speak german
people in madrid speak spanish
the boy runs in the park
the girl runs in the park
the children play in the garden
the dog sleeps in the garden
the cat sleeps on the bed
we walk to school every day
they walked to school yesterday
she is walking to school now
the big dog barked at the small cat
the small cat ran from the big dog
a bird sang in the tree
birds fly over the city
"""


def toy_corpus() -> list[str]:
    """Return a few dozen short hand-written sentences (one string each, lowercase)."""
    return _TOY.strip().split("\n")


# ---------------------------------------------------------------------------------------------
# The cache folder
# ---------------------------------------------------------------------------------------------

def cache_folder(cache_dir=None) -> Path:
    """Return the cache folder: `cache_dir`, else $W2V_TEACH_CACHE, else ~/.cache/w2v_teach."""
    if cache_dir is None:
        cache_dir = os.environ.get("W2V_TEACH_CACHE") or Path.home() / ".cache" / "w2v_teach"
    path = Path(cache_dir).expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


# ---------------------------------------------------------------------------------------------
# Evaluation sets and the Wikipedia sample that ship with gensim
# ---------------------------------------------------------------------------------------------

WIKI_FILE = "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"
WIKI_SAMPLE_VERSION = "v1"  # change it when the cleaning changes: old caches are then ignored


def _gensim_data(name: str) -> Path:
    """Return the path of `name` in gensim's test data, without importing gensim."""
    spec = importlib.util.find_spec("gensim")
    if spec is None or spec.origin is None:
        raise FileNotFoundError(f"{name} ships with gensim, which is not installed: pip install gensim")
    path = Path(spec.origin).parent / "test" / "test_data" / name
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist; it ships with gensim: pip install gensim")
    return path


def google_analogies() -> Path:
    """Return the path of the Google analogy questions (questions-words.txt, from gensim)."""
    return _gensim_data("questions-words.txt")


def wordsim353() -> Path:
    """Return the path of the WordSim-353 similarity pairs (wordsim353.tsv, from gensim)."""
    return _gensim_data("wordsim353.tsv")


def simlex999() -> Path:
    """Return the path of the SimLex-999 similarity pairs (simlex999.txt, from gensim)."""
    return _gensim_data("simlex999.txt")


# The tables that the benchmark scripts write and the chapters plot (multi-seed runs too long for a
# notebook). They ship inside the package, so that a chapter opened on Colab, where only the
# installed package is present, finds them as a clone does.
RESULTS = Path(__file__).resolve().parent / "results"


def results_table(name: str) -> Path:
    """Return the path of the committed benchmark table `name` (e.g. "hs_quality.csv").

    The scripts under benchmarks/ write these tables; benchmarks/README.md gives each command.
    """
    if not isinstance(name, str) or not name or Path(name).name != name:
        raise ValueError(f"name must be a table's file name such as 'hs_quality.csv', got {name!r}")
    path = RESULTS / name
    if not path.is_file():
        known = sorted(p.name for p in RESULTS.glob("*.csv")) if RESULTS.is_dir() else []
        raise FileNotFoundError(f"{path} does not exist; the committed tables are: {', '.join(known) or 'none'}"
                                " (benchmarks/README.md says which script writes each)")
    return path


_IMAGE_NAME = re.compile(r"\S+\.(?:jpe?g|png|svg|gif|tiff?|ogg)\b", re.IGNORECASE)
_MIN_ARTICLE_TOKENS = 50


def _wiki_articles():
    """Yield the token lists of the articles in gensim's Wikipedia sample (markup removed)."""
    from gensim.corpora.wikicorpus import extract_pages, filter_wiki  # a library's markup cleaner

    with bz2.open(_gensim_data(WIKI_FILE), "rb") as f:
        for title, text, _ in extract_pages(f):
            if ":" in title or text.lstrip().lower().startswith("#redirect"):
                continue  # namespaces (Template:, Category:...) and redirects are not articles
            tokens = tokenize(_IMAGE_NAME.sub(" ", filter_wiki(text)))
            if len(tokens) >= _MIN_ARTICLE_TOKENS:
                yield tokens


def _wiki_text(cache_dir=None) -> str:
    """Return the cached text of the Wikipedia sample, one article a line (built on first use)."""
    path = cache_folder(cache_dir) / f"wiki_sample-{WIKI_SAMPLE_VERSION}.txt"
    if path.is_file():
        return path.read_text(encoding="utf-8")
    text = "\n".join(" ".join(tokens) for tokens in _wiki_articles()) + "\n"
    atomic_write(path, text)
    return text


def wiki_sample(cache_dir=None) -> list[str]:
    """Return about 0.48M tokens of real Wikipedia text as one flat token list.

    The articles come from the small English Wikipedia dump that ships with gensim; templates,
    references, tables, links and HTML are stripped with gensim's ``filter_wiki`` and the text
    is tokenized with :func:`w2v_teach.text.tokenize`. The first call takes several seconds and
    caches the tokens (one article per line) in `cache_dir` (default: $W2V_TEACH_CACHE or
    ~/.cache/w2v_teach); later calls read the cache. :func:`wiki_articles` keeps the articles apart.
    """
    return _wiki_text(cache_dir).split()


def wiki_articles(cache_dir=None) -> list[list[str]]:
    """Return the articles of the Wikipedia sample, each a token list (the tokens of :func:`wiki_sample`)."""
    return [line.split() for line in _wiki_text(cache_dir).splitlines() if line.strip()]


# ---------------------------------------------------------------------------------------------
# text8
# ---------------------------------------------------------------------------------------------

TEXT8_URL = "http://mattmahoney.net/dc/text8.zip"
# SHA-256 of text8.zip (31,344,016 bytes) and of the extracted text8 (100,000,000 bytes), as
# published by independent projects that pin them; not verified here (no internet while writing).
TEXT8_ZIP_SHA256 = "a6640522afe85d1963ad56c05b0ede0a0c000dddc9671758a6cc09b7a38e5232"
TEXT8_SHA256 = "6e890197040d37d85beb962ae1f041ff1d9a9ca8d20c7d99c85027eebf51dca7"
_HEX64 = re.compile(r"[0-9a-f]{64}")


def _check_digest(name: str, value) -> str:
    """Return `value` as a lowercase 64-digit hex string, or raise ValueError naming `name`."""
    if not isinstance(value, str) or not _HEX64.fullmatch(value.lower()):
        raise ValueError(f"{name} must be a SHA-256 digest (64 hex digits), got {value!r}; "
                         "checksum verification cannot be switched off")
    return value.lower()


def _download(url: str, target: Path, sha256: str, timeout: float) -> None:
    """Stream `url` into `target` atomically, checking its SHA-256 on the way."""
    h = hashlib.sha256()
    with atomic_output(target) as out:
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                while block := response.read(1 << 20):
                    h.update(block)
                    out.write(block)
        except (urllib.error.URLError, OSError) as err:
            reason = getattr(err, "reason", err)
            raise ConnectionError(
                f"could not download {url} ({reason}). If you are offline, download it by hand "
                f"and place it at {target}; download_text8 will check its SHA-256 and use it."
            ) from err
        if h.hexdigest() != sha256:
            raise ValueError(f"checksum mismatch for {url}: expected SHA-256 {sha256}, got "
                             f"{h.hexdigest()}; the download was discarded")


def _extract(zip_path: Path, member: str, target: Path, sha256: str) -> None:
    """Extract `member` of `zip_path` to `target` atomically, checking its SHA-256."""
    with zipfile.ZipFile(zip_path) as zf:
        if member not in zf.namelist():
            raise ValueError(f"{zip_path} has no member {member!r} (it has {zf.namelist()[:5]})")
        h = hashlib.sha256()
        with atomic_output(target) as out, zf.open(member) as src:
            while block := src.read(1 << 20):
                h.update(block)
                out.write(block)
            if h.hexdigest() != sha256:
                raise ValueError(f"checksum mismatch for {member} in {zip_path}: expected SHA-256 "
                                 f"{sha256}, got {h.hexdigest()}")


def download_text8(cache_dir, url: str = TEXT8_URL, sha256: str = TEXT8_ZIP_SHA256,
                   timeout: float = 30, text_sha256: str = TEXT8_SHA256) -> Path:
    """Download text8.zip into `cache_dir`, verify it, extract `text8` and return its path.

    Nothing is downloaded when a verified ``text8`` (or ``text8.zip``) is already there. The
    zip is streamed to a temporary file while its SHA-256 is computed, and renamed into place
    only if the digest equals `sha256`; the extracted file is checked against `text_sha256`.
    Raises ConnectionError (naming the URL and where to put a hand-downloaded copy) when the
    download fails, and ValueError naming both digests when a checksum does not match.
    """
    sha256 = _check_digest("sha256", sha256)
    text_sha256 = _check_digest("text_sha256", text_sha256)
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or not timeout > 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    folder = cache_folder(cache_dir)
    zip_path, text_path = folder / "text8.zip", folder / "text8"
    if text_path.is_file() and sha256_file(text_path) == text_sha256:
        return text_path
    if zip_path.is_file():
        actual = sha256_file(zip_path)
        if actual != sha256:
            raise ValueError(f"{zip_path} has SHA-256 {actual}, expected {sha256}: it is not the "
                             f"file from {url}; delete it and call download_text8 again")
    else:
        _download(url, zip_path, sha256, timeout)
    _extract(zip_path, "text8", text_path, text_sha256)
    return text_path
