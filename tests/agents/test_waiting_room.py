"""The waiting room (issue 15): a waiting visitor's place in the queue and expected wait, live over
their socket; the estimate from recent first responses; office hours; "email me the answer
instead" (stored, shown to agents, a bad address refused, agent replies mailed); a message
written while waiting is acknowledged, not answered by the bot."""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta, timezone as dt_timezone

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.core import mail
from django.utils import timezone

from supportbot.agents import email_later, handoff, office_hours, queue, waiting
from supportbot.agents.models import Handoff, OfficeHours
from supportbot.agents.triggers import Trigger
from supportbot.chat.models import Conversation
from supportbot.lib import background
from tests.agent_fixtures import agent, team
from tests.chat_fixtures import chat_socket, new_conversation, receive_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]

BUTTON = Trigger(Handoff.Reason.USER_BUTTON, "pressed Talk to a human")


def of_type(kind: str):
    return lambda frame: frame["type"] == kind


def waiting_for_person(conversation: Conversation, waited_s: float = 0, priority: int = 0) -> Handoff:
    """A pending handoff made `waited_s` ago (no agent has joined)."""
    Conversation.objects.filter(pk=conversation.pk).update(status=Conversation.Status.PENDING)
    return Handoff.objects.create(
        conversation=conversation, reason=Handoff.Reason.USER_BUTTON, priority=priority,
        created_at=timezone.now() - timedelta(seconds=waited_s),
    )


def first_response(waited_s: float, claimed_ago: timedelta) -> Handoff:
    """A handoff an agent joined `claimed_ago`, `waited_s` after it was made."""
    claimed_at = timezone.now() - claimed_ago
    return Handoff.objects.create(
        conversation=new_conversation(), reason=Handoff.Reason.USER_BUTTON,
        created_at=claimed_at - timedelta(seconds=waited_s), claimed_at=claimed_at, ended_at=claimed_at,
    )


async def test_positions_move_live_for_two_waiting_visitors_when_the_first_is_claimed():
    support = await database_sync_to_async(team)()
    alice = await database_sync_to_async(agent)("alice", support)
    first = await database_sync_to_async(new_conversation)()
    second = await database_sync_to_async(new_conversation)()

    async with chat_socket(first.id, first.visitor_id) as one, chat_socket(second.id, second.visitor_id) as two:
        await one.send_json_to({"type": "escalate"})
        frames = await receive_until(one, of_type("waiting"))
        assert frames[-1]["position"] == 1 and frames[-1]["text"].startswith("You are number 1 in the queue · ")
        await two.send_json_to({"type": "escalate"})
        assert (await receive_until(two, of_type("waiting")))[-1]["position"] == 2
        # The first visitor is told again (the queue changed) and is still number 1.
        assert (await receive_until(one, of_type("waiting")))[-1]["position"] == 1

        await database_sync_to_async(handoff.claim)(first.id, alice)
        moved = await receive_until(two, of_type("waiting"))
        assert moved[-1]["position"] == 1  # live: nobody reloaded
        joined = await receive_until(one, of_type("handoff"))
        assert joined[-1]["status"] == "open"

    # A page that (re)connects is told where it stands right after the history.
    async with chat_socket(second.id, second.visitor_id) as again:
        await again.send_json_to({"type": "resume", "last_message_id": None})
        frames = await receive_until(again, of_type("waiting"))
        assert [f["type"] for f in frames] == ["history", "waiting"] and frames[-1]["position"] == 1


