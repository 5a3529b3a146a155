"""Tests for w2v_teach.evaluate: file readers, and analogy/similarity scores against gensim."""
from __future__ import annotations

import math

import numpy as np
import pytest

from w2v_teach.embeddings import Embeddings
from w2v_teach.evaluate import (
    Analogy, AnalogyReport, analogy_accuracy, analogy_line, load_analogies, load_similarity,
    nearest_table, similarity_correlation,
)

gensim_models = pytest.importorskip("gensim.models")
KeyedVectors = gensim_models.KeyedVectors
from gensim.test.utils import datapath  # noqa: E402

GOOGLE = datapath("questions-words.txt")
WORDSIM = datapath("wordsim353.tsv")
SIMLEX = datapath("simlex999.txt")


def to_kv(emb: Embeddings):
    kv = KeyedVectors(emb.dim)
    kv.add_vectors(emb.words, emb.vectors.astype(np.float32))
    return kv


def gensim_sections(kv, path, restrict_vocab):
    """Return gensim's overall score and {section: (correct, covered)}."""
    score, sections = kv.evaluate_word_analogies(str(path), restrict_vocab=restrict_vocab)
    counts = {s["section"]: (len(s["correct"]), len(s["correct"]) + len(s["incorrect"])) for s in sections}
    return score, counts


@pytest.fixture(scope="module")
def google():
    return load_analogies(GOOGLE)


@pytest.fixture(scope="module")
def planted(google):
    """Vectors for part of the Google vocabulary where many of its relations roughly hold."""
    rng = np.random.default_rng(0)
    words = sorted({w for q in google for w in q[1:]})
    rng.shuffle(words)
    words = words[:600] + [f"filler{i}" for i in range(200)]
    vec = {w: rng.normal(size=24) for w in words}
    offsets: dict[str, np.ndarray] = {}
    for q in google:
        r = offsets.setdefault(q.section, rng.normal(size=24))
        for x, y in ((q.a, q.b), (q.c, q.d)):
            if x in vec and y in vec:
                vec[y] = 0.6 * vec[y] + 0.4 * (vec[x] + r)
    return Embeddings(words, np.array([vec[w] for w in words], dtype=np.float32))


# -- load_analogies ---------------------------------------------------------------------------
def test_load_google_file(google):
    with open(GOOGLE, encoding="utf-8") as f:
        lines = [ln.split() for ln in f if ln.strip()]
    sections = [ln[1] for ln in lines if ln[0] == ":"]
    assert len(google) == sum(1 for ln in lines if ln[0] != ":")
    assert list(dict.fromkeys(q.section for q in google)) == sections
    assert google[0] == Analogy("capital-common-countries", "athens", "greece", "baghdad", "iraq")
    assert all(w == w.lower() for q in google for w in q[1:])


def test_load_analogies_synthetic(tmp_path):
    path = tmp_path / "q.txt"
    path.write_text(": family\nMan King Woman Queen\n\n: plural\ncat cats dog dogs\n", encoding="utf-8")
    assert load_analogies(path) == [Analogy("family", "man", "king", "woman", "queen"),
                                    Analogy("plural", "cat", "cats", "dog", "dogs")]


@pytest.mark.parametrize("text, match", [
    (": s\na b c d\na b c\n", r"q\.txt, line 3.*4 words"),
    (": s\na b c d e\n", r"q\.txt, line 2"),
    ("a b c d\n", r"q\.txt, line 1.*section"),
    (":\na b c d\n", r"q\.txt, line 1.*name"),
    (": only a section\n\n", r"q\.txt contains no analogy"),
    ("", r"no analogy"),
])
def test_load_analogies_errors(tmp_path, text, match):
    path = tmp_path / "q.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=match):
        load_analogies(path)


def test_load_analogies_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.txt"):
        load_analogies(tmp_path / "missing.txt")


