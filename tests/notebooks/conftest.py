"""Running the notebooks headlessly (nbclient) in a kernel of this environment, against the embedded
server. The kernel's IPython directory is a temporary one whose config sets
``c.RunMagics.words_per_second = 0`` (the scripted assistant at full speed), the way a user's
``ipython_kernel_config.py`` would."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import pytest
from jupyter_core.utils import run_sync
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
ENV_KEY = "sk-notebook-test-0123456789abcdef"
"""A key in the kernel's environment; it must never reach a saved notebook."""


@dataclass
class Executed:
    nb: Any
    secrets: dict[str, str]
    """Keys that lived in the kernel (read from it after the run, without touching the notebook)."""

    def code_cells(self) -> list[Any]:
        return [cell for cell in self.nb.cells if cell.cell_type == "code"]

    def cell(self, starts: str) -> Any:
        found = [cell for cell in self.code_cells() if cell.source.startswith(starts)]
        assert len(found) == 1, f"{len(found)} cells start with {starts!r}"
        return found[0]


def outputs_text(cell: Any) -> str:
    """Everything a cell shows, as text: streams, plain text and HTML."""
    parts: list[str] = []
    for out in cell.outputs:
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type in ("display_data", "execute_result"):
            parts.append(out.data.get("text/plain", ""))
            parts.append(out.data.get("text/html", ""))
        elif out.output_type == "error":
            parts.append(f"{out.ename}: {out.evalue}")
    return "\n".join(parts)


def card_outputs(cell: Any) -> list[Any]:
    return [
        out
        for out in cell.outputs
        if out.output_type in ("display_data", "execute_result")
        and "application/vnd.jupyter.widget-view+json" in out.data
    ]


@pytest.fixture(scope="session")
def ipython_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ipython")
    profile = path / "profile_default"
    profile.mkdir()
    (profile / "ipython_kernel_config.py").write_text("c.RunMagics.words_per_second = 0\n")
    return path


@pytest.fixture
def kernel_environment(monkeypatch: pytest.MonkeyPatch, ipython_dir: Path, tmp_path: Path) -> Iterator[Path]:
    """What the kernel inherits: its own IPython directory, no base URL, a key in the environment."""
    monkeypatch.setenv("IPYTHONDIR", str(ipython_dir))
    for name in ("RUN_WIDGETS_BASE_URL", "OPENAI_BASE_URL", "RUN_WIDGETS_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", ENV_KEY)
    monkeypatch.setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    yield tmp_path


SECRETS_CODE = {
    "embedded": "__import__('run_widgets').default_session().server.api_key",
    "other": "globals().get('other').api_key if globals().get('other') else ''",
}


def execute(name: str, workdir: Path, *, store_widget_state: bool = False) -> Executed:
    """Run every cell of ``notebooks/<name>``; afterwards read the keys the kernel held."""
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        store_widget_state=store_widget_state,
        resources={"metadata": {"path": str(workdir)}},
    )
    secrets: dict[str, str] = {}
    with client.setup_kernel():  # as NotebookClient.execute, with a look into the kernel at the end
        info = client.wait_for_reply(client.kc.kernel_info())
        nb.metadata["language_info"] = info["content"]["language_info"]
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
        for label, expression in SECRETS_CODE.items():
            reply = run_sync(client.kc.execute_interactive)(
                "", silent=True, user_expressions={label: expression}, timeout=30
            )
            value = reply["content"]["user_expressions"][label]
            assert value["status"] == "ok", value
            secrets[label] = value["data"]["text/plain"].strip("'\"")
        client.set_widgets_metadata()
    secrets["environment"] = os.environ["OPENAI_API_KEY"]
    return Executed(nb, {k: v for k, v in secrets.items() if v})
