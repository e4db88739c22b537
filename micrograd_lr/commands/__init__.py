"""Sub-commands of ``micrograd-lr``: one module each, with ``register(subparsers)``."""
