"""Errors in OpenAI's shape: {"error": {"message", "type", "param", "code"}} with its status."""

from __future__ import annotations

from django.http import JsonResponse


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        error_type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        retry_after_s: int | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.error_type = error_type
        self.code = code
        self.param = param
        self.retry_after_s = retry_after_s

    def payload(self) -> dict[str, dict[str, str | None]]:
        return {
            "error": {
                "message": self.message,
                "type": self.error_type,
                "param": self.param,
                "code": self.code,
            }
        }

    def response(self) -> JsonResponse:
        response = JsonResponse(self.payload(), status=self.status)
        if self.retry_after_s is not None:
            response["Retry-After"] = str(self.retry_after_s)
        return response


def invalid(param: str, message: str, code: str = "invalid_value") -> ApiError:
    """A 400 about one field, named in the message too (many clients show only the message)."""
    return ApiError(400, f"{param}: {message}" if param else message, code=code, param=param or None)
