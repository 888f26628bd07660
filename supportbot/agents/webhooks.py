"""Outgoing webhooks: every handoff event is POSTed as JSON to each active endpoint, signed, and
logged per delivery (agents.models.WebhookDelivery).

Each send is one attempt (OffThreadTask: on the Celery worker, or a background thread in the
embedded setup), bounded by WEBHOOK_TIMEOUT_S. A failed attempt sets when the next one is due,
with exponential backoff; beat's sweep (resend_due_webhooks) queues the due ones, and those whose
first queueing failed (the broker was down), until WEBHOOK_MAX_ATTEMPTS.

Signature (docs/deploy.md, "Webhooks"): `X-SupportBot-Timestamp` is the Unix time of the attempt,
`X-SupportBot-Signature` is `sha256=` and the hex HMAC-SHA256, keyed with the endpoint's secret,
of the timestamp, a dot and the body. A receiver recomputes it, compares in constant time and
refuses a timestamp more than a few minutes old (a replayed request). `X-SupportBot-Delivery`
names the delivery: the same on every attempt, so a receiver can drop a repeat.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from datetime import datetime, timedelta
from typing import Any

import requests
from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from supportbot.agents.models import WebhookDelivery, WebhookEndpoint
from supportbot.celery import OffThreadTask

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-SupportBot-Signature"
TIMESTAMP_HEADER = "X-SupportBot-Timestamp"
DELIVERY_HEADER = "X-SupportBot-Delivery"
# How long a queued attempt has before the sweep takes it for lost and queues it again.
ATTEMPT_LEASE_S = 300
# How many deliveries one sweep queues; the next sweep takes the rest.
SWEEP_BATCH = 200


def signature(secret: str, timestamp: int, body: bytes) -> str:
    signed = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def retry_delay_s(attempts: int) -> float:
    """After the n-th failed attempt: WEBHOOK_RETRY_BASE_S, then twice as long each time."""
    return settings.WEBHOOK_RETRY_BASE_S * 2 ** (attempts - 1)


def queue_webhooks(kind: str, payload: dict[str, Any]) -> None:
    """Log a delivery per active endpoint in the current transaction; send each after commit."""
    body = json.dumps({"event": kind, **payload}, ensure_ascii=False, sort_keys=True)
    leased_until = timezone.now() + timedelta(seconds=ATTEMPT_LEASE_S)
    for endpoint in WebhookEndpoint.objects.filter(active=True):
        delivery = WebhookDelivery.objects.create(endpoint=endpoint, body=body, next_attempt_at=leased_until)
        transaction.on_commit(lambda pk=delivery.pk: _queue(pk), robust=True)


def _queue(delivery_id: int) -> None:
    try:
        send_webhook.delay(delivery_id)
    except Exception as error:  # kombu raises its own and socket errors: the next sweep sends it
        log.warning("webhook delivery %s left to the sweep: %s", delivery_id, error)
        WebhookDelivery.objects.filter(pk=delivery_id).update(next_attempt_at=timezone.now())


@shared_task(base=OffThreadTask, acks_late=True)
def send_webhook(delivery_id: int) -> str:
    """One attempt; the state it leaves the delivery in."""
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    if delivery.state != WebhookDelivery.State.PENDING:
        return delivery.state  # a redelivered task: already settled
    body = delivery.body.encode()
    timestamp = int(time.time())
    status_code, error = None, ""
    try:
        response = requests.post(
            delivery.endpoint.url,
            data=body,
            headers={
                "Content-Type": "application/json",
                TIMESTAMP_HEADER: str(timestamp),
                SIGNATURE_HEADER: signature(delivery.endpoint.secret, timestamp, body),
                DELIVERY_HEADER: str(delivery.pk),
            },
            timeout=settings.WEBHOOK_TIMEOUT_S,
            allow_redirects=False,
        )
        status_code = response.status_code
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}"
    except requests.RequestException as failure:
        error = f"{type(failure).__name__}: {failure}"[:1000]
    attempts = delivery.attempts + 1
    now = timezone.now()
    if not error:
        state, next_attempt_at = WebhookDelivery.State.DELIVERED, None
    elif attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        state, next_attempt_at = WebhookDelivery.State.FAILED, None
    else:
        state, next_attempt_at = WebhookDelivery.State.PENDING, now + timedelta(seconds=retry_delay_s(attempts))
    WebhookDelivery.objects.filter(pk=delivery_id).update(
        attempts=F("attempts") + 1,
        last_status_code=status_code,
        last_error=error,
        state=state,
        next_attempt_at=next_attempt_at,
        finished_at=None if state == WebhookDelivery.State.PENDING else now,
    )
    return state


@shared_task(acks_late=True)
def resend_due_webhooks(now: datetime | None = None) -> int:
    """Beat: queue the pending deliveries whose next attempt is due (a retry's backoff is over, or
    the first queueing failed, or a queued attempt was lost). Each is leased first, so the next
    sweep does not queue it again while it waits in the broker. Returns how many were queued."""
    now = now or timezone.now()
    due = WebhookDelivery.objects.filter(state=WebhookDelivery.State.PENDING, next_attempt_at__lte=now)
    queued = 0
    for delivery_id, was_due_at in due.order_by("next_attempt_at").values_list("id", "next_attempt_at")[:SWEEP_BATCH]:
        leased = WebhookDelivery.objects.filter(pk=delivery_id, next_attempt_at=was_due_at).update(
            next_attempt_at=now + timedelta(seconds=ATTEMPT_LEASE_S)
        )
        if leased:
            _queue(delivery_id)
            queued += 1
    return queued
