"""Agents see only what their role allows (agents.access), attacked over the console socket: an
agent of one team cannot open, follow, note, type in, ask a draft for, reopen or even learn the
ids of another team's conversations; a teammate views and notes but only the owner speaks and
resolves; supervisors do everything; opens are audited; staff without a role get no screenshots."""

from __future__ import annotations

import json
import uuid

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from supportbot.agents import access, handoff, queue
from supportbot.agents.models import Handoff, Note
from supportbot.agents.triggers import Trigger
from supportbot.chat.models import Conversation, Message
from supportbot.chat.uploads import store_upload
from supportbot.ops.models import AuditEntry
from tests.agent_fixtures import PASSWORD, agent, role, team
from tests.agents.test_agent_console import console_socket, of_type, session_cookie
from tests.chat_fixtures import chat_socket, new_conversation, receive, receive_until, screenshot_png

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]

BUTTON = Trigger(Handoff.Reason.USER_BUTTON, "pressed Talk to a human")
ABUSE = Trigger(Handoff.Reason.ABUSE, "rude words")  # team B takes "abuse"


def teams():
    return team("Support"), team("Trust", reasons=["abuse"], default=False)


def escalated(trigger: Trigger = BUTTON) -> Conversation:
    conversation = new_conversation()
    Message.objects.create(conversation=conversation, role=Message.Role.USER, text="Help me please")
    handoff.escalate(conversation.id, trigger)
    return conversation


def claimed_by(user: User, trigger: Trigger = BUTTON) -> Conversation:
    conversation = escalated(trigger)
    assert handoff.claim(conversation.id, user)
    return conversation


def supervisor(username: str = "sam") -> User:
    user = User.objects.create_user(username, f"{username}@example.com", PASSWORD, is_staff=True)
    user.groups.add(role("supervisors"))
    return user


async def connected(username: str):
    socket, ok = await console_socket(await sync_to_async(session_cookie)(username))
    assert ok
    assert (await receive(socket))["type"] == "queue"
    return socket


async def answer_to(socket, frame: dict) -> list[dict]:
    """Every frame the console sends after `frame`, up to a pong (the console answers in order)."""
    await socket.send_json_to(frame)
    await socket.send_json_to({"type": "ping"})
    return await receive_until(socket, of_type("pong"))


def error_code(frames: list[dict]) -> str | None:
    errors = [f for f in frames if f["type"] == "error"]
    return errors[-1]["code"] if errors else None


# --- The rule itself ---------------------------------------------------------------------------


def test_the_rule_for_teams_owners_teamless_and_bot_conversations():
    support, trust = teams()
    alice, bob = agent("alice", support, online=False), agent("bob", support, online=False)
    zoe = agent("zoe", trust, online=False)
    boss = supervisor()
    clerk = User.objects.create_user("clerk", password=PASSWORD, is_staff=True)
    pending_a, owned_by_alice, owned_by_zoe = escalated(), claimed_by(alice), claimed_by(zoe, ABUSE)
    bot_only = new_conversation()

    assert access.may_view(bob, pending_a) and access.may_claim(bob, pending_a)
    assert not access.may_view(zoe, pending_a)
    assert access.may_view(bob, owned_by_alice) and not access.may_act(bob, owned_by_alice)
    assert access.may_act(alice, owned_by_alice)
    assert not access.may_view(alice, owned_by_zoe) and not access.may_act(alice, owned_by_zoe)
    assert not access.may_view(alice, bot_only)  # never handed to people: supervisors only
    for conversation in (pending_a, owned_by_alice, owned_by_zoe, bot_only):
        assert access.may_view(boss, conversation) and access.may_act(boss, conversation)
        assert not access.may_view(clerk, conversation)

    # A handoff without a team (no team takes it) is everybody's pool.
    teamless = escalated()
    Handoff.objects.filter(conversation=teamless).update(team=None)
    assert access.may_view(zoe, teamless) and access.may_view(alice, teamless)
    # Transferred to a named agent of another team: they and their teammates see it.
    from supportbot.agents.models import ConsolePresence

    ConsolePresence.objects.create(channel_name="test.zoe", user=zoe)
    handoff.transfer(owned_by_alice.id, alice, to_agent_id=zoe.pk)
    assert access.may_act(zoe, owned_by_alice)
    assert not access.may_act(alice, owned_by_alice)


