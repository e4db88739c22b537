"""Sub-commands of ``micrograd-lr``: one module each, with ``register(subparsers)``."""

from __future__ import annotations

from ..validation import InputError

__all__ = ["CommandError", "plain"]


class CommandError(InputError):
    """A usage error a command raises on purpose: a bad option, or a file it cannot open or write."""


def plain(doc: str | None) -> str:
    """A docstring as help text for a terminal: without the ``double backquotes`` of reStructuredText."""
    return (doc or "").replace("``", "")
