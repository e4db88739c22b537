"""Is my cat a cat? Train, save the model to a file, and classify a picture you have.

The classifier is trained on the embedded cats (2000 steps of w := w − α dw, α = 0.005) and saved
with ``vectorized.save_model`` (a .npz file: w, b, the picture size, α, the iterations, the costs).
Loaded again with ``vectorized.load_model``, it classifies pictures the way the course does: each
picture is converted to RGB, resized to 64 × 64, unrolled into x and divided by 255, then

    a = σ(wᵀx + b),  y = 1 (cat) when a > 0.5.

"Your" pictures here are drawn by the project (new cats and non-cats from a seed no training picture
came from), saved as a large JPEG and a small PNG, so the script needs no download. For your own photo:

    micrograd-lr train --save cats.npz
    micrograd-lr predict cats.npz my_cat.jpg

Run: python examples/classify_your_picture.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from micrograd_lr import data, images, vectorized


def main() -> None:
    train_x_orig, train_y, test_x_orig, test_y, classes = data.load_dataset()
    X_train = data.scale(data.flatten(train_x_orig), np.float32)
    X_test = data.scale(data.flatten(test_x_orig), np.float32)
    d = vectorized.model(X_train, train_y, X_test, test_y, num_iterations=2000, learning_rate=0.005)
    train_acc = 100 * float(np.mean(d["Y_prediction_train"] == train_y))
    test_acc = 100 * float(np.mean(d["Y_prediction_test"] == test_y))
    print(f"trained on {X_train.shape[1]} pictures: J from {d['costs'][0]:.4f} to {d['costs'][-1]:.4f}, ", end="")
    print(f"train accuracy {train_acc:.1f} %, test accuracy {test_acc:.1f} %")

    with tempfile.TemporaryDirectory() as folder:
        model_path = vectorized.save_model(
            Path(folder) / "cats.npz", d, image_shape=data.IMAGE_SHAPE, data_source="the embedded cats", classes=classes
        )
        print(f"saved w ({d['w'].shape[0]} numbers), b and how they were made to {model_path.name}")
        model = vectorized.load_model(model_path)

        # Pictures no training picture looks like: another seed. A photo is larger than 64 × 64: scale one up.
        new_x, new_y = data.synthetic_cats(10, seed=2024, cat_fraction=0.5)
        right = 0
        for i in range(new_x.shape[0]):
            suffix, size = (".jpg", (480, 360)) if i % 2 == 0 else (".png", (64, 64))
            path = Path(folder) / f"picture_{i}{suffix}"
            Image.fromarray(new_x[i]).resize(size).save(path)
            x = images.picture_to_x(path, model["image_shape"])  # RGB, 64 × 64, unrolled, / 255
            a = float(vectorized.sigmoid(float((model["w"].T @ x)[0, 0]) + model["b"]))
            y_hat = int(a > 0.5)
            right += y_hat == int(new_y[0, i])
            label = model["classes"][y_hat].decode()
            truth = classes[int(new_y[0, i])].decode()
            print(f"{path.name} ({size[0]}×{size[1]}): a = σ(wᵀx + b) = {a:.4f} → y = {y_hat} ({label}), ", end="")
            print(f"it is a {truth}")
        print(f"{right} of {new_x.shape[0]} new pictures labelled right (new ones are harder than those it learned)")


if __name__ == "__main__":
    main()
