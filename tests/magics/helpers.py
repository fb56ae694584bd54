"""Small readers of what a card holds, for assertions."""

from __future__ import annotations

from typing import Any


def final_text(card: Any) -> str:
    """The text of the card's last assistant message."""
    snapshot = card.snapshot
    for message in reversed(snapshot.messages):
        if message.role == "assistant":
            return str(snapshot.text_of(message.id))
    return ""


def user_texts(card: Any) -> list[str]:
    """The texts of the user messages the card knows of."""
    snapshot = card.snapshot
    return [str(snapshot.text_of(m.id)) for m in snapshot.messages if m.role == "user"]
