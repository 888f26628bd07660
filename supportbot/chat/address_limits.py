"""Limits per client address, on top of the per-visitor buckets (chat.rate_limit): a visitor id
costs nothing (every new visitor gets one), an address does. The address is the real client's
(lib.client_address, behind the trusted proxies), an IPv6 one counted by its /64.

Counted in Django's cache: in Redis when REDIS_URL is set, so every web process counts against the
same numbers; in this process's memory otherwise. Two kinds:
- a rate: requests per one-minute window (frames, uploads);
- slots for work in progress (replies generating, uploads being processed): each slot is a cache
  key added only if absent, which expires by itself should its holder die without giving it back.
A limit of 0 turns that limit off (benchmarks that play many visitors from one machine).
"""

from __future__ import annotations

import math
import secrets
import time
from dataclasses import dataclass
from typing import Any

from asgiref.sync import sync_to_async
from django.core.cache import cache

from supportbot.lib.client_address import limit_key

WINDOW_S = 60
PREFIX = "chat:address"


def scope_address(scope: dict[str, Any]) -> str | None:
    """The client address of an ASGI scope; None where there is none (an in-process test client,
    a Unix socket), and then per-address limits do not apply."""
    client = scope.get("client")
    return client[0] if client else None


def _window_key(kind: str, address: str) -> tuple[str, int]:
    """The counter of this window, and the whole seconds until the next one starts."""
    now = time.time()
    key = f"{PREFIX}:{kind}:{limit_key(address)}:{int(now // WINDOW_S)}"
    return key, max(1, math.ceil(WINDOW_S - now % WINDOW_S))


def take(kind: str, address: str | None, per_minute: int) -> int | None:
    """Count one `kind` request from `address`: None when within `per_minute`, else the seconds
    until the limit lifts."""
    if address is None or per_minute <= 0:
        return None
    key, retry_after = _window_key(kind, address)
    cache.add(key, 0, timeout=WINDOW_S * 2)  # no-op when the counter exists; incr is atomic
    return None if cache.incr(key) <= per_minute else retry_after


@dataclass(frozen=True)
class Slot:
    key: str  # empty: no limit applied, nothing to give back
    token: str


NO_LIMIT = Slot("", "")


def _slot_keys(kind: str, address: str, capacity: int) -> list[str]:
    return [f"{PREFIX}:{kind}:{limit_key(address)}:slot{i}" for i in range(capacity)]


def acquire(kind: str, address: str | None, capacity: int, lease_s: float) -> Slot | None:
    """One of `capacity` slots of `kind` for `address`, held until released or `lease_s` passed;
    None when all are taken."""
    if address is None or capacity <= 0:
        return NO_LIMIT
    keys = _slot_keys(kind, address, capacity)
    taken = cache.get_many(keys)
    token = secrets.token_hex(8)
    for key in keys:
        if key not in taken and cache.add(key, token, timeout=math.ceil(lease_s)):
            return Slot(key, token)
    return None


def release(slot: Slot) -> None:
    # Only our own: after the lease lapsed the slot may be someone else's.
    if slot.key and cache.get(slot.key) == slot.token:
        cache.delete(slot.key)


# For the event loop: each call is one hop to a thread (Django's cache has no native async calls).
atake = sync_to_async(take, thread_sensitive=False)
aacquire = sync_to_async(acquire, thread_sensitive=False)
arelease = sync_to_async(release, thread_sensitive=False)
