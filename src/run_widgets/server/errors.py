"""API errors and their envelope: ``{"error": {"message", "type", "param", "code"}}``."""

from __future__ import annotations

import json


class APIError(Exception):
    """An error answered with its HTTP status and the error envelope."""

    status = 400
    type = "invalid_request_error"

    def __init__(self, message: str, *, param: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        self.code = code

    def body(self) -> bytes:
        return error_body(self.message, self.type, self.param, self.code)


class BadRequest(APIError):
    status = 400


class Unauthorized(APIError):
    status = 401
    type = "authentication_error"


class Forbidden(APIError):
    status = 403
    type = "permission_error"


class NotFound(APIError):
    status = 404
    type = "not_found_error"


class MethodNotAllowed(APIError):
    status = 405


class PayloadTooLarge(APIError):
    status = 413


def error_body(message: str, type_: str, param: str | None = None, code: str | None = None) -> bytes:
    return json.dumps(
        {"error": {"message": message, "type": type_, "param": param, "code": code}},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()


def not_found(kind: str, object_id: str, param: str | None = None) -> NotFound:
    """The 404 for an unknown id, worded as the API words it."""
    return NotFound(f"No {kind} found with id '{object_id}'.", param=param, code="not_found")
