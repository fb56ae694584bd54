"""Live texts: a message longer than the synced cap keeps streaming on the card, word by word, from the
real card's patches (their ``appends``); when it ends, the full step takes over without a flash of the
capped text; a page that joins mid-stream catches up through ``detail`` and streams on."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from .harness import CardPage
from .states import Feed
from .streams import Event, RunScript

pytestmark = pytest.mark.browser

CAP = 4000
SENTENCE = re.compile(r"Sentence (\d+) ends here\.")


def numbered_text(length: int) -> str:
    """Numbered sentences in paragraphs of ten, about ``length`` characters, then THE-END."""
    sentences: list[str] = []
    size = 0
    while size < length:
        sentence = f"Sentence {len(sentences)} ends here."
        sentences.append(sentence)
        size += len(sentence) + 1
    paragraphs = [" ".join(sentences[i : i + 10]) for i in range(0, len(sentences), 10)]
    return "\n\n".join(paragraphs) + " THE-END"


def long_message_run(length: int = 12_000) -> tuple[list[Event], str, str]:
    script = RunScript(run_id="run_livetext")
    script.start()
    text = numbered_text(length)
    step_id = script.message(text, chunk_words=8)
    script.status("completed")
    return script.events, step_id, text


def deltas_of(events: list[Event]) -> list[int]:
    return [i for i, e in enumerate(events) if e["event"] == "thread.message.delta"]


def sentence_numbers(card: CardPage, step_id: str) -> list[int]:
    text = card.page.locator(f'.rw-step[data-step-id="{step_id}"] .rw-md').inner_text()
    return [int(n) for n in SENTENCE.findall(text)]


def last_sentence(kernel_text: str) -> int:
    return int(SENTENCE.findall(kernel_text)[-1])


def stream(fed: Feed, events: list[Event], card: CardPage | None, every: int = 20) -> None:
    """Apply events at a fast model's pace (several per flush), delivering what the card sent in batches."""
    for n, event in enumerate(events, 1):
        fed.card.apply(event)
        fed.clock.advance(0.01)
        if card is not None and n % every == 0:
            card.deliver(fed.take_log())
    fed.clock.advance(0.1)
    if card is not None:
        card.deliver(fed.take_log())


def message_text(fed: Feed, step_id: str) -> str:
    step = fed.card.snapshot.step(step_id)
    assert step is not None
    return str(fed.card.snapshot.text_of(step.step_details.message_creation.message_id))  # type: ignore[union-attr]


def test_a_long_message_streams_past_the_cap_then_the_full_step_takes_over(card: CardPage) -> None:
    events, step_id, text = long_message_run()
    first, last = deltas_of(events)[0], deltas_of(events)[-1]
    fed = Feed()
    for event in events[:first]:
        fed.apply(event)
    card.mount(fed.state())
    fed.take_log()
    row = card.page.locator(f'.rw-step[data-step-id="{step_id}"]')
    md = row.locator(".rw-md")

    # All but the last few deltas, delivered batch after batch: the text passes the cap and goes on.
    body = events[first : last - 2]
    for start in range(0, len(body), 40):
        stream(fed, body[start : start + 40], card)
        so_far = message_text(fed, step_id)
        expect(md).to_contain_text(f"Sentence {last_sentence(so_far)} ends here.")
    assert len(message_text(fed, step_id)) > 2.5 * CAP
    expect(row).to_have_attribute("data-status", "in_progress")
    assert len(md.inner_text()) > 2 * CAP  # far past the cap, while the step runs
    assert sentence_numbers(card, step_id) == list(range(last_sentence(message_text(fed, step_id)) + 1))
    expect(row.get_by_test_id("truncated")).to_have_count(0)  # no "Cut at 4,000 characters" note
    assert card.sent("detail") == []  # nothing fetched while the appends bring the text
    patches = [m for m in fed.sent if m.get("type") == "patch"]
    assert any(p.get("appends") for p in patches)
    assert all(len(s["message"]["text"]) <= CAP for p in patches for s in p.get("steps", []) if s["message"])

    # The end: the last deltas and the ends come in one flush, so the checkpoint has the tail, not
    # the live text. The page keeps what it shows until the full step arrives.
    for event in events[last - 2 :]:
        fed.card.apply(event)
        fed.clock.advance(0.001)
    fed.clock.advance(0.1)
    card.deliver(fed.take_log())
    assert fed.card.run is not None and fed.card.run["status"] == "completed"
    expect(row).to_have_attribute("data-status", "completed")
    assert [d["step_id"] for d in card.sent("detail")] == [step_id]
    expect(row.get_by_test_id("truncated")).to_have_text("Loading the full step…")
    assert len(md.inner_text()) > 2 * CAP  # not back to the capped 4,000 characters
    card.ack("detail", step=fed.full_step(step_id))
    expect(md).to_contain_text("THE-END")
    expect(row.get_by_test_id("truncated")).to_have_count(0)
    assert sentence_numbers(card, step_id) == list(range(last_sentence(text) + 1))
    fed.close()


