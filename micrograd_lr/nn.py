"""A dense network on ``Value``: Neuron, Layer and MLP, and the text's house-price network.

One neuron computes z = wᵀx + b = w₁x₁ + … + wₙxₙ + b (one ``dot`` node plus b) and
then its activation g(z): ReLU max(0, z), tanh(z), or linear z.  A layer is a list of
neurons reading the same inputs; an MLP is layers one after another.  The text's example:
size, number of bedrooms, zip code and wealth → a hidden dense layer → price.

Every random thing takes a seed: the initial weights come from ``random.Random(seed)``
(or a ``random.Random`` you pass), so the same seed gives the same network; ``seed=None``
draws fresh weights from Python's ``random`` (so ``random.seed(s)`` makes them repeatable).

Code written for karpathy/micrograd's ``nn`` runs unchanged: ``Neuron(nin, nonlin=True)``
(ReLU, or linear with ``nonlin=False``), ``Layer(nin, nout, **kwargs)`` and ``MLP(nin, nouts)``
(ReLU hidden layers, a linear last layer) whose call returns one ``Value`` when the last layer
has one unit and a list otherwise, ``parameters()`` and ``zero_grad()``.
"""

from __future__ import annotations

import math
import numbers
import random
from collections.abc import Callable, Sequence
from typing import Any, Union

from . import validation
from .engine import Value, dot, vsum
from .module import Module
from .validation import InputError, InputTypeError

__all__ = [
    "ACTIVATIONS",
    "HOUSE_FEATURES",
    "MLP",
    "Layer",
    "Neuron",
    "fit_mse",
    "house_price_data",
    "house_price_network",
    "mse",
]

ACTIVATIONS = ("relu", "tanh", "linear")
"""The activations g a neuron can apply to z."""

HOUSE_FEATURES = ("size", "bedrooms", "zip code", "wealth")
"""The inputs of the text's house-price network, in order."""

Seed = Union[int, random.Random, None]
Input = Sequence[Union[Value, float]]
Output = Any
"""A Value, or a list of Values: which one depends on the number of units (micrograd's rule), so typed Any."""


def _rng(seed: Seed) -> random.Random:
    """A ``random.Random`` from an int seed (or the given generator itself); None: fresh, from ``random``."""
    if isinstance(seed, random.Random):
        return seed
    if seed is None:
        return random.Random(random.getrandbits(64))
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise InputTypeError(f"seed must be an int or a random.Random, got {validation.describe(seed)}")
    return random.Random(int(seed))


def _activation(activation: str | bool, nonlin: bool | None) -> str:
    """Our activation name, or micrograd's ``nonlin`` (True: ReLU, False: linear), given one way."""
    if isinstance(activation, bool):  # Neuron(nin, False), micrograd's positional nonlin
        nonlin = activation
        activation = "relu"
    if nonlin is None:
        return validation.choice("activation", activation, ACTIVATIONS)
    if not isinstance(nonlin, bool):
        raise InputTypeError(f"nonlin must be True or False, got {validation.describe(nonlin)}")
    if activation != "relu":
        raise InputError(f"give activation or nonlin, not both: got activation={activation!r}, nonlin={nonlin!r}")
    return "relu" if nonlin else "linear"


