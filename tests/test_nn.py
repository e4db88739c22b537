"""The dense network: Neuron, Layer, MLP, and the text's house-price network."""

from __future__ import annotations

import itertools
import math
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from micrograd_lr import Value, topological_order
from micrograd_lr.gradcheck import check_gradients
from micrograd_lr.nn import (
    HOUSE_FEATURES,
    MLP,
    Layer,
    Neuron,
    fit_mse,
    house_price_data,
    house_price_network,
    mse,
)


def test_neuron_computes_g_of_w_dot_x_plus_b() -> None:
    for activation, g in (("relu", lambda z: max(z, 0.0)), ("tanh", math.tanh), ("linear", lambda z: z)):
        neuron = Neuron(3, activation, seed=1)
        neuron.b.data = -0.25
        x = [0.5, -2.0, 1.5]
        z = sum(w.data * xi for w, xi in zip(neuron.w, x)) + neuron.b.data
        out = neuron(x)
        assert out.data == pytest.approx(g(z), rel=1e-15, abs=1e-15)
    # one dot node for the weighted sum, with the numbers x kept as constants
    neuron = Neuron(2, "linear", seed=0)
    out = neuron([1.0, 2.0])
    dots = [node for node in topological_order(out) if node.op is not None and node.op.name == "dot"]
    assert len(dots) == 1 and dots[0].parents == tuple(neuron.w)


def test_seeded_initialisation_is_reproducible() -> None:
    a = MLP(4, [5, 3, 1], seed=42)
    b = MLP(4, [5, 3, 1], seed=42)
    c = MLP(4, [5, 3, 1], seed=43)
    d = MLP(4, [5, 3, 1], seed=random.Random(42))
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]
    assert [p.data for p in a.parameters()] == [p.data for p in d.parameters()]
    assert [p.data for p in a.parameters()] != [p.data for p in c.parameters()]
    bound = 1.0 / math.sqrt(4)
    assert all(abs(w.data) <= bound for w in a.layers[0].neurons[0].w)
    assert all(n.b.data == 0.0 for layer in a.layers for n in layer.neurons)


def test_shapes_parameters_and_labels() -> None:
    net = MLP(4, [3, 2], activation="tanh", output_activation="linear", seed=0)
    assert len(net.parameters()) == (4 + 1) * 3 + (3 + 1) * 2
    assert len(net([1.0, 2.0, 3.0, 4.0])) == 2
    labels = [p.label for p in net.parameters()]
    assert len(set(labels)) == len(labels)
    assert labels[:5] == ["L1.n1.w1", "L1.n1.w2", "L1.n1.w3", "L1.n1.w4", "L1.n1.b"]
    assert labels[-1] == "L2.n2.b"
    assert [n.activation for n in net.layers[0].neurons] == ["tanh"] * 3
    assert [n.activation for n in net.layers[1].neurons] == ["linear"] * 2
    assert repr(net) == "MLP(4 → 3 → 2)"
    layer = Layer(2, 3, seed=0)
    assert len(layer([1.0, 1.0])) == 3 and layer.nin == 2 and layer.nout == 3
    assert [p.label for p in Neuron(2).parameters()] == ["w1", "w2", "b"]


def test_zero_grad_clears_every_parameter() -> None:
    net = MLP(2, [3, 1], seed=0)
    out = net([1.0, -1.0])
    assert isinstance(out, Value)  # one output unit: one Value, as in micrograd
    out.backward()
    assert any(p.grad != 0.0 for p in net.parameters())
    net.zero_grad()
    assert all(p.grad == 0.0 for p in net.parameters())


@settings(max_examples=40)
@given(
    st.integers(0, 10_000),
    st.lists(st.floats(-2.0, 2.0, allow_nan=False, allow_subnormal=False), min_size=3, max_size=3),
    st.sampled_from(["tanh", "linear"]),
)
def test_mlp_gradients_match_central_differences(seed: int, x: list[float], activation: str) -> None:
    """Smooth activations: backward() agrees with (J(θ + ε) − J(θ − ε)) / 2ε on every parameter."""
    net = MLP(3, [4, 3, 1], activation=activation, output_activation="tanh", seed=seed)
    error = check_gradients(lambda: (net(x) - 0.3) ** 2, net.parameters())
    assert error < 1e-6


