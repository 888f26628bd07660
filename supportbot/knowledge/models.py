"""Help-center articles and the chunks retrieval searches."""

from __future__ import annotations

from django.db import models

# Language codes: "en" and "zh" (Simplified Chinese); importing.normalise_lang maps the other
# spellings ("zh-hans", "zh_CN", "en-US") onto these.
LANGUAGES = [("en", "English"), ("zh", "Chinese (Simplified)")]


class Article(models.Model):
    class Status(models.TextChoices):
        PUBLISHED = "published", "Published"
        DRAFT = "draft", "Draft"

    slug = models.SlugField(max_length=200, allow_unicode=True)
    title = models.CharField(max_length=300)
    body = models.TextField(help_text="Markdown; ## and ### headings split it into passages.")
    url = models.URLField(max_length=500, blank=True)
    lang = models.CharField(max_length=8, choices=LANGUAGES, default="en")
    tags = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["lang", "title"]
        constraints = [
            # The same slug exists once per language (an article and its translation).
            models.UniqueConstraint(fields=["lang", "slug"], name="knowledge_article_lang_slug"),
        ]
        indexes = [models.Index(fields=["url"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.lang})"


class Chunk(models.Model):
    """One passage of an article: a heading's section, split further when long."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="chunks")
    position = models.PositiveIntegerField()
    heading = models.CharField(max_length=500, blank=True)
    text = models.TextField()
    # float32 little-endian, L2-normalised; empty when the embedding model was not available.
    embedding = models.BinaryField(blank=True, default=b"")
    lang = models.CharField(max_length=8, choices=LANGUAGES)

    class Meta:
        ordering = ["article_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["article", "position"], name="knowledge_chunk_position"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id}#{self.position} {self.heading}"
