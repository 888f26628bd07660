"""Chunking, tokenising, and the index following every edit and delete."""

from __future__ import annotations

import pytest

from supportbot.knowledge import retrieval
from supportbot.knowledge.chunking import MAX_CHUNK_CHARS, chunk_article
from supportbot.knowledge.models import Article, Chunk
from supportbot.knowledge.tokens import tokens

BODY = """# Title again

Intro paragraph.

## Sign-in codes

Code ERR-1102 means too many attempts.

### On the phone

Wait 15 minutes.
"""


def test_chunks_follow_headings_and_carry_title_and_heading():
    chunks = chunk_article("Account locked", BODY)
    assert [chunk.heading for chunk in chunks] == ["", "Sign-in codes", "Sign-in codes › On the phone"]
    assert chunks[1].text.startswith("Account locked\nSign-in codes\n\n")
    assert "Title again" not in "".join(chunk.text for chunk in chunks)


def test_long_sections_split_at_paragraphs():
    paragraphs = [f"Paragraph {n}. " + "word " * 60 for n in range(30)]
    chunks = chunk_article("Long", "## Big section\n\n" + "\n\n".join(paragraphs))
    assert len(chunks) > 1
    assert all(len(chunk.text) <= MAX_CHUNK_CHARS for chunk in chunks)
    assert all(chunk.text.split("\n\n", 1)[1].startswith("Paragraph") for chunk in chunks)


def test_tokens_keep_error_codes_whole_and_make_chinese_bigrams():
    assert {"err-4031", "4031", "e-207"} <= set(tokens("Got ERR-4031 and then e-207"))
    assert tokens("The Payments were DECLINED") == ["payment", "declin"]
    assert tokens("发票") == ["发", "票", "发票"]


@pytest.mark.django_db
@pytest.mark.usefixtures("lexical_only")
class TestTheIndexFollowsTheArticles:
    def make(self, committed, **fields) -> Article:
        defaults = {"slug": "hub-offline", "title": "Hub offline", "body": "## Steps\n\nRestart the router.", "lang": "en"}
        with committed():
            return Article.objects.create(**{**defaults, **fields})

    def test_saving_indexes_and_editing_reindexes(self, committed):
        article = self.make(committed)
        assert list(article.chunks.values_list("heading", flat=True)) == ["Steps"]
        assert retrieval.search("restart router")[0].article_id == article.pk
        article.body = "## Power\n\nUnplug the hub for ten seconds."
        with committed():
            article.save()
        assert list(article.chunks.values_list("heading", flat=True)) == ["Power"]
        assert retrieval.search("restart router") == []
        assert retrieval.search("unplug the hub")[0].heading == "Power"

    def test_deleting_removes_its_chunks_from_the_base_and_the_results(self, committed):
        article = self.make(committed)
        assert retrieval.search("restart router")
        with committed():
            article.delete()
        assert Chunk.objects.count() == 0
        assert retrieval.search("restart router") == []

    def test_drafts_are_never_returned(self, committed):
        article = self.make(committed, status=Article.Status.DRAFT)
        assert article.chunks.exists()  # indexed, ready for when it is published
        assert retrieval.search("restart router") == []
        article.status = Article.Status.PUBLISHED
        with committed():
            article.save()
        assert retrieval.search("restart router")[0].article_id == article.pk
