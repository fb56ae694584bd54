"""Connections: a client per server, and the embedded server, started on first use.

A ``Connection`` holds the ``AsyncClient`` that cards and the session share. The client lives on the
private loop (``run_widgets.widget.runtime``): its connection pool belongs to that loop, so when the
loop is replaced (``%unload_ext``, interpreter shutdown) the client is made again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .errors import SessionError
from .settings import Settings, Target, api_key_for, resolve_target

if TYPE_CHECKING:
    from ..client import AsyncClient
    from ..server import ServerHandle


class Connection:
    """One server: its display-safe ``url``, whether it is the embedded one, and a client for it."""

    def __init__(
        self,
        target: Target,
        url: str,
        api_key: str | None,
        key_source: str,
        server: ServerHandle | None = None,
        client: AsyncClient | None = None,
    ) -> None:
        self.target = target
        self.url = _display_url(url)
        """The base URL as messages may show it (no credentials)."""
        self._url = url
        self.key_source = key_source
        self.server = server
        self._api_key = api_key
        self._given_client = client
        self._client: AsyncClient | None = client
        self._loop: Any = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        kind = "embedded" if self.server is not None else self.target.source
        return f"<Connection {self.url} ({kind})>"

    @property
    def embedded(self) -> bool:
        return self.server is not None

    def client(self) -> AsyncClient:
        """The client, made for the current private loop."""
        from ..client import AsyncClient
        from ..widget import runtime

        loop = runtime.get_runtime().loop
        with self._lock:
            if self._client is None or (self._given_client is None and self._loop is not loop):
                self._client = AsyncClient(base_url=self._url, api_key=self._api_key)
                self._loop = loop
            return self._client

    def secrets(self) -> list[str]:
        """What must never be shown: the key this connection sends."""
        from ..widget.backend import api_key_of

        keys = [self._api_key, api_key_of(self._client) if self._client is not None else None]
        return [key for key in keys if key]

    def default_assistant(self) -> str | None:
        """The embedded server's scripted assistant (made on first use); None elsewhere."""
        if self.server is None:
            return None
        return self.server.ensure_default_assistant()

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None and self._given_client is None:
            from ..widget import runtime

            try:
                runtime.run_sync(client.close(), timeout=5)
            except Exception:  # the loop is gone or the pool already closed: nothing to release
                return


class Connections:
    """The connections a session has made, by base URL, and the embedded server it may have started."""

    def __init__(self, settings: Settings, notify: Callable[[str], None]) -> None:
        self._settings = settings
        self._notify = notify
        self._by_url: dict[str, Connection] = {}
        self._embedded: Connection | None = None
        self._server_options: dict[str, Any] | None = None
        self._lock = threading.RLock()
        self.client: AsyncClient | None = None
        """A client given by the user (``Session(client=...)``): used when no base URL is asked for."""

    @property
    def server(self) -> ServerHandle | None:
        embedded = self._embedded
        return embedded.server if embedded is not None else None

    def get(self, base_url: str | None = None) -> Connection:
        """The connection for a call: its ``base_url`` option, else the settings and environment."""
        if base_url is None and self.client is not None:
            return self._given()
        target = resolve_target(base_url, self._settings)
        with self._lock:
            if target.url is None:
                return self._embedded_connection()
            url = _checked_url(target.url)
            found = self._by_url.get(url)
            api_key, key_source = api_key_for(target, self._settings)
            if found is None or found._api_key != api_key or found.target != target:
                if found is not None:
                    found.close()
                found = Connection(target, url, api_key, key_source)
                self._by_url[url] = found
            return found

    def _given(self) -> Connection:
        assert self.client is not None
        with self._lock:
            found = self._by_url.get("<given>")
            if found is None or found._given_client is not self.client:
                url = str(self.client.base_url)
                found = Connection(
                    Target(url, "client"), url, None, "the key came from the client given", client=self.client
                )
                self._by_url["<given>"] = found
            return found

    def _embedded_connection(self) -> Connection:
        wanted = self._settings.server_options()
        current = self._embedded
        if current is not None and current.server is not None and current.server.running:
            if wanted == self._server_options:
                return current
            self._notify(
                "run-widgets: the embedded server's settings changed; starting it again "
                "(threads and runs of the previous one are gone)."
            )
            self._stop_embedded()
        elif current is not None:
            self._notify("run-widgets: the embedded server had stopped; starting a new one.")
            self._stop_embedded()
        from ..server import start

        try:
            handle = start(**wanted)
        except Exception as exc:
            from .errors import redact

            secrets = [v for v in (wanted.get("chat_api_key"),) if v]
            raise SessionError(
                redact(f"The embedded server did not start: {exc}", secrets)
                + " Check %config RunMagics (engine, chat_base_url, chat_model)."
            ) from None
        self._server_options = wanted
        self._embedded = Connection(
            Target(None, "embedded"), handle.base_url, handle.api_key, "the embedded server's own key", handle
        )
        engine = (
            "the scripted assistant" if wanted["engine"] == "scripted" else f"the {wanted['engine']} engine"
        )
        self._notify(
            f"run-widgets: started the embedded server at {handle.base_url} ({engine}, no key needed). "
            "To use another server: %config RunMagics.base_url = 'http://HOST:PORT/v1', "
            "or set RUN_WIDGETS_BASE_URL."
        )
        return self._embedded

    def _stop_embedded(self) -> None:
        embedded, self._embedded = self._embedded, None
        if embedded is not None:
            embedded.close()
            if embedded.server is not None:
                embedded.server.stop()

    def close(self) -> None:
        with self._lock:
            for connection in self._by_url.values():
                connection.close()
            self._by_url.clear()
            self._stop_embedded()


def _checked_url(url: str) -> str:
    """The base URL as the client will use it (refused at once when it is not one)."""
    from ..client._settings import resolve_base_url
    from ..client.errors import ConfigurationError

    try:
        return str(resolve_base_url(url))
    except ConfigurationError as exc:
        raise SessionError(
            f"{exc} Set it with --base-url, %config RunMagics.base_url or RUN_WIDGETS_BASE_URL."
        ) from None


def _display_url(url: str) -> str:
    from ..client._settings import display_url

    return display_url(url)
