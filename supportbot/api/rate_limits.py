"""Per-key limits on requests and tokens per minute, as counters in one-minute windows.

The counters live in Django's cache, which settings.py points at Redis whenever REDIS_URL is set,
so every web process counts against the same numbers. Without Redis the cache is this process's
memory: each web process then enforces the limits on its own (the embedded setup has one).

Tokens are known only after a call, so the token limit refuses calls once a window's total has
reached it; the call that crosses it is allowed to finish.
"""

from __future__ import annotations

import math
import time

from django.core.cache import cache

from supportbot.api.errors import ApiError
from supportbot.api.models import ApiKey

WINDOW_S = 60


def _window() -> tuple[int, int]:
    """This window's number and the whole seconds until the next one starts."""
    now = time.time()
    return int(now // WINDOW_S), max(1, math.ceil(WINDOW_S - now % WINDOW_S))


def _counter(key: ApiKey, kind: str, window: int) -> str:
    return f"api:limit:{key.pk}:{kind}:{window}"


async def _add(name: str, amount: int) -> int:
    # add() is a no-op when the counter exists; incr() is atomic in Redis.
    await cache.aadd(name, 0, timeout=WINDOW_S * 2)
    return await cache.aincr(name, amount)


async def take_request(key: ApiKey) -> None:
    """Count one request, or raise 429 with Retry-After when a limit is reached."""
    window, retry_after = _window()
    tokens = await cache.aget(_counter(key, "tokens", window), 0)
    if tokens >= key.tokens_per_minute:
        raise ApiError(
            429,
            f"Rate limit reached: {key.tokens_per_minute} tokens per minute for this API key.",
            error_type="rate_limit_error",
            code="rate_limit_exceeded",
            retry_after_s=retry_after,
        )
    if await _add(_counter(key, "requests", window), 1) > key.requests_per_minute:
        raise ApiError(
            429,
            f"Rate limit reached: {key.requests_per_minute} requests per minute for this API key.",
            error_type="rate_limit_error",
            code="rate_limit_exceeded",
            retry_after_s=retry_after,
        )


async def count_tokens(key: ApiKey, tokens: int) -> None:
    if tokens > 0:
        window, _ = _window()
        await _add(_counter(key, "tokens", window), tokens)
