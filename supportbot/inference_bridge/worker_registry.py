"""Inference workers in Redis: heartbeats, and which live worker owns a conversation.

Each worker keeps a key with a short expiry alive; a worker that stops refreshing it (crashed,
killed, partitioned) drops out within INFERENCE_WORKER_TTL_S. Ownership is rendezvous hashing of
the conversation id over the live workers: every web process computes the same owner with no
shared table, a conversation stays on its worker (and its KV cache) while that worker lives, and
when a worker dies only its own conversations move.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import secrets
import socket
import uuid
import weakref

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


def worker_channel(worker_id: str) -> str:
    """The channel-layer channel on which a worker takes generation requests."""
    return f"inference.{worker_id}"


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


async def alive_among(worker_ids: set[str]) -> set[str]:
    """Which of these workers still heartbeat (draining ones included: they finish their replies)."""
    if not worker_ids:
        return set()
    ordered = sorted(worker_ids)
    beats = await _redis().mget([_heartbeat_key(worker_id) for worker_id in ordered])
    return {worker_id for worker_id, beat in zip(ordered, beats, strict=True) if beat is not None}


def pick_worker(conversation_id: uuid.UUID | str, workers: list[str]) -> str | None:
    """Rendezvous (highest random weight) hashing: the worker whose hash with the id is highest."""

    def weight(worker_id: str) -> bytes:
        return hashlib.blake2b(f"{conversation_id}/{worker_id}".encode(), digest_size=8).digest()

    return max(workers, key=weight, default=None)
