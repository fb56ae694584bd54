"""A JupyterLab of its own on loopback, and a notebook page driven through its UI.

The server gets its own config, runtime and data directories (no user settings, no news toast, no
update check) and a root directory holding copies of the notebooks, so nothing in the repository is
touched. Its kernels get an IPython directory whose config runs the scripted assistant at full speed.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
NEWS_OFF = {"fetchNews": "false", "checkForUpdates": False}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Lab:
    """A running JupyterLab server (started by ``start``, stopped by ``stop``).

    Its notebooks start their kernel without asking, and keep every cell in the page
    (``windowingMode: none``), so cells are found by their index.
    """

    url: str
    root: Path
    process: subprocess.Popen[bytes]
    log: Path

    @classmethod
    def start(cls, home: Path, notebooks: list[str]) -> Lab:
        root, config, runtime, data, ipython = (
            home / name for name in ("root", "config", "runtime", "data", "ipython")
        )
        for path in (root, config, runtime, data, ipython / "profile_default"):
            path.mkdir(parents=True, exist_ok=True)
        for name in notebooks:
            shutil.copy(NOTEBOOKS / name, root / name)
        settings = config / "lab" / "user-settings" / "@jupyterlab"
        for extension, name, values in (
            ("apputils-extension", "notification", NEWS_OFF),
            ("notebook-extension", "tracker", {"autoStartDefaultKernel": True, "windowingMode": "none"}),
        ):
            (settings / extension).mkdir(parents=True, exist_ok=True)
            (settings / extension / f"{name}.jupyterlab-settings").write_text(json.dumps(values))
        (ipython / "profile_default" / "ipython_kernel_config.py").write_text(
            "c.RunMagics.words_per_second = 0\n"
        )
        env = {
            **os.environ,
            "JUPYTER_CONFIG_DIR": str(config),
            "JUPYTER_RUNTIME_DIR": str(runtime),
            "JUPYTER_DATA_DIR": str(data),
            "IPYTHONDIR": str(ipython),
            "JUPYTER_PLATFORM_DIRS": "1",
        }
        for name in ("RUN_WIDGETS_BASE_URL", "OPENAI_BASE_URL", "RUN_WIDGETS_API_KEY"):
            env.pop(name, None)
        port = free_port()
        log = home / "jupyter.log"
        command = [
            sys.executable, "-m", "jupyter", "lab", "--allow-root", "--no-browser",
            "--ServerApp.token=", "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", f"--ServerApp.root_dir={root}",
            "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=",
        ]  # fmt: skip
        with log.open("wb") as out:
            process = subprocess.Popen(
                command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        lab = cls(f"http://127.0.0.1:{port}", root, process, log)
        lab._wait_ready()
        return lab

    def _wait_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"JupyterLab exited ({self.process.returncode}):\n{self.log.read_text()[-3000:]}"
                )
            try:
                if httpx2.get(f"{self.url}/api/status", timeout=2).status_code == 200:
                    return
            except httpx2.TransportError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"JupyterLab did not answer within {timeout} s:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        """Stop the server (its kernels go with it), by its own process group."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)


