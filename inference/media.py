"""Turn checked PIL images into what the model takes: pixel patches for a VLM, OCR text otherwise.

This runs on the caller's thread (the engine loop must not stall on image work), and results are
cached by pixel hash, since every turn of a conversation sends its earlier screenshots again.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import torch
from cachetools import LRUCache
from PIL import Image

from inference.vision import image_sha256

# Smallest side the GLM-4V processor accepts: patch 14 x merge 2.
MIN_IMAGE_SIDE = 28
# Past this the processor's resize breaks its own token budget (or refuses): a 3x400 strip is
# padded into a box of this ratio instead.
MAX_ASPECT_RATIO = 8


@dataclass(frozen=True)
class PreparedImage:
    sha256: str
    num_tokens: int = 0
    grid_thw: tuple[int, int, int] = (0, 0, 0)
    pixel_values: torch.Tensor | None = None
    ocr_text: str | None = None  # set instead of pixels for text-only models


def prepared_bytes(prepared: PreparedImage) -> int:
    """Memory a prepared image holds: its pixel patches, or its OCR text."""
    if prepared.pixel_values is not None:
        return prepared.pixel_values.numel() * prepared.pixel_values.element_size()
    return len(prepared.ocr_text or "") + 64


class MediaPreparer:
    def __init__(self, image_processor, spatial_merge_size: int = 2, cache_bytes: int = 512 * 2**20):
        self.image_processor = image_processor
        self.spatial_merge_size = spatial_merge_size
        # Bounded by bytes, not entries: a big screenshot's patches take hundreds of megabytes.
        self._cache: LRUCache[str, PreparedImage] = LRUCache(maxsize=cache_bytes, getsizeof=prepared_bytes)
        self._lock = threading.Lock()

    def prepare(self, image: Image.Image) -> PreparedImage:
        sha = image_sha256(image)
        with self._lock:
            cached = self._cache.get(sha)
        if cached is not None:
            return cached
        prepared = self._prepare_uncached(image, sha)
        with self._lock:
            if prepared_bytes(prepared) <= self._cache.maxsize:  # else larger than the whole cache
                self._cache[sha] = prepared
        return prepared

    def forget(self, image: Image.Image) -> bool:
        """Drop what was prepared from this picture (its screenshot was erased); True if it was
        held."""
        sha = image_sha256(image)
        with self._lock:
            return self._cache.pop(sha, None) is not None

    def _prepare_uncached(self, image: Image.Image, sha: str) -> PreparedImage:
        if self.image_processor is None:
            from inference.ocr import read_text

            return PreparedImage(sha256=sha, ocr_text=read_text(image))
        image = self._fit(image)
        out = self.image_processor(images=[image], return_tensors="pt")
        grid = tuple(int(x) for x in out["image_grid_thw"][0])
        num_tokens = grid[0] * grid[1] * grid[2] // self.spatial_merge_size**2
        return PreparedImage(sha256=sha, num_tokens=num_tokens, grid_thw=grid, pixel_values=out["pixel_values"])

    def _fit(self, image: Image.Image) -> Image.Image:
        """Shrink huge images before the processor (cheaper, same result), pad extreme strips,
        and grow tiny images to the smallest size the processor accepts instead of failing."""
        budget = (getattr(self.image_processor, "size", None) or {}).get("longest_edge")
        width, height = image.size
        if budget and width * height > budget:
            scale = (budget / (width * height)) ** 0.5
            image = image.resize((max(1, int(width * scale)), max(1, int(height * scale))), Image.Resampling.BICUBIC)
            width, height = image.size
        if max(width, height) > MAX_ASPECT_RATIO * min(width, height):  # after shrinking: a small canvas
            short = -(-max(width, height) // MAX_ASPECT_RATIO)
            box = (max(width, short), max(height, short))
            padded = Image.new("RGB", box, (255, 255, 255))
            padded.paste(image, ((box[0] - width) // 2, (box[1] - height) // 2))
            image, (width, height) = padded, box
        if min(width, height) < MIN_IMAGE_SIDE:
            scale = MIN_IMAGE_SIDE / min(width, height)
            image = image.resize((round(width * scale), round(height * scale)), Image.Resampling.NEAREST)
        return image
