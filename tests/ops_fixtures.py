"""Shared pieces for the ops tests: people in each role, conversations with the things the log
filters look at (escalations, ratings, screenshots, slow replies)."""

from __future__ import annotations

import importlib
from datetime import datetime

from django.apps import apps
from django.contrib.auth.models import Group, User
from django.utils import timezone

from supportbot.agents.models import Handoff, Rating, Team
from supportbot.chat.models import Attachment, Conversation, Message
from supportbot.chat.uploads import store_image
from supportbot.lib.images import decode_image
from tests.agent_fixtures import PASSWORD, role
from tests.chat_fixtures import new_conversation, screenshot_png

_ops_role = importlib.import_module("supportbot.ops.migrations.0002_ops_role")


def ops_role() -> Group:
    """The ops group with its permissions (transactional tests flush what the migration made)."""
    role("ops")
    _ops_role.grant_ops_permissions(apps, None)
    return Group.objects.get(name="ops")


def ops_user(username: str = "olivia") -> User:
    user = User.objects.create_user(username, f"{username}@example.com", PASSWORD, is_staff=True)
    user.groups.add(ops_role())
    return user


def superuser(username: str = "root") -> User:
    return User.objects.create_superuser(username, f"{username}@example.com", PASSWORD)


def bot_turn(
    conversation: Conversation, question: str, answer: str = "An answer.", ttft_ms: float = 120.0
) -> Message:
    Message.objects.create(conversation=conversation, role=Message.Role.USER, text=question)
    return Message.objects.create(
        conversation=conversation,
        role=Message.Role.ASSISTANT,
        text=answer,
        finish_reason=Message.FinishReason.STOP,
        prompt_tokens=300,
        cached_tokens=200,
        completion_tokens=40,
        ttft_ms=ttft_ms,
        total_ms=ttft_ms + 900,
    )


def escalated(
    conversation: Conversation,
    reason: str,
    team: Team,
    owner: User | None = None,
    score: int | None = None,
) -> Handoff:
    now = timezone.now()
    handoff = Handoff.objects.create(
        conversation=conversation, reason=reason, team=team, owner=owner, claimed_at=now, ended_at=now
    )
    if score is not None:
        Rating.objects.create(handoff=handoff, score=score)
    return handoff


def with_screenshot(conversation: Conversation) -> Attachment:
    message = Message.objects.create(conversation=conversation, role=Message.Role.USER, text="See this")
    # Its own picture: identical ones would share one stored file (chat.uploads).
    return store_image(conversation, decode_image(screenshot_png(label=f"Error {conversation.pk}")), message)


def conversation_created_at(when: datetime) -> Conversation:
    conversation = new_conversation()
    Conversation.objects.filter(pk=conversation.pk).update(created_at=when, updated_at=when)
    conversation.refresh_from_db()
    return conversation
