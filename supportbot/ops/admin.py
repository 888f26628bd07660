"""Log review in the admin: conversations (with their transcript), messages, escalations, events,
screenshots and the audit log. Everything here is read-only; conversations can be exported and,
with the delete permission, deleted together with their files. Reading a transcript, exporting
and deleting are recorded in the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ORDER_VAR
from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponseBase
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from supportbot.agents.labels import DELETED, conversation_title, conversation_title_of, with_titles
from supportbot.chat.models import Attachment, Conversation, Message
from supportbot.events.models import Event
from supportbot.ops import audit, filters
from supportbot.ops.export import export_response
from supportbot.ops.models import AuditEntry, Escalation
from supportbot.ops.privacy import delete_conversations
from supportbot.ops.search import matching_messages


def conversation_link(row: Any, anchor: str = "") -> str:
    """A link to the transcript, titled by the visitor and the first question; `row` was
    annotated by TitledConversationsAdmin (labels.with_titles)."""
    conversation_id = getattr(row, "conversation_id", None)
    if conversation_id is None:
        return "–"
    title = conversation_title_of(row)
    if title == DELETED:
        return title  # nothing to link to: the audit log outlives what it records
    url = reverse("admin:chat_conversation_change", args=[conversation_id])
    return format_html('<a href="{}{}">{}</a>', url, anchor, title)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Logs are evidence: nobody adds or edits them here, and only conversations are deleted.
    Rows that point at a conversation (`conversation_field`) carry what titles it."""

    list_per_page = 50
    conversation_field: str | None = "conversation_id"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        return with_titles(queryset, self.conversation_field) if self.conversation_field else queryset

    class Media:
        css = {"all": ["ops/ops.css"]}  # the date range filter's form

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ExportAdmin(ReadOnlyAdmin):
    """Admin actions that stream the messages of the selected rows (or of every row the filters
    matched, with "select all") as CSV or JSON Lines."""

    actions = ["export_csv", "export_csv_for_spreadsheets", "export_jsonl"]

    def messages_of(self, queryset: QuerySet) -> QuerySet[Message]:
        raise NotImplementedError

    def has_export_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("ops.export_logs")

    @admin.action(description="Export their messages as CSV", permissions=["export"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet) -> HttpResponseBase:
        return export_response(request, self.messages_of(queryset), "csv", self.opts.model_name)

    @admin.action(
        description="Export their messages as CSV for Excel (UTF-8 with BOM, shows Chinese right)",
        permissions=["export"],
    )
    def export_csv_for_spreadsheets(self, request: HttpRequest, queryset: QuerySet) -> HttpResponseBase:
        return export_response(request, self.messages_of(queryset), "csv", self.opts.model_name, bom=True)

    @admin.action(description="Export their messages as JSON Lines", permissions=["export"])
    def export_jsonl(self, request: HttpRequest, queryset: QuerySet) -> HttpResponseBase:
        return export_response(request, self.messages_of(queryset), "jsonl", self.opts.model_name)


class MessageTextSearchAdmin(ExportAdmin):
    """On PostgreSQL the search box is a full-text query on message text (see ops.search), and
    the "=" search fields still find a row by its exact id. Elsewhere (SQLite, the embedded setup)
    it is the admin's substring search over search_fields."""

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        if connections[queryset.db].vendor != "postgresql" or not search_term.strip():
            return super().get_search_results(request, queryset, search_term)
        return self.full_text_results(request, queryset, search_term), False

    def full_text_results(self, request: HttpRequest, queryset: QuerySet, search_term: str) -> QuerySet:
        raise NotImplementedError

    def id_matches(self, request: HttpRequest, search_term: str) -> Q:
        """The rows whose "=" search fields equal the whole term, where it is a valid value."""
        matches = Q()
        for spec in self.get_search_fields(request):
            if not spec.startswith("="):
                continue
            name = spec.removeprefix("=")
            try:
                value = self.opts.get_field(name).to_python(search_term.strip())
            except ValidationError:
                continue
            matches |= Q(**{name: value})
        return matches


@admin.register(Conversation)
class ConversationAdmin(MessageTextSearchAdmin):
    list_display = ["titled", "source", "status", "message_count", "language", "created_at", "updated_at"]
    conversation_field = "pk"
    list_filter = [
        "status",
        "source",
        filters.EscalatedFilter,
        ("handoffs__reason", filters.titled(admin.ChoicesFieldListFilter, "trigger")),
        ("handoffs__team", filters.titled(admin.RelatedOnlyFieldListFilter, "team")),
        ("handoffs__owner", filters.titled(admin.RelatedOnlyFieldListFilter, "agent")),
        filters.RatingFilter,
        filters.ConversationHasScreenshotFilter,
        filters.ConversationSlowReplyFilter,
        filters.ModelFilter,
        ("created_at", filters.DateRangeFilter),
    ]
    search_fields = ["=id", "=visitor_id", "messages__text"]
    search_help_text = "Words from any message, or a conversation or visitor id."
    ordering = ["-created_at"]
    actions = [*ExportAdmin.actions, "delete_with_files"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Conversation]:
        return super().get_queryset(request).annotate(message_count=Count("messages", distinct=True))

    @admin.display(description="conversation", ordering="first_question")
    def titled(self, conversation: Conversation) -> str:
        return conversation_title_of(conversation)

    @admin.display(description="messages", ordering="message_count")
    def message_count(self, conversation: Conversation) -> int:
        return conversation.message_count

    def full_text_results(
        self, request: HttpRequest, queryset: QuerySet[Conversation], search_term: str
    ) -> QuerySet[Conversation]:
        # A subquery rather than a join: one row per conversation however many messages match.
        in_text = Q(pk__in=matching_messages(search_term).values("conversation_id"))
        return queryset.filter(in_text | self.id_matches(request, search_term))

    def messages_of(self, queryset: QuerySet[Conversation]) -> QuerySet[Message]:
        return Message.objects.filter(conversation__in=queryset.values("pk"))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("chat.delete_conversation")

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # it would leave the screenshot files behind
        return actions

    @admin.action(description="Delete them with their screenshots and events", permissions=["delete"])
    def delete_with_files(self, request: HttpRequest, queryset: QuerySet[Conversation]) -> None:
        self.delete_queryset(request, queryset)
        self.message_user(request, f"Deleted {len(queryset)} conversations and their files.")

    def delete_model(self, request: HttpRequest, obj: Conversation) -> None:
        self.delete_queryset(request, Conversation.objects.filter(pk=obj.pk))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Conversation]) -> None:
        ids = list(queryset.values_list("pk", flat=True))
        delete_conversations(Conversation.objects.filter(pk__in=ids))
        for conversation_id in ids:
            audit.record(request.user, AuditEntry.Action.DELETE, conversation_id, by="admin")

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> TemplateResponse:
        """The transcript, in place of a form: every message with its usage and screenshots."""
        conversation = self.get_object(request, unquote(object_id))
        if conversation is None or not self.has_view_permission(request, conversation):
            raise Http404("No such conversation.")
        audit.record(request.user, AuditEntry.Action.VIEW, conversation.id)
        title = conversation_title(conversation)
        transcript = conversation.messages.prefetch_related("attachments").select_related("feedback")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Transcript of {title}",
            "conversation_title": title,
            "conversation": conversation,
            "transcript": transcript,
            "escalations": conversation.handoffs.select_related("team", "owner", "rating"),
            "event_count": Event.objects.filter(conversation_id=conversation.id).count(),
            "has_delete_permission": self.has_delete_permission(request, conversation),
        }
        return TemplateResponse(request, "admin/ops/transcript.html", context)


