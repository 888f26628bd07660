"""The Celery app: event shipping, notifications, webhooks, the timers of the handoff SLA and the
retention period.

With REDIS_URL set, a worker (`celery -A supportbot worker`) and beat (`celery -A supportbot
beat`) run beside the web process. Without it, the embedded setup runs every task eagerly in the
process that queued it, and the web process runs the beat schedule itself
(supportbot.embedded_beat).
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportbot.settings")

app = Celery("supportbot")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


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
        "enforce-retention": {
            "task": "supportbot.ops.tasks.enforce_retention",
            "schedule": float(settings.RETENTION_INTERVAL_S),
        },
    }
