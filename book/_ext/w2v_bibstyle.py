"""Author-year citations that stay unambiguous: "(Mikolov et al., 2013a)" and "... 2013b".

sphinxcontrib-bibtex's ``author_year`` referencing style prints the author label and the ``year``
field as they are, so two papers by the same authors in the same year get identical citations.
This extension, run after sphinxcontrib-bibtex has parsed ``references.bib``:

* appends a, b, ... to the year of entries whose author label and year coincide, in the order in
  which the entries appear in the .bib file (so list a group in order of publication);
* registers the pybtex style ``w2v_authoryear``: pybtex's ``plain`` formatting (sorted by author,
  year, title) with bibliography labels that read like the citations ("Levy and Goldberg 2014a");
* registers the referencing style ``w2v_author_year``: sphinxcontrib-bibtex's ``author_year`` with
  round brackets and "; " between works, "(Harris, 1954; Firth, 1957)".
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable

from pybtex.plugin import register_plugin
from pybtex.richtext import Text
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle
from sphinx.application import Sphinx
from sphinxcontrib.bibtex.plugin import register_plugin as register_bibtex_plugin
from sphinxcontrib.bibtex.style.referencing import BracketStyle
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle

_SUFFIXED_YEAR = re.compile(r"^(\d{4})[a-z]$")


def author_label(entry: Any) -> str:
    """Return the author part of a citation: "Harris", "Levy and Goldberg", "Mikolov et al."."""
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [Text.from_latex(" ".join(p.prelast_names + p.last_names)).render_as("text") for p in persons]
    if not names:
        return entry.fields.get("key", entry.key)
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} and {names[1]}"
    return f"{names[0]} et al."


def base_year(entry: Any) -> str:
    """Return the entry's year without a disambiguating letter."""
    year = entry.fields.get("year", "")
    match = _SUFFIXED_YEAR.match(year)
    return match.group(1) if match else year


def disambiguate_years(entries: Iterable[Any]) -> dict[str, str]:
    """Suffix a, b, ... to the years of entries that share author label and year; return key -> year."""
    groups: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for entry in entries:
        groups[(author_label(entry), base_year(entry))].append(entry)
    years = {}
    for (_, year), group in groups.items():
        for i, entry in enumerate(group):
            entry.fields["year"] = year + "abcdefghijklmnopqrstuvwxyz"[i] if len(group) > 1 else year
            years[entry.key] = entry.fields["year"]
    return years


class AuthorYearLabelStyle(BaseLabelStyle):
    """Bibliography labels in the form "Mikolov et al. 2013a"."""

    def format_labels(self, sorted_entries: Iterable[Any]) -> Iterable[str]:
        for entry in sorted_entries:
            yield f"{author_label(entry)} {entry.fields.get('year', '')}".strip()


class AuthorYearStyle(PlainStyle):
    """pybtex's plain style with author-year bibliography labels."""

    default_label_style = AuthorYearLabelStyle


def _round_brackets() -> BracketStyle:
    """Return round brackets with "; " between cited works."""
    return BracketStyle(left="(", right=")", sep="; ")


@dataclass
class RoundAuthorYearReferenceStyle(AuthorYearReferenceStyle):
    """Author-year references in round brackets: (Harris, 1954) and Harris (1954)."""

    bracket_textual: BracketStyle = field(default_factory=_round_brackets)
    bracket_parenthetical: BracketStyle = field(default_factory=_round_brackets)
    bracket_author: BracketStyle = field(default_factory=_round_brackets)
    bracket_label: BracketStyle = field(default_factory=_round_brackets)
    bracket_year: BracketStyle = field(default_factory=_round_brackets)


def _suffix_years(app: Sphinx) -> None:
    """Disambiguate the years of the bibliography that sphinxcontrib-bibtex has just parsed."""
    domain = app.env.get_domain("cite")
    disambiguate_years(domain.bibdata.data.entries.values())


def setup(app: Sphinx) -> dict[str, Any]:
    """Register both styles and the year disambiguation (after sphinxcontrib-bibtex)."""
    app.setup_extension("sphinxcontrib.bibtex")
    register_plugin("pybtex.style.formatting", "w2v_authoryear", AuthorYearStyle)
    register_bibtex_plugin(
        "sphinxcontrib.bibtex.style.referencing", "w2v_author_year", RoundAuthorYearReferenceStyle
    )
    app.connect("builder-inited", _suffix_years, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
