"""Retrieval over the sample help center with the real embedding model (loaded once per test
session): exact error codes and paraphrases, in English and in Chinese."""

from __future__ import annotations

from pathlib import Path

import pytest

from supportbot.knowledge import embedding, retrieval
from supportbot.knowledge.models import Article, Chunk
from supportbot.knowledge.store import import_path

SAMPLE = Path(__file__).resolve().parents[2] / "supportbot/knowledge/sample"

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


@pytest.fixture(scope="module")
def sample_base(django_db_setup, django_db_blocker):
    """The sample help center, imported and embedded once for this module (the embedding model
    and its passage vectors stay in memory for the rest of the session)."""
    with django_db_blocker.unblock():
        report = import_path(SAMPLE)  # outside a test transaction: indexing runs on commit
        assert report.ok, report.errors
        yield
        Article.objects.all().delete()


def slugs(query: str, lang: str | None = None) -> list[str]:
    return [passage.slug for passage in retrieval.search(query, lang=lang, k=3)]


@pytest.mark.usefixtures("sample_base")
class TestSampleHelpCenter:
    def test_every_chunk_has_a_unit_vector(self):
        vectors = [embedding.from_bytes(data) for data in Chunk.objects.values_list("embedding", flat=True)]
        assert vectors and all(v is not None and v.shape == (384,) for v in vectors)
        assert all(abs(float((v * v).sum()) - 1) < 1e-3 for v in vectors)

    def test_an_exact_error_code_in_english(self):
        assert slugs("what does ERR-4031 mean", "en")[0] in {"failed-payment", "app-error-codes"}
        assert "hub-display-codes" in slugs("e-207 on the screen of the hub", "en")

    def test_an_english_paraphrase(self):
        assert "reset-password" in slugs("I can't remember what I use to log in, how do I get back in?", "en")
        assert "double-charge" in slugs("my card was billed two times for the same month", "en")

    def test_an_exact_error_code_in_chinese(self):
        assert slugs("ERR-2204 是什么意思", "zh")[0] == "hub-offline-err-2204"

    def test_a_chinese_paraphrase(self):
        assert "fapiao" in slugs("公司报销需要开票，怎么弄", "zh")
        assert "refund-policy" in slugs("买了不想要了能退钱吗", "zh")

    def test_passages_say_where_they_come_from(self):
        passage = retrieval.search("reset link expired", lang="en")[0]
        assert passage.url.startswith("https://help.lumora.example/en/")
        assert passage.text.startswith(passage.title)
        assert retrieval.is_answerable([passage])

    def test_nothing_relevant_is_not_answerable(self):
        assert not retrieval.is_answerable(retrieval.search("recipe for a chocolate cake with walnuts", lang="en"))
        assert not retrieval.is_answerable([])


def test_a_question_vector_is_not_waited_for_while_the_model_is_busy():
    # Indexing holds the model for seconds; the intent cascade then keeps its n-gram answer.
    from inference import embedding as minilm

    with minilm._lock:
        assert minilm.embed_query_if_free("is anyone there?", wait_s=0.01) is None


def test_a_question_gets_the_vector_its_passage_would_get():
    # Questions go through ONNX Runtime, passages through torch: both must place a text at the
    # same point, or every question would be compared with passages from another model.
    from inference import embedding as minilm

    texts = ["How do I reset my password?", "Error ERR-4031 when paying\nCard declined\nTry again"]
    assert minilm._question_session(1) is not None  # onnxruntime is a requirement
    for text in texts:
        assert float(minilm.embed_query(text) @ minilm.embed([text])[0]) > 0.9999
