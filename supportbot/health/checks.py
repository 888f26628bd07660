"""Readiness: can this web process serve a chat turn right now?

Each check answers with a short fixed description. The responses are public, so what went wrong
in detail (error messages name hosts, ports, users and paths) goes to the log, never to the caller.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import dataclass

import redis.asyncio as redis
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection

from supportbot.inference_bridge import engine_client

log = logging.getLogger(__name__)

# Well under the probe's own timeout, so that a hung dependency is reported as such.
CHECK_TIMEOUT_S = 2.0


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    detail: str


async def readiness() -> dict[str, CheckResult]:
    """Every check that applies to this process's mode, by name."""
    if not settings.REDIS_URL:
        return {
            "database": await _guarded("database", _check_database()),
            "inference": await _guarded("inference", _check_inference()),
        }
    database, redis_server = await asyncio.gather(
        _guarded("database", _check_database()), _guarded("redis", _check_redis())
    )
    if redis_server.ok or settings.SUPPORTBOT_INFERENCE_URL:
        inference = await _guarded("inference", _check_inference())
    else:
        # The workers are found through Redis: nothing can be said about them.
        inference = CheckResult(False, "unknown: Redis is unreachable")
    return {"database": database, "redis": redis_server, "inference": inference}


async def _guarded(name: str, check: Awaitable[CheckResult]) -> CheckResult:
    """Any failure of a check, including one nobody foresaw, is a failed check, not a 500 page."""
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_S):
            return await check
    except TimeoutError:
        log.warning("readiness check %s timed out after %.1f s", name, CHECK_TIMEOUT_S)
        return CheckResult(False, "timed out")
    except Exception as error:
        # The error's own words say what failed; a traceback every few seconds of probing would not.
        log.warning("readiness check %s failed: %r", name, error)
        return CheckResult(False, "unreachable")


async def _check_database() -> CheckResult:
    await sync_to_async(_query_database)()
    return CheckResult(True, "ok")


def _query_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


async def _check_redis() -> CheckResult:
    # A client of its own rather than the channel layer's: it must fail fast, not retry.
    client = redis.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=CHECK_TIMEOUT_S,
        socket_timeout=CHECK_TIMEOUT_S,
        retry=None,
    )
    try:
        await client.ping()
    finally:
        await client.aclose()
    return CheckResult(True, "ok")


async def _check_inference() -> CheckResult:
    """The engine client's own word: embedded, whether the model is loaded (not ready while it
    loads: turns wait for it); with workers, whether any heartbeats; with a remote engine, its
    /health."""
    readiness = await engine_client().readiness()
    return CheckResult(readiness.ok, readiness.detail)
