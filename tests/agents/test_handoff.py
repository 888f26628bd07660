"""Escalation triggers, the handoff state machine, assignment, the SLA timer and webhooks, called
as plain functions (the WebSocket side is in test_agent_console.py)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone

from inference.types import Finished, Usage
from supportbot.agents import handoff, triggers
from supportbot.agents.models import ConsolePresence, Handoff, WebhookDelivery, WebhookEndpoint
from supportbot.agents.tasks import enforce_handoff_sla
from supportbot.agents.triggers import Trigger
from supportbot.agents.webhooks import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature
from supportbot.chat.frames import SendFrame
from supportbot.chat.models import Conversation, Message
from supportbot.chat.turns import accept_user_turn
from supportbot.events.models import Event
from supportbot.chat import replies
from supportbot.lib import background
from tests.agent_fixtures import agent, role, team
from tests.chat_fixtures import new_conversation

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]

BUTTON = Trigger(Handoff.Reason.USER_BUTTON, "pressed Talk to a human")


def say(conversation: Conversation, text: str, number: int):
    return accept_user_turn(conversation.id, SendFrame(type="send", client_message_id=f"m{number}", text=text))


def finish(reply: Message, ok: bool) -> None:
    usage = Usage(finish_reason="stop") if ok else Usage(finish_reason="error", error="boom")
    replies.finish(reply.id, 1, Finished("fine" if ok else "", usage))


def status(conversation: Conversation) -> str:
    conversation.refresh_from_db()
    return conversation.status


@pytest.mark.parametrize(
    "text",
    ["Can I talk to a human?", "AGENT please", "I want a real person", "转人工", "我要人工客服"],
)
def test_asking_for_a_person_in_english_or_chinese_escalates_and_the_bot_stays_silent(text):
    support = team()
    agent("alice", support)
    conversation = new_conversation()
    turn = say(conversation, text, 1)
    assert turn.reply is None  # no bot reply was started
    assert status(conversation) == "pending"
    (record,) = Handoff.objects.all()
    assert record.reason == "user_words" and record.offered_to.username == "alice"
    assert text in record.summary
    assert Event.objects.filter(kind="escalation", data__reason="user_words").exists()


@pytest.mark.parametrize("text", ["My user agent string is odd", "humane settings", "hello", "人工智能功能怎么开启"])
def test_ordinary_words_do_not_escalate(text):
    # The intent model (agents/intent.py) reads "agent" or "人工" in another sense as no request.
    assert triggers.on_user_message(text, []) is None


def test_abusive_words_escalate_to_the_team_that_handles_abuse():
    team()
    safety = team("Trust & Safety", reasons=["abuse"], default=False)
    agent("sam", safety)
    conversation = new_conversation()
    say(conversation, "This bot is USELESS garbage!", 1)
    record = Handoff.objects.get()
    assert record.reason == "abuse" and record.team == safety and record.offered_to.username == "sam"
    assert triggers.abusive("你们是骗子") is not None


def test_the_same_question_three_times_escalates():
    conversation = new_conversation()
    for number in range(2):
        turn = say(conversation, "How do I reset my password?", number)
        finish(turn.reply, ok=True)
    assert status(conversation) == "bot"
    assert say(conversation, "how do I reset my password", 3).reply is None
    assert Handoff.objects.get().reason == "repeated_question"


def test_bot_failures_on_consecutive_turns_escalate():
    conversation = new_conversation()
    finish(say(conversation, "first", 1).reply, ok=False)
    assert status(conversation) == "bot"
    finish(say(conversation, "second", 2).reply, ok=False)
    assert status(conversation) == "pending"
    assert Handoff.objects.get().reason == "bot_failures"
    assert Event.objects.filter(kind="model.error").count() == 2


def test_two_thumbs_down_in_a_row_escalate():
    conversation = new_conversation()
    replies = []
    for number in range(2):
        turn = say(conversation, f"question {number}", number)
        finish(turn.reply, ok=True)
        replies.append(turn.reply)
    assert handoff.record_feedback(conversation.id, replies[0].id, helpful=False) is None
    assert handoff.record_feedback(conversation.id, replies[1].id, helpful=False) is not None
    assert Handoff.objects.get().reason == "thumbs_down"


def test_a_flood_of_escalations_makes_one_handoff():
    conversation = new_conversation()
    results = [handoff.escalate(conversation.id, BUTTON) for _ in range(20)]
    assert sum(result is not None for result in results) == 1
    assert Handoff.objects.count() == 1 and Event.objects.filter(kind="escalation").count() == 1


def test_lifecycle_claim_reply_resolve_rate_reopen_and_hand_back():
    support = team()
    alice = agent("alice", support)
    conversation = new_conversation()
    handoff.escalate(conversation.id, BUTTON)
    assert handoff.claim(conversation.id, alice) and status(conversation) == "open"
    handoff.post_agent_message(conversation.id, alice, "Hi, I am Alice.")
    handoff.add_note(conversation.id, alice, "private: VIP customer")
    assert say(conversation, "thanks", 1).reply is None  # still the agent's conversation
    handoff.resolve(conversation.id, alice)
    assert status(conversation) == "resolved"
    handoff.rate(conversation.id, 5, "great")
    with pytest.raises(handoff.NotAllowed):
        handoff.rate(conversation.id, 4)  # once per handoff
    handoff.reopen(conversation.id, alice)
    assert status(conversation) == "open"
    handoff.hand_back(conversation.id, alice)
    assert status(conversation) == "bot"
    assert say(conversation, "bot again?", 2).reply is not None
    actions = list(Event.objects.filter(kind="agent.action").values_list("data__action", flat=True))
    assert actions == ["claim", "note", "resolve", "reopen", "hand_back"]
    assert Event.objects.filter(kind="csat", data__score=5).exists()
    roles = list(conversation.messages.values_list("role", flat=True))
    assert "agent" in roles and "system" in roles


def test_only_the_owner_answers_and_supervisors_may_take_over():
    support = team()
    alice, bob = agent("alice", support), agent("bob", support)
    boss = agent("boss", support, role_name="supervisors")
    conversation = new_conversation()
    handoff.escalate(conversation.id, BUTTON)
    with pytest.raises(handoff.NotAllowed):
        handoff.post_agent_message(conversation.id, alice, "not claimed yet")
    handoff.claim(conversation.id, alice)
    assert not handoff.claim(conversation.id, bob)
    with pytest.raises(handoff.NotAllowed):
        handoff.post_agent_message(conversation.id, bob, "not mine")
    handoff.post_agent_message(conversation.id, boss, "Supervisor here.")
    assert handoff.active_handoff(conversation.id).owner == boss


def test_two_agents_claiming_the_same_conversation_exactly_one_wins():
    """The decision is one conditional UPDATE (owner still empty), under the conversation's row
    lock on PostgreSQL; the test database (in-memory SQLite) cannot run two writers in threads, so
    the second claim comes after the first has committed, as it would behind the lock. Truly
    simultaneous claims on PostgreSQL: test_claim_race.py."""
    support = team()
    alice, bob = agent("alice", support), agent("bob", support)
    conversation = new_conversation()
    handoff.escalate(conversation.id, BUTTON)
    assert [handoff.claim(conversation.id, alice), handoff.claim(conversation.id, bob)] == [
        True,
        False,
    ]
    assert handoff.active_handoff(conversation.id).owner == alice
    assert Event.objects.filter(kind="agent.action", data__action="claim").count() == 1


def test_round_robin_skips_offline_agents_and_full_ones():
    support = team()
    alice = agent("alice", support, max_concurrent=1)
    bob = agent("bob", support, max_concurrent=2)
    agent("carol", support, online=False)
    offered = []
    for _ in range(4):
        conversation = new_conversation()
        record = handoff.escalate(conversation.id, BUTTON)
        offered.append(record.offered_to.username if record.offered_to else None)
    # alice (1 slot) then bob, bob (2 slots); carol is offline; then nobody has room.
    assert offered == ["alice", "bob", "bob", None]
    assert background.drain(10)  # mail goes out on a background thread here (celery.OffThreadTask)
    assert alice.email and mail.outbox and mail.outbox[0].to == [alice.email]


def test_sla_reoffers_raises_priority_and_alerts_supervisors_with_controlled_time():
    support = team()
    agent("alice", support)
    agent("bob", support, online=False)
    boss = agent("boss", support, role_name="supervisors", online=False)
    conversation = new_conversation()
    start = timezone.now()
    record = handoff.escalate(conversation.id, BUTTON, now=start)
    assert record.offered_to.username == "alice"
    mail.outbox.clear()
    assert enforce_handoff_sla(now=start + timedelta(seconds=60)) == 0  # within the SLA (120 s)
    agent("dave", support)  # dave comes online; alice ignored the offer
    later = start + timedelta(seconds=121)
    ConsolePresence.objects.update(last_seen=later)  # their consoles kept pinging until then
    assert enforce_handoff_sla(now=later) == 1
    record.refresh_from_db()
    assert (record.offered_to.username, record.priority, record.sla_breaches) == ("dave", 1, 1)
    assert background.drain(10)
    assert any(boss.email in message.to for message in mail.outbox)
    assert enforce_handoff_sla(now=later + timedelta(seconds=1)) == 0  # not due again yet
    handoff.claim(conversation.id, record.offered_to)
    assert enforce_handoff_sla(now=later + timedelta(hours=1)) == 0  # claimed: no more alerts


class _Receiver(BaseHTTPRequestHandler):
    received: list[tuple[bytes, str]] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((body, self.headers[TIMESTAMP_HEADER], self.headers[SIGNATURE_HEADER]))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        pass


def test_webhooks_are_signed_and_a_dead_endpoint_is_left_to_the_sweep():
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        WebhookEndpoint.objects.create(url=f"http://127.0.0.1:{server.server_port}/", secret="s3")
        # Nothing listens on port 1.
        WebhookEndpoint.objects.create(url="http://127.0.0.1:1/hook", secret="s4")
        handoff.escalate(new_conversation().id, BUTTON)
        assert background.drain(10)  # sent from a background thread here (celery.OffThreadTask)
    finally:
        server.shutdown()
    body, timestamp, sent_signature = _Receiver.received[-1]
    expected = "sha256=" + hmac.new(b"s3", timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert sent_signature == expected == signature("s3", int(timestamp), body)
    assert json.loads(body)["event"] == "escalation"
    good = WebhookDelivery.objects.get(endpoint__secret="s3")
    dead = WebhookDelivery.objects.get(endpoint__secret="s4")
    assert (good.state, good.attempts) == ("delivered", 1)
    # Retried later by beat's sweep, with backoff (tests/security/test_webhook_resend.py).
    assert (dead.state, dead.attempts) == ("pending", 1) and "ConnectionError" in dead.last_error
    assert dead.next_attempt_at > timezone.now()


def test_the_role_groups_come_from_the_data_migration():
    for name in ("agents", "supervisors", "ops"):
        role(name)
    assert Group.objects.get(name="supervisors").permissions.filter(codename="supervise").exists()
