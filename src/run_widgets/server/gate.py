"""The door every request passes: request id, Host check, API key, body size.

A plain ASGI middleware (no per-request objects), so GETs stay cheap. Its refusals use the error
envelope, like every other error.
"""

from __future__ import annotations

import contextlib
import hmac
import ipaddress
import itertools
import secrets
import socket
import threading

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .config import ServerConfig
from .errors import error_body

_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})
_ANY_ADDRESS = frozenset({"0.0.0.0", "::", ""})
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _host_name(value: bytes) -> str:
    text = value.decode("latin-1").strip().lower()
    if text.startswith("["):  # [::1]:8080
        return text[1 : text.find("]")] if "]" in text else text
    if text.count(":") == 1:
        text = text.split(":", 1)[0]
    return text.rstrip(".")  # "localhost." is "localhost"


def _is_ip_literal(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _own_names(fqdn_timeout: float = 1.0) -> set[str]:
    """This machine's host names (what a browser on the network may rightly put in ``Host``). The fully
    qualified name needs DNS, which can hang where it is broken: it gets ``fqdn_timeout`` seconds, on a
    daemon thread, and is left out if it does not answer in time."""
    names: set[str] = set()
    with contextlib.suppress(OSError):
        names.add(socket.gethostname())
    found: list[str] = []

    def lookup() -> None:
        with contextlib.suppress(OSError):
            found.append(socket.getfqdn())

    thread = threading.Thread(target=lookup, name="run-widgets-fqdn", daemon=True)
    thread.start()
    thread.join(fqdn_timeout)
    names.update(found[:1])
    return {name.lower().rstrip(".") for name in names} - {""}


class Gate:
    """Adds ``x-request-id``; refuses foreign Hosts, missing keys and oversized bodies.

    The Host check stops DNS rebinding: a web page whose domain name an attacker points at this
    address. Bound to one address, only that address, loopback names and ``allowed_hosts`` are
    accepted. Bound to every address (``0.0.0.0``, ``::``), clients on the network reach the server
    by IP address or by this machine's name, so those are accepted too; any other domain name is
    still refused (a rebinding attack always comes with a name of the attacker's).
    """

    def __init__(self, app: ASGIApp, config: ServerConfig, *, cors: bool = False) -> None:
        self.app = app
        self._token = config.api_key.encode()
        self._max_body = config.max_body_bytes
        self._cors = cors
        self._wildcard = config.host in _ANY_ADDRESS
        self._hosts = (
            _LOOPBACK
            | {config.host.lower().strip("[]")}
            | {h.lower().strip("[]").rstrip(".") for h in config.allowed_hosts}
            | (_own_names() if self._wildcard else set())
        )
        self._ids = itertools.count(1)
        self._id_prefix = "req_" + secrets.token_hex(6)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "lifespan":
                await self.app(scope, receive, send)
            return
        request_id = f"{self._id_prefix}{next(self._ids):08x}".encode()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), (b"x-request-id", request_id)]
            await send(message)

        host = authorization = length = None
        preflight = False
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = value
            elif name == b"host":
                host = value
            elif name == b"content-length":
                length = value
            elif name == b"access-control-request-method":
                preflight = True

        if host is not None and not self._host_allowed(_host_name(host)):
            await _refuse(
                send_with_id,
                403,
                "permission_error",
                "This server answers only requests addressed to its own address or host name; the "
                "Host header names another host (start it with --allow-host NAME to accept that name).",
                "host_not_allowed",
            )
            return
        if self._cors and preflight and scope["method"] == "OPTIONS":
            await self.app(scope, receive, send_with_id)  # CORS preflights carry no key
            return
        if not self._authorized(authorization):
            message = (
                "Incorrect API key provided. Send 'Authorization: Bearer <key>' with the key the server printed at start."
                if authorization
                else "You didn't provide an API key. Send it as 'Authorization: Bearer <key>' "
                "(the server prints its key when it starts)."
            )
            await _refuse(send_with_id, 401, "authentication_error", message, "invalid_api_key")
            return
        if scope["method"] in _BODY_METHODS:
            body = await self._read_body(receive, length)
            if body is None:
                await _refuse(
                    send_with_id,
                    413,
                    "invalid_request_error",
                    f"The request body is larger than {self._max_body} bytes; send less at once.",
                    "request_too_large",
                )
                return
            receive = _replay(body, receive)
        await self.app(scope, receive, send_with_id)

    def _host_allowed(self, name: str) -> bool:
        return name in self._hosts or (self._wildcard and _is_ip_literal(name))

    def _authorized(self, header: bytes | None) -> bool:
        if header is None:
            return False
        scheme, _, token = header.partition(b" ")
        return scheme.lower() == b"bearer" and hmac.compare_digest(token.strip(), self._token)

    async def _read_body(self, receive: Receive, length: bytes | None) -> bytes | None:
        if length is not None:
            try:
                if int(length) > self._max_body:
                    return None
            except ValueError:
                pass
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self._max_body:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _refuse(send: Send, status: int, kind: str, message: str, code: str) -> None:
    body = error_body(message, kind, None, code)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
