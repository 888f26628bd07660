"""Screenshot text via Tesseract, for text-only models that cannot see the image itself.

Needs the `tesseract` program (Debian: tesseract-ocr) and reads Simplified Chinese too where its
data is installed (tesseract-ocr-chi-sim). Tesseract reads dark-on-light text of normal size
reliably; white text on coloured buttons and tiny grey text are often missed.
"""

from __future__ import annotations

import functools
import re
import threading
from collections import OrderedDict

import pytesseract
from PIL import Image

from inference.types import InferenceError
from inference.vision import fit_pixel_budget, image_sha256

# Tesseract is most accurate on glyphs taller than screen text usually is.
UPSCALE = 2
# Pixels handed to Tesseract after upscaling: a 1080p screenshot fits; larger ones shrink first.
MAX_OCR_PIXELS = 9_000_000
TIMEOUT_S = 60
# Both at once: a Chinese screenshot still shows Latin error codes and amounts.
LANGUAGES = ("eng", "chi_sim")
CACHE_SIZE = 64

_cache: OrderedDict[str, str] = OrderedDict()
_cache_lock = threading.Lock()


def read_text(img: Image.Image) -> str:
    """The text Tesseract finds in `img`, stripped; "" when there is none. Cached by pixel hash."""
    key = image_sha256(img)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    text = _run_tesseract(_prepare(img))
    with _cache_lock:
        _cache[key] = text
        if len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return text


def _prepare(img: Image.Image) -> Image.Image:
    grey = fit_pixel_budget(img.convert("L"), MAX_OCR_PIXELS // UPSCALE**2)
    return grey.resize((grey.width * UPSCALE, grey.height * UPSCALE), Image.Resampling.LANCZOS)


@functools.cache
def installed_languages() -> str:
    """LANGUAGES that this machine's Tesseract has data for, as its `lang` argument."""
    try:
        available = set(pytesseract.get_languages(config=""))
    except (pytesseract.TesseractNotFoundError, pytesseract.TesseractError, OSError):
        return "eng"
    return "+".join(lang for lang in LANGUAGES if lang in available) or "eng"


def _run_tesseract(img: Image.Image) -> str:
    try:
        text = pytesseract.image_to_string(img, lang=installed_languages(), timeout=TIMEOUT_S)
        return _join_chinese(text).strip()
    except pytesseract.TesseractNotFoundError as exc:
        raise InferenceError("Reading text from images is unavailable: tesseract is not installed.") from exc
    except (pytesseract.TesseractError, RuntimeError) as exc:  # RuntimeError: the timeout
        raise InferenceError("Reading text from the image failed.") from exc


_CJK_GAP = re.compile(r"(?<=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]) (?=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])")


def _join_chinese(text: str) -> str:
    """Tesseract puts a space between Chinese characters; Chinese is written without them."""
    return _CJK_GAP.sub("", text)
