"""English and Simplified Chinese: which language a page gets (Accept-Language, ?lang=, the
language cookie), that the Chinese pages are Chinese all through, and that the catalogs are
complete and compiled."""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from supportbot.lib.languages import accept_language, answer_instruction, socket_language, supported_language
from tests.agent_fixtures import PASSWORD, agent, team

pytestmark = pytest.mark.django_db

LOCALE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"
# Words a Chinese page may show in Latin letters: names, formats, units, the English option of
# the language switcher.
LATIN_ALLOWED = {"SupportBot", "English", "PNG", "JPEG", "WebP", "GIF", "Enter", "Shift", "MB", "you", "example", "com"}


class VisibleText(HTMLParser):
    """The text a person sees or hears: element text, alt, title, placeholder, aria-label."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in ("alt", "title", "placeholder", "aria-label") and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def latin_words(html: str) -> set[str]:
    parser = VisibleText()
    parser.feed(html)
    return set(re.findall(r"[A-Za-z]{2,}", " ".join(parser.parts))) - LATIN_ALLOWED


@pytest.mark.parametrize(
    ("tag", "language"),
    [("zh", "zh-hans"), ("zh-CN", "zh-hans"), ("zh-Hans", "zh-hans"), ("zh-TW", "zh-hans"),
     ("en-GB", "en"), ("de", None), ("", None), ("x" * 200, None)],
)
def test_language_tags_map_to_the_offered_languages(tag, language):
    assert supported_language(tag) == language


def test_accept_language_is_read_by_quality_and_falls_back_to_english():
    assert accept_language("de-CH,de;q=0.9,zh;q=0.8,en;q=0.5") == "zh-hans"
    assert accept_language("de-CH,de;q=0.9,en;q=0.8,zh;q=0.5") == "en"
    assert accept_language("fr, de") == "en"
    assert accept_language("zh;q=bogus, en") == "en"
    assert accept_language("") == "en"


@pytest.mark.parametrize(
    ("header", "language", "words"),
    [("zh", "zh-hans", "转人工客服"), ("zh-CN,zh;q=0.9", "zh-hans", "请输入问题"), ("de", "en", "Talk to a human")],
)
def test_the_chat_page_follows_accept_language(header, language, words):
    response = Client(HTTP_ACCEPT_LANGUAGE=header).get("/")
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    assert words in page
    assert response["Content-Language"] == language


def test_the_chinese_chat_page_has_no_english_left():
    page = Client(HTTP_ACCEPT_LANGUAGE="zh-CN").get("/").content.decode()
    assert latin_words(page) == set()
    # The English chat page, read the same way, is all English: the check does find words.
    assert "Send" in latin_words(Client(HTTP_ACCEPT_LANGUAGE="en").get("/").content.decode())


def test_lang_parameter_switches_the_language_and_the_cookie_keeps_it():
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.get("/", {"lang": "zh-hans"})
    assert '<html lang="zh-hans">' in response.content.decode()
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    assert '<html lang="zh-hans">' in client.get("/").content.decode()  # the visitor's choice stays
    back = client.get("/", {"lang": "en"})
    assert '<html lang="en">' in back.content.decode()
    assert '<html lang="en">' in client.get("/").content.decode()


def test_an_unknown_lang_parameter_is_ignored():
    client = Client(HTTP_ACCEPT_LANGUAGE="zh")
    response = client.get("/", {"lang": "klingon<script>"})
    assert '<html lang="zh-hans">' in response.content.decode()
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_the_switcher_keeps_the_other_query_parameters():
    page = Client().get("/", {"lang": "zh-hans", "embed": "1"}).content.decode()
    switcher = page[page.index('class="language-switcher"'):]
    switcher = switcher[: switcher.index("</form>")]
    assert '<input type="hidden" name="embed" value="1">' in switcher
    assert 'name="lang"' in switcher and 'value="zh-hans" lang="zh-hans" selected' in switcher


def test_the_javascript_catalog_is_in_the_page_language():
    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh").get("/jsi18n/").content.decode()
    assert "\\u6b63\\u5728\\u53d1\\u9001" in chinese or "正在发送" in chinese  # "Sending…"
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/jsi18n/").content.decode()
    assert "正在发送" not in english and "\\u6b63\\u5728" not in english


def test_the_console_and_the_admin_speak_chinese():
    alice = agent("alice", team(), online=False)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert client.login(username="alice", password=PASSWORD)
    console = client.get("/admin/console/").content.decode()
    assert '<html lang="zh-hans">' in console and "客服控制台" in console
    assert latin_words(console) - {alice.first_name, "alice"} == set()
    alice.is_superuser = True
    alice.save()
    admin = client.get("/admin/").content.decode()
    assert "SupportBot 管理" in admin and "指标面板" in admin


@pytest.mark.parametrize(
    ("scope", "language"),
    [
        ({"query_string": b"lang=zh-hans"}, "zh-hans"),
        ({"query_string": b"lang=bogus", "cookies": {"django_language": "zh-hans"}}, "zh-hans"),
        ({"query_string": b"", "headers": [(b"accept-language", b"zh-CN,zh;q=0.9")]}, "zh-hans"),
        ({"query_string": b"", "headers": [(b"accept-language", b"de")]}, "en"),
        ({}, "en"),
    ],
)
def test_a_chat_socket_takes_the_page_language_then_the_cookie_then_accept_language(scope, language):
    assert socket_language(scope) == language


def test_the_model_is_told_the_language_by_name():
    assert answer_instruction("zh-hans") == "Answer in Simplified Chinese (简体中文)."
    assert answer_instruction("en") == "Answer in English."


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_the_chinese_catalogs_are_complete_and_compiled(domain, tmp_path):
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "msgfmt is missing: run `make system-deps` (Debian package gettext)"
    source = LOCALE / f"{domain}.po"
    compiled = tmp_path / f"{domain}.mo"
    result = subprocess.run(
        [msgfmt, "--check", "--statistics", "-o", str(compiled), str(source)],
        capture_output=True, text=True, check=True, env={"LC_ALL": "C"},
    )
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr
    with open(compiled, "rb") as fresh, open(LOCALE / f"{domain}.mo", "rb") as committed:
        assert gettext.GNUTranslations(committed)._catalog == gettext.GNUTranslations(fresh)._catalog, (
            f"locale/zh_Hans/LC_MESSAGES/{domain}.mo is older than its .po: run `manage.py compilemessages`"
        )