# -- analogy_accuracy against gensim ----------------------------------------------------------
@pytest.mark.parametrize("restrict_vocab", [None, 400])
def test_google_accuracy_matches_gensim(planted, google, restrict_vocab):
    report = analogy_accuracy(planted, google, restrict_vocab=restrict_vocab)
    score, counts = gensim_sections(to_kv(planted), GOOGLE, restrict_vocab or 300000)
    total = counts.pop("Total accuracy")
    assert report.sections == counts
    assert (report.correct, report.n_covered) == total
    assert report.accuracy == pytest.approx(score, abs=1e-12)
    assert 0.2 < report.accuracy < 0.99  # the planted relations make the comparison non-trivial
    assert report.n_questions == len(google)
    assert len(report.wrong) == report.n_covered - report.correct


def test_synthetic_file_with_case_variants_matches_gensim(tmp_path):
    # "Paris" (more frequent, first) and "paris" are one key for a case-insensitive evaluation
    rng = np.random.default_rng(3)
    words = ["the", "Paris", "france", "paris", "berlin", "germany", "rome", "italy", "madrid",
             "spain", "Big", "bigger", "small", "smaller", "fast", "faster"] + [f"f{i}" for i in range(40)]
    vec = {w: rng.normal(size=10) for w in words}
    capital, comparative = rng.normal(size=10), rng.normal(size=10)
    for country, city in [("france", "Paris"), ("germany", "berlin"), ("italy", "rome"), ("spain", "madrid")]:
        vec[city] = 0.5 * vec[city] + vec[country] + capital
    for base, more in [("Big", "bigger"), ("small", "smaller"), ("fast", "faster")]:
        vec[more] = 0.5 * vec[more] + vec[base] + comparative
    emb = Embeddings(words, np.array([vec[w] for w in words], dtype=np.float32))
    path = tmp_path / "q.txt"
    path.write_text(
        ": capitals\nfrance paris germany berlin\nGERMANY Berlin italy rome\nitaly rome spain madrid\n"
        "spain madrid france paris\nfrance paris atlantis atlantis_city\n"
        ": comparatives\nbig bigger small smaller\nsmall smaller fast faster\nfast faster big bigger\n",
        encoding="utf-8")
    for restrict_vocab in (None, 9):
        report = analogy_accuracy(emb, path, restrict_vocab=restrict_vocab)
        score, counts = gensim_sections(to_kv(emb), path, restrict_vocab or 300000)
        total = counts.pop("Total accuracy")
        assert report.sections == counts
        assert (report.correct, report.n_covered) == total
        assert report.accuracy == pytest.approx(score)
    assert analogy_accuracy(emb, path).correct > 0


def test_mul_accuracy_matches_a_loop(planted, google):
    questions = google[::40]
    report = analogy_accuracy(planted, questions, method="mul", chunk_size=7)
    unit = planted.vectors.astype(np.float64)
    unit /= np.linalg.norm(unit, axis=1, keepdims=True)
    correct = covered = 0
    for q in questions:
        if not all(w in planted for w in q[1:]):
            continue
        covered += 1
        a, b, c, d = (unit[planted.index(w)] for w in q[1:])
        cos = lambda x: (1 + unit @ x) / 2  # noqa: E731
        scores = cos(b) * cos(c) / (cos(a) + 1e-3)
        scores[[planted.index(w) for w in q[1:4]]] = -np.inf
        correct += planted.words[int(np.argmax(scores))] == q.d
    assert (report.correct, report.n_covered) == (correct, covered)
    assert report.coverage == pytest.approx(covered / len(questions))
    assert report.method == "mul"


def test_chunking_does_not_change_answers(planted, google):
    questions = google[::15]
    whole = analogy_accuracy(planted, questions)
    chunked = analogy_accuracy(planted, questions, chunk_size=3)
    assert whole.sections == chunked.sections
    assert whole.wrong == chunked.wrong


