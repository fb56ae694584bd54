"""The ``chat`` engine: runs answered by any OpenAI-compatible Chat Completions backend.

``run-widgets serve --engine chat --chat-base-url URL --chat-model NAME [--chat-api-key KEY]``;
see ``docs/chat-engine.md`` for backends, what maps to what, options and failure behaviour.
"""

from __future__ import annotations

from .engine import ChatEngine, create_engine
from .options import ChatOptions, ChatSettingsError

__all__ = ["ChatEngine", "ChatOptions", "ChatSettingsError", "create_engine"]
