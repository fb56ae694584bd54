"""What a saved notebook keeps: the escaped text/html fallback, the refreshed display, to_html()."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from run_widgets.widget import RunCard, export, limits
from run_widgets.widget.fallback import render_fallback

from .streams import Script, weather_calls
from .wire import ManualClock, Wire

EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'


class Tags(HTMLParser):
    """Collects the tags and attributes of an HTML text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.update(name for name, _ in attrs)


def tags_of(html: str) -> Tags:
    parser = Tags()
    parser.feed(html)
    return parser


def fed(events: list[dict[str, Any]]) -> RunCard:
    card = RunCard(_scheduler=ManualClock())
    for event in events:
        card.apply(event)
    return card


def test_fallback_shows_status_steps_and_final_text_escaped(wire: Wire) -> None:
    script = Script()
    events = script.tool_calls_until_action([("call_1", "get_weather", json.dumps({"city": EVIL}))])[:-1]
    events += script.after_outputs({"call_1": EVIL}, ["The answer: ", EVIL])
    card = fed(events)
    try:
        html = card.static_html()
        parsed = tags_of(html)
        assert "script" not in parsed.tags and "img" not in parsed.tags and "style" not in parsed.tags
        assert parsed.attributes <= {"class", "data-rw-static", "style"}
        assert "&lt;script&gt;" in html
        assert "run_1" in html and "completed" in html and "gpt-test" in html and "2 steps" in html
        assert "get_weather(city=" in html  # the step's title
        assert "The answer: " in html  # the final text
    finally:
        card.close()


