"""Celery beat for the embedded setup. Without Redis there is no broker and no beat process, so
the web process runs beat's schedule itself: event shipping, the handoff SLA timer and retention.
Each task runs eagerly on the database thread that the web process's other queries use, so
SQLite sees one writer."""

from __future__ import annotations

import asyncio
import contextvars
import logging
from datetime import datetime, timedelta, timezone
from typing import Any

from channels.db import database_sync_to_async

from supportbot.celery import RUN_SOON_AFTER_START, STARTUP_DELAY_S
from supportbot.celery import app as celery_app

log = logging.getLogger(__name__)


class EmbeddedBeat:
    """ASGI middleware that starts the schedule at the first connection: Daphne sends no lifespan
    events, and the event loop must be running."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.runner: asyncio.Task[None] | None = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if self.runner is None:
            # A fresh context: the first request's would tie the database calls to its executor.
            self.runner = asyncio.create_task(run_schedule(), context=contextvars.Context())
        await self.app(scope, receive, send)


def seconds_to_next_run(schedule: float | Any, now: datetime) -> float:
    """An interval (seconds) runs one period from now; a wall-clock schedule (crontab) at its next
    time after `now`, wherever the process started."""
    if isinstance(schedule, (int, float)):
        return float(schedule)
    return max(0.0, schedule.remaining_estimate(now).total_seconds())


def seconds_to_first_run(name: str, schedule: float | Any, now: datetime) -> float:
    """Like seconds_to_next_run, but the RUN_SOON_AFTER_START timers run STARTUP_DELAY_S after start."""
    if name in RUN_SOON_AFTER_START:
        return min(STARTUP_DELAY_S, seconds_to_next_run(schedule, now))
    return seconds_to_next_run(schedule, now)


async def run_schedule() -> None:
    """Run each task of beat's schedule when due (seconds_to_first_run, then seconds_to_next_run
    after each run); runs until cancelled."""
    entries = celery_app.conf.beat_schedule
    celery_app.loader.import_default_modules()  # each app's tasks module, as a worker would
    loop = asyncio.get_running_loop()
    now = datetime.now(timezone.utc)
    due = {
        name: loop.time() + seconds_to_first_run(name, entry["schedule"], now) for name, entry in entries.items()
    }
    while due:
        name = min(due, key=due.__getitem__)
        await asyncio.sleep(max(0.0, due[name] - loop.time()))
        task_name = entries[name]["task"]
        try:
            await database_sync_to_async(_run_task)(task_name)
        except Exception:  # the database was away, say: the next period tries again
            log.exception("embedded beat: %s failed", task_name)
        # A second on, so that a run woken a little early is not taken for the one still to come.
        ran_at = datetime.now(timezone.utc) + timedelta(seconds=1)
        due[name] = loop.time() + seconds_to_next_run(entries[name]["schedule"], ran_at)


def _run_task(task_name: str) -> None:
    result = celery_app.tasks[task_name].apply()
    if result.failed():
        log.error("embedded beat: %s failed: %r", task_name, result.result)
