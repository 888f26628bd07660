from django.contrib import admin

from supportbot.events.models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "conversation_id", "created_at", "delivered_at"]
    list_filter = ["kind", ("delivered_at", admin.EmptyFieldListFilter)]
    search_fields = ["conversation_id"]
    readonly_fields = [field.name for field in Event._meta.fields]
