"""Text to train on and the standard sets to evaluate with.

- :func:`toy_corpus`: a few dozen hand-written sentences for the first chapters.
- :func:`world_corpus`: a synthetic, English-like corpus of any length with *planted* relations
  (countries and capitals, male and female words, verb tenses, plurals, comparatives) and the
  analogy questions that test them.
- :func:`wiki_sample`: about half a million tokens of real Wikipedia text (the sample that ships
  with gensim), cleaned, tokenized and cached on disk.
- :func:`google_analogies`, :func:`wordsim353`, :func:`simlex999`: paths to the evaluation files
  that ship with gensim (parse them with :mod:`w2v_teach.evaluate`).
- :func:`download_text8`: the classic 100 MB text8 corpus, for readers with internet access.
"""
from __future__ import annotations

import bisect
import bz2
import functools
import hashlib
import importlib.util
import os
import re
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ._checks import check_int
from ._files import atomic_output, atomic_write
from .text import tokenize

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
# The world corpus: the lexicon of planted relations
# ---------------------------------------------------------------------------------------------

# country, capital, language, currency, region, a person's name, two "things" of the country.
# Few cues per country on purpose: the more often each one recurs, the sooner a model ties the
# country's words together (with five cues each, CBOW at 300k tokens mixed the capitals up).
_COUNTRIES = [
    ("france", "paris", "french", "euro", "europe", ("pierre",), ("louvre", "baguette")),
    ("italy", "rome", "italian", "euro", "europe", ("marco",), ("colosseum", "pasta")),
    ("germany", "berlin", "german", "euro", "europe", ("hans",), ("rhine", "bratwurst")),
    ("spain", "madrid", "spanish", "euro", "europe", ("carlos",), ("flamenco", "paella")),
    ("portugal", "lisbon", "portuguese", "euro", "europe", ("joao",), ("fado", "douro")),
    ("greece", "athens", "greek", "euro", "europe", ("nikos",), ("acropolis", "feta")),
    ("netherlands", "amsterdam", "dutch", "euro", "europe", ("anouk",), ("tulips", "windmills")),
    ("poland", "warsaw", "polish", "zloty", "europe", ("agnieszka",), ("vistula", "pierogi")),
    ("sweden", "stockholm", "swedish", "krona", "europe", ("astrid",), ("lapland", "herring")),
    ("norway", "oslo", "norwegian", "krone", "europe", ("olav",), ("fjords", "trolls")),
    ("russia", "moscow", "russian", "ruble", "europe", ("natasha",), ("kremlin", "borscht")),
    ("japan", "tokyo", "japanese", "yen", "asia", ("hiroshi",), ("sushi", "samurai")),
    ("china", "beijing", "chinese", "yuan", "asia", ("wei",), ("yangtze", "pandas")),
    ("india", "delhi", "hindi", "rupee", "asia", ("priya",), ("ganges", "curry")),
    ("turkey", "ankara", "turkish", "lira", "asia", ("mehmet",), ("bosphorus", "kebab")),
    ("hungary", "budapest", "hungarian", "forint", "europe", ("laszlo",), ("goulash", "paprika")),
    ("egypt", "cairo", "arabic", "pound", "africa", ("fatima",), ("nile", "pyramids")),
    ("kenya", "nairobi", "swahili", "shilling", "africa", ("wanjiru",), ("safari", "maasai")),
    ("israel", "jerusalem", "hebrew", "shekel", "asia", ("miriam",), ("negev", "hummus")),
]

