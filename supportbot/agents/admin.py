from django.contrib import admin

from supportbot.agents.models import (
    AgentProfile,
    CannedResponse,
    Handoff,
    ModerationRule,
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
    list_display = ["conversation", "reason", "team", "priority", "owner", "created_at", "ended_at"]
    list_filter = ["reason", "team", ("ended_at", admin.EmptyFieldListFilter)]
    raw_id_fields = ["conversation"]


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
    list_display = ["handoff", "score", "comment", "created_at"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "active"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["endpoint", "state", "attempts", "last_status_code", "created_at"]
    list_filter = ["state"]
    readonly_fields = [field.name for field in WebhookDelivery._meta.fields]
