"""Nobody outside the staff reaches any of ops: the log review pages, transcripts, screenshots,
exports, the dashboard and /metrics send anonymous visitors and non-staff users away."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from supportbot.ops.models import AuditEntry
from tests.agent_fixtures import PASSWORD
from tests.chat_fixtures import new_conversation
from tests.ops_fixtures import bot_turn, with_screenshot

pytestmark = pytest.mark.django_db

PAGES = [
    "/admin/chat/conversation/",
    "/admin/chat/message/?q=hello",
    "/admin/chat/attachment/",
    "/admin/events/event/",
    "/admin/ops/escalation/",
    "/admin/ops/auditentry/",
    "/admin/ops/dashboard/",
]


@pytest.fixture
def clients() -> dict[str, Client]:
    visitor = Client()
    visitor.force_login(User.objects.create_user("visitor", password=PASSWORD))
    return {"anonymous": Client(), "non-staff user": visitor}


def test_pages_send_them_to_the_login(clients):
    conversation = new_conversation()
    bot_turn(conversation, "Hello")
    transcript = f"/admin/chat/conversation/{conversation.pk}/change/"
    for who, client in clients.items():
        for page in [*PAGES, transcript]:
            response = client.get(page)
            assert response.status_code == 302, (who, page)
            assert response["Location"].startswith("/admin/login/"), (who, page)
    assert not AuditEntry.objects.exists()  # nobody saw a transcript


def test_exports_are_refused(clients):
    conversation = new_conversation()
    bot_turn(conversation, "Hello")
    for client in clients.values():
        response = client.post(
            "/admin/chat/conversation/", {"action": "export_csv", "_selected_action": [str(conversation.pk)]}
        )
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
        assert not response.streaming
    assert not AuditEntry.objects.exists()


def test_screenshots_and_metrics_are_refused(clients):
    attachment = with_screenshot(new_conversation())
    for who, client in clients.items():
        assert client.get(f"/attachments/{attachment.pk}/").status_code == 404, who
    assert clients["anonymous"].get("/metrics").status_code == 401
    assert clients["non-staff user"].get("/metrics").status_code == 403
