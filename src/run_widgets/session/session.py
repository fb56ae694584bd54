"""``Session``: what the magics do, as Python. Start runs as live cards, show, list and cancel them.

A session keeps the connections (the embedded server, started on first use, or the one configured),
the notebook's current thread on each, and the cards it made. Every call returns at once with a card
that follows the run on the private loop, unless asked to ``wait``.

Work that can fail because of what the user asked (an unknown thread, a refused key, an unreachable
server, a bad option) is done before the call returns, and fails as a ``SessionError``: one line
that says what to do. Failures later in the run show in the card.
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar, Unpack

from ..client import AsyncClient
from ..client.errors import APIError, ConfigurationError
from ..models import RequestValidationError, Run
from ..tools import ToolDefinitionError, ToolSet
from ..widget import RunCard, runtime
from .connection import Connection, Connections
from .errors import Context, SessionError, active_run_of, explain, no_default_assistant, thread_busy
from .options import RunOptions, run_params
from .runlist import RunList
from .runtools import merged, split_tools, wire_tool
from .settings import Mode, Settings
from .waiting import cancelled_on_interrupt, wait_for

if TYPE_CHECKING:
    from collections.abc import Coroutine

    from ..server import ServerHandle

T = TypeVar("T")

_EXPECTED = (SessionError, APIError, RequestValidationError, ToolDefinitionError, ConfigurationError)


class Session:
    """Runs as live cards, on the embedded server or any Assistants-compatible server.

    ``Session()`` reads its server from the environment (``RUN_WIDGETS_BASE_URL``, then
    ``OPENAI_BASE_URL``) or starts the embedded one on first use. Pass settings by name
    (``Session(base_url=..., wait=True)``; see ``Settings``) or a ready ``AsyncClient``
    (``Session(client=...)``, for custom headers or query parameters). ``notify`` receives the few
    lines a session prints (the embedded server's address).
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        client: AsyncClient | None = None,
        notify: Callable[[str], None] | None = None,
        **changes: Any,
    ) -> None:
        self.settings = settings if settings is not None else Settings()
        self.settings.update(**changes)
        self._connections = Connections(self.settings, notify or _print)
        self._connections.client = client
        self._threads: dict[str, str] = {}
        self._cards: weakref.WeakSet[RunCard] = weakref.WeakSet()
        self._last: weakref.ReferenceType[RunCard] | None = None
        self._assistant_tools: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        server = self.server
        where = f"embedded server at {server.base_url}" if server is not None else "no server yet"
        return f"<run_widgets.Session ({where})>"

    # --- configuration and connections --------------------------------------------------------------

    def configure(self, **changes: Any) -> None:
        """Change settings by name, e.g. ``configure(base_url="http://127.0.0.1:8000/v1", wait=True)``."""
        try:
            self.settings.update(**changes)
        except (TypeError, ValueError) as exc:
            raise SessionError(str(exc)) from None

    def use_client(self, client: AsyncClient | None) -> None:
        """Send through this client (its base URL, headers, query parameters) unless a call names a base URL."""
        self._connections.client = client

    @property
    def server(self) -> ServerHandle | None:
        """The embedded server, once started."""
        return self._connections.server

    def connection(self, base_url: str | None = None) -> Connection:
        """The connection a call would use (starting the embedded server if that is the one)."""
        return self._connections.get(base_url)

    def client(self, base_url: str | None = None) -> AsyncClient:
        """The ``AsyncClient`` a call would use; it lives on the private loop (``runtime.run_sync``)."""
        return self.connection(base_url).client()

    def thread_id(self, base_url: str | None = None) -> str | None:
        """The notebook's current thread on that server (None until the first run makes one)."""
        with self._lock:
            return self._threads.get(self.connection(base_url).url)

    def new_thread(self, *, base_url: str | None = None, metadata: Mapping[str, str] | None = None) -> str:
        """Start a new thread and make it the current one; returns its id."""
        conn = self.connection(base_url)
        ctx = self._context(conn)

        async def create() -> str:
            client = conn.client()
            thread = await (
                client.threads.create(metadata=dict(metadata)) if metadata else client.threads.create()
            )
            return thread.id

        thread_id = self._call(conn, ctx, create())
        with self._lock:
            self._threads[conn.url] = thread_id
        return thread_id

    # --- runs -------------------------------------------------------------------------------------------

    def run_stream(
        self,
        message: str,
        *,
        thread: str | None = None,
        new_thread: bool = False,
        assistant: str | None = None,
        tools: Any = None,
        replace_tools: bool = False,
        auto_tools: bool | None = None,
        mode: Mode | None = None,
        wait: bool | None = None,
        timeout: float | None = None,
        display: bool = False,
        base_url: str | None = None,
        **options: Unpack[RunOptions],
    ) -> RunCard:
        """Add ``message`` to the thread as the user's and run the assistant on it: a live card.

        ``thread``: that thread, else the current one (made on first use; ``new_thread=True`` starts
        another). ``assistant``: else the configured one, else the embedded server's scripted one.
        ``tools``: Python functions (``@run_widgets.tool`` or plain), ``"code_interpreter"``,
        ``"file_search"`` or wire tool dicts, added to the assistant's tools (``replace_tools=True``:
        instead of them). ``auto_tools``: run the Python tools and submit without a click. ``mode``:
        ``"stream"`` (default) or ``"poll"``. ``wait``: block until the run pauses or ends (Ctrl-C
        cancels it). ``display``: show the card now (in IPython). ``options``: every
        ``CreateRunRequest`` option (see ``RunOptions``).
        """
        if not isinstance(message, str):
            raise SessionError(f"The message is text, not {type(message).__name__}.")
        return self._start(
            message,
            thread=thread,
            new_thread=new_thread,
            assistant=assistant,
            tools=tools,
            replace_tools=replace_tools,
            auto_tools=auto_tools,
            mode=mode,
            wait=wait,
            timeout=timeout,
            display=display,
            base_url=base_url,
            options=options,
        )

    def run_create(
        self,
        *,
        message: str | None = None,
        thread: str | None = None,
        new_thread: bool = False,
        assistant: str | None = None,
        tools: Any = None,
        replace_tools: bool = False,
        auto_tools: bool | None = None,
        mode: Mode | None = None,
        wait: bool | None = None,
        timeout: float | None = None,
        display: bool = False,
        base_url: str | None = None,
        **options: Unpack[RunOptions],
    ) -> RunCard:
        """Create a run on a thread (the current one unless ``thread``): a live card.

        As ``run_stream``, with the user's ``message`` optional (the thread may already hold it).
        """
        return self._start(
            message,
            thread=thread,
            new_thread=new_thread,
            assistant=assistant,
            tools=tools,
            replace_tools=replace_tools,
            auto_tools=auto_tools,
            mode=mode,
            wait=wait,
            timeout=timeout,
            display=display,
            base_url=base_url,
            options=options,
        )

    def run_show(
        self,
        run_id: str,
        *,
        thread: str | None = None,
        tools: Any = None,
        auto_tools: bool | None = None,
        wait: bool | None = None,
        timeout: float | None = None,
        display: bool = False,
        base_url: str | None = None,
    ) -> RunCard:
        """A card for a run that exists (on ``thread``, else the current one); it follows the run if
        it is still going. With ``tools``, its tool calls can be answered by Python functions."""
        conn = self.connection(base_url)
        thread_id = self._known_thread(conn, thread, "show a run")
        ctx = self._context(conn, thread_id=thread_id, thread_given=thread is not None, run_id=run_id)
        toolset, _ = self._tools(tools, ctx, conn)
        client = conn.client()
        run = self._call(conn, ctx, client.threads.runs.retrieve(run_id, thread_id=thread_id))
        card = RunCard(run, client=client, tools=toolset, auto_tools=self._auto(auto_tools))
        self._remember(card)
        if display:
            _display(card)
        card.follow(poll_interval=self.settings.poll_interval)
        self._maybe_wait(card, wait, timeout, cancel=False)  # Ctrl-C stops waiting; the run goes on
        return card

    def run_list(self, *, thread: str | None = None, limit: int = 20, base_url: str | None = None) -> RunList:
        """The thread's runs (the current thread unless ``thread``), newest first."""
        conn = self.connection(base_url)
        thread_id = self._known_thread(conn, thread, "list runs")
        ctx = self._context(conn, thread_id=thread_id, thread_given=thread is not None)
        if not 1 <= limit <= 100:
            raise SessionError(f"The limit is 1 to 100, not {limit}.")

        async def first_page() -> tuple[list[Run], bool]:
            page = await conn.client().threads.runs.list(thread_id, order="desc", limit=limit)
            return list(page.data), bool(page.has_more)

        runs, more = self._call(conn, ctx, first_page())
        return RunList(thread_id, runs, url=conn.url, more=more)

    def run_cancel(
        self,
        run_id: str | None = None,
        *,
        thread: str | None = None,
        wait: bool = False,
        timeout: float | None = None,
        base_url: str | None = None,
    ) -> Run | None:
        """Cancel a run (the last one this session started, unless ``run_id``); returns it as the
        server answered (``cancelling``). A card showing the run follows it to ``cancelled``."""
        card = self._card_for(run_id)
        if card is not None:
            try:
                card.cancel()
            except RuntimeError as exc:
                raise SessionError(str(exc)) from None
            if wait:
                self._maybe_wait(card, True, timeout)
            return card.current_run
        if run_id is None:
            raise SessionError("No run to cancel yet: give its id (%run_cancel RUN_ID --thread THREAD_ID).")
        conn = self.connection(base_url)
        thread_id = self._known_thread(conn, thread, "cancel a run")
        ctx = self._context(conn, thread_id=thread_id, thread_given=thread is not None, run_id=run_id)
        run: Run = self._call(conn, ctx, conn.client().threads.runs.cancel(run_id, thread_id=thread_id))
        return run

    @property
    def last_card(self) -> RunCard | None:
        """The card of the last run this session started or showed."""
        return self._last() if self._last is not None else None

    def close(self) -> None:
        """Close the clients and stop the embedded server (the next call starts a new one)."""
        self._connections.close()
        with self._lock:
            self._threads.clear()
            self._assistant_tools.clear()

    # --- the work ---------------------------------------------------------------------------------------

    def _start(
        self,
        message: str | None,
        *,
        thread: str | None,
        new_thread: bool,
        assistant: str | None,
        tools: Any,
        replace_tools: bool,
        auto_tools: bool | None,
        mode: Mode | None,
        wait: bool | None,
        timeout: float | None,
        display: bool,
        base_url: str | None,
        options: Mapping[str, Any],
    ) -> RunCard:
        if thread is not None and new_thread:
            raise SessionError("Give a thread or ask for a new one, not both (--thread or --new-thread).")
        mode = mode or self.settings.mode
        if mode not in ("stream", "poll"):
            raise SessionError(f"The mode is 'stream' or 'poll', not {mode!r}.")
        params = run_params(options, message)
        conn = self.connection(base_url)
        ctx = self._context(conn, thread_id=thread, thread_given=thread is not None)
        toolset, definitions = self._tools(tools, ctx, conn)
        assistant_id = assistant or self.settings.assistant or self._default_assistant(conn, ctx)
        ctx.assistant_id = assistant_id
        client = conn.client()
        source, first_event = self._call(
            conn,
            ctx,
            self._open(
                conn, client, ctx, thread, new_thread, assistant_id, params, definitions, replace_tools, mode
            ),
        )
        polled = source if isinstance(source, Run) else None
        card = RunCard(polled, client=client, tools=toolset, auto_tools=self._auto(auto_tools))
        if first_event is not None:
            card.apply(first_event)
        self._remember(card)
        with cancelled_on_interrupt(card):
            if display:
                _display(card)
            if polled is None:
                card.follow_stream(source)
            else:
                card.follow(poll_interval=self.settings.poll_interval)
            self._maybe_wait(card, wait, timeout)
        return card

    async def _open(
        self,
        conn: Connection,
        client: AsyncClient,
        ctx: Context,
        thread: str | None,
        new_thread: bool,
        assistant_id: str,
        params: dict[str, Any],
        definitions: list[dict[str, Any]],
        replace_tools: bool,
        mode: Mode,
    ) -> tuple[Any, Any]:
        """On the loop: the thread, the tools, then the run: ``(run, None)`` when polling, else
        ``(stream, first event)`` (the stream opened, so a refusal raises here)."""
        thread_id = thread or await self._current_thread(conn, client, new_thread)
        ctx.thread_id = thread_id
        if definitions:
            params["tools"] = (
                definitions
                if replace_tools
                else await self._merged_tools(conn, client, assistant_id, definitions)
            )
        if mode == "poll":
            return await client.threads.runs.create(thread_id, assistant_id=assistant_id, **params), None
        stream = await client.threads.runs.stream(
            thread_id=thread_id, assistant_id=assistant_id, **params
        ).open()
        try:  # the run's first event (thread.run.created): the card knows its run when the cell returns
            first = await stream.__anext__()
        except StopAsyncIteration:
            first = None
        return stream, first

    async def _current_thread(self, conn: Connection, client: AsyncClient, new: bool) -> str:
        with self._lock:
            current = self._threads.get(conn.url)
        if current is not None and not new:
            return current
        thread = await client.threads.create()
        with self._lock:
            self._threads[conn.url] = thread.id
        return thread.id

    async def _merged_tools(
        self, conn: Connection, client: AsyncClient, assistant_id: str, definitions: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """The assistant's own tools, with these added (a tool of the same name is replaced)."""
        key = (conn.url, assistant_id)
        with self._lock:
            own = self._assistant_tools.get(key)
        if own is None:
            assistant = await client.assistants.retrieve(assistant_id)
            own = [wire_tool(tool.model_dump(mode="json", exclude_none=True)) for tool in assistant.tools]
            with self._lock:
                self._assistant_tools[key] = own
        return merged(own, definitions)

    def _tools(
        self, tools: Any, ctx: Context, conn: Connection
    ) -> tuple[ToolSet | None, list[dict[str, Any]]]:
        try:
            return split_tools(tools)
        except ToolDefinitionError as exc:  # the magics name the flag: "--tools: tool 'f': ..."
            raise SessionError(str(exc), param="tools") from None
        except _EXPECTED as exc:
            raise explain(exc, ctx, conn.secrets()) from None

    def _default_assistant(self, conn: Connection, ctx: Context) -> str:
        found = conn.default_assistant()
        if found is None:
            raise SessionError(no_default_assistant(ctx))
        return found

    def _known_thread(self, conn: Connection, thread: str | None, doing: str) -> str:
        if thread is not None:
            return thread
        with self._lock:
            current = self._threads.get(conn.url)
        if current is None:
            raise SessionError(
                f"To {doing}, name its thread with --thread THREAD_ID (thread=...): "
                "this notebook has no current thread yet."
            )
        return current

    def _context(self, conn: Connection, **fields: Any) -> Context:
        return Context(url=conn.url, target=conn.target, key_source=conn.key_source, **fields)

    def _call(self, conn: Connection, ctx: Context, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on the private loop; a failure the user can fix becomes a ``SessionError``."""
        try:
            return runtime.run_sync(coro)
        except _EXPECTED as exc:
            busy_with = active_run_of(exc) if isinstance(exc, APIError) else None
            if busy_with is not None:  # say what the run in the way is doing, so the line says what to do
                raise SessionError(
                    thread_busy(ctx, busy_with, self._status_of(conn, ctx, busy_with))
                ) from None
            raise explain(exc, ctx, conn.secrets()) from None

    def _status_of(self, conn: Connection, ctx: Context, run_id: str) -> str | None:
        """The status of a run: the server's (a card may lag a moment behind), else its card's."""
        if ctx.thread_id is not None:
            with contextlib.suppress(Exception):  # only a detail of an error line
                found = runtime.run_sync(
                    conn.client().threads.runs.retrieve(run_id, thread_id=ctx.thread_id), timeout=10
                )
                return found.status
        card = self._card_for(run_id)
        run = card.current_run if card is not None else None
        return run.status if run is not None else None

    def _auto(self, auto_tools: bool | None) -> bool:
        return self.settings.auto_tools if auto_tools is None else auto_tools

    def _remember(self, card: RunCard) -> None:
        with self._lock:
            self._cards.add(card)
            self._last = weakref.ref(card)

    def _card_for(self, run_id: str | None) -> RunCard | None:
        if run_id is None:
            return self.last_card
        with self._lock:
            cards = list(self._cards)
        for card in reversed(cards):
            run = card.current_run
            if run is not None and run.id == run_id and not card._closed:
                return card
        return None

    def _maybe_wait(
        self, card: RunCard, wait: bool | None, timeout: float | None, *, cancel: bool = True
    ) -> None:
        if not (self.settings.wait if wait is None else wait):
            return
        wait_for(card, timeout, cancel=cancel)


def _display(card: RunCard) -> None:
    with contextlib.suppress(ImportError):
        from IPython.display import display

        display(card)  # type: ignore[no-untyped-call]


def _print(line: str) -> None:
    print(line, flush=True)