def test_plain_tuples_and_wrong_answers(planted, google):
    questions = [tuple(q) for q in google[::50]]
    report = analogy_accuracy(planted, questions)
    assert report.sections == analogy_accuracy(planted, google[::50]).sections
    for q, predicted in report.wrong:
        assert isinstance(q, Analogy)
        assert predicted != q.d and predicted not in (q.a, q.b, q.c)
        assert planted.analogy(q.a, q.b, q.c)[0][0] == predicted


def test_table_lists_sections_and_totals(planted, google):
    report = analogy_accuracy(planted, google)
    table = report.table()
    for name, (c, t) in report.sections.items():
        row = next(line for line in table.splitlines() if line.startswith(name + " "))
        assert f"{c}/{t}" in row
        assert (f"{c / t:.3f}" if t else "-") in row
    assert f"{report.correct}/{report.n_covered}" in table.splitlines()[-2]
    assert f"{report.coverage:.3f}" in table.splitlines()[-1]
    assert f"{report.accuracy:.3f}" in str(report)


def test_no_covered_question():
    emb = Embeddings(["a", "b"], np.eye(2))
    report = analogy_accuracy(emb, [("s", "x", "y", "z", "w")])
    assert report.sections == {"s": (0, 0)}
    assert math.isnan(report.accuracy) and report.coverage == 0.0
    assert report.table().splitlines()[-2].split()[-1] == "-"


def test_report_properties():
    report = AnalogyReport({"x": (2, 4), "y": (1, 1)}, n_questions=10)
    assert (report.correct, report.n_covered) == (3, 5)
    assert report.accuracy == pytest.approx(0.6) and report.coverage == pytest.approx(0.5)


@pytest.mark.parametrize("kwargs, questions, match", [
    ({"method": "sub"}, [("s", "a", "b", "c", "d")], "method"),
    ({}, [], "no analogy"),
    ({}, [("s", "a", "b", "c")], "question 0"),
    ({}, ["s a b c d"], "question 0"),
    ({"restrict_vocab": 0}, [("s", "a", "b", "c", "d")], "restrict_vocab"),
    ({"chunk_size": 0}, [("s", "a", "b", "a", "b")], "chunk_size"),
])
def test_analogy_accuracy_errors(kwargs, questions, match):
    emb = Embeddings(["a", "b", "c", "d"], np.eye(4))
    with pytest.raises(ValueError, match=match):
        analogy_accuracy(emb, questions, **kwargs)


# -- analogy_line and nearest_table -----------------------------------------------------------
def test_analogy_line_format():
    # queen sits exactly at king - man + woman, so its cosine is 1
    words = ["man", "woman", "king", "queen", "apple"]
    man, woman, king = np.array([1.0, 0, 0]), np.array([0, 1.0, 0]), np.array([1.0, 0, 1.0]) / np.sqrt(2)
    queen = king - man + woman
    emb = Embeddings(words, np.array([man, woman, king, queen, [0.2, 0.3, -1.0]]))
    assert analogy_line(emb, "man", "king", "woman") == "king - man + woman -> queen (1.000)"
    # with queen removed the answer is apple, with its cosine worked out by hand
    emb2 = Embeddings(["man", "woman", "king", "apple"], np.array([man, woman, king, [0.2, 0.3, -1.0]]))
    target = king - man + woman
    apple = np.array([0.2, 0.3, -1.0])
    cos = apple @ target / np.linalg.norm(apple) / np.linalg.norm(target)
    assert analogy_line(emb2, "man", "king", "woman") == f"king - man + woman -> apple ({cos:.3f})"
    # with a floor: the claim replaces the digits when it holds, the digits stay when it fails
    assert analogy_line(emb, "man", "king", "woman", at_least=0.7) == "king - man + woman -> queen (cosine >= 0.70)"
    assert analogy_line(emb2, "man", "king", "woman", at_least=0.99) == f"king - man + woman -> apple ({cos:.3f})"
    with pytest.raises(ValueError, match="at_least"):
        analogy_line(emb, "man", "king", "woman", at_least=float("nan"))


