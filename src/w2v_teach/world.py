"""The planted world corpus: English-like text of any length whose relations we know.

:func:`world_corpus` writes sentences from templates (:mod:`w2v_teach.world_lexicon`) in which
countries go with their capitals, languages and currencies, male words with female words, verbs
with their past tenses and -ing forms, nouns with plurals and adjectives with comparatives, among
filler sentences with a Zipf-like vocabulary. It returns the tokens and the analogy questions
that test each planted relation (:class:`WorldCorpus`). The text depends only on `n_tokens` and
`seed`, and is the same on every machine (integer and exactly rounded float64 arithmetic).
"""
from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ._checks import check_choice, check_int
from ._files import atomic_write
from .world_lexicon import (
    ADJECTIVES, ADJECTIVE_TEMPLATES, COUNTRIES, COUNTRY_TEMPLATES, FILLER_ADJECTIVES,
    FILLER_NOUNS, FILLER_TEMPLATES, FILLER_VERBS, GENDER, GENDER_TEMPLATES, NAMES, NOUNS,
    NOUN_TEMPLATES, PRONOUNS, SUBJECTS, SUBJECTS_PLURAL, SUBJECTS_SINGULAR, VERBS,
    VERB_TEMPLATES,
)


def _unique(words):
    """Return `words` without repeats, keeping the first occurrence (deterministic order)."""
    seen: set[str] = set()
    out = []
    for w in words:
        if w not in seen:
            seen.add(w)
            out.append(w)
    return out


def _planted_words() -> list[str]:
    """Return every word of the planted lexicon and the templates, in a fixed order."""
    words = []
    for c in COUNTRIES:
        words += [c[0], c[1], c[2], c[3], c[4], *c[5], *c[6]]
    for m, f, cues in GENDER:
        words += [m, f, *cues]
    for p in PRONOUNS:
        words += list(p.values())
    for names in NAMES:
        words += list(names)
    for v in VERBS:
        words += [v[0], v[1], v[2], *" ".join(v[3]).split()]
    for s, p, cues in NOUNS + ADJECTIVES:
        words += [s, p, *cues]
    templates = [t for ts in COUNTRY_TEMPLATES.values() for t in ts] + GENDER_TEMPLATES
    for group in (VERB_TEMPLATES, NOUN_TEMPLATES, ADJECTIVE_TEMPLATES):
        templates += [t for ts in group.values() for t in ts]
    templates += FILLER_TEMPLATES + list(SUBJECTS_SINGULAR + SUBJECTS_PLURAL + SUBJECTS)
    for t in templates:
        words += [w for w in t.split() if not w.startswith("@")]
    return _unique(words)


def _pseudo_words(n: int, taken: set[str]) -> list[str]:
    """Return `n` invented, pronounceable words (a fixed list: it does not depend on any seed)."""
    onsets = ["b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z",
              "br", "dr", "gr", "kr", "pl", "st", "tr", "sh", "ch", "th"]
    vowels = ["a", "e", "i", "o", "u", "ai", "ou"]
    codas = ["", "", "", "n", "r", "l", "s", "m", "k", "nd", "st"]
    rng = np.random.default_rng(20130116)  # a fixed lexicon, independent of the corpus seed
    out: list[str] = []
    seen = set(taken)
    while len(out) < n:
        u = rng.random(12).tolist()
        n_syll = 2 + int(u[0] * 2)  # 2 or 3 syllables
        word = ""
        for s in range(n_syll):
            word += onsets[int(u[1 + 3 * s] * len(onsets))] + vowels[int(u[2 + 3 * s] * len(vowels))]
        word += codas[int(u[10] * len(codas))]
        if word not in seen:
            seen.add(word)
            out.append(word)
    return out


_N_PSEUDO = 2400


