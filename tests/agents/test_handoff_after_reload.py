"""What a visitor sees of a handoff after reloading the page: the rating form while a resolved
handoff is unrated (not after), and agent messages under the agent's own name."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

from supportbot.agents import handoff
from supportbot.agents.models import Handoff
from supportbot.agents.triggers import Trigger
from supportbot.chat.identity import visitor_cookie_value
from supportbot.chat.turns import missed_messages
from tests.agent_fixtures import agent, team
from tests.chat_fixtures import new_conversation

pytestmark = pytest.mark.django_db

RATING_FORM = re.compile(r'<form id="rating" class="rating"( hidden)?>')


def rating_form_shown(client: Client) -> bool:
    found = RATING_FORM.search(client.get("/").content.decode())
    assert found, "no rating form on the page"
    return found.group(1) is None


def test_the_rating_form_stays_until_rated_and_agents_keep_their_name():
    alice = agent("alice", team())
    conversation = new_conversation()
    client = Client()
    client.cookies[settings.VISITOR_COOKIE_NAME] = visitor_cookie_value(conversation.visitor_id)
    handoff.escalate(conversation.id, Trigger(Handoff.Reason.USER_BUTTON, "button"))
    handoff.claim(conversation.id, alice)
    handoff.post_agent_message(conversation.id, alice, "Fixed it.")
    assert not rating_form_shown(client)  # open: nothing to rate yet

    handoff.resolve(conversation.id, alice)
    assert rating_form_shown(client)
    assert rating_form_shown(client)  # every reload, until rated
    handoff.rate(conversation.id, 5)
    assert not rating_form_shown(client)

    (said,) = [m for m in missed_messages(conversation.id, None) if m["role"] == "agent"]
    assert (said["author"], said["text"]) == ("Alice", "Fixed it.")
