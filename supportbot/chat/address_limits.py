"""Limits per client address, on top of the per-visitor buckets (chat.rate_limit): a visitor id
costs nothing (every new visitor gets one), an address does. The address is the real client's
(lib.client_address, behind the trusted proxies), an IPv6 one counted by its /64.

Counted in Redis when REDIS_URL is set, so every web process counts against the same numbers;
in this process's memory otherwise. Two kinds:
- a rate: requests per one-minute window (frames, uploads, new conversations);
- slots for work in progress (replies generating, uploads being processed): a sorted set of
  holders by expiry, so a slot whose holder died frees itself when its lease ends.
A limit of 0 turns that limit off (benchmarks that play many visitors from one machine).

The socket's calls (atake, aacquire, arelease) are one Redis round trip each on the event loop, or
a dictionary look-up: never a hop to a thread, which under load waits behind database work
(bench/load.py measured +2.2 s of p50 overhead per turn that way).
"""

from __future__ import annotations

import asyncio
import logging
import math
import secrets
import threading
import time
import weakref
from dataclasses import dataclass
from typing import Any

import redis
import redis.asyncio as aioredis
from django.conf import settings
from redis.exceptions import RedisError

from supportbot.lib.client_address import limit_key

log = logging.getLogger(__name__)

WINDOW_S = 60
# Take a slot if fewer than ARGV[3] unexpired holders: one atomic step for every process.
_ACQUIRE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
  redis.call('EXPIRE', KEYS[1], ARGV[5])
  return 1