@settings(max_examples=30)
@given(st.integers(0, 10_000))
def test_relu_network_gradients_match_central_differences_away_from_kinks(seed: int) -> None:
    X, y = house_price_data(6, seed=seed)
    net = house_price_network(hidden=4, seed=seed)
    eps = 1e-6
    # skip where a hidden unit's z is near the kink of ReLU at 0: a difference quotient there straddles it
    for i in range(6):
        x = [row[i] for row in X]
        for neuron in net.layers[0].neurons:
            z = sum(w.data * xi for w, xi in zip(neuron.w, x)) + neuron.b.data
            if abs(z) < 1e-4:
                return
    assert check_gradients(lambda: mse(net, X, y), net.parameters(), eps=eps) < 1e-6


def test_the_house_price_network_of_the_text() -> None:
    net = house_price_network(hidden=3, seed=0)
    assert HOUSE_FEATURES == ("size", "bedrooms", "zip code", "wealth")
    assert repr(net) == "MLP(4 → 3 → 1)"
    assert [n.activation for n in net.layers[0].neurons] == ["relu"] * 3
    assert net.layers[1].neurons[0].activation == "linear"


def test_house_price_data_is_seeded_and_shaped() -> None:
    X, y = house_price_data(50, seed=3)
    assert len(X) == 4 and all(len(row) == 50 for row in X) and len(y) == 50
    assert (X, y) == house_price_data(50, seed=3)
    assert (X, y) != house_price_data(50, seed=4)
    assert all(0.0 <= v <= 1.0 for row in X for v in row)
    assert all(price > 0 for price in y)


