"""The ASGI application: the ``/v1`` routes behind the gate, the executor started with it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

from .config import ServerConfig
from .core import Core
from .engines import EngineSettings, create_engine
from .errors import APIError, error_body
from .executor import Executor
from .gate import Gate
from .idempotency import IdempotencyCache
from .ids import Clock, IdFactory
from .routes import build_routes
from .store import Store

logger = logging.getLogger("run_widgets.server")


def build_core(config: ServerConfig) -> Core:
    """Open the store and make the executor and engine (nothing runs until the app starts)."""
    store = Store(config.db)
    ids = IdFactory(config.seed, store.generation)
    clock = Clock(config.seed, store.generation)
    engine = create_engine(
        config.engine,
        EngineSettings(
            words_per_second=config.words_per_second,
            seed=config.seed,
            chat_base_url=config.chat_base_url,
            chat_model=config.chat_model,
            chat_api_key=config.chat_api_key,
        ),
    )
    executor = Executor(store, engine, ids, clock, requires_action_timeout=config.requires_action_timeout)
    return Core(config, store, executor, ids, clock, IdempotencyCache())


def create_app(config: ServerConfig, core: Core | None = None) -> ASGIApp:
    """The whole server as one ASGI app (``core`` is made from ``config`` unless given)."""
    core = core or build_core(config)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
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

    async def server_error(request: Request, exc: Exception) -> Response:
        logger.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        body = error_body(
            "The server had an error while processing your request.", "server_error", None, "server_error"
        )
        headers = {"x-should-retry": "false"} if request.method != "GET" else None
        return Response(body, status_code=500, media_type="application/json", headers=headers)

    app = Starlette(
        routes=build_routes(core),
        lifespan=lifespan,
        exception_handlers={APIError: api_error, HTTPException: http_error, Exception: server_error},
    )
    app.state.core = core
    inner: ASGIApp = app
    if core.config.cors_origins:
        inner = CORSMiddleware(
            app,
            allow_origins=list(core.config.cors_origins),
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["authorization", "content-type", "openai-beta", "idempotency-key"],
            expose_headers=["x-request-id", "openai-poll-after-ms"],
        )
    return Gate(inner, core.config, cors=bool(core.config.cors_origins))
