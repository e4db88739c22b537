"""Logistic regression on the ``Value`` graph, and the text's explicit loop over m samples.

Notation of the text: one sample is x ∈ Rⁿ with label y ∈ {0, 1}; m samples are the
columns of X, shape (n, m), with labels Y, shape (1, m); the parameters are w, shape
(n, 1), and the scalar b.

    z = wᵀx + b,   a = σ(z),   L(a, y) = −(y log a + (1 − y) log(1 − a)),
    J(w, b) = (1/m) Σᵢ L(a⁽ⁱ⁾, y⁽ⁱ⁾),   w := w − α ∂J/∂w,   b := b − α ∂J/∂b.

Two forms of the loss are built on the graph: the literal one (σ, then log, as the text
writes it) for study, and the stable fused one ``z.logistic_loss(y)``, one node computed
from z as y·softplus(−z) + (1 − y)·softplus(z) (since −log σ(z) = softplus(−z) and
−log(1 − σ(z)) = softplus(z)), whose local derivative is the text's dz = a − y.  Training
uses the fused one by default: it stays finite where σ(z) rounds to 0 or 1 and the literal
form would take log 0.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import ops, validation
from .engine import Value, dot, gc_paused, no_grad, vsum
from .module import Module
from .validation import InputError, InputTypeError

__all__ = ["LogisticRegression", "explicit_loop", "one_sample"]

ArrayLike = Any  # ndarray, nested sequences of numbers


# ---------------------------------------------------------------- validation at the edge


def _samples(X: object, Y: object, n: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Check X (n, m) and Y (1, m) with labels in {0, 1}; return them as float64."""
    Xa = _array("X", X)
    if Xa.ndim != 2:
        raise InputError(f"X must have shape (n, m) with samples as columns, got shape {Xa.shape}")
    if n is not None and Xa.shape[0] != n:
        raise InputError(f"X must have n = {n} rows (one per feature, samples as columns), got shape {Xa.shape}")
    m = Xa.shape[1]
    if m == 0 or Xa.shape[0] == 0:
        raise InputError(f"X must hold at least one sample and one feature, got shape {Xa.shape}")
    Ya = _array("Y", Y)
    if Ya.shape != (1, m):
        raise InputError(f"Y must have shape (1, m) = (1, {m}) to match X of shape {Xa.shape}, got shape {Ya.shape}")
    return Xa, validation.labels("Y", Ya)


def _array(name: str, value: object) -> np.ndarray:
    """``value`` as a float64 array of finite numbers."""
    return validation.finite(name, validation.array(name, value).astype(np.float64, copy=False))


# ---------------------------------------------------------------- the graph of one sample


def _literal_loss(a: Value, y: Value) -> Value:
    """L(a, y) = −(y log a + (1 − y) log(1 − a)), node by node as the text writes it."""
    log_a = a.log()
    log_a.label = "log a"
    one_minus_a = 1 - a
    one_minus_a.label = "1 − a"
    log_one_minus_a = one_minus_a.log()
    log_one_minus_a.label = "log(1 − a)"
    one_minus_y = 1 - y
    one_minus_y.label = "1 − y"
    first = y * log_a
    first.label = "y log a"
    second = one_minus_y * log_one_minus_a
    second.label = "(1 − y) log(1 − a)"
    return -(first + second)


def one_sample(
    x: ArrayLike, y: float, w: ArrayLike, b: float, *, literal: bool = True, stable: bool = False
) -> dict[str, Value]:
    """The text's graph for one sample: z = w1x1 + … + wnxn + b, a = σ(z), L(a, y).

    Leaves are labelled w1..wn, x1..xn, b and y.  With ``literal=True`` each product
    wⱼxⱼ is its own multiplication node and z one sum node; otherwise wᵀx is one ``dot``
    node.  The loss L is the literal −(y log a + (1 − y) log(1 − a)) (``stable=False``)
    or the fused ``z.logistic_loss(y)`` (``stable=True``, whose graph is x, w, b → z → L;
    then a = σ(z) is computed for reading but is not on the path to L, and neither is y).

    Returns the named nodes: "w1".., "x1".., "b", "y", "z", "a", "L".  Call
    ``nodes["L"].backward()`` to get dz = a − y, dwⱼ = xⱼ·dz, db = dz in their ``grad``.
    """
    xs = validation.vector("x", x)
    ws = validation.vector("w", w, xs.shape[0])
    b_num = validation.real("b", b)
    y_num = validation.label("y", y)
    w_nodes = [Value(v, f"w{j}") for j, v in enumerate(ws.tolist(), 1)]
    x_nodes = [Value(v, f"x{j}") for j, v in enumerate(xs.tolist(), 1)]
    nodes: dict[str, Value] = {node.label: node for node in (*w_nodes, *x_nodes)}
    b_node = nodes["b"] = Value(b_num, "b")
    y_node = nodes["y"] = Value(y_num, "y")

    if literal:
        products = []
        for j, (wj, xj) in enumerate(zip(w_nodes, x_nodes), 1):
            p = wj * xj
            p.label = f"w{j}x{j}"
            products.append(p)
        z = vsum([*products, b_node])
    else:
        wx = dot(w_nodes, x_nodes)
        wx.label = "wᵀx"
        z = wx + b_node
    z.label = "z"
    a = z.sigmoid()
    a.label = "a"
    L = z.logistic_loss(y_num) if stable else _literal_loss(a, y_node)
    L.label = "L"
    nodes.update(z=z, a=a, L=L)
    return nodes


