"""The Celery app: event shipping, notifications, webhooks, the timers of the handoff SLA and the
retention period.

With REDIS_URL set, a worker (`celery -A supportbot worker`) and beat (`celery -A supportbot
beat`) run beside the web process. Without it, the embedded setup runs every task eagerly in the
process that queued it (those that wait on other servers on a background thread: OffThreadTask),
and the web process runs the beat schedule itself (supportbot.embedded_beat).
"""

from __future__ import annotations

import os
from typing import Any

from celery import Celery, Task
from celery.beat import Service
from celery.schedules import crontab
from celery.signals import beat_init

from supportbot.lib import background

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportbot.settings")

app = Celery("supportbot")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class OffThreadTask(Task):
    """A task that waits on another server: mail, webhooks. With a broker it goes to the worker
    like any task. In the embedded setup (no broker: tasks run eagerly, in the caller) `delay`
    runs it on a background thread of this process (supportbot.lib.background) and answers that
    thread's Future: the caller is often Channels' database thread, which a hung SMTP server or
    webhook endpoint would hold, and every chat socket with it."""

    def apply_async(self, args: Any = None, kwargs: Any = None, **options: Any) -> Any:
        if self.app.conf.task_always_eager:
            return background.submit(self.apply, args, kwargs)
        return super().apply_async(args, kwargs, **options)


# Timers that also run this soon after beat (or the embedded beat) starts: a daily timer that
# first ran a full day after each start would never run on a host restarted more often.
RUN_SOON_AFTER_START = ("enforce-retention",)
STARTUP_DELAY_S = 60.0


@app.on_after_configure.connect
def schedule_timers(sender: Celery, **_kwargs: object) -> None:
    from django.conf import settings

    sender.conf.beat_schedule = {
        "ship-undelivered-events": {
            "task": "supportbot.events.tasks.ship_undelivered_events",
            "schedule": float(settings.EVENT_SWEEP_INTERVAL_S),
        },
        "enforce-handoff-sla": {
            "task": "supportbot.agents.tasks.enforce_handoff_sla",
            "schedule": float(settings.HANDOFF_SLA_CHECK_INTERVAL_S),
        },
        # Webhook deliveries due for another attempt, or never queued (the broker was down).
        "resend-webhooks": {
            "task": "supportbot.agents.webhooks.resend_due_webhooks",
            "schedule": float(settings.WEBHOOK_SWEEP_INTERVAL_S),
        },
        "remove-unsent-uploads": {
            "task": "supportbot.chat.tasks.remove_unsent_uploads",
            "schedule": float(settings.UNSENT_UPLOAD_SWEEP_INTERVAL_S),
        },
        # On the wall clock, so that a restart does not move it (beat keeps its last runs in its
        # schedule file, on a volume in docker-compose.yml, and catches up on a missed one).
        "enforce-retention": {
            "task": "supportbot.ops.tasks.enforce_retention",
            "schedule": crontab(minute=0, hour=settings.RETENTION_HOUR_UTC, app=sender),
        },
    }


@beat_init.connect
def run_soon_after_start(sender: Service, **_kwargs: object) -> None:
    """Beat's own process: queue the RUN_SOON_AFTER_START timers once (retention is idempotent)."""
    for name in RUN_SOON_AFTER_START:
        sender.app.send_task(sender.app.conf.beat_schedule[name]["task"], countdown=STARTUP_DELAY_S)