def test_expected_wait_comes_from_recent_first_responses_scaled_by_position_and_agents():
    for waited_s in (120, 240, 600):
        first_response(waited_s, claimed_ago=timedelta(hours=3))
    first_response(5000, claimed_ago=timedelta(days=2))  # too old to count
    reopened = first_response(0, claimed_ago=timedelta(hours=1))  # an agent reopened it: no wait
    assert reopened.claimed_at == reopened.created_at
    assert waiting.median_first_response_s() == 240

    assert waiting.expected_wait_s(1, 240, agents_online=2) == 240
    assert waiting.expected_wait_s(3, 240, agents_online=2) == 480
    assert waiting.expected_wait_s(3, 240, agents_online=1) == 720
    assert waiting.expected_wait_s(1, 240, agents_online=0) is None
    assert waiting.expected_wait_s(1, None, agents_online=2) is None

    support = team()
    agent("alice", support)
    agent("bob", support)
    conversations = [new_conversation() for _ in range(3)]
    for number, conversation in enumerate(conversations):
        waiting_for_person(conversation, waited_s=100 - number)  # the first waited longest
    head, _, tail = (waiting.state_of(c.id) for c in conversations)
    assert (head["position"], head["expected_wait_min"], head["email_offer"]) == (1, 4, None)
    assert head["text"] == "You are number 1 in the queue · expected wait about 4 min"
    # 8 minutes is longer than WAITING_EMAIL_OFFER_AFTER_S: an email is offered.
    assert (tail["position"], tail["expected_wait_min"], tail["email_offer"]) == (3, 8, "long_wait")
    assert tail["offer_text"] == "The wait may be long."


def test_no_recent_first_response_means_no_estimate_and_priority_orders_the_queue():
    agent("alice", team())
    calm, urgent = new_conversation(), new_conversation()
    waiting_for_person(calm, waited_s=600)
    waiting_for_person(urgent, waited_s=10, priority=2)  # raised by the SLA timer, say
    state = waiting.state_of(urgent.id)
    assert state["position"] == 1 and state["expected_wait_min"] is None
    assert state["text"] == "You are number 1 in the queue · no estimate yet"
    assert waiting.state_of(calm.id)["position"] == 2
    assert waiting.state_of(new_conversation().id) is None  # not waiting: no frame


def test_office_hours_decide_whether_people_answer_and_closed_offers_an_email():
    assert office_hours.is_open()  # no hours set: always open
    monday_9am_utc = datetime(2026, 3, 2, 9, 0, tzinfo=dt_timezone.utc)
    OfficeHours.objects.create(weekday=OfficeHours.Weekday.MONDAY, opens=time(9), closes=time(17))
    assert office_hours.is_open(monday_9am_utc)
    assert not office_hours.is_open(monday_9am_utc - timedelta(minutes=1))
    assert not office_hours.is_open(monday_9am_utc + timedelta(days=1))  # Tuesday: no hours
    # Hours read in their own time zone: 09:00 in Shanghai is 01:00 UTC.
    OfficeHours.objects.all().delete()
    OfficeHours.objects.create(weekday=0, opens=time(9), closes=time(17), time_zone="Asia/Shanghai")
    assert office_hours.is_open(datetime(2026, 3, 2, 1, 30, tzinfo=dt_timezone.utc))
    assert not office_hours.is_open(monday_9am_utc + timedelta(hours=1))

    # Open only on a weekday three days away: closed now, even with an agent online.
    OfficeHours.objects.all().delete()
    today = timezone.localtime().weekday()
    OfficeHours.objects.create(weekday=(today + 3) % 7, opens=time(0), closes=time(23, 59))
    agent("alice", team())
    conversation = new_conversation()
    waiting_for_person(conversation)
    state = waiting.state_of(conversation.id)
    assert state["email_offer"] == "closed" and state["offer_text"] == "We are outside our office hours right now."


def test_nobody_online_offers_an_email():
    agent("alice", team(), online=False)
    conversation = new_conversation()
    waiting_for_person(conversation)
    state = waiting.state_of(conversation.id)
    assert (state["email_offer"], state["expected_wait_min"]) == ("no_agent", None)