# ---------------------------------------------------------------- the model


class LogisticRegression(Module):
    """Logistic regression as a one-neuron network on the ``Value`` graph.

    ``w`` is a list of n leaves labelled w1..wn and ``b`` a leaf labelled "b", all 0.0
    at the start (the text's initialize_with_zeros).  Samples are the columns of X, shape
    (n, m); labels are Y, shape (1, m).
    """

    def __init__(self, n: int) -> None:
        n = validation.count("n (the number of features)", n)
        self.w: list[Value] = [Value(0.0, f"w{j}") for j in range(1, n + 1)]
        self.b: Value = Value(0.0, "b")

    @classmethod
    def from_params(cls, w: ArrayLike, b: float) -> LogisticRegression:
        """A model with the given w (shape (n, 1) or (n,)) and b (a number)."""
        ws = validation.vector("w", w)
        model = cls(ws.shape[0])
        model.set_params(ws, b)
        return model

    @property
    def n(self) -> int:
        """The number of features."""
        return len(self.w)

    def set_params(self, w: ArrayLike, b: float) -> None:
        """Set w (shape (n, 1) or (n,)) and b in place, keeping the same leaves."""
        ws = validation.vector("w", w, self.n)
        b_num = validation.real("b", b)
        for p, v in zip(self.w, ws.tolist()):
            p.data = v
        self.b.data = b_num

    def parameters(self) -> list[Value]:
        """[w1, …, wn, b]: the leaves gradient descent updates."""
        return [*self.w, self.b]

    def get_weights(self) -> tuple[np.ndarray, float]:
        """(w, b): w a float64 array of shape (n, 1), b a float (copies, not the leaves)."""
        return np.array([[p.data] for p in self.w], dtype=np.float64), float(self.b.data)

    def __repr__(self) -> str:
        return f"LogisticRegression(n={self.n})"

    # ------------------------------------------------------------ the graph

    def _z(self, x: list[float], literal: bool) -> Value:
        """z = wᵀx + b with x plain numbers: one ``dot`` node, or one product node per feature."""
        if literal:
            return vsum([*(wj * xj for wj, xj in zip(self.w, x)), self.b])
        return dot(self.w, x) + self.b

    def _loss(self, x: list[float], y: float, stable: bool, literal: bool) -> Value:
        z = self._z(x, literal)
        z.label = "z"
        if stable:
            return z.logistic_loss(y)
        a = z.sigmoid()
        a.label = "a"
        return _literal_loss(a, Value(y, "y"))

    def _cost(self, columns: Sequence[list[float]], labels: Sequence[float], stable: bool, literal: bool) -> Value:
        losses = []
        for i, (x, y) in enumerate(zip(columns, labels), 1):
            L = self._loss(x, y, stable, literal)
            L.label = f"L({i})"
            losses.append(L)
        J = vsum(losses) / len(losses)
        J.label = "J"
        return J

    @staticmethod
    def _columns(X: np.ndarray) -> list[list[float]]:
        columns: list[list[float]] = X.T.tolist()
        return columns

    def loss(self, x: ArrayLike, y: float, *, stable: bool = True, literal: bool = False) -> Value:
        """L(a, y) of one sample x (shape (n,) or (n, 1)) on the graph of this model's w and b.

        ``stable=True``: the fused y·softplus(−z) + (1 − y)·softplus(z); ``stable=False``: the literal
        −(y log a + (1 − y) log(1 − a)).  ``literal=True`` builds one product node per wⱼxⱼ.
        """
        xs = validation.vector("x", x, self.n)
        L = self._loss(xs.tolist(), validation.label("y", y), stable, literal)
        L.label = "L"
        return L

    def cost(self, X: ArrayLike, Y: ArrayLike, *, stable: bool = True, literal: bool = False) -> Value:
        """J(w, b) = (1/m) Σᵢ L(a⁽ⁱ⁾, y⁽ⁱ⁾): one sum node over the m losses, divided by m.

        X has shape (n, m) (samples as columns), Y shape (1, m).  Each z⁽ⁱ⁾ is one ``dot``
        node plus b (or, with ``literal=True``, one product node per feature).
        """
        Xa, Ya = _samples(X, Y, self.n)
        return self._cost(self._columns(Xa), Ya[0].tolist(), stable, literal)

    def fit(
        self,
        X: ArrayLike,
        Y: ArrayLike,
        num_iterations: int = 100,
        learning_rate: float = 0.009,
        *,
        stable: bool = True,
        literal: bool = False,
        callback: Callable[[int, float], object] | None = None,
        engine: str = "value",
    ) -> list[float]:
        """Gradient descent: w := w − α ∂J/∂w, b := b − α ∂J/∂b, with ∂J from ``backward()``.

        Each iteration builds J, zeroes the gradients, runs ``backward()`` and takes one
        ``step`` (``module.gradient_descent_step``); a step that leaves the finite numbers
        raises ``DivergenceError``, an ``OverflowError``.

        ``engine="tape"`` replays the graph of one sample over all m at once (``tape.fit_logistic``):
        the same costs, in a fraction of the time (stable loss only).

        Returns the cost J at every iteration, before that iteration's step (so entries
        0, 100, 200, … are ``vectorized.optimize``'s costs).  ``callback(i, cost)`` is
        called after step i.  The parameters keep the gradients of the last step.
        """
        num_iterations = validation.count("num_iterations", num_iterations, 0)
        alpha = validation.learning_rate(learning_rate)
        if callback is not None and not callable(callback):
            raise InputTypeError(f"callback must be callable as callback(i, cost), got {validation.describe(callback)}")
        Xa, Ya = _samples(X, Y, self.n)
        if engine not in ("value", "tape"):
            raise ValueError(f"engine must be 'value' or 'tape', got {engine!r}")
        if engine == "tape":
            if literal or not stable:
                raise ValueError("engine='tape' replays the stable loss only (stable=True, literal=False)")
            from .tape import fit_logistic

            return fit_logistic(self.w, self.b, Xa, Ya, int(num_iterations), alpha, callback)
        columns, labels = self._columns(Xa), Ya[0].tolist()
        costs: list[float] = []
        for i in range(num_iterations):
            with gc_paused():  # the graph is acyclic: reference counting frees it
                J = self._cost(columns, labels, stable, literal)
                self.zero_grad()
                J.backward()
                costs.append(J.data)
                del J  # free the graph before the next one is built
            self.step(alpha)  # raises DivergenceError (an OverflowError) if a parameter stops being finite
            if callback is not None:
                callback(i, costs[-1])
        return costs

    def predict_proba(self, X: ArrayLike) -> np.ndarray:
        """a = σ(wᵀx + b) for every column of X (shape (n, m)); returns shape (1, m)."""
        Xa = _array("X", X)
        if Xa.ndim != 2 or Xa.shape[0] != self.n or Xa.shape[1] == 0:
            raise InputError(f"X must have shape (n, m) = ({self.n}, m) with m >= 1, got shape {Xa.shape}")
        with no_grad():
            a = [self._z(x, False).sigmoid().data for x in self._columns(Xa)]
        return np.array([a], dtype=np.float64)

    def predict(self, X: ArrayLike) -> np.ndarray:
        """ŷ = 1.0 where a > 0.5 else 0.0, shape (1, m)."""
        return (self.predict_proba(X) > 0.5).astype(np.float64)


