"""The waiting room: what a visitor waiting for a person (the conversation `pending`) is told, and
telling them again whenever the queue moves.

The `waiting` frame (docs/protocol.md) carries their place in the agents' queue, the expected
wait, whether to offer leaving an email address (agents.email_later) and, after a message written
while waiting, that it was received. Frames go to the conversation's group after the change that
caused them commits, so they never announce a queue that was rolled back.
"""

from __future__ import annotations

import math
import statistics
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from asgiref.sync import async_to_sync
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from supportbot.agents import office_hours
from supportbot.agents.assignment import online_user_ids
from supportbot.agents.models import Handoff
from supportbot.chat.delivery import conversation_group, send_after_commit, send_to_group
from supportbot.chat.models import Conversation, Message

# Why the page offers to email the answer instead of waiting.
CLOSED, NO_AGENT, LONG_WAIT = "closed", "no_agent", "long_wait"
OFFER_WORDS = {
    CLOSED: gettext_lazy("We are outside our office hours right now."),
    NO_AGENT: gettext_lazy("No agent is online right now."),
    LONG_WAIT: gettext_lazy("The wait may be long."),
}


@dataclass(frozen=True)
class QueueView:
    """What every waiting visitor's frame is computed from, read once per announcement."""

    order: list[uuid.UUID]  # conversations waiting, as the agents' queue orders them
    first_response_s: float | None  # the recent median; None without recent samples
    agents_online: int
    open_now: bool


def pending_order() -> list[uuid.UUID]:
    """Waiting conversations in the console's order (agents.queue.snapshot): highest priority,
    then longest waiting, first. One queue for everyone: any agent may claim any of them."""
    return list(
        Handoff.objects.filter(ended_at=None, owner=None)
        .order_by("-priority", "created_at")
        .values_list("conversation_id", flat=True)
    )


def median_first_response_s(now: datetime | None = None) -> float | None:
    """The median time from escalation to an agent joining, over the handoffs claimed within
    WAITING_SAMPLE_WINDOW_S. Handoffs an agent reopened (claimed the moment they were made) waited
    for nobody and are left out."""
    now = now or timezone.now()
    since = now - timedelta(seconds=settings.WAITING_SAMPLE_WINDOW_S)
    samples = Handoff.objects.filter(claimed_at__gte=since, claimed_at__lte=now, claimed_at__gt=F("created_at"))
    waits = [(claimed - created).total_seconds() for created, claimed in samples.values_list("created_at", "claimed_at")]
    return statistics.median(waits) if waits else None


def expected_wait_s(position: int, first_response_s: float | None, agents_online: int) -> float | None:
    """About how long the visitor at `position` (1 = next) waits; None: no estimate.

    Assumes the recent median first response is how long an agent takes to come to the next
    waiting visitor, and that the agents online take visitors from the head of the queue in
    parallel: the queue moves `agents_online` places per first response, so position N waits
    about ceil(N / agents) first responses. It does not count down with the time already waited
    (the median already includes that) and ignores teams and each agent's capacity."""
    if first_response_s is None or agents_online <= 0:
        return None
    return math.ceil(position / agents_online) * first_response_s


def queue_view(now: datetime | None = None) -> QueueView:
    now = now or timezone.now()
    return QueueView(
        order=pending_order(),
        first_response_s=median_first_response_s(now),
        agents_online=len(online_user_ids(now)),
        open_now=office_hours.is_open(now),
    )


def email_offer(view: QueueView, wait_s: float | None) -> str | None:
    """Why the visitor may prefer an email to waiting, or None when an agent should come soon."""
    if not view.open_now:
        return CLOSED
    if view.agents_online == 0:
        return NO_AGENT
    if wait_s is not None and wait_s > settings.WAITING_EMAIL_OFFER_AFTER_S:
        return LONG_WAIT
    return None


def minutes(wait_s: float | None) -> int | None:
    return None if wait_s is None else max(1, math.ceil(wait_s / 60))


def waiting_frame(conversation: Conversation, view: QueueView, acknowledged: Message | None = None) -> dict[str, Any] | None:
    """The frame for one waiting visitor, in their language; None when their conversation is not
    waiting."""
    if conversation.id not in view.order:
        return None
    with translation.override(conversation.visitor_language()):
        return _waiting_frame(conversation, view, acknowledged)


def _waiting_frame(conversation: Conversation, view: QueueView, acknowledged: Message | None) -> dict[str, Any]:
    position = view.order.index(conversation.id) + 1
    wait_s = expected_wait_s(position, view.first_response_s, view.agents_online)
    wait_min = minutes(wait_s)
    estimate = (
        _("expected wait about %(minutes)s min") % {"minutes": wait_min} if wait_min is not None else _("no estimate yet")
    )
    offer = email_offer(view, wait_s)
    frame: dict[str, Any] = {
        "type": "waiting",
        "position": position,
        "expected_wait_min": wait_min,
        "text": _("You are number %(position)s in the queue · %(estimate)s") % {"position": position, "estimate": estimate},
        "email_offer": offer,
        "offer_text": str(OFFER_WORDS[offer]) if offer else None,
        "email": conversation.visitor_email or None,
    }
    if acknowledged is not None:
        frame["acknowledged"] = {
            "message_id": acknowledged.id,
            "text": _("Got it — the agent will see this when they join (you're number %(position)s).")
            % {"position": position},
        }
    return frame


def state_of(conversation_id: uuid.UUID | str) -> dict[str, Any] | None:
    """The current frame for a (re)connecting page; None when the conversation is not waiting."""
    conversation = Conversation.objects.filter(pk=conversation_id).first()
    if conversation is None or conversation.status != Conversation.Status.PENDING:
        return None
    return waiting_frame(conversation, queue_view())


def announce() -> None:
    """The queue changed (a handoff made, claimed, resolved, handed back, transferred or raised
    in priority): once that commits, every waiting visitor gets their new place."""
    transaction.on_commit(_announce_now, robust=True)


def _announce_now() -> None:
    view = queue_view()
    conversations = Conversation.objects.filter(pk__in=view.order, status=Conversation.Status.PENDING)
    for conversation in conversations:
        frame = waiting_frame(conversation, view)
        if frame is not None:
            async_to_sync(send_to_group)(conversation_group(conversation.id), frame)


def acknowledge(conversation: Conversation, message: Message) -> None:
    """A visitor message while waiting: the page says it was received and where they stand (the
    bot does not answer it; the agent reads it on joining). Inside the turn's transaction."""
    frame = waiting_frame(conversation, queue_view(), acknowledged=message)
    if frame is not None:
        send_after_commit(conversation_group(conversation.id), frame)


def tell_visitor(conversation: Conversation) -> None:
    """This visitor's own state changed (e.g. they left an email): their tabs get it after commit."""
    frame = waiting_frame(conversation, queue_view())
    if frame is not None:
        send_after_commit(conversation_group(conversation.id), frame)
