"""Tests of datasets: the toy and world corpora, the wiki sample and its cache, eval-set paths, text8."""
from __future__ import annotations

import functools
import hashlib
import http.server
import io
import os
import socket
import subprocess
import sys
import threading
import tomllib
import zipfile
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from w2v_teach import datasets
from w2v_teach.datasets import WorldCorpus, download_text8, toy_corpus, wiki_sample, world_corpus
from w2v_teach.text import Vocab, tokenize

CLASSIC = [("male-female", "man", "king", "woman", "queen"),
           ("country-capital", "france", "paris", "italy", "rome"),
           ("present-participle", "walked", "walking", "swam", "swimming")]
FUNCTION_WORDS = {"the", "a", "an", "of", "and", "in", "to", "is", "was", "it", "for", "that", "on",
                  "he", "she", "we", "they", "you", "i", "as", "with", "at", "by", "are", "were"}


@pytest.fixture(scope="module")
def corpus_300k() -> WorldCorpus:
    """Return the corpus chapter 2 trains on."""
    return world_corpus(300_000, seed=0)


# --- toy corpus -------------------------------------------------------------------------------

def test_toy_corpus_is_a_few_dozen_tokenized_sentences():
    sentences = toy_corpus()
    assert 24 <= len(sentences) <= 100
    assert "the dog chased the cat" in sentences and "the cat chased the dog" in sentences
    for s in sentences:
        assert isinstance(s, str) and " ".join(tokenize(s)) == s  # already clean and lowercase
    assert toy_corpus() == sentences and toy_corpus() is not sentences


# --- world corpus: shape, determinism, errors -------------------------------------------------

@pytest.mark.parametrize("n", [1, 2, 7, 1000, 12_345])
def test_world_corpus_has_exactly_n_tokens(n):
    tokens = world_corpus(n, seed=3).tokens
    assert len(tokens) == n
    assert all(isinstance(t, str) and t and " " not in t for t in tokens)


def test_world_corpus_is_deterministic_for_a_seed():
    a, b, c = world_corpus(20_000, seed=5), world_corpus(20_000, seed=5), world_corpus(20_000, seed=6)
    assert a.tokens == b.tokens
    assert a.tokens != c.tokens
    assert a.questions == c.questions  # the questions do not depend on the seed
    # A shorter corpus is a prefix of a longer one with the same seed.
    assert world_corpus(5_000, seed=5).tokens == a.tokens[:5_000]


def test_world_corpus_does_not_depend_on_string_hashing():
    """Two interpreters with different hash seeds produce the same tokens (no set-order effects)."""
    code = ("import hashlib; from w2v_teach.datasets import world_corpus; "
            "print(hashlib.sha256(' '.join(world_corpus(30000, 2).tokens).encode()).hexdigest())")
    digests = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                             check=True, timeout=120)
        digests.add(out.stdout.strip())
    here = hashlib.sha256(" ".join(world_corpus(30_000, 2).tokens).encode()).hexdigest()
    assert digests == {here}


@pytest.mark.parametrize("bad", [0, -5, 1.5, "10", None, True, np.float64(3.0)])
def test_world_corpus_rejects_bad_n_tokens(bad):
    with pytest.raises(ValueError, match="n_tokens"):
        world_corpus(bad)


@pytest.mark.parametrize("bad", [-1, 0.5, "0"])
def test_world_corpus_rejects_bad_seed(bad):
    with pytest.raises(ValueError, match="seed"):
        world_corpus(10, seed=bad)


def test_world_corpus_accepts_numpy_integers():
    assert world_corpus(np.int64(50), seed=np.int32(1)).tokens == world_corpus(50, seed=1).tokens


# --- world corpus: questions ------------------------------------------------------------------

