"""A pure reducer from stream events (or polled objects) to a run snapshot. No I/O."""

from ._accumulate import TextBuffer, merge, plain
from .catch_up import catch_up
from .snapshot import Changes, RunSnapshot

__all__ = ["Changes", "RunSnapshot", "TextBuffer", "catch_up", "merge", "plain"]
