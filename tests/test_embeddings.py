"""Tests for w2v_teach.embeddings: queries against gensim's KeyedVectors, and the word2vec file format."""
from __future__ import annotations

import os

import numpy as np
import pytest

from w2v_teach.embeddings import Embeddings

gensim_models = pytest.importorskip("gensim.models")
KeyedVectors = gensim_models.KeyedVectors

# gensim's most_similar_cosmul calls its own deprecated init_sims()
pytestmark = pytest.mark.filterwarnings("ignore:Call to deprecated:DeprecationWarning")


@pytest.fixture(scope="module")
def words():
    return ["king", "queen", "man", "woman", "paris", "france", "été"] + [f"w{i}" for i in range(293)]


@pytest.fixture(scope="module")
def vectors(words):
    rng = np.random.default_rng(7)
    return rng.normal(size=(len(words), 16)).astype(np.float32)  # (V, dim)


@pytest.fixture(scope="module")
def emb(words, vectors):
    return Embeddings(words, vectors)


@pytest.fixture(scope="module")
def kv(words, vectors):
    kv = KeyedVectors(vectors.shape[1])
    kv.add_vectors(words, vectors)
    return kv


def assert_same_ranking(ours, theirs, atol=1e-6):
    assert [w for w, _ in ours] == [w for w, _ in theirs]
    np.testing.assert_allclose([s for _, s in ours], [s for _, s in theirs], rtol=0, atol=atol)


# -- queries against gensim ---------------------------------------------------------------------
@pytest.mark.parametrize("word", ["king", "été", "w0", "w150"])
def test_most_similar_matches_gensim(emb, kv, word):
    assert_same_ranking(emb.most_similar(word, topn=10), kv.most_similar(word, topn=10))


def test_most_similar_of_a_vector_matches_gensim(emb, kv, vectors):
    query = vectors[3] + 0.5 * vectors[10]
    assert_same_ranking(emb.most_similar(query, topn=8), kv.most_similar(positive=[query], topn=8))


def test_most_similar_exclude_matches_brute_force(emb, vectors, words):
    unit = vectors.astype(np.float64) / np.linalg.norm(vectors, axis=1, keepdims=True)
    got = emb.most_similar("queen", topn=5, exclude=["w1", "w2"])
    cos = unit @ unit[words.index("queen")]
    order = [i for i in np.argsort(-cos) if words[i] not in {"queen", "w1", "w2"}][:5]
    assert [w for w, _ in got] == [words[i] for i in order]


def test_similarity_matches_gensim(emb, kv):
    for a, b in [("king", "queen"), ("man", "w5"), ("été", "été")]:
        assert emb.similarity(a, b) == pytest.approx(float(kv.similarity(a, b)), abs=1e-6)


@pytest.mark.parametrize("a, b, c", [("man", "king", "woman"), ("france", "paris", "w3"), ("w10", "w11", "été")])
def test_analogy_add_matches_gensim(emb, kv, a, b, c):
    assert_same_ranking(emb.analogy(a, b, c, topn=5), kv.most_similar(positive=[b, c], negative=[a], topn=5))


@pytest.mark.parametrize("a, b, c", [("man", "king", "woman"), ("france", "paris", "w3"), ("w10", "w11", "été")])
def test_analogy_mul_matches_gensim_cosmul(emb, kv, a, b, c):
    # gensim's most_similar_cosmul uses epsilon 1e-6 where Levy and Goldberg use 0.001
    ours = emb.analogy(a, b, c, topn=5, method="mul", epsilon=1e-6)
    theirs = kv.most_similar_cosmul(positive=[b, c], negative=[a], topn=5)
    assert [w for w, _ in ours] == [w for w, _ in theirs]
    np.testing.assert_allclose([s for _, s in ours], [s for _, s in theirs], rtol=2e-6)


def test_analogy_scores_match_a_loop(emb, vectors):
    unit = vectors.astype(np.float64) / np.linalg.norm(vectors, axis=1, keepdims=True)
    a_ids, b_ids, c_ids = [2, 5, 9], [0, 4, 100], [3, 6, 7]
    add = emb.analogy_scores(a_ids, b_ids, c_ids, method="add")
    mul = emb.analogy_scores(a_ids, b_ids, c_ids, method="mul")
    assert add.shape == mul.shape == (3, len(emb))
    for q, (a, b, c) in enumerate(zip(a_ids, b_ids, c_ids)):
        for x in range(len(emb)):
            target = unit[b] - unit[a] + unit[c]
            assert add[q, x] == pytest.approx(unit[x] @ target / np.linalg.norm(target), abs=1e-5)
            cos = lambda i: (1 + unit[x] @ unit[i]) / 2  # noqa: E731
            assert mul[q, x] == pytest.approx(cos(b) * cos(c) / (cos(a) + 0.001), rel=1e-5)


