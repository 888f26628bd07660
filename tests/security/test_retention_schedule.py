"""Fault: the host restarts more often than the retention period. Retention must still run: soon
after every start, then at a wall-clock time that does not depend on when the process started.
Beat's own process keeps its schedule file on a volume (docker-compose.yml) and queues retention
once at start too."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest
import yaml
from django.conf import settings

from supportbot import celery as celery_module
from supportbot import embedded_beat
from tests.live_app import ROOT

pytestmark = pytest.mark.timeout(60)

RETENTION = "enforce-retention"


def retention_schedule():
    return celery_module.app.conf.beat_schedule[RETENTION]["schedule"]


async def runs_within(seconds: float, monkeypatch) -> list[str]:
    """Start the embedded beat (as a freshly started process would) and list what it ran."""
    ran: list[str] = []
    monkeypatch.setattr(embedded_beat, "_run_task", ran.append)
    runner = asyncio.create_task(embedded_beat.run_schedule())
    await asyncio.sleep(seconds)
    runner.cancel()
    return ran


@pytest.mark.django_db  # each run goes through database_sync_to_async
async def test_every_start_runs_retention_soon(monkeypatch):
    monkeypatch.setattr(embedded_beat, "STARTUP_DELAY_S", 0.2)
    for _start in range(2):  # a start, then a restart a moment later
        ran = await runs_within(1.0, monkeypatch)
        assert ran.count("supportbot.ops.tasks.enforce_retention") == 1, ran


def test_after_a_run_the_next_one_is_at_a_wall_clock_time_not_a_period_after_start():
    now = datetime.now(timezone.utc)
    next_run = now + timedelta(seconds=embedded_beat.seconds_to_next_run(retention_schedule(), now))
    on_the_minute = (next_run + timedelta(seconds=30)).replace(second=0, microsecond=0)
    assert (on_the_minute.hour, on_the_minute.minute) == (settings.RETENTION_HOUR_UTC, 0)
    assert timedelta(0) < next_run - now <= timedelta(days=1)


def test_beat_queues_retention_at_start_and_keeps_its_schedule_on_a_volume(monkeypatch):
    sent: list[tuple[str, float]] = []

    class Service:
        app = celery_module.app

    monkeypatch.setattr(celery_module.app, "send_task", lambda name, countdown: sent.append((name, countdown)))
    celery_module.run_soon_after_start(Service())
    assert sent == [("supportbot.ops.tasks.enforce_retention", celery_module.STARTUP_DELAY_S)]

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    entrypoint = (ROOT / "deploy/entrypoint.sh").read_text()
    schedule_file = entrypoint.split("beat --loglevel=INFO --schedule ", 1)[1].split()[0]
    mounts = {m.split(":")[1]: m.split(":")[0] for m in compose["services"]["beat"]["volumes"]}
    assert any(schedule_file.startswith(path + "/") for path in mounts), (schedule_file, mounts)
    assert all(volume in compose["volumes"] for volume in mounts.values())
