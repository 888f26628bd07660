"""Inference workers in Redis: heartbeats, which live worker owns a conversation, each worker's
request queue, and each request's marker and event stream.

Each worker keeps a key with a short expiry alive; a worker that stops refreshing it (crashed,
killed, partitioned) drops out within INFERENCE_WORKER_TTL_S. Ownership is rendezvous hashing of
the conversation id over the live workers: every web process computes the same owner with no
shared table, a conversation stays on its worker (and its KV cache) while that worker lives, and
when a worker dies only its own conversations move.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
import secrets
import socket
import uuid
import weakref
from typing import Any

import redis.asyncio as redis
from django.conf import settings

_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, redis.Redis] = (
    weakref.WeakKeyDictionary()
)


def _redis() -> redis.Redis:
    """One client per event loop: redis-py connections cannot move between loops."""
    loop = asyncio.get_running_loop()
    client = _clients.get(loop)
    if client is None:
        # A blocking pool: under a burst of turns callers wait for a free connection instead of
        # failing with "Too many connections".
        pool = redis.BlockingConnectionPool.from_url(
            settings.REDIS_URL, max_connections=64, timeout=10, **settings.REDIS_CONNECTION_OPTIONS
        )
        client = _clients[loop] = redis.Redis(connection_pool=pool)
    return client


def _members_key() -> str:
    return f"{settings.REDIS_PREFIX}:inference:workers"


def _heartbeat_key(worker_id: str) -> str:
    return f"{settings.REDIS_PREFIX}:inference:heartbeat:{worker_id}"


def new_worker_id() -> str:
    host = re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname())[:40]
    return f"{host}-{os.getpid()}-{secrets.token_hex(3)}"


def _requests_key(worker_id: str) -> str:
    return f"{settings.REDIS_PREFIX}:inference:requests:{worker_id}"


# Append unless the queue is full; the queue of a worker that died expires with its requests.
_QUEUE_REQUEST = """
if redis.call('LLEN', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
"""


async def queue_request(worker_id: str, request: dict[str, Any]) -> bool:
    """Hand a generation request to a worker; False when its queue is full.

    A Redis list rather than the channel layer: a pub/sub message sent while the worker is not
    listening (starting, reconnecting) would be gone, and its reply would stay generating forever
    on a worker that is alive."""
    queue = _redis().register_script(_QUEUE_REQUEST)
    expiry_ms = int(settings.INFERENCE_QUEUE_EXPIRY_S * 1000)
    queued = await queue(
        keys=[_requests_key(worker_id)],
        args=[json.dumps(request), settings.INFERENCE_QUEUE_CAPACITY, expiry_ms],
    )
    return bool(queued)


async def next_request(worker_id: str, timeout_s: float) -> dict[str, Any] | None:
    """The worker's next request, oldest first; None when none came within `timeout_s`."""
    popped = await _redis().blpop([_requests_key(worker_id)], timeout=timeout_s)
    return json.loads(popped[1]) if popped is not None else None


async def heartbeat(worker_id: str, accepting: bool = True) -> None:
    """I am alive; and, unless `accepting` is False (draining before a shutdown), route new
    conversations' turns to me."""
    ttl_ms = int(settings.INFERENCE_WORKER_TTL_S * 1000)
    async with _redis().pipeline(transaction=False) as pipe:
        pipe.set(_heartbeat_key(worker_id), "1", px=ttl_ms)
        if accepting:
            pipe.sadd(_members_key(), worker_id)
        else:
            pipe.srem(_members_key(), worker_id)
        await pipe.execute()


async def deregister(worker_id: str) -> None:
    """Gone: whatever this worker still had generating is handed to others right away."""
    async with _redis().pipeline(transaction=False) as pipe:
        pipe.delete(_heartbeat_key(worker_id))
        pipe.srem(_members_key(), worker_id)
        await pipe.execute()


async def live_workers() -> list[str]:
    """The workers that take new turns: alive and not draining."""
    client = _redis()
    members = sorted(member.decode() for member in await client.smembers(_members_key()))
    if not members:
        return []
    beats = await client.mget([_heartbeat_key(member) for member in members])
    dead = [member for member, beat in zip(members, beats, strict=True) if beat is None]
    if dead:
        await client.srem(_members_key(), *dead)
    return [member for member, beat in zip(members, beats, strict=True) if beat is not None]


async def is_alive(worker_id: str) -> bool:
    """Whether the worker still heartbeats (a draining one does: it finishes what it has)."""
    return bool(await _redis().exists(_heartbeat_key(worker_id)))


def pick_worker(conversation_id: uuid.UUID | str, workers: list[str]) -> str | None:
    """Rendezvous (highest random weight) hashing: the worker whose hash with the id is highest."""

    def weight(worker_id: str) -> bytes:
        return hashlib.blake2b(f"{conversation_id}/{worker_id}".encode(), digest_size=8).digest()

    return max(workers, key=weight, default=None)


# --- One request's life in Redis ----------------------------------------------------------------
# The client marks a request pending while it waits for it. The worker adds the request's events
# to its client's inbox, a Redis stream per client process (kept until read, unlike pub/sub, and
# read by one blocking call for all of that process's requests), and stops once the marker is
# gone: the client gave up, or Redis restarted and lost the request, which the client then
# submits again.

# Entries an inbox keeps at most (about): far more than any client leaves unread.
INBOX_MAX_ENTRIES = 10_000


def _marker_key(key: str) -> str:
    return f"{settings.REDIS_PREFIX}:inference:pending:{key}"


def inbox_key(client_id: str) -> str:
    return f"{settings.REDIS_PREFIX}:inference:inbox:{client_id}"


async def mark_pending(key: str, ttl_s: float) -> None:
    await _redis().set(_marker_key(key), "1", px=int(ttl_s * 1000))


async def still_pending(key: str) -> bool:
    return bool(await _redis().exists(_marker_key(key)))


async def forget_request(key: str) -> None:
    """The client is done with the request (or gave up): the worker stops."""
    await _redis().delete(_marker_key(key))


async def append_event(inbox: str, key: str, event: str, ttl_s: float) -> bool:
    """Add one event of request `key` to its client's inbox; False when nobody waits for it."""
    async with _redis().pipeline(transaction=False) as pipe:
        pipe.xadd(inbox, {"k": key, "e": event}, maxlen=INBOX_MAX_ENTRIES, approximate=True)
        pipe.pexpire(inbox, int(ttl_s * 1000))
        pipe.exists(_marker_key(key))
        _, _, pending = await pipe.execute()
    return bool(pending)


async def read_inbox(inbox: str, after: str, block_s: float) -> list[tuple[str, str, str]]:
    """(entry id, request key, event) of the entries after entry `after`, waiting up to `block_s`
    for the first."""
    answer = await _redis().xread({inbox: after}, block=max(1, int(block_s * 1000)))
    return [
        (entry_id.decode(), fields[b"k"].decode(), fields[b"e"].decode())
        for _, entries in answer
        for entry_id, fields in entries
    ]
