"""A cap on every HTTP request body, whether its size is declared (Content-Length) or not (chunked).

Django reads a whole body before the view runs, spooling a large one to disk; a body without
Content-Length would be read however long it is. This ASGI middleware counts the bytes as they
arrive and answers 413 once they pass the limit, before Django has read on.
"""

from __future__ import annotations

from typing import Any

REFUSAL = b'{"error": "too_large", "message": "The request is too large."}'


async def _refuse(send: Any) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(REFUSAL)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": REFUSAL})


class RequestSizeLimit:
    """Answers 413 to a request whose body is over `max_bytes`: at once when it says so in
    Content-Length, else as soon as that many bytes arrived; the application then sees the
    client disconnect (Django drops the request) and anything it still sends is discarded."""

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length", b"0")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await _refuse(send)
            return
        received = 0
        refused = False  # our 413 went out: the application's answer is dropped
        response_started = False

        async def counting_receive() -> dict[str, Any]:
            nonlocal received, refused
            if received > self.max_bytes:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    if not response_started:
                        refused = True
                        await _refuse(send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: dict[str, Any]) -> None:
            nonlocal response_started
            if refused:
                return
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        await self.app(scope, counting_receive, guarded_send)