def test_questions_are_well_formed(corpus_300k):
    wc = corpus_300k
    assert wc.sections and len(set(wc.sections)) == len(wc.sections)
    per_section = Counter(q[0] for q in wc.questions)
    assert set(per_section) == set(wc.sections)
    assert min(per_section.values()) >= 50
    assert len(set(wc.questions)) == len(wc.questions)
    present = set(wc.tokens)
    for q in wc.questions:
        assert len(q) == 5 and all(isinstance(x, str) for x in q)
        assert len(set(q[1:])) == 4, q  # four different words
        assert set(q[1:]) <= present, q
    for classic in CLASSIC:
        assert classic in wc.questions
    # At least the families the book promises.
    for name in ("country-capital", "male-female", "past-tense", "present-participle", "plural",
                 "comparative"):
        assert name in wc.sections
    assert {"country-language", "country-currency"} & set(wc.sections)
    assert len({q[1] for q in wc.questions if q[0] == "country-capital"}) >= 12


def test_questions_are_consistent_within_a_section(corpus_300k):
    """Within a section, a : b and c : d are both instances of the same word pairs."""
    for section in corpus_300k.sections:
        qs = [q[1:] for q in corpus_300k.questions if q[0] == section]
        if section == "male-female":  # written as man king woman queen: (a, c) and (b, d) are pairs
            pairs = {(a, c) for a, b, c, d in qs} | {(b, d) for a, b, c, d in qs}
        else:
            pairs = {(a, b) for a, b, c, d in qs} | {(c, d) for a, b, c, d in qs}
        firsts = [p[0] for p in pairs]
        assert len(set(firsts)) == len(firsts), section  # each word has one partner
        assert len(qs) == len(pairs) * (len(pairs) - 1), section  # all ordered pairs of pairs


def test_pairs_lists_the_word_pairs_of_a_section(corpus_300k):
    capitals = corpus_300k.pairs("country-capital")
    assert ("france", "paris") in capitals and ("italy", "rome") in capitals and len(capitals) >= 12
    gender = corpus_300k.pairs("male-female")
    assert ("man", "woman") in gender and ("king", "queen") in gender
    assert ("walked", "walking") in corpus_300k.pairs("present-participle")
    for section in corpus_300k.sections:
        pairs = corpus_300k.pairs(section)
        assert len(pairs) * (len(pairs) - 1) == sum(q[0] == section for q in corpus_300k.questions)
    with pytest.raises(KeyError, match="capitals"):
        corpus_300k.pairs("capitals")


def test_question_words_are_among_the_800_most_frequent(corpus_300k):
    vocab = Vocab.build(corpus_300k.tokens, max_size=800)
    missing = sorted({w for q in corpus_300k.questions for w in q[1:]} - set(vocab.words))
    assert not missing


def test_write_questions_writes_the_google_format(tmp_path, corpus_300k):
    with pytest.raises(FileNotFoundError, match="the folder .*sub does not exist"):
        corpus_300k.write_questions(tmp_path / "sub" / "questions.txt")
    path = corpus_300k.write_questions(tmp_path / "questions.txt")
    assert path == tmp_path / "questions.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [ln[2:] for ln in lines if ln.startswith(": ")] == corpus_300k.sections
    read, section = [], None
    for ln in lines:
        if ln.startswith(": "):
            section = ln[2:]
        else:
            a, b, c, d = ln.split(" ")
            read.append((section, a, b, c, d))
    assert read == corpus_300k.questions
    assert "man king woman queen" in lines
    assert sorted(p.name for p in path.parent.iterdir()) == ["questions.txt"]  # no temp file left


def test_write_questions_is_read_by_evaluate_and_gensim(tmp_path, corpus_300k):
    from w2v_teach.evaluate import load_analogies

    path = corpus_300k.write_questions(tmp_path / "q.txt")
    loaded = load_analogies(path)
    assert [tuple(q) for q in loaded] == corpus_300k.questions
    # gensim parses the same file into the same sections and question counts
    gensim_models = pytest.importorskip("gensim.models")
    words = sorted({w for q in corpus_300k.questions for w in q[1:]})
    kv = gensim_models.KeyedVectors(2)
    kv.add_vectors(words, np.random.default_rng(0).normal(size=(len(words), 2)).astype(np.float32))
    _, sections = kv.evaluate_word_analogies(str(path), restrict_vocab=len(words))
    counted = {s["section"]: len(s["correct"]) + len(s["incorrect"]) for s in sections[:-1]}
    assert counted == {name: sum(q[0] == name for q in corpus_300k.questions) for name in corpus_300k.sections}


