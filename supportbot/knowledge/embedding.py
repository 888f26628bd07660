"""The knowledge base's sentence vectors (inference/embedding.py, all-MiniLM-L6-v2) with this
project's settings, and their storage as bytes. Django code here never imports torch: the
inference module does, once something is embedded."""

from __future__ import annotations

import numpy as np
from django.conf import settings

from inference import embedding as minilm

DIMENSIONS = minilm.DIMENSIONS


def available() -> bool:
    return settings.KB_EMBEDDINGS and minilm.model_folder() is not None


def embed(texts: list[str]) -> np.ndarray:
    return minilm.embed(texts, settings.KB_EMBED_TORCH_THREADS)


def embed_query(text: str) -> np.ndarray:
    return minilm.embed_query(text, settings.KB_EMBED_TORCH_THREADS)


def embed_query_if_free(text: str) -> np.ndarray | None:
    """The question's vector, or None when the model is busy or not installed."""
    return minilm.embed_query_if_free(text, settings.KB_EMBED_TORCH_THREADS) if available() else None


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(data: bytes) -> np.ndarray | None:
    return np.frombuffer(bytes(data), dtype="<f4") if data else None