@functools.lru_cache(maxsize=1)
def _filler_lexicon() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Return the filler nouns (real ones first, then invented ones), adjectives and verbs."""
    planted = set(_planted_words())
    nouns = [w for w in _unique(FILLER_NOUNS) if w not in planted]
    adjectives = [w for w in _unique(FILLER_ADJECTIVES) if w not in planted and w not in nouns]
    verbs = [w for w in _unique(FILLER_VERBS) if w not in planted and w not in nouns and w not in adjectives]
    taken = planted | set(nouns) | set(adjectives) | set(verbs)
    nouns += _pseudo_words(_N_PSEUDO, taken)
    return tuple(nouns), tuple(adjectives), tuple(verbs)


def _zipf_cdf(n: int, offset: float = 2.7) -> np.ndarray:
    """Return the cumulative distribution of a Zipf law p(r) ~ 1 / (r + offset), r = 0..n-1."""
    weights = 1.0 / (np.arange(n, dtype=np.float64) + offset)  # only division: exact on every machine
    cdf = np.cumsum(weights)
    return cdf / cdf[-1]


# Share of sentences per family (the rest is filler text), and the families' questions.
_FAMILY_WEIGHTS = (("country", 0.27), ("gender", 0.15), ("verb", 0.15), ("noun", 0.10),
                   ("adjective", 0.09), ("filler", 0.24))


@dataclass
class WorldCorpus:
    """A synthetic corpus with planted relations, and the analogy questions that test them.

    ``questions`` holds ``(section, a, b, c, d)`` tuples meaning a : b :: c : d, the order of the
    Google analogy file: the answer ``d`` should be nearest to ``b - a + c``.
    """

    tokens: list[str]
    questions: list[tuple[str, str, str, str, str]]
    sections: list[str] = field(default_factory=list)

    def pairs(self, section: str) -> list[tuple[str, str]]:
        """Return the word pairs of `section`, e.g. [("france", "paris"), ...] or [("man", "woman"), ...]."""
        if section not in self.sections:
            raise KeyError(f"no section {section!r}; sections: {', '.join(self.sections)}")
        out: list[tuple[str, str]] = []
        for q in self.questions:
            if q[0] == section:
                pair = (q[1], q[3]) if section == "male-female" else (q[1], q[2])
                if pair not in out:
                    out.append(pair)
        return out

    def write_questions(self, path) -> Path:
        """Write the questions in the Google format (`: section` lines, then `a b c d` lines)."""
        path = Path(path)
        lines = []
        for section in self.sections:
            lines.append(f": {section}")
            lines += [" ".join(q[1:]) for q in self.questions if q[0] == section]
        atomic_write(path, "\n".join(lines) + "\n")
        return path


def _pair_questions(section: str, pairs) -> list[tuple[str, str, str, str, str]]:
    """Return (section, a, b, c, d) for every ordered pair of different pairs (a, b), (c, d)."""
    return [(section, a, b, c, d) for i, (a, b) in enumerate(pairs)
            for j, (c, d) in enumerate(pairs) if i != j]


def world_questions() -> tuple[list[str], list[tuple[str, str, str, str, str]]]:
    """Return the section names and all planted analogy questions."""
    sections = {
        "country-capital": [(c[0], c[1]) for c in COUNTRIES],
        "country-language": [(c[0], c[2]) for c in COUNTRIES],
        "country-currency": [(c[0], c[3]) for c in COUNTRIES if c[3] != "euro"],
        "past-tense": [(v[0], v[1]) for v in VERBS],
        "present-participle": [(v[1], v[2]) for v in VERBS],
        "plural": [(s, p) for s, p, _ in NOUNS],
        "comparative": [(s, p) for s, p, _ in ADJECTIVES],
    }
    questions = []
    for name, pairs in sections.items():
        questions += _pair_questions(name, pairs)
    # The male-female section is written the way the literature quotes it, "man king woman
    # queen": a : b are two male words and c : d the matching female words. By the
    # parallelogram this is the same analogy as "man woman king queen", only turned around.
    gender = [(m_i, m_j, f_i, f_j) for i, (m_i, f_i, _) in enumerate(GENDER)
              for j, (m_j, f_j, _) in enumerate(GENDER) if i != j]
    questions += [("male-female", *q) for q in gender]
    names = list(sections) + ["male-female"]
    order = {"country-capital": 0, "country-language": 1, "country-currency": 2, "male-female": 3,
             "past-tense": 4, "present-participle": 5, "plural": 6, "comparative": 7}
    names.sort(key=order.__getitem__)
    questions.sort(key=lambda q: order[q[0]])  # stable: keeps the pair order within a section
    return names, questions


class Draws:
    """Uniform random numbers from one Generator, drawn in blocks and handed out one at a time."""

    def __init__(self, rng: np.random.Generator, block: int = 1 << 16) -> None:
        self.rng, self.block = rng, block
        self.buf: list[float] = []
        self.pos = 0

    def u(self) -> float:
        """Return the next uniform number in [0, 1)."""
        if self.pos == len(self.buf):
            self.buf = self.rng.random(self.block).tolist()
            self.pos = 0
        self.pos += 1
        return self.buf[self.pos - 1]

    def pick(self, seq):
        """Return a uniformly chosen element of `seq`."""
        return seq[int(self.u() * len(seq))]


def _compile(templates):
    """Split each template string into a tuple of tokens."""
    if isinstance(templates, dict):
        return {k: _compile(v) for k, v in templates.items()}
    return [tuple(t.split()) for t in templates]


class WorldGenerator:
    """Produce sentences (lists of tokens) of the world corpus from one random Generator."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.d = Draws(rng)
        self.nouns, self.adjectives, self.verbs = _filler_lexicon()
        self.noun_cdf = _zipf_cdf(len(self.nouns)).tolist()
        self.adj_cdf = _zipf_cdf(len(self.adjectives)).tolist()
        self.verb_cdf = _zipf_cdf(len(self.verbs)).tolist()
        names, weights = zip(*_FAMILY_WEIGHTS)
        self.family_names = names
        self.family_cdf = np.cumsum(weights).tolist()
        self.family_cdf[-1] = 1.0
        self.country_t = _compile(COUNTRY_TEMPLATES)
        self.gender_t = _compile(GENDER_TEMPLATES)
        self.verb_t = _compile(VERB_TEMPLATES)
        self.noun_t = _compile(NOUN_TEMPLATES)
        self.adj_t = _compile(ADJECTIVE_TEMPLATES)
        self.filler_t = _compile(FILLER_TEMPLATES)
        self.country_forms = list(self.country_t)
        self.family = {"country": self._country, "gender": self._gender, "verb": self._verb,
                       "noun": self._noun, "adjective": self._adjective, "filler": self._filler}

    def zipf(self, words, cdf):
        """Return one of `words` drawn by the cumulative Zipf weights `cdf`."""
        return words[bisect.bisect_right(cdf, self.d.u())]

    def _fill(self, template, slots) -> list[str]:
        """Replace the slots of `template`; @N, @A, @Vd draw filler words."""
        out = []
        for tok in template:
            if tok[0] != "@":
                out.append(tok)
            elif tok == "@N":
                out.append(self.zipf(self.nouns, self.noun_cdf))
            elif tok == "@A":
                out.append(self.zipf(self.adjectives, self.adj_cdf))
            elif tok == "@Vd":
                out.append(self.zipf(self.verbs, self.verb_cdf))
            else:
                value = slots[tok]
                if isinstance(value, tuple):
                    value = self.d.pick(value)
                out.extend(value.split())
        for i in range(len(out) - 1):
            if out[i] == "a" and out[i + 1][0] in "aeiou":
                out[i] = "an"
        return out

    def sentence(self) -> list[str]:
        """Return one sentence as a list of tokens."""
        name = self.family_names[bisect.bisect_right(self.family_cdf, self.d.u())]
        return self.family[name]()

    def _country(self):
        c = self.d.pick(COUNTRIES)
        form = self.d.pick(self.country_forms)
        slots = {"@country": c[0], "@capital": c[1], "@language": c[2], "@currency": c[3],
                 "@region": c[4], "@name": c[5], "@thing": c[6]}
        return self._fill(self.d.pick(self.country_t[form]), slots)

    def _gender(self):
        pair = self.d.pick(GENDER)
        g = int(self.d.u() * 2)
        slots = dict(PRONOUNS[g])
        slots.update({"@X": pair[g], "@cue": pair[2], "@name": NAMES[g]})
        return self._fill(self.d.pick(self.gender_t), slots)

    def _verb(self):
        v = self.d.pick(VERBS)
        k = int(self.d.u() * 3)
        form = ("base", "past", "ing")[k]
        slots = {"@V": v[k], "@cue": v[3], "@subj": SUBJECTS, "@subjs": SUBJECTS_SINGULAR,
                 "@subjp": SUBJECTS_PLURAL}
        return self._fill(self.d.pick(self.verb_t[form]), slots)

    def _noun(self):
        n = self.d.pick(NOUNS)
        k = int(self.d.u() * 2)
        slots = {"@X": n[k], "@cue": n[2]}
        return self._fill(self.d.pick(self.noun_t[("sg", "pl")[k]]), slots)

    def _adjective(self):
        a = self.d.pick(ADJECTIVES)
        k = int(self.d.u() * 2)
        slots = {"@X": a[k], "@cue": a[2]}
        return self._fill(self.d.pick(self.adj_t[("base", "cmp")[k]]), slots)

    def _filler(self):
        return self._fill(self.d.pick(self.filler_t), {})


