"""``start()``: the server in a background thread of this process, for notebooks and tests."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any

from .app import build_core, create_app
from .config import DEFAULT_REQUIRES_ACTION_TIMEOUT, DEFAULT_WORDS_PER_SECOND, ServerConfig
from .core import Core
from .engines import Engine
from .ids import new_api_key
from .runner import Server, base_url, bind, uvicorn_config

DEFAULT_ASSISTANT_MARK = {"run_widgets": "default-assistant"}


class ServerHandle:
    """A running in-process server: its ``base_url`` (ending in ``/v1``) and ``api_key``; ``stop()`` ends it.

    ``address`` is the (host, port) its listening socket is bound to, as the system reports it.
    """

    def __init__(
        self,
        server: Server,
        thread: threading.Thread,
        core: Core,
        url: str,
        loop: asyncio.AbstractEventLoop,
        address: tuple[str, int],
    ):
        self._server = server
        self._thread = thread
        self._core = core
        self._loop = loop
        self.base_url = url
        self.address = address
        self.api_key = core.config.api_key
        self._default_assistant: str | None = None

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving and wait for the thread (runs that were working end ``failed``)."""
        self._server.should_exit = True
        self._thread.join(timeout)

    def __enter__(self) -> ServerHandle:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<run_widgets.server.ServerHandle {self.base_url} {state}>"

    def call(self, function: Any, *args: Any, timeout: float = 30.0) -> Any:
        """Run ``function(core, *args)`` on the server's loop (where the store lives) and return its result."""

        async def call_on_loop() -> Any:
            return function(self._core, *args)

        return asyncio.run_coroutine_threadsafe(call_on_loop(), self._loop).result(timeout)

    def ensure_default_assistant(self) -> str:
        """The id of the assistant the magics use by default, created on first call (and kept in the db)."""
        if self._default_assistant is None:
            self._default_assistant = self.call(default_assistant_id)
        return self._default_assistant

    @property
    def default_assistant_id(self) -> str:
        return self.ensure_default_assistant()


def default_assistant_id(core: Core) -> str:
    """Find or create the default assistant: the scripted one, with code interpreter and file search."""
    from ..models import Assistant
    from ..models.requests import CreateAssistantRequest, validate_request
    from .objects import new_assistant

    for assistant in core.store.all(Assistant):
        if (
            assistant.metadata
            and assistant.metadata.get("run_widgets") == DEFAULT_ASSISTANT_MARK["run_widgets"]
        ):
            return assistant.id
    scripted = core.config.engine == "scripted"
    request = validate_request(
        CreateAssistantRequest,
        {
            "model": "scripted" if scripted else core.config.chat_model or "default",
            "name": "Scripted assistant" if scripted else "Assistant",
            "description": "The default assistant of run-widgets' embedded server.",
            "instructions": "" if scripted else "You are a helpful assistant.",
            "tools": [{"type": "code_interpreter"}, {"type": "file_search"}] if scripted else [],
            "metadata": DEFAULT_ASSISTANT_MARK,
        },
    )
    assistant = new_assistant(request, core.ids, core.clock)
    core.store.insert(assistant)
    return assistant.id


def start(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    db: str = ":memory:",
    engine: str | Engine = "scripted",
    api_key: str | None = None,
    seed: int | None = None,
    words_per_second: float = DEFAULT_WORDS_PER_SECOND,
    requires_action_timeout: float = DEFAULT_REQUIRES_ACTION_TIMEOUT,
    chat_base_url: str | None = None,
    chat_model: str | None = None,
    chat_api_key: str | None = None,
    chat_options: Mapping[str, Any] | None = None,
    cors_origins: Sequence[str] = (),
    allowed_hosts: Sequence[str] = (),
    ready_timeout: float = 30.0,
) -> ServerHandle:
    """Start the server on a background daemon thread; returns once it answers requests.

    ``port=0`` picks a free port; ``db=":memory:"`` keeps nothing after ``stop()``; ``seed`` makes ids
    and timestamps reproducible; ``words_per_second=0`` streams the scripted replies at full speed.
    ``engine`` is an engine's name (``"scripted"``, ``"chat"``) or an ``Engine`` instance.
    ``engine="chat"`` answers with the Chat Completions backend at ``chat_base_url`` (``chat_options``:
    ``timeout``, ``connect_timeout``, ``stream_tools``, ``max_tokens_field``, ``extra_body``; see
    ``docs/chat-engine.md``).
    """
    config = ServerConfig(
        api_key=api_key or new_api_key(),
        host=host,
        port=port,
        db=str(db),
        engine=engine if isinstance(engine, str) else engine.name,
        seed=seed,
        words_per_second=words_per_second,
        requires_action_timeout=requires_action_timeout,
        chat_base_url=chat_base_url,
        chat_model=chat_model,
        chat_api_key=chat_api_key,
        chat_options=dict(chat_options or {}),
        cors_origins=tuple(cors_origins),
        allowed_hosts=tuple(allowed_hosts),
    )
    core = build_core(config, None if isinstance(engine, str) else engine)
    sock = bind(host, port)
    address: tuple[str, int] = sock.getsockname()[:2]
    config.port = address[1]
    ready = threading.Event()
    loops: list[asyncio.AbstractEventLoop] = []

    def on_ready(loop: asyncio.AbstractEventLoop) -> None:
        loops.append(loop)
        ready.set()

    server = Server(uvicorn_config(create_app(config, core), config), on_ready)

    def serve() -> None:
        try:
            server.run(sockets=[sock])
        finally:
            sock.close()
            ready.set()

    thread = threading.Thread(target=serve, name=f"run-widgets server :{config.port}", daemon=True)
    thread.start()
    if not ready.wait(ready_timeout) or not loops:
        server.should_exit = True
        raise RuntimeError("the run-widgets server did not start; see the log above for why")
    return ServerHandle(server, thread, core, base_url(host, config.port), loops[0], address)
