"""``python -m benchmarks [--quick] [--only engine|vectorized|logistic] [--repeat N]``: every table."""

from __future__ import annotations

import sys

from . import GROUPS, harness

if __name__ == "__main__":
    sys.exit(harness.main(GROUPS))
