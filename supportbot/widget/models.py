"""The website widget: which host sites may embed the chat, and the host users it has verified."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from supportbot.widget.origins import normalized_origin


class AllowedOrigin(models.Model):
    """A site that may show the chat widget (CSP frame-ancestors of the frame, WebSocket Origin)."""

    origin = models.CharField(
        max_length=255,
        unique=True,
        help_text="Scheme, host and port only, as a browser sends it: https://www.example.com",
    )
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["origin"]

    def __str__(self) -> str:
        return self.origin

    def clean(self) -> None:
        try:
            self.origin = normalized_origin(self.origin)
        except ValidationError as error:
            raise ValidationError({"origin": error.messages}) from error

    @classmethod
    def allows(cls, origin: str) -> bool:
        try:
            return cls.objects.filter(origin=normalized_origin(origin)).exists()
        except ValidationError:
            return False


class VerifiedVisitor(models.Model):
    """A host site's signed-in user, proven by an HMAC of their id (widget.identity). Their visitor
    id is derived from the user id, so every browser they use opens the same conversations."""

    user_id = models.CharField(max_length=255, unique=True)
    visitor_id = models.UUIDField(unique=True)
    name = models.CharField(max_length=150, blank=True)
    email = models.EmailField(blank=True)
    verified_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name or self.email or self.user_id
