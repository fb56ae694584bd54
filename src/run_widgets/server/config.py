"""The server's settings, shared by the CLI, ``start()`` and the app factory."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_WORDS_PER_SECOND = 20.0
DEFAULT_REQUIRES_ACTION_TIMEOUT = 600.0
DEFAULT_MAX_BODY_BYTES = 1 << 20
DEFAULT_POLL_AFTER_MS = 200


def default_db_path() -> Path:
    """Where ``run-widgets serve`` keeps its database unless told otherwise."""
    from platformdirs import user_data_path

    return user_data_path("run-widgets", appauthor=False) / "server.sqlite3"


@dataclass
class ServerConfig:
    """Everything that shapes one server. ``api_key`` is required here: callers make one if needed."""

    api_key: str
    host: str = "127.0.0.1"
    port: int = 0
    db: str = ":memory:"
    engine: str = "scripted"
    seed: int | None = None
    words_per_second: float = DEFAULT_WORDS_PER_SECOND
    requires_action_timeout: float = DEFAULT_REQUIRES_ACTION_TIMEOUT
    chat_base_url: str | None = None
    chat_model: str | None = None
    chat_api_key: str | None = field(default=None, repr=False)
    chat_options: dict[str, Any] = field(default_factory=dict)
    allowed_hosts: tuple[str, ...] = ()
    cors_origins: tuple[str, ...] = ()
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    poll_after_ms: int = DEFAULT_POLL_AFTER_MS

    def __repr__(self) -> str:  # the key never shows in a repr or a log
        return (
            f"ServerConfig(host={self.host!r}, port={self.port}, db={self.db!r}, engine={self.engine!r}, "
            f"seed={self.seed!r}, words_per_second={self.words_per_second}, "
            f"requires_action_timeout={self.requires_action_timeout})"
        )