def world_corpus(n_tokens: int, seed: int = 0) -> WorldCorpus:
    """Generate `n_tokens` tokens of synthetic English-like text with planted relations.

    The text mixes sentences about 19 countries (capital, language, currency), 14 male/female
    word pairs, 16 verbs (base, past, -ing), 16 nouns (singular, plural), 16 adjectives (plain,
    comparative) and filler sentences whose nouns follow a Zipf law with a long tail of invented
    words. The relations are planted through shared contexts, placed within two or three words:
    the words of one country share a person's name and two things (a landmark, a dish...),
    while each *role* (country, capital, language, currency) has its own frames ("the mayor of
    ...", "speaks ..."); male and female words share their role's nouns (throne, crown) but not
    their pronouns and names; verb forms share their objects but not their time words. So
    ``paris - france`` is roughly the same vector as ``rome - italy``, which is what an analogy
    test asks. A count model (PPMI + SVD, chapter 1) answers every country question but misses
    more of the others, male-female most of all; skip-gram on 1M tokens answers nearly all.

    The questions are every ordered pair of different word pairs within a family, in eight
    sections: ``country-capital`` (france paris italy rome), ``country-language`` (france french
    ...), ``country-currency`` (japan yen ..., only the 12 countries with a currency of their
    own), ``male-female`` (written man king woman queen), ``past-tense`` (walk walked swim swam),
    ``present-participle`` (from the past tense: walked walking swam swimming), ``plural`` and
    ``comparative``; 1958 questions in all.

    The corpus is exactly `n_tokens` long (the last sentence is cut) and depends only on
    `seed`: the same seed gives the same tokens on any machine (a shorter corpus is a prefix of
    a longer one). The questions do not depend on the seed. About 1M tokens a second.
    """
    n_tokens = check_int("n_tokens", n_tokens, 1)
    seed = check_int("seed", seed, 0)
    gen = WorldGenerator(np.random.default_rng(seed))
    tokens: list[str] = []
    while len(tokens) < n_tokens:
        tokens += gen.sentence()
    del tokens[n_tokens:]
    sections, questions = world_questions()
    return WorldCorpus(tokens=tokens, questions=questions, sections=sections)


FAMILIES = tuple(name for name, _ in _FAMILY_WEIGHTS)


def family_sentences(family: str, n: int = 3, seed: int = 0) -> list[str]:
    """Return `n` sentences of one family of the world corpus, to show how it plants its relations.

    `family` is one of :data:`FAMILIES` (``"country"``, ``"gender"``, ``"verb"``, ``"noun"``,
    ``"adjective"``, ``"filler"``). The sentences come from the same templates and word lists as
    :func:`world_corpus`, each joined into one string; the same `seed` gives the same sentences.
    """
    family = check_choice("family", family, FAMILIES)
    n = check_int("n", n, 1)
    seed = check_int("seed", seed, 0)
    gen = WorldGenerator(np.random.default_rng(seed))
    return [" ".join(gen.family[family]()) for _ in range(n)]
