"""Replies are Markdown rendered on the server with raw HTML disabled: the model's (or anyone's)
text cannot inject markup or script into the page."""

from __future__ import annotations

from supportbot.chat.frames import render_markdown


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