# --- world corpus: frequency profile ----------------------------------------------------------

def test_world_corpus_frequency_profile_looks_like_text(corpus_300k):
    counts = Counter(corpus_300k.tokens)
    ranked = sorted(counts.values(), reverse=True)
    top = [w for w, _ in counts.most_common(8)]
    assert top[0] == "the"
    assert set(top) <= FUNCTION_WORDS
    assert 2_000 <= len(counts) <= 6_000
    # A long tail: many words are rare (hapax-like), as in real text.
    assert sum(c <= 10 for c in ranked) >= 500
    # Zipf: log-frequency falls roughly linearly in log-rank, slope near -1, over ranks 10..2000.
    r = np.arange(10, 2000)
    slope = np.polyfit(np.log(r + 1), np.log(np.array(ranked[10:2000], dtype=float)), 1)[0]
    assert -2.0 < slope < -0.7


def test_world_corpus_relations_are_planted_in_shared_contexts(corpus_300k):
    """A capital appears near its own country's words far more often than near another's."""
    tokens = corpus_300k.tokens
    near = Counter()
    for i, t in enumerate(tokens):
        if t in ("paris", "rome"):
            for u in tokens[max(0, i - 5):i + 6]:
                near[t, u] += 1
    assert near["paris", "france"] > 5 * near["paris", "italy"]
    assert near["rome", "italy"] > 5 * near["rome", "france"]


# --- wiki sample ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def wiki_cache(tmp_path_factory) -> Path:
    """Return a cache folder in which wiki_sample has been built once."""
    folder = tmp_path_factory.mktemp("cache")
    wiki_sample(cache_dir=folder)
    return folder


def test_wiki_sample_is_half_a_million_clean_tokens(wiki_cache):
    tokens = wiki_sample(cache_dir=wiki_cache)
    assert 450_000 <= len(tokens) <= 770_000
    counts = Counter(tokens)
    assert [w for w, _ in counts.most_common(3)] == ["the", "of", "and"]
    assert tokens == tokenize(" ".join(tokens))  # already tokenized
    for markup in ("jpg", "png", "px", "nbsp", "ref", "thumb", "http", "www"):
        assert counts[markup] <= 20, markup


def test_wiki_sample_cache_is_one_article_per_line_and_read_back(wiki_cache):
    files = sorted(p.name for p in wiki_cache.iterdir())
    assert files == [f"wiki_sample-{datasets.WIKI_SAMPLE_VERSION}.txt"]  # no temp file left
    lines = (wiki_cache / files[0]).read_text(encoding="utf-8").splitlines()
    assert len(lines) >= 80 and all(len(ln.split()) >= 50 for ln in lines)
    assert [t for ln in lines for t in ln.split()] == wiki_sample(cache_dir=wiki_cache)


def test_wiki_sample_reads_the_cache_instead_of_rebuilding(tmp_path, monkeypatch):
    name = f"wiki_sample-{datasets.WIKI_SAMPLE_VERSION}.txt"
    (tmp_path / name).write_text("cached tokens here\nsecond article\n", encoding="utf-8")
    assert wiki_sample(cache_dir=tmp_path) == ["cached", "tokens", "here", "second", "article"]
    monkeypatch.setenv("W2V_TEACH_CACHE", str(tmp_path))
    assert wiki_sample() == ["cached", "tokens", "here", "second", "article"]
    # A cache written by another version of the cleaning is ignored (not read).
    monkeypatch.setattr(datasets, "WIKI_SAMPLE_VERSION", "v-other")
    monkeypatch.setattr(datasets, "_wiki_articles", lambda: iter([["fresh", "article"]]))
    assert wiki_sample() == ["fresh", "article"]
    assert (tmp_path / "wiki_sample-v-other.txt").read_text(encoding="utf-8") == "fresh article\n"


