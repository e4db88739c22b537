"""The benchmarks of micrograd_lr: tables of ratios measured side by side in one run.

They live outside the installed package (run them from a checkout, after ``make test`` or
``make demo`` has set up ``.venv``):

    python -m benchmarks [--quick] [--only GROUP] [--repeat N]   every table (``make bench``)
    python -m benchmarks.engine_vs_micrograd                     table 1a–1d: the engine vs micrograd
    python -m benchmarks.vectorized_floor                        table 2: vectorized path vs its floor
    python -m benchmarks.logistic_value_graph                    table 3: LogisticRegression on the graph

``harness`` holds what the tables share (targets, tables, sizes, the fresh-interpreter runner,
the print-out of the environment, the command line); ``graphs`` the graphs of table 1, built
by the same code for any ``Value`` class; ``bare`` the bare node, the floor of table 1.  Each
table module keeps its goals as data, in its ``TARGETS``.
"""

GROUPS = (
    "benchmarks.engine_vs_micrograd",
    "benchmarks.vectorized_floor",
    "benchmarks.logistic_value_graph",
    "benchmarks.tape_replay",
)
