"""Whether people answer now: the weekly opening hours set in the admin (models.OfficeHours)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from supportbot.agents.models import OfficeHours


def is_open(now: datetime | None = None) -> bool:
    """No hours set means always open; otherwise open inside any stretch of today's weekday, each
    read in its own time zone (so a team abroad can keep its local hours)."""
    now = now or timezone.now()
    hours = list(OfficeHours.objects.all())
    return not hours or any(_within(stretch, now) for stretch in hours)


def _within(stretch: OfficeHours, now: datetime) -> bool:
    local = now.astimezone(ZoneInfo(stretch.time_zone or settings.TIME_ZONE))
    return local.weekday() == stretch.weekday and stretch.opens <= local.time() < stretch.closes
