"""A plausible month (or more) of traffic for trying the log review and the dashboard: visitors,
bot replies with realistic usage, escalations handled by demo agents, ratings, a few screenshots.
Deterministic for a given seed. Used by `manage.py generate_demo_data` and the tests."""

from __future__ import annotations

import io
import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from supportbot.agents.models import AgentProfile, Handoff, Rating, Team
from supportbot.chat.models import Conversation, Message
from supportbot.chat.uploads import store_image
from supportbot.events.models import Event
from supportbot.lib.images import decode_image

QUESTIONS = [
    "Why was I charged twice this month?",
    "The app shows error 42 when I log in",
    "How do I change my delivery address?",
    "Can I get a refund for order 5521?",
    "The screen stays white after the update",
    "Where do I find my invoice?",
    "My password reset mail never arrives",
    "Is there a student discount?",
]
ANSWERS = [
    "I am sorry about that. Duplicate charges are usually a pending authorisation that disappears "
    "within three days.",
    "Error 42 means the session expired: sign out, then sign in again.",
    "Open Settings, then Addresses, and choose Edit next to your delivery address.",
    "Refunds are possible within 30 days; I can start one for you.",
]
# Escalation triggers, weighted by how often they happen.
TRIGGERS = {
    Handoff.Reason.USER_BUTTON: 5,
    Handoff.Reason.USER_WORDS: 3,
    Handoff.Reason.BOT_FAILURES: 2,
    Handoff.Reason.THUMBS_DOWN: 2,
    Handoff.Reason.REPEATED_QUESTION: 1,
    Handoff.Reason.ABUSE: 1,
}
AGENT_NAMES = ["alex", "sam", "kim", "noor"]
MODELS = ["smollm2-135m", "zai-org/GLM-4.6V-Flash"]


@dataclass
class Batch:
    """Rows collected for bulk inserts (one round trip per table and day)."""

    conversations: list[Conversation] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    handoffs: list[Handoff] = field(default_factory=list)
    ratings: list[tuple[int, int, datetime]] = field(default_factory=list)  # handoff index, score
    events: list[Event] = field(default_factory=list)
    screenshots: list[Message] = field(default_factory=list)


def generate(days: int, per_day: int = 40, seed: int = 1, now: datetime | None = None) -> int:
    """Conversations over the last `days` days, today included as in the dashboard's periods
    (about per_day a day, fewer at weekends); returns how many."""
    rng = random.Random(seed)
    now = now or timezone.now()
    agents = _demo_agents()
    total = 0
    for day in range(days - 1, -1, -1):
        start = (now - timedelta(days=day)).replace(hour=0, minute=0, second=0, microsecond=0)
        weekend = start.weekday() >= 5
        count = max(1, int(rng.gauss(per_day * (0.55 if weekend else 1.0), per_day * 0.12)))
        batch = Batch()
        # Half way through, the deployment moved from the CPU model to the GPU one.
        model = MODELS[0] if day > days // 2 else MODELS[1]
        for _ in range(count):
            opened = start + timedelta(seconds=rng.uniform(7 * 3600, 22 * 3600))
            _conversation(rng, batch, min(opened, now - timedelta(minutes=5)), agents, model)
        _store(batch)
        total += count
    return total


def _demo_agents() -> list[User]:
    teams = [
        Team.objects.get_or_create(name="Support", defaults={"is_default": True})[0],
        Team.objects.get_or_create(name="Trust & Safety", defaults={"reasons": ["abuse"]})[0],
    ]
    group, _ = Group.objects.get_or_create(name="agents")
    agents = []
    for index, name in enumerate(AGENT_NAMES):
        user, created = User.objects.get_or_create(
            username=f"demo-{name}", defaults={"first_name": name.title(), "is_staff": True}
        )
        if created:
            user.set_unusable_password()
            user.save()
            user.groups.add(group)
            AgentProfile.objects.create(user=user, team=teams[index % len(teams)])
        agents.append(user)
    return agents


def _conversation(rng: random.Random, batch: Batch, opened: datetime, agents: list[User], model: str) -> None:
    conversation = Conversation(
        visitor_id=uuid.uuid4(), language=rng.choice(["en", "en", "de", "fr", "zh"]), created_at=opened
    )
    batch.conversations.append(conversation)
    at = opened
    prompt = 0
    turns = rng.choice([1, 1, 2, 2, 3, 4, 6])
    for turn in range(turns):
        question = Message(conversation=conversation, role=Message.Role.USER, text=rng.choice(QUESTIONS), created_at=at)
        batch.messages.append(question)
        if rng.random() < 0.06:
            batch.screenshots.append(question)
        batch.events.append(Event(kind=Event.Kind.MESSAGE_IN, conversation_id=conversation.id, created_at=at))
        reply = _bot_reply(rng, conversation, at, prompt, turn)
        prompt = reply.prompt_tokens + reply.completion_tokens
        at = reply.created_at + timedelta(milliseconds=reply.total_ms + rng.uniform(20_000, 120_000))
        batch.messages.append(reply)
        batch.events.append(
            Event(
                kind=Event.Kind.MESSAGE_OUT,
                conversation_id=conversation.id,
                created_at=at,
                data={"finish_reason": reply.finish_reason, "ttft_ms": reply.ttft_ms, "model": model},
            )
        )
    conversation.status = Conversation.Status.BOT
    if rng.random() < 0.14:
        _escalation(rng, batch, conversation, at, agents)


