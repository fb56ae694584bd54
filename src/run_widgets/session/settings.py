"""What a session connects to and how it runs: plain settings, secrets that never show, and where the
base URL comes from (the call's option, the configuration, the environment, else the embedded server).

Nothing here does I/O or imports anything heavy: the magics read it at ``%load_ext``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from typing import Any, Final, Literal

BASE_URL_ENV: Final = ("RUN_WIDGETS_BASE_URL", "OPENAI_BASE_URL")
EMBEDDED: Final = "embedded"
"""A base URL that means "the embedded server", whatever the environment says."""
HIDDEN: Final = "(hidden)"
"""What a key looks like wherever it could be seen."""

Mode = Literal["stream", "poll"]


class Secret:
    """A string that never shows: not in a repr, not in ``str()``, not in a pickle."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret({HIDDEN!r})"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("a Secret cannot be pickled")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def secret(value: str | Secret | None) -> Secret | None:
    """``value`` as a Secret; an empty string means "none"."""
    if value is None or isinstance(value, Secret):
        return value
    if not isinstance(value, str):
        raise TypeError(f"a key is a string, not {type(value).__name__}")
    return Secret(value) if value.strip() else None


@dataclass
class Settings:
    """A session's settings. ``RunMagics``' traits (``%config RunMagics.*``) write into these.

    Connection: ``base_url`` (``None``: the environment, else the embedded server; ``"embedded"``:
    always the embedded server), ``api_key`` (a ``Secret``) or ``api_key_env`` (the name of the
    environment variable holding the key; default ``RUN_WIDGETS_API_KEY``, then ``OPENAI_API_KEY``),
    ``assistant`` (the default assistant id; the embedded server has its own).
    Runs: ``mode`` (``"stream"`` or ``"poll"``), ``wait``, ``auto_tools``, ``poll_interval``.
    The embedded server: ``engine``, ``chat_base_url``, ``chat_model``, ``chat_api_key``,
    ``chat_options``, ``words_per_second``, ``seed``, ``requires_action_timeout``.
    """

    base_url: str | None = None
    api_key: Secret | None = field(default=None, repr=False)
    api_key_env: str | None = None
    assistant: str | None = None
    mode: Mode = "stream"
    wait: bool = False
    auto_tools: bool = False
    poll_interval: float = 0.5
    engine: str = "scripted"
    chat_base_url: str | None = None
    chat_model: str | None = None
    chat_api_key: Secret | None = field(default=None, repr=False)
    chat_options: dict[str, Any] | None = None
    words_per_second: float = 20.0
    seed: int | None = None
    requires_action_timeout: float = 600.0

    def update(self, **changes: Any) -> None:
        """Change some settings by name (keys are wrapped in ``Secret``; unknown names are refused)."""
        known = {f.name for f in fields(self)}
        for name, value in changes.items():
            if name not in known:
                raise TypeError(f"unknown setting {name!r}; the settings are: {', '.join(sorted(known))}")
            if name in ("api_key", "chat_api_key"):
                value = secret(value)
            elif name == "mode" and value not in ("stream", "poll"):
                raise ValueError(f"mode is 'stream' or 'poll', not {value!r}")
            setattr(self, name, value)

    def server_options(self) -> dict[str, Any]:
        """The keyword arguments of ``run_widgets.server.start`` these settings ask for."""
        return {
            "engine": self.engine,
            "chat_base_url": self.chat_base_url,
            "chat_model": self.chat_model,
            "chat_api_key": self.chat_api_key.get() if self.chat_api_key else None,
            "chat_options": dict(self.chat_options) if self.chat_options else None,
            "words_per_second": self.words_per_second,
            "seed": self.seed,
            "requires_action_timeout": self.requires_action_timeout,
        }


@dataclass(frozen=True)
class Target:
    """Where to connect: ``url`` (``None`` for the embedded server) and where that choice came from."""

    url: str | None
    source: str
    """``"option"``, ``"config"``, an environment variable's name, ``"client"`` (one given to the
    session), or ``"embedded"``."""

    @property
    def embedded(self) -> bool:
        return self.url is None

    def how_to_leave(self) -> str:
        """How to stop using this server, for error messages."""
        if self.source == "option":
            return "Check --base-url, or leave it out to use the embedded server."
        if self.source == "config":
            return "Check %config RunMagics.base_url (set it to 'embedded' to use the embedded server)."
        if self.source in BASE_URL_ENV:
            return f"Unset {self.source} to use the embedded server."
        if self.source == "client":
            return "Check the client given to run_widgets.use_client(), or give None to stop using it."
        return "The embedded server has stopped; run_widgets.default_session().close() starts a new one on next use."


def resolve_target(option: str | None, settings: Settings) -> Target:
    """The base URL, in order: the call's option, the settings, the environment, else embedded."""
    for value, source in ((option, "option"), (settings.base_url, "config")):
        if value is not None and value.strip():
            value = value.strip()
            return Target(None, "embedded") if value == EMBEDDED else Target(value, source)
    for name in BASE_URL_ENV:
        value = os.environ.get(name, "").strip()
        if value:
            return Target(value, name)
    return Target(None, "embedded")


def api_key_for(target: Target, settings: Settings) -> tuple[str | None, str]:
    """The key for a server that is not the embedded one, and where it came from (said in errors).

    ``None`` lets the client read ``RUN_WIDGETS_API_KEY``, then ``OPENAI_API_KEY``; ``""`` sends no
    key at all (the variable named by ``api_key_env`` is not set: no other key is tried).
    """
    if settings.api_key is not None:
        return settings.api_key.get(), "the key came from %config RunMagics.api_key"
    if settings.api_key_env:
        value = os.environ.get(settings.api_key_env, "").strip()
        if value:
            return value, f"the key came from {settings.api_key_env}"
        return "", f"no key was sent: {settings.api_key_env} is not set"
    for name in ("RUN_WIDGETS_API_KEY", "OPENAI_API_KEY"):
        if os.environ.get(name, "").strip():
            return None, f"the key came from {name}"
    return None, "no key was sent"