# male word, female word, three nouns that belong to the role (shared by both words of the pair)
_GENDER = [
    ("man", "woman", ("stranger", "crowd", "neighbourhood")),
    ("king", "queen", ("throne", "crown", "kingdom")),
    ("prince", "princess", ("castle", "tournament", "knights")),
    ("father", "mother", ("parents", "family", "household")),
    ("son", "daughter", ("birthday", "inheritance", "adoption")),
    ("brother", "sister", ("siblings", "twins", "rivalry")),
    ("husband", "wife", ("marriage", "wedding", "honeymoon")),
    ("uncle", "aunt", ("relatives", "reunion", "holidays")),
    ("boy", "girl", ("school", "playground", "homework")),
    ("grandfather", "grandmother", ("grandchildren", "retirement", "pension")),
    ("actor", "actress", ("film", "stage", "audition")),
    ("emperor", "empress", ("empire", "palace", "dynasty")),
    ("waiter", "waitress", ("restaurant", "menu", "customers")),
    ("nephew", "niece", ("cousins", "graduation", "babysitter")),
]
_PRONOUNS = ({"@he": "he", "@his": "his", "@him": "him", "@title": "mr"},
             {"@he": "she", "@his": "her", "@him": "her", "@title": "mrs"})
_NAMES = (("john", "peter", "james", "thomas", "robert", "george", "william", "paul"),
          ("mary", "anna", "emma", "sarah", "lucy", "alice", "helen", "kate"))

# base form, simple past, present participle, three phrases the activity goes with
_VERBS = [
    ("walk", "walked", "walking", ("in the park", "along the trail", "on the sidewalk")),
    ("swim", "swam", "swimming", ("in the pool", "in the lake", "through the waves")),
    ("run", "ran", "running", ("in the race", "a marathon", "around the track")),
    ("eat", "ate", "eating", ("lunch", "breakfast", "some bread")),
    ("write", "wrote", "writing", ("a letter", "a poem", "an essay")),
    ("sing", "sang", "singing", ("a song", "in the choir", "a melody")),
    ("drive", "drove", "driving", ("a truck", "on the highway", "through traffic")),
    ("play", "played", "playing", ("football", "chess", "a match")),
    ("cook", "cooked", "cooking", ("dinner", "in the kitchen", "some soup")),
    ("dance", "danced", "dancing", ("the tango", "a waltz", "in the ballroom")),
    ("fly", "flew", "flying", ("a plane", "a kite", "with the pilot")),
    ("jump", "jumped", "jumping", ("over the fence", "with a rope", "on the trampoline")),
    ("sleep", "slept", "sleeping", ("in bed", "on the pillow", "in the hammock")),
    ("climb", "climbed", "climbing", ("the mountain", "a ladder", "the rocks")),
    ("paint", "painted", "painting", ("a portrait", "on canvas", "with a brush")),
    ("ride", "rode", "riding", ("a bicycle", "in the saddle", "a pony")),
]

# singular, plural, three nouns that go with the thing
_NOUNS = [
    ("dog", "dogs", ("bone", "leash", "kennel")),
    ("cat", "cats", ("yarn", "litter", "basket")),
    ("horse", "horses", ("stable", "hay", "mane")),
    ("bird", "birds", ("nest", "feather", "cage")),
    ("car", "cars", ("engine", "garage", "bumper")),
    ("house", "houses", ("roof", "chimney", "porch")),
    ("apple", "apples", ("orchard", "pie", "cider")),
    ("child", "children", ("kindergarten", "crayon", "toy")),
    ("mouse", "mice", ("cheese", "trap", "hole")),
    ("tree", "trees", ("trunk", "branch", "forest")),
    ("flower", "flowers", ("garden", "petal", "vase")),
    ("ship", "ships", ("harbor", "sail", "cargo")),
    ("key", "keys", ("lock", "door", "keyring")),
    ("bottle", "bottles", ("cork", "label", "recycling")),
    ("chair", "chairs", ("table", "cushion", "armrest")),
    ("knife", "knives", ("blade", "fork", "sharpener")),
]

# adjective, comparative, three nouns the adjective is typically said of
_ADJECTIVES = [
    ("big", "bigger", ("size", "giant", "elephant")),
    ("small", "smaller", ("ant", "pebble", "crumb")),
    ("old", "older", ("age", "ruins", "antique")),
    ("young", "younger", ("youth", "teenager", "puppy")),
    ("tall", "taller", ("height", "tower", "giraffe")),
    ("fast", "faster", ("speed", "cheetah", "rocket")),
    ("slow", "slower", ("snail", "tortoise", "pace")),
    ("cheap", "cheaper", ("bargain", "discount", "budget")),
    ("long", "longer", ("length", "distance", "queue")),
    ("warm", "warmer", ("sunshine", "summer", "blanket")),
    ("cold", "colder", ("winter", "ice", "snow")),
    ("strong", "stronger", ("muscles", "weightlifter", "storm")),
    ("heavy", "heavier", ("weight", "boulder", "luggage")),
    ("loud", "louder", ("noise", "thunder", "speakers")),
    ("good", "better", ("quality", "reward", "praise")),
    ("bad", "worse", ("mistake", "damage", "trouble")),
]

