"""The numbers behind the dashboard, per day of a chosen period (UTC days)."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, OuterRef, Subquery, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from supportbot.agents.models import Handoff, Rating
from supportbot.chat.models import Conversation, Message

PERIOD_CHOICES = (7, 30, 90)
DEFAULT_DAYS = 30
# The longest period a from/to pair may span: the dashboard reads each reply's latency.
MAX_DAYS = 366


@dataclass(frozen=True)
class Period:
    first: date
    last: date  # inclusive

    @property
    def since(self) -> datetime:
        return datetime.combine(self.first, time.min, tzinfo=timezone.get_current_timezone())

    @property
    def until(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone())

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=offset) for offset in range((self.last - self.first).days + 1)]


def period_from(query: dict[str, str], today: date | None = None) -> Period:
    """?days=7|30|90, or ?from=YYYY-MM-DD&to=YYYY-MM-DD; anything else is the last 30 days."""
    today = today or timezone.localdate()
    try:
        first, last = date.fromisoformat(query["from"]), date.fromisoformat(query["to"])
        if first <= last and (last - first).days < MAX_DAYS:
            return Period(first, last)
    except (KeyError, ValueError):
        pass
    days = int(query["days"]) if query.get("days", "").isdigit() else DEFAULT_DAYS
    days = days if days in PERIOD_CHOICES else DEFAULT_DAYS
    return Period(today - timedelta(days=days - 1), today)


def percentile(sorted_values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile of an already sorted list; None for no values."""
    if not sorted_values:
        return None
    return sorted_values[max(0, math.ceil(fraction * len(sorted_values)) - 1)]


def _per_day(rows: list[dict], key: str, period: Period) -> list[float | None]:
    by_day = {row["day"]: row[key] for row in rows}
    return [by_day.get(day) for day in period.days]


def conversations_per_day(period: Period) -> dict[str, list[int]]:
    """Conversations started each day, split into those the bot handled alone and escalated ones."""
    rows = list(
        Conversation.objects.filter(created_at__gte=period.since, created_at__lt=period.until)
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(total=Count("id", distinct=True), escalated=Count("handoffs__conversation", distinct=True))
    )
    total = [value or 0 for value in _per_day(rows, "total", period)]
    escalated = [value or 0 for value in _per_day(rows, "escalated", period)]
    return {"bot": [t - e for t, e in zip(total, escalated, strict=True)], "escalated": escalated}


def escalations_by_trigger(period: Period, conversations: int) -> list[tuple[str, int, float]]:
    """(trigger, escalations, share of all conversations in the period), most frequent first."""
    rows = (
        Handoff.objects.filter(created_at__gte=period.since, created_at__lt=period.until)
        .values("reason")
        .annotate(count=Count("id"))
        .order_by("-count")
    )
    labels = dict(Handoff.Reason.choices)
    return [
        (labels.get(row["reason"], row["reason"]), row["count"], row["count"] / max(conversations, 1))
        for row in rows
    ]


def _bot_replies(period: Period):  # noqa: ANN202 (a QuerySet)
    return Message.objects.filter(
        role=Message.Role.ASSISTANT,
        created_at__gte=period.since,
        created_at__lt=period.until,
        ttft_ms__isnull=False,
    ).exclude(finish_reason=Message.FinishReason.ERROR)


def time_to_first_token(period: Period) -> dict[str, list[float | None]]:
    """p50 and p95 of the bot's time to first token (ms), per day, and of the whole period."""
    by_day: dict[date, list[float]] = defaultdict(list)
    for day, ttft in (
        _bot_replies(period).annotate(day=TruncDate("created_at")).values_list("day", "ttft_ms").iterator(chunk_size=5000)
    ):
        by_day[day].append(ttft)
    p50, p95 = [], []
    for day in period.days:
        values = sorted(by_day.get(day, []))
        p50.append(percentile(values, 0.5))
        p95.append(percentile(values, 0.95))
    everything = sorted(value for values in by_day.values() for value in values)
    return {"p50": p50, "p95": p95, "period": [percentile(everything, 0.5), percentile(everything, 0.95)]}


def generation_per_day(period: Period) -> dict[str, list[float | None]]:
    """Token counts, decode speed (generated tokens per second after the first) and the KV cache
    reuse rate (cached prompt tokens / prompt tokens, in %), per day and for the whole period."""
    rows = list(
        _bot_replies(period)
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(
            generated=Sum("completion_tokens"),
            decode_ms=Sum(F("total_ms") - F("ttft_ms")),
            prompt=Sum("prompt_tokens"),
            cached=Sum("cached_tokens"),
        )
    )
    whole = {key: sum(row[key] or 0 for row in rows) for key in ("generated", "decode_ms", "prompt", "cached")}
    for row in [*rows, whole]:
        row["tokens_per_s"] = row["generated"] / row["decode_ms"] * 1000 if row["decode_ms"] else None
        row["reuse"] = 100 * (row["cached"] or 0) / row["prompt"] if row["prompt"] else None
    return {
        "tokens_per_s": _per_day(rows, "tokens_per_s", period),
        "reuse": _per_day(rows, "reuse", period),
        "prompt": _per_day(rows, "prompt", period),
        "cached": _per_day(rows, "cached", period),
        "generated": _per_day(rows, "generated", period),
        "period": [whole["tokens_per_s"], whole["reuse"]],
    }


def agent_times(period: Period) -> dict[str, list[float]]:
    """Seconds from escalation to the first agent message, and to the end of the handoff
    (resolved or handed back), each sorted."""
    first_reply = Message.objects.filter(
        conversation=OuterRef("conversation"), role=Message.Role.AGENT, created_at__gte=OuterRef("created_at")
    ).order_by("created_at").values("created_at")[:1]
    first, resolution = [], []
    for created, answered, ended in (
        Handoff.objects.filter(created_at__gte=period.since, created_at__lt=period.until)
        .annotate(answered=Subquery(first_reply))
        .values_list("created_at", "answered", "ended_at")
        .iterator(chunk_size=2000)
    ):
        if answered is not None:
            first.append((answered - created).total_seconds())
        if ended is not None:
            resolution.append((ended - created).total_seconds())
    return {"first_response": sorted(first), "resolution": sorted(resolution)}


def ratings(period: Period) -> list[int]:
    """How many ratings of 1, 2, 3, 4 and 5 the period got."""
    counts = dict(
        Rating.objects.filter(created_at__gte=period.since, created_at__lt=period.until)
        .values_list("score")
        .annotate(count=Count("id"))
    )
    return [counts.get(score, 0) for score in range(1, 6)]
