"""Who in the agent console may see and do what with a conversation: the one rule, asked by every
console frame (agents.console) and by the console's views.

The people:

- console users: staff with `agents.use_console` (the agents and supervisors groups);
- supervisors: `agents.supervise` (superusers have every permission): they see and act on every
  conversation;
- everybody else (ops, staff without a role, visitors) sees nothing here. Ops read transcripts in
  the admin instead (`chat.view_conversation`), which audits each read.

A conversation belongs to the team of its latest handoff (the active one, else the one that ended
last). An agent's team is the team of their AgentProfile. An agent (not a supervisor):

- views a conversation (opens it, follows it live, sees it in the queue, its screenshots, writes
  private notes on it) when its handoff
    * has no team (no teams are configured, or no team takes its reason): one shared pool, every
      agent sees it;
    * is for the agent's team (pending for the team, or owned by anybody while the team has it);
    * is owned by a teammate or by the agent, or is offered (unclaimed) to the agent: a transfer
      to a named agent of another team hands them the conversation, and their teammates with it;
- acts on it (claims it while pending; replies, resolves, hands back, transfers, reopens, asks
  for a draft, shows "typing" to the visitor) only as its owner: the owner of the active handoff,
  or, for a resolved conversation, of the handoff that ended last. Claiming needs only the view:
  a pending conversation of one's team has no owner yet.
- A conversation that was never handed to people (no handoff at all) is the bot's: only
  supervisors see it.

Refusals say as little as a missing conversation would: the console answers `not_found` for a
conversation the agent may not view, and `not_allowed` for one they view but may not act on.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Q, QuerySet

from supportbot.agents.models import AgentProfile, Handoff
from supportbot.chat.models import Conversation


def may_use_console(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_staff and user.has_perm("agents.use_console"))


def supervises(user: Any) -> bool:
    return bool(may_use_console(user) and user.has_perm("agents.supervise"))


def team_of(user: Any) -> int | None:
    """The id of the agent's team; None for a console user without an agent profile."""
    return AgentProfile.objects.filter(user_id=user.pk).values_list("team_id", flat=True).first()


def latest_handoff(conversation_id: uuid.UUID | str) -> Handoff | None:
    """The active handoff, else the one that ended last (a resolved or handed-back conversation)."""
    active = Handoff.objects.filter(conversation_id=conversation_id, ended_at=None).first()
    if active is not None:
        return active
    return Handoff.objects.filter(conversation_id=conversation_id).order_by("-created_at", "-id").first()


def visible_handoffs(handoffs: QuerySet[Handoff], user: Any) -> QuerySet[Handoff]:
    """The rows of `handoffs` whose conversation `user` may view (the queue's filter: the same rule
    as may_view for the handoff itself)."""
    if supervises(user):
        return handoffs
    if not may_use_console(user):
        return handoffs.none()
    team_id = team_of(user)
    rule = Q(team__isnull=True) | Q(owner_id=user.pk) | Q(owner=None, offered_to_id=user.pk)
    if team_id is not None:
        rule |= Q(team_id=team_id) | Q(owner__agent_profile__team_id=team_id)
    return handoffs.filter(rule)


def _views_handoff(user: Any, handoff: Handoff | None) -> bool:
    if handoff is None:
        return False
    if handoff.team_id is None or handoff.owner_id == user.pk:
        return True
    if handoff.owner_id is None and handoff.offered_to_id == user.pk:
        return True
    team_id = team_of(user)
    if team_id is None:
        return False
    if handoff.team_id == team_id:
        return True
    return handoff.owner_id is not None and team_of(handoff.owner) == team_id


def may_view(user: Any, conversation: Conversation | uuid.UUID | str) -> bool:
    """Open it, follow it live, see it in the queue and its screenshots, write private notes."""
    if supervises(user):
        return True
    if not may_use_console(user):
        return False
    return _views_handoff(user, latest_handoff(_id(conversation)))


def may_act(user: Any, conversation: Conversation | uuid.UUID | str) -> bool:
    """Speak to the visitor or change the conversation: reply, typing, resolve, hand back,
    transfer, reopen, ask for a draft. The owner only (supervisors take it over)."""
    if supervises(user):
        return True
    if not may_use_console(user):
        return False
    handoff = latest_handoff(_id(conversation))
    return handoff is not None and handoff.owner_id == user.pk and _views_handoff(user, handoff)


def may_claim(user: Any, conversation: Conversation | uuid.UUID | str) -> bool:
    """Take a pending conversation: whoever may view it (handoff.claim refuses an owned one)."""
    return may_view(user, conversation)


def _id(conversation: Conversation | uuid.UUID | str) -> uuid.UUID | str:
    return conversation.pk if isinstance(conversation, Conversation) else conversation
