"""The container healthcheck of `manage.py inference_worker`: exits 0 while a worker of this host
is heartbeating in Redis, 1 otherwise.

A worker heartbeats only once its model is loaded and for as long as its event loop runs, so a
fresh heartbeat proves the worker can take requests. Worker ids start with the host name, and a
container has a host name of its own: with one worker per container, "a worker of this host" is
the container's worker.
"""

from __future__ import annotations

import asyncio
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from redis.exceptions import RedisError

from supportbot.inference_bridge import registry

# Docker's default healthcheck timeout is 30 s; answer well within any sensible setting.
REDIS_TIMEOUT_S = 5.0


def this_host_worker_prefix() -> str:
    # Derived from a fresh id ("<host>-<pid>-<random>") so the host name is sanitised exactly
    # as the worker's own id was.
    return registry.new_worker_id().rsplit("-", 2)[0] + "-"


async def _live_workers() -> list[str]:
    async with asyncio.timeout(REDIS_TIMEOUT_S):
        return await registry.live_workers()


class Command(BaseCommand):
    help = "Exit 0 if an inference worker of this host is heartbeating in Redis, 1 if not."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.REDIS_URL:
            raise CommandError("REDIS_URL is not set: there are no inference workers to check.")
        try:
            workers = asyncio.run(_live_workers())
        except (RedisError, OSError, TimeoutError):
            raise CommandError("Redis is unreachable.") from None
        prefix = this_host_worker_prefix()
        here = [worker_id for worker_id in workers if worker_id.startswith(prefix)]
        if not here:
            raise CommandError("No inference worker of this host is heartbeating.")
        self.stdout.write(f"heartbeating: {', '.join(here)}")
