"""The help center in the admin: editors and supervisors manage articles, agents read them. The
change page shows the body rendered as visitors will see it quoted."""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt

from supportbot.knowledge.models import Article

# Raw HTML in an article is shown as text, never run: an editor's typo cannot inject a script.
_markdown = MarkdownIt("commonmark", {"html": False}).enable("table")


def render_markdown(text: str) -> str:
    return _markdown.render(text)


class TagFilter(admin.SimpleListFilter):
    title = "tag"
    parameter_name = "tag"

    def lookups(self, request, model_admin):
        tags = {tag for tags in Article.objects.values_list("tags", flat=True) for tag in tags or []}
        return [(tag, tag) for tag in sorted(tags)]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        # Filtered in Python: JSON containment differs between SQLite and PostgreSQL, and a help
        # center has hundreds of articles, not millions.
        ids = [pk for pk, tags in queryset.values_list("pk", "tags") if self.value() in (tags or [])]
        return queryset.filter(pk__in=ids)


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "lang", "status", "url", "updated_at")
    list_filter = ("lang", "status", TagFilter)
    search_fields = ("title", "slug", "url", "body")
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("preview", "chunk_count", "updated_at")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fields = ("title", "slug", "lang", "status", "url", "tags", "body", "preview", "chunk_count", "updated_at")

    @admin.display(description="Preview")
    def preview(self, article: Article) -> str:
        if not article.body:
            return "-"
        # markdown-it escapes raw HTML and refuses javascript: links, so its output is safe.
        return format_html('<div class="knowledge-preview">{}</div>', mark_safe(render_markdown(article.body)))

    @admin.display(description="Indexed passages")
    def chunk_count(self, article: Article) -> int:
        return article.chunks.count() if article.pk else 0
