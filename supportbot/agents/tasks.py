"""Beat timers of the handoff lifecycle, and mailing agent replies to visitors who asked for it."""

from __future__ import annotations

from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from supportbot.agents import assignment, email_later, notify, waiting
from supportbot.agents.models import Handoff
from supportbot.celery import OffThreadTask
from supportbot.events.log import record_event
from supportbot.events.models import Event


@shared_task(acks_late=True)
def enforce_handoff_sla(now: datetime | None = None) -> int:
    """Pending handoffs nobody claimed within HANDOFF_SLA_S: offer them to the next agent, raise
    their priority and alert the supervisors. Idempotent: a handoff is due again only one SLA
    period after its last offer. Returns how many were overdue."""
    now = now or timezone.now()
    due_before = now - timedelta(seconds=settings.HANDOFF_SLA_S)
    overdue = 0
    for handoff_id in Handoff.objects.filter(
        Q(offered_at__lt=due_before) | Q(offered_at=None, created_at__lt=due_before),
        ended_at=None,
        owner=None,
    ).values_list("id", flat=True):
        with transaction.atomic():
            handoff = (
                Handoff.objects.select_for_update()
                .select_related("team", "conversation")
                .filter(pk=handoff_id, ended_at=None, owner=None)
                .first()
            )
            if handoff is None:
                continue  # claimed in the meantime
            overdue += 1
            handoff.priority += 1
            handoff.sla_breaches += 1
            handoff.save(update_fields=["priority", "sla_breaches"])
            profile = assignment.offer(handoff, now)
            if profile is not None:
                notify.offer_to_agent(
                    profile.user_id, handoff.conversation_id, handoff.summary, reason=handoff.reason
                )
            waited = int((now - handoff.created_at).total_seconds())
            record_event(
                Event.Kind.ASSIGNMENT,
                handoff.conversation_id,
                sla_breach=handoff.sla_breaches,
                priority=handoff.priority,
                offered_to=profile.user_id if profile else None,
            )
            notify.alert_supervisors(
                f"Conversation waiting {waited} s for an agent",
                f"{handoff.summary}\n\nPriority raised to {handoff.priority}; "
                f"offered to {profile.user.get_username() if profile else 'nobody (no agent online)'}.",
                [handoff.team.supervisor_email] if handoff.team else [],
            )
            notify.queue_changed(handoff.conversation_id, handoff.conversation.status)
            waiting.announce()  # a raised priority moves it up the queue
    return overdue


@shared_task(base=OffThreadTask, acks_late=True)
def mail_agent_reply(message_id: int) -> bool:
    """An agent's reply, mailed to the address its visitor left (agents.email_later). Off the
    database thread in the embedded setup (celery.OffThreadTask), given up after EMAIL_TIMEOUT."""
    return email_later.mail_reply(message_id)