def test_analogy_excludes_query_words():
    # b - a + c lands exactly on c, yet c must not be the answer
    words = ["a", "b", "c", "d"]
    vecs = np.array([[1.0, 0, 0], [1.0, 0, 0], [0, 1.0, 0], [0, 1.0, 0.2]])
    emb = Embeddings(words, vecs)
    assert emb.analogy("a", "b", "c")[0][0] == "d"
    assert [w for w, _ in emb.analogy("a", "b", "c", topn=10)] == ["d"]


def test_unit_keeps_zero_vectors_zero():
    emb = Embeddings(["x", "y"], np.array([[0.0, 0.0], [3.0, 4.0]]))
    np.testing.assert_allclose(emb.unit, [[0, 0], [0.6, 0.8]])


# -- query errors -------------------------------------------------------------------------------
def test_unknown_word_names_it_and_suggests(emb):
    with pytest.raises(KeyError, match="'kinng'.*'king'"):
        emb["kinng"]
    with pytest.raises(KeyError, match="qeen"):
        emb.analogy("man", "king", "qeen")
    with pytest.raises(KeyError, match="nope"):
        emb.most_similar("king", exclude=["nope"])


@pytest.mark.parametrize("vectors, match", [
    (np.zeros((3, 2)), "rows"),
    (np.zeros(2), "2-D"),
    (np.array([[1.0, np.nan], [0.0, 1.0]]), "non-finite"),
    (np.array([[1, 2], [3, 4]]), "floating"),
])
def test_bad_vectors_raise(vectors, match):
    with pytest.raises(ValueError, match=match):
        Embeddings(["a", "b"], vectors)


def test_duplicate_words_raise():
    with pytest.raises(ValueError, match="'a'"):
        Embeddings(["a", "a"], np.eye(2))


@pytest.mark.parametrize("topn", [0, -1, 1.5, True])
def test_bad_topn_raises(emb, topn):
    with pytest.raises(ValueError, match="topn"):
        emb.most_similar("king", topn=topn)
    with pytest.raises(ValueError, match="topn"):
        emb.analogy("man", "king", "woman", topn=topn)


def test_bad_method_and_epsilon_raise(emb):
    with pytest.raises(ValueError, match="method"):
        emb.analogy("man", "king", "woman", method="sub")
    with pytest.raises(ValueError, match="epsilon"):
        emb.analogy("man", "king", "woman", method="mul", epsilon=0.0)


def test_bad_query_vector_raises(emb):
    with pytest.raises(ValueError, match="shape"):
        emb.most_similar(np.ones(3))
    with pytest.raises(ValueError, match="NaN"):
        emb.most_similar(np.full(emb.dim, np.nan))


def test_analogy_scores_validate_ids(emb):
    with pytest.raises(ValueError, match="a_ids.*-1"):
        emb.analogy_scores([-1], [0], [1])
    with pytest.raises(ValueError, match="c_ids.*300"):
        emb.analogy_scores([0], [1], [300])
    with pytest.raises(ValueError, match="same length"):
        emb.analogy_scores([0, 1], [1], [2])


# -- word2vec files: round trips with gensim --------------------------------------------------
@pytest.mark.parametrize("binary", [False, True])
def test_gensim_reads_what_we_write(tmp_path, emb, binary):
    path = emb.save_word2vec(tmp_path / "ours.w2v", binary=binary)
    kv = KeyedVectors.load_word2vec_format(str(path), binary=binary)
    assert kv.index_to_key == emb.words
    np.testing.assert_array_equal(kv.vectors, emb.vectors)


@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize("detect", [False, True])
def test_we_read_what_gensim_writes(tmp_path, kv, binary, detect):
    path = tmp_path / "gensim.w2v"
    kv.save_word2vec_format(str(path), binary=binary)
    back = Embeddings.load_word2vec(path, binary=None if detect else binary)
    assert back.words == kv.index_to_key
    np.testing.assert_array_equal(back.vectors, kv.vectors)
    assert back.vectors.dtype == np.float32


