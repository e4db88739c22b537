"""micrograd_lr: a scalar autograd engine on computation graphs, and logistic regression on it.

Follows the "neural network basics" chapter of an introductory deep-learning
text: the computation graph is computed left to right and differentiated
right to left; logistic regression is a one-neuron network.
"""

from .engine import Value, dot, gc_paused, is_grad_enabled, no_grad, topological_order, vsum
from .ops import TABLE, Op

__all__ = ["Op", "TABLE", "Value", "dot", "gc_paused", "is_grad_enabled", "no_grad", "topological_order", "vsum"]
__version__ = "0.1.0"
