"""API keys and the log of API calls. A call's messages and reply are stored as a chat
Conversation (source = api), so they show up in the conversation logs like chat turns."""

from __future__ import annotations

import hashlib
import secrets
import uuid

from django.db import models
from django.db.models import F
from django.utils import timezone

from supportbot.chat.models import Conversation

TOKEN_PREFIX = "sb-"


def hash_token(token: str) -> str:
    """A plain SHA-256 is enough: tokens carry 256 random bits, so there is nothing to brute-force
    (slow password hashes exist for guessable secrets)."""
    return hashlib.sha256(token.encode()).hexdigest()


class ApiKey(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=100, help_text="Who uses this key, e.g. 'review pipeline'.")
    # The token's first characters, enough to tell keys apart in logs and the admin.
    prefix = models.CharField(max_length=16, editable=False, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    requests_per_minute = models.PositiveIntegerField(default=60)
    tokens_per_minute = models.PositiveIntegerField(
        default=100_000, help_text="Prompt plus completion tokens."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Running totals, updated after every call (the per-call detail is in ApiCall).
    request_count = models.PositiveBigIntegerField(default=0, editable=False)
    prompt_tokens = models.PositiveBigIntegerField(default=0, editable=False)
    cached_tokens = models.PositiveBigIntegerField(default=0, editable=False)
    completion_tokens = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def issue_token(self) -> str:
        """Give the key a new secret; returns the plaintext, which is stored nowhere."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        self.prefix = token[:11]
        self.key_hash = hash_token(token)
        return token

    def add_usage(self, prompt_tokens: int, cached_tokens: int, completion_tokens: int) -> None:
        ApiKey.objects.filter(pk=self.pk).update(
            request_count=F("request_count") + 1,
            prompt_tokens=F("prompt_tokens") + prompt_tokens,
            cached_tokens=F("cached_tokens") + cached_tokens,
            completion_tokens=F("completion_tokens") + completion_tokens,
            last_used_at=timezone.now(),
        )


class ApiCall(models.Model):
    """One /v1/chat/completions call: which key, and whether the result cache answered it."""

    api_key = models.ForeignKey(ApiKey, on_delete=models.PROTECT, related_name="calls")
    conversation = models.OneToOneField(
        Conversation, on_delete=models.CASCADE, related_name="api_call"
    )
    stream = models.BooleanField(default=False)
    from_result_cache = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "API call"
        indexes = [models.Index(fields=["api_key", "-created_at"])]

    def __str__(self) -> str:
        return f"API call {self.pk}"
