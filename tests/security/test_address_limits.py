"""Issue 16, item 2: limits that a new cookie does not reset. Every GET / hands out a fresh signed
visitor id, so an attacker rotating cookies must still meet the per-address limits, counted under
the real client address (the right-most X-Forwarded-For entry that is not a trusted proxy)."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from channels.db import database_sync_to_async
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from supportbot import asgi
from supportbot.chat import address_limits
from supportbot.chat.access import first_conversation_id
from supportbot.chat.models import Conversation, Message
from supportbot.lib.client_address import TrustedProxyHeaders, client_address, limit_key, trusted_networks
from tests.chat_fixtures import cookie_header, receive, receive_until, screenshot_png, send_frame
from tests.security.address_fixtures import fresh_counters, socket_from  # noqa: F401 (autouse fixture)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]

ATTACKER = "198.51.100.7"


def test_only_trusted_proxies_are_believed():
    trusted = trusted_networks(["10.0.0.0/8"])
    # The client writes the left-most entries itself; the trusted proxy appended the right-most.
    assert client_address("10.0.0.2", ["6.6.6.6, 198.51.100.7"], trusted) == ATTACKER
    assert client_address("10.0.0.2", ["6.6.6.6, 198.51.100.7", "10.0.0.9"], trusted) == ATTACKER
    # A peer that is no trusted proxy is the client, whatever it claims to forward for.
    assert client_address(ATTACKER, ["6.6.6.6"], trusted) == ATTACKER
    assert client_address("10.0.0.2", ["garbage, 10.0.0.5"], trusted) == "10.0.0.5"
    assert client_address("::ffff:198.51.100.7", [], trusted) == ATTACKER
    with pytest.raises(ValueError, match="not-a-network"):
        trusted_networks(["not-a-network"])


def test_an_ipv6_subscriber_counts_as_its_whole_64():
    assert limit_key("2001:db8:1:2::1") == limit_key("2001:db8:1:2:ffff::9")
    assert limit_key("2001:db8:1:2::1") != limit_key("2001:db8:1:3::1")


async def test_the_middleware_rewrites_client_and_scheme_for_trusted_proxies_only():
    seen = []

    async def app(scope, receive, send):
        seen.append(scope)

    middleware = TrustedProxyHeaders(app, trusted_networks(["10.0.0.1"]))
    forwarded = [(b"x-forwarded-for", b"6.6.6.6, 198.51.100.7"), (b"x-forwarded-proto", b"https")]
    await middleware({"type": "http", "client": ["10.0.0.1", 1], "headers": forwarded, "scheme": "http"}, None, None)
    await middleware({"type": "websocket", "client": ["10.0.0.1", 1], "headers": forwarded}, None, None)
    await middleware({"type": "http", "client": ["203.0.113.9", 1], "headers": forwarded, "scheme": "http"}, None, None)
    assert (seen[0]["client"][0], seen[0]["scheme"]) == (ATTACKER, "https")
    assert (seen[1]["client"][0], seen[1]["scheme"]) == (ATTACKER, "wss")
    assert (seen[2]["client"][0], seen[2]["scheme"]) == ("203.0.113.9", "http")


def _upload_as_new_visitor(address: str):
    visitor = uuid.uuid4()
    client = Client(REMOTE_ADDR=address)
    client.cookies.load(cookie_header(visitor))
    return client.post(
        f"/conversations/{first_conversation_id(visitor)}/attachments/",
        {"image": SimpleUploadedFile("shot.png", screenshot_png(), content_type="image/png")},
    )


def test_rotating_cookies_do_not_reset_the_upload_limit(settings):
    settings.UPLOADS_PER_ADDRESS_PER_MINUTE = 3
    statuses = [_upload_as_new_visitor(ATTACKER).status_code for _ in range(5)]
    assert statuses == [201, 201, 201, 429, 429]
    refused = _upload_as_new_visitor(ATTACKER)
    assert refused.json()["error"] == "rate_limited" and int(refused["Retry-After"]) >= 1
    assert _upload_as_new_visitor("198.51.100.8").status_code == 201


def test_uploads_of_new_visitors_are_refused_new_conversations_past_the_address_limit(settings):
    settings.NEW_CONVERSATIONS_PER_ADDRESS_PER_MINUTE = 2
    statuses = [_upload_as_new_visitor(ATTACKER).status_code for _ in range(3)]
    assert statuses == [201, 201, 429]
    assert Conversation.objects.count() == 2  # refused before its conversation was stored
    assert _upload_as_new_visitor("198.51.100.8").status_code == 201


def test_starting_a_next_conversation_counts_against_the_address_limit(settings):
    settings.NEW_CONVERSATIONS_PER_ADDRESS_PER_MINUTE = 1
    answers = []
    for _ in range(2):  # two visitors of one address, each with a resolved conversation
        visitor = uuid.uuid4()
        Conversation.objects.create(visitor_id=visitor, status=Conversation.Status.RESOLVED)
        client = Client(REMOTE_ADDR=ATTACKER)
        client.cookies.load(cookie_header(visitor))
        answers.append(client.post("/conversations/"))
    assert [answer.status_code for answer in answers] == [201, 429]
    assert answers[1].json()["error"] == "rate_limited" and int(answers[1]["Retry-After"]) >= 1
    assert Conversation.objects.count() == 3  # the two resolved ones, and one next


def test_uploads_in_progress_are_capped_per_address(settings):
    settings.UPLOADS_IN_PROGRESS_PER_ADDRESS = 1
    busy = address_limits.acquire("uploads-running", ATTACKER, 1, 60)
    assert busy is not None
    assert _upload_as_new_visitor(ATTACKER).status_code == 429
    assert _upload_as_new_visitor("198.51.100.8").status_code == 201
    address_limits.release(busy)
    assert _upload_as_new_visitor(ATTACKER).status_code == 201
    # The view gave its slot back: the one slot is free again.
    assert address_limits.acquire("uploads-running", ATTACKER, 1, 60) is not None


async def _pings(address: str, count: int, forwarded_for: str | None = None) -> list[str]:
    """What `count` pings of a new visitor from `address` are answered, up to the first refusal
    (later ones within a second go unanswered: a flood is not answered with a flood)."""
    answers = []
    async with socket_from(address, forwarded_for=forwarded_for) as socket:
        for _ in range(count):
            await socket.send_json_to({"type": "ping"})
            frame = await receive(socket)
            answers.append(frame["type"] if frame["type"] == "pong" else frame["code"])
            if frame["type"] != "pong":
                break
    return answers


async def test_rotating_cookies_and_forged_forwarded_for_do_not_reset_the_frame_limit(settings):
    settings.CHAT_FRAMES_PER_ADDRESS_PER_MINUTE = 5
    answers = []
    for index in range(4):
        answers += await _pings(ATTACKER, 2, forwarded_for=f"203.0.113.{index}")
    assert answers == ["pong"] * 5 + ["rate_limited", "rate_limited"]
    assert await _pings("198.51.100.8", 2) == ["pong", "pong"]


async def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit(settings, monkeypatch):
    settings.CHAT_FRAMES_PER_ADDRESS_PER_MINUTE = 2
    monkeypatch.setattr(asgi.application, "trusted", trusted_networks(["10.0.0.1"]))
    # Two clients behind the proxy, each forging a left-most entry of the other's.
    assert await _pings("10.0.0.1", 2, forwarded_for="198.51.100.8, 198.51.100.1") == ["pong", "pong"]
    assert await _pings("10.0.0.1", 2, forwarded_for="198.51.100.1, 198.51.100.2") == ["pong", "pong"]
    assert await _pings("10.0.0.1", 1, forwarded_for="198.51.100.9, 198.51.100.1") == ["rate_limited"]


async def test_replies_generating_at_once_are_capped_per_address(settings):
    settings.GENERATIONS_PER_ADDRESS = 1
    # Another visitor of the same address has a reply generating.
    busy = await address_limits.aacquire("generations", ATTACKER, 1, 60)
    async with socket_from(ATTACKER) as socket:
        await socket.send_json_to(send_frame("m-1", "Hello?"))
        refused = await receive(socket)
        assert (refused["type"], refused["code"], refused["client_message_id"]) == ("error", "rate_limited", "m-1")
        assert not await database_sync_to_async(Message.objects.exists)()
        await address_limits.arelease(busy)
        await socket.send_json_to(send_frame("m-2", "Hello?"))
        frames = await receive_until(socket, lambda frame: frame["type"] == "reply.end")
        assert frames[0]["type"] == "ack"
    # The finished reply gave its slot back.
    for _ in range(50):
        slot = await address_limits.aacquire("generations", ATTACKER, 1, 60)
        if slot is not None:
            break
        await asyncio.sleep(0.1)
    assert slot is not None
