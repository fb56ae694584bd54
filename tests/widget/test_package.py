"""The card's place in the package: lazy exports, and what importing it pulls in."""

from __future__ import annotations

import subprocess
import sys


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys; print(' '.join(sys.modules))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return set(out.split())


def test_import_run_widgets_stays_light() -> None:
    loaded = _modules_after("import run_widgets")
    assert not {"anywidget", "ipywidgets", "IPython", "openai"} & loaded


def test_the_card_does_not_import_the_sdk() -> None:
    loaded = _modules_after("import run_widgets; run_widgets.RunCard")
    assert "anywidget" in loaded and "openai" not in loaded


def test_lazy_exports() -> None:
    import openai

    import run_widgets
    from run_widgets.widget import AsyncCardEventHandler, CardEventHandler, RunCard

    assert run_widgets.RunCard is RunCard
    assert run_widgets.CardEventHandler is CardEventHandler
    assert issubclass(CardEventHandler, openai.AssistantEventHandler)
    assert issubclass(AsyncCardEventHandler, openai.AsyncAssistantEventHandler)
