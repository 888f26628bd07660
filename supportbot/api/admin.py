from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from supportbot.api.models import ApiCall, ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "prefix",
        "created_at",
        "revoked_at",
        "last_used_at",
        "request_count",
        "prompt_tokens",
        "cached_tokens",
        "completion_tokens",
        "requests_per_minute",
        "tokens_per_minute",
    ]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix"]
    readonly_fields = [
        "prefix",
        "created_at",
        "revoked_at",
        "last_used_at",
        "request_count",
        "prompt_tokens",
        "cached_tokens",
        "completion_tokens",
    ]
    actions = ["revoke"]

    def save_model(self, request: HttpRequest, obj: ApiKey, form, change: bool) -> None:  # noqa: ANN001
        token = None if change else obj.issue_token()
        super().save_model(request, obj, form, change)
        if token:
            # The only time the plaintext exists outside the client: only its hash is stored.
            self.message_user(
                request,
                f"The new API key is {token} — copy it now, it will not be shown again.",
                messages.WARNING,
            )

    @admin.action(description="Revoke the selected API keys")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        revoked = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"Revoked {revoked} API key(s).")


@admin.register(ApiCall)
class ApiCallAdmin(admin.ModelAdmin):
    list_display = ["id", "api_key", "conversation", "stream", "from_result_cache", "created_at"]
    list_filter = ["from_result_cache", "stream", "api_key"]
    raw_id_fields = ["api_key", "conversation"]
