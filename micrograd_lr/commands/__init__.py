"""Sub-commands of ``micrograd-lr``: one module each, with ``register(subparsers)``."""

from __future__ import annotations

from ..validation import InputError

__all__ = ["CommandError"]


class CommandError(InputError):
    """A usage error a command raises on purpose: a bad option, or a file it cannot open or write."""
