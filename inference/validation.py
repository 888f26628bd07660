"""Request checks, on the caller's thread: a request that is wrong from the start raises
InvalidRequest (or ImageError) at submit() rather than ending with an error event."""

from __future__ import annotations

from inference.config import EngineConfig
from inference.media import MediaPreparer, PreparedImage
from inference.types import ChatMessage, GenerationRequest, ImageError, InvalidRequest


def validate(request: GenerationRequest, config: EngineConfig) -> None:
    messages = request.messages
    if not messages or messages[-1].role != "user":
        raise InvalidRequest("the conversation must end with a user message")
    last = messages[-1]
    if not last.text.strip() and not last.images:
        raise InvalidRequest("the message is empty")
    for message in messages:
        if message.role not in ("system", "user", "assistant"):
            raise InvalidRequest(f"unknown role {message.role!r}")
        if len(message.text) > config.max_message_chars:
            raise InvalidRequest(f"a message is longer than {config.max_message_chars} characters")
        if len(message.images) > config.max_images_per_message:
            raise InvalidRequest(f"at most {config.max_images_per_message} images per message")
    sampling = request.sampling
    if not 0 <= sampling.temperature <= 2:
        raise InvalidRequest("temperature must be between 0 and 2")
    if not 0 < sampling.top_p <= 1:
        raise InvalidRequest("top_p must be in (0, 1]")
    if not 1 <= sampling.max_new_tokens <= config.max_new_tokens_limit:
        raise InvalidRequest(f"max_new_tokens must be between 1 and {config.max_new_tokens_limit}")
    if sampling.repetition_penalty is not None and not 0 < sampling.repetition_penalty <= 10:
        raise InvalidRequest("repetition_penalty must be in (0, 10]")
    if sampling.no_repeat_ngram is not None and not 0 <= sampling.no_repeat_ngram <= 64:
        raise InvalidRequest("no_repeat_ngram must be between 0 (off) and 64")
    if sampling.wrap_up_after is not None and sampling.wrap_up_after < 1:
        raise InvalidRequest("wrap_up_after must be at least 1")
    for name in ("frequency_penalty", "presence_penalty"):
        if not -2 <= getattr(sampling, name) <= 2:
            raise InvalidRequest(f"{name} must be between -2 and 2")


def prepare_images(media: MediaPreparer, message: ChatMessage) -> list[PreparedImage]:
    if message.images and message.role != "user":
        raise InvalidRequest("only user messages can carry images")
    try:
        return [media.prepare(image) for image in message.images]
    except ImageError:
        raise
    except Exception as exc:  # a processor failing on odd pixels must not look like a crash
        raise ImageError(f"the image could not be processed: {exc}") from exc
