"""Who gets a waiting conversation: round-robin among the online agents of the target team who
have room (fewer active conversations than their limit). Presence comes from console sockets."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, F, Q
from django.utils import timezone

from supportbot.agents.models import AgentProfile, ConsolePresence, Handoff, Team


def team_for(reason: str) -> Team | None:
    """The team that takes this reason, else the default team (None: no teams configured)."""
    for team in Team.objects.order_by("id"):
        if reason in (team.reasons or []):
            return team
    return Team.objects.filter(is_default=True).first()


def online_user_ids(now: datetime | None = None) -> set[int]:
    fresh_since = (now or timezone.now()) - timedelta(seconds=settings.AGENT_PRESENCE_TTL_S)
    return set(
        ConsolePresence.objects.filter(last_seen__gte=fresh_since).values_list("user_id", flat=True)
    )


def available_agents(
    team: Team | None = None, exclude_user_ids: Iterable[int] = (), now: datetime | None = None
) -> list[AgentProfile]:
    """Online agents with room (fewer active conversations and unclaimed offers than their
    limit), in round-robin order: the one offered a conversation longest ago first."""
    active = Q(user__owned_handoffs__ended_at__isnull=True)
    candidates = (
        AgentProfile.objects.filter(user__id__in=online_user_ids(now), user__is_active=True)
        .exclude(user__id__in=list(exclude_user_ids))
        .annotate(load=Count("user__owned_handoffs", filter=active, distinct=True))
        .filter(load__lt=F("max_concurrent"))
        .order_by(F("last_offered_at").asc(nulls_first=True), "id")
    )
    if team is not None:
        candidates = candidates.filter(team=team)
    with_room = []
    for profile in candidates.select_related("user", "team"):
        # Offers not yet claimed count against the limit too.
        offered = Handoff.objects.filter(
            offered_to=profile.user, owner=None, ended_at=None
        ).count()
        if profile.load + offered < profile.max_concurrent:
            with_room.append(profile)
    return with_room


def pick_agent(
    team: Team | None, exclude_user_ids: Iterable[int] = (), now: datetime | None = None
) -> AgentProfile | None:
    """The next agent in round-robin order, or None when nobody online has room."""
    return next(iter(available_agents(team, exclude_user_ids, now)), None)


def offer(handoff: Handoff, now: datetime | None = None) -> AgentProfile | None:
    """Offer the handoff to the next agent (not the one it was offered to before)."""
    now = now or timezone.now()
    excluded = [handoff.offered_to_id] if handoff.offered_to_id else []
    profile = pick_agent(handoff.team, excluded, now) or (
        # Nobody else has room: the same agent is better than nobody.
        pick_agent(handoff.team, (), now) if excluded else None
    )
    handoff.offered_to = profile.user if profile else None
    handoff.offered_at = now
    handoff.save(update_fields=["offered_to", "offered_at"])
    if profile is not None:
        AgentProfile.objects.filter(pk=profile.pk).update(last_offered_at=now)
    return profile
