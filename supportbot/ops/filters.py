"""List filters of the log review admin that Django does not have built in."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.db.models import Exists, OuterRef, QuerySet

from supportbot.agents.models import Handoff
from supportbot.chat.models import Attachment, Message
from supportbot.events.models import Event

# The events of bot replies, which name the model that wrote them.
REPLY_KINDS = {Event.Kind.MESSAGE_OUT, Event.Kind.MODEL_ERROR}


class DateRangeFilter(admin.FieldListFilter):
    """From and to dates (both inclusive) as two date inputs; used as ("created_at", DateRangeFilter)."""

    template = "admin/ops/date_range_filter.html"

    def __init__(self, field: Any, request: Any, params: Any, model: Any, model_admin: Any, field_path: str) -> None:
        self.since_parameter = f"{field_path}__date__gte"
        self.until_parameter = f"{field_path}__date__lte"
        super().__init__(field, request, params, model, model_admin, field_path)

    def expected_parameters(self) -> list[str]:
        return [self.since_parameter, self.until_parameter]

    def choices(self, changelist: Any) -> list[dict[str, Any]]:
        own = set(self.expected_parameters())
        return [
            {
                "since_name": self.since_parameter,
                "until_name": self.until_parameter,
                "since": changelist.params.get(self.since_parameter, ""),
                "until": changelist.params.get(self.until_parameter, ""),
                # The other filters and the search stay as they are when the range changes.
                "keep": [(name, value) for name, value in changelist.params.items() if name not in own],
                "clear": changelist.get_query_string(remove=list(own)),
            }
        ]


class _YesNoFilter(admin.SimpleListFilter):
    """A yes/no filter on whether a related row exists (subclasses give exists())."""

    def lookups(self, request: Any, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Yes"), ("no", "No")]

    def exists(self) -> Exists:
        raise NotImplementedError

    def queryset(self, request: Any, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(self.exists())
        if self.value() == "no":
            return queryset.exclude(self.exists())
        return queryset


class EscalatedFilter(_YesNoFilter):
    title = "escalated"
    parameter_name = "escalated"

    def exists(self) -> Exists:
        return Exists(Handoff.objects.filter(conversation=OuterRef("pk")))


class ConversationHasScreenshotFilter(_YesNoFilter):
    title = "has screenshot"
    parameter_name = "screenshot"

    def exists(self) -> Exists:
        return Exists(Attachment.objects.filter(conversation=OuterRef("pk")))


class MessageHasScreenshotFilter(_YesNoFilter):
    title = "has screenshot"
    parameter_name = "screenshot"

    def exists(self) -> Exists:
        return Exists(Attachment.objects.filter(message=OuterRef("pk")))


class ConversationSlowReplyFilter(_YesNoFilter):
    title = f"a reply slower than {settings.SLOW_REPLY_TTFT_MS / 1000:g} s to its first token"
    parameter_name = "slow"

    def exists(self) -> Exists:
        return Exists(
            Message.objects.filter(conversation=OuterRef("pk"), ttft_ms__gt=settings.SLOW_REPLY_TTFT_MS)
        )


class MessageSlowReplyFilter(admin.SimpleListFilter):
    title = f"slower than {settings.SLOW_REPLY_TTFT_MS / 1000:g} s to the first token"
    parameter_name = "slow"

    def lookups(self, request: Any, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Yes")]

    def queryset(self, request: Any, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(ttft_ms__gt=settings.SLOW_REPLY_TTFT_MS)
        return queryset


class ModelFilter(admin.SimpleListFilter):
    """The model that wrote the bot replies, as stored on their events (chat.replies)."""

    title = "model"
    parameter_name = "model"
    # The event's field that points at the filtered row.
    event_field = "conversation_id"

    def lookups(self, request: Any, model_admin: Any) -> list[tuple[str, str]]:
        # order_by(): Event's default ordering (id) would join the DISTINCT and make every event
        # its own entry (one link per message).
        names = (
            Event.objects.filter(kind__in=REPLY_KINDS, data__has_key="model")
            .order_by()
            .values_list("data__model", flat=True)
            .distinct()
        )
        return [(name, name) for name in sorted(names)]

    def queryset(self, request: Any, queryset: QuerySet) -> QuerySet:
        if not self.value():
            return queryset
        events = Event.objects.filter(kind__in=REPLY_KINDS, data__model=self.value())
        return queryset.filter(Exists(events.filter(**{self.event_field: OuterRef("pk")})))


class MessageModelFilter(ModelFilter):
    event_field = "data__message"


class RatingFilter(admin.SimpleListFilter):
    """The visitor's 1-5 rating; `prefix` is the path from the filtered model to a Handoff."""

    title = "rating"
    parameter_name = "rating"
    prefix = "handoffs__"

    def lookups(self, request: Any, model_admin: Any) -> list[tuple[str, str]]:
        return [(str(score), "★" * score) for score in range(5, 0, -1)] + [("none", "Not rated")]

    def queryset(self, request: Any, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value == "none":
            return queryset.filter(**{f"{self.prefix}rating__isnull": True})
        if value:
            return queryset.filter(**{f"{self.prefix}rating__score": value}).distinct()
        return queryset


class EscalationRatingFilter(RatingFilter):
    prefix = ""


def titled(filter_class: type[admin.FieldListFilter], title: str) -> type[admin.FieldListFilter]:
    """A field's filter shown under the name log reviewers use ("trigger" for handoffs__reason)."""

    def __init__(self: admin.FieldListFilter, *args: Any, **kwargs: Any) -> None:
        filter_class.__init__(self, *args, **kwargs)
        self.title = title

    return type(f"{filter_class.__name__}As{title.title()}", (filter_class,), {"__init__": __init__})