class Neuron(Module):
    """One unit: g(w₁x₁ + … + wₙxₙ + b) with g ReLU, tanh or linear.

    Weights start uniform in [−1/√n, 1/√n] from the seeded generator, b at 0.
    Leaves are labelled ``{name}w1``.. ``{name}wn`` and ``{name}b``.
    """

    def __init__(
        self,
        nin: int,
        activation: str | bool = "relu",
        *,
        nonlin: bool | None = None,
        seed: Seed = None,
        name: str = "",
    ) -> None:
        nin = validation.count("nin", nin)
        self.activation = _activation(activation, nonlin)
        if not isinstance(name, str):
            raise InputTypeError(f"name must be a str, got {validation.describe(name)}")
        rng = _rng(seed)
        scale = 1.0 / math.sqrt(nin)
        self.w: list[Value] = [Value(rng.uniform(-scale, scale), f"{name}w{j}") for j in range(1, nin + 1)]
        self.b: Value = Value(0.0, f"{name}b")
        self.name = name

    @property
    def nin(self) -> int:
        """The number of inputs n."""
        return len(self.w)

    def __call__(self, x: Input) -> Value:
        """g(z) with z = wᵀx + b: one ``dot`` node, then b, then the activation."""
        if len(x) != self.nin:
            raise InputError(f"x must have {self.nin} inputs for this neuron, got {len(x)}")
        z = dot(self.w, x) + self.b
        if self.activation == "relu":
            return z.relu()
        if self.activation == "tanh":
            return z.tanh()
        return z

    def parameters(self) -> list[Value]:
        """[w₁, …, wₙ, b]."""
        return [*self.w, self.b]

    def __repr__(self) -> str:
        return f"Neuron(nin={self.nin}, activation={self.activation!r})"


class Layer(Module):
    """A dense layer: nout neurons that all read the same n inputs."""

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str | bool = "relu",
        *,
        seed: Seed = None,
        name: str = "",
        **kwargs: bool,
    ) -> None:
        nout = validation.count("nout", nout)
        unknown = set(kwargs) - {"nonlin"}
        if unknown:
            raise InputTypeError(f"Layer got unexpected keyword arguments {sorted(unknown)}; it passes on only nonlin")
        rng = _rng(seed)
        self.neurons = [
            Neuron(nin, activation, seed=rng, name=f"{name}n{k}." if name or nout > 1 else name, **kwargs)
            for k in range(1, nout + 1)
        ]

    @property
    def nin(self) -> int:
        return self.neurons[0].nin

    @property
    def nout(self) -> int:
        return len(self.neurons)

    def __call__(self, x: Input) -> Output:
        """[g(w⁽ᵏ⁾ᵀx + b⁽ᵏ⁾) for each neuron k]; one Value (not a list) when the layer has one neuron."""
        out = [neuron(x) for neuron in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self) -> list[Value]:
        return [p for neuron in self.neurons for p in neuron.parameters()]

    def __repr__(self) -> str:
        return f"Layer(nin={self.nin}, nout={self.nout}, activation={self.neurons[0].activation!r})"


