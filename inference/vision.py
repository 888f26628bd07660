"""Decode and check uploaded screenshots: untrusted bytes in, a clean RGB PIL image out.

PIL only (no torch), so the web layer can validate an upload without loading the model stack.
Every rejection is an ImageError whose message can be shown to the user.
"""

from __future__ import annotations

import hashlib
import io
import math

from PIL import Image, ImageOps, UnidentifiedImageError

from inference.types import ImageError

# Decided by the file's content, never its name or declared type. MPO is what PIL calls a
# JPEG with extra pictures, as many phone cameras write.
OPEN_FORMATS = ("PNG", "JPEG", "WEBP", "GIF")
ACCEPTED_FORMATS = {*OPEN_FORMATS, "MPO"}
MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
# The GLM-4V and Qwen2-VL image processors refuse anything more elongated than this.
MAX_ASPECT_RATIO = 200


def load_image(data: bytes, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS) -> Image.Image:
    """Return the first frame of a PNG, JPEG, WebP or GIF as an upright RGB image without metadata.

    Transparent areas become white. PIL's own decompression-bomb limit
    (Image.MAX_IMAGE_PIXELS) still applies if `max_pixels` is set above it.
    """
    if not data:
        raise ImageError("The image is empty.")
    if len(data) > max_bytes:
        raise ImageError(f"The image is too large ({_megabytes(len(data))}; the limit is {_megabytes(max_bytes)}).")
    img = _open_checked(data, max_pixels)
    try:
        img.load()  # decodes everything now, so a truncated or corrupt file fails here
    except Image.DecompressionBombError as exc:
        raise ImageError("The image has too many pixels.") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageError("The image file is damaged or incomplete.") from exc
    return _to_plain_rgb(_upright(img))


def image_sha256(img: Image.Image) -> str:
    """Hash of the decoded pixels: the same picture gives the same hash whatever file it came in."""
    digest = hashlib.sha256(f"{img.mode}:{img.width}x{img.height}:".encode())
    digest.update(img.tobytes())
    return digest.hexdigest()


def fit_pixel_budget(img: Image.Image, max_pixels: int) -> Image.Image:
    """Shrink (never enlarge) to at most `max_pixels`, keeping the aspect ratio."""
    if img.width * img.height <= max_pixels:
        return img
    scale = math.sqrt(max_pixels / (img.width * img.height))
    size = (max(1, math.floor(img.width * scale)), max(1, math.floor(img.height * scale)))
    # Lanczos keeps small text readable; reducing_gap first shrinks cheaply by whole factors.
    return img.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _open_checked(data: bytes, max_pixels: int) -> Image.Image:
    """Read only the header, and check format and size before any pixel is decoded."""
    try:
        img = Image.open(io.BytesIO(data), formats=OPEN_FORMATS)
    # PIL raises the error past twice its limit; the warning, between one and two times its
    # limit, only reaches here where warnings are errors (our own check below catches the rest).
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageError("The image has too many pixels.") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ImageError("This file is not a supported image (PNG, JPEG, WebP or GIF).") from exc
    if img.format not in ACCEPTED_FORMATS:
        raise ImageError("This file is not a supported image (PNG, JPEG, WebP or GIF).")
    width, height = img.size
    if width < 1 or height < 1:
        raise ImageError("The image has no pixels.")
    if width * height > max_pixels:
        raise ImageError(
            f"The image is too large ({width}x{height} pixels; the limit is {max_pixels / 1e6:g} megapixels)."
        )
    if max(width, height) > MAX_ASPECT_RATIO * min(width, height):
        raise ImageError(f"The image is too narrow ({width}x{height} pixels).")
    return img


def _upright(img: Image.Image) -> Image.Image:
    """Apply the EXIF orientation that phone photos of screens carry."""
    try:
        return ImageOps.exif_transpose(img)
    except Exception:  # malformed EXIF is common and harmless: keep the pixels as stored
        return img


def _to_plain_rgb(img: Image.Image) -> Image.Image:
    if img.mode in ("I", "I;16", "I;16B", "I;16L"):  # 16-bit greyscale: plain convert() clips it to white
        img = img.point(lambda value: value * (1 / 256)).convert("L")
    # A fresh image carries no metadata (EXIF, GPS, ICC, text chunks); transparency becomes white.
    rgb = Image.new("RGB", img.size, "white")
    if img.has_transparency_data:
        rgba = img.convert("RGBA")
        rgb.paste(rgba, mask=rgba.getchannel("A"))
    else:
        rgb.paste(img.convert("RGB"))
    return rgb


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"