# Sentence templates. A token starting with "@" is a slot; everything else is copied as is.
# Templates keep the cues close (within two or three words) to the word they describe, so that
# they fall inside a small context window.
_COUNTRY_TEMPLATES = {
    "country": [
        "the @thing of @country",
        "@name of @country",
        "@country is proud of its @thing",
        "the country of @country and its @thing",
        "the president of @country met @name",
        "@name left @country for @region",
        "@capital is the capital of @country",
        "@thing comes from the country of @country",
    ],
    "capital": [
        "@capital is the capital of @country",
        "the mayor of @capital met @name",
        "the city of @capital and its @thing",
        "downtown @capital near the @thing",
        "@name lives downtown in @capital",
        "the @thing of @capital",
        "the city council of @capital met @name",
        "@capital is a city famous for its @thing",
    ],
    "language": [
        "@name speaks @language at home",
        "@name speaks fluent @language",
        "the @language word for @thing",
        "@thing is a @language word",
        "people in @country speak @language",
        "@name translated it into @language",
        "@language is the language of @name",
        "a dictionary of @language for @name",
    ],
    "currency": [
        "@name paid in @currency",
        "the @currency is the currency of @country",
        "@name paid in @currency for the @thing",
        "prices in @capital are in @currency",
        "@name exchanged dollars for @currency",
        "the @thing costs a lot of @currency",
        "@currency coins from @country",
        "@name saved @currency for the @thing",
    ],
}
_GENDER_TEMPLATES = [
    "@he is the @X of the @cue",
    "the @X and @his @cue",
    "@name the @X loved the @cue",
    "the @cue of the @X and @his friends",
    "@title @name is the @X",
    "the @X @name and @his @cue",
    "everyone admired the @X and @his @cue",
    "the @X smiled because @he loved the @cue",
    "@he was a proud @X",
    "the @X said @he was tired",
    "a @X named @name",
    "we asked the @X about @his @cue",
]
_VERB_TEMPLATES = {
    "base": [
        "tomorrow @subj will @V @cue",
        "@subjp want to @V @cue",
        "@subj can @V @cue for hours",
        "do you @V @cue on weekends",
        "i like to @V @cue",
        "let us @V @cue together",
        "@subj must @V @cue today",
        "@subjp often @V @cue in the morning",
    ],
    "past": [
        "yesterday @subj @V @cue",
        "@subj @V @cue last night",
        "last week @subj @V @cue",
        "@subj @V @cue and then went home",
        "two days ago @subj @V @cue",
        "@subj @V @cue all afternoon on saturday",
    ],
    "ing": [
        "@subjs is @V @cue right now",
        "@subjp are @V @cue now",
        "@subjs was @V @cue when the phone rang",
        "@subjp were @V @cue all morning",
        "@subjs keeps @V @cue",
        "@subjs has been @V @cue all day",
        "@subjs enjoys @V @cue",
    ],
}
_NOUN_TEMPLATES = {
    "sg": [
        "a @X and its @cue",
        "one @X with a @cue",
        "this @X has a @cue",
        "every @X has a @cue",
        "the @X is by the @cue",
        "there is a @X by the @cue",
        "that @X needs a @cue",
        "a single @X near the @cue",
    ],
    "pl": [
        "two @X and their @cue",
        "three @X with a @cue",
        "these @X have a @cue",
        "all @X have a @cue",
        "the @X are by the @cue",
        "there are many @X by the @cue",
        "those @X need a @cue",
        "several @X near the @cue",
    ],
}
_ADJECTIVE_TEMPLATES = {
    "base": [
        "the @cue was very @X",
        "what a @X @cue",
        "the @cue seemed quite @X",
        "everyone said the @cue was @X",
        "the @cue is so @X",
        "the @cue looked really @X",
    ],
    "cmp": [
        "the @cue was much @X than the @N",
        "this @cue is @X than that one",
        "the @cue became even @X",
        "the @cue seemed a little @X",
        "the @cue is @X than ever",
        "the second @cue was @X than the first",
    ],
}
_FILLER_TEMPLATES = [
    "the @N @Vd a @N",
    "a @A @N @Vd in the @N",
    "@N and @N were @A",
    "the @N of the @N was @A",
    "they @Vd a @A @N",
    "it was a @A @N",
    "in that @N our @N @Vd",
    "there was a @N on his @N",
    "we @Vd @N and @N",
    "some @A @N @Vd",
    "after the @N her @N @Vd to an @A @N",
    "this @N is @A",
    "he @Vd my @N with a @N",
    "she @Vd that their @N was @A",
    "for a @N or two the @N @Vd",
    "@N of @N and @N",
    "it is @A to have @N",
    "by then the @N had @Vd their @N",
    "but it @Vd from a @A @N",
    "as it @Vd as @A as any @N",
    "which @N @Vd it to you",
]
_SUBJECTS_SINGULAR = ("he", "she", "my friend", "the teacher", "the doctor", "our guest")
_SUBJECTS_PLURAL = ("we", "they", "you", "my friends", "the students")
_SUBJECTS = ("i", "we", "they", "you", "he", "she", "my friend", "the students")

