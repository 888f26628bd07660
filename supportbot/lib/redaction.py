"""Personal data out of what is logged and exported: e-mail addresses, card numbers (13 to 19
digits passing the Luhn check) and phone numbers (8 to 15 digits, grouped by spaces, dashes,
brackets or dots) become [email], [card] and [phone]. Imported by the logging configuration, so it must not import models."""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any

from django.conf import settings

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Runs of digits with spaces, dashes or brackets between them, not part of a longer word: a
# UUID's or a hex id's digits are never touched. Dotted numbers are DOTTED_RUN's.
DIGIT_RUN = re.compile(r"(?<![\w+.-])(?:\+|\()?\d[\d ()-]*\d(?![\w-])")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Digits grouped by dots (030.1234.5678, +49.30.123456). Decimals and times have one dot and
# versions too few digits, so a phone number needs a leading + or three groups or more; dates
# (2026.12.01, 01.12.2026), IPv4 addresses and amounts with thousands dots (12.345.678,90) have
# that shape too and are told apart in _dotted_run.
DOTTED_RUN = re.compile(r"(?<![\w+.-])\+?\d+(?:\.\d+)+(?![\w-]|[.,]\d)")
THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+")


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


def looks_like_date(text: str) -> bool:
    for layout in ("%Y.%m.%d", "%d.%m.%Y"):
        try:
            datetime.strptime(text, layout)
        except ValueError:
            continue
        return True
    return False


def looks_like_ip_address(groups: list[str]) -> bool:
    # No leading zeros ("030" is a dialling prefix, not an octet), each at most 255.
    return len(groups) == 4 and all(
        len(group) <= 3 and int(group) <= 255 and (group == "0" or not group.startswith("0"))
        for group in groups
    )


def _dotted_run(match: re.Match[str]) -> str:
    text = match.group()
    groups = text.removeprefix("+").split(".")
    if text.startswith("+") or not (
        len(groups) < 3 or looks_like_date(text) or looks_like_ip_address(groups) or THOUSANDS.fullmatch(text)
    ):
        return _digit_run(match)
    return text


def redact(text: str) -> str:
    text = EMAIL.sub("[email]", text)
    return DIGIT_RUN.sub(_digit_run, DOTTED_RUN.sub(_dotted_run, text))


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