@pytest.mark.parametrize("binary", [False, True])
def test_round_trip_is_exact_in_float32(tmp_path, words, binary):
    rng = np.random.default_rng(1)
    vecs = rng.normal(scale=[[1e-8, 1.0, 1e6]], size=(len(words), 3))  # float64, wide range
    emb = Embeddings(words, vecs)
    back = Embeddings.load_word2vec(emb.save_word2vec(tmp_path / "v", binary=binary))
    assert back.words == words
    np.testing.assert_array_equal(back.vectors, vecs.astype(np.float32))


def test_binary_layout_is_the_c_tools(tmp_path):
    emb = Embeddings(["ab", "c"], np.array([[1.0, -2.0], [0.5, 0.25]]))
    data = emb.save_word2vec(tmp_path / "x.bin", binary=True).read_bytes()
    expected = (b"2 2\n" + b"ab " + np.array([1.0, -2.0], "<f4").tobytes() + b"\n"
                + b"c " + np.array([0.5, 0.25], "<f4").tobytes() + b"\n")
    assert data == expected


def test_text_layout(tmp_path):
    emb = Embeddings(["ab", "c"], np.array([[1.0, -2.5], [0.1, 0.25]]))
    text = emb.save_word2vec(tmp_path / "x.txt").read_text(encoding="utf-8")
    assert text == "2 2\nab 1.0 -2.5\nc 0.1 0.25\n"


def test_save_replaces_atomically_and_leaves_no_temp_file(tmp_path, emb, monkeypatch):
    path = tmp_path / "v.txt"
    path.write_text("old")
    emb.save_word2vec(path)
    assert sorted(os.listdir(tmp_path)) == ["v.txt"]

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    before = path.read_bytes()
    with pytest.raises(OSError, match="disk full"):
        Embeddings(["z"], np.ones((1, 2))).save_word2vec(path)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["v.txt"]


@pytest.mark.parametrize("bad", ["new york", "tab\there", "line\nbreak", ""])
def test_words_with_whitespace_cannot_be_saved(tmp_path, bad):
    emb = Embeddings(["ok", bad], np.eye(2))
    with pytest.raises(ValueError, match="row 1"):
        emb.save_word2vec(tmp_path / "v.txt")
    assert not (tmp_path / "v.txt").exists()


def test_values_too_large_for_float32_raise(tmp_path):
    with pytest.raises(ValueError, match="float32"):
        Embeddings(["a"], np.array([[1e300, 0.0]])).save_word2vec(tmp_path / "v.txt")


# -- word2vec files: damaged input -------------------------------------------------------------
def write(tmp_path, data: bytes):
    path = tmp_path / "bad.w2v"
    path.write_bytes(data)
    return path


def test_missing_file_names_the_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothere.txt"):
        Embeddings.load_word2vec(tmp_path / "nothere.txt")


@pytest.mark.parametrize("header", [b"", b"3\n", b"three 2\n", b"0 2\n", b"2 -1\n", b"1 2 3\n"])
def test_malformed_header(tmp_path, header):
    path = write(tmp_path, header + b"a 1 2\n")
    with pytest.raises(ValueError, match=r"bad\.w2v, line 1"):
        Embeddings.load_word2vec(path)


@pytest.mark.parametrize("body, line", [
    (b"a 1 2\nb 1\n", 3),                 # too few values
    (b"a 1 2\nb 1 2 3\n", 3),             # too many values
    (b"a 1 x\nb 1 2\n", 2),               # not a number
    (b"a 1 2\nb nan 2\n", 3),             # NaN
    (b"a 1 2\nb inf 2\n", 3),             # infinity
    (b"a 1 2\na 3 4\n", 3),               # duplicate word
    (b"a 1 2\nb 3 4\nc 5 6\n", 4),        # more words than announced
])
def test_malformed_text_names_the_line(tmp_path, body, line):
    path = write(tmp_path, b"2 2\n" + body)
    with pytest.raises(ValueError, match=rf"bad\.w2v, line {line}\b"):
        Embeddings.load_word2vec(path, binary=False)


def test_saving_into_a_missing_folder_names_it(emb, tmp_path):
    with pytest.raises(FileNotFoundError, match=r"the folder .*nowhere does not exist"):
        emb.save_word2vec(tmp_path / "nowhere" / "vectors.txt")
    assert not (tmp_path / "nowhere").exists()


def test_truncated_text_file(tmp_path):
    path = write(tmp_path, b"3 2\na 1 2\nb 3 4\n")
    with pytest.raises(ValueError, match=r"bad\.w2v.*truncated.*line 3"):
        Embeddings.load_word2vec(path)