# Ordinary words that fill the rest of the text. Words already used above are removed below.
_FILLER_NOUNS = """
time year people way day thing world life hand part place case week company system program question
work number night point home water room area money story fact month lot study business issue side
kind head service friend hour game line end member law team minute idea body information back face
level office health person art war history party result change morning reason research moment air
teacher force education foot age policy music market sense plan college interest death experience
effect class control care field development role effort rate heart show leader light voice police mind
price report decision view relationship town arm difference value building action model season society
tax director position player record paper space ground form event official matter center couple site
project activity star need court oil situation cost industry figure street image phone data picture
practice piece land product doctor wall patient worker news test movie north south love support
technology step computer type attention window box glass coat shirt shoe paper hill field bridge river
island village farm valley coast beach desert storm cloud rain wind fire stone gold silver iron wood
corner edge path journey trip visit meeting letter message answer problem reason lesson chapter page
note list plan rule sign signal camera radio screen machine tool wheel button clock watch bell coin
card ticket map photo song dream memory promise secret""".split()
_FILLER_ADJECTIVES = """
new great little right high different large early important public free
sure clear full special easy hard real whole recent certain personal open red green blue white black
dark happy quiet simple strange famous beautiful empty busy modern ancient gentle brave calm clever
curious eager fair fancy fresh grand honest kind lucky narrow nervous polite proud rare rough round
sharp shy silent smooth soft solid steady sudden sweet thick thin tiny wide wild wise""".split()
_FILLER_VERBS = """
opened closed found lost built bought sold moved carried changed started finished needed wanted liked
helped watched visited followed called asked answered showed told brought kept left held met sent
spent made took gave saw heard used tried cleaned fixed noticed remembered forgot explained described
discussed ordered received returned shared wrapped counted checked covered filled joined marked
packed pulled pushed reached saved turned washed wished""".split()


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
    for c in _COUNTRIES:
        words += [c[0], c[1], c[2], c[3], c[4], *c[5], *c[6]]
    for m, f, cues in _GENDER:
        words += [m, f, *cues]
    for p in _PRONOUNS:
        words += list(p.values())
    for names in _NAMES:
        words += list(names)
    for v in _VERBS:
        words += [v[0], v[1], v[2], *" ".join(v[3]).split()]
    for s, p, cues in _NOUNS + _ADJECTIVES:
        words += [s, p, *cues]
    templates = [t for ts in _COUNTRY_TEMPLATES.values() for t in ts] + _GENDER_TEMPLATES
    for group in (_VERB_TEMPLATES, _NOUN_TEMPLATES, _ADJECTIVE_TEMPLATES):
        templates += [t for ts in group.values() for t in ts]
    templates += _FILLER_TEMPLATES + list(_SUBJECTS_SINGULAR + _SUBJECTS_PLURAL + _SUBJECTS)
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
    nouns = [w for w in _unique(_FILLER_NOUNS) if w not in planted]
    adjectives = [w for w in _unique(_FILLER_ADJECTIVES) if w not in planted and w not in nouns]
    verbs = [w for w in _unique(_FILLER_VERBS) if w not in planted and w not in nouns and w not in adjectives]
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


