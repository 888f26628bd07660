"""Screenshot checks at the web edge, shared with the workers that feed images to the engine."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.conf import settings
from PIL import Image, UnidentifiedImageError

from inference.types import ImageError
from inference.vision import load_image

# Accepted by content, never by file name. GIFs count by their first frame; MPO is a phone
# camera's JPEG with extra pictures.
ACCEPTED_FORMATS = {"PNG", "JPEG", "MPO", "WEBP", "GIF"}


class ImageRejected(Exception):
    """An upload that is not an acceptable image; `message` is safe to show the visitor."""

    def __init__(self, code: str, message: str, http_status: int) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.http_status = http_status


@dataclass
class DecodedImage:
    image: Image.Image  # RGB, EXIF orientation applied, no metadata
    is_photo: bool  # it came as a JPEG, and would bloat as a lossless PNG


def decode_image(data: bytes) -> DecodedImage:
    max_bytes = settings.UPLOAD_MAX_BYTES
    if len(data) > max_bytes:
        raise ImageRejected(
            "too_large", f"Images may be at most {max_bytes // (1024 * 1024)} MB.", 413
        )
    source_format, _ = _probe(data)
    # The engine's own checks: truncation, decompression bombs, EXIF orientation, metadata.
    try:
        image = load_image(data, max_bytes=max_bytes, max_pixels=settings.UPLOAD_MAX_PIXELS)
    except ImageError as rejected:
        raise ImageRejected("bad_image", str(rejected), 422) from None
    return DecodedImage(image=image, is_photo=source_format in {"JPEG", "MPO"})


def image_pixels(data: bytes) -> int:
    """Width x height as the image's header states them, without decoding any pixel (what a
    request's images add up to is checked before any of them is decoded). Raises ImageRejected
    for what decode_image would refuse by its header."""
    _, (width, height) = _probe(data)
    return width * height


def _probe(data: bytes) -> tuple[str, tuple[int, int]]:
    """The container format and size from the file's own header (Pillow's open is lazy); an
    unknown format is told apart from other rejections: it is answered 415 Unsupported Media Type."""
    try:
        with Image.open(io.BytesIO(data), formats=("PNG", "JPEG", "WEBP", "GIF")) as probe:
            image_format, size = probe.format or "", probe.size
    except Image.DecompressionBombError:
        raise ImageRejected("bad_image", "The image has too many pixels.", 422) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        image_format, size = "", (0, 0)
    if image_format not in ACCEPTED_FORMATS:
        raise ImageRejected(
            "unsupported_type", "Only PNG, JPEG, WebP and GIF images are accepted.", 415
        )
    return image_format, size