@admin.register(Message)
class MessageAdmin(MessageTextSearchAdmin):
    list_display = [
        "id",
        "conversation_column",
        "role",
        "excerpt",
        "finish_reason",
        "prompt_tokens",
        "cached_tokens",
        "completion_tokens",
        "ttft_ms",
        "created_at",
    ]
    list_filter = [
        "role",
        "finish_reason",
        "conversation__status",
        filters.MessageHasScreenshotFilter,
        filters.MessageSlowReplyFilter,
        filters.MessageModelFilter,
        ("created_at", filters.DateRangeFilter),
    ]
    search_fields = ["text"]
    search_help_text = "Words from the message text."
    ordering = ["-id"]
    # The changelist's count of 100k rows is exact but slow; the filters matter more.
    show_full_result_count = False

    @admin.display(description="conversation", ordering="conversation_id")
    def conversation_column(self, message: Message) -> str:
        return conversation_link(message, f"#message-{message.id}")

    @admin.display(description="text")
    def excerpt(self, message: Message) -> str:
        return message.text if len(message.text) <= 80 else f"{message.text[:80]}…"

    def full_text_results(
        self, request: HttpRequest, queryset: QuerySet[Message], search_term: str
    ) -> QuerySet[Message]:
        matches = matching_messages(search_term, queryset)
        if request.GET.get(ORDER_VAR):
            return matches  # a column the reader sorted by wins
        # Most relevant first; the changelist's ordering (newest first) breaks ties.
        return matches.order_by("-search_rank", *queryset.query.order_by)

    def messages_of(self, queryset: QuerySet[Message]) -> QuerySet[Message]:
        return queryset


