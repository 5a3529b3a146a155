"""Two settings that make the book work as course material.

- Exercises are numbered within their chapter (Exercise 1, 2, ... on every chapter page), not
  across the book: the toctree is not numbered, so Sphinx numbers every enumerable node of the
  book in one sequence. After Sphinx has assigned the numbers, this extension renumbers the
  exercises of each document from 1 in the order they were numbered. References to an exercise
  ({ref}, {numref}) and each solution's title read the renumbered value.
- The students' edition (sphinx-exercise's `hide_solutions`) defines the Sphinx tag `students`, so
  a page can hold text for that edition alone (`{only} students`), such as the students' "Start
  here" box on the front page.
"""
from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.environment import BuildEnvironment

RENUMBERED = ("exercise",)


def tag_students_edition(app: Sphinx, config: Config) -> None:
    """Define the tag `students` when the build hides the solutions."""
    if config["hide_solutions"]:
        app.tags.add("students")


def number_exercises_per_document(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Renumber each document's exercises 1, 2, ... in their order; return the documents changed."""
    changed = []
    for docname, figtypes in env.toc_fignumbers.items():
        for figtype in RENUMBERED:
            numbers = figtypes.get(figtype)
            if not numbers:
                continue
            ordered = sorted(numbers, key=lambda node_id: numbers[node_id])
            renumbered = {node_id: numbers[node_id][:-1] + (i,) for i, node_id in enumerate(ordered, start=1)}
            if renumbered != numbers:
                figtypes[figtype] = renumbered
                changed.append(docname)
    return changed


def setup(app: Sphinx) -> dict[str, Any]:
    """Connect the tag to config-inited and the renumbering after Sphinx's own numbering."""
    app.connect("config-inited", tag_students_edition)
    app.connect("env-get-updated", number_exercises_per_document, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
