"""Which model wrote each bot reply: stamped as `model` on the reply's event (message.out or
model.error) by the process that finished it, whose engine knows its model. The log filters
and the shipped event feed read it from there."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import pre_save
from django.dispatch import receiver

from supportbot.events.models import Event
from supportbot.ops.metrics import this_process_engine

REPLY_KINDS = {Event.Kind.MESSAGE_OUT, Event.Kind.MODEL_ERROR}


@receiver(pre_save, sender=Event, dispatch_uid="ops.provenance.stamp_model")
def stamp_reply_model(sender: type[Event], instance: Event, **_: Any) -> None:
    if instance.pk is not None or instance.kind not in REPLY_KINDS or "message" not in instance.data:
        return  # agents' messages have no message id in their event, and no model
    engine = this_process_engine()
    model = engine.stats().get("model") if engine is not None else None
    if model:
        instance.data = {**instance.data, "model": model}
