"""Cancelling a run aborts the backend request, wherever the call is."""

from __future__ import annotations

from typing import Any

import openai
import pytest
from chat_testing import Recorder, assistant, reply_text
from fake_backend import FakeBackend, Reply

pytestmark = pytest.mark.filterwarnings("ignore:deprecated:DeprecationWarning")

LONG = "word " * 400


class CancelOnFirstDelta(Recorder):
    def __init__(self, client: openai.OpenAI) -> None:
        super().__init__()
        self.client = client

    def on_text_delta(self, delta: Any, snapshot: Any) -> None:
        super().on_text_delta(delta, snapshot)
        if len(self.deltas) == 1:
            run = self.current_run
            assert run is not None
            self.client.beta.threads.runs.cancel(thread_id=run.thread_id, run_id=run.id)


def test_cancel_mid_stream_closes_the_backend_connection(client: openai.OpenAI, backend: FakeBackend) -> None:
    backend.script(Reply(text=LONG, text_piece=5, delay=0.02), Reply(text="After the cancel."))
    asst = assistant(client)
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Talk a lot"}])
    handler = CancelOnFirstDelta(client)
    with client.beta.threads.runs.stream(
        thread_id=thread.id, assistant_id=asst, event_handler=handler
    ) as stream:
        stream.until_done()

    assert handler.events[-1] == "thread.run.cancelled"
    assert "thread.run.cancelling" in handler.events
    backend.wait_for(lambda b: b.requests[0].disconnected)
    assert backend.requests[0].closed_early, "the backend saw its client go away before the answer ended"
    [message] = client.beta.threads.messages.list(thread_id=thread.id, run_id=handler.runs[-1].id).data
    assert message.status == "incomplete" and message.incomplete_details.reason == "run_cancelled"  # type: ignore[union-attr]
    assert len(message.content[0].text.value) < len(LONG.strip())  # type: ignore[union-attr]

    again = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=asst)
    assert reply_text(client, thread.id, again.id) == "After the cancel."


@pytest.mark.parametrize(
    "reply",
    [Reply(hang=True), Reply(text="Some words then silence", hang_after=3)],
    ids=["before the first byte", "between chunks"],
)
def test_cancel_while_the_backend_is_silent_closes_the_connection(
    client: openai.OpenAI, backend: FakeBackend, reply: Reply
) -> None:
    backend.script(reply)
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Think hard"}])
    run = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant(client))
    backend.wait_for(lambda b: len(b.requests) == 1)
    client.beta.threads.runs.cancel(thread_id=thread.id, run_id=run.id)
    run = client.beta.threads.runs.poll(thread_id=thread.id, run_id=run.id)
    assert run.status == "cancelled"
    backend.wait_for(lambda b: b.requests[0].disconnected)
    assert backend.requests[0].closed_early