end
return 0
"""


def scope_address(scope: dict[str, Any]) -> str | None:
    """The client address of an ASGI scope; None where there is none (an in-process test client,
    a Unix socket), and then per-address limits do not apply."""
    client = scope.get("client")
    return client[0] if client else None


@dataclass(frozen=True)
class Slot:
    key: str  # empty: no limit applied, nothing to give back
    token: str


NO_LIMIT = Slot("", "")


def _window_key(kind: str, address: str) -> tuple[str, int]:
    """The counter of this window, and the whole seconds until the next one starts."""
    now = time.time()
    key = f"{settings.REDIS_PREFIX}:address:{kind}:{limit_key(address)}:{int(now // WINDOW_S)}"
    return key, max(1, math.ceil(WINDOW_S - now % WINDOW_S))


def _slots_key(kind: str, address: str) -> str:
    return f"{settings.REDIS_PREFIX}:address:{kind}:{limit_key(address)}:slots"


def _acquire_args(capacity: int, lease_s: float, token: str) -> list[Any]:
    now = time.time()
    return [now, now + lease_s, capacity, token, math.ceil(lease_s)]


# --- In this process's memory (no REDIS_URL) ----------------------------------------------------

_lock = threading.Lock()
_counts: dict[str, tuple[int, float]] = {}  # window key -> (count, expires at)
_holders: dict[str, dict[str, float]] = {}  # slots key -> token -> lease end


def _memory_take(key: str) -> int:
    now = time.time()
    with _lock:
        for stale in [k for k, (_, until) in _counts.items() if until <= now]:
            del _counts[stale]
        count = _counts.get(key, (0, 0.0))[0] + 1
        _counts[key] = (count, now + WINDOW_S * 2)
        return count


def _memory_acquire(key: str, capacity: int, lease_s: float, token: str) -> bool:
    now = time.time()
    with _lock:
        holders = {t: until for t, until in _holders.get(key, {}).items() if until > now}
        taken = len(holders) < capacity
        if taken:
            holders[token] = now + lease_s
        _holders[key] = holders
        return taken


def _memory_release(slot: Slot) -> None:
    with _lock:
        _holders.get(slot.key, {}).pop(slot.token, None)


def forget_all() -> None:
    """Nothing counted (tests: every test client comes from 127.0.0.1)."""
    with _lock:
        _counts.clear()
        _holders.clear()


# --- In Redis ------------------------------------------------------------------------------------

_sync_clients: dict[str, redis.Redis] = {}
_async_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, aioredis.Redis]] = (
    weakref.WeakKeyDictionary()
)


def _redis() -> redis.Redis | None:
    url = settings.REDIS_URL
    if not url:
        return None
    if url not in _sync_clients:
        _sync_clients[url] = redis.Redis.from_url(url)
    return _sync_clients[url]


def _aredis() -> aioredis.Redis | None:
    """One client per event loop: redis-py connections cannot move between loops."""
    url = settings.REDIS_URL
    if not url:
        return None
    clients = _async_clients.setdefault(asyncio.get_running_loop(), {})
    if url not in clients:
        # A blocking pool, as the engine registry's: a burst of turns waits for a connection
        # instead of failing with "Too many connections".
        pool = aioredis.BlockingConnectionPool.from_url(
            url, max_connections=64, timeout=10, **settings.REDIS_CONNECTION_OPTIONS
        )
        clients[url] = aioredis.Redis(connection_pool=pool)
    return clients[url]


# --- The calls ------------------------------------------------------------------------------------


def take(kind: str, address: str | None, per_minute: int) -> int | None:
    """Count one `kind` request from `address`: None when within `per_minute`, else the seconds
    until the limit lifts."""
    if address is None or per_minute <= 0:
        return None
    key, retry_after = _window_key(kind, address)
    client = _redis()
    if client is None:
        count = _memory_take(key)
    else:
        try:
            count = client.pipeline(transaction=False).incr(key).expire(key, WINDOW_S * 2).execute()[0]
        except RedisError:
            log.warning("per-address limit not counted: Redis unavailable", exc_info=True)
            return None  # a page or an upload is not refused for an outage of the counters
    return None if count <= per_minute else retry_after


async def atake(kind: str, address: str | None, per_minute: int) -> int | None:
    if address is None or per_minute <= 0:
        return None
    client = _aredis()
    if client is None:
        return take(kind, address, per_minute)  # a dictionary look-up
    key, retry_after = _window_key(kind, address)
    try:
        async with client.pipeline(transaction=False) as pipe:
            count = (await pipe.incr(key).expire(key, WINDOW_S * 2).execute())[0]
    except RedisError:
        log.warning("per-address limit not counted: Redis unavailable", exc_info=True)
        return None  # a visitor's turn is not refused for an outage of the counters
    return None if count <= per_minute else retry_after


def acquire(kind: str, address: str | None, capacity: int, lease_s: float) -> Slot | None:
    """One of `capacity` slots of `kind` for `address`, held until released or `lease_s` passed;
    None when all are taken."""
    if address is None or capacity <= 0:
        return NO_LIMIT
    key, token = _slots_key(kind, address), secrets.token_hex(8)
    client = _redis()
    if client is None:
        taken = _memory_acquire(key, capacity, lease_s, token)
    else:
        try:
            taken = bool(client.eval(_ACQUIRE, 1, key, *_acquire_args(capacity, lease_s, token)))
        except RedisError:
            log.warning("per-address slot not counted: Redis unavailable", exc_info=True)
            return NO_LIMIT
    return Slot(key, token) if taken else None


async def aacquire(kind: str, address: str | None, capacity: int, lease_s: float) -> Slot | None:
    if address is None or capacity <= 0:
        return NO_LIMIT
    client = _aredis()
    if client is None:
        return acquire(kind, address, capacity, lease_s)
    key, token = _slots_key(kind, address), secrets.token_hex(8)
    try:
        taken = bool(await client.eval(_ACQUIRE, 1, key, *_acquire_args(capacity, lease_s, token)))
    except RedisError:
        log.warning("per-address slot not counted: Redis unavailable", exc_info=True)
        return NO_LIMIT
    return Slot(key, token) if taken else None


def release(slot: Slot) -> None:
    # Only our own token: after the lease lapsed the slot may be someone else's.
    if not slot.key:
        return
    client = _redis()
    if client is None:
        _memory_release(slot)
        return
    try:
        client.zrem(slot.key, slot.token)
    except RedisError:
        log.warning("per-address slot not given back (its lease ends it): Redis unavailable", exc_info=True)


async def arelease(slot: Slot) -> None:
    if not slot.key:
        return
    client = _aredis()
    if client is None:
        _memory_release(slot)
        return
    try:
        await client.zrem(slot.key, slot.token)
    except RedisError:
        log.warning("per-address slot not given back (its lease ends it): Redis unavailable", exc_info=True)
