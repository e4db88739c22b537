"""What every model on the ``Value`` graph shares: its parameters, and one gradient-descent step.

    θ := θ − α ∂J/∂θ   for every parameter θ (each wⱼ and b), with α the learning rate.

``backward()`` leaves ∂J/∂θ in ``θ.grad``; the step changes ``θ.data`` directly, so it
records nothing on the graph.  Leaf gradients add up across ``backward()`` calls, which is
why a training loop calls ``zero_grad()`` before each one.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import TYPE_CHECKING

from . import validation

if TYPE_CHECKING:
    from .engine import Value

__all__ = ["DivergenceError", "Module", "gradient_descent_step"]


class DivergenceError(OverflowError):
    """Gradient descent left the finite numbers: the learning rate is too large for the problem."""


def gradient_descent_step(parameters: Iterable[Value], learning_rate: float) -> None:
    """θ := θ − α ∂J/∂θ for each θ in ``parameters``, in place, with α = ``learning_rate``.

    Raises ``DivergenceError`` (an ``OverflowError``) if a parameter stops being finite.
    """
    alpha = validation.learning_rate(learning_rate)
    for p in parameters:
        p.data -= alpha * p.grad
        if not math.isfinite(p.data):
            raise DivergenceError(
                f"gradient descent diverged: {p.label or 'a parameter'} = {p.data!r} "
                f"(learning_rate {alpha!r} is too large)"
            )


class Module(ABC):
    """A model on the ``Value`` graph: ``parameters()``, ``zero_grad()`` and ``step(learning_rate)``."""

    @abstractmethod
    def parameters(self) -> list[Value]:
        """The leaves gradient descent updates."""

    def zero_grad(self) -> None:
        """Set the gradient of every parameter to 0 (leaf gradients accumulate across backward calls)."""
        for p in self.parameters():
            p.grad = 0.0

    def step(self, learning_rate: float) -> None:
        """One gradient-descent step θ := θ − α ∂J/∂θ on every parameter (see ``gradient_descent_step``)."""
        gradient_descent_step(self.parameters(), learning_rate)
