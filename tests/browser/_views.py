"""A stand-in for ``run_widgets.widget.RunCard``'s state, built to docs/card-protocol.md.

Only used while the real widget is not importable (it is built on another branch at the same time).
It folds events with the real reducer (``RunSnapshot``) and writes RunView/StepView dicts and
``patch`` messages the way the protocol says. ``states.py`` prefers the real ``RunCard``.
"""

from __future__ import annotations

import json
from typing import Any

from run_widgets.models import Message, Run, RunStep
from run_widgets.state import RunSnapshot

CAPS = {"text": 20000, "json": 20000}


def _cap(text: str, limit: int) -> tuple[str, bool]:
    return (text[:limit], True) if len(text) > limit else (text, False)


def _args_inline(arguments: str) -> str:
    try:
        value = json.loads(arguments)
    except ValueError:
        return arguments[:60]
    if isinstance(value, dict):
        return ", ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in value.items())
    return json.dumps(value)[:60]


def run_view(run: Run, steps: list[RunStep], caps: dict[str, int]) -> dict[str, Any]:
    required = None
    if run.status == "requires_action":
        required = []
        for call in run.pending_tool_calls:
            arguments, truncated = _cap(call.function.arguments, caps["json"])
            required.append({"id": call.id, "name": call.function.name, "arguments": arguments, "truncated": truncated})
    failed_step_id = next((s.id for s in steps if s.status == "failed"), None) if run.status == "failed" else None
    tools = []
    for tool in run.tools:
        function = getattr(tool, "function", None)
        tools.append(function.name if function is not None else tool.type)
    instructions, _ = _cap(run.instructions or "", caps["text"])
    return {
        "id": run.id,
        "thread_id": run.thread_id,
        "assistant_id": run.assistant_id,
        "status": run.status,
        "model": run.model,
        "created_at": run.created_at,
        "started_at": run.started_at,
        "completed_at": run.completed_at,
        "failed_at": run.failed_at,
        "cancelled_at": run.cancelled_at,
        "expires_at": run.expires_at,
        "usage": run.usage.to_dict() if run.usage else None,
        "last_error": run.last_error.to_dict() if run.last_error else None,
        "incomplete_details": {"reason": run.incomplete_details.reason} if run.incomplete_details else None,
        "required_action": required,
        "failed_step_id": failed_step_id,
        "instructions": instructions,
        "metadata": run.metadata,
        "temperature": run.temperature,
        "top_p": run.top_p,
        "tools": tools,
    }


def step_view(step: RunStep, snapshot: RunSnapshot, caps: dict[str, int], *, uncapped: bool = False) -> dict[str, Any]:
    text_cap = 1_000_000 if uncapped else caps["text"]
    json_cap = 1_000_000 if uncapped else caps["json"]
    truncated = False
    view: dict[str, Any] = {
        "id": step.id,
        "type": step.type,
        "status": step.status,
        "created_at": step.created_at,
        "completed_at": step.completed_at,
        "failed_at": step.failed_at,
        "cancelled_at": step.cancelled_at,
        "expired_at": step.expired_at,
        "usage": step.usage.to_dict() if step.usage else None,
        "last_error": step.last_error.to_dict() if step.last_error else None,
        "message": None,
        "tool_calls": None,
    }
    details = step.step_details
    if details.type == "message_creation":
        message_id = details.message_creation.message_id  # type: ignore[union-attr]
        message: Message | None = snapshot.message(message_id)
        full_text = snapshot.text_of(message_id)
        text, cut = _cap(full_text, text_cap)
        truncated |= cut
        images: list[dict[str, str]] = []
        if message is not None:
            for part in message.content:
                if part.type == "image_file":
                    images.append({"file_id": part.image_file.file_id})  # type: ignore[union-attr]
                elif part.type == "image_url":
                    images.append({"url": part.image_url.url})  # type: ignore[union-attr]
        view["message"] = {
            "id": message_id,
            "role": message.role if message else "assistant",
            "status": message.status if message else "in_progress",
            "text": text,
            "images": images,
            "incomplete_reason": message.incomplete_details.reason if message and message.incomplete_details else None,
        }
        title = " ".join(full_text.split())[:80]
        view["title"] = title
    elif details.type == "tool_calls":
        calls = []
        titles = []
        for index, call in enumerate(details.tool_calls):  # type: ignore[union-attr]
            item: dict[str, Any] = {"id": call.id, "type": call.type, "index": index}
            if call.type == "function":
                fn = call.function  # type: ignore[union-attr]
                arguments, cut_a = _cap(fn.arguments, json_cap)
                output, cut_o = _cap(fn.output, json_cap) if fn.output is not None else (None, False)
                truncated |= cut_a or cut_o
                item.update(name=fn.name, arguments=arguments, output=output)
                titles.append(f"{fn.name}({_args_inline(fn.arguments)})")
            elif call.type == "code_interpreter":
                ci = call.code_interpreter  # type: ignore[union-attr]
                code, cut_i = _cap(ci.input, text_cap)
                logs = "".join(getattr(o, "logs", "") for o in ci.outputs)
                logs, cut_l = _cap(logs, text_cap)
                truncated |= cut_i or cut_l
                images = [{"file_id": o.image.file_id} for o in ci.outputs if o.type == "image"]  # type: ignore[union-attr]
                item.update(input=code, logs=logs, images=images)
                first = next((line for line in ci.input.splitlines() if line.strip()), "")
                titles.append(f"code_interpreter: {first[:60]}")
            elif call.type == "file_search":
                fs = call.file_search  # type: ignore[union-attr]
                results = []
                for r in getattr(fs, "results", None) or []:
                    content = "".join(c.text or "" for c in (r.content or []))
                    results.append({"file_id": r.file_id, "file_name": r.file_name, "score": r.score, "content": content[:text_cap] or None})
                ranking = getattr(fs, "ranking_options", None)
                item.update(results=results, ranking_options=ranking.to_dict() if ranking else None)
                titles.append(f"file_search ({len(results)} results)")
            else:
                item["raw"] = json.dumps(call.to_dict())[:json_cap]
                titles.append(call.type)
            calls.append(item)
        view["tool_calls"] = calls
        view["title"] = ", ".join(titles)
    else:
        view["title"] = step.type
    view["truncated"] = truncated
    return view


