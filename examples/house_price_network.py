"""The text's house-price network, trained by gradient descent on the Value graph.

    size, bedrooms, zip code, wealth  →  a hidden dense layer (ReLU)  →  price

The houses are synthetic, drawn from a seed, so every run prints the same numbers.
The cost is the mean squared error J = (1/m) Σ (ŷ − y)², and each step is
θ := θ − α ∂J/∂θ with ∂J/∂θ from ``backward()``.

Run: python examples/house_price_network.py
"""

from __future__ import annotations

from micrograd_lr.nn import HOUSE_FEATURES, fit_mse, house_price_data, house_price_network


def main(num_iterations: int = 300, learning_rate: float = 0.05, seed: int = 0) -> list[float]:
    X, y = house_price_data(64, seed=seed)
    net = house_price_network(hidden=3, seed=seed)
    print(f"{', '.join(HOUSE_FEATURES)} → {net}: {len(net.parameters())} parameters, m = {len(y)} houses")

    def report(i: int, cost: float) -> None:
        if i % 50 == 0 or i == num_iterations - 1:
            print(f"  iteration {i:4d}: J = {cost:.6f}")

    costs = fit_mse(net, X, y, num_iterations, learning_rate, callback=report)
    first = [row[0] for row in X]
    features = ", ".join(f"{name} {v:.2f}" for name, v in zip(HOUSE_FEATURES, first))
    print(f"first house ({features}): price {y[0]:.3f}, predicted {net(first).data:.3f}")
    return costs


if __name__ == "__main__":
    main()
