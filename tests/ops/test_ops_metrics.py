"""/metrics for Prometheus: refused without a bearer token or a staff login; counts turns,
replies (time to first token, tokens), escalations and WebSockets; reports the engine's stats;
and an inference worker serves the same on its own port, to the token only."""

from __future__ import annotations

import pytest
import requests
from django.apps import apps
from django.contrib.auth.models import User
from django.test import Client
from prometheus_client import REGISTRY

from supportbot.events.log import record_event
from supportbot.events.models import Event
from supportbot.inference_bridge.redis_client import RedisClient
from supportbot.inference_bridge.worker_metrics import serve_worker_metrics
from supportbot.ops import metrics
from tests.agent_fixtures import PASSWORD
from tests.chat_fixtures import new_conversation
from tests.live_app import free_port, wait_for

TOKEN = "s3cret-metrics-token"


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.mark.django_db
def test_only_the_token_or_staff_get_metrics(settings):
    settings.METRICS_TOKEN = TOKEN
    anonymous = Client()
    response = anonymous.get("/metrics")
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Bearer"
    assert anonymous.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    visitor = Client()
    visitor.force_login(User.objects.create_user("visitor", password=PASSWORD))
    assert visitor.get("/metrics").status_code == 403
    response = anonymous.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200 and b"supportbot_chat_turns_total" in response.content
    staff = Client()
    staff.force_login(User.objects.create_user("clerk", password=PASSWORD, is_staff=True))
    assert staff.get("/metrics").status_code == 200


@pytest.mark.django_db
def test_without_a_token_only_staff_get_metrics(settings):
    settings.METRICS_TOKEN = ""
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 403
    assert Client().get("/metrics").status_code == 401


@pytest.mark.django_db
def test_turns_replies_and_escalations_are_counted():
    before = {
        "turns": sample("supportbot_chat_turns_total"),
        "stop": sample("supportbot_bot_replies_total", finish_reason="stop"),
        "ttft": sample("supportbot_time_to_first_token_seconds_count"),
        "fast": sample("supportbot_time_to_first_token_seconds_bucket", le="0.25"),
        "generated": sample("supportbot_generated_tokens_total"),
        "cached": sample("supportbot_cached_prompt_tokens_total"),
        "abuse": sample("supportbot_escalations_total", trigger="abuse"),
        "errors": sample("supportbot_bot_replies_total", finish_reason="error"),
    }
    conversation = new_conversation()
    record_event(Event.Kind.MESSAGE_IN, conversation.id, message=1, images=0)
    record_event(
        Event.Kind.MESSAGE_OUT, conversation.id, message=2, finish_reason="stop", error="",
        prompt_tokens=500, cached_tokens=420, completion_tokens=33, ttft_ms=180.0, total_ms=900.0,
    )
    record_event(Event.Kind.MESSAGE_OUT, conversation.id, role="agent", agent=1)  # not a bot reply
    record_event(Event.Kind.MODEL_ERROR, conversation.id, message=3, error="lost")
    record_event(Event.Kind.ESCALATION, conversation.id, reason="abuse", detail="")
    assert sample("supportbot_chat_turns_total") == before["turns"] + 1
    assert sample("supportbot_bot_replies_total", finish_reason="stop") == before["stop"] + 1
    assert sample("supportbot_bot_replies_total", finish_reason="error") == before["errors"] + 1
    assert sample("supportbot_time_to_first_token_seconds_count") == before["ttft"] + 1
    assert sample("supportbot_time_to_first_token_seconds_bucket", le="0.25") == before["fast"] + 1
    assert sample("supportbot_generated_tokens_total") == before["generated"] + 33
    assert sample("supportbot_cached_prompt_tokens_total") == before["cached"] + 420
    assert sample("supportbot_escalations_total", trigger="abuse") == before["abuse"] + 1


class FakeEngine:
    def stats(self) -> dict:
        return {"running": 3, "waiting": 1, "hits": 40, "finished": {"stop": 7, "length": 2},
                "model": "tiny-random", "kv_bytes_per_token": 2048}


def test_engine_stats_become_gauges_and_counters():
    families = {family.name: family for family in metrics.EngineStatsCollector(FakeEngine).collect()}
    assert families["supportbot_engine_running"].type == "gauge"
    assert families["supportbot_engine_running"].samples[0].value == 3
    assert families["supportbot_engine_hits"].type == "counter"
    assert {s.labels["reason"]: s.value for s in families["supportbot_engine_finished"].samples if s.name.endswith("_total")} == {"stop": 7, "length": 2}
    assert families["supportbot_engine_model"].samples[0].labels == {"model": "tiny-random"}
    assert list(metrics.EngineStatsCollector(lambda: None).collect()) == []


def test_a_worker_serves_its_metrics_to_the_token_only(settings, monkeypatch):
    settings.METRICS_TOKEN, settings.WORKER_METRICS_PORT = TOKEN, free_port()
    worker_client = RedisClient()
    worker_client.hosted_engine = FakeEngine()  # as the worker command sets it
    monkeypatch.setattr(apps.get_app_config("inference_bridge"), "client", worker_client)
    serve_worker_metrics()
    url = f"http://127.0.0.1:{settings.WORKER_METRICS_PORT}/metrics"
    wait_for(lambda: _answers(url), 10, "the worker's metrics server")
    assert requests.get(url, timeout=5).status_code == 401
    assert requests.get(url, headers={"Authorization": "Bearer nope"}, timeout=5).status_code == 401
    response = requests.get(url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5)
    assert response.status_code == 200
    assert "supportbot_engine_running 3.0" in response.text and "supportbot_time_to_first_token_seconds" in response.text


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=1).status_code > 0
    except requests.ConnectionError:
        return False


async def test_websocket_connections_are_counted():
    opened, open_now = sample("supportbot_websockets_total"), sample("supportbot_websockets_open")
    seen_inside = []

    async def socket_app(scope, receive, send) -> None:  # noqa: ANN001 (ASGI)
        seen_inside.append(sample("supportbot_websockets_open"))

    await metrics.CountWebSockets(socket_app)({"type": "websocket"}, None, None)
    assert seen_inside == [open_now + 1]
    assert sample("supportbot_websockets_total") == opened + 1
    assert sample("supportbot_websockets_open") == open_now


def test_the_chat_application_counts_its_websockets():
    from supportbot.asgi import router

    assert isinstance(router.application_mapping["websocket"], metrics.CountWebSockets)