def test_nearest_table(planted):
    words = planted.words[:3]
    lines = nearest_table(planted, words, topn=4).splitlines()
    assert len(lines) == 3
    unit = planted.vectors / np.linalg.norm(planted.vectors, axis=1, keepdims=True)
    for word, line in zip(words, lines):
        head, tail = line.split(" : ")
        assert head.strip() == word
        cos = unit @ unit[planted.index(word)]
        cos[planted.index(word)] = -np.inf
        best = np.argsort(-cos)[:4]
        assert tail == ", ".join(f"{planted.words[i]} ({cos[i]:.3f})" for i in best)
    with pytest.raises(ValueError, match="topn"):
        nearest_table(planted, words, topn=0)
    with pytest.raises(KeyError, match="zzzq"):
        nearest_table(planted, ["zzzq"])


# -- word similarity ----------------------------------------------------------------------------
def count_scored_lines(path):
    n = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                n += 1
    return n


@pytest.mark.parametrize("path", [WORDSIM, SIMLEX])
def test_load_similarity_gensim_files(path):
    pairs = load_similarity(path)
    assert len(pairs) == count_scored_lines(path)
    assert all(w == w.lower() for p in pairs for w in p[:2])
    assert all(isinstance(p.score, float) for p in pairs)


def test_load_similarity_synthetic(tmp_path):
    path = tmp_path / "sim.txt"
    path.write_text("# comment\nword1\tword2\tscore\nTiger\tcat\t7.35\n\nbook paper 7.46\n", encoding="utf-8")
    assert load_similarity(path) == [("tiger", "cat", 7.35), ("book", "paper", 7.46)]


@pytest.mark.parametrize("text, match", [
    ("a\tb\t1\nc\td\n", r"sim\.txt, line 2"),
    ("a\tb\t1\nc\td\tlots\n", r"sim\.txt, line 2.*'lots'"),
    ("a\tb\t1\nc\td\tnan\n", r"sim\.txt, line 2.*finite"),
    ("# only a comment\n", r"no word pairs"),
    ("w1\tw2\tscore\n", r"no word pairs"),
])
def test_load_similarity_errors(tmp_path, text, match):
    path = tmp_path / "sim.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=match):
        load_similarity(path)


def test_load_similarity_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="gone.tsv"):
        load_similarity(tmp_path / "gone.tsv")


@pytest.mark.parametrize("path", [WORDSIM, SIMLEX])
@pytest.mark.parametrize("restrict_vocab", [None, 150])
def test_similarity_matches_gensim(path, restrict_vocab):
    pairs = load_similarity(path)
    rng = np.random.default_rng(5)
    words = sorted({w for p in pairs for w in p[:2]})
    words = [w for w in words if rng.random() < 0.7]  # leave some pairs uncovered
    emb = Embeddings(words, rng.normal(size=(len(words), 12)).astype(np.float32))
    report = similarity_correlation(emb, path, restrict_vocab=restrict_vocab)
    pearson, spearman, oov_percent = to_kv(emb).evaluate_word_pairs(str(path), restrict_vocab=restrict_vocab or 300000)
    assert report.spearman == pytest.approx(spearman[0], abs=1e-6)
    assert report.pearson == pytest.approx(pearson[0], abs=1e-6)
    assert report.coverage == pytest.approx(1 - oov_percent / 100)
    assert report.n_pairs == len(pairs)
    assert report.n_covered == round(report.coverage * len(pairs))
    assert report.n_covered >= 20 and report.coverage < 1
    assert f"{report.spearman:.3f}" in str(report)


def test_similarity_from_pairs_matches_scipy():
    from scipy import stats

    rng = np.random.default_rng(2)
    emb = Embeddings([f"w{i}" for i in range(10)], rng.normal(size=(10, 4)))
    pairs = [("w0", "w1", 1.0), ("W2", "w3", 3.0), ("w4", "w5", 2.0), ("w6", "nope", 5.0), ("w7", "w8", 4.0)]
    report = similarity_correlation(emb, pairs)
    cos = [emb.similarity(a.lower(), b) for a, b, _ in pairs if b != "nope"]
    gold = [s for a, b, s in pairs if b != "nope"]
    assert report.spearman == pytest.approx(stats.spearmanr(gold, cos)[0])
    assert report.pearson == pytest.approx(stats.pearsonr(gold, cos)[0])
    assert (report.n_pairs, report.n_covered, report.coverage) == (5, 4, 0.8)


