"""Context overflow: which turns of a conversation go into the prompt when all of them do not fit."""

from __future__ import annotations

from inference.chat_format import ChatFormat, RenderedPrompt
from inference.kv_store import SessionState
from inference.media import PreparedImage
from inference.types import GenerationRequest, InvalidRequest


def fit_context(
    format: ChatFormat,
    request: GenerationRequest,
    images: list[list[PreparedImage]],
    state: SessionState,
    max_context: int,
) -> RenderedPrompt:
    """Render the conversation, dropping the oldest turns (never the system prompt or the new
    message) until it leaves room for the reply. Turns are dropped down to 3/4 of the context at
    once, and the cut is kept for the session, so the following turns still share a prefix and
    reuse the cache. A single message longer than the context raises InvalidRequest."""
    messages = request.messages
    system = 0
    while system < len(messages) - 1 and messages[system].role == "system":
        system += 1
    reply_room = min(request.sampling.max_new_tokens, max_context // 4)
    start = state.window_start if system <= state.window_start < len(messages) else system
    limit = max_context - reply_room
    while True:
        kept = list(range(system)) + list(range(start, len(messages)))
        prompt = format.render([messages[i] for i in kept], [images[i] for i in kept], state.reply_memo)
        if len(prompt) <= limit:
            state.window_start = start
            return prompt
        later_users = [i for i in range(start + 1, len(messages)) if messages[i].role == "user"]
        if not later_users:
            raise InvalidRequest(f"the message is too long for the model's context ({len(prompt)} tokens, limit {limit})")
        start = later_users[0]
        limit = max_context * 3 // 4 - reply_room  # once dropping, drop to the low watermark
