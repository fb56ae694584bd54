"""Where the client connects and with which key: arguments first, then the environment."""

from __future__ import annotations

import os
import platform
from typing import Any, Final

import httpx2

from .. import __version__
from .errors import ConfigurationError

BASE_URL_ENV: Final = ("RUN_WIDGETS_BASE_URL", "OPENAI_BASE_URL")
API_KEY_ENV: Final = ("RUN_WIDGETS_API_KEY", "OPENAI_API_KEY")

DEFAULT_TIMEOUT: Final = httpx2.Timeout(600.0, connect=5.0)
"""As the official SDK: a run's stream may stay quiet for a long time; connecting may not."""
DEFAULT_MAX_RETRIES: Final = 2
DEFAULT_POLL_INTERVAL_MS: Final = 1000
USER_AGENT: Final = (
    f"run-widgets/{__version__} (Python {platform.python_version()}; httpx2 {httpx2.__version__})"
)

_NO_BASE_URL = (
    "No server to talk to: pass base_url='http://HOST:PORT/v1', or set RUN_WIDGETS_BASE_URL "
    "(OPENAI_BASE_URL works too). In a notebook, the run-widgets magics start the embedded server for you."
)


def resolve_base_url(base_url: str | httpx2.URL | None) -> httpx2.URL:
    """The base URL from the argument, else RUN_WIDGETS_BASE_URL, else OPENAI_BASE_URL."""
    value = str(base_url) if base_url is not None else _first_env(BASE_URL_ENV)
    if not value:
        raise ConfigurationError(_NO_BASE_URL)
    try:
        url = httpx2.URL(value.strip())
    except httpx2.InvalidURL as exc:
        raise ConfigurationError(f"base_url {display_url(value)!r} is not a URL ({exc}).") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigurationError(
            f"base_url {display_url(value)!r} must start with http:// or https:// and name a host, "
            "e.g. 'http://127.0.0.1:8000/v1'."
        )
    return url.copy_with(path=url.path.rstrip("/") or "", query=None, fragment=None)


class Secret:
    """A value that never shows itself: not in ``repr``, ``str``, ``vars()`` dumps or logs.

    The key is read with ``reveal()`` at the one place it is needed, the Authorization header.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('[redacted]')"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("an API key is not pickled; pass it again where it is needed")


def resolve_api_key(api_key: str | None) -> Secret | None:
    """The key from the argument, else RUN_WIDGETS_API_KEY, else OPENAI_API_KEY (None: send none).

    A key that cannot go into an HTTP header (a pasted curly quote, a space, a newline) is refused
    here, with a message that says where it came from and what is wrong but never shows the key.
    """
    source = "api_key"
    if api_key is None:
        source, api_key = _first_env_with_name(API_KEY_ENV)
    if not api_key:
        return None
    if not isinstance(api_key, str):
        raise ConfigurationError(f"api_key must be a string, got {type(api_key).__name__}.")
    _check_key(api_key, source)
    return Secret(api_key)


def _check_key(key: str, source: str) -> None:
    """Raise ``ConfigurationError`` unless ``key`` is printable ASCII without spaces (a valid header value)."""
    for position, char in enumerate(key, start=1):
        if "!" <= char <= "~":
            continue
        if not char.isascii():
            what = f"a non-ASCII character (U+{ord(char):04X})"
            fix = (
                "retype it, or copy it again as plain text (editors turn quotes and dashes into look-alikes)"
            )
        elif char.isspace():
            what = f"whitespace (U+{ord(char):04X})"
            fix = "remove the spaces or line breaks around or inside it"
        else:
            what = f"a control character (U+{ord(char):04X})"
            fix = "copy it again as plain text"
        raise ConfigurationError(
            f"The API key from {source} has {what} at position {position} of {len(key)}, which no "
            f"server accepts in an Authorization header: {fix}."
        )


def display_url(url: str | httpx2.URL) -> str:
    """A URL fit for messages and reprs: any ``user:password@`` part removed."""
    try:
        parsed = httpx2.URL(str(url))
    except httpx2.InvalidURL:
        return "<invalid URL>"
    if parsed.userinfo:
        parsed = parsed.copy_with(username=None, password=None)
    return str(parsed)


def _first_env(names: tuple[str, ...]) -> str | None:
    return _first_env_with_name(names)[1]


def _first_env_with_name(names: tuple[str, ...]) -> tuple[str, str | None]:
    """(the first of ``names`` that is set, its value without surrounding whitespace)."""
    for name in names:
        value = os.environ.get(name, "").strip()
        if value:
            return name, value
    return names[0], None