def test_similarity_needs_three_covered_pairs():
    emb = Embeddings(["a", "b", "c"], np.eye(3))
    with pytest.raises(ValueError, match="only 2 of 3"):
        similarity_correlation(emb, [("a", "b", 1.0), ("b", "c", 2.0), ("a", "x", 3.0)])
    with pytest.raises(ValueError, match="no word pairs"):
        similarity_correlation(emb, [])
    with pytest.raises(ValueError, match="pair 0"):
        similarity_correlation(emb, [("a", "b")])


def test_standard_scores_are_the_three_benchmarks_in_one_call():
    from w2v_teach import datasets, evaluate

    ws, sl = (evaluate.load_similarity(p) for p in (datasets.wordsim353(), datasets.simlex999()))
    google = evaluate.load_analogies(datasets.google_analogies())
    words = sorted({w for pair in ws[:80] for w in pair[:2]} | {w for q in google[:300] for w in q[1:]})
    emb = Embeddings(words, np.random.default_rng(0).normal(size=(len(words), 8)))
    scores = evaluate.standard_scores(emb)
    assert scores["ws353"] == evaluate.similarity_correlation(emb, ws).spearman
    assert scores["sl_cov"] == evaluate.similarity_correlation(emb, sl).coverage
    expected = evaluate.analogy_accuracy(emb, google)
    assert (scores["google"], scores["google_cov"]) == (expected.accuracy, expected.coverage)
    assert 0 < scores["ws_cov"] < 1


# -- confidence intervals for Spearman's rho ---------------------------------------------------------
def test_fisher_interval_hand_computed():
    from w2v_teach.evaluate import fisher_interval

    # rho 0.5 on 28 pairs: z = atanh(0.5) = 0.549306, se = 1/sqrt(25) = 0.2, q = 1.959964
    ci = fisher_interval(0.5, 28)
    assert (ci.low, ci.high) == (pytest.approx(math.tanh(0.549306 - 0.391993), abs=1e-5),
                                 pytest.approx(math.tanh(0.549306 + 0.391993), abs=1e-5))
    assert (round(ci.low, 4), round(ci.high, 4)) == (0.156, 0.7358)
    # the book's example: 0.112 on 241 pairs, z = 0.112473, se = 1/sqrt(238) = 0.064820, q * se = 0.127045 -> tanh(-0.014572), tanh(0.239518)
    ci = fisher_interval(0.112, 241)
    assert (round(ci.low, 4), round(ci.high, 4)) == (-0.0146, 0.235)
    assert ci.contains(0.110) and ci.contains(0.0) and not ci.contains(0.3)
    wider = fisher_interval(0.112, 241, variance="fieller")  # se * sqrt(1.06)
    assert wider.low < ci.low and wider.high > ci.high
    assert round(fisher_interval(0.0, 103, level=0.9).high, 4) == round(math.tanh(1.644854 / 10), 4)
    assert "interval [-0.015, 0.235] on 241 pairs" in str(ci)


@pytest.mark.parametrize("kwargs, match", [
    (dict(rho=1.0, n=10), "strictly between"), (dict(rho=0.3, n=3), "n must be >= 4"),
    (dict(rho=0.3, n=10, level=1.0), "level"), (dict(rho=0.3, n=10, variance="exact"), "variance"),
    (dict(rho="0.3", n=10), "rho must be a number"),
])
def test_fisher_interval_errors(kwargs, match):
    from w2v_teach.evaluate import fisher_interval

    with pytest.raises(ValueError, match=match):
        fisher_interval(**kwargs)


