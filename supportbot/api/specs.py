"""The request bodies the API accepts, as pydantic models: OpenAI's chat-completions shape.

Fields that OpenAI clients send but this server does not use (user, n=1, logprobs=false, ...)
are ignored rather than refused, so stock client libraries work unchanged.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator


class TextPart(BaseModel):
    type: Literal["text"]
    text: str


class ImageUrl(BaseModel):
    url: str = Field(min_length=1)
    detail: Literal["auto", "low", "high"] | None = None


class ImagePart(BaseModel):
    type: Literal["image_url"]
    image_url: ImageUrl


ContentPart = Annotated[TextPart | ImagePart, Field(discriminator="type")]


class ChatMessageSpec(BaseModel):
    # "developer" is what newer OpenAI clients call the system role.
    role: Literal["system", "developer", "user", "assistant"]
    content: str | list[ContentPart] | None = None
    name: str | None = None

    @property
    def parts(self) -> list[TextPart | ImagePart]:
        if self.content is None:
            return []
        if isinstance(self.content, str):
            return [TextPart(type="text", text=self.content)]
        return list(self.content)


class StreamOptions(BaseModel):
    include_usage: bool = False


class ChatCompletionSpec(BaseModel):
    model_config = ConfigDict(extra="ignore")

    model: str = Field(min_length=1)
    messages: list[ChatMessageSpec] = Field(min_length=1)
    max_tokens: int | None = Field(default=None, ge=1)
    # The newer name of max_tokens; either may be sent.
    max_completion_tokens: int | None = Field(default=None, ge=1)
    temperature: float = Field(default=1.0, ge=0, le=2)  # OpenAI's default
    top_p: float = Field(default=1.0, gt=0, le=1)
    seed: int | None = None
    # Subtracted from a token's logit per time it (frequency) or once it (presence) occurred in
    # the reply so far; the engine adds its own loop control by model (inference.decoding).
    frequency_penalty: float = Field(default=0.0, ge=-2, le=2)
    presence_penalty: float = Field(default=0.0, ge=-2, le=2)
    stop: str | list[str] | None = None
    stream: bool = False
    stream_options: StreamOptions | None = None
    n: int = Field(default=1, ge=1, le=1)
    # SupportBot's own: answer from the help center and return the articles used as `citations`
    # (OpenAI clients send it through extra_body, and ignore the field in the answer).
    citations: bool = False

    @field_validator("stop")
    @classmethod
    def _at_most_four_stops(cls, stop: str | list[str] | None) -> str | list[str] | None:
        if isinstance(stop, list) and len(stop) > 4:
            raise ValueError("at most 4 stop sequences")
        return stop

    @property
    def stop_sequences(self) -> list[str]:
        if self.stop is None:
            return []
        return [self.stop] if isinstance(self.stop, str) else list(self.stop)

    @property
    def include_usage(self) -> bool:
        return self.stream_options is not None and self.stream_options.include_usage


def field_path(location: tuple[int | str, ...]) -> str:
    """pydantic's error location as the JSON path a client can find: messages[0].content[1].

    pydantic puts union member labels ("str", "list[...]") and discriminator tags (the tag value
    right before the field of the same name) into the location; neither is in the JSON.
    """
    path = ""
    previous: int | str | None = None
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part in ("str", "function-after") or "[" in part or part == previous:
            pass
        else:
            path += f".{part}" if path else part
        previous = part
    return path


def first_error(invalid: ValidationError) -> tuple[str, str]:
    """(field path, message) of the most specific error: with `str | list` content, pydantic
    reports a failure under each member, and the deepest one is the one the client meant."""
    error = max(invalid.errors(), key=lambda e: len(e["loc"]))
    message = error["msg"].removeprefix("Value error, ")
    return field_path(tuple(error["loc"])), message
