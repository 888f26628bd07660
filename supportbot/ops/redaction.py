"""Personal data out of what is logged and exported: e-mail addresses, card numbers (13 to 19
digits passing the Luhn check) and phone numbers (8 to 15 digits) become [email], [card] and
[phone]. Imported by the logging configuration, so it must not import models."""

from __future__ import annotations

import logging
import re
from typing import Any

from django.conf import settings

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Runs of digits with spaces, dashes or brackets between them, not part of a longer word: a
# UUID's or a hex id's digits are never touched. Dots are left out so decimals and times stay.
DIGIT_RUN = re.compile(r"(?<![\w+.-])(?:\+|\()?\d[\d ()-]*\d(?![\w-])")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = int(digit)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _digit_run(match: re.Match[str]) -> str:
    text = match.group()
    digits = re.sub(r"\D", "", text)
    if 13 <= len(digits) <= 19 and luhn_valid(digits):
        return "[card]"
    # Dates ("2026-12-01", "2026-12-01 13:07") have 8 or more digits too.
    if 8 <= len(digits) <= 15 and not ISO_DATE.match(text):
        return "[phone]"
    return text


def redact(text: str) -> str:
    return DIGIT_RUN.sub(_digit_run, EMAIL.sub("[email]", text))


def redact_data(value: Any) -> Any:
    """redact() applied to every string inside JSON-like data (dict keys stay as they are)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: redact_data(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [redact_data(item) for item in value]
    return value


def scrub(value: Any) -> Any:
    """redact_data() when SUPPORTBOT_REDACT_PII is on (the default), else the value unchanged."""
    return redact_data(value) if settings.REDACT_PII else value


class RedactingFilter(logging.Filter):
    """Redacts each log line's final text before a handler writes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if settings.REDACT_PII:
            record.msg, record.args = redact(record.getMessage()), None
        return True
