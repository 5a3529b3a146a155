"""Let the single-page HTML build (the source of the book's PDF) render what the HTML build renders.

Sphinx gives a builder the node handlers registered for its own name, and only when there are
none, those registered for its format. sphinx-exercise registers handlers for `singlehtml` by
name, so that builder loses every handler registered for the `html` format: myst-nb's hidden code
cells (the `hide-input` tag), for one, and the build stops with "unknown node type". This
extension gives such a builder the handlers of its format that it lacks, before anything is written.
"""
from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx


def share_format_handlers(app: Sphinx) -> None:
    """Add the handlers registered for the builder's format to those registered for its name."""
    handlers = app.registry.translation_handlers
    name, fmt = app.builder.name, app.builder.format
    if name == fmt or name not in handlers:
        return
    for node, visitors in handlers.get(fmt, {}).items():
        handlers[name].setdefault(node, visitors)


def setup(app: Sphinx) -> dict[str, Any]:
    """Connect the handler sharing to builder-inited."""
    app.connect("builder-inited", share_format_handlers)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
