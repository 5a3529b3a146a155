"""Turn raw text into tokens, and tokens into integer ids with a frequency-sorted vocabulary."""
from __future__ import annotations

import difflib
import re
from collections import Counter
from typing import Iterable, Sequence

import numpy as np

from ._checks import check_choice, check_int

# A token is a run of letters or digits, possibly joined by inner apostrophes ("don't", "o'neill").
_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


def tokenize(text: str) -> list[str]:
    """Split `text` into lowercase tokens of letters, digits and inner apostrophes."""
    if not isinstance(text, str):
        raise ValueError(f"text must be a str, got {type(text).__name__}")
    return _TOKEN.findall(text.lower())


def _check_not_str(name: str, tokens) -> None:
    """Raise ValueError if `tokens` is one str (iterating it would give characters, not words)."""
    if isinstance(tokens, str):
        raise ValueError(f"{name} must be a list of words, got a single str (tokenize it first)")


def unknown_word_message(word, words: Sequence[str]) -> str:
    """Return "word 'x' is not in the vocabulary (V words); did you mean ...?" for an unknown word."""
    close = difflib.get_close_matches(str(word), words, n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
    return f"word {word!r} is not in the vocabulary ({len(words)} words){hint}"


def lookup(index: dict[str, int], words: Sequence[str], word) -> int:
    """Return index[word]; KeyError naming the word and close matches if it is unknown."""
    try:
        return index[word]
    except (KeyError, TypeError):
        raise KeyError(unknown_word_message(word, words)) from None


class Vocab:
    """A vocabulary: words sorted by descending count (ties alphabetically), with their ids.

    Word ``vocab.words[i]`` has id ``i`` and was seen ``vocab.counts[i]`` times, so id 0 is the
    most frequent word. Build one with :meth:`Vocab.build`.
    """

    def __init__(self, words: Sequence[str], counts) -> None:
        words = list(words)
        counts = np.asarray(counts, dtype=np.int64)
        if len(words) == 0:
            raise ValueError("a Vocab needs at least one word, got none")
        if counts.shape != (len(words),):
            raise ValueError(f"counts must have one entry per word ({len(words)}), got shape {counts.shape}")
        if (counts < 0).any():
            raise ValueError(f"counts must be >= 0, got {counts.min()}")
        if np.any(np.diff(counts) > 0):
            raise ValueError("counts must be sorted from most to least frequent")
        self.words: list[str] = words
        self.counts: np.ndarray = counts
        self._index: dict[str, int] = {w: i for i, w in enumerate(words)}
        if len(self._index) != len(words):
            dup = next(w for w, c in Counter(words).items() if c > 1)
            raise ValueError(f"words must be unique, {dup!r} appears more than once")

    @classmethod
    def build(cls, tokens: Iterable[str], min_count: int = 1, max_size: int | None = None) -> "Vocab":
        """Count `tokens`; keep words seen at least `min_count` times, at most `max_size` of them."""
        min_count = check_int("min_count", min_count, 0)
        if max_size is not None:
            max_size = check_int("max_size", max_size, 1)
        _check_not_str("tokens", tokens)
        counter = Counter(tokens)
        if not counter:
            raise ValueError("cannot build a vocabulary from an empty corpus (no tokens)")
        bad = next((w for w in counter if not isinstance(w, str)), None)
        if bad is not None:
            raise ValueError(f"tokens must be words (str), got {bad!r} ({type(bad).__name__})")
        items = sorted(counter.items(), key=lambda wc: (-wc[1], wc[0]))
        items = [(w, c) for w, c in items if c >= min_count]
        if not items:
            raise ValueError(
                f"min_count={min_count} removes every word (the most frequent word appears "
                f"{max(counter.values())} times)"
            )
        if max_size is not None:
            items = items[:max_size]
        words, counts = zip(*items)
        return cls(words, counts)

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        return word in self._index

    def __iter__(self):
        return iter(self.words)

    def __repr__(self) -> str:
        head = ", ".join(self.words[:5])
        return f"Vocab({len(self)} words, {self.total} tokens: {head}{', ...' if len(self) > 5 else ''})"

    @property
    def total(self) -> int:
        """Return the number of training tokens the vocabulary covers."""
        return int(self.counts.sum())

    def suggest(self, word: str, n: int = 3) -> list[str]:
        """Return up to `n` vocabulary words spelled like `word`."""
        return difflib.get_close_matches(str(word), self.words, n=n, cutoff=0.6)

    def index(self, word: str) -> int:
        """Return the id of `word`; KeyError naming it and close matches if it is unknown."""
        return lookup(self._index, self.words, word)

    def _unknown_message(self, word) -> str:
        return unknown_word_message(word, self.words)

    def encode(self, tokens: Iterable[str], oov: str = "skip") -> np.ndarray:
        """Return the ids of `tokens` as int64; unknown words are dropped ("skip") or raise ("error")."""
        check_choice("oov", oov, {"skip", "error"})
        _check_not_str("tokens", tokens)
        tokens = tokens if isinstance(tokens, list) else list(tokens)
        get = self._index.get
        ids = [get(w, -1) for w in tokens]
        arr = np.fromiter(ids, dtype=np.int64, count=len(ids))
        if oov == "error" and (arr < 0).any():
            first = next(w for w, i in zip(tokens, ids) if i < 0)
            raise KeyError(self._unknown_message(first))
        return arr[arr >= 0] if oov == "skip" else arr

    def decode(self, ids) -> list[str]:
        """Return the words for the ids in `ids`."""
        arr = np.asarray(ids)
        if arr.size and not np.issubdtype(arr.dtype, np.integer):
            raise ValueError(f"ids must be integers, got dtype {arr.dtype}")
        bad = (arr < 0) | (arr >= len(self))
        if bad.any():
            raise ValueError(f"id {arr[bad].flat[0]} is outside the vocabulary range [0, {len(self)})")
        return [self.words[i] for i in arr.ravel().tolist()]
