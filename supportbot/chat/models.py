"""Conversations between an anonymous visitor and the bot (later also human agents)."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from supportbot.lib.languages import supported_language


class Conversation(models.Model):
    class Status(models.TextChoices):
        BOT = "bot", "Bot answers"
        PENDING = "pending", "Waiting for a person"
        OPEN = "open", "A person answers"
        RESOLVED = "resolved", "Resolved"

    class Source(models.TextChoices):
        WEB = "web", "Web chat"
        API = "api", "API"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # The owner: the anonymous visitor id from the signed cookie (see chat.identity).
    visitor_id = models.UUIDField(db_index=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.BOT)
    # API conversations are stateless calls of /v1/chat/completions (see supportbot.api), logged
    # here like chat turns; their visitor_id is the API key's id.
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.WEB)
    # The browser's preferred language (BCP 47 tag) when the conversation started.
    language = models.CharField(max_length=35, blank=True)
    # Where the visitor asked to be emailed the people's answers while they wait (agents.email_later);
    # blank when they did not. Never written to logs.
    visitor_email = models.EmailField(blank=True)
    # The name a host site vouched for with a signed claim (supportbot.widget.identity); blank for
    # anonymous visitors.
    visitor_name = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["visitor_id", "-updated_at"])]

    def __str__(self) -> str:
        return f"Conversation {self.id}"

    def visitor_language(self) -> str:
        """The language the visitor reads (settings.LANGUAGES): their page's when they last wrote,
        else their browser's. What people-side notices to them are written in."""
        written = (
            self.messages.filter(role=Message.Role.USER)
            .exclude(language="")
            .order_by("-id")
            .values_list("language", flat=True)
            .first()
        )
        return written or supported_language(self.language) or settings.LANGUAGE_CODE


class Message(models.Model):
    class Role(models.TextChoices):
        USER = "user", "Visitor"
        ASSISTANT = "assistant", "Bot"
        AGENT = "agent", "Agent"
        SYSTEM = "system", "System"

    class FinishReason(models.TextChoices):
        # The engine's reasons, plus "error" for replies that were lost or failed.
        STOP = "stop"
        LENGTH = "length"
        CANCELLED = "cancelled"
        TIMEOUT = "timeout"
        ERROR = "error"

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    text = models.TextField(blank=True)
    # Chosen by the browser for each send; a resend with the same id is answered, not repeated.
    client_message_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Agent messages: the name the visitor sees on them (the agent's, when they wrote it).
    author_name = models.CharField(max_length=150, blank=True)
    # Visitor messages: the help-center passages the model read with this turn (chat.grounding);
    # kept so that every later turn reads the same history.
    context = models.TextField(blank=True)
    # Visitor messages: the language of the page they were sent from (settings.LANGUAGES), which
    # the model is told to answer in, in this turn (never in the system prompt: the cached prefix
    # of the conversation stays the same). Blank for API calls and older messages.
    language = models.CharField(max_length=16, blank=True)
    # Bot replies: the help-center articles the reply drew on ({article_id, title, url, quote?}).
    citations = models.JSONField(default=list, blank=True)
    # Bot replies: what they show before the model's words, quoted and labelled (chat.grounding):
    # the telling lines of the visitor's screenshot and the help center's best passage.
    opening = models.TextField(blank=True)
    # Bot replies that say the help center has no answer: the page offers a person under them.
    offers_person = models.BooleanField(default=False)

    # Bot replies only. A reply row exists from the moment it is requested; it is being generated
    # while finish_reason is empty, by a process that holds its lease (chat.replies): a reply whose
    # lease lapsed lost that process and is generated again or failed. worker_id: where the
    # engine ran it.
    worker_id = models.CharField(max_length=100, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    # How many times this reply was started: one lost with its process is started again a
    # limited number of times (chat.replies).
    generation_attempts = models.PositiveSmallIntegerField(default=1)
    finish_reason = models.CharField(max_length=16, choices=FinishReason.choices, blank=True)
    error = models.TextField(blank=True)
    prompt_tokens = models.PositiveIntegerField(null=True, blank=True)
    cached_tokens = models.PositiveIntegerField(null=True, blank=True)
    completion_tokens = models.PositiveIntegerField(null=True, blank=True)
    ttft_ms = models.FloatField("time to first token (ms)", null=True, blank=True)
    total_ms = models.FloatField("total latency (ms)", null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "client_message_id"],
                condition=~models.Q(client_message_id=""),
                name="unique_client_message_id_per_conversation",
            )
        ]
        indexes = [
            models.Index(fields=["conversation", "finish_reason"]),
            # The sweep for replies whose lease lapsed reads only generating ones.
            models.Index(
                fields=["lease_expires_at"], condition=models.Q(finish_reason=""), name="generating_reply_lease"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role} message {self.id}"

    @property
    def is_generating(self) -> bool:
        return self.role == self.Role.ASSISTANT and not self.finish_reason


def attachment_path(_attachment: Attachment, filename: str) -> str:
    """A random storage name, so that names neither leak nor collide; the extension is ours."""
    extension = filename.rsplit(".", 1)[-1]
    return f"attachments/{timezone.now():%Y/%m}/{secrets.token_hex(16)}.{extension}"


class Attachment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="attachments"
    )
    # Empty between upload and the send that references it.
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    # The re-encoded image: orientation applied, metadata dropped.
    file = models.FileField(upload_to=attachment_path)
    content_type = models.CharField(max_length=32)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    # What OCR read in the image at upload ("" when nothing, or OCR is unavailable): the help
    # center is searched with it, and the reply can quote it.
    text = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Attachment {self.id}"