@admin.register(Escalation)
class EscalationAdmin(ExportAdmin):
    list_display = ["conversation_column", "reason", "team", "owner", "priority", "created_at", "claimed_at", "ended_at", "score"]
    list_filter = [
        ("reason", filters.titled(admin.ChoicesFieldListFilter, "trigger")),
        "team",
        ("owner", filters.titled(admin.RelatedOnlyFieldListFilter, "agent")),
        filters.EscalationRatingFilter,
        ("ended_at", admin.EmptyFieldListFilter),
        ("created_at", filters.DateRangeFilter),
    ]
    search_fields = ["=conversation__id", "detail", "summary"]
    ordering = ["-created_at"]
    list_select_related = ["team", "owner", "rating"]

    @admin.display(description="conversation", ordering="conversation_id")
    def conversation_column(self, escalation: Escalation) -> str:
        return conversation_link(escalation)

    @admin.display(description="rating", ordering="rating__score")
    def score(self, escalation: Escalation) -> str:
        rating = getattr(escalation, "rating", None)
        return "★" * rating.score if rating else "–"

    def messages_of(self, queryset: QuerySet[Escalation]) -> QuerySet[Message]:
        return Message.objects.filter(conversation__in=queryset.values("conversation_id"))


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "conversation_column", "data", "created_at", "delivered_at"]
    list_filter = ["kind", ("delivered_at", admin.EmptyFieldListFilter), ("created_at", filters.DateRangeFilter)]
    search_fields = ["=conversation_id"]
    ordering = ["-id"]
    show_full_result_count = False

    @admin.display(description="conversation", ordering="conversation_id")
    def conversation_column(self, event: Event) -> str:
        return conversation_link(event)


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["id", "conversation_column", "content_type", "width", "height", "size", "created_at"]
    list_filter = ["content_type", ("created_at", filters.DateRangeFilter)]

    @admin.display(description="conversation", ordering="conversation_id")
    def conversation_column(self, attachment: Attachment) -> str:
        return conversation_link(attachment)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "username", "action", "conversation_column", "detail"]
    list_filter = ["action", ("created_at", filters.DateRangeFilter)]
    search_fields = ["username", "=conversation_id"]

    @admin.display(description="conversation", ordering="conversation_id")
    def conversation_column(self, entry: AuditEntry) -> str:
        return conversation_link(entry)
