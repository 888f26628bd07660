"""Identity verification: only a claim signed with SUPPORTBOT_WIDGET_SECRET names the visitor, and
a verified user's conversations follow them to every browser."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings
from django.test import Client

from supportbot.agents.labels import conversation_title, visitor_label
from supportbot.chat.access import visitor_conversation
from supportbot.chat.identity import read_visitor_cookie
from supportbot.chat.models import Conversation
from supportbot.widget.identity import signature, verified_claim, verified_visitor_id
from supportbot.widget.models import AllowedOrigin, VerifiedVisitor

pytestmark = pytest.mark.django_db

SECRET = "test-widget-secret-1234567890"
HOST = "http://shop.example.com"


@pytest.fixture(autouse=True)
def widget_secret(settings):
    settings.WIDGET_SECRET = SECRET
    AllowedOrigin.objects.create(origin=HOST)


def claim(user_id: str = "user-42", email: str = "ada@example.com", name: str = "Ada Lovelace", **changes: str):
    params = {"user_id": user_id, "email": email, "name": name}
    params["signature"] = signature(SECRET, user_id, email, name)
    return {**params, **changes}


def open_frame(client: Client, **params: str):
    response = client.get("/widget/frame/", {"origin": HOST, **params})
    assert response.status_code == 200, response.content
    return response


def visitor_of(client: Client) -> uuid.UUID | None:
    return read_visitor_cookie(client.cookies[settings.VISITOR_COOKIE_NAME].value)


def test_a_valid_signature_is_accepted_and_any_change_to_the_claim_is_not():
    assert verified_claim(claim()).name == "Ada Lovelace"
    assert verified_claim(claim(name="Mallory")) is not None  # signed as Mallory: fine
    forged = [
        claim(signature="0" * 64),
        {**claim(), "name": "The CEO"},  # signed for Ada, claims another name
        {**claim(), "email": "ceo@example.com"},
        {**claim(), "user_id": "user-1"},
        {key: value for key, value in claim().items() if key != "signature"},  # unsigned
        claim(signature=signature("another-secret", "user-42", "ada@example.com", "Ada Lovelace")),
    ]
    assert [verified_claim(params) for params in forged] == [None] * len(forged)


def test_no_secret_configured_means_every_claim_is_ignored(settings):
    settings.WIDGET_SECRET = ""
    assert verified_claim(claim()) is None


def test_a_signed_but_malformed_claim_is_ignored():
    assert verified_claim(claim(email="not an address")) is None
    assert verified_claim(claim(user_id="x" * 300)) is None


def test_a_verified_user_gets_the_same_conversation_in_every_browser_with_their_name():
    laptop, phone = Client(), Client()
    first = open_frame(laptop, **claim())
    visitor_id = visitor_of(laptop)
    assert visitor_id == verified_visitor_id("user-42")
    assert first["Cache-Control"] == "no-store"
    conversation_id = first.content.decode().split('data-conversation-id="')[1].split('"')[0]
    conversation = visitor_conversation(conversation_id, visitor_id)  # stored on first use
    conversation.refresh_from_db()
    assert (conversation.visitor_name, conversation.visitor_email) == ("Ada Lovelace", "ada@example.com")
    assert conversation_title(conversation).startswith("Ada Lovelace (ada@example.com)")

    again = open_frame(phone, **claim())
    assert visitor_of(phone) == visitor_id
    assert f'data-conversation-id="{conversation_id}"' in again.content.decode()
    assert VerifiedVisitor.objects.get().user_id == "user-42"


def test_a_forged_claim_leaves_the_visitor_anonymous():
    client = Client()
    open_frame(client, **{**claim(), "name": "The CEO"})
    visitor_id = visitor_of(client)
    assert visitor_id != verified_visitor_id("user-42")
    assert not VerifiedVisitor.objects.exists()
    conversation = Conversation.objects.create(visitor_id=visitor_id)
    conversation.refresh_from_db()
    assert conversation.visitor_name == "" and conversation.visitor_email == ""


def test_signing_out_on_the_host_gives_the_browser_a_new_anonymous_visitor():
    client = Client()
    open_frame(client, **claim())
    Conversation.objects.create(visitor_id=verified_visitor_id("user-42"))
    page = open_frame(client)  # the host page no longer names a user
    anonymous = visitor_of(client)
    assert anonymous != verified_visitor_id("user-42")
    assert str(verified_visitor_id("user-42")) not in page.content.decode()
    # A forged claim is no way back into the account either.
    open_frame(client, **claim(signature="f" * 64))
    assert visitor_of(client) not in (verified_visitor_id("user-42"), None)


def test_a_visitor_who_left_an_address_keeps_it_over_the_verified_one():
    visitor_id = verified_visitor_id("user-42")
    Conversation.objects.create(visitor_id=visitor_id, visitor_email="reach-me@example.org")
    open_frame(Client(), **claim())
    conversation = Conversation.objects.get()
    assert (conversation.visitor_name, conversation.visitor_email) == ("Ada Lovelace", "reach-me@example.org")


def test_the_console_names_verified_visitors_and_keeps_anonymous_labels():
    assert visitor_label(uuid.uuid4(), name="Ada", email="ada@example.com") == "Ada (ada@example.com)"
    assert visitor_label(uuid.UUID(int=0xABCDEF << 104)).startswith("Visitor ABCDEF")


def test_over_https_the_frame_s_visitor_cookie_reaches_a_frame_on_another_site(settings):
    settings.SESSION_COOKIE_SECURE = True
    framed = open_frame(Client())
    cookie = framed.cookies[settings.VISITOR_COOKIE_NAME]
    assert (cookie["samesite"], bool(cookie["secure"])) == ("None", True)
    assert Client().get("/").cookies[settings.VISITOR_COOKIE_NAME]["samesite"] == "Lax"
