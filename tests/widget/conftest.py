"""Fixtures for the card's tests: a recording comm (no kernel needed) and a manual clock."""

from __future__ import annotations

from collections.abc import Iterator

import comm
import pytest

from run_widgets.widget import RunCard

from .wire import ManualClock, Wire


@pytest.fixture
def wire(monkeypatch: pytest.MonkeyPatch) -> Wire:
    """Every widget created in the test publishes into this record."""
    record = Wire()
    monkeypatch.setattr(comm, "create_comm", record.create_comm)
    return record


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def card(wire: Wire, clock: ManualClock) -> Iterator[RunCard]:
    """A card whose flushes run when the test moves the clock."""
    widget = RunCard(_scheduler=clock)
    assert not wire.messages  # only the comm_open so far
    yield widget
    widget.close()
