"""A real kernel runs a notebook with a card (nbclient, which saves widget state by default).

The card streams from the embedded server on its background thread while the kernel is idle; the
saved notebook then holds the final state and the refreshed text/html summary, and never the key.
"""

from __future__ import annotations

import json

import nbformat
import pytest
from nbclient import NotebookClient

KEY = "rwk-notebook-5d1c-distinctive-secret"

CELLS = [
    """
import os
import warnings
warnings.filterwarnings("ignore", category=DeprecationWarning)
from run_widgets.server import start
from run_widgets.client import AsyncClient, Client
from run_widgets import RunCard
key = os.environ.pop("RW_NOTEBOOK_TEST_KEY")  # not in any cell: it must not be saved anywhere
server = start(words_per_second=0, api_key=key)
sync = Client(server.base_url, api_key=key)
assistant = sync.assistants.create(model="scripted")
thread = sync.threads.create(messages=[{"role": "user", "content": "Saved notebooks read well."}])
client = AsyncClient(server.base_url, api_key=key)
""",
    """
card = RunCard(client=client)
card.follow_stream(client.threads.runs.stream(thread_id=thread.id, assistant_id=assistant.id))
card
""",
    """
run = card.wait(60)
print(run.status, len(card.steps))
""",
    """
server.stop()
""",
]


@pytest.mark.timeout(180)
def test_a_notebook_saves_the_final_card_and_no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RW_NOTEBOOK_TEST_KEY", KEY)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in CELLS])
    NotebookClient(nb, timeout=120, kernel_name="python3", store_widget_state=True).execute()

    assert nb.cells[2].outputs[0]["text"].strip() == "completed 1"
    (output,) = nb.cells[1].outputs
    html = output["data"]["text/html"]
    assert "completed" in html and "Saved notebooks read well." in html  # refreshed at the end
    model_id = output["data"]["application/vnd.jupyter.widget-view+json"]["model_id"]

    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"][model_id]["state"]
    assert state["run"]["status"] == "completed" and state["following"] is False
    assert "Saved notebooks read well." in state["steps"][0]["message"]["text"]

    saved = nbformat.writes(nb)
    assert KEY not in saved
    assert json.loads(saved)  # a valid notebook
