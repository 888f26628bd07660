from django.contrib import admin

from supportbot.widget.models import AllowedOrigin, VerifiedVisitor


@admin.register(AllowedOrigin)
class AllowedOriginAdmin(admin.ModelAdmin):
    list_display = ("origin", "note", "created_at")
    search_fields = ("origin", "note")


@admin.register(VerifiedVisitor)
class VerifiedVisitorAdmin(admin.ModelAdmin):
    """Read-only: rows come from host sites' signed claims, never from a form."""

    list_display = ("user_id", "name", "email", "verified_at")
    search_fields = ("user_id", "name", "email")
    readonly_fields = ("user_id", "visitor_id", "name", "email", "verified_at")

    def has_add_permission(self, request) -> bool:
        return False
