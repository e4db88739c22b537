"""``micrograd-lr predict MODEL PICTURE [PICTURE ...]``: is my cat a cat?

MODEL is a file written by ``micrograd-lr train --save MODEL`` (or by the library's
``vectorized.save_model`` / ``LogisticRegressionGD.save`` with an image size). Each PICTURE
(PNG, JPEG, GIF, WebP, … of any size) is prepared as the training pictures were: converted
to RGB (grey gets three equal channels, transparency is laid on white), resized to the
model's picture size (stretched, not cropped), unrolled row by row with R, G, B for each
pixel, and divided by 255. Then, per picture, one line:

    PICTURE: a = σ(wᵀx + b) = 0.9731 → y = 1 (cat)

y = 1 when a > 0.5. A file that is not a usable picture (missing, a folder, not a picture,
truncated, more pixels than Pillow's decompression-bomb limit) gets one line on stderr
naming it, and the other pictures are still classified.

Exit status: 0 when every picture was classified, 1 when any could not be read,
2 when the model file itself can't be used.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from . import CommandError, plain


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "predict",
        help="classify your own pictures with a model saved by `train --save`",
        description=plain(__doc__),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("model", metavar="MODEL", help="a model file written by `micrograd-lr train --save MODEL`")
    p.add_argument("pictures", metavar="PICTURE", nargs="+", help="picture files (PNG, JPEG, GIF, WebP, …)")
    p.set_defaults(func=run)


def _label(classes: np.ndarray, y: int) -> str:
    name = classes[y]
    return name.decode("utf-8", "replace") if isinstance(name, bytes) else str(name)


def run(args: argparse.Namespace) -> int:
    from .. import images, model_file, vectorized

    try:
        saved = model_file.load(args.model)
    except FileNotFoundError as exc:
        raise CommandError(str(exc)) from None
    if saved.image_shape is None:
        raise CommandError(
            f"{args.model}: the model has no picture size (key 'image_shape' is empty): it was not trained on "
            "pictures; save it with an image size (micrograd-lr train --save, or save_model(..., image_shape=...))"
        )
    failed = 0
    for path in args.pictures:
        try:
            x = images.picture_to_x(path, saved.image_shape)
        except images.PictureError as exc:
            print(f"micrograd-lr predict: error: {exc}", file=sys.stderr)
            failed += 1
            continue
        a = float(vectorized.sigmoid(float((saved.w.T @ x)[0, 0]) + saved.b))
        y = int(a > 0.5)
        print(f"{path}: a = σ(wᵀx + b) = {a:.4f} → y = {y} ({_label(saved.classes, y)})", flush=True)
    return 1 if failed else 0
