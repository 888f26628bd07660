"""manage.py apply_retention: what the daily beat task does, now (e.g. from cron without Celery)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from supportbot.ops.privacy import apply_retention


class Command(BaseCommand):
    help = "Delete or anonymise conversations older than SUPPORTBOT_RETENTION_DAYS."

    def handle(self, *args: Any, **options: Any) -> None:
        count = apply_retention()
        self.stdout.write(
            f"{settings.RETENTION_MODE}: {count} conversation(s) not updated for "
            f"{settings.RETENTION_DAYS} days."
        )
