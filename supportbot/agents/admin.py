from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from supportbot.agents.labels import conversation_title_of, reason_in_words, with_titles

from supportbot.agents.models import (
    AgentProfile,
    CannedResponse,
    Handoff,
    ModerationRule,
    OfficeHours,
    Rating,
    Team,
    WebhookDelivery,
    WebhookEndpoint,
)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "is_default", "reasons", "supervisor_email"]


@admin.register(AgentProfile)
class AgentProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "team", "max_concurrent", "last_offered_at"]
    list_filter = ["team"]


@admin.register(Handoff)
class HandoffAdmin(admin.ModelAdmin):
    list_display = ["titled", "reason_words", "team", "priority", "owner", "created_at", "ended_at"]
    list_filter = ["reason", "team", ("ended_at", admin.EmptyFieldListFilter)]
    raw_id_fields = ["conversation"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Handoff]:
        return with_titles(super().get_queryset(request), "conversation_id")

    @admin.display(description="conversation", ordering="first_question")
    def titled(self, handoff: Handoff) -> str:
        return conversation_title_of(handoff)

    @admin.display(description="reason", ordering="reason")
    def reason_words(self, handoff: Handoff) -> str:
        return reason_in_words(handoff.reason)


@admin.register(CannedResponse)
class CannedResponseAdmin(admin.ModelAdmin):
    list_display = ["title"]
    search_fields = ["title", "text"]


@admin.register(ModerationRule)
class ModerationRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "pattern", "active"]
    list_filter = ["active"]
    list_editable = ["active"]


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["conversation", "score", "comment", "created_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Rating]:
        return with_titles(super().get_queryset(request), "handoff__conversation_id")

    @admin.display(description="conversation")
    def conversation(self, rating: Rating) -> str:
        return conversation_title_of(rating)


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "active"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["endpoint", "state", "attempts", "last_status_code", "created_at"]
    list_filter = ["state"]
    readonly_fields = [field.name for field in WebhookDelivery._meta.fields]


@admin.register(OfficeHours)
class OfficeHoursAdmin(admin.ModelAdmin):
    """Supervisors set when people answer; outside these hours a waiting visitor is offered to be
    answered by email (agents.waiting). No rows: always open."""

    list_display = ["weekday", "opens", "closes", "time_zone"]
    list_filter = ["weekday"]
