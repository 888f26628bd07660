from django.contrib import admin

from supportbot.chat.models import Attachment, Conversation, Message


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    fields = [
        "role",
        "text",
        "finish_reason",
        "completion_tokens",
        "cached_tokens",
        "ttft_ms",
        "created_at",
    ]
    readonly_fields = fields
    can_delete = False


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ["id", "source", "status", "language", "created_at", "updated_at"]
    list_filter = ["source", "status"]
    search_fields = ["id", "visitor_id"]
    inlines = [MessageInline]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "conversation",
        "role",
        "finish_reason",
        "prompt_tokens",
        "cached_tokens",
        "completion_tokens",
        "ttft_ms",
        "total_ms",
        "created_at",
    ]
    list_filter = ["role", "finish_reason"]
    search_fields = ["text", "conversation__id"]
    raw_id_fields = ["conversation"]


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["id", "conversation", "content_type", "width", "height", "size", "created_at"]
    raw_id_fields = ["conversation", "message"]
