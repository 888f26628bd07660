"""The languages people see SupportBot in (settings.LANGUAGES): which one a page or a chat socket
uses, and how the bot is told to answer in it.

A page's language is, first, its `lang` query parameter (the widget's data-lang, or the chat
page's language switcher), which is then kept in Django's language cookie; else the cookie; else
Accept-Language (LocaleMiddleware); else English. Any Chinese is Simplified Chinese, any other
language English.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

LANGUAGE_PARAMETER = "lang"
# How the model is told which language to answer in: the language's English name (a small model
# follows English instructions best), with its own name beside it.
ANSWER_IN = {"en": "English", "zh-hans": "Simplified Chinese (简体中文)"}


def supported_language(code: str | None) -> str | None:
    """The offered language for a language tag ("zh-CN" -> "zh-hans", "en-GB" -> "en"); None for
    an empty, malformed or unknown tag."""
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code.strip().lower()[:35])
    except LookupError:
        return None


def accept_language(header: str) -> str:
    """The first offered language of an Accept-Language header, by quality; English without one."""
    ranked = []
    for position, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        ranked.append((-quality, position, tag))
    for _, _, tag in sorted(ranked):
        if (language := supported_language(tag)) is not None:
            return language
    return settings.LANGUAGE_CODE


def socket_language(scope: dict[str, Any]) -> str:
    """A chat socket's language: the page's (its `lang` query parameter), else the language
    cookie, else the handshake's Accept-Language."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    cookie = scope.get("cookies", {}).get(settings.LANGUAGE_COOKIE_NAME)
    for candidate in (*query.get(LANGUAGE_PARAMETER, []), cookie):
        if (language := supported_language(candidate)) is not None:
            return language
    headers = dict(scope.get("headers", []))
    return accept_language(headers.get(b"accept-language", b"").decode("latin-1"))


_CJK = re.compile(r"[\u3400-\u9fff]")


def written_in(text: str) -> str:
    """The language a message is written in, as a supported code ("" when it has no words)."""
    return "zh-hans" if _CJK.search(text) else ("en" if text.strip() else "")


def answer_instruction(language: str) -> str:
    """The line that tells the model which language to answer in. It goes in the visitor's turn,
    never in the system prompt, so the cached prefix of a conversation never changes."""
    return f"Answer in {ANSWER_IN.get(language, ANSWER_IN['en'])}."


class LanguageParameterMiddleware:
    """After LocaleMiddleware: a supported `?lang=` switches the page's language and is kept in
    the language cookie for the pages that follow; an unknown one is ignored."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = supported_language(request.GET.get(LANGUAGE_PARAMETER))
        if language is None:
            return self.get_response(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
        return response