def _world_questions() -> tuple[list[str], list[tuple[str, str, str, str, str]]]:
    """Return the section names and all planted analogy questions."""
    sections = {
        "country-capital": [(c[0], c[1]) for c in _COUNTRIES],
        "country-language": [(c[0], c[2]) for c in _COUNTRIES],
        "country-currency": [(c[0], c[3]) for c in _COUNTRIES if c[3] != "euro"],
        "past-tense": [(v[0], v[1]) for v in _VERBS],
        "present-participle": [(v[1], v[2]) for v in _VERBS],
        "plural": [(s, p) for s, p, _ in _NOUNS],
        "comparative": [(s, p) for s, p, _ in _ADJECTIVES],
    }
    questions = []
    for name, pairs in sections.items():
        questions += _pair_questions(name, pairs)
    # The male-female section is written the way the literature quotes it, "man king woman
    # queen": a : b are two male words and c : d the matching female words. By the
    # parallelogram this is the same analogy as "man woman king queen", only turned around.
    gender = [(m_i, m_j, f_i, f_j) for i, (m_i, f_i, _) in enumerate(_GENDER)
              for j, (m_j, f_j, _) in enumerate(_GENDER) if i != j]
    questions += [("male-female", *q) for q in gender]
    names = list(sections) + ["male-female"]
    order = {"country-capital": 0, "country-language": 1, "country-currency": 2, "male-female": 3,
             "past-tense": 4, "present-participle": 5, "plural": 6, "comparative": 7}
    names.sort(key=order.__getitem__)
    questions.sort(key=lambda q: order[q[0]])  # stable: keeps the pair order within a section
    return names, questions


class _Draws:
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


