"""The chat engine's settings: the backend, the model, the key, and the knobs for odd backends.

Read once, when the server starts, so a wrong setting stops ``run-widgets serve`` with one clear
line instead of failing every run later.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal
from urllib.parse import unquote, urlsplit, urlunsplit

from .. import EngineUnavailable
from ..base import EngineSettings

StreamTools = Literal["auto", "on", "off"]
MaxTokensField = Literal["max_completion_tokens", "max_tokens", "both"]

DEFAULT_TIMEOUT = 300.0
"""Seconds to wait for the backend's next bytes: a local model may think (or load) for minutes."""
DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_MAX_TOOL_ROUNDS = 32
"""Rounds of tool calls a run may make before the next one fails it: a looping model stops."""
API_KEY_ENV = "RUN_WIDGETS_CHAT_API_KEY"
"""Where the backend's key is read when no setting gives one (keeps it out of ``ps`` and shell history)."""

# How users set each thing, for messages: the serve flag and the magics' %config trait.
BASE_URL_SETTING = "--chat-base-url (or %config RunMagics.chat_base_url)"
MODEL_SETTING = "--chat-model (or %config RunMagics.chat_model)"
API_KEY_SETTING = f"--chat-api-key, %config RunMagics.chat_api_key or the {API_KEY_ENV} environment variable"
OPTIONS_SETTING = "--chat-option NAME=VALUE (or %config RunMagics.chat_options)"

OPTION_HELP: dict[str, str] = {
    "timeout": f"seconds to wait for the backend's next bytes (default {DEFAULT_TIMEOUT:g})",
    "connect_timeout": f"seconds to wait for a connection (default {DEFAULT_CONNECT_TIMEOUT:g})",
    "stream_tools": "auto (stream; fall back to one call if the backend refuses streaming with "
    "tools), on, or off (never stream when tools are offered)",
    "max_tokens_field": "max_completion_tokens (default), max_tokens (older backends), or both",
    "extra_body": "a JSON object merged into every request (backend-specific fields)",
    "max_tool_rounds": f"rounds of tool calls a run may make; one more fails it (default {DEFAULT_MAX_TOOL_ROUNDS})",
}


class ChatSettingsError(EngineUnavailable):
    """A chat engine setting is missing or wrong; the message says which and what to write."""


@dataclass(frozen=True)
class ChatOptions:
    """Everything the chat engine needs to reach its backend."""

    base_url: str
    model: str | None = None
    api_key: str | None = field(default=None, repr=False)
    timeout: float = DEFAULT_TIMEOUT
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    stream_tools: StreamTools = "auto"
    max_tokens_field: MaxTokensField = "max_completion_tokens"
    extra_body: Mapping[str, Any] = field(default_factory=dict)
    max_tool_rounds: int = DEFAULT_MAX_TOOL_ROUNDS

    @cached_property
    def endpoint(self) -> str:
        """Where completions are posted; user info moves to ``basic_auth`` (HTTP logs show URLs)."""
        parts = urlsplit(self.base_url)
        netloc = parts.netloc.rpartition("@")[2]
        return urlunsplit(parts._replace(netloc=netloc, path=parts.path + "/chat/completions", fragment=""))

    @cached_property
    def basic_auth(self) -> tuple[str, str] | None:
        """``user:password@`` from the base URL, if any."""
        parts = urlsplit(self.base_url)
        if parts.username is None:
            return None
        return unquote(parts.username), unquote(parts.password or "")

    @cached_property
    def shown_url(self) -> str:
        """The base URL as errors show it: no user info, no query (either may hold a secret)."""
        parts = urlsplit(self.base_url)
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        if parts.port is not None:
            host += f":{parts.port}"
        return urlunsplit((parts.scheme, host, parts.path, "", ""))

    @classmethod
    def from_settings(cls, settings: EngineSettings) -> ChatOptions:
        base_url = _base_url(settings.chat_base_url)
        model = (settings.chat_model or "").strip() or None
        api_key = settings.chat_api_key or os.environ.get(API_KEY_ENV, "").strip() or None
        values: dict[str, Any] = {}
        for name, value in dict(settings.chat_options).items():
            if name not in OPTION_HELP:
                known = ", ".join(sorted(OPTION_HELP))
                raise ChatSettingsError(
                    f"unknown chat option {name!r} in {OPTIONS_SETTING}; the chat options are: {known}"
                )
            values[name] = _option(name, value)
        return cls(base_url=base_url, model=model, api_key=api_key, **values)


def _base_url(value: str | None) -> str:
    url = (value or "").strip()
    if not url:
        raise ChatSettingsError(
            f"the chat engine needs the backend's base URL: set {BASE_URL_SETTING}, for example "
            "http://127.0.0.1:11434/v1 for Ollama, http://127.0.0.1:8000/v1 for vLLM"
        )
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ChatSettingsError(
            f"the chat base URL ({BASE_URL_SETTING}) must start with http:// or https:// and name a host, like "
            f"http://127.0.0.1:11434/v1; got {_without_secrets(url)!r}"
        )
    path = parts.path.rstrip("/")
    # People paste the full endpoint; the base is what comes before it.
    for suffix in ("/chat/completions", "/chat"):
        if path.endswith(suffix):
            path = path[: -len(suffix)]
            break
    return urlunsplit(parts._replace(path=path, fragment=""))


def _without_secrets(url: str) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _option(name: str, value: Any) -> Any:
    if name in ("timeout", "connect_timeout"):
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            seconds = math.nan
        if not seconds > 0 or math.isinf(seconds):
            raise ChatSettingsError(f"chat option {name} must be a number of seconds above 0; got {value!r}")
        return seconds
    if name == "stream_tools":
        if value is True:
            value = "on"
        elif value is False:
            value = "off"
        if value not in ("auto", "on", "off"):
            raise ChatSettingsError(f"chat option stream_tools must be auto, on or off; got {value!r}")
        return value
    if name == "max_tool_rounds":
        try:
            rounds = int(value)
        except (TypeError, ValueError):
            rounds = 0
        if rounds < 1 or isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ChatSettingsError(
                f"chat option max_tool_rounds must be a whole number above 0; got {value!r}"
            )
        return rounds
    if name == "max_tokens_field":
        if value not in ("max_completion_tokens", "max_tokens", "both"):
            raise ChatSettingsError(
                f"chat option max_tokens_field must be max_completion_tokens, max_tokens or both; got {value!r}"
            )
        return value
    # extra_body
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise ChatSettingsError(
                f'chat option extra_body must be a JSON object, like {{"top_k": 40}}; got {value!r}'
            ) from None
    if not isinstance(value, Mapping):
        raise ChatSettingsError(
            f'chat option extra_body must be a JSON object, like {{"top_k": 40}}; got {value!r}'
        )
    return dict(value)