def test_similarity_scores_match_similarity_correlation():
    from scipy import stats
    from w2v_teach.evaluate import similarity_scores

    pairs = load_similarity(WORDSIM)
    words = sorted({w for p in pairs for w in p[:2]})[::2]
    emb = Embeddings(words, np.random.default_rng(1).normal(size=(len(words), 6)).astype(np.float32))
    gold, cos = similarity_scores(emb, WORDSIM)
    report = similarity_correlation(emb, WORDSIM)
    assert len(gold) == len(cos) == report.n_covered
    assert stats.spearmanr(gold, cos)[0] == report.spearman
    covered = [p for p in pairs if p.w1 in emb and p.w2 in emb]
    assert cos[0] == pytest.approx(emb.similarity(covered[0].w1, covered[0].w2), abs=1e-6)
    assert gold[0] == covered[0].score
    empty = similarity_scores(Embeddings(["zzz", "yyy"], np.eye(2)), WORDSIM)
    assert empty[0].shape == empty[1].shape == (0,)


def test_bootstrap_spearman_equals_a_loop_with_scipy():
    from scipy import stats
    from w2v_teach.evaluate import bootstrap_spearman

    rng = np.random.default_rng(0)
    gold = rng.normal(size=40)
    scores = gold + rng.normal(size=40)
    scores[:5] = scores[0]  # ties: average ranks, as scipy
    ci = bootstrap_spearman(gold, scores, rng=np.random.default_rng(3), n_boot=200, level=0.9)
    idx = np.random.default_rng(3).integers(0, 40, size=(200, 40))
    loop = [stats.spearmanr(gold[i], scores[i])[0] for i in idx]
    assert (ci.low, ci.high) == (pytest.approx(np.quantile(loop, 0.05)), pytest.approx(np.quantile(loop, 0.95)))
    assert ci.rho == pytest.approx(stats.spearmanr(gold, scores)[0]) and ci.contains(ci.rho)
    assert (ci.n, ci.level) == (40, 0.9) and "bootstrap" in ci.method


def test_bootstrap_difference_is_paired_and_agrees_with_fisher_width():
    from w2v_teach.evaluate import bootstrap_spearman, fisher_interval

    rng = np.random.default_rng(1)
    gold = rng.normal(size=241)
    a = 0.3 * gold + rng.normal(size=241)
    b = a + 0.01 * rng.normal(size=241)  # almost the same model
    same = bootstrap_spearman(gold, a, rng=np.random.default_rng(0), baseline=b)
    assert same.contains(0.0) and same.high - same.low < 0.05  # paired: a narrow interval around 0
    single = bootstrap_spearman(gold, a, rng=np.random.default_rng(0))
    fisher = fisher_interval(single.rho, 241)
    assert abs((single.high - single.low) - (fisher.high - fisher.low)) < 0.05
    far = bootstrap_spearman(gold, gold + 0.1 * rng.normal(size=241), rng=np.random.default_rng(0), baseline=a)
    assert far.low > 0.3  # a real difference is seen as one


@pytest.mark.parametrize("kwargs, match", [
    (dict(gold=[1, 2, 3], scores=[1, 2, 3]), ">= 4"),
    (dict(gold=[1, 2, 3, 4], scores=[1, 2, 3]), "same length"),
    (dict(gold=[1, 2, 3, 4], scores=[1, 2, 3, 4], baseline=[1, 2]), "same length"),
    (dict(gold=[1, 2, 3, 4], scores=[1, 2, 3, 4], n_boot=5), "n_boot"),
    (dict(gold=[1, 2, 3, 4], scores=[1, 2, 3, 4], level=0.0), "level"),
    (dict(gold=[1, 2, 3, 4], scores=[1, 2, 3, 4], rng=0), "rng"),
])
def test_bootstrap_spearman_errors(kwargs, match):
    from w2v_teach.evaluate import bootstrap_spearman

    kwargs.setdefault("rng", np.random.default_rng(0))
    with pytest.raises(ValueError, match=match):
        bootstrap_spearman(**kwargs)