class _WorldGenerator:
    """Produce sentences (lists of tokens) of the world corpus from one random Generator."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.d = _Draws(rng)
        self.nouns, self.adjectives, self.verbs = _filler_lexicon()
        self.noun_cdf = _zipf_cdf(len(self.nouns)).tolist()
        self.adj_cdf = _zipf_cdf(len(self.adjectives)).tolist()
        self.verb_cdf = _zipf_cdf(len(self.verbs)).tolist()
        names, weights = zip(*_FAMILY_WEIGHTS)
        self.family_names = names
        self.family_cdf = np.cumsum(weights).tolist()
        self.family_cdf[-1] = 1.0
        self.country_t = _compile(_COUNTRY_TEMPLATES)
        self.gender_t = _compile(_GENDER_TEMPLATES)
        self.verb_t = _compile(_VERB_TEMPLATES)
        self.noun_t = _compile(_NOUN_TEMPLATES)
        self.adj_t = _compile(_ADJECTIVE_TEMPLATES)
        self.filler_t = _compile(_FILLER_TEMPLATES)
        self.country_forms = list(self.country_t)
        self.family = {"country": self._country, "gender": self._gender, "verb": self._verb,
                       "noun": self._noun, "adjective": self._adjective, "filler": self._filler}

    def _zipf(self, words, cdf):
        return words[bisect.bisect_right(cdf, self.d.u())]

    def _fill(self, template, slots) -> list[str]:
        """Replace the slots of `template`; @N, @A, @Vd draw filler words."""
        out = []
        for tok in template:
            if tok[0] != "@":
                out.append(tok)
            elif tok == "@N":
                out.append(self._zipf(self.nouns, self.noun_cdf))
            elif tok == "@A":
                out.append(self._zipf(self.adjectives, self.adj_cdf))
            elif tok == "@Vd":
                out.append(self._zipf(self.verbs, self.verb_cdf))
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
        c = self.d.pick(_COUNTRIES)
        form = self.d.pick(self.country_forms)
        slots = {"@country": c[0], "@capital": c[1], "@language": c[2], "@currency": c[3],
                 "@region": c[4], "@name": c[5], "@thing": c[6]}
        return self._fill(self.d.pick(self.country_t[form]), slots)

    def _gender(self):
        pair = self.d.pick(_GENDER)
        g = int(self.d.u() * 2)
        slots = dict(_PRONOUNS[g])
        slots.update({"@X": pair[g], "@cue": pair[2], "@name": _NAMES[g]})
        return self._fill(self.d.pick(self.gender_t), slots)

    def _verb(self):
        v = self.d.pick(_VERBS)
        k = int(self.d.u() * 3)
        form = ("base", "past", "ing")[k]
        slots = {"@V": v[k], "@cue": v[3], "@subj": _SUBJECTS, "@subjs": _SUBJECTS_SINGULAR,
                 "@subjp": _SUBJECTS_PLURAL}
        return self._fill(self.d.pick(self.verb_t[form]), slots)

    def _noun(self):
        n = self.d.pick(_NOUNS)
        k = int(self.d.u() * 2)
        slots = {"@X": n[k], "@cue": n[2]}
        return self._fill(self.d.pick(self.noun_t[("sg", "pl")[k]]), slots)

    def _adjective(self):
        a = self.d.pick(_ADJECTIVES)
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
    gen = _WorldGenerator(np.random.default_rng(seed))
    tokens: list[str] = []
    while len(tokens) < n_tokens:
        tokens += gen.sentence()
    del tokens[n_tokens:]
    sections, questions = _world_questions()
    return WorldCorpus(tokens=tokens, questions=questions, sections=sections)


# ---------------------------------------------------------------------------------------------
# Files: atomic writes and the cache folder
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


def wiki_sample(cache_dir=None) -> list[str]:
    """Return about 0.48M tokens of real Wikipedia text as one flat token list.

    The articles come from the small English Wikipedia dump that ships with gensim; templates,
    references, tables, links and HTML are stripped with gensim's ``filter_wiki`` and the text
    is tokenized with :func:`w2v_teach.text.tokenize`. The first call takes several seconds and
    caches the tokens (one article per line) in `cache_dir` (default: $W2V_TEACH_CACHE or
    ~/.cache/w2v_teach); later calls read the cache.
    """
    folder = cache_folder(cache_dir)
    path = folder / f"wiki_sample-{WIKI_SAMPLE_VERSION}.txt"
    if path.is_file():
        return path.read_text(encoding="utf-8").split()
    articles = [" ".join(tokens) for tokens in _wiki_articles()]
    text = "\n".join(articles) + "\n"
    atomic_write(path, text)
    return text.split()


# ---------------------------------------------------------------------------------------------
# text8
# ---------------------------------------------------------------------------------------------

TEXT8_URL = "http://mattmahoney.net/dc/text8.zip"
# SHA-256 of text8.zip (31,344,016 bytes) and of the extracted text8 (100,000,000 bytes), as
# published by independent projects that pin them; not verified here (no internet while writing).
TEXT8_ZIP_SHA256 = "a6640522afe85d1963ad56c05b0ede0a0c000dddc9671758a6cc09b7a38e5232"
TEXT8_SHA256 = "6e890197040d37d85beb962ae1f041ff1d9a9ca8d20c7d99c85027eebf51dca7"
_HEX64 = re.compile(r"[0-9a-f]{64}")


def _sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """Return the hex SHA-256 digest of the file at `path`."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


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
    if text_path.is_file() and _sha256_file(text_path) == text_sha256:
        return text_path
    if zip_path.is_file():
        actual = _sha256_file(zip_path)
        if actual != sha256:
            raise ValueError(f"{zip_path} has SHA-256 {actual}, expected {sha256}: it is not the "
                             f"file from {url}; delete it and call download_text8 again")
    else:
        _download(url, zip_path, sha256, timeout)
    _extract(zip_path, "text8", text_path, text_sha256)
    return text_path
