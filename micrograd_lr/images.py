"""Your own picture as a feature vector x, prepared the way the course prepares its cat pictures.

``picture_to_x(path, image_shape)`` reads any picture Pillow reads (PNG, JPEG, GIF: its first frame,
WebP, BMP, TIFF, …) and turns it into x of shape (n, 1):

1. turned upright when the camera said so (EXIF orientation);
2. converted to RGB: a grey picture gets three equal channels; a transparent one is laid on
   white, so what is see-through looks white;
3. resized to the model's picture size (64 × 64 for the course), stretched if it is not square,
   as the course does (no cropping);
4. unrolled with ``data.flatten`` (row by row, and red, green, blue for each pixel) and divided by
   255 with ``data.scale``: the same x the training pictures became.

Anything that is not a usable picture raises ``PictureError`` (a ``ValueError``) whose one-line
message starts with the file's name: a missing file, a folder, a file Pillow can't identify, a
truncated or damaged one, or one with more pixels than Pillow's decompression-bomb limit
(``PIL.Image.MAX_IMAGE_PIXELS``, about 89 million; a picture over it is refused before it is decoded).
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageOps, UnidentifiedImageError

from . import data
from .validation import InputError

__all__ = ["PictureError", "picture_to_x", "read_picture"]


class PictureError(InputError):
    """A file that is not a usable picture; the message names the file."""


def read_picture(path: str | os.PathLike[str], size: tuple[int, int]) -> npt.NDArray[np.uint8]:
    """The picture at ``path`` as RGB pixels (height, width, 3) uint8, resized to size = (height, width)."""
    p = Path(path)
    height, width = size
    if p.is_dir():
        raise PictureError(f"{p}: is a folder, expected a picture file")
    if not p.exists():
        raise PictureError(f"{p}: no such file")
    limit = Image.MAX_IMAGE_PIXELS
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its limit and twice its limit: here, over the limit is refused.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(p) as img:
                img.seek(0)  # the first frame of an animation
                img.load()
                img = ImageOps.exif_transpose(img)
                rgb = _to_rgb(img)
                resized = rgb.resize((width, height), Image.Resampling.BICUBIC)
                pixels = np.asarray(resized, dtype=np.uint8)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PictureError(
            f"{p}: too many pixels, over Pillow's limit of {limit} (PIL.Image.MAX_IMAGE_PIXELS) for a picture: "
            f"refused as a possible decompression bomb ({exc})"
        ) from None
    except UnidentifiedImageError:
        raise PictureError(f"{p}: not a picture Pillow can read (expected PNG, JPEG, GIF, WebP, …)") from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:  # Pillow's ways of saying "damaged"
        raise PictureError(f"{p}: truncated or damaged picture ({' '.join(str(exc).split())})") from None
    return pixels.reshape(height, width, 3)


def _to_rgb(img: Image.Image) -> Image.Image:
    """RGB pixels: grey to three equal channels, transparency laid on white."""
    if img.mode == "RGB":
        return img
    if img.mode == "P" and "transparency" in img.info:
        img = img.convert("RGBA")
    if img.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    if img.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        # grey in more than 8 bits: 0..65535 (16-bit files) scaled to 0..255; values up to 255 kept as they are
        values = np.asarray(img, dtype=np.float64)
        top = 65535.0 if img.mode.startswith("I;16") or values.max(initial=0.0) > 255 else 255.0
        grey = np.clip(values * (255.0 / top), 0, 255)
        return Image.fromarray(np.rint(grey).astype(np.uint8), mode="L").convert("RGB")
    return img.convert("RGB")


def picture_to_x(path: str | os.PathLike[str], image_shape: tuple[int, int, int]) -> npt.NDArray[np.float64]:
    """x of shape (n, 1) = (height · width · 3, 1), in 0..1: the picture at ``path`` prepared as the course does."""
    height, width, channels = image_shape
    if channels != 3:
        raise InputError(f"image_shape must be (height, width, 3), got {image_shape!r}")
    pixels = read_picture(path, (height, width))
    return data.scale(data.flatten(pixels[np.newaxis]))
