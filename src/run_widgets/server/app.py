"""The ASGI application: the ``/v1`` routes behind the gate, the executor started with it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .config import ServerConfig
from .core import Core
from .engines import Engine, EngineSettings, create_engine
from .errors import APIError, error_body
from .executor import Executor
from .gate import Gate
from .idempotency import IdempotencyCache
from .ids import Clock, IdFactory
from .routes import build_routes
from .routing import SegmentRouter
from .store import Store

logger = logging.getLogger("run_widgets.server")


def build_core(config: ServerConfig, engine: Engine | None = None) -> Core:
    """Open the store and make the executor and engine (nothing runs until the app starts).

    ``engine`` replaces the one ``config.engine`` names (tests, custom engines).
    """
    if engine is None:
        engine = create_engine(
            config.engine,
            EngineSettings(
                words_per_second=config.words_per_second,
                seed=config.seed,
                chat_base_url=config.chat_base_url,
                chat_model=config.chat_model,
                chat_api_key=config.chat_api_key,
                chat_options=config.chat_options,
            ),
        )
    store = Store(config.db)
    ids = IdFactory(config.seed, store.generation)
    clock = Clock(config.seed, store.generation)
    executor = Executor(store, engine, ids, clock, requires_action_timeout=config.requires_action_timeout)
    return Core(config, store, executor, ids, clock, IdempotencyCache())


def create_app(config: ServerConfig, core: Core | None = None) -> ASGIApp:
    """The whole server as one ASGI app (``core`` is made from ``config`` unless given)."""
    core = core or build_core(config)

    @asynccontextmanager
    async def lifespan(app: object) -> AsyncIterator[None]:
        core.executor.recover()
        try:
            yield
        finally:
            await core.executor.shutdown()
            core.store.close()

    async def api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, APIError)
        return Response(exc.body(), status_code=exc.status, media_type="application/json")

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 404:
            message = f"Unknown request URL: {request.method} {request.url.path}. Routes live under /v1."
            body = error_body(message, "invalid_request_error", None, "unknown_url")
        elif exc.status_code == 405:
            message = f"Method {request.method} is not allowed on {request.url.path}."
            body = error_body(message, "invalid_request_error", None, "method_not_allowed")
        else:
            body = error_body(str(exc.detail), "invalid_request_error")
        return Response(body, status_code=exc.status_code, media_type="application/json", headers=exc.headers)

    # Starlette's own layers (errors, exception handlers, routes) with a faster router.
    router = SegmentRouter(build_routes(core), lifespan=lifespan)
    app: ASGIApp = CatchAll(
        ExceptionMiddleware(router, handlers={APIError: api_error, HTTPException: http_error})
    )
    inner = app
    if core.config.cors_origins:
        inner = CORSMiddleware(
            app,
            allow_origins=list(core.config.cors_origins),
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["authorization", "content-type", "openai-beta", "idempotency-key"],
            expose_headers=["x-request-id", "openai-poll-after-ms"],
        )
    return Gate(inner, core.config, cors=bool(core.config.cors_origins))


class CatchAll:
    """The last net: an unexpected exception becomes a 500 with the error envelope, logged once.

    Unlike Starlette's ServerErrorMiddleware it does not re-raise, so uvicorn keeps the connection
    open for the client's next request. ``x-should-retry: false`` on anything but GET, because the
    request may have had effects.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            logger.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                return  # a stream already under way: the executor ends its run on its own
            body = error_body(
                "The server had an error while processing your request.", "server_error", None, "server_error"
            )
            headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
            if scope.get("method") != "GET":
                headers.append((b"x-should-retry", b"false"))
            await send({"type": "http.response.start", "status": 500, "headers": headers})
            await send({"type": "http.response.body", "body": body})
