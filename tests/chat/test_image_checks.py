"""inference.vision: untrusted upload bytes become a clean RGB image or a clear ImageError."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin

from inference.types import ImageError
from inference.vision import fit_pixel_budget, image_sha256, load_image

RED, GREEN, BLUE, WHITE = (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)


def encode(img: Image.Image, fmt: str, **params) -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, fmt, **params)
    return buffer.getvalue()


def png_claiming_size(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width x height pixels: cheap to make, costly to decode."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    pixels = zlib.compress(b"\0" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def test_accepts_png_jpeg_webp_as_rgb():
    img = Image.new("RGB", (64, 48), BLUE)
    for fmt in ("PNG", "JPEG", "WEBP"):
        loaded = load_image(encode(img, fmt))
        assert (loaded.mode, loaded.size) == ("RGB", (64, 48))


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,  # PNG signature, garbage after it
        bytes(range(256)) * 16,
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>',
        b"Hello, this is a text file renamed to screenshot.png\n",
        encode(Image.new("RGB", (8, 8)), "BMP"),  # a real image, but not an accepted format
    ],
    ids=["corrupt-png", "random-bytes", "svg", "text", "bmp"],
)
def test_rejects_what_is_not_an_accepted_image(data):
    with pytest.raises(ImageError, match="not a supported image"):
        load_image(data)


def test_rejects_empty_payload():
    with pytest.raises(ImageError, match="empty"):
        load_image(b"")


def test_rejects_oversize_payload_before_parsing_it():
    with pytest.raises(ImageError, match="too large"):
        load_image(b"\0" * (50 * 1024 * 1024))


def test_rejects_truncated_jpeg():
    data = encode(Image.effect_noise((256, 256), 64).convert("RGB"), "JPEG")
    with pytest.raises(ImageError, match="damaged or incomplete"):
        load_image(data[: len(data) // 2])


def test_rejects_decompression_bomb_over_pil_limit():
    with pytest.raises(ImageError, match="too many pixels"):
        load_image(png_claiming_size(100_000, 100_000))


@pytest.mark.filterwarnings("error::PIL.Image.DecompressionBombWarning")
def test_pil_bomb_warning_raised_as_error_is_an_image_error():
    with pytest.raises(ImageError, match="too many pixels"):
        load_image(png_claiming_size(10_000, 10_000))  # between PIL's warning and error limits


def test_rejects_pixel_count_over_our_limit_before_decoding():
    # 64 megapixels: under PIL's own bomb limit, over ours. Only the header is read.
    with pytest.raises(ImageError, match="8000x8000 pixels"):
        load_image(png_claiming_size(8000, 8000))


def test_rejects_extreme_aspect_ratio():
    with pytest.raises(ImageError, match="too narrow"):
        load_image(encode(Image.new("RGB", (1, 300)), "PNG"))


def test_tiny_image_is_kept_for_the_processor_to_upscale():
    loaded = load_image(encode(Image.new("RGB", (1, 1), RED), "PNG"))
    assert loaded.size == (1, 1)
    assert loaded.getpixel((0, 0)) == RED


def test_applies_exif_orientation():
    # Stored 40x20, left half red; orientation 6 means "turn 90 degrees clockwise to view".
    stored = Image.new("RGB", (40, 20), BLUE)
    stored.paste(RED, (0, 0, 20, 20))
    exif = Image.Exif()
    exif[0x0112] = 6
    loaded = load_image(encode(stored, "JPEG", exif=exif, quality=95))
    assert loaded.size == (20, 40)
    assert _close(loaded.getpixel((10, 5)), RED)
    assert _close(loaded.getpixel((10, 35)), BLUE)


def test_drops_metadata():
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    loaded = load_image(encode(Image.new("RGB", (16, 16), RED), "JPEG", exif=exif))
    assert loaded.info == {}
    assert len(loaded.getexif()) == 0


def test_flattens_transparency_on_white():
    img = Image.new("RGBA", (4, 4), (255, 0, 0, 0))
    img.putpixel((0, 0), (255, 0, 0, 255))
    loaded = load_image(encode(img, "PNG"))
    assert loaded.mode == "RGB"
    assert loaded.getpixel((0, 0)) == RED
    assert loaded.getpixel((3, 3)) == WHITE


def test_gif_with_transparent_palette_entry():
    img = Image.new("P", (4, 4), 1)
    img.putpalette([*RED, *GREEN] + [0] * 762)
    img.putpixel((0, 0), 0)
    loaded = load_image(encode(img, "GIF", transparency=1))
    assert loaded.getpixel((0, 0)) == RED
    assert loaded.getpixel((3, 3)) == WHITE


def test_animated_gif_gives_first_frame():
    frames = [Image.new("RGB", (8, 8), colour) for colour in (RED, GREEN, BLUE)]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    assert Image.open(io.BytesIO(data)).n_frames == 3
    assert load_image(data).getpixel((4, 4)) == RED


def test_16_bit_greyscale_png_keeps_its_levels():
    img = Image.new("I;16", (4, 4), 0x8000)
    assert load_image(encode(img, "PNG")).getpixel((0, 0)) == (128, 128, 128)


def test_sha256_depends_on_pixels_not_on_file_bytes():
    img = Image.effect_noise((32, 32), 50).convert("RGB")
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "same pixels, different file")
    from_png = load_image(encode(img, "PNG", pnginfo=text))
    from_webp = load_image(encode(img, "WEBP", lossless=True))
    assert image_sha256(from_png) == image_sha256(from_webp)
    changed = from_png.copy()
    changed.putpixel((0, 0), tuple(255 - c for c in changed.getpixel((0, 0))))
    assert image_sha256(changed) != image_sha256(from_png)


def test_fit_pixel_budget_shrinks_keeping_aspect_ratio():
    img = Image.new("RGB", (4000, 1000))
    fitted = fit_pixel_budget(img, 1_000_000)
    assert fitted.width * fitted.height <= 1_000_000
    assert fitted.width / fitted.height == pytest.approx(4, rel=0.01)
    assert fit_pixel_budget(fitted, 1_000_000) is fitted  # never enlarges


@pytest.mark.services
def test_vision_does_not_import_torch():
    # The web layer imports inference.vision to validate uploads; it must stay light.
    code = "import sys, inference.vision; assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[2])


def _close(pixel: tuple[int, ...], expected: tuple[int, ...], tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, expected))
