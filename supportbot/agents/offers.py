"""An agent declining the conversation offered to them: it goes to the next agent with room, or
waits in the queue for anyone, and is never offered back to them. (Taking it is handoff.claim.)"""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from supportbot.agents import assignment, notify
from supportbot.agents.handoff import NotAllowed
from supportbot.agents.models import Handoff
from supportbot.chat.models import Conversation
from supportbot.events.log import record_event
from supportbot.events.models import Event


def decline(conversation_id: uuid.UUID | str, agent: AbstractBaseUser) -> None:
    with transaction.atomic():
        # The conversation's lock, as every change of its handoff takes (agents.handoff).
        conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
        handoff = Handoff.objects.filter(
            conversation=conversation, ended_at=None, owner=None, offered_to=agent
        ).select_related("team").first()
        if handoff is None:
            raise NotAllowed(_("This conversation is not offered to you (any more)."))
        profile = assignment.offer(handoff, timezone.now(), declined_by=[agent.pk])
        record_event(
            Event.Kind.ASSIGNMENT,
            conversation.id,
            declined_by=agent.pk,
            offered_to=profile.user_id if profile else None,
            team=handoff.team.name if handoff.team else None,
        )
        if profile is not None:
            notify.offer_to_agent(profile.user_id, conversation.id, handoff.summary, reason=handoff.reason)
        notify.queue_changed(conversation.id, conversation.status)

