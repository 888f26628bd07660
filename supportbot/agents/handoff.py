"""The one place that decides a conversation's state and who may speak in it.

    bot --escalate--> pending --claim--> open --resolve--> resolved
                        ^  \\--transfer--/  |                 |
                        |                  +--hand back--> bot <-- a new visitor message
                        +------------------- reopen (by an agent) ---------+

The bot answers only in `bot` and `resolved`; in `pending` and `open` people own the conversation
and visitor messages wait for them. Every change is one transaction with its event (outbox);
frames, mail and webhooks go out after it commits. Synchronous: consumers call these through
database_sync_to_async, tests call them directly.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from supportbot.agents import access, assignment, notify, tasks, triggers, waiting
from supportbot.agents.models import Handoff, MessageFeedback, Note, Rating, Team, display_name
from supportbot.agents.summary import summarize
from supportbot.agents.triggers import Trigger
from supportbot.agents.webhooks import queue_webhooks
from supportbot.chat import hooks
from supportbot.chat.frames import message_payload
from supportbot.chat.models import Conversation, Message
from supportbot.events.log import record_event
from supportbot.events.models import Event

Status = Conversation.Status
PEOPLE_OWN = (Status.PENDING, Status.OPEN)
# What the visitor reads when people take over: they asked, or the bot brought them in.
# Each in the visitor's language (_set_status).
JOINING = {
    Handoff.Reason.USER_BUTTON: _("You asked for a person: an agent is joining…"),
    Handoff.Reason.USER_WORDS: _("You asked for a person: an agent is joining…"),
    Handoff.Reason.NO_ANSWER: _("You asked for a person: an agent is joining…"),
}
BOT_HANDS_OVER = _("SupportBot is bringing in a person: an agent is joining…")
AGENT_JOINED = _("%(name)s has joined the conversation.")


class NotAllowed(hooks.NotAllowed):
    """The actor may not do this now (wrong state, or someone else's conversation)."""


def bot_answers(conversation: Conversation) -> bool:
    return conversation.status not in PEOPLE_OWN


def may_answer(user: AbstractBaseUser, handoff: Handoff | None) -> bool:
    """Only the owning agent answers an open conversation (supervisors may take it over)."""
    return handoff is not None and handoff.owner_id == user.pk and handoff.claimed_at is not None


def active_handoff(conversation_id: uuid.UUID | str) -> Handoff | None:
    return Handoff.objects.filter(conversation_id=conversation_id, ended_at=None).first()


def _locked(conversation_id: uuid.UUID | str) -> Conversation:
    return Conversation.objects.select_for_update().get(pk=conversation_id)


def _set_status(conversation: Conversation, status: str, text: str, **names: str) -> Message:
    """Change the status and tell the visitor with a system message (kept in the history), in
    their language: `text` is a lazy translation, with `names` put in."""
    conversation.status = status
    conversation.save(update_fields=["status", "updated_at"])
    with translation.override(conversation.visitor_language()):
        said = str(text) % names if names else str(text)
    note = Message.objects.create(conversation=conversation, role=Message.Role.SYSTEM, text=said)
    payload = message_payload(note, [])
    notify.to_visitor(conversation.id, {"type": "handoff", "status": status, "message": payload})
    notify.to_console_viewers(conversation.id, {"type": "message", "message": payload})
    notify.queue_changed(conversation.id, status)
    waiting.announce()  # every waiting visitor's place may have moved
    return note


def escalate(
    conversation_id: uuid.UUID | str, trigger: Trigger, now: datetime | None = None
) -> Handoff | None:
    """Hand the conversation to people; None when they already own it (one escalation only)."""
    try:
        with transaction.atomic():
            conversation = _locked(conversation_id)
            if conversation.status in PEOPLE_OWN:
                return None
            return _escalate_locked(conversation, trigger, now or timezone.now())
    except IntegrityError:
        return None  # a concurrent escalation of the same conversation won


def _escalate_locked(conversation: Conversation, trigger: Trigger, now: datetime) -> Handoff:
    """escalate() for callers already inside a transaction holding the conversation."""
    handoff = Handoff.objects.create(
        conversation=conversation,
        reason=trigger.reason,
        detail=trigger.detail[:300],
        summary=summarize(conversation, trigger),
        team=assignment.team_for(trigger.reason),
        priority=trigger.priority,
        created_at=now,
    )
    _set_status(conversation, Status.PENDING, JOINING.get(trigger.reason, BOT_HANDS_OVER))
    record_event(
        Event.Kind.ESCALATION, conversation.id, reason=trigger.reason, detail=trigger.detail
    )
    queue_webhooks(
        "escalation", {"conversation_id": str(conversation.id), "reason": trigger.reason}
    )
    _offer(handoff, now)
    return handoff


def _offer(handoff: Handoff, now: datetime) -> None:
    profile = assignment.offer(handoff, now)
    record_event(
        Event.Kind.ASSIGNMENT,
        handoff.conversation_id,
        offered_to=profile.user_id if profile else None,
        team=handoff.team.name if handoff.team else None,
    )
    if profile is not None:
        notify.offer_to_agent(
            profile.user_id, handoff.conversation_id, handoff.summary, reason=handoff.reason
        )


def claim(conversation_id: uuid.UUID | str, agent: AbstractBaseUser) -> bool:
    """Take a pending conversation. With two agents at once exactly one gets True: the update is
    conditional on nobody owning it yet."""
    with transaction.atomic():
        conversation = _locked(conversation_id)
        taken = Handoff.objects.filter(
            conversation=conversation, ended_at=None, owner=None
        ).update(owner=agent, claimed_at=timezone.now())
        if not taken:
            return False
        _set_status(conversation, Status.OPEN, AGENT_JOINED, name=display_name(agent))
        _agent_action(conversation.id, agent, "claim")
    return True


def transfer(
    conversation_id: uuid.UUID | str,
    actor: AbstractBaseUser,
    to_agent_id: int | None = None,
    to_team_id: int | None = None,
) -> None:
    """Give the conversation to a named agent, who owns it at once and must be online with room,
    or back to a team's queue (its own team's when none is named)."""
    with transaction.atomic():
        conversation = _locked(conversation_id)
        handoff = _owned_by(conversation, actor)
        if to_team_id is not None and not Team.objects.filter(pk=to_team_id).exists():
            raise NotAllowed(_("No such team."))
        if to_agent_id is not None:
            to_agent = _available_agent(to_agent_id, actor)
            handoff.owner = handoff.offered_to = to_agent
            handoff.save(update_fields=["owner", "offered_to"])
            _set_status(conversation, Status.OPEN, AGENT_JOINED, name=display_name(to_agent))
            notify.offer_to_agent(
                to_agent.pk, conversation.id, handoff.summary, display_name(actor), handoff.reason
            )
        else:
            handoff.owner, handoff.claimed_at = None, None
            if to_team_id is not None:
                handoff.team_id = to_team_id
            handoff.save(update_fields=["owner", "claimed_at", "team"])
            _set_status(conversation, Status.PENDING, _("Another agent is joining…"))
            _offer(handoff, timezone.now())
        _agent_action(conversation.id, actor, "transfer", to_agent=to_agent_id, to_team=to_team_id)


def _available_agent(user_id: int, actor: AbstractBaseUser) -> AbstractBaseUser:
    """The agent a conversation is transferred to: online, with room, and not the actor."""
    profile = next((p for p in assignment.available_agents(exclude_user_ids=[actor.pk]) if p.user_id == user_id), None)
    if profile is None:
        raise NotAllowed(_("That agent is offline or has no room for another conversation."))
    return profile.user


def post_agent_message(
    conversation_id: uuid.UUID | str, agent: AbstractBaseUser, text: str
) -> Message:
    with transaction.atomic():
        conversation = _locked(conversation_id)
        _owned_by(conversation, agent)
        message = Message.objects.create(
            conversation=conversation,
            role=Message.Role.AGENT,
            text=text.strip(),
            author_name=display_name(agent),
        )
        conversation.save(update_fields=["updated_at"])
        record_event(Event.Kind.MESSAGE_OUT, conversation.id, role="agent", agent=agent.pk)
        payload = message_payload(message, [])
        notify.to_visitor(conversation.id, {"type": "agent.message", "message": payload})
        notify.to_console_viewers(conversation.id, {"type": "message", "message": payload})
        if conversation.visitor_email:  # they asked for the answer by email (agents.email_later)
            transaction.on_commit(lambda: tasks.mail_agent_reply.delay(message.id), robust=True)
    return message


def add_note(conversation_id: uuid.UUID | str, agent: AbstractBaseUser, text: str) -> Note:
    """A private note: only console viewers hear of it, never the visitor's sockets. Whoever may
    view the conversation (agents.access) may write one."""
    with transaction.atomic():
        if not access.may_view(agent, conversation_id):
            raise NotAllowed(_("No such conversation."))
        note = Note.objects.create(conversation_id=conversation_id, author=agent, text=text.strip())
        _agent_action(conversation_id, agent, "note")
        notify.to_console_viewers(
            conversation_id,
            {"type": "note", "note": {"author": agent.get_username(), "text": note.text}},
        )
    return note


def resolve(conversation_id: uuid.UUID | str, agent: AbstractBaseUser) -> None:
    """Close the handoff and ask the visitor for a rating."""
    with transaction.atomic():
        conversation = _locked(conversation_id)
        handoff = _end_handoff(conversation, agent)
        _set_status(conversation, Status.RESOLVED, _("The agent marked this conversation resolved."))
        _agent_action(conversation.id, agent, "resolve")
        notify.to_visitor(
            conversation.id,
            {"type": "csat.request", "handoff_id": handoff.pk, "scale": [1, 2, 3, 4, 5]},
        )


def hand_back(conversation_id: uuid.UUID | str, agent: AbstractBaseUser) -> None:
    with transaction.atomic():
        conversation = _locked(conversation_id)
        _end_handoff(conversation, agent)
        _set_status(conversation, Status.BOT, _("You are talking to SupportBot again."))
        _agent_action(conversation.id, agent, "hand_back")


def reopen(conversation_id: uuid.UUID | str, agent: AbstractBaseUser) -> Handoff:
    """An agent takes a resolved (or bot) conversation up again, owning it at once."""
    with transaction.atomic():
        conversation = _locked(conversation_id)
        if not access.may_act(agent, conversation.id):
            raise NotAllowed(_("Only the agent who had this conversation (or a supervisor) may reopen it."))
        if conversation.status in PEOPLE_OWN:
            raise NotAllowed(_("People already own this conversation."))
        now = timezone.now()
        handoff = Handoff.objects.create(
            conversation=conversation,
            reason=Handoff.Reason.USER_BUTTON,
            detail="reopened by an agent",
            owner=agent,
            created_at=now,
            claimed_at=now,
        )
        _set_status(conversation, Status.OPEN, AGENT_JOINED, name=display_name(agent))
        _agent_action(conversation.id, agent, "reopen")
    return handoff


def rate(conversation_id: uuid.UUID | str, score: int, comment: str = "") -> Rating:
    """The visitor's 1-5 rating of the latest resolved handoff; a second rating is refused."""
    with transaction.atomic():
        handoff = _latest_ended(conversation_id)
        if handoff is None or hasattr(handoff, "rating") or not 1 <= score <= 5:
            raise NotAllowed(_("Nothing to rate."))
        rating = Rating.objects.create(handoff=handoff, score=score, comment=comment[:2000])
        record_event(Event.Kind.CSAT, conversation_id, score=score, comment=comment[:2000])
    return rating


def rating_due(conversation: Conversation) -> bool:
    """Resolved and not rated yet: the visitor's page keeps asking for the rating (after a reload
    too) until it is given."""
    if conversation.status != Status.RESOLVED:
        return False
    handoff = _latest_ended(conversation.id)
    return handoff is not None and not hasattr(handoff, "rating")


def _latest_ended(conversation_id: uuid.UUID | str) -> Handoff | None:
    return (
        Handoff.objects.filter(conversation_id=conversation_id, ended_at__isnull=False)
        .order_by("-ended_at")
        .first()
    )


def _end_handoff(conversation: Conversation, agent: AbstractBaseUser) -> Handoff:
    """The agent's handoff of this conversation, now ended (resolved or handed back)."""
    handoff = _owned_by(conversation, agent)
    handoff.ended_at = timezone.now()
    handoff.save(update_fields=["ended_at"])
    return handoff


def _owned_by(conversation: Conversation, agent: AbstractBaseUser) -> Handoff:
    handoff = active_handoff(conversation.id)
    supervises = agent.has_perm("agents.supervise")
    if handoff is None or not (may_answer(agent, handoff) or supervises):
        raise NotAllowed(_("This conversation is not yours."))
    if supervises and handoff.owner_id != agent.pk:
        # A supervisor acting on someone else's conversation takes it over.
        handoff.owner, handoff.claimed_at = agent, handoff.claimed_at or timezone.now()
        handoff.save(update_fields=["owner", "claimed_at"])
    return handoff


def _agent_action(
    conversation_id: uuid.UUID | str, agent: AbstractBaseUser, action: str, **data: object
) -> None:
    record_event(Event.Kind.AGENT_ACTION, conversation_id, action=action, agent=agent.pk, **data)
    queue_webhooks(action, {"conversation_id": str(conversation_id), "agent": agent.pk})


# --- The visitor's chat asks these (chat.hooks; registered as HandoffRules) ---------------------


def escalate_in_transaction(conversation: Conversation, trigger: Trigger) -> Handoff | None:
    """escalate() for a caller whose transaction already holds the conversation's row lock."""
    if conversation.status in PEOPLE_OWN:
        return None
    return _escalate_locked(conversation, trigger, timezone.now())


def relay_visitor_message(conversation: Conversation, message: Message) -> None:
    """A visitor message while people own the conversation goes to the consoles, not the bot;
    the agent who owns it (or is offered it) is alerted wherever their console is."""
    payload = message_payload(message)
    notify.to_console_viewers(conversation.id, {"type": "message", "message": payload})
    handoff = active_handoff(conversation.id)
    agent_id = handoff and (handoff.owner_id or handoff.offered_to_id)
    if agent_id:
        notify.visitor_wrote(agent_id, conversation, message)
    if conversation.status == Status.PENDING:
        waiting.acknowledge(conversation, message)  # nobody has joined yet: say it was received
    notify.queue_changed(conversation.id, conversation.status)


def after_bot_reply(conversation_id: uuid.UUID | str, outcome: hooks.ReplyOutcome) -> Handoff | None:
    """Called in the transaction that stores a finished reply: the bot saying it cannot help,
    being unsure, or failing repeatedly escalates."""
    conversation = _locked(conversation_id)
    trigger = triggers.on_bot_reply(conversation, outcome)
    return escalate_in_transaction(conversation, trigger) if trigger else None


def record_feedback(
    conversation_id: uuid.UUID | str, message_id: int, helpful: bool
) -> Handoff | None:
    """Thumbs up or down on a finished bot reply; unhelpful ones in a row escalate."""
    with transaction.atomic():
        conversation = _locked(conversation_id)
        reply = Message.objects.filter(
            pk=message_id, conversation=conversation, role=Message.Role.ASSISTANT
        ).exclude(finish_reason="").first()
        if reply is None:
            raise NotAllowed(_("No such finished bot reply in this conversation."))
        MessageFeedback.objects.update_or_create(message=reply, defaults={"helpful": helpful})
        record_event(Event.Kind.AGENT_ACTION, conversation.id, feedback=helpful, message=reply.pk)
        trigger = triggers.replies_unhelpful(conversation)
        return escalate_in_transaction(conversation, trigger) if trigger else None
