"""Personal data is redacted from what is logged and exported: e-mail addresses, phone numbers
(also dotted ones) and card numbers (Luhn-checked), while ids, dates, times, versions, amounts
and IP addresses stay; it can be switched off."""

from __future__ import annotations

import json
import logging

import pytest

from supportbot.chat.models import Message
from supportbot.events.log import record_event
from supportbot.events.models import Event
from supportbot.ops.export import encoded_chunks
from supportbot.lib.redaction import RedactingFilter, luhn_valid, redact
from tests.chat_fixtures import new_conversation
from tests.ops_fixtures import bot_turn


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("write to jo.doe+billing@example.co.uk please", "write to [email] please"),
        ("card 4111 1111 1111 1111, exp 12/27", "card [card], exp 12/27"),
        ("card 5555-5555-5555-4444", "card [card]"),
        ("amex 378282246310005.", "amex [card]."),
        ("call +49 30 1234567 or (030) 123-4567", "call [phone] or [phone]"),
        ("mobile 07700900123", "mobile [phone]"),
        ("call 030.1234.5678 or +49.30.123456.", "call [phone] or [phone]."),
        ("office 555.123.4567, card 4111.1111.1111.1111", "office [phone], card [card]"),
        ("hotline 030.123.45.67", "hotline [phone]"),  # four groups, but "030" is no IP octet
    ],
)
def test_documented_patterns_are_redacted(text, redacted):
    assert redact(text) == redacted


@pytest.mark.parametrize(
    "text",
    [
        "4111 1111 1111 1112 fails the Luhn check and is too long for a phone number",
        "conversation 12345678-1234-5678-1234-123456789012",
        "at 2026-12-01T13:10:12.152363+00:00 and on 2026-12-01 13:07",
        "order 5521 costs 1234.50 EUR, error 42",
        "due 2026.12.01 or 01.12.2026, after 12.152363 s",
        "version 1.2.3 and 10.15.7, release 2026.12.1",
        "refund 1234.56 of 12.345.678,90 EUR (or 1.234.567)",
        "server 192.168.100.200 and 10.0.0.1:8080",
    ],
)
def test_ids_dates_and_amounts_are_left_alone(text):
    assert redact(text) == text


def test_luhn():
    assert luhn_valid("79927398713") and not luhn_valid("79927398710")


@pytest.mark.django_db
def test_event_payloads_are_redacted_before_they_are_stored():
    conversation = new_conversation()
    record_event(Event.Kind.CSAT, conversation.id, score=2, comment="Mail me: jo@example.com, +44 20 7946 0958")
    assert Event.objects.get().data == {"score": 2, "comment": "Mail me: [email], [phone]"}


@pytest.mark.django_db
def test_switched_off_payloads_stay_as_written(settings):
    settings.REDACT_PII = False
    record_event(Event.Kind.CSAT, None, comment="jo@example.com")
    assert Event.objects.get().data == {"comment": "jo@example.com"}


def test_log_lines_are_redacted():
    record = logging.LogRecord("supportbot.x", logging.INFO, __file__, 1, "visitor %s paid with %s", ("jo@example.com", "4111111111111111"), None)
    assert RedactingFilter().filter(record)
    assert record.getMessage() == "visitor [email] paid with [card]"
    handler = logging.getLogger("supportbot").handlers[0]
    assert any(isinstance(log_filter, RedactingFilter) for log_filter in handler.filters)


@pytest.mark.django_db
def test_exports_are_redacted():
    conversation = new_conversation()
    bot_turn(conversation, "I am jo@example.com, card 4111 1111 1111 1111")
    exported = "".join(encoded_chunks(Message.objects.all(), "jsonl"))
    texts = [json.loads(line)["text"] for line in exported.splitlines()]
    assert texts == ["I am [email], card [card]", "An answer."]
