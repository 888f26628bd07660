"""Only host sites allowed in the admin may show the widget: the frame names them in CSP
frame-ancestors (and is refused to others), and their pages may open the chat socket."""

from __future__ import annotations

import pytest
from channels.testing import WebsocketCommunicator
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client

from supportbot.asgi import application
from supportbot.lib.csp import parse_policy
from supportbot.widget.models import AllowedOrigin
from supportbot.widget.origins import normalized_origin
from tests.chat_fixtures import cookie_header, new_conversation

ALLOWED = "https://shop.example.com"


def test_origins_are_spelled_as_browsers_send_them():
    assert normalized_origin(" HTTPS://Shop.Example.com:443/ ") == "https://shop.example.com"
    assert normalized_origin("http://127.0.0.1:8001") == "http://127.0.0.1:8001"
    for wrong in ["", "shop.example.com", "ftp://shop.example.com", "https://shop.example.com/page",
                  "https://user@shop.example.com", "https://shop.example.com?x=1", "https://shop:99999"]:
        with pytest.raises(ValidationError):
            normalized_origin(wrong)


@pytest.mark.django_db
def test_the_frame_is_only_for_allowed_sites_and_says_so_to_the_browser():
    call_command("widget_origin", "allow", ALLOWED + "/")
    assert list(AllowedOrigin.objects.values_list("origin", flat=True)) == [ALLOWED]
    client = Client()
    framed = client.get("/widget/frame/", {"origin": ALLOWED})
    assert framed.status_code == 200
    assert parse_policy(framed["Content-Security-Policy"])["frame-ancestors"] == [ALLOWED]
    assert "X-Frame-Options" not in framed
    assert f'data-host-origin="{ALLOWED}"' in framed.content.decode()

    refused = client.get("/widget/frame/", {"origin": "https://evil.example"})
    assert refused.status_code == 403 and b"not allowed in the admin" in refused.content
    bad = client.get("/widget/frame/", {"origin": "javascript:alert(1)"})
    assert bad.status_code == 400
    # The chat page itself stays unframeable.
    assert client.get("/")["X-Frame-Options"] == "DENY"

    call_command("widget_origin", "forbid", ALLOWED)
    assert client.get("/widget/frame/", {"origin": ALLOWED}).status_code == 403


@pytest.mark.django_db
@pytest.mark.django_db
def test_the_sites_own_pages_may_show_the_frame_without_an_admin_entry():
    # The demo page after `make run` is served by the support site itself.
    own = Client().get("/widget/frame/", {"origin": "http://testserver"})
    assert own.status_code == 200
    assert parse_policy(own["Content-Security-Policy"])["frame-ancestors"] == ["http://testserver"]
    assert Client().get("/widget/frame/", {"origin": "http://testserver:8080"}).status_code == 403


def test_the_script_is_served_at_a_stable_address():
    response = Client().get("/widget.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert b"attachShadow" in b"".join(response.streaming_content)


@pytest.mark.django_db(transaction=True)
async def test_the_chat_socket_opens_for_allowed_host_sites_only():
    from channels.db import database_sync_to_async

    await database_sync_to_async(AllowedOrigin.objects.create)(origin=ALLOWED)
    conversation = await database_sync_to_async(new_conversation)()

    async def opens(origin: str) -> bool:
        socket = WebsocketCommunicator(
            application,
            f"/ws/chat/{conversation.id}/",
            headers=[(b"origin", origin.encode()), (b"cookie", cookie_header(conversation.visitor_id).encode())],
        )
        connected, _ = await socket.connect()
        await socket.disconnect()
        return connected

    assert await opens("http://localhost")  # the support site itself (ALLOWED_HOSTS)
    assert await opens(ALLOWED)
    assert not await opens("https://evil.example")
    assert not await opens("https://shop.example.com.evil.example")


@pytest.mark.django_db
def test_admins_allow_origins_in_the_admin_in_the_browsers_spelling(admin_client):
    added = admin_client.post("/admin/widget/allowedorigin/add/", {"origin": " HTTPS://Shop.Example.com/ ", "note": "shop"})
    assert added.status_code == 302
    assert AllowedOrigin.allows("https://shop.example.com:443")
    wrong = admin_client.post("/admin/widget/allowedorigin/add/", {"origin": "https://shop.example.com/cart"})
    assert wrong.status_code == 200 and b"no path" in wrong.content
    assert AllowedOrigin.objects.count() == 1
