"""Fixtures for the magics and the session API: a real IPython shell with the extension loaded, the
real embedded server (started by the magics themselves), a recording comm and captured displays."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import comm
import pytest
from comm import DummyComm
from IPython.core.displaypub import CapturingDisplayPublisher
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

import run_widgets.session as session_module
from run_widgets.server import ServerHandle, start
from run_widgets.session import Settings, close_default_session

warnings.filterwarnings("ignore", message="The Assistants API is deprecated", category=DeprecationWarning)

ENVIRONMENT = ("RUN_WIDGETS_BASE_URL", "OPENAI_BASE_URL", "RUN_WIDGETS_API_KEY", "OPENAI_API_KEY")


@dataclass
class Wire:
    """Everything every widget comm published during a test, in order."""

    sent: list[tuple[str, Any]] = field(default_factory=list)

    def create_comm(self, *args: Any, **kwargs: Any) -> DummyComm:
        wire = self

        class Recording(DummyComm):  # type: ignore[misc]
            def publish_msg(
                self, msg_type: str, data: Any = None, metadata: Any = None, buffers: Any = None, **keys: Any
            ) -> None:
                wire.sent.append((msg_type, data))

        return Recording(*args, **kwargs)

    def everything(self) -> str:
        return json.dumps(self.sent, default=str)


@dataclass
class Shell:
    """An IPython shell with ``%load_ext run_widgets`` done, and what it displayed."""

    ip: InteractiveShell
    displays: CapturingDisplayPublisher

    def run(self, cell: str) -> Any:
        """Run a cell; returns IPython's ExecutionResult."""
        return self.ip.run_cell(cell, store_history=False)

    def ok(self, cell: str) -> Any:
        result = self.run(cell)
        assert result.error_before_exec is None and result.error_in_exec is None, (
            result.error_before_exec or result.error_in_exec
        )
        return result.result

    def usage_error(self, cell: str, capsys: pytest.CaptureFixture[str]) -> str:
        """Run a cell that must fail with one short ``UsageError`` line (and no traceback)."""
        capsys.readouterr()
        result = self.run(cell)
        from IPython.core.error import UsageError

        assert isinstance(result.error_in_exec, UsageError), result.error_in_exec
        message = str(result.error_in_exec)
        err = capsys.readouterr().err
        assert err.strip() == f"UsageError: {message}", err  # IPython shows the line and nothing else
        assert "\n" not in message and "Traceback" not in message
        return message

    def card_displays(self) -> list[dict[str, Any]]:
        """The displays that showed a card (new ones, not updates)."""
        return [
            out
            for out in self.displays.outputs
            if "application/vnd.jupyter.widget-view+json" in out["data"] and not out["update"]
        ]

    @property
    def ns(self) -> dict[str, Any]:
        return self.ip.user_ns  # type: ignore[no-any-return]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No base URL or key from the machine running the tests."""
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def fresh_default_session(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts with default settings and no default session, and closes what it made."""
    close_default_session()
    monkeypatch.setattr(session_module, "_default_settings", Settings())
    yield
    close_default_session()


@pytest.fixture
def wire(monkeypatch: pytest.MonkeyPatch) -> Wire:
    record = Wire()
    monkeypatch.setattr(comm, "create_comm", record.create_comm)
    return record


def make_shell(config: Config | None = None) -> Shell:
    InteractiveShell.clear_instance()
    ip = InteractiveShell.instance(config=config or Config())
    displays = CapturingDisplayPublisher()
    ip.display_pub = displays
    ip.extension_manager.load_extension("run_widgets")
    return Shell(ip, displays)


@pytest.fixture
def shell(wire: Wire) -> Iterator[Shell]:
    """The extension loaded through IPython's config, with the scripted assistant at full speed."""
    config = Config()
    config.RunMagics.words_per_second = 0.0
    made = make_shell(config)
    yield made
    made.ip.extension_manager.unload_extension("run_widgets")
    InteractiveShell.clear_instance()


@pytest.fixture(scope="session")
def other_server() -> Iterator[ServerHandle]:
    """A second server, standing for "another server" (self-hosted): its own key, full speed."""
    with start(words_per_second=0, api_key="other-server-key-0123456789") as handle:
        yield handle
