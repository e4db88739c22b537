"""Table 1: the scalar engine against karpathy's micrograd on the same graphs.

Run: `.venv/bin/python benchmarks/engine_vs_micrograd.py [--quick] [--repeat N]` (the same as
`micrograd-lr bench --only engine`).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from micrograd_lr import bench


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    return bench.main(["--only", "engine", *args], prog="benchmarks/engine_vs_micrograd.py")


if __name__ == "__main__":
    sys.exit(main())
