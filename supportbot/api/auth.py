"""`Authorization: Bearer <key>` to an ApiKey, or the OpenAI-style 401/403."""

from __future__ import annotations

from django.http import HttpRequest

from supportbot.api.errors import ApiError
from supportbot.api.models import ApiKey, hash_token


async def authenticate(request: HttpRequest) -> ApiKey:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise ApiError(
            401,
            "Missing API key: send it as 'Authorization: Bearer <key>'. "
            "Keys are created in the admin.",
            code="missing_api_key",
        )
    key = await ApiKey.objects.filter(key_hash=hash_token(token)).afirst()
    if key is None:
        raise ApiError(401, "Incorrect API key provided.", code="invalid_api_key")
    if key.is_revoked:
        raise ApiError(403, "This API key has been revoked.", code="api_key_revoked")
    return key
