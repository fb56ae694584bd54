"""``RunCard``: one anywidget per run, its steps as data inside it.

The card keeps the full truth in a ``RunSnapshot`` (kernel side) and syncs only capped views
(docs/card-protocol.md). Events can come from anywhere (``apply`` is public and thread-safe); the
card can also follow a stream or a run by itself on the private loop (``follow_stream``, ``follow``).
Front-end requests (submit outputs, run Python tools, cancel, details, export) arrive as custom
messages and are handled on that loop; each gets exactly one ack.

Threading: the snapshot is guarded by ``_lock``; traits are written and messages sent by flushes,
which run on the loop thread (or a test's manual scheduler), never by the thread that applies events.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import threading
import time
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from ..models import (
    EVENT_TYPES,
    PAUSED_RUN_STATUSES,
    RUN_EVENT_TYPES,
    ErrorObject,
    Message,
    Run,
    RunStep,
    StreamEvent,
)
from ..models.convert import from_openai
from ..tools import ToolSet
from . import follow as _follow
from . import handlers, limits, runtime
from . import images as _images
from .backend import Backend, error_text, redact
from .batcher import LoopScheduler, Scheduler, UpdateBatcher
from .fallback import render_fallback
from .viewstate import ViewState

_STATIC = Path(__file__).resolve().parent.parent / "static"
_RUN_EVENTS = frozenset(RUN_EVENT_TYPES)


def _static(name: str) -> str | Path:
    """The bundle's text, not its path: anywidget connects every instance to a class-level
    ``FileContents`` signal with a strong reference, so a path would keep every card alive forever.
    With ``ANYWIDGET_HMR=1`` (front-end development) the path is given, for live reloading."""
    path = _STATIC / name
    if os.environ.get("ANYWIDGET_HMR", "").lower() in ("1", "true"):
        return path
    text = path.read_text(encoding="utf-8")
    return text if "\n" in text else text + "\n"  # one line with a suffix would be taken for a path


_VIEW_TRAITS = (
    "protocol",
    "seq",
    "run",
    "steps",
    "following",
    "notice",
    "python_tools",
    "auto_tools",
    "caps",
)
"""The traits the front end renders from (docs/card-protocol.md); everything but the bundle."""


class RunCard(anywidget.AnyWidget):
    """A live card for one Assistants run: header, steps, tool-output form, details and export.

    ``RunCard()`` starts empty; feed it with ``apply(event)``, or let it follow a run:
    ``card.follow_stream(stream)``, ``card.follow(client, thread_id, run_id)``, or
    ``RunCard.from_run(run, client=client)``. Give ``tools=`` (Python callables) to answer tool calls
    from the kernel, and ``auto_tools=True`` to submit their outputs without a click.
    """

    _esm = _static("widget.js")
    _css = _static("widget.css")

    protocol = traitlets.Int(1).tag(sync=True)
    seq = traitlets.Int(0).tag(sync=True)
    run = traitlets.Dict(default_value=None, allow_none=True).tag(sync=True)
    steps = traitlets.List(traitlets.Dict()).tag(sync=True)
    following = traitlets.Bool(False).tag(sync=True)
    notice = traitlets.Dict(default_value=None, allow_none=True).tag(sync=True)
    python_tools = traitlets.List(traitlets.Unicode()).tag(sync=True)
    auto_tools = traitlets.Bool(False).tag(sync=True)
    caps = traitlets.Dict().tag(sync=True)

    def __init__(
        self,
        run: Any = None,
        *,
        client: Any = None,
        tools: Any = None,
        auto_tools: bool = False,
        _scheduler: Scheduler | None = None,
        **kwargs: Any,
    ) -> None:
        self._closed = False
        self._lock = threading.RLock()
        self._views = ViewState()
        self._scheduler: Scheduler = _scheduler or LoopScheduler()
        self._batcher = UpdateBatcher(self._flush, self._scheduler)
        self._last_status: str | None = None
        self._end_due = False
        self._notice: dict[str, str] | None = None
        self._notice_dirty = False
        self._backend: Backend | None = None
        self._toolset: ToolSet | None = None
        self._drive_task: asyncio.Task[None] | None = None
        self._idle = threading.Event()
        self._idle.set()
        self._submitting = False
        self._last_source = "stream"
        self._last_failure = False
        self._external_following = False
        self._expiry_watched: tuple[str, int] | None = None
        self._inflight: set[concurrent.futures.Future[None]] = set()
        self._display_ids: list[str] = []
        self._displayed_seq = -1
        self.messages_sent = 0
        """Patches, snapshots and acks sent to the front end (trait updates not included)."""
        super().__init__(
            caps=self._views.caps,
            auto_tools=auto_tools,
            **kwargs,
        )
        if client is not None:
            self._backend = _make_backend(client)
        if tools is not None:
            self.set_tools(tools)
        if run is not None:
            self.apply_object(run)
            self._checkpoint()
        self.on_msg(self._on_custom_msg)

    # --- reading -----------------------------------------------------------------------------------

    @property
    def snapshot(self) -> Any:
        """The full ``RunSnapshot`` (read it under no assumption of stability while a run streams)."""
        return self._views.snapshot

    @property
    def current_run(self) -> Run | None:
        """The run as last seen (our ``Run`` model)."""
        return self._views.snapshot.run

    def __repr__(self) -> str:
        run = self._views.snapshot.run if hasattr(self, "_views") else None
        if run is None:
            return "<RunCard (no run yet)>"
        count = len(self._views.snapshot.step_ids)
        return f"<RunCard {run.id} {run.status} {count} step{'s' if count != 1 else ''}>"

    # --- input -------------------------------------------------------------------------------------

    def apply(self, event: Any) -> StreamEvent:
        """Fold one stream event into the card (typed, a ``{"event", "data"}`` dict, or the SDK's).

        Cheap and thread-safe: the front end hears of it at the next flush (at most 20 per second;
        at once when the run's status changes).
        """
        with self._lock:
            typed = self._views.apply(event)
            name = typed.event
            if name == "thread.message.delta":  # nearly every event: keep it first and cheap
                self._batcher.changed()
            elif name in _RUN_EVENTS:
                run = typed.data
                assert isinstance(run, Run)
                self._note_status(str(run.status))
            elif name == "error":
                error = typed.data
                message = error.message if isinstance(error, ErrorObject) else str(error)
                self._set_notice("error", f"The server reported an error: {message}")
            elif name in EVENT_TYPES and name != "done":
                self._batcher.changed()
            # unknown event names (and done) change nothing the card shows
        return typed

    def apply_object(self, obj: Run | RunStep | Message | Any) -> None:
        """Take a polled object (ours, the SDK's, or its JSON dict: Run, RunStep, Message) as the truth."""
        ours = _as_object(obj)
        with self._lock:
            self._views.apply_object(ours)
            if isinstance(ours, Run):
                self._note_status(str(ours.status))
            else:
                self._batcher.changed()

    def _apply_polled(self, run: Run, steps: Sequence[RunStep], messages: Sequence[Message]) -> None:
        snapshot = self._views.snapshot
        with self._lock:
            for step in steps:
                if snapshot.step(step.id) != step:
                    snapshot.apply_object(step)
            for message in messages:
                if snapshot.message(message.id) != message:
                    snapshot.apply_object(message)
            if snapshot.run != run:
                snapshot.apply_object(run)
                self._note_status(str(run.status))
            else:
                self._batcher.changed()

    def _note_status(self, status: str) -> None:
        """A run event: a new status goes out at once, a pause or an end as a checkpoint."""
        if status == self._last_status:
            self._batcher.changed()
            return
        self._last_status = status
        if status in PAUSED_RUN_STATUSES:
            self._end_due = True
        self._batcher.urgent()

    def _set_notice(self, kind: str, text: str) -> None:
        with self._lock:
            secrets = self._backend.secrets() if self._backend is not None else []
            self._notice = {"kind": kind, "text": redact(text, secrets)[: limits.ERROR_CAP]}
            self._notice_dirty = True
            self._batcher.urgent()

    def _clear_notice(self) -> None:
        with self._lock:
            if self._notice is not None:
                self._notice = None
                self._notice_dirty = True
                self._batcher.urgent()

    # --- output: patches and checkpoints -----------------------------------------------------------

    def _flush(self) -> None:
        """Runs on the scheduler's thread: one patch, or a checkpoint when the run paused or ended."""
        with self._lock:
            if self._closed:
                return
            if self._end_due:
                self._checkpoint()
                return
            if self._notice_dirty:
                self._notice_dirty = False
                self.set_trait("notice", self._notice)
            patch = self._views.next_patch()
            if self.caps != self._views.caps:  # the run grew past a tier (before the patch: it uses them)
                self.set_trait("caps", self._views.caps)
            if patch is not None:
                self._send_msg(patch)
            self._start_images()

    def _checkpoint(self) -> None:
        """Make the traits exact (one ``update`` message); refresh saved outputs at the end of a run."""
        with self._lock:
            if self._closed:
                return
            self._end_due = False
            self._notice_dirty = False
            views = self._views
            views.checkpoint()
            traits: dict[str, Any] = {
                "run": views.run_view,
                "steps": views.step_views,
                "seq": views.seq,
                "following": self._drive_task is not None or self._external_following,
                "notice": self._notice,
                "caps": views.caps,
            }
            with self.hold_sync():
                for name, value in traits.items():
                    self.set_trait(name, value)
            self._batcher.done()
            self._start_images()
            run = views.snapshot.run
            ended = run is not None and run.status in PAUSED_RUN_STATUSES
        if self._display_ids and (ended or not self.following) and self._displayed_seq != self.seq:
            self._refresh_displays()

    # --- images: fetched once, on the loop, into the views (see widget/images.py) --------------------

    def _start_images(self, *, scan: bool = False) -> concurrent.futures.Future[None] | None:
        """Start the image worker if files are wanted and the card can fetch them; returns it, if running.
        ``scan`` first notes the images of every step (a flush only sees the steps it rebuilt)."""
        with self._lock:
            table = self._views.images
            if scan:
                self._views.scan_images()
            if table.fetching:
                return table.worker
            if self._closed or not table.wanted or not hasattr(self._backend, "file_content"):
                return None
            table.fetching = True
            table.worker = runtime.submit(_images.fetch_pending(weakref.ref(self)))
            return table.worker

    def _next_image_job(self) -> _images.ImageJob | None:
        with self._lock:
            table = self._views.images
            backend = self._backend
            file_id = table.next_wanted() if not self._closed and backend is not None else None
            if file_id is None:
                table.fetching = False
                return None
            return _images.ImageJob(file_id, backend, min(limits.IMAGE_MAX_BYTES, table.budget))

    def _image_fetched(self, file_id: str, fields: dict[str, str], used: int) -> None:
        """An image arrived (or failed): a patch while the run goes on; once it paused or ended, a checkpoint,
        so the saved state has it too."""
        with self._lock:
            if self._closed:
                return
            self._views.images.resolve(file_id, fields, used)
            run = self._views.snapshot.run
            going = run is not None and run.status not in PAUSED_RUN_STATUSES
            if going or self._drive_task is not None:  # a drive checkpoints when it ends
                self._batcher.changed()
            else:
                self._end_due = True
                self._batcher.urgent()

    def _image_worker_stopped(self) -> None:
        with self._lock:
            self._views.images.fetching = False

    def flush(self) -> None:
        """Send what is pending now and make the traits exact (waits for the loop)."""
        if runtime.in_loop_thread() or not isinstance(self._scheduler, LoopScheduler):
            self._checkpoint()
            return

        async def on_loop() -> None:
            self._checkpoint()

        runtime.run_sync(on_loop())

    def _send(self, msg: dict[str, Any], buffers: Any = None) -> None:
        """Every message to the front end (patches, trait updates, answers) counts against the
        batcher's per-second budget."""
        batcher = getattr(self, "_batcher", None)
        if batcher is not None and self.comm is not None:
            batcher.sent()
        super()._send(msg, buffers)

    def _send_msg(self, content: dict[str, Any]) -> None:
        if self.comm is not None:
            self.send(content)
            self.messages_sent += 1

    # --- following ---------------------------------------------------------------------------------

    def follow_stream(self, stream: Any) -> concurrent.futures.Future[Run | None]:
        """Follow a stream of events on the private loop; returns at once.

        ``stream``: our client's stream manager or stream (``client.threads.runs.stream(...)``), the
        SDK's, or any (async) iterable of events. The future gives the run when following stops
        (the run paused at ``requires_action``, ended, or the card was closed).
        """
        ref = weakref.ref(self)
        return self._start_drive(lambda: _follow.consume(ref, stream))

    def follow(
        self,
        client: Any = None,
        thread_id: str | None = None,
        run_id: str | None = None,
        *,
        poll_interval: float = _follow.DEFAULT_POLL_INTERVAL,
    ) -> concurrent.futures.Future[Run | None]:
        """Follow a run by polling it (the wire cannot attach a stream to a run that already started).

        Without ids, the card's own run is followed. Submitting tool outputs from the card then
        streams the rest of the run.
        """
        if client is not None:
            self._backend = _make_backend(client)
        self._require_backend()
        run = self.current_run
        thread_id = thread_id or (run.thread_id if run is not None else None)
        run_id = run_id or (run.id if run is not None else None)
        if not thread_id or not run_id:
            raise ValueError("follow() needs thread_id and run_id (or a card that already has a run)")
        ref = weakref.ref(self)
        t_id, r_id = thread_id, run_id
        self._last_source = "poll"
        return self._start_drive(lambda: _follow.poll(ref, t_id, r_id, poll_interval), poll_interval)

    @classmethod
    def from_run(cls, run: Any, client: Any = None, **kwargs: Any) -> RunCard:
        """A card for a Run object (ours or the SDK's); with a client it loads the steps and follows."""
        card = cls(_as_object(run), client=client, **kwargs)
        if client is not None:
            card.follow()
        return card

    def wait(self, timeout: float | None = None) -> Run | None:
        """Block until the card stops following (the run paused or ended) and the images it fetches
        arrived (at most ``limits.IMAGE_SETTLE_TIMEOUT`` more); returns the run."""
        if runtime.in_loop_thread():
            raise RuntimeError("wait() cannot be called on the run-widgets loop")
        deadline = None if timeout is None else time.monotonic() + timeout
        if not self._idle.wait(timeout):
            raise TimeoutError(f"the run was still going after {timeout} s")
        self._wait_for_images(deadline)
        # Again, from the waiting cell: headless runners (nbclient) keep only the display updates and
        # widget messages that arrive while some cell runs, and the end may have come between cells.
        if self._display_ids:
            self._refresh_displays()
        self._wait_for_slot()
        self._resend_view_state()
        return self.current_run

    def _wait_for_slot(self) -> None:
        """Block the calling (non-loop) thread until the second's message budget has room."""
        if isinstance(self._scheduler, LoopScheduler):
            time.sleep(self._batcher.free_in())

    def _wait_for_images(self, deadline: float | None) -> None:
        """Images not fetched yet (a card fed from outside): wait for them, then make the traits exact
        (the last change may still be waiting for a slot in the second's message budget)."""
        worker = self._start_images(scan=True)
        if worker is not None:
            left = limits.IMAGE_SETTLE_TIMEOUT
            if deadline is not None:
                left = min(left, max(0.0, deadline - time.monotonic()))
            concurrent.futures.wait([worker], timeout=left)
        self._wait_for_slot()
        self.flush()

    def stop(self) -> None:
        """Stop following (the run itself goes on; see ``cancel()``)."""
        task = self._drive_task
        if task is not None:
            runtime.get_runtime().call_soon(task.cancel)

    def _start_drive(
        self, first: Any, interval: float = _follow.DEFAULT_POLL_INTERVAL
    ) -> concurrent.futures.Future[Run | None]:
        if self._closed:
            raise RuntimeError("this card is closed")
        ref = weakref.ref(self)
        self._idle.clear()
        return runtime.submit(_run_drive(ref, first, interval))

    def _require_backend(self) -> Backend:
        if self._backend is None:
            raise handlers.RequestFailed(
                "This card has no client: create it with RunCard(client=...) or call card.follow(client, ...)."
            )
        return self._backend

    def _stream_failed(self, exc: BaseException) -> None:
        secrets = self._backend.secrets() if self._backend is not None else []
        self._set_notice("error", f"Following the run failed: {error_text(exc, secrets)}")
        self._last_failure = True

    async def _next_follow_step(self, interval: float) -> Any:
        """After a source ended: None when done, or the next thing to follow."""
        failed, self._last_failure = self._last_failure, False
        run = self.current_run
        status = str(run.status) if run is not None else None
        ref = weakref.ref(self)
        if status == "requires_action" and self.auto_tools and self._backend is not None:
            source = await handlers.auto_submit(self)
            if source is not None:
                self._last_source = "stream"
                return lambda: _follow.consume(ref, source)
            return None
        if status is None or status in PAUSED_RUN_STATUSES:
            return None
        if self._backend is not None and run is not None and not (failed and self._last_source == "poll"):
            if not failed:
                self._set_notice("info", "The stream ended before the run did; following by polling.")
            self._last_source = "poll"
            t_id, r_id = run.thread_id, run.id
            return lambda: _follow.poll(ref, t_id, r_id, interval)
        if not failed:
            self._set_notice("error", "The stream ended before the run did.")
        return None

    def _drive_started(self, task: asyncio.Task[None]) -> asyncio.Task[None] | None:
        with self._lock:
            previous, self._drive_task = self._drive_task, task
            self._idle.clear()
            if not self.following:
                self.following = True
        return previous

    def _drive_ended(self, task: asyncio.Task[None]) -> None:
        with self._lock:
            if self._drive_task is not task:
                return
            self._drive_task = None
        self._batcher.when_free(self._following_ended)

    def _following_ended(self) -> None:
        self._checkpoint()
        self._watch_expiry()
        self._idle.set()

    def _watch_expiry(self) -> None:
        """Paused at ``requires_action``: look at the run again when its deadline passes."""
        run = self.current_run
        if run is None or run.status != "requires_action" or run.expires_at is None or self._backend is None:
            return
        key = (run.id, run.expires_at)
        if self._expiry_watched == key:
            return
        self._expiry_watched = key
        runtime.submit(_follow.watch_expiry(weakref.ref(self), run.id, run.expires_at))

    def _set_external_following(self, active: bool) -> None:
        """Someone else drives the events (an SDK event handler): show it, and checkpoint at the end."""
        if active:
            # Not idle from now on, on the caller's thread: a wait() right after the stream ends
            # must not slip in before the loop has run this callback and the end's checkpoint.
            self._idle.clear()

        def on_scheduler() -> None:
            with self._lock:
                if self._closed:
                    return
                self._external_following = active
                if active:
                    self._idle.clear()
                    self.following = True
                    return
            self._batcher.when_free(external_ended)

        def external_ended() -> None:
            self._checkpoint()
            run = self.current_run
            if (
                run is not None
                and run.status == "requires_action"
                and self.auto_tools
                and self._backend is not None
                and self._drive_task is None
            ):
                self._start_drive(_nothing)  # the drive's next step runs the Python tools
            else:
                self._watch_expiry()
                self._idle.set()

        self._scheduler.call_soon(on_scheduler)

    # --- tools -------------------------------------------------------------------------------------

    def set_tools(self, tools: Any) -> None:
        """Python callables the card may run for tool calls (anything ``ToolSet.from_any`` takes)."""
        if tools is None:
            self._toolset = None
            self.python_tools = []
            return
        toolset = ToolSet.from_any(tools)
        self._toolset = toolset
        self.python_tools = list(toolset.names)

    # --- actions from Python (the same paths the front end's requests take) -------------------------

    def submit_tool_outputs(self, outputs: Sequence[dict[str, str]] | dict[str, str]) -> Run | None:
        """Submit outputs (``[{"tool_call_id", "output"}]`` or ``{tool_call_id: output}``), follow on.

        Blocks until the server accepted them; raises ``RuntimeError`` with the server's message if not.
        """
        if isinstance(outputs, dict):
            outputs = [{"tool_call_id": k, "output": v} for k, v in outputs.items()]
        try:
            runtime.run_sync(handlers.submit(self, list(outputs)))
        except handlers.RequestFailed as exc:
            raise RuntimeError(exc.message) from None
        return self.current_run

    def cancel(self) -> Run | None:
        """Ask the server to cancel the run (blocks for the answer; following goes on to the end)."""
        try:
            runtime.run_sync(handlers.cancel(self))
        except handlers.RequestFailed as exc:
            raise RuntimeError(exc.message) from None
        return self.current_run

    # --- requests from the front end ---------------------------------------------------------------

    def _on_custom_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        """Kernel main thread: validate, hand the work to the loop, return at once."""
        future = handlers.receive(self, content)
        self._inflight.add(future)
        future.add_done_callback(self._inflight.discard)

    # --- export and static renderings --------------------------------------------------------------

    def to_json(self, step_id: str | None = None) -> str:
        """The full run (run, steps, messages), or one step, as pretty JSON."""
        with self._lock:
            text = self._views.export(step_id)
        if text is None:
            raise KeyError(f"no step {step_id!r} in this card")
        return text

    def static_html(self) -> str:
        """The escaped, size-capped HTML summary (what a notebook viewer without widgets shows)."""
        with self._lock:
            run, steps = self._views.fresh_views()
            return render_fallback(run, steps, final_text=self._views.final_text(), notice=self._notice)

    def to_html(self, path: str | Path | None = None) -> str:
        """A self-contained page of this card (works offline, read-only); written to ``path`` if given."""
        from .export import card_page

        page = card_page(self)
        if path is not None:
            Path(path).write_text(page, encoding="utf-8")
        return page

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]] | None:
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, metadata = bundle
        data["text/html"] = self.static_html()
        return data, metadata

    def _ipython_display_(self, **kwargs: Any) -> None:
        """Display with a display id, so the saved output can be refreshed with the final summary."""
        from IPython.display import display

        bundle = self._repr_mimebundle_()
        if bundle is None:
            display(repr(self))  # type: ignore[no-untyped-call]
            return
        data, metadata = bundle
        handle = display(data, metadata=metadata, raw=True, display_id=True)  # type: ignore[no-untyped-call]
        if handle is not None:
            self._display_ids.append(handle.display_id)
            self._displayed_seq = self.seq

    def _resend_view_state(self) -> None:
        """Send the synced view traits (not the bundle) once more, so the caller's cell carries them."""
        if self._closed or getattr(self, "comm", None) is None:
            return
        with self._lock:
            self.send_state(key=list(_VIEW_TRAITS))

    def _refresh_displays(self) -> None:
        try:
            from IPython.display import update_display

            bundle = self._repr_mimebundle_()
            if bundle is None:
                return
            data, metadata = bundle
            for display_id in self._display_ids:
                update_display(data, metadata=metadata, raw=True, display_id=display_id)  # type: ignore[no-untyped-call]
            self._displayed_seq = self.seq
        except Exception:  # a display that cannot be refreshed must never break the card
            return

    # --- lifetime ----------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the widget and stop following its run."""
        if getattr(self, "_closed", True) is False:
            self._closed = True
            task = self._drive_task
            if task is not None:
                with contextlib.suppress(RuntimeError):  # the loop is gone (interpreter exit)
                    runtime.get_runtime().call_soon(task.cancel)
            self._idle.set()
        super().close()


_OBJECT_TYPES: dict[str, type[Run] | type[RunStep] | type[Message]] = {
    "thread.run": Run,
    "thread.run.step": RunStep,
    "thread.message": Message,
}


def _as_object(obj: Any) -> Any:
    """Our model for a Run, RunStep or Message given as ours, the SDK's, or a JSON dict."""
    if isinstance(obj, dict):
        model = _OBJECT_TYPES.get(str(obj.get("object")))
        if model is None:
            raise TypeError(
                'expected a run, step or message object (a dict with "object": "thread.run", ...)'
            )
        return model.model_validate(obj)
    return from_openai(obj)


async def _nothing() -> None:
    return None


async def _run_drive(ref: weakref.ReferenceType[RunCard], first: Any, interval: float) -> Run | None:
    """The follow task: registers itself on the card, runs ``follow.drive``, then checkpoints."""
    task = asyncio.current_task()
    assert task is not None
    card = ref()
    if card is None or card._closed:
        return None
    previous = card._drive_started(task)
    del card
    if previous is not None and not previous.done():
        previous.cancel()
    try:
        await _follow.drive(ref, first, interval)
        await _images.settle(ref)  # so the checkpoint below (and wait()) has the run's images
    except asyncio.CancelledError:
        pass  # stopped: the card was closed or collected, stop() was called, or a new drive took over
    finally:
        card = ref()
        if card is not None:
            card._drive_ended(task)
    card = ref()
    return card.current_run if card is not None else None


def _make_backend(client: Any) -> Backend:
    """A backend from a client: ours (async or sync), the SDK's, or a ready-made ``Backend``."""
    if hasattr(client, "submit_tool_outputs_stream") and hasattr(client, "list_steps"):
        return client  # type: ignore[no-any-return]
    from .backend import ClientBackend, api_key_of

    module = type(client).__module__
    if module.startswith("run_widgets") and type(client).__name__ == "AsyncClient":
        return ClientBackend(client)
    base_url = getattr(client, "base_url", None)
    api_key = api_key_of(client)
    if base_url is None:
        raise TypeError(
            f"cannot use a {type(client).__name__} as the card's client: "
            "give a run_widgets.AsyncClient, a run_widgets.Client or an openai client"
        )
    from ..client import AsyncClient

    return ClientBackend(AsyncClient(base_url=str(base_url), api_key=api_key))
