"""The metrics dashboard (staff with ops.view_dashboard) and the Prometheus endpoint."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from django.shortcuts import render
from django.views.decorators.http import require_GET

from supportbot.ops import gaps as content_gaps
from supportbot.ops import stats
from supportbot.lib.auth import bearer_token_matches
from supportbot.ops.charts import Series, bar_list, column_chart, line_chart

# Buckets of the agents' response and resolution times: (upper bound in seconds, label).
TIME_BUCKETS = [(60, "< 1 min"), (300, "1–5 min"), (900, "5–15 min"), (3600, "15–60 min"), (14400, "1–4 h"), (float("inf"), "> 4 h")]


def _histogram(seconds: Sequence[float]) -> list[int]:
    counts = [0] * len(TIME_BUCKETS)
    for value in seconds:
        counts[next(index for index, (bound, _) in enumerate(TIME_BUCKETS) if value < bound)] += 1
    return counts


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    if seconds < 90:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min" if seconds < 5400 else f"{seconds / 3600:.1f} h"


@require_GET
@staff_member_required
def gaps(request: HttpRequest) -> HttpResponse:
    """What visitors asked that the help center did not answer, grouped (ops.gaps)."""
    if not request.user.has_perm("ops.view_dashboard"):
        raise PermissionDenied("Content gaps are for the ops group.")
    period = stats.period_from(request.GET.dict())
    return render(request, "ops/gaps.html", {
        **admin.site.each_context(request),
        "title": "Content gaps",
        "period": period,
        "gaps": content_gaps.content_gaps(period)[:100],
    })


@require_GET
@staff_member_required
def dashboard(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("ops.view_dashboard"):
        raise PermissionDenied("The dashboard is for the ops group.")
    period = stats.period_from(request.GET.dict())
    labels = [f"{day.day} {day:%b}" for day in period.days]
    per_day = stats.conversations_per_day(period)
    conversations = sum(per_day["bot"]) + sum(per_day["escalated"])
    escalated = sum(per_day["escalated"])
    triggers = stats.escalations_by_trigger(period, conversations)
    ttft = stats.time_to_first_token(period)
    generation = stats.generation_per_day(period)
    agents = stats.agent_times(period)
    ratings = stats.ratings(period)
    rated = sum(ratings)
    first_response, resolution = agents["first_response"], agents["resolution"]
    average_rating = sum(score * count for score, count in enumerate(ratings, 1)) / rated if rated else None
    # (label, value, unit, note)
    tiles = [
        ("Conversations", f"{conversations:,}", "", f"{conversations / len(labels):.0f} a day"),
        ("Escalated", f"{100 * escalated / max(conversations, 1):.1f}", "%", f"{escalated:,} conversations"),
        ("Time to first token", _number(ttft["period"][0], "{:,.0f}"), "ms", f"p50; p95 {_number(ttft['period'][1], '{:,.0f}')} ms"),
        ("Decode speed", _number(generation["period"][0], "{:.1f}"), "tokens/s", "per reply, after the first token"),
        ("KV cache reuse", _number(generation["period"][1], "{:.1f}"), "%", "of prompt tokens were cached"),
        ("Agent first response", _duration(stats.percentile(first_response, 0.5)), "", f"p50; p95 {_duration(stats.percentile(first_response, 0.95))}"),
        ("Resolution", _duration(stats.percentile(resolution, 0.5)), "", f"p50; p95 {_duration(stats.percentile(resolution, 0.95))}"),
        ("Rating", _number(average_rating, "{:.2f}"), "/ 5", f"{rated:,} ratings"),
    ]
    charts = [
        ("Conversations per day", "conversations", column_chart(
            "Conversations per day", labels,
            [Series("handled by the bot", per_day["bot"], "series-0"), Series("escalated", per_day["escalated"], "series-1")],
        ), [("series-0", "handled by the bot"), ("series-1", "escalated to a person")]),
        ("Escalation rate by trigger", "triggers", bar_list(
            "Escalation rate by trigger",
            [(label, rate, f"{100 * rate:.1f} % ({count})") for label, count, rate in triggers],
            "series-1",
        ), []),
        ("Bot time to first token", "ttft", line_chart(
            "Bot time to first token", labels,
            [Series("p50", ttft["p50"], "series-0"), Series("p95", ttft["p95"], "series-2")], " ms",
        ), [("series-0", "p50"), ("series-2", "p95")]),
        ("Decode speed", "tokens-per-second", line_chart(
            "Decode speed", labels, [Series("tokens/s", generation["tokens_per_s"], "series-3")],
        ), [("series-3", "generated tokens per second")]),
        ("KV cache reuse", "kv-reuse", line_chart(
            "KV cache reuse", labels, [Series("cached", generation["reuse"], "series-4")], " %",
        ), [("series-4", "cached tokens / prompt tokens")]),
        ("Agent first response and resolution", "agent-times", column_chart(
            "Agent first response and resolution", [label for _, label in TIME_BUCKETS],
            [Series("first response", _histogram(agents["first_response"]), "series-0"),
             Series("resolution", _histogram(agents["resolution"]), "series-2")],
            grouped=True,
        ), [("series-0", "first agent reply"), ("series-2", "resolved or handed back")]),
        ("Tokens per day", "tokens", column_chart(
            "Tokens per day", labels,
            [Series("prompt tokens from the KV cache", generation["cached"], "series-4"),
             Series("new prompt tokens", [(p or 0) - (c or 0) for p, c in zip(generation["prompt"], generation["cached"], strict=True)], "series-0"),
             Series("generated tokens", generation["generated"], "series-3")],
        ), [("series-4", "prompt, from the KV cache"), ("series-0", "prompt, computed"), ("series-3", "generated")]),
        ("Ratings", "ratings", bar_list(
            "Ratings", [("★" * score, count, f"{count} ({100 * count / max(rated, 1):.0f} %)") for score, count in reversed(list(enumerate(ratings, 1)))],
            "series-5",
        ), []),
    ]
    return render(request, "ops/dashboard.html", {
        **admin.site.each_context(request),
        "title": "Metrics",
        "period": period,
        "period_choices": stats.PERIOD_CHOICES,
        "selected_days": request.GET.get("days", "") if "from" not in request.GET else "",
        "tiles": tiles,
        "charts": [{"title": title, "id": chart_id, "svg": svg, "legend": legend} for title, chart_id, svg, legend in charts],
    })


def _number(value: float | None, template: str) -> str:
    return "–" if value is None else template.format(value)


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text format, for a bearer token (SUPPORTBOT_METRICS_TOKEN) or a staff login."""
    authorization = request.headers.get("Authorization", "")
    if not (bearer_token_matches(authorization, settings.METRICS_TOKEN) or request.user.is_staff):
        if authorization or request.user.is_authenticated:
            return HttpResponse("Not allowed.\n", status=403, content_type="text/plain")
        response = HttpResponse("A bearer token or a staff login is required.\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = "Bearer"
        return response
    return HttpResponse(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)