@dataclass
class NotebookPage:
    """One notebook open in JupyterLab; cells run through the UI (Shift+Enter), one at a time."""

    page: Any
    name: str
    errors: list[str] = field(default_factory=list)
    panel: str = ".jp-NotebookPanel"
    """The CSS selector of this notebook's panel (its widget id, once open)."""

    def open(self, lab: Lab) -> NotebookPage:
        self.page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        self.page.goto(f"{lab.url}/lab/tree/{self.name}?reset")  # ?reset: no tabs from an earlier test
        self.page.locator(".jp-Notebook").first.wait_for(state="attached", timeout=60_000)
        self.page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(
            state="attached", timeout=60_000
        )
        self.panel = "#" + self.page.evaluate("() => window.jupyterapp.shell.currentWidget.id")
        self.page.locator(f"{self.panel} .jp-Cell").first.wait_for(state="visible")
        self.page.locator(".jp-Spinner").wait_for(state="detached")
        self.page.wait_for_function(
            """() => {
                const accept = document.querySelector(".jp-Dialog .jp-mod-accept");
                if (accept) accept.click();  // a kernel dialog, should the settings not have applied yet
                const kernel = window.jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel;
                return kernel && kernel.connectionStatus === "connected" && kernel.status === "idle";
            }""",
            polling=200,
            timeout=90_000,
        )
        self.select(0)
        return self

    def cell_count(self) -> int:
        return int(self.page.evaluate("() => window.jupyterapp.shell.currentWidget.content.widgets.length"))

    def active_index(self) -> int:
        return int(self.page.evaluate("() => window.jupyterapp.shell.currentWidget.content.activeCellIndex"))

    def cell_source(self, index: int) -> str:
        return str(
            self.page.evaluate(
                "i => window.jupyterapp.shell.currentWidget.content.widgets[i].model.sharedModel.getSource()",
                index,
            )
        )

    def cell(self, index: int) -> Any:
        return self.page.locator(f"{self.panel} .jp-Notebook .jp-Cell").nth(index)

    def run_next(self, timeout: float = 60_000) -> int:
        """Shift+Enter on the active cell; for a code cell, wait until its run is over. Its index."""
        index = self.active_index()
        kind = self.page.evaluate(
            "i => window.jupyterapp.shell.currentWidget.content.widgets[i].model.type", index
        )
        self.page.keyboard.press("Shift+Enter")
        if kind == "code":
            self.page.wait_for_function(
                """i => {
                    const cell = window.jupyterapp.shell.currentWidget.content.widgets[i];
                    const prompt = cell.promptNode ? cell.promptNode.textContent : "";
                    return cell.model.executionCount !== null && !prompt.includes("*");
                }""",
                arg=index,
                timeout=timeout,
            )
        return index

    def run_until(self, starts: str) -> int:
        """Run cells until (and including) the first code cell whose source starts with ``starts``."""
        last = self.cell_count() - 1
        while True:
            index = self.active_index()
            source = self.cell_source(index)
            self.run_next()
            if source.startswith(starts):
                return index
            if index >= last:
                raise AssertionError(f"no cell starts with {starts!r}")

    def run_rest(self) -> None:
        """Run every cell from the active one to the last (running the last adds an empty one)."""
        last = self.cell_count() - 1
        while self.run_next() < last:
            pass

    def select(self, index: int) -> None:
        """Make a cell the active one in command mode (after clicking inside another cell's output)."""
        self.cell(index).locator(".jp-InputPrompt").first.click()
        self.page.keyboard.press("Escape")
        self.page.wait_for_function(
            "i => window.jupyterapp.shell.currentWidget.content.activeCellIndex === i", arg=index
        )

    def run_index(self, starts: str) -> int:
        """The index of the cell whose source starts with ``starts``."""
        for index in range(self.cell_count()):
            if self.cell_source(index).startswith(starts):
                return index
        raise AssertionError(f"no cell starts with {starts!r}")

    def wait_count(self, selector: str, count: int) -> None:
        """Wait until this notebook shows exactly ``count`` elements matching ``selector``."""
        self.page.wait_for_function(
            "([panel, selector, count]) => document.querySelectorAll(`${panel} ${selector}`).length === count",
            arg=[self.panel, selector, count],
        )

    def count(self, selector: str) -> int:
        return int(self.page.locator(f"{self.panel} {selector}").count())

    def card(self, index: int) -> Any:
        """The run card in a cell's output."""
        return self.cell(index).locator(".rw-card").first

    def badge(self, index: int) -> Any:
        return self.cell(index).locator(".rw-badge").first

    def wait_status(self, index: int, status: str, timeout: float = 60_000) -> None:
        self.cell(index).locator(f".rw-badge[data-status='{status}']").first.wait_for(
            state="attached", timeout=timeout
        )

    def screenshot(self, name: str, locator: Any = None) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        (locator or self.page).screenshot(path=str(path))
        return path