def test_the_queue_holds_only_the_agents_teams_conversations():
    support, trust = teams()
    alice = agent("alice", support, online=False)
    zoe = agent("zoe", trust, online=False)
    boss = supervisor()
    mine, theirs = escalated(), escalated(ABUSE)
    snapshot = queue.snapshot(alice)
    assert [row["conversation_id"] for row in snapshot["pending"]] == [str(mine.id)]
    assert snapshot["counts"]["all"] == 1 and snapshot["all"] == []
    assert str(theirs.id) not in json.dumps(snapshot)
    assert [row["conversation_id"] for row in queue.snapshot(zoe)["pending"]] == [str(theirs.id)]
    assert len(queue.snapshot(boss)["all"]) == 2
    assert queue.conversation_detail(theirs.id, alice) is None
    assert queue.conversation_detail(theirs.id, boss) is not None


def test_handoff_refuses_a_foreign_note_and_reopen():
    support, trust = teams()
    alice = agent("alice", support, online=False)
    zoe = agent("zoe", trust, online=False)
    theirs = claimed_by(zoe, ABUSE)
    with pytest.raises(handoff.NotAllowed):
        handoff.add_note(theirs.id, alice, "peeking")
    handoff.resolve(theirs.id, zoe)
    with pytest.raises(handoff.NotAllowed):
        handoff.reopen(theirs.id, alice)
    with pytest.raises(handoff.NotAllowed):
        handoff.add_note(uuid.uuid4(), alice, "nowhere")
    assert not Note.objects.exists()
    handoff.reopen(theirs.id, zoe)  # the owner may


# --- Over the console socket -------------------------------------------------------------------


async def test_another_teams_conversation_is_invisible_and_untouchable():
    def setup():
        support, trust = teams()
        agent("alice", support, online=False)
        zoe = agent("zoe", trust, online=False)
        owned = claimed_by(zoe, ABUSE)
        resolved = claimed_by(zoe, ABUSE)
        handoff.resolve(resolved.id, zoe)
        pending = escalated(ABUSE)
        return owned, resolved, pending

    owned, resolved, pending = await database_sync_to_async(setup)()
    alice = await connected("alice")
    for frame in (
        {"type": "open", "conversation_id": str(owned.id)},
        {"type": "suggest", "conversation_id": str(owned.id)},
        {"type": "note", "conversation_id": str(owned.id), "text": "peeking"},
        {"type": "typing", "conversation_id": str(owned.id), "typing": True},
        {"type": "reply", "conversation_id": str(owned.id), "text": "Hi, I am not yours"},
        {"type": "resolve", "conversation_id": str(owned.id)},
        {"type": "read", "conversation_id": str(owned.id)},
        {"type": "reopen", "conversation_id": str(resolved.id)},
        {"type": "open", "conversation_id": str(pending.id)},
        {"type": "claim", "conversation_id": str(pending.id)},
        {"type": "transfer", "conversation_id": str(owned.id)},
    ):
        frames = await answer_to(alice, frame)
        assert error_code(frames) == "not_found", frame
        text = json.dumps(frames)
        assert "Help me please" not in text and "zoe" not in text.lower()
        assert not any(f["type"] == "conversation" for f in frames)

    def untouched():
        return (
            Note.objects.count(),
            Message.objects.filter(role=Message.Role.AGENT).count(),
            Conversation.objects.get(pk=resolved.id).status,
            Conversation.objects.get(pk=owned.id).status,
            Conversation.objects.get(pk=pending.id).status,
            AuditEntry.objects.filter(action=AuditEntry.Action.VIEW).count(),
        )

    assert await database_sync_to_async(untouched)() == (0, 0, "resolved", "open", "pending", 0)

    # The visitor's typing and a new escalation of the other team never reach alice, not even ids.
    async with chat_socket(owned.id, owned.visitor_id) as visitor:
        await visitor.send_json_to({"type": "typing", "typing": True})
    fresh = await database_sync_to_async(escalated)(ABUSE)
    frames = await receive_until(alice, of_type("queue"))
    frames += await answer_to(alice, {"type": "ping"})
    text = json.dumps(frames)
    for conversation in (owned, resolved, pending, fresh):
        assert str(conversation.id) not in text
    assert not any(f["type"] in ("typing", "queue.changed") for f in frames)
    await alice.disconnect()