def _bot_reply(rng: random.Random, conversation: Conversation, at: datetime, history: int, turn: int) -> Message:
    """Later turns find the conversation's earlier tokens in the KV cache and start faster."""
    prompt_tokens = history + rng.randint(40, 160) + (180 if turn == 0 else 0)
    cached = 0 if turn == 0 or rng.random() < 0.08 else history
    new_tokens = prompt_tokens - cached
    ttft = rng.lognormvariate(4.6, 0.35) + new_tokens * rng.uniform(0.6, 1.4)
    if rng.random() < 0.03:
        ttft += rng.uniform(1500, 4000)  # a cold worker or a full batch
    completion = rng.randint(25, 220)
    tokens_per_s = rng.gauss(42, 6)
    failed = rng.random() < 0.015
    return Message(
        conversation=conversation,
        role=Message.Role.ASSISTANT,
        text="" if failed else rng.choice(ANSWERS),
        created_at=at + timedelta(milliseconds=300),
        worker_id=f"worker-{rng.randint(1, 2)}",
        finish_reason=Message.FinishReason.ERROR if failed else Message.FinishReason.STOP,
        error="The assistant could not answer because of an internal error." if failed else "",
        prompt_tokens=prompt_tokens,
        cached_tokens=cached,
        completion_tokens=0 if failed else completion,
        ttft_ms=ttft,
        total_ms=ttft + completion / max(tokens_per_s, 5) * 1000,
    )


def _escalation(rng: random.Random, batch: Batch, conversation: Conversation, at: datetime, agents: list[User]) -> None:
    reason = rng.choices(list(TRIGGERS), weights=list(TRIGGERS.values()))[0]
    agent = rng.choice(agents)
    claimed = at + timedelta(seconds=rng.lognormvariate(4.2, 0.9))
    answered = claimed + timedelta(seconds=rng.uniform(10, 90))
    ended = answered + timedelta(seconds=rng.lognormvariate(6.3, 0.7))
    batch.handoffs.append(
        Handoff(
            conversation=conversation,
            reason=reason,
            team=agent.agent_profile.team,
            owner=agent,
            created_at=at,
            offered_at=at,
            claimed_at=claimed,
            ended_at=ended,
        )
    )
    batch.messages.append(
        Message(conversation=conversation, role=Message.Role.AGENT, text="Hello, I am looking into it now.", created_at=answered)
    )
    conversation.status = Conversation.Status.RESOLVED
    batch.events.append(Event(kind=Event.Kind.ESCALATION, conversation_id=conversation.id, created_at=at, data={"reason": reason}))
    if rng.random() < 0.65:
        score = rng.choices([1, 2, 3, 4, 5], weights=[1, 1, 2, 5, 8])[0]
        batch.ratings.append((len(batch.handoffs) - 1, score, ended + timedelta(seconds=30)))


def _store(batch: Batch) -> None:
    with transaction.atomic():
        Conversation.objects.bulk_create(batch.conversations)
        Message.objects.bulk_create(batch.messages)
        Handoff.objects.bulk_create(batch.handoffs)
        Rating.objects.bulk_create(
            Rating(handoff=batch.handoffs[index], score=score, created_at=at) for index, score, at in batch.ratings
        )
        Event.objects.bulk_create(batch.events)
        for message in batch.screenshots:
            attachment = store_image(message.conversation, decode_image(_screenshot_png(message.text)), message)
            attachment.created_at = message.created_at
            attachment.save(update_fields=["created_at"])
    # bulk_create leaves updated_at at "now"; keep the history looking like history.
    for conversation in batch.conversations:
        Conversation.objects.filter(pk=conversation.pk).update(updated_at=conversation.created_at)


def _screenshot_png(label: str) -> bytes:
    image = Image.new("RGB", (360, 220), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, 360, 26], fill=(40, 80, 160))
    draw.text((12, 60), label, fill="black")
    draw.text((12, 90), "Error 42: session expired", fill=(180, 30, 30))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
