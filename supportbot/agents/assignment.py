"""Who gets a waiting conversation: round-robin among the online agents of the target team who
have room (fewer active conversations than their limit). Presence comes from console sockets."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, F, Q
from django.utils import timezone

from supportbot.agents.models import AgentProfile, ConsolePresence, Handoff, Team
from supportbot.events.models import Event


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


def decliners(handoff: Handoff) -> set[int]:
    """Who declined this handoff already: their assignment events (agents.offers) say so."""
    return set(
        Event.objects.filter(
            kind=Event.Kind.ASSIGNMENT,
            conversation_id=handoff.conversation_id,
            created_at__gte=handoff.created_at,
            data__has_key="declined_by",
        ).values_list("data__declined_by", flat=True)
    )


def offer(handoff: Handoff, now: datetime | None = None, declined_by: Iterable[int] = ()) -> AgentProfile | None:
    """Offer the handoff to the next agent (not the one it was offered to before). Agents who
    declined it (`declined_by`, and those before) are never offered it again: it waits in the
    queue instead."""
    now = now or timezone.now()
    declined = set(declined_by) | decliners(handoff)
    excluded = {handoff.offered_to_id, *declined} - {None}
    profile = pick_agent(handoff.team, excluded, now) or (
        # Nobody else has room: the same agent is better than nobody, unless they declined.
        pick_agent(handoff.team, declined, now) if excluded and handoff.offered_to_id not in declined else None
    )
    handoff.offered_to = profile.user if profile else None
    handoff.offered_at = now
    handoff.save(update_fields=["offered_to", "offered_at"])
    if profile is not None:
        AgentProfile.objects.filter(pk=profile.pk).update(last_offered_at=now)
    return profile


def availability(user: AbstractBaseUser, now: datetime | None = None) -> dict[str, Any]:
    """Whether offers can reach this agent, and if not why, for the console to say so plainly:
    `no_profile` (only agents with a profile are offered conversations: an admin creates one),
    `at_capacity` (as many active conversations and unclaimed offers as their limit), else
    `available`. Being offline is the console's own knowledge: its socket is closed."""
    profile = AgentProfile.objects.filter(user=user).select_related("team").first()
    if profile is None:
        return {"state": "no_profile", "team": None, "load": 0, "limit": 0}
    load = (
        Handoff.objects.filter(owner=user, ended_at=None).count()
        + Handoff.objects.filter(offered_to=user, owner=None, ended_at=None).count()
    )
    online = user.pk in online_user_ids(now)
    state = "at_capacity" if load >= profile.max_concurrent else "available" if online else "offline"
    return {"state": state, "team": profile.team.name, "load": load, "limit": profile.max_concurrent}
