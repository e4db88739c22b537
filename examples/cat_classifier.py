"""The cat classifier: logistic regression, vectorized with NumPy, on the embedded pictures.

Each 64 × 64 × 3 picture becomes a column x of n = 12288 pixel values scaled to [0, 1]; X holds
m of them side by side, shape (n, m). Gradient descent from w = 0, b = 0:

    A = σ(wᵀX + b),  dw = (1/m) X (A − Y)ᵀ,  db = (1/m) Σ (a − y),  w := w − α dw,  b := b − α db

The pictures are drawn from a seed (no download); pass the course's HDF5 files to
``data.load_dataset(train_path, test_path)`` to use the real ones instead.

Run: python examples/cat_classifier.py
"""

from __future__ import annotations

import time

import numpy as np

from micrograd_lr import data, vectorized


def accuracy(Y_prediction: np.ndarray, Y: np.ndarray) -> float:
    """100 − mean(|ŷ − y|) · 100."""
    return 100.0 - float(np.mean(np.abs(Y_prediction - Y))) * 100.0


def main() -> None:
    train_x_orig, train_y, test_x_orig, test_y, classes = data.load_dataset()
    X_train = data.scale(data.flatten(train_x_orig))  # (12288, 209), pixels / 255
    X_test = data.scale(data.flatten(test_x_orig))  # (12288, 50)
    n, m = X_train.shape
    cats = int(train_y.sum())
    print(f"{m} training pictures ({cats} {classes[1].decode()}, {m - cats} {classes[0].decode()}), ", end="")
    print(f"{X_test.shape[1]} test pictures; each a column of n = {n} features")

    start = time.perf_counter()
    d = vectorized.model(X_train, train_y, X_test, test_y, num_iterations=2000, learning_rate=0.005, print_cost=True)
    seconds = time.perf_counter() - start

    print(f"train accuracy: {accuracy(d['Y_prediction_train'], train_y):.1f} %")
    print(f"test accuracy: {accuracy(d['Y_prediction_test'], test_y):.1f} %")
    print(f"({seconds:.1f} s for {d['num_iterations']} iterations at learning rate {d['learning_rate']})")


if __name__ == "__main__":
    main()
