"""What a reply quotes: the sentences of the best article that answer the question, from any of
its sections, in the article's order, a list item with the line that introduces its list."""

from __future__ import annotations

from pathlib import Path

import pytest

from supportbot.knowledge.excerpts import best_sentences
from supportbot.knowledge.models import Article
from supportbot.knowledge.store import import_path

SAMPLE = Path(__file__).resolve().parents[2] / "supportbot/knowledge/sample/en/reset-password.md"

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(lexical_only, committed, tmp_path) -> Article:
    (tmp_path / SAMPLE.name).write_text(SAMPLE.read_text())
    with committed():
        assert import_path(tmp_path).ok
    return Article.objects.get()


def test_the_answer_in_a_later_section_is_quoted_not_the_introduction(article):
    quote = best_sentences(article.id, "how long is the password reset link good for", article.title, 300)
    assert "30 minutes" in quote and len(quote) <= 300
    assert "If you forgot your Lumora password" not in quote


def test_a_list_item_comes_with_its_lead_in_and_order_is_kept(article):
    quote = best_sentences(article.id, "what characters must a new password have", article.title, 400)
    lines = quote.splitlines()
    assert "Your new password must:" in lines and any("10 characters" in line for line in lines)
    assert lines.index("Your new password must:") < next(i for i, line in enumerate(lines) if "10 characters" in line)


def test_nothing_shared_quotes_nothing(article):
    assert best_sentences(article.id, "zebra xylophone", article.title, 400) == ""
