"""Word vectors you can query (lookup, cosine similarity, neighbours, analogies) and save.

Files use the word2vec C tool's text or binary format, which gensim reads and writes too, or the
two TSV files of the TensorFlow Embedding Projector.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from ._checks import check_bool, check_choice, check_float, check_ids, check_int, check_matrix, check_words
from ._files import atomic_write
from .text import Vocab, lookup
from .vectors import top_k, unit_rows

# Levy and Goldberg (2014) add epsilon = 0.001 to the denominator of 3CosMul; gensim's
# most_similar_cosmul uses 1e-6. Pass epsilon=1e-6 to reproduce gensim's scores exactly.
COSMUL_EPSILON = 1e-3


class Embeddings:
    """A table of word vectors with the queries of gensim's ``KeyedVectors``.

    ``emb[word]`` is a vector; ``emb.most_similar``, ``emb.similarity`` and ``emb.analogy`` use
    cosine similarity. Words keep the order they were given in (trainers give them by frequency).
    Unit vectors are computed once and cached, so ``vectors`` is a read-only copy of the array
    you pass in: editing it raises an error instead of leaving stale similarities behind, and
    editing your own array afterwards does not change the table. To change vectors, build a new
    ``Embeddings`` (for example ``Embeddings(emb.words, emb.vectors * 2)``).
    """

    def __init__(self, words: Sequence[str], vectors, counts=None) -> None:
        words = check_words("words", words.words if isinstance(words, Vocab) else words)
        vectors = check_matrix("vectors", vectors, rows=len(words))
        if len(words) == 0:
            raise ValueError("Embeddings need at least one word, got none")
        self.index_to_key: list[str] = words  # gensim's names: row -> word, word -> row
        self.key_to_index: dict[str, int] = {w: i for i, w in enumerate(words)}
        if len(self.key_to_index) != len(words):
            dup = next(w for w in words if words.count(w) > 1)
            raise ValueError(f"words must be unique, {dup!r} appears more than once")
        self.counts: np.ndarray | None = None  # training counts, where a trainer knows them
        if counts is not None:
            self.counts = np.asarray(counts)
            if self.counts.shape != (len(words),):
                raise ValueError(f"counts must have one entry per word ({len(words)}), got shape {self.counts.shape}")
            if not np.issubdtype(self.counts.dtype, np.integer) or (self.counts < 0).any():
                raise ValueError(f"counts must be integers >= 0, got {self.counts[:5]} (dtype {self.counts.dtype})")
            self.counts = self.counts.astype(np.int64)
        if vectors.flags.writeable:
            vectors = vectors.copy()  # ours alone: nobody can change it behind the unit-vector cache
            vectors.flags.writeable = False
        self.vectors: np.ndarray = vectors
        self._unit: np.ndarray | None = None

    # -- lookup ---------------------------------------------------------------------------
    @property
    def words(self) -> list[str]:
        """Return the words, in table order (the same list as ``index_to_key``)."""
        return self.index_to_key

    @property
    def dim(self) -> int:
        """Return the vector dimension."""
        return self.vectors.shape[1]

    def __len__(self) -> int:
        return len(self.index_to_key)

    def __contains__(self, word: object) -> bool:
        return word in self.key_to_index

    def __repr__(self) -> str:
        return f"Embeddings({len(self)} words, dim {self.dim})"

    def index(self, word: str) -> int:
        """Return the row of `word`; KeyError naming it and close matches if it is unknown."""
        return lookup(self.key_to_index, self.index_to_key, word)

    def __getitem__(self, word_or_words) -> np.ndarray:
        """Return the vector of a word (dim,), or the (n, dim) vectors of a list of words."""
        if isinstance(word_or_words, str):
            return self.vectors[self.index(word_or_words)]
        return self.vectors[[self.index(w) for w in check_words("words", word_or_words)]]

    def get_vector(self, word: str, norm: bool = False) -> np.ndarray:
        """Return the vector of `word`, scaled to length 1 if `norm` (gensim's ``get_vector``)."""
        return (self.unit if check_bool("norm", norm) else self.vectors)[self.index(word)]

    @property
    def unit(self) -> np.ndarray:
        """Return the vectors scaled to length 1 (zero vectors stay zero)."""
        if self._unit is None:
            self._unit = unit_rows(self.vectors)
            self._unit.flags.writeable = False
        return self._unit

    def _as_unit_vector(self, word_or_vector) -> np.ndarray:
        """Return the unit vector of a word, or of a raw query vector."""
        if isinstance(word_or_vector, str):
            return self.unit[self.index(word_or_vector)]
        vec = np.asarray(word_or_vector, dtype=np.float64)
        if vec.shape != (self.dim,):
            raise ValueError(f"a query vector must have shape ({self.dim},), got {vec.shape}")
        if not np.isfinite(vec).all():
            raise ValueError("the query vector contains NaN or infinity")
        norm = np.linalg.norm(vec)
        return vec / norm if norm > 0 else vec

    # -- similarity -----------------------------------------------------------------------
    def similarity(self, a: str, b: str) -> float:
        """Return the cosine similarity of words `a` and `b`."""
        return float(self.unit[self.index(a)] @ self.unit[self.index(b)])

    def most_similar(self, word_or_vector, topn: int = 10, exclude: Iterable[str] = (),
                     restrict_vocab: int | None = None) -> list[tuple[str, float]]:
        """Return the `topn` words closest in cosine to a word (itself excluded) or a vector.

        `exclude`: words never returned (a bare str is one word). `restrict_vocab`: answer only
        from the first that many rows (the most frequent words, for trained vectors), as gensim.
        """
        topn = check_int("topn", topn, 1)
        query = self._as_unit_vector(word_or_vector)
        banned = {self.index(w) for w in check_words("exclude", exclude)}
        if isinstance(word_or_vector, str):
            banned.add(self.index(word_or_vector))
        scores = self.unit @ query  # (V,)
        return self._top(scores, topn, banned, restrict_vocab)

    def _top(self, scores: np.ndarray, topn: int, banned: set[int],
             restrict_vocab: int | None = None) -> list[tuple[str, float]]:
        """Return the best `topn` (word, score) pairs, skipping banned rows and rows past the limit."""
        scores = scores.astype(np.float64, copy=True)
        if restrict_vocab is not None:
            scores = scores[:check_int("restrict_vocab", restrict_vocab, 1)]
            banned = {i for i in banned if i < len(scores)}
        k = min(topn, len(scores) - len(banned))
        if k <= 0:
            return []
        best = top_k(scores, k, exclude=sorted(banned))  # the package's one tie rule (vectors.py)
        return [(self.words[i], float(scores[i])) for i in best]

    # -- analogies ------------------------------------------------------------------------
    def analogy_scores(self, a_ids, b_ids, c_ids, method: str = "add",
                       epsilon: float = COSMUL_EPSILON) -> np.ndarray:
        """Return (n, V) scores of every word as the answer to a : b :: c : ? for n questions.

        "add" is 3CosAdd, cos(x, b - a + c) (Mikolov et al. 2013); "mul" is 3CosMul,
        cos'(x, b) cos'(x, c) / (cos'(x, a) + epsilon) with cos' = (cos + 1) / 2
        (Levy and Goldberg 2014, epsilon = 0.001). Query words are *not* excluded here.
        """
        check_choice("method", method, {"add", "mul"})
        epsilon = check_float("epsilon", epsilon, 0.0)
        ids = [check_ids(name, x, len(self), ndim=1) for name, x in
               (("a_ids", a_ids), ("b_ids", b_ids), ("c_ids", c_ids))]
        if not len(ids[0]) == len(ids[1]) == len(ids[2]):
            raise ValueError(f"a_ids, b_ids, c_ids must have the same length, got {[len(x) for x in ids]}")
        U = self.unit
        a, b, c = (U[x] for x in ids)  # (n, dim)
        if method == "add":
            target = b - a + c
            norms = np.linalg.norm(target, axis=1, keepdims=True)
            target = target / np.where(norms == 0, 1.0, norms)
            return target @ U.T  # (n, V)
        cos_a, cos_b, cos_c = ((x @ U.T + 1.0) / 2.0 for x in (a, b, c))
        return cos_b * cos_c / (cos_a + epsilon)

    def analogy(self, a: str, b: str, c: str, topn: int = 1, method: str = "add",
                epsilon: float = COSMUL_EPSILON, restrict_vocab: int | None = None) -> list[tuple[str, float]]:
        """Answer a : b :: c : ? (king - man + woman is analogy("man", "king", "woman")).

        The three query words are excluded from the answers, as in the original evaluation;
        `restrict_vocab` answers only from the first that many rows, as in :meth:`most_similar`.
        """
        topn = check_int("topn", topn, 1)
        ids = [self.index(w) for w in (a, b, c)]
        scores = self.analogy_scores([ids[0]], [ids[1]], [ids[2]], method=method, epsilon=epsilon)[0]
        return self._top(scores, topn, set(ids), restrict_vocab)

    # -- files ----------------------------------------------------------------------------
    def save_word2vec(self, path, binary: bool = False) -> Path:
        """Write the vectors in the word2vec C tool's format (text or binary); return the path.

        The header line is ``V dim``. Text: one line per word, the word then its values. Binary:
        the word, a space, ``dim`` little-endian float32 values, a newline (the C tool's layout;
        gensim reads it and writes the same without the newline). Values are stored as float32,
        in text as the shortest decimal that reads back as the same float32, so both formats
        round-trip exactly. Words must be non-empty and free of whitespace.
        """
        words = self.words
        for i, w in enumerate(words):
            if not isinstance(w, str) or not w or _WHITESPACE.search(w):
                raise ValueError(f"word {w!r} (row {i}) cannot be saved: the word2vec format needs "
                                 "non-empty words without spaces or other whitespace")
        with np.errstate(over="ignore"):
            values = self.vectors.astype("<f4")  # (V, dim) little-endian float32
        if not np.isfinite(values).all():
            row = int(np.argwhere(~np.isfinite(values))[0][0])
            raise ValueError(f"the vector of {words[row]!r} (row {row}) does not fit in float32")
        parts = [f"{len(self)} {self.dim}\n".encode()]
        if binary:
            parts += [w.encode("utf-8") + b" " + row.tobytes() + b"\n" for w, row in zip(words, values)]
        else:
            parts += [(w + " " + " ".join(map(str, row)) + "\n").encode("utf-8") for w, row in zip(words, values)]
        return atomic_write(path, b"".join(parts))

    @classmethod
    def load_word2vec(cls, path, binary: bool | None = None) -> "Embeddings":
        """Read a word2vec C-format file (text or binary; None detects which) as float32 vectors.

        A missing file raises FileNotFoundError; a damaged one (bad header, truncated, wrong
        number of values, a value that is not a finite number, a repeated word) raises
        ValueError naming the path and the line (text) or entry and byte offset (binary).
        """
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"no such word2vec file: {path}")
        data = path.read_bytes()
        end = data.find(b"\n")
        header = data if end < 0 else data[:end]
        fields = header.split()
        try:
            n_words, dim = (int(x) for x in fields)
            if n_words < 1 or dim < 1:
                raise ValueError
        except ValueError:
            raise ValueError(f"{path}, line 1: expected a header 'number_of_words dimension' "
                             f"(two positive integers), got {header[:60]!r}") from None
        body = b"" if end < 0 else data[end + 1:]
        if binary is None:
            binary = _looks_binary(body)
        reader = _read_binary if binary else _read_text
        words, vectors = reader(body, n_words, dim, path)
        return cls(words, vectors)

    def save_projector_tsv(self, folder) -> tuple[Path, Path]:
        """Write ``vectors.tsv`` and ``metadata.tsv`` for the TensorFlow Embedding Projector.

        Load both at https://projector.tensorflow.org ("Load"): vectors.tsv has one tab-separated
        row of values per word, metadata.tsv one word per line (no header, as the projector
        expects for a single column). Returns the two paths.
        """
        for i, w in enumerate(self.words):
            if not w or "\t" in w or "\n" in w or "\r" in w:
                raise ValueError(f"word {w!r} (row {i}) cannot be written to a TSV file")
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        values = self.vectors.astype(np.float32)
        vec_text = "".join("\t".join(map(str, row)) + "\n" for row in values)
        meta_text = "".join(w + "\n" for w in self.words)
        return (atomic_write(folder / "vectors.tsv", vec_text.encode("utf-8")),
                atomic_write(folder / "metadata.tsv", meta_text.encode("utf-8")))

    # -- gensim ---------------------------------------------------------------------------
    @classmethod
    def from_gensim(cls, kv) -> "Embeddings":
        """Return the vectors of a gensim ``KeyedVectors`` (or a model's ``.wv``) in gensim's order."""
        kv = getattr(kv, "wv", kv)
        counts = kv.expandos.get("count") if hasattr(kv, "expandos") else None
        return cls(list(kv.index_to_key), np.array(kv.vectors), counts=counts)

    def to_gensim(self):
        """Return a gensim ``KeyedVectors`` with these words and vectors (needs gensim)."""
        from gensim.models import KeyedVectors

        kv = KeyedVectors(self.dim, dtype=np.float32)
        kv.add_vectors(self.words, self.vectors.astype(np.float32))
        if self.counts is not None:
            for word, count in zip(self.words, self.counts.tolist()):
                kv.set_vecattr(word, "count", count)
        return kv