class MLP(Module):
    """Dense layers one after another: nin → nouts[0] → … → nouts[−1].

    Hidden layers use ``activation``; the last layer uses ``output_activation``
    (linear by default, as for a price).  Layer l's leaves are labelled ``L{l}.n{k}.w{j}``.
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str = "relu",
        output_activation: str = "linear",
        *,
        seed: Seed = None,
    ) -> None:
        nin = validation.count("nin", nin)
        if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Sequence) or len(nouts) == 0:
            raise InputTypeError(f"nouts must be a non-empty sequence of layer sizes, got {validation.describe(nouts)}")
        sizes = [nin, *(validation.count(f"nouts[{i}]", s) for i, s in enumerate(nouts))]
        validation.choice("activation", activation, ACTIVATIONS)
        validation.choice("output_activation", output_activation, ACTIVATIONS)
        rng = _rng(seed)
        last = len(nouts) - 1
        self.layers = [
            Layer(
                sizes[i],
                sizes[i + 1],
                output_activation if i == last else activation,
                seed=rng,
                name=f"L{i + 1}.",
            )
            for i in range(len(nouts))
        ]

    @property
    def nin(self) -> int:
        return self.layers[0].nin

    def __call__(self, x: Input) -> Output:
        """The outputs of the last layer: one Value if it has one unit (as micrograd's MLP), else a list."""
        if len(x) != self.nin:
            raise InputError(f"x must have {self.nin} inputs for this network, got {len(x)}")
        out: Input = x
        for layer in self.layers:
            out = [neuron(out) for neuron in layer.neurons]
        return out[0] if len(out) == 1 else list(out)

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        sizes = [self.nin, *(layer.nout for layer in self.layers)]
        return f"MLP({' → '.join(map(str, sizes))})"


# ---------------------------------------------------------------- the house-price example


def house_price_network(hidden: int = 3, *, seed: Seed = 0) -> MLP:
    """The text's network: size, bedrooms, zip code, wealth → ``hidden`` ReLU units → price."""
    return MLP(len(HOUSE_FEATURES), [hidden, 1], "relu", "linear", seed=seed)


def house_price_data(m: int = 64, *, seed: int = 0) -> tuple[list[list[float]], list[float]]:
    """m synthetic houses and their prices, from a seed: (X, y) as plain lists.

    X has shape (4, m), rows in ``HOUSE_FEATURES`` order, each feature scaled to about
    [0, 1]; y has m prices (in units of 100 000).  The price grows with size, with
    family room (size and bedrooms), with how walkable the zip code is and with the
    school quality (zip code and wealth), plus a little noise: the hidden units the text
    draws between the inputs and the price.
    """
    m = validation.count("m", m)
    rng = _rng(seed)
    X: list[list[float]] = [[], [], [], []]
    y: list[float] = []
    for _ in range(m):
        size = rng.uniform(0.0, 1.0)  # 40 .. 240 m², scaled
        bedrooms = rng.randint(1, 5) / 5.0
        zip_code = rng.randrange(10) / 9.0  # 10 districts, ordered by walkability
        wealth = rng.uniform(0.0, 1.0)
        family = max(0.0, size + bedrooms - 0.6)
        walk = zip_code
        school = max(0.0, zip_code + wealth - 0.8)
        price = 1.0 + 2.0 * size + 1.5 * family + 0.8 * walk + 2.0 * school + rng.gauss(0.0, 0.05)
        for row, v in zip(X, (size, bedrooms, zip_code, wealth)):
            row.append(v)
        y.append(price)
    return X, y


def mse(net: Callable[[Input], Output], X: Sequence[Sequence[float]], y: Sequence[float]) -> Value:
    """J = (1/m) Σᵢ (ŷ⁽ⁱ⁾ − y⁽ⁱ⁾)² over the columns of X (shape (n, m)), one output unit."""
    m = len(y)
    if m == 0:
        raise InputError("y must hold at least one target, got none")
    if any(len(row) != m for row in X):
        raise InputError(f"X must have shape (n, m) with m = len(y) = {m}, got rows of lengths {[len(r) for r in X]}")
    errors = []
    for i in range(m):
        out = net([row[i] for row in X])
        if isinstance(out, list):
            if len(out) != 1:
                raise InputError(f"mse needs a network with one output, got {len(out)}")
            out = out[0]
        errors.append((out - y[i]) ** 2)
    return vsum(errors) / m


def fit_mse(
    net: MLP,
    X: Sequence[Sequence[float]],
    y: Sequence[float],
    num_iterations: int = 200,
    learning_rate: float = 0.05,
    *,
    callback: Callable[[int, float], object] | None = None,
) -> list[float]:
    """Gradient descent on the mean squared error: θ := θ − α ∂J/∂θ; returns J at every iteration.

    Each iteration runs ``backward()`` on J and takes one ``net.step(α)``; a step that leaves
    the finite numbers raises ``DivergenceError``, an ``OverflowError``.
    """
    num_iterations = validation.count("num_iterations", num_iterations, 0)
    alpha = validation.learning_rate(learning_rate)
    costs: list[float] = []
    for i in range(num_iterations):
        J = mse(net, X, y)
        net.zero_grad()
        J.backward()
        costs.append(J.data)
        net.step(alpha)
        if callback is not None:
            callback(i, costs[-1])
    return costs