def binary_file(words, vecs, header=None, newline=True):
    out = (header or f"{len(words)} {vecs.shape[1]}").encode() + b"\n"
    for w, v in zip(words, vecs):
        out += w.encode() + b" " + np.asarray(v, "<f4").tobytes() + (b"\n" if newline else b"")
    return out


def test_binary_without_newlines_is_read(tmp_path):
    vecs = np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32)
    path = write(tmp_path, binary_file(["a", "b"], vecs, newline=False))
    back = Embeddings.load_word2vec(path)
    assert back.words == ["a", "b"]
    np.testing.assert_array_equal(back.vectors, vecs)


def test_truncated_binary_file(tmp_path):
    data = binary_file(["a", "b"], np.ones((2, 3)))
    path = write(tmp_path, data[:-5])
    with pytest.raises(ValueError, match=r"bad\.w2v.*truncated.*entry 2"):
        Embeddings.load_word2vec(path, binary=True)


@pytest.mark.parametrize("words, vecs, match", [
    (["a", "a"], np.ones((2, 2)), "entry 2.*'a'"),
    (["a", "b"], np.array([[1.0, np.nan], [0.0, 1.0]]), "entry 1.*NaN"),
])
def test_malformed_binary_names_the_entry(tmp_path, words, vecs, match):
    path = write(tmp_path, binary_file(words, vecs))
    with pytest.raises(ValueError, match=match):
        Embeddings.load_word2vec(path, binary=True)


def test_binary_with_wrong_dimension_in_header(tmp_path):
    path = write(tmp_path, binary_file(["a", "b", "c"], np.full((3, 4), 0.5), header="3 3"))
    with pytest.raises(ValueError, match=r"bad\.w2v"):
        Embeddings.load_word2vec(path)


# -- projector and gensim conversion ---------------------------------------------------------
def test_projector_tsv(tmp_path, emb):
    vec_path, meta_path = emb.save_projector_tsv(tmp_path / "proj")
    assert (vec_path.name, meta_path.name) == ("vectors.tsv", "metadata.tsv")
    assert meta_path.read_text(encoding="utf-8").splitlines() == emb.words
    rows = [line.split("\t") for line in vec_path.read_text(encoding="utf-8").splitlines()]
    np.testing.assert_array_equal(np.array(rows, dtype=np.float32), emb.vectors)
    assert sorted(os.listdir(tmp_path / "proj")) == ["metadata.tsv", "vectors.tsv"]


def test_projector_rejects_tabs(tmp_path):
    with pytest.raises(ValueError, match="TSV"):
        Embeddings(["a\tb"], np.ones((1, 2))).save_projector_tsv(tmp_path)


def test_gensim_conversion(kv, emb):
    back = Embeddings.from_gensim(kv)
    assert back.words == emb.words
    np.testing.assert_array_equal(back.vectors, emb.vectors)
    kv2 = emb.to_gensim()
    assert kv2.index_to_key == emb.words
    np.testing.assert_array_equal(kv2.vectors, emb.vectors)


# -- boundary holes: a bare word, edits behind the cache, exact ties --------------------------------
def test_exclude_accepts_a_bare_word_as_one_word():
    # Iterating "king" would exclude the letters k, i, n, g and keep "king" itself.
    words = ["queen", "king", "k", "i", "n", "g", "prince"]
    vectors = np.array([[1.0, 0.0], [0.95, 0.1], [0.9, 0.2], [0.9, 0.2], [0.9, 0.2], [0.9, 0.2], [0.0, 1.0]])
    emb = Embeddings(words, vectors)
    assert emb.most_similar("queen", topn=1, exclude="king")[0][0] == "k"
    assert [w for w, _ in emb.most_similar("queen", topn=6, exclude="king")] == ["k", "i", "n", "g", "prince"]
    assert emb.most_similar("queen", topn=1, exclude=["king"]) == emb.most_similar("queen", topn=1, exclude="king")


def test_exclude_rejects_non_words():
    emb = Embeddings(["a", "b"], np.eye(2))
    with pytest.raises(ValueError, match="exclude must hold words"):
        emb.most_similar("a", exclude=[1])


def test_a_bare_str_of_words_is_one_word():
    emb = Embeddings("abc", np.ones((1, 2)))
    assert emb.words == ["abc"]