# -- file helpers -------------------------------------------------------------------------------
_WHITESPACE = re.compile(r"\s")
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _looks_binary(body: bytes) -> bool:
    """Guess whether a word2vec body (after the header) is binary: not UTF-8, or control bytes."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return _CONTROL.search(body) is not None


def _read_text(body: bytes, n_words: int, dim: int, path: Path) -> tuple[list[str], np.ndarray]:
    """Parse the text format: one 'word v1 ... v_dim' line per word; errors name the line."""
    lines = body.split(b"\n")
    if len(lines) < n_words or (len(lines) == n_words and not lines[-1].strip()):
        found = sum(1 for ln in lines if ln.strip())
        raise ValueError(f"{path}: truncated file, the header announces {n_words} words but only "
                         f"{found} lines follow it (file ends at line {found + 1})")
    extra = [k for k, ln in enumerate(lines[n_words:], start=n_words + 2) if ln.strip()]
    if extra:
        raise ValueError(f"{path}, line {extra[0]}: more lines than the {n_words} words the header announces")
    words: list[str] = []
    seen: dict[str, int] = {}
    vectors = np.empty((n_words, dim), dtype=np.float32)  # (V, dim)
    for k in range(n_words):
        line_no = k + 2
        parts = lines[k].split()  # ASCII whitespace only, as in the C tool
        if len(parts) != dim + 1:
            raise ValueError(f"{path}, line {line_no}: expected a word and {dim} values, "
                             f"got {max(len(parts) - 1, 0)} values")
        try:
            word = parts[0].decode("utf-8")
            vectors[k] = np.array(parts[1:], dtype=np.float32)
        except (UnicodeDecodeError, ValueError) as err:
            raise ValueError(f"{path}, line {line_no}: {err}") from None
        if not np.isfinite(vectors[k]).all():
            raise ValueError(f"{path}, line {line_no}: the vector of {word!r} contains NaN or infinity")
        if word in seen:
            raise ValueError(f"{path}, line {line_no}: word {word!r} already appeared on line {seen[word]}")
        seen[word] = line_no
        words.append(word)
    return words, vectors


def _read_binary(body: bytes, n_words: int, dim: int, path: Path) -> tuple[list[str], np.ndarray]:
    """Parse the binary format: 'word ' then dim float32 values, an optional newline after each."""
    size = 4 * dim
    words: list[str] = []
    seen: dict[str, int] = {}
    vectors = np.empty((n_words, dim), dtype=np.float32)  # (V, dim)
    pos = 0
    for k in range(n_words):
        entry = k + 1
        while pos < len(body) and body[pos:pos + 1] == b"\n":  # the C tool ends each vector with a newline
            pos += 1
        space = body.find(b" ", pos)
        if space < 0 or space + 1 + size > len(body):
            raise ValueError(f"{path}: truncated file, entry {entry} of {n_words} (byte {pos} "
                             "after the header) is incomplete")
        raw = body[pos:space]
        try:
            word = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            raise ValueError(f"{path}, entry {entry} (byte {pos} after the header): {err}") from None
        if not word or _WHITESPACE.search(word) or _CONTROL.search(raw):
            raise ValueError(f"{path}, entry {entry} (byte {pos} after the header): bad word {word!r}; "
                             "is the dimension in the header right?")
        vectors[k] = np.frombuffer(body, dtype="<f4", count=dim, offset=space + 1)
        if not np.isfinite(vectors[k]).all():
            raise ValueError(f"{path}, entry {entry} (byte {pos} after the header): the vector of "
                             f"{word!r} contains NaN or infinity")
        if word in seen:
            raise ValueError(f"{path}, entry {entry} (byte {pos} after the header): word {word!r} "
                             f"already appeared as entry {seen[word]}")
        seen[word] = entry
        words.append(word)
        pos = space + 1 + size
    if body[pos:].strip(b"\n"):
        raise ValueError(f"{path}: {len(body) - pos} bytes follow the {n_words} words the header "
                         "announces; is the header right?")
    return words, vectors
