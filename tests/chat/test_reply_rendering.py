"""Replies are Markdown rendered on the server with raw HTML disabled: the model's (or anyone's)
text cannot inject markup or script into the page."""

from __future__ import annotations

from supportbot.chat.frames import render_bot_markdown, render_markdown


def test_formatting_is_rendered():
    html = render_markdown("Try **restarting**:\n\n1. Open `Settings`\n2. Tap *Reset*")
    assert "<strong>restarting</strong>" in html
    assert "<ol>" in html and "<code>Settings</code>" in html and "<em>Reset</em>" in html


def test_raw_html_is_shown_as_text():
    html = render_markdown('<script>alert(1)</script><img src=x onerror="alert(2)">')
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_unsafe_link_targets_are_not_links():
    html = render_markdown(
        "[click](javascript:alert(1)) [data](data:text/html;base64,PHNjcmlwdD4=)"
    )
    assert "href" not in html
    safe = render_markdown("[help](https://example.com/help)")
    assert '<a href="https://example.com/help">help</a>' in safe


def test_a_bot_reply_links_only_to_its_sources_and_shows_no_images():
    text = (
        "**From the help center: [Refunds](https://help.example.com/refunds)**\n\n"
        "See [this page](https://evil.example.net/?q=secret) and ![x](https://evil.example.net/p.png?c=1)."
    )
    html = render_bot_markdown(text, {"help.example.com"})
    assert '<a href="https://help.example.com/refunds">Refunds</a>' in html
    assert "evil.example.net/?q" not in html and "this page" in html  # the words stay, not the link
    assert "<img" not in html
    assert "evil" not in render_bot_markdown("[a](https://evil.example.net)", set())


def test_agents_may_link_anywhere():
    assert '<a href="https://docs.example.org/x">guide</a>' in render_markdown("[guide](https://docs.example.org/x)")
