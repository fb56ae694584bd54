"""``%load_ext run_widgets``: light, complete, and undone by ``%unload_ext``."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import run_widgets
from run_widgets.magics import RunMagics
from run_widgets.session import default_session

from .conftest import Shell, make_shell

pytestmark = pytest.mark.timeout(60)

MAGICS = {"line": ["run_cancel", "run_create", "run_list", "run_show"], "cell": ["run_stream"]}
HEAVY = [
    "run_widgets.client",
    "run_widgets.widget",
    "run_widgets.server",
    "run_widgets.models",
    "anywidget",
    "starlette",
    "uvicorn",
    "httpx2",
    "openai",
]


def modules_after_load(preload: bool) -> list[str]:
    """The heavy modules loaded in a fresh process after ``%load_ext`` (and its preload, if on)."""
    script = (
        "import json, sys, threading\n"
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "from traitlets.config import Config\n"
        "c = Config()\n"
        f"c.RunMagics.preload = {preload}\n"
        "ip = InteractiveShell.instance(config=c)\n"
        "ip.run_line_magic('load_ext', 'run_widgets')\n"
        "for thread in threading.enumerate():\n"
        "    if thread.name == 'run-widgets-preload':\n"
        "        thread.join(60)\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def test_loading_the_extension_imports_nothing_heavy() -> None:
    assert modules_after_load(preload=False) == []


def test_the_preload_imports_the_client_and_the_card_but_not_the_server() -> None:
    loaded = modules_after_load(preload=True)
    assert {"run_widgets.client", "run_widgets.widget", "run_widgets.models", "anywidget"} <= set(loaded)
    assert not {"run_widgets.server", "starlette", "uvicorn", "openai"} & set(loaded)


def test_the_magics_are_registered(shell: Shell) -> None:
    found = shell.ip.magics_manager.lsmagic()
    for kind, names in MAGICS.items():
        for name in names:
            assert name in found[kind]
    assert isinstance(shell.ip.magics_manager.registry["RunMagics"], RunMagics)
    assert run_widgets.load_ipython_extension is run_widgets.magics.load_ipython_extension


@pytest.mark.parametrize("name", ["run_create", "run_stream", "run_show", "run_list", "run_cancel"])
def test_every_magic_has_complete_help(shell: Shell, name: str) -> None:
    finder = shell.ip.find_cell_magic if name == "run_stream" else shell.ip.find_line_magic
    help_text = finder(name).__doc__
    assert help_text.startswith(f"::\n\n  %{name}")  # the usage line, then the description
    assert "Example" in help_text
    parser = getattr(RunMagics, name).parser
    for action in parser._actions:
        for flag in action.option_strings:
            assert flag in help_text
        assert action.help, f"{name}: {action.dest} has no help"


def test_unload_removes_the_magics_and_stops_the_embedded_server() -> None:
    made = make_shell()
    made.ok("%config RunMagics.words_per_second = 0")
    made.ok("%%run_stream --wait\nhi")
    server = default_session().server
    assert server is not None and server.running
    magics = made.ip.magics_manager.registry["RunMagics"]
    made.ip.extension_manager.unload_extension("run_widgets")
    found = made.ip.magics_manager.lsmagic()
    assert not any(name in found[kind] for kind, names in MAGICS.items() for name in names)
    assert "RunMagics" not in made.ip.magics_manager.registry
    assert magics not in made.ip.configurables
    assert not server.running
    assert magics.scrub_keys not in made.ip.events.callbacks["post_run_cell"]


def test_reload_gives_working_magics() -> None:
    made = make_shell()
    try:
        made.ok("%reload_ext run_widgets")
        made.ok("%config RunMagics.words_per_second = 0")
        made.ok("%%run_stream --wait -o card\nafter a reload")
        assert made.ns["card"].current_run.status == "completed"
        registered = [c for c in made.ip.configurables if isinstance(c, RunMagics)]
        assert len(registered) == 1
    finally:
        made.ip.extension_manager.unload_extension("run_widgets")