def test_training_lowers_the_loss_on_house_prices() -> None:
    X, y = house_price_data(48, seed=0)
    net = house_price_network(hidden=3, seed=0)
    seen: list[int] = []
    costs = fit_mse(net, X, y, num_iterations=150, learning_rate=0.05, callback=lambda i, c: seen.append(i))
    assert len(costs) == 150 and seen == list(range(150))
    assert all(later <= earlier for earlier, later in itertools.pairwise(costs))
    # better than always predicting the mean price, by a wide margin
    variance = float(np.var(y))
    assert costs[0] > variance
    assert costs[-1] < 0.25 * variance
    assert mse(net, X, y).data == pytest.approx(
        costs[-1], rel=0.05
    )  # one more evaluation, after the last step, is a bit lower
    assert mse(net, X, y).data <= costs[-1]


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda: Neuron(0), ValueError, "nin must be at least 1, got 0"),
        (lambda: Neuron(2.5), TypeError, "nin must be an int, got float"),  # type: ignore[arg-type]
        (lambda: Neuron(2, "sigmoid"), ValueError, "activation must be one of 'relu', 'tanh', 'linear'"),
        (lambda: Neuron(2, seed="x"), TypeError, "seed must be an int or a random.Random, got str"),  # type: ignore[arg-type]
        (lambda: Layer(2, 0), ValueError, "nout must be at least 1"),
        (lambda: MLP(2, []), TypeError, "nouts must be a non-empty sequence"),
        (lambda: MLP(2, [3, -1]), ValueError, r"nouts\[1\] must be at least 1, got -1"),
        (lambda: MLP(2, [3], output_activation="soft"), ValueError, "activation must be one of"),
        (lambda: Neuron(2)([1.0]), ValueError, "x must have 2 inputs for this neuron, got 1"),
        (lambda: MLP(2, [1])([1.0, 2.0, 3.0]), ValueError, "x must have 2 inputs for this network, got 3"),
        (lambda: mse(MLP(1, [2]), [[1.0]], [1.0]), ValueError, "mse needs a network with one output, got 2"),
        (
            lambda: mse(MLP(1, [1]), [[1.0, 2.0]], [1.0]),
            ValueError,
            r"X must have shape \(n, m\) with m = len\(y\) = 1",
        ),
        (lambda: fit_mse(MLP(1, [1]), [[1.0]], [1.0], learning_rate=0), ValueError, "learning_rate must be a positive"),
        (lambda: Neuron(1)([Value(1.0)]).data + Neuron(1)(["a"]).data, TypeError, "str"),  # type: ignore[list-item]
    ],
)
def test_bad_input_is_named(make: object, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        make()  # type: ignore[operator]


# ---------------------------------------------------------------- drop-in for micrograd's nn


def two_moons(m: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """m points on two interleaved half circles with a little noise, as rows (m, 2), labels 0/1."""
    rng = np.random.default_rng(seed)
    t = rng.uniform(0.0, math.pi, size=m)
    label = np.arange(m) % 2
    x = np.where(label == 0, np.cos(t), 1.0 - np.cos(t))
    y = np.where(label == 0, np.sin(t), 0.5 - np.sin(t))
    return np.column_stack([x, y]) + rng.normal(scale=0.1, size=(m, 2)), label


def test_micrograds_two_moons_loop_runs_unchanged_and_learns() -> None:
    """micrograd's demo training loop, as written there, with only the import changed."""
    from micrograd_lr.engine import Value
    from micrograd_lr.nn import MLP

    random.seed(1337)
    np.random.seed(1337)
    X, y = two_moons(30, seed=1)
    y = y * 2 - 1  # make y be -1 or 1

    model = MLP(2, [16, 16, 1])  # 2-layer neural network

    def loss(batch_size=None):
        # inline DataLoader :)
        if batch_size is None:
            Xb, yb = X, y
        else:
            ri = np.random.permutation(X.shape[0])[:batch_size]
            Xb, yb = X[ri], y[ri]
        inputs = [list(map(Value, xrow)) for xrow in Xb]

        # forward the model to get scores
        scores = list(map(model, inputs))

        # svm "max-margin" loss
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(yb, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        # L2 regularization
        alpha = 1e-4
        reg_loss = alpha * sum(p * p for p in model.parameters())
        total_loss = data_loss + reg_loss

        # also get accuracy
        accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(yb, scores)]
        return total_loss, sum(accuracy) / len(accuracy)

    total_loss, first_acc = loss()
    first_loss = total_loss.data
    for k in range(15):
        # forward
        total_loss, acc = loss()

        # backward
        model.zero_grad()
        total_loss.backward()

        # update (sgd)
        learning_rate = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= learning_rate * p.grad

        if k % 1 == 0:
            print(f"step {k} loss {total_loss.data}, accuracy {acc * 100}%")

    total_loss, last_acc = loss()
    assert total_loss.data < 0.5 * first_loss
    assert last_acc >= 0.8 and last_acc > first_acc


def test_micrograds_constructors_and_return_rule() -> None:
    assert Neuron(3, nonlin=False).activation == "linear"
    assert Neuron(3, nonlin=True).activation == "relu"
    assert Neuron(3, False).activation == "linear"
    layer = Layer(2, 4, nonlin=False)
    assert [n.activation for n in layer.neurons] == ["linear"] * 4
    assert isinstance(Layer(2, 1)([1.0, 2.0]), Value)
    assert isinstance(Layer(2, 3)([1.0, 2.0]), list)
    net = MLP(2, [3, 1])
    assert [n.activation for n in net.layers[0].neurons] == ["relu"] * 3
    assert net.layers[1].neurons[0].activation == "linear"
    assert isinstance(net([1.0, 2.0]), Value) and isinstance(MLP(2, [3, 2])([1.0, 2.0]), list)
    assert isinstance(MLP(2, [1, 3])([1.0, 2.0]), list)  # a one-unit hidden layer still feeds the next
    assert all(isinstance(p, Value) and p.op is None for p in net.parameters())
    with pytest.raises(ValueError, match="give activation or nonlin, not both"):
        Neuron(2, "tanh", nonlin=True)
    with pytest.raises(TypeError, match="unexpected keyword arguments \\['bias'\\]"):
        Layer(2, 2, bias=False)


def test_seed_none_is_fresh_and_follows_random_seed() -> None:
    def weights(net: MLP) -> list[float]:
        return [p.data for p in net.parameters()]

    assert weights(MLP(3, [4, 1])) != weights(MLP(3, [4, 1]))
    random.seed(7)
    first = weights(MLP(3, [4, 1]))
    random.seed(7)
    assert weights(MLP(3, [4, 1])) == first
    assert weights(MLP(3, [4, 1], seed=5)) == weights(MLP(3, [4, 1], seed=5))
