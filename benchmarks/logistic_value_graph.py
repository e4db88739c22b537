"""Table 3: logistic regression on the Value graph, literal against fused.

Run: `.venv/bin/python benchmarks/logistic_value_graph.py [--quick] [--repeat N]` (the same as
`micrograd-lr bench --only logistic`).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from micrograd_lr import bench


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    return bench.main(["--only", "logistic", *args], prog="benchmarks/logistic_value_graph.py")


if __name__ == "__main__":
    sys.exit(main())
