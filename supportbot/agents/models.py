"""People who take over conversations from the bot: teams, agents, handoffs and what agents use."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import regex
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from supportbot.chat.models import Conversation, Message


def display_name(user: AbstractBaseUser) -> str:
    """How visitors and other agents see an agent: the first name, else the username."""
    return user.get_short_name() or user.get_username()


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
    # Escalation reasons this team takes (e.g. "abuse"); the default team takes everything else.
    reasons = models.JSONField(default=list, blank=True)
    is_default = models.BooleanField(default=False)
    supervisor_email = models.EmailField(blank=True)

    def __str__(self) -> str:
        return self.name


class AgentProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_profile"
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="agents")
    max_concurrent = models.PositiveSmallIntegerField(default=3)
    # Round-robin order: the online agent with room who was offered a conversation longest ago.
    last_offered_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user} ({self.team})"


class ConsolePresence(models.Model):
    """One open agent-console socket; an agent with a fresh one is online."""

    channel_name = models.CharField(max_length=200, primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    last_seen = models.DateTimeField(default=timezone.now)


class Handoff(models.Model):
    """One stretch of a conversation owned by people: from escalation until resolved or handed
    back. At most one is active per conversation, which makes escalation idempotent."""

    class Reason(models.TextChoices):
        USER_BUTTON = "user_button"
        USER_WORDS = "user_words"
        BOT_FAILURES = "bot_failures"
        ABUSE = "abuse"
        REPEATED_QUESTION = "repeated_question"
        THUMBS_DOWN = "thumbs_down"
        BOT_HANDOFF_MARKER = "bot_handoff_marker"  # the model said it cannot help
        LOW_CONFIDENCE = "low_confidence"  # the model was unsure of its reply
        MODERATION = "moderation"  # a moderation rule flagged the visitor's message
        NO_ANSWER = "no_answer"  # the help center had no answer and the visitor took the offer

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="handoffs"
    )
    reason = models.CharField(max_length=32, choices=Reason.choices)
    detail = models.CharField(max_length=300, blank=True)
    summary = models.TextField(blank=True)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL)
    priority = models.PositiveSmallIntegerField(default=0)
    # Offered: the agent notified to take it. Owner: the agent who claimed it.
    offered_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="owned_handoffs",
    )
    created_at = models.DateTimeField(default=timezone.now)
    offered_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    sla_breaches = models.PositiveSmallIntegerField(default=0)

    class Meta:
        permissions = [
            ("use_console", "Can use the agent console and answer conversations"),
            ("supervise", "Can see every conversation and transfer or take over any of them"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation"],
                condition=models.Q(ended_at__isnull=True),
                name="one_active_handoff_per_conversation",
            )
        ]

    def __str__(self) -> str:
        return f"Handoff of {self.conversation_id} ({self.reason})"


class ReadMark(models.Model):
    """How far an agent has read a conversation: the console's unread counts are the visitor's
    messages after this one. Kept on the server so that a reload or a second tab agrees."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    # The id of the newest message the agent has seen (0: none yet).
    last_read_message_id = models.BigIntegerField(default=0)
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "conversation"], name="one_read_mark_per_agent_and_conversation")
        ]


class Note(models.Model):
    """A private note between agents; never sent to the visitor."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)


def validate_pattern(pattern: str) -> None:
    try:
        regex.compile(pattern)  # the module agents.triggers matches with
    except regex.error as error:
        raise ValidationError(f"Not a valid regular expression: {error}") from error


class ModerationRule(models.Model):
    """Visitor messages that match hand the conversation to people (reason "moderation"; a team
    whose reasons list "moderation" takes them). Managed in the admin."""

    name = models.CharField(max_length=100, unique=True)
    pattern = models.CharField(
        max_length=500,
        validators=[validate_pattern],
        help_text="A regular expression (Python syntax), matched case-insensitively anywhere in the message.",
    )
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.name


def validate_time_zone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValidationError(f"Not a known time zone: {name}") from error


class OfficeHours(models.Model):
    """When people answer: one opening stretch on one weekday, in a time zone (blank: the site's
    TIME_ZONE). No rows at all means always open (agents.office_hours). A stretch ends the same
    day; a night shift is two rows."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0
        TUESDAY = 1
        WEDNESDAY = 2
        THURSDAY = 3
        FRIDAY = 4
        SATURDAY = 5
        SUNDAY = 6

    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField()
    time_zone = models.CharField(
        max_length=64, blank=True, validators=[validate_time_zone],
        help_text="An IANA name such as Europe/Berlin; blank: the site's TIME_ZONE setting.",
    )

    class Meta:
        ordering = ["weekday", "opens"]
        verbose_name_plural = "office hours"

    def clean(self) -> None:
        if self.opens is not None and self.closes is not None and self.opens >= self.closes:
            raise ValidationError("Opening must be before closing on the same day.")

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"


class CannedResponse(models.Model):
    title = models.CharField(max_length=100, unique=True)
    text = models.TextField()

    def __str__(self) -> str:
        return self.title


class MessageFeedback(models.Model):
    """The visitor's thumbs up or down on a bot reply."""

    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="feedback")
    helpful = models.BooleanField()
    created_at = models.DateTimeField(default=timezone.now)


class Rating(models.Model):
    """Customer satisfaction after a resolved handoff."""

    handoff = models.OneToOneField(Handoff, on_delete=models.CASCADE, related_name="rating")
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)


class WebhookEndpoint(models.Model):
    url = models.URLField()
    # Keys the HMAC-SHA256 of the timestamp and body in the X-SupportBot-Signature header.
    secret = models.CharField(max_length=200)
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    class State(models.TextChoices):
        PENDING = "pending"
        DELIVERED = "delivered"
        FAILED = "failed"

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    body = models.TextField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # While pending: when beat's sweep queues the next attempt (agents.webhooks).
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
