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


def screenshot_texts(texts: list[str]) -> str:
    """What a text-only model reads ahead of a message for its screenshots: each one's text, in
    order. The in-house engine and the remote one (supportbot.inference_bridge) write it alike."""
    return "".join(f"[Screenshot {n} text]\n{text.strip()}\n\n" for n, text in enumerate(texts, 1))


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
    """The text line by line, in reading order, a blank line between blocks; words drawn much
    fainter than the screen's others (a disabled button, a greyed-out option) are marked so."""
    try:
        data = pytesseract.image_to_data(
            img, lang=installed_languages(), timeout=TIMEOUT_S, output_type=pytesseract.Output.DICT
        )
        return _join_chinese(_layout(img, data)).strip()
    except pytesseract.TesseractNotFoundError as exc:
        raise InferenceError("Reading text from images is unavailable: tesseract is not installed.") from exc
    except (pytesseract.TesseractError, RuntimeError) as exc:  # RuntimeError: the timeout
        raise InferenceError("Reading text from the image failed.") from exc


_CJK_GAP = re.compile(r"(?<=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]) (?=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])")


def _join_chinese(text: str) -> str:
    """Tesseract puts a space between Chinese characters; Chinese is written without them."""
    return _CJK_GAP.sub("", text)


# Words whose ink contrast is under this share of the screen's typical word are "greyed out".
FAINT_SHARE = 0.45
FAINT = "(greyed out)"


def _layout(img: Image.Image, data: dict[str, list]) -> str:
    lines: dict[tuple[int, int, int], list[int]] = {}
    for index, word in enumerate(data["text"]):
        if word.strip():
            lines.setdefault((data["block_num"][index], data["par_num"][index], data["line_num"][index]), []).append(index)
    if not lines:
        return ""
    contrast = {i: _contrast(img, _box(data, [i])) for indexes in lines.values() for i in indexes}
    typical = sorted(contrast.values())[len(contrast) // 2]
    out, block = [], None
    for key, indexes in lines.items():
        if block is not None and key[0] != block:
            out.append("")
        block = key[0]
        words = []
        for position, i in enumerate(indexes):
            words.append(data["text"][i].strip())
            faint = contrast[i] < FAINT_SHARE * typical
            run_ends = position + 1 == len(indexes) or contrast[indexes[position + 1]] >= FAINT_SHARE * typical
            if faint and run_ends:
                words.append(FAINT)
        out.append(" ".join(words))
    return "\n".join(out)


def _box(data: dict[str, list], indexes: list[int]) -> tuple[int, int, int, int]:
    left = min(data["left"][i] for i in indexes)
    top = min(data["top"][i] for i in indexes)
    right = max(data["left"][i] + data["width"][i] for i in indexes)
    bottom = max(data["top"][i] + data["height"][i] for i in indexes)
    return left, top, right, bottom


def _contrast(img: Image.Image, box: tuple[int, int, int, int]) -> float:
    """How far the line's ink is from its background: the spread between its darkest and most
    common shades (light text on a dark surface counts the same way round)."""
    histogram = img.crop(box).histogram()
    total = sum(histogram) or 1
    background = max(range(256), key=histogram.__getitem__)
    ink_share = 0.0
    far = 0
    for shade in sorted(range(256), key=lambda level: -abs(level - background)):
        ink_share += histogram[shade] / total
        if ink_share >= 0.08:  # the most distant 8% of the box's pixels are its ink
            far = abs(shade - background)
            break
    return float(far)
