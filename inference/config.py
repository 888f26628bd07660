"""The engine's settings (see docs/engine.md, Settings)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class EngineConfig:
    max_batch: int = 16
    max_step_tokens: int = 1024  # prompt tokens fed per step across the batch (chunked prefill)
    batch_window_s: float = 0.032  # an idle engine waits this long for more requests to batch
    kv_budget_bytes: int = 2 * 1024**3
    kv_offload_budget_bytes: int = 0  # CPU-memory tier for evicted GPU caches (0: off)
    session_ttl_s: float = 3600.0
    request_timeout_s: float = 120.0
    max_context: int | None = None  # tokens; default: the model's limit, at most 8192
    max_new_tokens_limit: int = 2048
    max_message_chars: int = 16_000
    max_images_per_message: int = 8
    torch_threads: int | None = 1  # the shared 2-core CPU box wants one thread per engine
    warmup: bool = True
