"""Attack: an agent who learned the URL of another team's screenshot (a shared link, a log line)
fetches it. The attachment view asks the console's rule (agents.access.may_view) for console
users; the visitor keeps their own screenshots, ops keep theirs for the admin's transcripts."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.test import Client
from django.urls import reverse

from supportbot.agents import handoff
from supportbot.agents.models import Handoff
from supportbot.agents.triggers import Trigger
from supportbot.chat.models import Message
from supportbot.chat.uploads import store_upload
from tests.agent_fixtures import PASSWORD, agent, role, team
from tests.chat_fixtures import cookie_header, new_conversation, screenshot_png

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_agent_of_another_team_cannot_fetch_a_screenshot_by_its_url():
    support = team("Support")
    trust = team("Trust", reasons=["abuse"], default=False)
    alice = agent("alice", support, online=False)
    bob = agent("bob", support, online=False)  # alice's teammate
    mallory = agent("mallory", trust, online=False)
    sam = User.objects.create_user("sam", password=PASSWORD, is_staff=True)
    sam.groups.add(role("supervisors"))

    visitor_id = uuid.uuid4()
    conversation = new_conversation(visitor_id)
    Message.objects.create(conversation=conversation, role=Message.Role.USER, text="Help me")
    handoff.escalate(conversation.id, Trigger(Handoff.Reason.USER_BUTTON, "pressed Talk to a human"))
    assert handoff.claim(conversation.id, alice)
    url = reverse("chat:attachment", args=[store_upload(conversation, screenshot_png()).pk])

    # Another team's agent: answered as if the screenshot did not exist.
    assert signed_in(mallory).get(url).status_code == 404
    for user in (alice, bob, sam):
        assert signed_in(user).get(url).status_code == 200, user.username
    # The visitor keeps their own screenshot; another visitor does not get it.
    assert Client(HTTP_COOKIE=cookie_header(visitor_id)).get(url).status_code == 200
    assert Client(HTTP_COOKIE=cookie_header(uuid.uuid4())).get(url).status_code == 404


def test_ops_read_screenshots_for_the_admin_transcripts():
    support = team("Support")
    conversation = new_conversation()
    url = reverse("chat:attachment", args=[store_upload(conversation, screenshot_png()).pk])
    olga = User.objects.create_user("olga", password=PASSWORD, is_staff=True)
    ops, _ = Group.objects.get_or_create(name="ops")
    ops.permissions.add(Permission.objects.get(content_type__app_label="chat", codename="view_attachment"))
    olga.groups.add(ops)
    assert signed_in(olga).get(url).status_code == 200
    # A bot-only conversation (never handed to people) is no agent's to see.
    assert signed_in(agent("alice", support, online=False)).get(url).status_code == 404