# ---------------------------------------------------------------- the text's loop over m samples


def explicit_loop(w: ArrayLike, b: float, X: ArrayLike, Y: ArrayLike) -> tuple[dict[str, Any], float]:
    """The text's gradient descent step over m samples, with plain loops over i and j.

        J = 0, dw_j = 0, db = 0
        for i = 1..m:  z = Σ_j w_j x_j + b,  a = σ(z),  J += L(a, y),
                       dz = a − y,  dw_j += x_j dz,  db += dz
        J /= m,  dw_j /= m,  db /= m

    L is computed from z (−log a = log(1 + e^−z) for y = 1, −log(1 − a) = log(1 + e^z) for
    y = 0): the same number as −(y log a + (1 − y) log(1 − a)), but finite and accurate when
    a rounds to 0 or 1.  Returns ({"dw": ndarray (n, 1), "db": float}, J),
    as ``vectorized.propagate`` does.
    """
    Xa, Ya = _samples(X, Y)
    n, m = Xa.shape
    w_list = validation.vector("w", w, n, f" to match X of shape {Xa.shape}").tolist()
    b_num = validation.real("b", b)
    x_rows: list[list[float]] = Xa.tolist()  # x_rows[j][i] is feature j of sample i
    y_row: list[float] = Ya[0].tolist()

    J = 0.0
    dw = [0.0] * n
    db = 0.0
    for i in range(m):
        z = 0.0
        for j in range(n):
            z += w_list[j] * x_rows[j][i]
        z += b_num
        a = ops.sigmoid(z)
        y = y_row[i]
        J += ops.logistic_loss(z, y)  # L(a, y), computed from z so that it stays finite when a rounds to 0 or 1
        dz = a - y
        for j in range(n):
            dw[j] += x_rows[j][i] * dz
        db += dz
    J /= m
    for j in range(n):
        dw[j] /= m
    db /= m
    return {"dw": np.array(dw, dtype=np.float64).reshape(n, 1), "db": db}, J
