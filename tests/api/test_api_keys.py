"""API keys: Bearer auth with OpenAI-style 401/403 errors; keys are stored hashed and shown once
in the admin."""

from __future__ import annotations

import pytest
import requests
from django.contrib.auth.models import User

from supportbot.api.models import ApiKey, hash_token
from tests.api_app import MODEL, api_app, auth, create_key, main_key, revoke_key

pytestmark = [pytest.mark.services, pytest.mark.timeout(120)]

BODY = {"model": MODEL, "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 2}


def completions(headers: dict[str, str]) -> requests.Response:
    return requests.post(api_app().base_url + "/v1/chat/completions", json=BODY, headers=headers, timeout=30)


def assert_error(response: requests.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code and error["message"] and error["type"] == "invalid_request_error"


def test_missing_wrong_and_revoked_keys_are_refused():
    assert_error(completions({}), 401, "missing_api_key")
    assert_error(completions({"Authorization": "Basic abc"}), 401, "missing_api_key")
    assert_error(completions(auth("sb-not-a-real-key")), 401, "invalid_api_key")
    token = create_key("soon revoked")
    assert completions(auth(token)).status_code == 200
    revoke_key(token)
    assert_error(completions(auth(token)), 403, "api_key_revoked")


def test_model_list_needs_a_key():
    url = api_app().base_url + "/v1/models"
    assert requests.get(url, timeout=10).status_code == 401
    assert requests.get(url, headers=auth(main_key()), timeout=10).status_code == 200


@pytest.mark.django_db
def test_admin_shows_a_new_key_once_and_stores_only_its_hash(client):
    admin = User.objects.create_superuser("admin", "admin@example.com", "pw")
    client.force_login(admin)
    page = client.post(
        "/admin/api/apikey/add/",
        {"name": "review pipeline", "requests_per_minute": 30, "tokens_per_minute": 5000},
        follow=True,
    )
    shown = [str(m) for m in page.context["messages"]]
    (notice,) = [m for m in shown if "copy it now" in m]
    token = notice.split("The new API key is ")[1].split(" ")[0]
    key = ApiKey.objects.get()
    assert key.key_hash == hash_token(token) and token.startswith(key.prefix)
    assert token not in str(ApiKey.objects.values().get())
    # Revoking is an admin action.
    client.post(
        "/admin/api/apikey/",
        {"action": "revoke", "_selected_action": [str(key.pk)]},
    )
    key.refresh_from_db()
    assert key.is_revoked
    # Later views of the key never show the plaintext again.
    assert token not in client.get(f"/admin/api/apikey/{key.pk}/change/").content.decode()
