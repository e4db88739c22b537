"""Table 2: vectorized gradient descent against its two matrix-vector products.

Run: `.venv/bin/python benchmarks/vectorized_floor.py [--quick] [--repeat N]` (the same as
`micrograd-lr bench --only vectorized`).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from micrograd_lr import bench


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    return bench.main(["--only", "vectorized", *args], prog="benchmarks/vectorized_floor.py")


if __name__ == "__main__":
    sys.exit(main())
