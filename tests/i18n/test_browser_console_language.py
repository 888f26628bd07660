"""The agent console in Chromium, in the browser's language: a Chinese agent sees a waiting
conversation's status, reason and visitor in Chinese, an English agent the same row in English
(same Daphne and Chromium setup as tests/chat/test_browser_chat.py)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.agents.test_browser_handoff import sign_in_to_the_console
from tests.chat.test_browser_chat import ARTIFACTS, app, browser  # noqa: F401 (pytest fixtures)
from tests.live_app import LiveApp

pytestmark = [pytest.mark.services, pytest.mark.slow, pytest.mark.timeout(180)]

# An agent, and a conversation whose visitor pressed "Talk to a human" (in English).
WAITING = """
from supportbot.agents import handoff
from supportbot.agents.models import Handoff
from supportbot.agents.triggers import Trigger
from tests.agent_fixtures import agent, team
from tests.chat_fixtures import new_conversation
agent("alex", team(), online=False)
handoff.escalate(new_conversation().id, Trigger(Handoff.Reason.USER_BUTTON, "pressed Talk to a human"))
"""


def console_in(browser: Browser, app: LiveApp, locale: str, online: str) -> Page:
    page = browser.new_context(locale=locale, viewport={"width": 1280, "height": 800}).new_page()
    sign_in_to_the_console(page, app, online=online)
    return page


def test_the_queue_row_is_in_the_agents_language(app, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    app.manage("shell", "-c", WAITING)

    chinese = console_in(browser, app, "zh-CN", "在线")
    row = chinese.locator(".queue-row")
    expect(row).to_have_count(1)
    expect(row.locator(".status-badge")).to_have_text("等待中")
    expect(row.locator(".status-badge")).to_have_class(re.compile(r"\bpending\b"))  # the style keeps the code
    expect(row.locator(".row-details")).to_contain_text("要求转人工")
    expect(row.locator(".row-visitor")).to_have_text(re.compile(r"^访客 [0-9A-F]{6}$"))
    expect(row.locator(".waiting")).to_contain_text("已等待")
    row.locator("button").click()
    expect(chinese.locator("#conversation-status")).to_have_text("等待中")
    expect(chinese.locator("#conversation-reason")).to_have_text("· 要求转人工")
    chinese.screenshot(path=str(ARTIFACTS / "console-chinese.png"), full_page=True)

    english = console_in(browser, app, "en-US", "Online")
    row = english.locator(".queue-row")
    expect(row.locator(".status-badge")).to_have_text("pending")
    expect(row.locator(".row-details")).to_contain_text("asked for a person")
    expect(row.locator(".row-visitor")).to_have_text(re.compile(r"^Visitor [0-9A-F]{6}$"))