def test_vectors_are_a_read_only_copy_so_the_cache_cannot_go_stale():
    source = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    emb = Embeddings(["a", "b", "c"], source)
    before = emb.similarity("a", "c")
    with pytest.raises(ValueError, match="read-only"):
        emb.vectors[0] *= -1
    with pytest.raises(ValueError, match="read-only"):
        emb.unit[0] *= -1
    source[0] *= -1  # editing the caller's array leaves the table (and its unit vectors) alone
    assert emb.similarity("a", "c") == before
    assert np.array_equal(emb["a"], [1.0, 0.0])
    rebuilt = Embeddings(emb.words, emb.vectors * [[-1.0], [1.0], [1.0]])  # the way to change vectors
    assert rebuilt.similarity("a", "c") == pytest.approx(-before)


def test_a_read_only_array_is_shared_not_copied():
    frozen = np.eye(3)
    frozen.flags.writeable = False
    assert Embeddings(["a", "b", "c"], frozen).vectors is frozen


def test_exact_ties_keep_table_order_whatever_the_last_bits():
    # Three rows identical up to rounding noise: their order must not follow the noise.
    base = np.array([0.6, 0.8])
    for noise in ([1e-13, -1e-13, 0.0], [-1e-13, 1e-13, 0.0], [0.0, 0.0, 0.0]):
        rows = [base * (1 + e) + [e, -e] for e in noise]
        emb = Embeddings(["q", "madrid", "berlin", "rome", "far"], np.array([base] + rows + [[1.0, -1.0]]))
        assert [w for w, _ in emb.most_similar("q", topn=3)] == ["madrid", "berlin", "rome"]
        assert [w for w, _ in emb.most_similar("q", topn=2)] == ["madrid", "berlin"]


# -- the names gensim's KeyedVectors users know ----------------------------------------------------
def test_index_to_key_and_key_to_index_match_gensim(emb, kv):
    assert emb.index_to_key == list(kv.index_to_key) and emb.key_to_index == dict(kv.key_to_index)
    assert emb.words is emb.index_to_key


@pytest.mark.parametrize("norm", [False, True])
def test_get_vector_matches_gensim(emb, kv, norm):
    np.testing.assert_allclose(emb.get_vector("queen", norm=norm), kv.get_vector("queen", norm=norm), rtol=1e-6)


def test_a_list_of_words_looks_up_rows(emb, kv):
    np.testing.assert_array_equal(emb[["queen", "king"]], kv[["queen", "king"]])
    assert emb[[]].shape == (0, emb.dim)
    with pytest.raises(KeyError, match="'qeen' is not in the vocabulary.*did you mean 'queen'"):
        emb[["king", "qeen"]]


@pytest.mark.parametrize("restrict", [5, 50, 299])
def test_restrict_vocab_matches_gensim(emb, kv, restrict):
    assert_same_ranking(emb.most_similar("king", topn=4, restrict_vocab=restrict),
                        kv.most_similar("king", topn=4, restrict_vocab=restrict))
    assert_same_ranking(emb.analogy("man", "king", "woman", topn=3, restrict_vocab=restrict),
                        kv.most_similar(positive=["king", "woman"], negative=["man"], topn=3,
                                        restrict_vocab=restrict))


def test_restrict_vocab_is_validated(emb):
    with pytest.raises(ValueError, match="restrict_vocab must be >= 1"):
        emb.most_similar("king", restrict_vocab=0)


def test_counts_travel_to_and_from_gensim():
    emb = Embeddings(["the", "cat", "sat"], np.eye(3), counts=[9, 4, 1])
    kv = emb.to_gensim()
    assert [kv.get_vecattr(w, "count") for w in emb.words] == [9, 4, 1]
    back = Embeddings.from_gensim(kv)
    assert back.counts.tolist() == [9, 4, 1] and back.words == emb.words
    assert Embeddings(["a"], np.ones((1, 2))).counts is None


@pytest.mark.parametrize("counts, match", [([1, 2], "one entry per word"), ([1, -1, 0], "integers >= 0"),
                                           ([1.5, 1, 1], "integers >= 0")])
def test_bad_counts_raise(counts, match):
    with pytest.raises(ValueError, match=match):
        Embeddings(["a", "b", "c"], np.eye(3), counts=counts)


def test_a_trainer_fills_the_counts():
    from w2v_teach import sgns

    result = sgns.train("a b a c a b".split() * 20, dim=4, epochs=1, min_count=1)
    assert result.embeddings.counts.tolist() == result.vocab.counts.tolist() == [60, 40, 20]
