"""Planted word senses and planted occupational skew: a sibling of the world corpus.

:func:`sense_corpus` mixes the sentences of the planted world corpus (:mod:`w2v_teach.world`,
used as it is) with two kinds of sentences whose truth we set:

- *ambiguous words* such as "bank", each with two senses (a river bank, a money bank) that occur
  in their own contexts at a known ratio. The corpus comes twice, token for token: once with the
  ambiguous word as written (``tokens``) and once with each occurrence replaced by a token of its
  sense, such as ``bank_river`` and ``bank_money`` (``oracle_tokens``), the split an oracle would
  make;
- *occupations* (``nurse``, ``plumber``...) that occur with "she" words (she, her, mrs, a woman's
  name) at a known rate and with "he" words otherwise. The people also live in districts whose
  names follow their gender (:data:`DISTRICTS`), a context that correlates with gender without
  being a gendered word. The rates are assigned to the occupations in
  alphabetical order, not by any stereotype, so that a measurement can only find what was planted.

Like the world corpus, the text depends only on its arguments and is the same on every machine.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field

import numpy as np

from ._checks import check_float, check_int, check_words
from .world import Draws, WorldGenerator, world_questions
from .world_lexicon import NAMES, PRONOUNS

# word, (sense name, its cue words), (sense name, its cue words)
AMBIGUOUS = (
    ("bank", ("river", ("shore", "reeds", "fishing", "muddy")),
             ("money", ("cash", "loan", "deposit", "account"))),
    ("bat", ("animal", ("cave", "wings", "fangs", "nocturnal")),
            ("sport", ("baseball", "swing", "batter", "innings"))),
    ("plant", ("flower", ("leaves", "soil", "petals", "seeds")),
              ("factory", ("workers", "machines", "steel", "assembly"))),
    ("spring", ("season", ("blossom", "april", "thaw", "sunshine")),
               ("coil", ("mattress", "bounce", "metal", "tension"))),
    ("crane", ("bird", ("feathers", "marsh", "heron", "nest")),
              ("machine", ("lifting", "container", "construction", "hook"))),
    ("seal", ("animal", ("flippers", "whiskers", "blubber", "walrus")),
             ("stamp", ("envelope", "wax", "signature", "document"))),
)
# The share of the first sense of each ambiguous word, in the order of AMBIGUOUS.
DEFAULT_RATIOS = {"bank": 0.1, "bat": 0.25, "plant": 0.4, "spring": 0.6, "crane": 0.75, "seal": 0.9}

# occupation and two words of its work
OCCUPATIONS = (
    ("architect", ("blueprint", "drawings")), ("baker", ("dough", "oven")),
    ("carpenter", ("timber", "chisel")), ("chemist", ("beaker", "reagent")),
    ("dentist", ("molar", "drill")), ("hairdresser", ("scissors", "salon")),
    ("janitor", ("mop", "corridor")), ("lawyer", ("courtroom", "verdict")),
    ("librarian", ("shelves", "catalogue")), ("mechanic", ("wrench", "gearbox")),
    ("nurse", ("bandage", "ward")), ("plumber", ("pipes", "leak")),
    ("programmer", ("laptop", "debugging")), ("secretary", ("memo", "typewriter")),
    ("surgeon", ("scalpel", "operation")), ("tailor", ("fabric", "stitches")),
)


def default_she_rates() -> dict[str, float]:
    """Return the planted share of "she" sentences per occupation: 0.05 ... 0.95, alphabetical."""
    rates = np.linspace(0.05, 0.95, len(OCCUPATIONS))
    return {occ: round(float(r), 2) for (occ, _), r in zip(OCCUPATIONS, rates)}


# Districts where the people of the occupation sentences live, in the order of PRONOUNS: "he"
# sentences name one of the first three, "she" sentences one of the last three. A context that
# merely correlates with gender (as many do in real text) carries gender into the vectors by
# another route than she and he.
DISTRICTS = (("southgate", "oakridge", "kingsley"), ("northgate", "elmwood", "ashford"))

_SENSE_TEMPLATES = ("the @w by the @cue", "near the @w there was @cue and @cue",
                    "@name talked about the @w and the @cue", "the @cue of the @w was @A",
                    "we saw the @w with @cue")
_OCCUPATION_TEMPLATES = ("@he works as a @occ in @district", "@title @name is a @occ from @district",
                         "the @occ from @district said @he needed a @cue",
                         "@his @cue was ready so the @occ went home to @district",
                         "@name the @occ checked the @cue in @district")


@dataclass
class SenseCorpus:
    """A world corpus with planted senses and occupational skew (see :func:`sense_corpus`).

    ``tokens`` is the text as written; ``oracle_tokens`` the same text with every ambiguous word
    replaced by its sense token; ``senses`` maps each ambiguous word to its two sense tokens;
    ``ratios`` gives the planted share of the first sense and ``she_rates`` the planted share of
    "she" sentences per occupation; ``questions`` are the world corpus's analogy questions.
    """

    tokens: list[str]
    oracle_tokens: list[str]
    senses: dict[str, tuple[str, str]]
    ratios: dict[str, float]
    she_rates: dict[str, float]
    questions: list[tuple[str, str, str, str, str]] = field(default_factory=list)

    def sense_counts(self) -> dict[str, tuple[int, int]]:
        """Return how often each ambiguous word occurs in each of its two senses."""
        counts: dict[str, int] = {}
        for tok in self.oracle_tokens:
            if "_" in tok:
                counts[tok] = counts.get(tok, 0) + 1
        return {w: (counts.get(a, 0), counts.get(b, 0)) for w, (a, b) in self.senses.items()}


def _check_rates(name: str, rates, known) -> dict[str, float]:
    """Return `rates` as {word: float in [0, 1]}, every key one of `known`."""
    if not isinstance(rates, dict):
        raise ValueError(f"{name} must be a dict of word -> share, got {type(rates).__name__}")
    out = {}
    for word, rate in rates.items():
        if word not in known:
            raise KeyError(f"{name}: unknown word {word!r}; known: {', '.join(known)}")
        out[word] = check_float(f"{name}[{word!r}]", rate, 0.0, strict=False, maximum=1.0)
    return out


class _SenseGenerator:
    """Write ambiguous-word and occupation sentences, each as (written tokens, oracle tokens)."""

    def __init__(self, rng: np.random.Generator, ratios: dict, she_rates: dict, world) -> None:
        self.d, self.world = Draws(rng), world
        self.ambiguous = [a for a in AMBIGUOUS if a[0] in ratios]
        self.ratios = ratios
        self.occupations = [o for o in OCCUPATIONS if o[0] in she_rates]
        self.she_rates = she_rates

    def _fill(self, template: str, word: str, oracle: str, cues, gender: int):
        """Fill one template; return the written and the oracle tokens."""
        written, split = [], []
        slots = dict(PRONOUNS[gender])
        slots["@name"] = NAMES[gender]
        for tok in template.split():
            if tok in ("@w", "@occ"):
                written.append(word)
                split.append(oracle)
                continue
            if tok == "@cue":
                value = self.d.pick(cues)
            elif tok == "@A":
                value = self.world.zipf(self.world.adjectives, self.world.adj_cdf)
            elif tok == "@name":
                value = self.d.pick(slots["@name"])
            elif tok == "@district":
                value = self.d.pick(DISTRICTS[gender])
            else:
                value = slots.get(tok, tok)
            written.append(value)
            split.append(value)
        for i in range(len(written) - 1):
            if written[i] == "a" and written[i + 1][0] in "aeiou":
                written[i] = split[i] = "an"
        return written, split

    def sense_sentence(self):
        """Return one sentence about an ambiguous word, in one of its senses."""
        word, first, second = self.d.pick(self.ambiguous)
        sense = first if self.d.u() < self.ratios[word] else second
        gender = int(self.d.u() * 2)
        return self._fill(self.d.pick(_SENSE_TEMPLATES), word, f"{word}_{sense[0]}", sense[1], gender)

    def occupation_sentence(self):
        """Return one sentence about an occupation, with "she" words at its planted rate."""
        occ, cues = self.d.pick(self.occupations)
        gender = int(self.d.u() < self.she_rates[occ])  # 1: the "she" words of PRONOUNS
        return self._fill(self.d.pick(_OCCUPATION_TEMPLATES), occ, occ, cues, gender)


def sense_corpus(n_tokens: int, seed: int = 0, ratios: dict | None = None, she_rates: dict | None = None,
                 sense_share: float = 0.12, occupation_share: float = 0.10) -> SenseCorpus:
    """Generate `n_tokens` tokens of the world corpus with planted senses and occupational skew.

    A sentence is about an ambiguous word with probability `sense_share`, about an occupation with
    probability `occupation_share`, and a world-corpus sentence otherwise. `ratios` maps ambiguous
    words (from :data:`AMBIGUOUS`) to the share of their first sense (default
    :data:`DEFAULT_RATIOS`); `she_rates` maps occupations (from :data:`OCCUPATIONS`) to the share of
    their sentences written with she/her/mrs and a woman's name (default :func:`default_she_rates`).
    An empty dict leaves that kind out. The two token lists are exactly `n_tokens` long and differ
    only where an ambiguous word stands.
    """
    n_tokens = check_int("n_tokens", n_tokens, 1)
    seed = check_int("seed", seed, 0)
    ratios = _check_rates("ratios", DEFAULT_RATIOS if ratios is None else ratios, [a[0] for a in AMBIGUOUS])
    she_rates = _check_rates("she_rates", default_she_rates() if she_rates is None else she_rates,
                             [o[0] for o in OCCUPATIONS])
    sense_share = check_float("sense_share", sense_share, 0.0, strict=False, maximum=1.0) if ratios else 0.0
    occupation_share = (check_float("occupation_share", occupation_share, 0.0, strict=False, maximum=1.0)
                        if she_rates else 0.0)
    if sense_share + occupation_share > 1.0:
        raise ValueError(f"sense_share + occupation_share must be <= 1, got {sense_share + occupation_share}")
    world = WorldGenerator(np.random.default_rng(seed))
    gen = _SenseGenerator(np.random.default_rng([seed, 7]), ratios, she_rates, world)
    cdf = [sense_share, sense_share + occupation_share]
    tokens: list[str] = []
    oracle: list[str] = []
    while len(tokens) < n_tokens:
        kind = bisect.bisect_right(cdf, gen.d.u())
        if kind == 0:
            written, split = gen.sense_sentence()
        elif kind == 1:
            written, split = gen.occupation_sentence()
        else:
            written = world.sentence()
            split = written
        tokens += written
        oracle += split
    del tokens[n_tokens:], oracle[n_tokens:]
    senses = {w: (f"{w}_{a[0]}", f"{w}_{b[0]}") for w, a, b in AMBIGUOUS if w in ratios}
    _, questions = world_questions()
    return SenseCorpus(tokens, oracle, senses, ratios, she_rates, questions)


def hold_out(tokens, words) -> list[str]:
    """Return `tokens` without any occurrence of `words` (a word the model must never see)."""
    banned = set(check_words("words", words))
    if not banned:
        raise ValueError("hold_out needs at least one word to hold out")
    return [t for t in tokens if t not in banned]
