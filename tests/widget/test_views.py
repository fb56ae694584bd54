"""The views the traits carry: allow-listed fields, titles, caps, and the full step on request."""

from __future__ import annotations

import json

import pytest

from run_widgets.models import Run, RunStep, event_from_dict
from run_widgets.widget import limits
from run_widgets.widget.views import call_signature, message_title, run_view, step_view
from run_widgets.widget.viewstate import ViewState

from .streams import T0, Script, weather_calls

ALL_RUN_STATUSES = [
    "queued",
    "in_progress",
    "requires_action",
    "cancelling",
    "cancelled",
    "failed",
    "completed",
    "incomplete",
    "expired",
]


def _run(status: str, **fields: object) -> Run:
    event = event_from_dict(Script().run(status, **fields))
    return event.data  # type: ignore[no-any-return,union-attr]


@pytest.mark.parametrize("status", ALL_RUN_STATUSES)
def test_run_view_for_every_status(status: str) -> None:
    fields: dict[str, object] = {}
    if status == "requires_action":
        fields["required_action"] = {
            "type": "submit_tool_outputs",
            "submit_tool_outputs": {
                "tool_calls": [
                    {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": '{"x": 1}'}}
                ]
            },
        }
    if status == "failed":
        fields.update(failed_at=T0 + 3, last_error={"code": "server_error", "message": "boom"})
    if status == "incomplete":
        fields["incomplete_details"] = {"reason": "max_completion_tokens"}
    if status == "cancelled":
        fields["cancelled_at"] = T0 + 4
    view = run_view(_run(status, **fields))
    assert view["status"] == status
    assert view["id"] == "run_1" and view["thread_id"] == "thread_1" and view["assistant_id"] == "asst_1"
    assert view["tools"] == ["get_weather", "code_interpreter"]
    json.dumps(view)  # plain JSON, nothing else
    if status == "requires_action":
        assert view["required_action"] == [
            {"id": "call_1", "name": "f", "arguments": '{"x": 1}', "truncated": False}
        ]
    else:
        assert view["required_action"] is None
    if status == "failed":
        assert view["last_error"] == {"code": "server_error", "message": "boom"}
        assert view["failed_at"] == T0 + 3
    if status == "incomplete":
        assert view["incomplete_details"] == {"reason": "max_completion_tokens"}
    if status == "cancelled":
        assert view["cancelled_at"] == T0 + 4


def test_run_view_is_an_allow_list() -> None:
    """Fields a server adds (or a key someone put in metadata) never reach the view's top level."""
    run = _run("in_progress", secret_header="Bearer sk-nope", response_format="auto")
    view = run_view(run)
    assert "secret_header" not in json.dumps(view)
    expected = {
        "id", "thread_id", "assistant_id", "status", "model", "created_at", "started_at", "completed_at",
        "failed_at", "cancelled_at", "expires_at", "usage", "last_error", "incomplete_details",
        "required_action", "failed_step_id", "instructions", "metadata", "temperature", "top_p", "tools",
    }  # fmt: skip
    assert set(view) == expected


def test_titles() -> None:
    assert call_signature("get_weather", '{"city": "Paris"}') == 'get_weather(city="Paris")'
    assert call_signature("get_time", '{"tz": "UTC", "precise": true}') == 'get_time(tz="UTC", precise=true)'
    assert call_signature("ping", "") == "ping()"
    assert call_signature("get_weather", '{"city": "Pa') == "get_weather(…)"  # still streaming
    assert message_title("Hello there,\n\n  how are   you today?") == "Hello there, how are you today?"
    long = message_title("word " * 100)
    assert len(long) <= 80 and long.endswith("…")
    assert message_title("") == "(message)"
    assert (
        message_title("## It is **sunny** in [Paris](https://x.example) `today`")
        == "It is sunny in Paris today"
    )


def _views_after(events: list[dict[str, object]]) -> ViewState:
    state = ViewState()
    for event in events:
        state.apply(event)
    state.refresh()
    return state


def test_step_views_for_every_step_type() -> None:
    script = Script()
    events = script.tool_calls_until_action(weather_calls())[:-2]
    events += script.code_interpreter_step() + script.file_search_step()
    events += script.message_step(["Hello", " world"])
    state = _views_after(events)
    tools, code, search, message = state.step_views

    assert tools["type"] == "tool_calls" and tools["status"] == "in_progress"
    assert tools["title"] == 'get_weather(city="Paris"), get_time(tz="UTC", precise=true)'
    assert tools["tool_calls"] == [
        {
            "id": "call_1",
            "type": "function",
            "index": 0,
            "name": "get_weather",
            "arguments": '{"city": "Paris"}',
            "output": None,
        },
        {
            "id": "call_2",
            "type": "function",
            "index": 1,
            "name": "get_time",
            "arguments": '{"tz": "UTC", "precise": true}',
            "output": None,
        },
    ]
    assert tools["message"] is None

    assert code["title"] == "code_interpreter: import math"
    assert code["tool_calls"] == [
        {
            "id": "call_code",
            "type": "code_interpreter",
            "index": 0,
            "input": "import math\nprint(math.pi)",
            "logs": "3.14159\n",
            "images": [{"file_id": "file_png"}],
        }
    ]

    (hit,) = search["tool_calls"] or []
    assert search["title"] == "file_search (2 results)"
    assert hit["results"] == [
        {"file_id": "file_a", "file_name": "a.txt", "score": 0.9, "content": "alpha"},
        {"file_id": "file_b", "file_name": "b.txt", "score": 0.5},
    ]
    assert hit["ranking_options"] == {"ranker": "default_2024_08_21", "score_threshold": 0.0}

    assert message["type"] == "message_creation" and message["status"] == "completed"
    assert message["title"] == "Hello world"
    assert message["message"] == {
        "id": message["message"]["id"] if message["message"] else None,
        "role": "assistant",
        "status": "completed",
        "text": "Hello world",
        "images": [],
        "incomplete_reason": None,
    }
    assert message["usage"] == {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}
    assert not any(view["truncated"] for view in state.step_views)


def test_unknown_tool_call_type_keeps_capped_raw_json() -> None:
    step = RunStep.model_validate(
        {
            "id": "step_x", "created_at": T0, "assistant_id": "a", "thread_id": "t", "run_id": "r",
            "type": "tool_calls", "status": "completed",
            "step_details": {"type": "tool_calls", "tool_calls": [{"id": "c", "type": "browser", "browser": {"url": "x" * 9000}}]},
        }
    )  # fmt: skip
    view = step_view(step, None)
    (call,) = view["tool_calls"] or []
    assert call["type"] == "browser" and call["raw"].startswith('{"id":"c","type":"browser"')
    assert len(call["raw"]) == limits.TEXT_CAP and view["truncated"] is True
    assert view["title"] == "browser"


def test_long_text_is_capped_and_detail_gives_it_all() -> None:
    text = "".join(f"word{i} " for i in range(3000))  # ~25k characters
    script = Script()
    events = script.message_step([text[:10_000], text[10_000:]])
    state = _views_after(events)
    (view,) = state.step_views
    assert view["truncated"] is True
    assert view["message"] is not None and len(view["message"]["text"]) == limits.TEXT_CAP
    assert text.startswith(view["message"]["text"])

    full = state.detail(view["id"])
    assert full is not None and full["truncated"] is False
    assert full["message"] is not None and full["message"]["text"] == text
    assert state.detail("step_nope") is None


def test_detail_stays_under_the_ceiling() -> None:
    huge = "x" * (limits.DETAIL_MAX_BYTES * 2)
    state = _views_after(Script().message_step([huge]))
    (view,) = state.step_views
    full = state.detail(view["id"])
    assert full is not None and full["truncated"] is True
    assert len(json.dumps(full).encode()) <= limits.DETAIL_MAX_BYTES
    assert full["message"] is not None and len(full["message"]["text"]) > limits.TEXT_CAP


def test_failed_step_is_named_on_the_run() -> None:
    script = Script()
    details = {"type": "tool_calls", "tool_calls": []}
    error = {"code": "server_error", "message": "tool exploded"}
    events = [
        *script.start(),
        script.step("step_a", "tool_calls", "in_progress", details),
        script.step("step_a", "tool_calls", "failed", details, failed_at=T0 + 3, last_error=error),
        script.run("failed", failed_at=T0 + 3, last_error=error),
    ]
    state = _views_after(events)
    assert state.run_view is not None and state.run_view["failed_step_id"] == "step_a"
    assert state.step_views[0]["last_error"] == error


def test_patches_carry_only_what_changed() -> None:
    script = Script()
    state = ViewState()
    for event in script.start():
        state.apply(event)
    first = state.next_patch()
    assert first is not None and first["seq"] == 1 and first["run"]["status"] == "in_progress"
    assert "steps" not in first and "order" not in first

    message_events = script.message_step(["Hel", "lo"])
    for event in message_events[:5]:  # step created, in_progress, message created/in_progress, first delta
        state.apply(event)
    second = state.next_patch()
    assert second is not None and second["seq"] == 2
    assert "run" not in second  # the run did not change
    assert [s["title"] for s in second["steps"]] == ["Hel"]
    assert second["order"] == [second["steps"][0]["id"]]

    state.apply(message_events[5])  # one more delta: the step's view changes, the order does not
    third = state.next_patch()
    assert third is not None and third["seq"] == 3 and "order" not in third
    assert third["steps"][0]["message"]["text"] == "Hello"
    assert state.next_patch() is None  # nothing new, no message