def test_cache_folder_default_and_env(tmp_path, monkeypatch):
    monkeypatch.setenv("W2V_TEACH_CACHE", str(tmp_path / "env"))
    assert datasets.cache_folder() == tmp_path / "env" and (tmp_path / "env").is_dir()
    assert datasets.cache_folder(tmp_path / "arg") == tmp_path / "arg"
    monkeypatch.delenv("W2V_TEACH_CACHE")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert datasets.cache_folder() == tmp_path / "home" / ".cache" / "w2v_teach"


# --- evaluation sets --------------------------------------------------------------------------

@pytest.mark.parametrize("func, name", [(datasets.google_analogies, "questions-words.txt"),
                                        (datasets.wordsim353, "wordsim353.tsv"),
                                        (datasets.simlex999, "simlex999.txt")])
def test_eval_set_paths_point_at_gensims_files(func, name):
    pytest.importorskip("gensim")
    from gensim.test.utils import datapath

    path = func()
    assert isinstance(path, Path) and path.is_file() and path.name == name
    assert path.samefile(datapath(name))


def test_eval_set_missing_file_or_gensim_is_a_clear_error(monkeypatch):
    with pytest.raises(FileNotFoundError, match=r"no-such-file\.txt.*pip install gensim"):
        datasets._gensim_data("no-such-file.txt")
    monkeypatch.setattr(datasets.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(FileNotFoundError, match="pip install gensim"):
        datasets.google_analogies()


# --- text8 download (a local server, never the internet) --------------------------------------

TEXT = b"anarchism originated as a term of abuse first used against early working class radicals"


def _zip_bytes(member: str = "text8", data: bytes = TEXT) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(member, data)
    return buf.getvalue()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class _Server:
    """Serve a folder on 127.0.0.1 at a free port in a thread; count the requests."""

    def __init__(self, folder: Path) -> None:
        server = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (the stdlib's name)
                server.requests += 1
                super().do_GET()

            def log_message(self, *args):  # keep test output quiet
                pass

        self.requests = 0
        self.httpd = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(Handler, directory=str(folder)))
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def server(tmp_path):
    """Serve tmp_path/www, which holds text8.zip (our small fixture) and broken.zip."""
    www = tmp_path / "www"
    www.mkdir()
    (www / "text8.zip").write_bytes(_zip_bytes())
    (www / "other.zip").write_bytes(_zip_bytes(member="not_text8"))
    s = _Server(www)
    yield s
    s.close()


def test_download_text8_downloads_verifies_and_extracts(tmp_path, server):
    cache = tmp_path / "cache"
    zsha = _sha(_zip_bytes())
    path = download_text8(cache, url=f"{server.url}/text8.zip", sha256=zsha, text_sha256=_sha(TEXT))
    assert path == cache / "text8" and path.read_bytes() == TEXT
    assert sorted(p.name for p in cache.iterdir()) == ["text8", "text8.zip"]  # no partial files
    assert server.requests == 1
    # Already there and verified: no second download.
    again = download_text8(cache, url=f"{server.url}/text8.zip", sha256=zsha, text_sha256=_sha(TEXT))
    assert again == path and server.requests == 1
    # text8 removed but the verified zip kept: extracted again without downloading.
    path.unlink()
    assert download_text8(cache, url=f"{server.url}/text8.zip", sha256=zsha,
                          text_sha256=_sha(TEXT)).read_bytes() == TEXT
    assert server.requests == 1


def test_download_text8_checksum_mismatch_leaves_no_file(tmp_path, server):
    cache = tmp_path / "cache"
    wrong = "0" * 64
    with pytest.raises(ValueError) as err:
        download_text8(cache, url=f"{server.url}/text8.zip", sha256=wrong, text_sha256=_sha(TEXT))
    assert wrong in str(err.value) and _sha(_zip_bytes()) in str(err.value)
    assert list(cache.iterdir()) == []


def test_download_text8_rejects_a_bad_extracted_file(tmp_path, server):
    cache = tmp_path / "cache"
    with pytest.raises(ValueError, match=_sha(TEXT)):
        download_text8(cache, url=f"{server.url}/text8.zip", sha256=_sha(_zip_bytes()),
                       text_sha256="1" * 64)
    assert sorted(p.name for p in cache.iterdir()) == ["text8.zip"]  # the verified zip is kept
    with pytest.raises(ValueError, match="no member 'text8'"):
        download_text8(tmp_path / "c2", url=f"{server.url}/other.zip",
                       sha256=_sha(_zip_bytes(member="not_text8")), text_sha256=_sha(TEXT))


def test_download_text8_rejects_a_wrong_file_already_in_place(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "text8.zip").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match=r"text8\.zip has SHA-256 .* expected"):
        download_text8(cache, url="http://127.0.0.1:9/text8.zip", sha256=_sha(_zip_bytes()),
                       text_sha256=_sha(TEXT))