class StandInCard:
    """Folds events like ``RunCard.apply`` and yields the traits and patch messages of the protocol."""

    def __init__(self, caps: dict[str, int] | None = None) -> None:
        self.snapshot = RunSnapshot()
        self.caps = dict(caps or CAPS)
        self.seq = 0
        self.python_tools: list[str] = []
        self.auto_tools = False
        self.following = True
        self._sent_order: list[str] = []

    def apply(self, event: dict[str, Any]) -> None:
        self.snapshot.apply(event)

    def _steps_by_id(self) -> dict[str, RunStep]:
        return {s.id: s for s in self.snapshot.steps}

    def take_patch(self) -> dict[str, Any] | None:
        """The patch message for everything changed since the last one (None when nothing did)."""
        changes = self.snapshot.take_changes()
        if not changes:
            return None
        steps = self._steps_by_id()
        changed = set(changes.steps)
        # A message changing changes the step that created it.
        for step in steps.values():
            details = step.step_details
            if details.type == "message_creation" and details.message_creation.message_id in changes.messages:  # type: ignore[union-attr]
                changed.add(step.id)
        self.seq += 1
        patch: dict[str, Any] = {"type": "patch", "seq": self.seq}
        run = self.snapshot.run
        if changes.run and run is not None:
            patch["run"] = run_view(run, list(steps.values()), self.caps)
        if changed:
            patch["steps"] = [step_view(steps[i], self.snapshot, self.caps) for i in self.snapshot.step_ids if i in changed]
            if self.snapshot.step_ids != self._sent_order:
                patch["order"] = self._sent_order = self.snapshot.step_ids
        return patch

    def get_state(self) -> dict[str, Any]:
        run = self.snapshot.run
        steps = self.snapshot.steps
        self.snapshot.take_changes()
        self._sent_order = self.snapshot.step_ids
        return {
            "protocol": 1,
            "seq": self.seq,
            "run": run_view(run, steps, self.caps) if run else None,
            "steps": [step_view(s, self.snapshot, self.caps) for s in steps],
            "following": self.following and bool(run) and run.status not in ("completed", "failed", "cancelled", "expired", "incomplete"),
            "notice": None,
            "python_tools": list(self.python_tools),
            "auto_tools": self.auto_tools,
            "caps": dict(self.caps),
        }

    def full_step(self, step_id: str) -> dict[str, Any]:
        """What a ``detail`` request answers: the step uncapped."""
        step = self._steps_by_id()[step_id]
        return step_view(step, self.snapshot, self.caps, uncapped=True)
