"""Outgoing webhooks: every handoff event is POSTed as JSON to each active endpoint, signed with
HMAC-SHA256 of the body, retried by Celery with backoff, and logged per delivery."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import requests
from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from supportbot.agents.models import WebhookDelivery, WebhookEndpoint

SIGNATURE_HEADER = "X-SupportBot-Signature"


class WebhookRefused(Exception):
    """The endpoint did not answer 2xx; the task retries."""


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def queue_webhooks(kind: str, payload: dict[str, Any]) -> None:
    """Log a delivery per active endpoint in the current transaction; send each after commit."""
    body = json.dumps({"event": kind, **payload}, ensure_ascii=False, sort_keys=True)
    for endpoint in WebhookEndpoint.objects.filter(active=True):
        delivery = WebhookDelivery.objects.create(endpoint=endpoint, body=body)
        transaction.on_commit(lambda pk=delivery.pk: _queue(pk), robust=True)


def _queue(delivery_id: int) -> None:
    send_webhook.delay(delivery_id)


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(WebhookRefused,),
    retry_backoff=2,
    retry_backoff_max=600,
    max_retries=settings.WEBHOOK_MAX_ATTEMPTS - 1,
)
def send_webhook(task: Any, delivery_id: int) -> str:
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    if delivery.state != WebhookDelivery.State.PENDING:
        return delivery.state  # a redelivered task: already settled
    body = delivery.body.encode()
    status_code, error = None, ""
    try:
        response = requests.post(
            delivery.endpoint.url,
            data=body,
            headers={
                "Content-Type": "application/json",
                SIGNATURE_HEADER: signature(delivery.endpoint.secret, body),
            },
            timeout=settings.WEBHOOK_TIMEOUT_S,
        )
        status_code = response.status_code
        if not response.ok:
            error = f"HTTP {status_code}"
    except requests.RequestException as failure:
        error = f"{type(failure).__name__}: {failure}"[:1000]
    last_attempt = task.request.retries >= task.max_retries
    state = (
        WebhookDelivery.State.DELIVERED
        if not error
        else WebhookDelivery.State.FAILED
        if last_attempt
        else WebhookDelivery.State.PENDING
    )
    WebhookDelivery.objects.filter(pk=delivery_id).update(
        attempts=F("attempts") + 1,
        last_status_code=status_code,
        last_error=error,
        state=state,
        finished_at=None if state == WebhookDelivery.State.PENDING else timezone.now(),
    )
    if state == WebhookDelivery.State.PENDING:
        raise WebhookRefused(error)
    return state
