"""Languages in Chromium against the live app (same setup as tests/chat/test_browser_chat.py): a
Chinese browser gets the chat in Chinese, scripts included; the switcher changes it and the
choice stays; the bot is told the page's language in a turn written in another one."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.chat.test_browser_chat import ARTIFACTS, app, browser  # noqa: F401 (pytest fixtures)
from tests.live_app import LiveApp

pytestmark = [pytest.mark.services, pytest.mark.slow, pytest.mark.timeout(180)]

TOLD_THE_LANGUAGE = """
from supportbot.chat.models import Message
from supportbot.chat.transcript import read_transcript
asked = Message.objects.get(role="user", text="{text}")
assert asked.language == "{language}", asked.language
said = read_transcript(asked.conversation_id).messages
assert said[0].role == "system" and "Answer in" not in said[0].text
turn = next(m for m in said if m.role == "user" and m.text.startswith("{text}"))
assert turn.text.endswith("{instruction}") if "{instruction}" else "Answer in" not in turn.text, turn.text
"""


def chat_in(browser: Browser, app: LiveApp, locale: str, width: int = 1280) -> Page:
    """The chat page in a browser whose language is `locale` (its Accept-Language)."""
    page = browser.new_context(locale=locale, viewport={"width": width, "height": 800}).new_page()
    page.goto(app.base_url + "/")
    return page


def test_a_chinese_browser_gets_chinese_and_the_switcher_changes_it(app, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    page = chat_in(browser, app, "zh-CN", width=375)
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("#connection")).to_have_text("在线")  # from the JavaScript catalog
    expect(page.get_by_role("button", name="转人工客服")).to_be_visible()
    expect(page.locator("#text")).to_have_attribute("placeholder", "请输入问题…")

    page.locator("#text").fill("我的订单还没到，怎么办？")
    page.locator("#text").press("Enter")
    reply = page.locator(".message.assistant")
    expect(reply).to_have_class("message assistant", timeout=60_000)
    expect(page.locator(".message.user .delivery")).to_have_text("已发送")
    expect(reply.get_by_role("button", name="没有帮助")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "chat-chinese-phone.png"), full_page=True)
    # Asked in the page's language: the model answers in the language it is asked in.
    app.manage(
        "shell", "-c", TOLD_THE_LANGUAGE.format(text="我的订单还没到，怎么办？", language="zh-hans", instruction=""),
    )

    page.get_by_label("语言").select_option("en")  # reloads the page in English
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#connection")).to_have_text("Online")
    expect(page.get_by_role("button", name="Talk to a human")).to_be_visible()
    expect(page.locator(".message.user .delivery")).to_have_text("Sent")  # the same conversation
    page.locator("#text").fill("谢谢，能用英文说吗？")
    page.locator("#text").press("Enter")
    expect(page.locator(".message.assistant").nth(1)).to_have_class("message assistant", timeout=60_000)
    # Written in another language than the page's (now English): told the page's.
    app.manage(
        "shell", "-c",
        TOLD_THE_LANGUAGE.format(text="谢谢，能用英文说吗？", language="en", instruction="Answer in English."),
    )

    page.goto(app.base_url + "/")  # the choice is kept over Accept-Language
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto(app.base_url + "/?lang=zh-hans")  # the widget's data-lang
    expect(page.locator("#connection")).to_have_text("在线")


def test_a_german_browser_gets_english(app, browser):
    page = chat_in(browser, app, "de-DE")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#connection")).to_have_text("Online")
    expect(page.get_by_role("button", name="Talk to a human")).to_be_visible()