def ack_by_id(card: CardPage, request: dict[str, Any], **fields: Any) -> None:
    card.custom({"type": "ack", "req_id": request["req_id"], "ok": True, **fields})


def test_a_page_that_joins_mid_stream_catches_up_with_detail_and_streams_on(card: CardPage) -> None:
    events, step_id, text = long_message_run(16_000)
    deltas = deltas_of(events)
    fed = Feed()
    for event in events[: deltas[0]]:
        fed.apply(event)
    before = fed.state()  # the traits a page opening later gets: the last checkpoint's
    # The run streams on past the cap before the page opens: those patches never reach it.
    stream(fed, events[deltas[0] : deltas[0] + 150], None)
    assert len(message_text(fed, step_id)) > 1.5 * CAP
    fed.take_log()
    card.mount(before)
    row = card.page.locator(f'.rw-step[data-step-id="{step_id}"]')
    md = row.locator(".rw-md")

    # The first patch it sees is not the next one: it asks for a snapshot, which has the capped view.
    stream(fed, events[deltas[0] + 150 : deltas[0] + 155], card, every=1)
    assert len(card.sent("resync")) == 1
    card.custom(fed.snapshot_message())
    card.ack("resync")
    expect(row).to_have_attribute("data-status", "in_progress")
    # Opened (the latest message), capped and running: the card asks for the full step...
    opened = card.sent("detail")
    assert [d["step_id"] for d in opened] == [step_id]
    # ...but appends come first, from past what the page has: it asks for the step itself, once.
    stream(fed, events[deltas[0] + 155 : deltas[0] + 170], card, every=1)
    gap = card.sent("detail")[1:]
    assert [d["step_id"] for d in gap] == [step_id]
    ack_by_id(card, gap[0], step=fed.full_step(step_id))
    expect(md).to_contain_text(f"Sentence {last_sentence(message_text(fed, step_id))} ends here.")
    ack_by_id(card, opened[0], step=fed.full_step(step_id))

    # From the full step on, the appends fit again: the text streams on, exact, with no more requests.
    stream(fed, events[deltas[0] + 170 : deltas[-1] + 1], card)
    so_far = message_text(fed, step_id)
    expect(md).to_contain_text(f"Sentence {last_sentence(so_far)} ends here.")
    assert sentence_numbers(card, step_id) == list(range(last_sentence(so_far) + 1))
    assert len(card.sent("detail")) == 2
    expect(row).to_have_attribute("data-status", "in_progress")

    # The end brings the full step as usual.
    stream(fed, events[deltas[-1] + 1 :], card, every=1)
    expect(row).to_have_attribute("data-status", "completed")
    card.ack("detail", step=fed.full_step(step_id))
    expect(md).to_contain_text("THE-END")
    assert sentence_numbers(card, step_id) == list(range(last_sentence(text) + 1))
    fed.close()
