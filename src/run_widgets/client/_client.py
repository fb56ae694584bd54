"""``Client`` and ``AsyncClient``: the API shaped like the official SDK, without ``beta``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

import httpx2

from ._base_client import AsyncAPIClient, SyncAPIClient
from ._settings import DEFAULT_MAX_RETRIES
from ._types import NOT_GIVEN, NotGiven, Timeout
from .resources.assistants import Assistants, AsyncAssistants
from .resources.files import AsyncFiles, Files
from .resources.threads import AsyncThreads, Threads


class Client(SyncAPIClient):
    """A client of an Assistants v2 "runs" API (ours, Azure AI Foundry Agents, any compatible server).

    ``base_url`` defaults to ``RUN_WIDGETS_BASE_URL``, then ``OPENAI_BASE_URL``; ``api_key`` to
    ``RUN_WIDGETS_API_KEY``, then ``OPENAI_API_KEY`` (none: no Authorization header). ``http_client``
    is an ``httpx2.Client`` to send through (its transport, proxies, certificates). ``sleep`` is how
    the client waits between retries and polls (tests pass a recorder).

    >>> client = Client("http://127.0.0.1:8000/v1", api_key="...")  # doctest: +SKIP
    >>> run = client.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)  # doctest: +SKIP
    """

    def __init__(
        self,
        base_url: str | httpx2.URL | None = None,
        api_key: str | None = None,
        *,
        http_client: httpx2.Client | None = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        default_headers: Mapping[str, str] | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        super().__init__(
            base_url=base_url,
            api_key=api_key,
            http_client=http_client,
            max_retries=max_retries,
            timeout=timeout,
            default_headers=default_headers,
            sleep=sleep,
        )
        self.assistants = Assistants(self)
        self.threads = Threads(self)
        self.files = Files(self)

    def __enter__(self) -> Client:
        return self


class AsyncClient(AsyncAPIClient):
    """The async twin of ``Client``, over an ``httpx2.AsyncClient``; every method is awaited.

    Streams are the exception that reads alike: ``async with client.threads.runs.stream(...) as s``.
    """

    def __init__(
        self,
        base_url: str | httpx2.URL | None = None,
        api_key: str | None = None,
        *,
        http_client: httpx2.AsyncClient | None = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        default_headers: Mapping[str, str] | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        super().__init__(
            base_url=base_url,
            api_key=api_key,
            http_client=http_client,
            max_retries=max_retries,
            timeout=timeout,
            default_headers=default_headers,
            sleep=sleep,
        )
        self.assistants = AsyncAssistants(self)
        self.threads = AsyncThreads(self)
        self.files = AsyncFiles(self)

    async def __aenter__(self) -> AsyncClient:
        return self