async def test_a_teammate_views_and_notes_but_only_the_owner_replies_and_resolves():
    def setup():
        support, _ = teams()
        alice = agent("alice", support, online=False)
        agent("bob", support, online=False)
        return claimed_by(alice)

    conversation = await database_sync_to_async(setup)()
    cid = str(conversation.id)
    bob = await connected("bob")
    opened = await answer_to(bob, {"type": "open", "conversation_id": cid})
    assert [f for f in opened if f["type"] == "conversation"][0]["owner"] == "alice"
    assert error_code(opened) is None
    noted = await answer_to(bob, {"type": "note", "conversation_id": cid, "text": "I know this one"})
    assert error_code(noted) is None
    for frame in (
        {"type": "reply", "conversation_id": cid, "text": "Bob here"},
        {"type": "resolve", "conversation_id": cid},
        {"type": "hand_back", "conversation_id": cid},
        {"type": "typing", "conversation_id": cid, "typing": True},
        {"type": "suggest", "conversation_id": cid},
        {"type": "transfer", "conversation_id": cid},
    ):
        assert error_code(await answer_to(bob, frame)) == "not_allowed", frame

    alice = await connected("alice")
    assert error_code(await answer_to(alice, {"type": "reply", "conversation_id": cid, "text": "Alice here"})) is None
    assert error_code(await answer_to(alice, {"type": "resolve", "conversation_id": cid})) is None
    # Resolved: the teammate may not reopen it and write to the visitor; the owner may.
    assert error_code(await answer_to(bob, {"type": "reopen", "conversation_id": cid})) == "not_allowed"
    assert error_code(await answer_to(alice, {"type": "reopen", "conversation_id": cid})) is None

    def stored():
        return (
            list(Note.objects.values_list("author__username", "text")),
            list(Message.objects.filter(role=Message.Role.AGENT).values_list("text", flat=True)),
            Conversation.objects.get(pk=conversation.id).status,
            handoff.active_handoff(conversation.id).owner.username,
        )

    assert await database_sync_to_async(stored)() == (
        [("bob", "I know this one")], ["Alice here"], "open", "alice",
    )
    await alice.disconnect()
    await bob.disconnect()


async def test_a_supervisor_sees_and_acts_on_every_team():
    def setup():
        _, trust = teams()
        zoe = agent("zoe", trust, online=False)
        supervisor()
        owned = claimed_by(zoe, ABUSE)
        return owned, escalated(ABUSE)

    owned, pending = await database_sync_to_async(setup)()
    cid = str(owned.id)
    sam = await connected("sam")
    snapshot = await answer_to(sam, {"type": "read", "conversation_id": str(pending.id)})
    assert str(pending.id) in json.dumps(snapshot)
    for frame in (
        {"type": "open", "conversation_id": cid},
        {"type": "note", "conversation_id": cid, "text": "watching"},
        {"type": "reply", "conversation_id": cid, "text": "A supervisor here"},
        {"type": "resolve", "conversation_id": cid},
        {"type": "reopen", "conversation_id": cid},
        {"type": "claim", "conversation_id": str(pending.id)},
    ):
        assert error_code(await answer_to(sam, frame)) is None, frame
    status = await database_sync_to_async(lambda: Conversation.objects.get(pk=owned.id).status)()
    assert status == "open"
    await sam.disconnect()


async def test_opens_are_audited_and_bad_ids_answer_errors_without_closing_the_socket():
    def setup():
        support, _ = teams()
        alice = agent("alice", support, online=False)
        return claimed_by(alice)

    conversation = await database_sync_to_async(setup)()
    alice = await connected("alice")
    await answer_to(alice, {"type": "open", "conversation_id": str(conversation.id)})
    missing = str(uuid.uuid4())
    assert error_code(await answer_to(alice, {"type": "note", "conversation_id": missing, "text": "x"})) == "not_found"
    assert error_code(await answer_to(alice, {"type": "open", "conversation_id": missing})) == "not_found"
    bad_team = {"type": "transfer", "conversation_id": str(conversation.id), "to_team_id": 987654}
    assert error_code(await answer_to(alice, bad_team)) == "not_found"
    assert error_code(await answer_to(alice, {"type": "reply", "conversation_id": missing, "text": "x"})) == "not_found"
    # Still connected and working.
    assert error_code(await answer_to(alice, {"type": "note", "conversation_id": str(conversation.id), "text": "ok"})) is None

    def audit():
        return [
            (e.username, e.action, str(e.conversation_id), e.detail)
            for e in AuditEntry.objects.filter(action=AuditEntry.Action.VIEW)
        ]

    assert await database_sync_to_async(audit)() == [
        ("alice", AuditEntry.Action.VIEW, str(conversation.id), {"by": "console"})
    ]
    await alice.disconnect()


# --- Screenshots -------------------------------------------------------------------------------


def test_staff_without_a_role_get_403_on_a_screenshot_and_roles_get_it():
    support, _ = teams()
    alice = agent("alice", support, online=False)
    conversation = claimed_by(alice)
    attachment = store_upload(conversation, screenshot_png())
    url = reverse("chat:attachment", args=[attachment.pk])
    clerk = Client()
    clerk.force_login(User.objects.create_user("clerk", password=PASSWORD, is_staff=True))
    assert clerk.get(url).status_code == 403
    for user in (alice, supervisor()):
        client = Client()
        client.force_login(user)
        assert client.get(url).status_code == 200
