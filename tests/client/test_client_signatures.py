"""Same method names and arguments as the official SDK (``client.beta...``), so code moves over unchanged."""

from __future__ import annotations

import functools
import inspect
import warnings
from typing import Any

import openai
import pytest

from run_widgets import AsyncClient, Client

RESOURCES = {
    "assistants": ["create", "retrieve", "update", "list", "delete"],
    "threads": [
        "create", "retrieve", "update", "delete", "create_and_run", "create_and_run_poll", "create_and_run_stream",
    ],
    "threads.messages": ["create", "retrieve", "update", "list", "delete"],
    "threads.runs": [
        "create", "retrieve", "update", "list", "cancel", "submit_tool_outputs", "stream", "create_and_stream",
        "submit_tool_outputs_stream", "create_and_poll", "poll", "submit_tool_outputs_and_poll",
    ],
    "threads.runs.steps": ["retrieve", "list"],
}  # fmt: skip
PAIRS = [(resource, method) for resource, methods in RESOURCES.items() for method in methods]
NOT_TAKEN = {"event_handler"}  # the SDK's callback object: our streams are iterated instead
# Where the SDK's async twin lacks an argument its sync method takes, ours take it in both.
ASYNC_EXTRAS = {("threads.runs", "create_and_stream"): {"reasoning_effort"}}


def resolve(root: object, dotted: str) -> object:
    for name in dotted.split("."):
        root = getattr(root, name)
    return root


def shape(function: object) -> tuple[list[tuple[str, str]], set[str]]:
    """(positional parameters with their kinds, in order; keyword-only names)."""
    parameters = [p for p in inspect.signature(function).parameters.values() if p.name not in NOT_TAKEN]  # type: ignore[arg-type]
    positional = [(p.name, p.kind.name) for p in parameters if p.kind is not inspect.Parameter.KEYWORD_ONLY]
    keywords = {p.name for p in parameters if p.kind is inspect.Parameter.KEYWORD_ONLY}
    return positional, keywords


@functools.cache
def clients() -> tuple[Any, Any, Client, AsyncClient]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        sdk = openai.OpenAI(api_key="k", base_url="http://h.invalid/v1")
        async_sdk = openai.AsyncOpenAI(api_key="k", base_url="http://h.invalid/v1")
    return sdk.beta, async_sdk.beta, Client("http://h.invalid/v1"), AsyncClient("http://h.invalid/v1")


@pytest.mark.parametrize(("resource", "method"), PAIRS, ids=[f"{r}.{m}" for r, m in PAIRS])
def test_our_methods_take_the_sdks_arguments(resource: str, method: str) -> None:
    sdk, async_sdk, client, async_client = clients()
    theirs = getattr(resolve(sdk, resource), method)
    theirs_async = getattr(resolve(async_sdk, resource), method)
    ours = getattr(resolve(client, resource), method)
    ours_async = getattr(resolve(async_client, resource), method)
    assert shape(ours) == shape(theirs)
    positional, keywords = shape(ours_async)
    sdk_positional, sdk_keywords = shape(theirs_async)
    assert positional == sdk_positional
    assert keywords - sdk_keywords == ASYNC_EXTRAS.get((resource, method), set()) and sdk_keywords <= keywords
    # As in the SDK: lists and stream helpers are called without await (a pager, a stream); the rest are awaited.
    assert inspect.iscoroutinefunction(ours_async) == (method != "list" and not method.endswith("stream"))