class Balance(HTMLParser):
    """Checks every opened element is closed, in order (the cap never cuts through a tag)."""

    VOID = frozenset({"br", "hr", "img", "meta", "link", "input"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.ok = True

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        self.ok = self.ok and bool(self.stack) and self.stack.pop() == tag


def balanced(html: str) -> bool:
    parser = Balance()
    parser.feed(html)
    parser.close()
    return parser.ok and not parser.stack


def test_fallback_is_size_capped_and_shows_where_steps_were_left_out() -> None:
    script = Script()
    events = script.start()
    for i in range(3000):
        events += script.message_step([f"step {i} " + "blah " * 50])
    card = fed([*events, script.run("completed")])
    try:
        html = card.static_html()
        assert len(html) <= limits.FALLBACK_MAX_CHARS and balanced(html)
        items = re.findall(r"<li( value=\"(\d+)\")?[^>]*>(.*?)</li>", html)
        gap = [i for i, (_, _, text) in enumerate(items) if "not shown" in text]
        assert len(gap) == 1 and 50 < len(items) <= 202
        head, tail = items[: gap[0]], items[gap[0] + 1 :]
        assert abs(len(head) - len(tail)) <= 1  # as much of the beginning as of the end
        assert "step 0 " in head[0][2] and "step 2999 " in tail[-1][2]
        # the tail keeps its real numbers, and the gap line names the steps it stands for
        assert [int(value) for _, value, _ in tail] == list(range(3001 - len(tail), 3001))
        assert f"({len(head) + 1} to {3000 - len(tail)}) not shown" in items[gap[0]][2]
    finally:
        card.close()


def test_fallback_keeps_whole_elements_when_the_header_alone_is_too_big() -> None:
    script = Script()
    calls = [(f"call_{i}", f"tool_{i}", json.dumps({"x": "y" * 300})) for i in range(400)]
    card = fed(script.tool_calls_until_action(calls))
    try:
        html = card.static_html()
        assert len(html) <= limits.FALLBACK_MAX_CHARS and balanced(html)
        assert "run_1" in html and "requires_action" in html
    finally:
        card.close()


def test_fallback_before_any_event() -> None:
    assert "no events yet" in render_fallback(None, [])


def test_mimebundle_has_widget_view_and_html(wire: Wire) -> None:
    card = fed(Script().text_run(["Hello ", "world"]))
    try:
        data, metadata = card._repr_mimebundle_()
        assert data["text/plain"] == "<RunCard run_1 completed 1 step>"
        assert data["application/vnd.jupyter.widget-view+json"]["model_id"] == card.model_id
        assert "Hello world" in data["text/html"]
        assert isinstance(metadata, dict)
    finally:
        card.close()


def test_display_is_refreshed_with_the_final_summary(wire: Wire) -> None:
    """The saved output ends with the final text/html, not the snapshot taken when the cell ran."""
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    shell = InteractiveShell.instance()
    clock = ManualClock()
    card = RunCard(_scheduler=clock)
    script = Script()
    try:
        with capture_output() as captured:
            shell.display_formatter.format(card)  # what the cell's last expression does
            for event in script.text_run(["All ", "done."]):
                card.apply(event)
                clock.advance(0.01)
            clock.settle()
        first, *updates = captured.outputs
        assert "no events yet" in first.data["text/html"]
        assert updates, "the display was not refreshed"
        last = updates[-1]
        assert "All done." in last.data["text/html"] and "completed" in last.data["text/html"]
        assert last.data["application/vnd.jupyter.widget-view+json"]["model_id"] == card.model_id
    finally:
        card.close()
        InteractiveShell.clear_instance()


def test_to_html_writes_one_self_contained_page(wire: Wire, tmp_path: Path) -> None:
    long_text = "x" * (limits.TEXT_CAP + 500)
    script = Script()
    events = script.tool_calls_until_action(weather_calls())[:-1]
    events += script.after_outputs({"call_1": "sunny", "call_2": "noon"}, [long_text, "</script><!-- end"])
    card = fed(events)
    try:
        path = tmp_path / "card.html"
        page = card.to_html(path)
        assert path.read_text(encoding="utf-8") == page
        # nothing external: no src/href to anything, no fetch of a URL
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
        # the embedded texts cannot end their script elements early
        bodies = re.findall(r"<script[^>]*>(.*?)</script>", page, flags=re.DOTALL)
        assert len(bodies) == 3
        assert "<" not in bodies[0] and "<" not in bodies[1]  # JSON with every "<" escaped
        assert "</" not in bodies[2] and "<!--" not in bodies[2]
        data = json.loads(bodies[0])
        bundle = Path(export.__file__).parent.parent / "static" / "widget.js"
        assert json.loads(bodies[1]) == bundle.read_text(encoding="utf-8")  # the exact bundle, escaped
        assert data["state"]["readonly"] is True and data["state"]["following"] is False
        assert data["state"]["run"]["status"] == "completed"
        step_id = data["state"]["steps"][1]["id"]
        assert data["details"][step_id]["message"]["text"] == long_text + "</script><!-- end"
        assert json.loads(data["export"])["run"]["id"] == "run_1"
        # the static fallback is there until the bundle mounts
        assert "run_1" in page.split('<script type="application/json"')[0]
    finally:
        card.close()


@pytest.mark.browser
def test_to_html_renders_offline_in_chromium(wire: Wire, tmp_path: Path) -> None:
    """The page mounts the bundle with no network at all (every request is refused)."""
    from .browser import chromium_page

    card = fed(Script().text_run(["Offline ", "and fine."]))
    try:
        path = tmp_path / "card.html"
        card.to_html(path)
        with chromium_page() as (page, errors, requests):
            page.goto(path.as_uri())
            page.wait_for_selector("#rw-root[data-mounted='1'], #rw-root[data-mount-error]")
            assert page.get_attribute("#rw-root", "data-mount-error") is None
            assert not errors, errors
            assert all(url.startswith(("file:", "blob:", "data:")) for url in requests), requests
            assert "completed" in page.inner_text("#rw-root").lower()  # the card says "Completed"
    finally:
        card.close()


HOST_PROBE = """
const startTag = /^</;  // a bundle may hold "</" and "<!--" anywhere: here in a regex and a string
const closer = "</script><!-- not a comment";
export default {
  async render({ model, el }) {
    el.dataset.survived = String(startTag.test("<a") && closer.length === 27);
    const answers = [];
    model.on("msg:custom", (msg) => {
      answers.push(msg);
      if (answers.length === 5) el.textContent = JSON.stringify(answers);
    });
    el.dataset.readonly = String(model.get("readonly"));
    const step = model.get("steps")[0].id;
    model.send({ type: "detail", req_id: "d", step_id: step });
    model.send({ type: "export", req_id: "e", step_id: step });
    model.send({ type: "submit_tool_outputs", req_id: "s", outputs: [{ tool_call_id: "c", output: "x" }] });
    model.send({ type: "resync", req_id: "r" });
  },
};
"""


@pytest.mark.browser
def test_the_read_only_host_answers_requests(wire: Wire, tmp_path: Path) -> None:
    """detail/export come from the data embedded at export time; the rest: not connected."""
    from run_widgets.widget.export import card_page

    from .browser import chromium_page

    long_text = "y" * (limits.TEXT_CAP + 10)
    card = fed(Script().text_run([long_text]))
    try:
        path = tmp_path / "probe.html"
        path.write_text(card_page(card, bundle=HOST_PROBE), encoding="utf-8")
        with chromium_page() as (page, errors, _):
            page.goto(path.as_uri())
            page.wait_for_function("document.querySelector('#rw-root div')?.textContent.startsWith('[')")
            answers = json.loads(page.inner_text("#rw-root div"))
            assert page.get_attribute("#rw-root div", "data-readonly") == "true"
            assert page.get_attribute("#rw-root div", "data-survived") == "true"
            assert not errors, errors
        by_id = {a.get("req_id"): a for a in answers if a["type"] == "ack"}
        assert by_id["d"]["ok"] is True and by_id["d"]["step"]["message"]["text"] == long_text
        exported = json.loads(by_id["e"]["json"])
        assert (
            exported["step"]["id"] == card.snapshot.step_ids[0]
            and exported["message"]["content"][0]["text"]["value"] == long_text
        )
        assert by_id["s"] == {
            "type": "ack",
            "req_id": "s",
            "ok": False,
            "error": "Not connected to a kernel: this is a saved page (read-only).",
        }
        snapshot = next(a for a in answers if a["type"] == "snapshot")
        assert snapshot["run"]["status"] == "completed" and snapshot["following"] is False
        assert by_id["r"]["ok"] is True
    finally:
        card.close()