async def test_email_later_is_stored_shown_to_agents_and_a_bad_address_is_refused():
    support = await database_sync_to_async(team)()
    alice = await database_sync_to_async(agent)("alice", support, online=False)
    conversation = await database_sync_to_async(new_conversation)()
    async with chat_socket(conversation.id, conversation.visitor_id) as visitor:
        await visitor.send_json_to({"type": "email", "address": "ann@example.com"})
        refused = await receive_until(visitor, of_type("error"))
        assert refused[-1]["code"] == "not_allowed"  # the bot answers: nothing to wait for

        await visitor.send_json_to({"type": "escalate"})
        offered = await receive_until(visitor, of_type("waiting"))
        assert offered[-1]["email_offer"] == "no_agent" and offered[-1]["email"] is None

        for bad in ("not an address", "ann@", "a" * 250 + "@example.com"):
            await visitor.send_json_to({"type": "email", "address": bad})
            error = await receive_until(visitor, of_type("error"))
            assert error[-1]["code"] == "invalid_email"
            assert "does not look like an email address" in error[-1]["message"]
        stored = await database_sync_to_async(lambda: Conversation.objects.get(pk=conversation.id).visitor_email)()
        assert stored == ""

        await visitor.send_json_to({"type": "email", "address": "  ann@example.com "})
        saved = await receive_until(visitor, of_type("email.saved"))
        assert saved[-1]["email"] == "ann@example.com"
        confirmed = await receive_until(visitor, of_type("waiting"))
        assert confirmed[-1]["email"] == "ann@example.com"

    def agents_see() -> tuple[str, str, str]:
        row = queue.snapshot(alice)["pending"][0]
        detail = queue.conversation_detail(conversation.id, alice)
        return row["visitor"], detail["visitor"], detail["visitor_email"]

    assert await database_sync_to_async(agents_see)() == ("ann@example.com",) * 3


def test_an_agent_reply_is_mailed_to_the_address_left_and_the_address_is_not_logged(caplog):
    caplog.set_level(logging.DEBUG)
    alice = agent("alice", team())
    conversation = new_conversation()
    handoff.escalate(conversation.id, BUTTON)
    email_later.leave_email(conversation.id, "ann@example.com")
    handoff.claim(conversation.id, alice)
    mail.outbox.clear()
    reply = handoff.post_agent_message(conversation.id, alice, "Your refund is on its way.")
    # Celery runs on a background thread here (celery.OffThreadTask); test_email_later_worker
    # uses a worker.
    assert background.drain(10)
    (message,) = mail.outbox
    assert message.to == ["ann@example.com"] and message.from_email == settings.DEFAULT_FROM_EMAIL
    assert "Your refund is on its way." in message.body and "Alice" in message.body
    assert not email_later.mail_reply(reply.id)  # a second run of the task mails nothing
    assert len(mail.outbox) == 1
    assert "ann@example.com" not in caplog.text

    # A conversation without an address: the reply is not mailed.
    other = new_conversation()
    handoff.escalate(other.id, BUTTON)
    handoff.claim(other.id, alice)
    mail.outbox.clear()
    handoff.post_agent_message(other.id, alice, "Hello")
    assert background.drain(10)
    assert mail.outbox == []


async def test_a_message_while_waiting_is_acknowledged_not_answered_by_the_bot():
    await database_sync_to_async(agent)("alice", await database_sync_to_async(team)())
    conversation = await database_sync_to_async(new_conversation)()
    async with chat_socket(conversation.id, conversation.visitor_id) as visitor:
        await visitor.send_json_to({"type": "escalate"})
        await receive_until(visitor, of_type("waiting"))
        await visitor.send_json_to({"type": "send", "client_message_id": "w1", "text": "Hello? Is anyone there?"})
        frames: list[dict] = []

        def both_came(frame: dict) -> bool:
            frames.append(frame)
            kinds = {f["type"] for f in frames if f["type"] == "ack" or "acknowledged" in f}
            return kinds == {"ack", "waiting"}

        await receive_until(visitor, both_came)
        (ack,) = [f for f in frames if f["type"] == "ack"]
        assert ack["reply"] is None
        (acknowledged,) = [f["acknowledged"] for f in frames if "acknowledged" in f]
        assert acknowledged["message_id"] == ack["message"]["id"]
        assert acknowledged["text"] == "Got it — the agent will see this when they join (you're number 1)."
        assert not any(f["type"] in ("token", "reply.end") for f in frames)


def test_supervisors_manage_office_hours_in_the_admin_and_a_stretch_must_end_the_same_day():
    from django.contrib import admin
    from django.core.exceptions import ValidationError

    assert admin.site.is_registered(OfficeHours)
    backwards = OfficeHours(weekday=0, opens=time(18), closes=time(9), time_zone="Nowhere/Atlantis")
    with pytest.raises(ValidationError) as invalid:
        backwards.full_clean()
    assert set(invalid.value.message_dict) == {"time_zone", "__all__"}
