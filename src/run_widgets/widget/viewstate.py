"""The card's kernel-side state: the full snapshot, the capped views last sent, and the patch counter.

Pure and single-threaded (the card serializes calls with its lock). Applying an event only touches the
snapshot; views are rebuilt at flush time, and only for the steps that changed since the last flush.

Live texts: a running step's texts (its message, a function call's arguments, code and logs) travel
as ``appends`` once its view was sent: the characters past what the front end has, rather than the
whole view again. So the card keeps streaming past the cap (the views stay capped, and so do the
traits) and the bytes sent stay proportional to the new text (docs/card-protocol.md, "Live texts").
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..models import Message, Run, RunStep, StreamEvent
from ..state import RunSnapshot
from . import limits
from .images import ImageTable
from .views import (
    RunView,
    StepView,
    grew_only,
    image_file_ids,
    live_parts,
    message_id_of,
    run_view,
    step_view,
    to_json,
    view_live_texts,
)

_TAIL = 32
"""Characters of a live text remembered at its end, to tell a text that grew from one rewritten."""


@dataclass
class _Sent:
    """How much of one live text the front end was sent, and how it ended."""

    length: int
    tail: str


@dataclass
class Update:
    """What changed in the views since the previous refresh."""

    run: RunView | None = None
    steps: list[StepView] = field(default_factory=list)
    order: list[str] | None = None

    def __bool__(self) -> bool:
        return self.run is not None or bool(self.steps) or self.order is not None


class ViewState:
    """A ``RunSnapshot`` plus the views built from it, numbered by ``seq`` (one per patch or checkpoint)."""

    def __init__(self, snapshot: RunSnapshot | None = None) -> None:
        self.snapshot = snapshot if snapshot is not None else RunSnapshot()
        self.cap = limits.cap_for(0)
        self.seq = 0
        self.run_view: RunView | None = None
        self._views: dict[str, StepView] = {}
        self._message_step: dict[str, str] = {}
        self._failed_step_id: str | None = None
        self._live: dict[str, dict[str, _Sent]] = {}
        """Running steps: step id -> part -> what the front end has of that text."""
        self.images = ImageTable()

    # --- input -------------------------------------------------------------------------------------

    def apply(self, event: Any) -> StreamEvent:
        return self.snapshot.apply(event)

    def apply_object(self, obj: Run | RunStep | Message) -> None:
        self.snapshot.apply_object(obj)

    # --- views -------------------------------------------------------------------------------------

    @property
    def caps(self) -> dict[str, int]:
        """The caps the views apply (the ``caps`` trait)."""
        return {"text": self.cap, "json": self.cap}

    @property
    def step_views(self) -> list[StepView]:
        """Every step's view, in creation order (after a ``refresh``)."""
        views = self._views
        return [views[step_id] for step_id in self.snapshot.step_ids if step_id in views]

    def refresh(self) -> Update:
        """Rebuild the views of what changed in the snapshot; returns the views that differ."""
        changes = self.snapshot.take_changes()
        refetched = self.images.take_dirty()  # steps showing an image that was just fetched
        if refetched:
            known = set(changes.steps)
            changes.steps.extend(step_id for step_id in refetched if step_id not in known)
        update = Update()
        if not changes:
            return update
        snapshot = self.snapshot
        to_build: dict[str, RunStep] = {}
        cap = limits.cap_for(len(snapshot.step_ids))
        recap = cap != self.cap
        if recap:  # the run grew past a tier: every view is rebuilt with the smaller cap
            self.cap = cap
            changes.run = True
            changes.steps = list(dict.fromkeys([*snapshot.step_ids, *changes.steps]))
        for step_id in changes.steps:
            step = snapshot.step(step_id)
            if step is None:
                continue
            to_build[step_id] = step
            message_id = message_id_of(step)
            if message_id:
                self._message_step[message_id] = step_id
        for message_id in changes.messages:
            owner = self._message_step.get(message_id)
            if owner is not None and owner not in to_build:
                step = snapshot.step(owner)
                if step is not None:
                    to_build[owner] = step
        added = False
        failed_changed = False
        images = self.images
        for step_id, step in to_build.items():
            message_id = message_id_of(step)
            message = snapshot.message(message_id) if message_id else None
            file_ids = image_file_ids(step, message)
            if file_ids:
                images.note_step(step_id, file_ids)
            view = step_view(step, message, cap=self.cap, images=images.fields)
            old = self._views.get(step_id)
            if old is None:
                added = True
            if old != view:
                self._views[step_id] = view
                live = self._live.get(step_id)
                if live is not None and old is not None and grew_only(old, view):
                    continue  # a delta: its texts go as appends
                update.steps.append(view)
                self._sent_view(step_id, view)
                if view["status"] == "failed" or (old is not None and old["status"] == "failed"):
                    failed_changed = True
        if added:
            update.order = [step_id for step_id in snapshot.step_ids if step_id in self._views]
        if failed_changed:
            self._failed_step_id = self._find_failed_step()
        run = snapshot.run
        if run is not None and (changes.run or failed_changed):
            view_of_run = run_view(run, failed_step_id=self._failed_step_id, cap=self.cap)
            if view_of_run != self.run_view:
                self.run_view = view_of_run
                update.run = view_of_run
        return update

    def fresh_views(self) -> tuple[RunView | None, list[StepView]]:
        """Every view built now from the snapshot, for the static renderings. Unlike ``refresh`` it
        leaves the pending changes alone: they still go to the front end with the next patch."""
        snapshot = self.snapshot
        cap = limits.cap_for(len(snapshot.step_ids))
        steps: list[StepView] = []
        failed_step_id = None
        for step in snapshot.steps:
            message_id = message_id_of(step)
            message = snapshot.message(message_id) if message_id else None
            view = step_view(step, message, cap=cap, images=self.images.fields)
            if view["status"] == "failed":
                failed_step_id = view["id"]
            steps.append(view)
        run = snapshot.run
        return (run_view(run, failed_step_id=failed_step_id, cap=cap) if run is not None else None), steps

    def scan_images(self) -> None:
        """Note the image files of every step (not only those a refresh rebuilt), e.g. before the end."""
        snapshot = self.snapshot
        for step in snapshot.steps:
            message_id = message_id_of(step)
            file_ids = image_file_ids(step, snapshot.message(message_id) if message_id else None)
            if file_ids:
                self.images.note_step(step.id, file_ids)

    def _find_failed_step(self) -> str | None:
        for step_id in reversed(self.snapshot.step_ids):
            view = self._views.get(step_id)
            if view is not None and view["status"] == "failed":
                return step_id
        return None

    def next_patch(self) -> dict[str, Any] | None:
        """A ``patch`` message for what changed since the last one, or None when nothing did."""
        update = self.refresh()
        appends = self._take_appends()
        if not update and not appends:
            return None
        self.seq += 1
        patch: dict[str, Any] = {"type": "patch", "seq": self.seq}
        if update.run is not None:
            patch["run"] = update.run
        if update.steps:
            patch["steps"] = update.steps
        if update.order is not None:
            patch["order"] = update.order
        if appends:
            patch["appends"] = appends
        return patch

    def _sent_view(self, step_id: str, view: StepView) -> None:
        """A step's full view goes out: the front end has its texts at least as far as the view's
        (a longer live text it holds that extends them stays)."""
        live = self._live.get(step_id)
        if live is None:
            if view["status"] != "in_progress":
                return
            live = self._live[step_id] = {}
        for part, text in view_live_texts(view).items():
            known = live.get(part)
            if known is None or len(text) >= known.length:
                live[part] = _Sent(len(text), text[-_TAIL:])

    def _take_appends(self) -> list[dict[str, Any]]:
        """The live texts' characters the front end has not been sent yet (after a ``refresh``).

        Each append starts where the front end's text ends (the view's, then the last append's). A
        text that did not grow from what was sent (a polled message that rewrote it) is sent whole,
        from 0. A step is forgotten once the patch with its end is built.
        """
        appends: list[dict[str, Any]] = []
        snapshot = self.snapshot
        for step_id, sent in list(self._live.items()):
            step = snapshot.step(step_id)
            if step is None:
                del self._live[step_id]
                continue
            message_id = message_id_of(step)
            message = snapshot.message(message_id) if message_id else None
            for part, text in live_parts(step, message):
                known = sent.get(part)
                if known is None:
                    continue  # not in the view the front end has: the next full view brings it
                if len(text) >= known.length and text.startswith(known.tail, known.length - len(known.tail)):
                    if len(text) == known.length:
                        continue
                    at = known.length
                else:
                    at = 0
                appends.append({"step_id": step_id, "part": part, "at": at, "text": text[at:]})
                sent[part] = _Sent(len(text), text[-_TAIL:])
            if step.status != "in_progress":
                del self._live[step_id]
        return appends

    def checkpoint(self) -> bool:
        """Fold pending changes into the views for a trait checkpoint; True if ``seq`` moved.

        Live texts of running steps go on from where the last patch left them; steps that ended are
        forgotten (the front end fetches an ended step's full text with ``detail``)."""
        moved = bool(self.refresh())
        if moved:
            self.seq += 1
        for step_id in list(self._live):
            step = self.snapshot.step(step_id)
            if step is None or step.status != "in_progress":
                del self._live[step_id]
        return moved

    # --- answers to requests -----------------------------------------------------------------------

    def detail(self, step_id: str) -> StepView | None:
        """The full step (texts uncapped), cut only if its JSON would pass ``DETAIL_MAX_BYTES``."""
        step = self.snapshot.step(step_id)
        if step is None:
            return None
        message_id = message_id_of(step)
        message = self.snapshot.message(message_id) if message_id else None
        cap: int | None = None
        while True:
            view = step_view(step, message, cap=cap)  # measured without images: they have their own budget
            size = len(to_json(view).encode())
            if size <= limits.DETAIL_MAX_BYTES or cap == 1_000:
                break
            # Shrink the per-text cap until the whole step fits; texts dominate the size.
            cap = max(1_000, (cap or size) // 2)
        if self.images.fields and image_file_ids(step, message):
            view = step_view(step, message, cap=cap, images=self.images.fields)
        return view

    def export(self, step_id: str | None = None) -> str | None:
        """The full run (run, steps, messages), or one step and its message, as pretty JSON."""
        snapshot = self.snapshot
        if step_id is not None:
            step = snapshot.step(step_id)
            if step is None:
                return None
            message_id = message_id_of(step)
            message = snapshot.message(message_id) if message_id else None
            data: dict[str, Any] = {"step": step.to_dict()}
            if message is not None:
                data["message"] = message.to_dict()
        else:
            data = {
                "run": snapshot.run.to_dict() if snapshot.run is not None else None,
                "steps": [step.to_dict() for step in snapshot.steps],
                "messages": [message.to_dict() for message in snapshot.messages],
            }
        return json.dumps(data, indent=2, ensure_ascii=False)

    def final_text(self) -> str:
        """The last assistant message's text (what the run answered), uncapped."""
        for step_id in reversed(self.snapshot.step_ids):
            step = self.snapshot.step(step_id)
            message_id = message_id_of(step) if step is not None else None
            if message_id:
                return self.snapshot.text_of(message_id)
        return ""
