"""Edited history or a swapped image: reuse only the common prefix, and give what a cold
engine computing everything from scratch gives."""

from inference.types import ChatMessage
from tests.engine_fixtures import make_engine, request, screenshot, tiny_model  # noqa: F401


def converse(engine, session_id, first_text, first_image_seed):
    messages = [ChatMessage("user", first_text, [screenshot(first_image_seed)])]
    first = engine.generate(request(session_id, messages))
    messages += [ChatMessage("assistant", first.text), ChatMessage("user", "And then?")]
    return messages


def test_edited_earlier_message(make_engine):
    warm = make_engine()
    converse(warm, "s", "My bill is wrong.", 1)
    edited = converse(make_engine(), "s", "My bill is too high.", 1)
    # The warm engine sees an edited first message: only the part before the edit is reused.
    reply = warm.generate(request("s", edited))
    cold = make_engine().generate(request("s", edited))
    assert reply.text == cold.text
    assert 0 < reply.usage.cached_tokens < cold.usage.prompt_tokens // 2


def test_swapped_image_is_not_reused(make_engine):
    warm = make_engine()
    converse(warm, "s", "What is this?", 1)
    swapped = converse(make_engine(), "s", "What is this?", 2)
    reply = warm.generate(request("s", swapped))
    cold = make_engine().generate(request("s", swapped))
    assert reply.text == cold.text
    image_start = warm.format.render(swapped, [[warm.media.prepare(i) for i in m.images] for m in swapped], {}).images[0].start
    assert reply.usage.cached_tokens == image_start  # everything up to the image, nothing after