def test_download_text8_unreachable_url_is_a_clear_connection_error(tmp_path):
    with socket.socket() as s:  # find a port, then close it: nothing listens there
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/text8.zip"
    with pytest.raises(ConnectionError) as err:
        download_text8(tmp_path, url=url, sha256=_sha(_zip_bytes()), text_sha256=_sha(TEXT), timeout=5)
    message = str(err.value)
    assert url in message and str(tmp_path / "text8.zip") in message and "by hand" in message
    assert list(tmp_path.iterdir()) == []
    assert isinstance(err.value, OSError)


@pytest.mark.parametrize("kwargs, name", [({"sha256": None}, "sha256"), ({"sha256": "abc"}, "sha256"),
                                          ({"text_sha256": ""}, "text_sha256"),
                                          ({"timeout": 0}, "timeout"), ({"timeout": "5"}, "timeout")])
def test_download_text8_rejects_bad_arguments(tmp_path, kwargs, name):
    with pytest.raises(ValueError, match=name):
        download_text8(tmp_path, url="http://127.0.0.1:9/x.zip", **kwargs)


# --- acceptance: word2vec learns the planted relations ----------------------------------------

@pytest.mark.slow
def test_gensim_skipgram_answers_the_planted_analogies(tmp_path):
    # The corpus design, judged by the reference implementation at the chapters' size (300k).
    pytest.importorskip("gensim.models")
    from w2v_teach.reference import train_gensim

    wc = world_corpus(300_000, seed=0)
    model = train_gensim(wc.tokens, dim=50, epochs=5, t=1e-3, seed=1).info["gensim_model"]
    score, sections = model.wv.evaluate_word_analogies(str(wc.write_questions(tmp_path / "q.txt")))
    total = sections[-1]
    assert len(total["correct"]) + len(total["incorrect"]) == len(wc.questions)  # all covered
    assert score >= 0.95  # 0.98-0.99 over gensim seeds 1-3
    for _, a, b, c, d in CLASSIC:
        assert model.wv.most_similar(positive=[b, c], negative=[a], topn=1)[0][0] == d


def test_results_table_finds_every_committed_table() -> None:
    names = sorted(p.name for p in datasets.RESULTS.glob("*.csv"))
    assert "hs_quality.csv" in names and "wiki_convergence.csv" in names
    for name in names:
        path = datasets.results_table(name)
        assert path.is_file() and path.read_text(encoding="utf-8").strip()


def test_results_table_is_package_data() -> None:
    # A hosted notebook installs the package from git, not as a clone: the tables must be package data.
    config = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    assert "results/*.csv" in config["tool"]["setuptools"]["package-data"]["w2v_teach"]
    assert datasets.RESULTS.parent == Path(datasets.__file__).resolve().parent


@pytest.mark.parametrize("name", ["", "../pyproject.toml", "results/hs_quality.csv", None])
def test_results_table_rejects_a_path(name) -> None:
    with pytest.raises(ValueError, match="file name"):
        datasets.results_table(name)


def test_results_table_lists_the_tables_when_one_is_missing() -> None:
    with pytest.raises(FileNotFoundError, match="hs_quality.csv"):
        datasets.results_table("no_such_table.csv")
