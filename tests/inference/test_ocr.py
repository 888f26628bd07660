"""inference.ocr: text out of a screenshot with Tesseract, cached by pixels."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import pytesseract
from PIL import Image, ImageDraw, ImageFont

from inference import ocr
from inference.types import InferenceError

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
DARK, LIGHT = (25, 25, 25), (242, 242, 242)

needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract-ocr is not installed")


def font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(DEJAVU), size) if DEJAVU.exists() else ImageFont.load_default(size=size)


def error_dialog(code: str = "ERR-4021") -> Image.Image:
    img = Image.new("RGB", (640, 360), LIGHT)
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, 640, 56), fill=(205, 205, 215))
    draw.text((20, 12), "Error", fill=DARK, font=font(30))
    draw.text((20, 120), "Payment failed", fill=DARK, font=font(28))
    draw.text((20, 180), f"Code: {code}", fill=DARK, font=font(28))
    draw.rectangle((500, 290, 620, 340), fill=(30, 100, 220))
    draw.text((535, 300), "OK", fill="white", font=font(26))
    return img


@needs_tesseract
def test_reads_error_code_from_rendered_dialog():
    text = ocr.read_text(error_dialog())
    assert "ERR-4021" in text
    assert "Payment failed" in text


@needs_tesseract
def test_blank_image_gives_empty_text():
    assert ocr.read_text(Image.new("RGB", (200, 100), LIGHT)) == ""


def one_word(text: str) -> dict[str, list]:
    """What image_to_data gives for a screen holding one word, dark on light."""
    return {"text": [text], "block_num": [1], "par_num": [1], "line_num": [1],
            "left": [0], "top": [0], "width": [10], "height": [10]}


def test_same_pixels_are_read_once(monkeypatch):
    calls = []
    monkeypatch.setattr(pytesseract, "image_to_data", lambda img, **_: calls.append(img.size) or one_word("ERR-5000"))
    first, second = error_dialog("ERR-5000"), error_dialog("ERR-5000")  # equal pixels, separate objects
    assert ocr.read_text(first) == ocr.read_text(second) == "ERR-5000"
    assert len(calls) == 1


def test_grey_upscaled_and_bounded_before_tesseract(monkeypatch):
    seen: list[Image.Image] = []
    monkeypatch.setattr(pytesseract, "image_to_data", lambda img, **_: seen.append(img) or one_word(""))
    ocr.read_text(Image.new("RGB", (300, 200), (1, 2, 3)))
    ocr.read_text(Image.new("RGB", (4000, 3000), (4, 5, 6)))
    small, large = seen
    assert (small.mode, small.size) == ("L", (600, 400))
    assert large.width * large.height <= ocr.MAX_OCR_PIXELS


def test_missing_tesseract_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")
    with pytest.raises(InferenceError, match="tesseract is not installed"):
        ocr.read_text(error_dialog("ERR-0404"))
