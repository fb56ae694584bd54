"""The run executor: the state machine, persistence and events of every run.

One asyncio task per running segment of a run. Engines (``engines.base``) only produce content;
everything on the wire comes from here, in the reference's order:

    created -> queued -> in_progress -> [steps, messages, deltas] -> completed | incomplete | failed
                                      \\-> requires_action -> (submit) queued -> in_progress -> ...
    cancel: queued | in_progress | requires_action -> cancelling -> cancelled
    deadline passed: any non-terminal status -> expired

Every event is persisted before it is sent (the object's bytes in the store are the event's data),
so what a stream shows is exactly what GET returns afterwards. Each run has an ``EventLog``; a
segment's events end with ``done``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from pydantic import BaseModel

from ..models import (
    Assistant,
    CodeInterpreterImageOutput,
    CodeInterpreterLogsOutput,
    CodeInterpreterToolCall,
    FileSearchToolCall,
    FunctionToolCall,
    IncompleteDetails,
    LastError,
    Message,
    MessageCreationStepDetails,
    MessageIncompleteDetails,
    RequiredAction,
    Run,
    RunStep,
    TextContentBlock,
    ToolCallsStepDetails,
)
from ..models import Usage as UsageModel
from .eager import start_now
from .engines.base import (
    CodeImage,
    CodeInterpreterCall,
    CodeLogs,
    Engine,
    EngineError,
    EngineItem,
    ExpiresIn,
    FileSearchCall,
    FunctionCallDelta,
    Incomplete,
    RequestCancel,
    RunContext,
    TextDelta,
    Usage,
)
from .errors import BadRequest
from .eventlog import DONE_FRAME, EventLog, encode_json, sse_frame
from .ids import Clock, IdFactory
from .objects import strip_file_search_content
from .store import Store
from .tokens import MessageTokenCount, count_tokens, truncate_to_tokens
from .unicode_text import is_unicode, to_unicode

logger = logging.getLogger("run_widgets.server")

CANCELLABLE = frozenset({"queued", "in_progress", "requires_action"})

RESTARTED_MESSAGE = "The server restarted while this run was in progress, so the run was stopped. Create a new run to try again."
STOPPED_MESSAGE = "The server stopped while this run was in progress. Create a new run to try again."
INTERNAL_MESSAGE = "The server hit an internal error while running this run. Create a new run to try again."

StopKind = Literal["cancelled", "expired", "failed", "incomplete"]


@dataclass
class _Stop:
    """Why a run is ending early."""

    kind: StopKind
    code: str = "server_error"
    message: str = ""
    reason: str = ""
    internal: bool = False


class _EngineMisbehaved(Exception):
    """An engine yielded something the wire cannot carry (a bad tool call index, ...)."""


@dataclass(eq=False)
class _RunState:
    """What the executor holds for a run that is not finished."""

    run: Run
    log: EventLog
    include_content: bool
    deadline: float | None
    timer: asyncio.TimerHandle | None = None
    task: asyncio.Task[None] | None = None
    deferred: bool = False
    handle: asyncio.TimerHandle | None = None
    in_engine: bool = False
    stop: _Stop | None = None
    cancelled: asyncio.Event = field(default_factory=asyncio.Event)
    open_step: RunStep | None = None
    open_message: Message | None = None
    message_text: str = ""
    message_count: MessageTokenCount = field(default_factory=MessageTokenCount)
    function_step: RunStep | None = None
    usage: dict[str, Usage] = field(default_factory=dict)
    prompt_tokens: int = 0
    completion_used: int = 0
    segment_written: int = 0
    step_prompt: dict[str, int] = field(default_factory=dict)
    last_step: RunStep | None = None


class Executor:
    """Starts, drives, pauses, resumes, cancels and expires runs; emits their events."""

    def __init__(
        self,
        store: Store,
        engine: Engine,
        ids: IdFactory,
        clock: Clock,
        *,
        requires_action_timeout: float,
        kept_logs: int = 512,
    ) -> None:
        self._store = store
        self._engine = engine
        self._ids = ids
        self._clock = clock
        self._timeout = requires_action_timeout
        self._states: dict[str, _RunState] = {}
        self._active: dict[str, str] = {}
        self._logs: OrderedDict[str, EventLog] = OrderedDict()
        self._kept_logs = kept_logs
        self._tasks: set[asyncio.Task[None]] = set()
        self.listeners: list[Callable[[str, int, str], None]] = []
        """Called as ``(run_id, sequence, event_name)`` for every frame, just before it is appended (benchmarks, tests)."""

    # --- queries -----------------------------------------------------------------------------------

    @property
    def timeout(self) -> float:
        return self._timeout

    def active_run(self, thread_id: str) -> str | None:
        """The id of the thread's run that is not finished, if any (the thread is locked)."""
        return self._active.get(thread_id)

    def live_run(self, run_id: str) -> Run | None:
        """The executor's own object for a run that is not finished (None otherwise)."""
        state = self._states.get(run_id)
        return state.run if state is not None else None

    def update_metadata(self, run: Run, metadata: dict[str, str]) -> None:
        """Change a run's metadata (the live object, if the run is not finished)."""
        run = self.live_run(run.id) or run
        run.metadata = metadata
        self._store.save(run)

    def log(self, run_id: str) -> EventLog | None:
        return self._logs.get(run_id)

    def include_content(self, run_id: str) -> bool:
        state = self._states.get(run_id)
        return state.include_content if state is not None else self._store.run_include_content(run_id)

    # --- starting and stopping the executor --------------------------------------------------------------

    def recover(self) -> None:
        """On start: fail what was running when the process died; re-arm runs waiting for outputs."""
        now_wall = time.time()
        for run, _deadline, _include in self._store.runs_in_status(["queued", "in_progress", "cancelling"]):
            self._settle_orphan(run, RESTARTED_MESSAGE)
        for run, deadline, include in self._store.runs_in_status(["requires_action"]):
            state = _RunState(run=run, log=self._new_log(run.id), include_content=include, deadline=deadline)
            steps = self._store.all(RunStep, run_id=run.id)
            state.function_step = next(
                (s for s in steps if s.status == "in_progress" and s.type == "tool_calls"), None
            )
            self._states[run.id] = state
            self._active[run.thread_id] = run.id
            if deadline is not None:
                self._arm_timer(state, deadline - now_wall)

    def _settle_orphan(self, run: Run, message: str, *, fail: bool = False) -> None:
        """A run nobody drives any more: fail it (or, unless ``fail``, finish cancelling it), without events."""
        now = self._clock.now()
        failing = fail or run.status != "cancelling"
        error = LastError(code="server_error", message=message)
        with self._store.transaction():
            for step in self._store.all(RunStep, run_id=run.id):
                if step.status != "in_progress":
                    continue
                if failing:
                    step.status, step.failed_at, step.last_error = "failed", now, error
                else:
                    step.status, step.cancelled_at = "cancelled", now
                self._store.save(step)
            for msg in self._store.all(Message, thread_id=run.thread_id, run_id=run.id):
                if msg.status == "in_progress":
                    msg.status, msg.incomplete_at = "incomplete", now
                    msg.incomplete_details = MessageIncompleteDetails(
                        reason="run_failed" if failing else "run_cancelled"
                    )
                    self._store.save(msg)
            run.required_action = None
            run.expires_at = None
            run.usage = UsageModel.model_validate(self._run_usage(run.id))
            if failing:
                run.status, run.failed_at, run.last_error = "failed", now, error
            else:
                run.status, run.cancelled_at = "cancelled", now
            self._store.save(run, status=run.status, deadline=None)

    async def shutdown(self) -> None:
        """Stop driving runs. Runs that were working end ``failed``; runs waiting for outputs stay."""
        for state in list(self._states.values()):
            if state.timer is not None:
                state.timer.cancel()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task
        for state in list(self._states.values()):
            if state.run.status != "requires_action":
                self._settle_orphan(state.run, STOPPED_MESSAGE)
        self._states.clear()
        self._active.clear()
        self._store.flush()
        await self._engine.aclose()

    # --- commands (called by the routes, on the loop) ------------------------------------------------

    def start_run(
        self,
        run: Run,
        *,
        include_content: bool,
        thread_created: BaseModel | None = None,
        defer: bool = False,
    ) -> EventLog:
        """Store a new queued run, emit its first events and schedule it; returns its log.

        With ``defer``, the run waits for ``begin(run_id)``: a streamed run starts when its stream
        does, so that under a burst of requests its events are not made long before they can be sent.
        """
        deadline = time.time() + self._timeout if self._timeout > 0 else None
        self._store.insert(
            run,
            thread_id=run.thread_id,
            status=run.status,
            deadline=deadline,
            include_content=int(include_content),
        )
        state = _RunState(
            run=run, log=self._new_log(run.id), include_content=include_content, deadline=deadline
        )
        self._states[run.id] = state
        self._active[run.thread_id] = run.id
        if thread_created is not None:
            self._emit_object(state, "thread.created", thread_created)
        self._emit_object(state, "thread.run.created", run)
        self._emit_object(state, "thread.run.queued", run)
        if deadline is not None:
            self._arm_timer(state, self._timeout)
        self._spawn_or_defer(state, defer)
        return state.log

    def begin(self, run_id: str) -> None:
        """Start a deferred run (does nothing if it started, or ended, already)."""
        state = self._states.get(run_id)
        if state is not None and state.deferred:
            state.deferred = False
            if state.handle is not None:
                state.handle.cancel()
                state.handle = None
            if state.stop is None:
                self._spawn(state)

    def submit_tool_outputs(self, run: Run, outputs: list[tuple[str, str]], *, defer: bool = False) -> int:
        """Record the outputs and resume the run; returns where the resumed segment's events start."""
        state = self._states.get(run.id)
        if state is not None and state.deadline is not None and time.time() >= state.deadline:
            self._expire(run.id)
            state = self._states.get(run.id)
        if state is not None:
            run = state.run
        if state is None or run.status != "requires_action":
            raise BadRequest(
                f"Runs in status '{run.status}' do not accept tool outputs; only runs in status "
                "'requires_action' do.",
                code="invalid_state",
            )
        pending = [call.id for call in run.pending_tool_calls]
        given: dict[str, str] = {}
        for index, (call_id, output) in enumerate(outputs):
            if call_id not in pending:
                raise BadRequest(
                    f"No pending tool call with id '{call_id}'; this run is waiting for: {', '.join(pending)}.",
                    param=f"tool_outputs[{index}].tool_call_id",
                )
            if call_id in given:
                raise BadRequest(
                    f"Tool call '{call_id}' got more than one output; send exactly one output per call.",
                    param=f"tool_outputs[{index}].tool_call_id",
                )
            given[call_id] = output
        missing = [call_id for call_id in pending if call_id not in given]
        if missing:
            raise BadRequest(
                f"Missing tool outputs for: {', '.join(missing)}. Submit all outputs in one request.",
                param="tool_outputs",
            )
        start = len(state.log)
        step = state.function_step
        try:
            with self._store.transaction():
                if step is not None:
                    # Persist the outputs on a copy first: if they cannot be saved, the live step
                    # and the run are as they were, still waiting for outputs.
                    answered = step.model_copy(deep=True)
                    details = answered.step_details
                    assert isinstance(details, ToolCallsStepDetails)
                    for call in details.tool_calls:
                        if isinstance(call, FunctionToolCall) and call.id in given:
                            call.function.output = given[call.id]
                    self._store.save(answered)
                    state.function_step = answered
                    if state.last_step is step:
                        state.last_step = answered
                    self._close_step(state, answered, "completed")
                    state.function_step = None
                self._update_run(state, "queued", required_action=None)
        except Exception:
            if step is not None and state.function_step is step:  # nothing changed: still waiting
                raise
            logger.exception("run %s could not take its tool outputs", run.id)
            self._abandon(state)
            raise
        self._spawn_or_defer(state, defer)
        return start

    def cancel(self, run: Run) -> bytes:
        """Move the run to ``cancelling`` and stop it; returns the run's JSON as of ``cancelling``."""
        state = self._states.get(run.id)
        if state is not None:
            run = state.run
        if run.status == "cancelling" and state is not None:
            return self._store.get_raw(Run, run.id)[1]  # type: ignore[index]
        if state is None or run.status not in CANCELLABLE:
            raise BadRequest(
                f"Cannot cancel run with status '{run.status}'; only queued, in_progress and "
                "requires_action runs can be cancelled.",
                code="invalid_state",
            )
        try:
            self._request_stop(state, _Stop("cancelled"), announce=True)
        except Exception:
            logger.exception("run %s could not be cancelled cleanly", run.id)
            self._abandon(state)
        return self._store.get_raw(Run, run.id)[1]  # type: ignore[index]

    def forget_thread(self, thread_id: str) -> None:
        """The thread is being deleted: stop its run, if any, without writing it back."""
        run_id = self._active.pop(thread_id, None)
        state = self._states.pop(run_id, None) if run_id else None
        if state is None:
            return
        if state.timer is not None:
            state.timer.cancel()
        if state.task is not None:
            state.stop = _Stop("cancelled")
            state.task.cancel()
        state.cancelled.set()
        state.log.append(DONE_FRAME)  # end any stream following the run

    # --- driving a segment -----------------------------------------------------------------------------

    def _spawn_or_defer(self, state: _RunState, defer: bool) -> None:
        if not defer:
            self._spawn(state)
            return
        state.deferred = True
        # in case no stream ever asks (it always does, right after): start it anyway, soon
        state.handle = asyncio.get_running_loop().call_later(1.0, self.begin, state.run.id)

    def _spawn(self, state: _RunState) -> None:
        task = asyncio.get_running_loop().create_task(self._drive(state), name=f"run {state.run.id}")
        state.task = task
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _drive(self, state: _RunState) -> None:
        try:
            if state.stop is None:
                await self._drive_engine(state)
        except asyncio.CancelledError:
            if state.stop is None or self._states.get(state.run.id) is not state:
                raise  # the server is stopping, or the thread was deleted
            task = asyncio.current_task()
            if task is not None:
                task.uncancel()
        except EngineError as exc:
            state.stop = _Stop("failed", code=to_unicode(exc.code), message=to_unicode(exc.message))
        except _EngineMisbehaved as exc:
            logger.error("run %s: the %s engine misbehaved: %s", state.run.id, self._engine.name, exc)
            message = f"The {self._engine.name} engine produced output the server cannot send ({exc})."
            state.stop = _Stop("failed", message=message, internal=True)
        except Exception:
            logger.exception("run %s failed inside the server", state.run.id)
            state.stop = _Stop("failed", message=INTERNAL_MESSAGE, internal=True)
        finally:
            state.in_engine = False
            state.task = None
        if self._states.get(state.run.id) is not state:
            return
        state.log.hold()
        try:
            self._end_segment(state)
        except Exception:  # never leave a run stuck: fail it with what we can
            logger.exception("run %s could not be finished cleanly", state.run.id)
            self._abandon(state)
        finally:
            state.log.release()

    async def _drive_engine(self, state: _RunState) -> None:
        # The frames made while the engine produces without waiting go out together, when it waits
        # (a full-speed reply is a few writes, not one per word); a paced reply's go out at once.
        log = state.log
        log.hold()
        agen: AsyncIterator[EngineItem] | None = None
        try:
            self._update_run(state, "in_progress", started_at=self._clock.now())
            agen = self._engine.run(self._context(state))
            state.in_engine = True
            while True:
                try:
                    item = await _next_item(agen, log)
                except StopAsyncIteration:
                    break
                state.in_engine = False
                self._apply(state, item)
                if state.stop is not None:
                    break
                state.in_engine = True
        finally:
            state.in_engine = False
            log.release()
            if agen is not None:
                await agen.aclose()  # type: ignore[attr-defined]

    def _context(self, state: _RunState) -> RunContext:
        run = state.run
        assistant = self._store.get(Assistant, run.assistant_id) or Assistant.model_validate(
            {
                "id": run.assistant_id,
                "created_at": run.created_at,
                "model": run.model,
                "instructions": run.instructions,
                "tools": [t.model_dump(mode="json") for t in run.tools],
            }
        )
        messages = tuple(self._store.all(Message, thread_id=run.thread_id))
        steps = tuple(s.model_copy(deep=True) for s in self._store.all(RunStep, run_id=run.id))
        state.prompt_tokens = (
            count_tokens(run.instructions or "")
            + sum(count_tokens(m.text) for m in messages)
            + sum(_step_io_tokens(s) for s in steps)
        )
        state.completion_used = sum(s.usage.completion_tokens for s in steps if s.usage is not None)
        state.segment_written = 0
        return RunContext(
            run=run.model_copy(deep=True),
            assistant=assistant.model_copy(deep=True),
            messages=messages,
            steps=steps,
            cancelled=state.cancelled,
        )

    # --- applying engine items ------------------------------------------------------------------------

    def _apply(self, state: _RunState, item: EngineItem) -> None:
        item = _mended(item)
        if isinstance(item, TextDelta):
            self._text(state, item.text)
        elif isinstance(item, FunctionCallDelta):
            self._function_delta(state, item)
        elif isinstance(item, CodeInterpreterCall):
            self._code_interpreter(state, item)
        elif isinstance(item, FileSearchCall):
            self._file_search(state, item)
        elif isinstance(item, Usage):
            target = state.open_step or state.function_step or state.last_step
            if target is not None:
                state.usage[target.id] = item
            limit = state.run.max_prompt_tokens
            if limit is not None and item.prompt_tokens > limit:
                state.stop = _Stop("incomplete", reason="max_prompt_tokens")
        elif isinstance(item, Incomplete):
            state.stop = _Stop("incomplete", reason=item.reason or "")
        elif isinstance(item, ExpiresIn):
            self._bring_deadline(state, item.seconds)
        elif isinstance(item, RequestCancel):
            if state.run.status in CANCELLABLE:
                self._request_stop(state, _Stop("cancelled"), announce=True)
        else:
            raise _EngineMisbehaved(f"unknown engine item {item!r}")

    def _text(self, state: _RunState, text: str) -> None:
        if not text:
            return
        message = state.open_message
        if message is None:
            message = self._open_message(state)
        limit = state.run.max_completion_tokens
        if limit is not None:
            budget = limit - state.completion_used
            if state.message_count.with_(text) > budget:
                combined = state.message_text + text
                text = truncate_to_tokens(combined, budget)[len(state.message_text) :]
                state.stop = _Stop("incomplete", reason="max_completion_tokens")
                if not text:
                    return
            state.message_count.add(text)
        first = not message.content
        if first:
            message.content = [TextContentBlock.model_validate({"text": {"value": "", "annotations": []}})]
            part: dict[str, Any] = {"index": 0, "type": "text", "text": {"value": text, "annotations": []}}
        else:
            part = {"index": 0, "type": "text", "text": {"value": text}}
        block = message.content[0]
        assert isinstance(block, TextContentBlock)
        block.text.value += text
        state.message_text += text
        self._store.touch(message)
        self._emit_delta(
            state,
            "thread.message.delta",
            {"id": message.id, "object": "thread.message.delta", "delta": {"content": [part]}},
        )

    def _open_message(self, state: _RunState) -> Message:
        self._close_open_step(state)
        run = state.run
        message_id = self._ids.new("msg_")
        step = self._new_step(
            state, {"type": "message_creation", "message_creation": {"message_id": message_id}}
        )
        message = Message.model_validate(
            {
                "id": message_id,
                "object": "thread.message",
                "created_at": self._clock.now(),
                "thread_id": run.thread_id,
                "status": "in_progress",
                "incomplete_details": None,
                "completed_at": None,
                "incomplete_at": None,
                "role": "assistant",
                "content": [],
                "assistant_id": run.assistant_id,
                "run_id": run.id,
                "attachments": [],
                "metadata": {},
            }
        )
        self._store.insert(message, thread_id=run.thread_id, run_id=run.id)
        state.open_step, state.open_message, state.message_text = step, message, ""
        state.message_count = MessageTokenCount()
        self._emit_object(state, "thread.message.created", message)
        self._emit_object(state, "thread.message.in_progress", message)
        return message

    def _function_delta(self, state: _RunState, item: FunctionCallDelta) -> None:
        self._close_open_step(state)
        step = state.function_step
        if step is None:
            step = self._new_step(state, {"type": "tool_calls", "tool_calls": []})
            state.function_step = step
        details = step.step_details
        assert isinstance(details, ToolCallsStepDetails)
        calls = details.tool_calls
        if item.index == len(calls):
            if not item.name:
                raise _EngineMisbehaved(f"function call {item.index} has no name")
            call = FunctionToolCall.model_validate(
                {
                    "id": self._ids.new("call_"),
                    "type": "function",
                    "function": {"name": item.name, "arguments": item.arguments, "output": None},
                }
            )
            calls.append(call)
            entry: dict[str, Any] = {
                "index": item.index,
                "id": call.id,
                "type": "function",
                "function": {"name": item.name, "arguments": item.arguments, "output": None},
            }
        elif 0 <= item.index < len(calls):
            if not item.arguments:
                return
            existing = calls[item.index]
            assert isinstance(existing, FunctionToolCall)
            existing.function.arguments += item.arguments
            entry = {"index": item.index, "type": "function", "function": {"arguments": item.arguments}}
        else:
            raise _EngineMisbehaved(
                f"function call index {item.index} skips ahead (the step has {len(calls)} calls)"
            )
        self._store.touch(step)
        self._emit_step_delta(state, step, entry)

    def _code_interpreter(self, state: _RunState, item: CodeInterpreterCall) -> None:
        self._close_open_step(state)
        step = self._new_step(state, {"type": "tool_calls", "tool_calls": []})
        state.open_step = step
        details = step.step_details
        assert isinstance(details, ToolCallsStepDetails)
        call = CodeInterpreterToolCall.model_validate(
            {
                "id": self._ids.new("call_"),
                "type": "code_interpreter",
                "code_interpreter": {"input": item.input, "outputs": []},
            }
        )
        details.tool_calls.append(call)
        self._store.touch(step)
        self._emit_step_delta(
            state,
            step,
            {
                "index": 0,
                "id": call.id,
                "type": "code_interpreter",
                "code_interpreter": {"input": item.input},
            },
        )
        if not item.outputs:
            return
        entries: list[dict[str, Any]] = []
        for index, output in enumerate(item.outputs):
            if isinstance(output, CodeImage):
                file_id = self._store_file(output)
                call.code_interpreter.outputs.append(
                    CodeInterpreterImageOutput.model_validate(
                        {"type": "image", "image": {"file_id": file_id}}
                    )
                )
                entries.append({"index": index, "type": "image", "image": {"file_id": file_id}})
            else:
                call.code_interpreter.outputs.append(
                    CodeInterpreterLogsOutput.model_validate({"type": "logs", "logs": output.text})
                )
                entries.append({"index": index, "type": "logs", "logs": output.text})
        self._store.touch(step)
        self._emit_step_delta(
            state, step, {"index": 0, "type": "code_interpreter", "code_interpreter": {"outputs": entries}}
        )

    def _file_search(self, state: _RunState, item: FileSearchCall) -> None:
        self._close_open_step(state)
        step = self._new_step(state, {"type": "tool_calls", "tool_calls": []})
        state.open_step = step
        details = step.step_details
        assert isinstance(details, ToolCallsStepDetails)
        call = FileSearchToolCall.model_validate(
            {
                "id": self._ids.new("call_"),
                "type": "file_search",
                "file_search": {
                    "ranking_options": dict(item.ranking_options)
                    if item.ranking_options is not None
                    else {"ranker": "default_2024_08_21", "score_threshold": 0.0},
                    "results": [
                        {
                            "file_id": hit.file_id,
                            "file_name": hit.file_name,
                            "score": hit.score,
                            "content": [{"type": "text", "text": hit.content}],
                        }
                        for hit in item.results
                    ],
                },
            }
        )
        details.tool_calls.append(call)
        self._store.touch(step)
        self._emit_step_delta(
            state, step, {"index": 0, "id": call.id, "type": "file_search", "file_search": {}}
        )

    def _store_file(self, image: CodeImage) -> str:
        file_id = self._ids.new("file-")
        body = encode_json(
            {
                "id": file_id,
                "object": "file",
                "bytes": len(image.data),
                "created_at": self._clock.now(),
                "filename": image.filename,
                "purpose": "assistants_output",
                "status": "processed",
                "status_details": None,
            }
        ).decode()
        self._store.insert_file(file_id, body, image.data)
        return file_id

    # --- steps ---------------------------------------------------------------------------------------

    def _new_step(self, state: _RunState, details: dict[str, Any]) -> RunStep:
        run = state.run
        step = RunStep.model_validate(
            {
                "id": self._ids.new("step_"),
                "object": "thread.run.step",
                "created_at": self._clock.now(),
                "assistant_id": run.assistant_id,
                "thread_id": run.thread_id,
                "run_id": run.id,
                "type": details["type"],
                "status": "in_progress",
                "step_details": details,
                "last_error": None,
                "expired_at": None,
                "cancelled_at": None,
                "failed_at": None,
                "completed_at": None,
                "metadata": None,
                "usage": None,
            }
        )
        state.step_prompt[step.id] = state.prompt_tokens + state.segment_written
        self._store.insert(step, run_id=run.id, thread_id=run.thread_id)
        state.last_step = step
        self._emit_object(state, "thread.run.step.created", step)
        self._emit_object(state, "thread.run.step.in_progress", step)
        return step

    def _close_open_step(self, state: _RunState, status: str = "completed", **fields: Any) -> None:
        """Finish the open message (if any) and its step, or the open code/search step."""
        step, message = state.open_step, state.open_message
        state.open_step = state.open_message = None
        if message is not None:
            now = self._clock.now()
            if status == "completed" and not fields.get("message_incomplete"):
                message.status, message.completed_at = "completed", now
                self._store.save(message)
                self._emit_object(state, "thread.message.completed", message)
            else:
                message.status, message.incomplete_at = "incomplete", now
                message.incomplete_details = MessageIncompleteDetails(
                    reason=fields.get("message_reason", "run_failed")
                )
                self._store.save(message)
                self._emit_object(state, "thread.message.incomplete", message)
        if step is not None:
            self._close_step(state, step, status, last_error=fields.get("last_error"))

    def _close_step(self, state: _RunState, step: RunStep, status: str, last_error: Any = None) -> None:
        now = self._clock.now()
        step.status = status
        if status == "completed":
            step.completed_at = now
        elif status == "cancelled":
            step.cancelled_at = now
        elif status == "expired":
            step.expired_at = now
        elif status == "failed":
            step.failed_at = now
            step.last_error = last_error
        reported = state.usage.pop(step.id, None)
        prompt = state.step_prompt.pop(step.id, state.prompt_tokens)
        if reported is not None:
            prompt, completion = reported.prompt_tokens, reported.completion_tokens
        else:
            completion = self._completion_of(step)
        step.usage = UsageModel(
            prompt_tokens=prompt, completion_tokens=completion, total_tokens=prompt + completion
        )
        state.completion_used += completion
        state.segment_written += completion
        self._store.save(step)
        self._emit_object(state, f"thread.run.step.{status}", step)

    def _completion_of(self, step: RunStep) -> int:
        """Tokens the assistant wrote in a step: message text, function names and arguments, code."""
        details = step.step_details
        if isinstance(details, MessageCreationStepDetails):
            message = self._store.get(Message, details.message_creation.message_id)
            return count_tokens(message.text) if message is not None else 0
        return _step_written_tokens(step)

    def _end_segment(self, state: _RunState) -> None:
        stop = state.stop
        if stop is None:
            self._close_open_step(state)
            if state.function_step is not None:
                step = state.function_step
                details = step.step_details
                assert isinstance(details, ToolCallsStepDetails)
                self._store.save(step)  # its calls are final: persist them before pausing
                calls = [
                    {
                        "id": c.id,
                        "type": "function",
                        "function": {"name": c.function.name, "arguments": c.function.arguments},
                    }
                    for c in details.tool_calls
                    if isinstance(c, FunctionToolCall)
                ]
                self._update_run(
                    state,
                    "requires_action",
                    required_action={
                        "type": "submit_tool_outputs",
                        "submit_tool_outputs": {"tool_calls": calls},
                    },
                )
                self._append(state, "done", DONE_FRAME)
                return
            self._finish(state, "completed", completed_at=self._clock.now())
            return
        self._finish_stopped(state, stop)

    def _finish_stopped(self, state: _RunState, stop: _Stop) -> None:
        if stop.kind == "incomplete":
            self._close_open_step(state, "completed", message_incomplete=True, message_reason="max_tokens")
            if state.function_step is not None:
                self._close_step(state, state.function_step, "cancelled")
                state.function_step = None
            self._finish(state, "incomplete", incomplete_details={"reason": stop.reason or None})
            return
        step_status = {"cancelled": "cancelled", "expired": "expired", "failed": "failed"}[stop.kind]
        reason = {"cancelled": "run_cancelled", "expired": "run_expired", "failed": "run_failed"}[stop.kind]
        error = LastError(code=stop.code, message=stop.message) if stop.kind == "failed" else None
        step_error = error
        self._close_open_step(state, step_status, message_reason=reason, last_error=step_error)
        if state.function_step is not None:
            self._close_step(state, state.function_step, step_status, last_error=step_error)
            state.function_step = None
        now = self._clock.now()
        if stop.kind == "failed":
            if stop.internal:
                self._emit_delta(
                    state,
                    "error",
                    {
                        "error": {
                            "message": stop.message,
                            "type": "server_error",
                            "param": None,
                            "code": "server_error",
                        }
                    },
                )
            self._finish(state, "failed", failed_at=now, last_error=error)
        elif stop.kind == "cancelled":
            self._finish(state, "cancelled", cancelled_at=now)
        else:
            self._finish(state, "expired")

    def _finish(self, state: _RunState, status: str, **fields: Any) -> None:
        """Move the run to a terminal status, emit it and ``done``, and let it go."""
        fields.setdefault("required_action", None)
        fields["expires_at"] = None
        fields["usage"] = self._run_usage(state.run.id)
        self._update_run(state, status, deadline=None, **fields)
        self._append(state, "done", DONE_FRAME)
        self._release(state)

    def _abandon(self, state: _RunState) -> None:
        """Last resort when finishing failed: mark the run failed directly (and stop its engine)."""
        task = state.task
        if task is not None and task is not asyncio.current_task():
            task.cancel()
        with contextlib.suppress(Exception):
            self._settle_orphan(state.run, INTERNAL_MESSAGE, fail=True)
            self._emit_object(state, "thread.run.failed", state.run)
        self._append(state, "done", DONE_FRAME)
        self._release(state)

    def _release(self, state: _RunState) -> None:
        run = state.run
        for handle in (state.timer, state.handle):
            if handle is not None:
                handle.cancel()
        state.timer = state.handle = None
        state.deferred = False
        state.cancelled.set()
        if self._states.get(run.id) is state:
            del self._states[run.id]
        if self._active.get(run.thread_id) == run.id:
            del self._active[run.thread_id]
        self._trim_logs()

    def _run_usage(self, run_id: str) -> dict[str, int]:
        prompt = completion = 0
        for step in self._store.all(RunStep, run_id=run_id):
            if step.usage is not None:
                prompt += step.usage.prompt_tokens
                completion += step.usage.completion_tokens
        return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}

    # --- stopping: cancel and expiry ----------------------------------------------------------------------

    def _request_stop(self, state: _RunState, stop: _Stop, *, announce: bool) -> None:
        if state.stop is not None:
            return
        state.stop = stop
        state.cancelled.set()
        if announce:
            self._update_run(state, "cancelling")
        task = state.task
        if task is not None:
            if state.in_engine:
                task.cancel()
            # else: the task has not started, or is applying an item; it sees ``stop`` itself
        else:
            asyncio.get_running_loop().call_soon(self._finish_paused, state)

    def _finish_paused(self, state: _RunState) -> None:
        """End a run that no task drives (it was waiting for tool outputs). A loop callback."""
        if self._states.get(state.run.id) is not state or state.task is not None:
            return
        assert state.stop is not None
        try:
            with self._store.transaction():
                self._finish_stopped(state, state.stop)
        except Exception:  # as in _drive: never leave a run stuck
            logger.exception("run %s could not be finished cleanly", state.run.id)
            self._abandon(state)

    def _arm_timer(self, state: _RunState, delay: float) -> None:
        if state.timer is not None:
            state.timer.cancel()
        state.timer = asyncio.get_running_loop().call_later(max(0.0, delay), self._expire, state.run.id)

    def _expire(self, run_id: str) -> None:
        """The run's deadline passed (a loop callback, and a check on submit)."""
        state = self._states.get(run_id)
        if state is None:
            return
        try:
            self._expire_state(state)
        except Exception:
            logger.exception("run %s could not be expired cleanly", run_id)
            if self._states.get(run_id) is state:
                self._abandon(state)

    def _expire_state(self, state: _RunState) -> None:
        state.timer = None
        if state.stop is not None and state.stop.kind == "expired":
            return
        state.stop = _Stop("expired")
        state.cancelled.set()
        if state.task is not None:
            if state.in_engine:
                state.task.cancel()
        else:
            with self._store.transaction():
                self._finish_stopped(state, state.stop)

    def _bring_deadline(self, state: _RunState, seconds: float) -> None:
        seconds = max(0.0, seconds)
        deadline = time.time() + seconds
        if state.deadline is not None and state.deadline <= deadline:
            return
        state.deadline = deadline
        state.run.expires_at = self._clock.now() + math.ceil(seconds)
        self._store.save(state.run, deadline=deadline)
        self._arm_timer(state, seconds)

    # --- writing and emitting ---------------------------------------------------------------------------

    def _update_run(self, state: _RunState, status: str, deadline: Any = ..., **fields: Any) -> None:
        run = state.run
        before = {name: getattr(run, name) for name in ("status", *fields)}
        run.status = status
        for name, value in fields.items():
            model = _RUN_FIELD_MODELS.get(name)
            setattr(
                run,
                name,
                model.model_validate(value) if model is not None and isinstance(value, dict) else value,
            )
        columns: dict[str, Any] = {"status": status}
        if deadline is not ...:
            columns["deadline"] = deadline
        try:
            self._store.save(run, **columns)
        except Exception:  # the live run stays as stored: a fallback starts from what is true
            for name, value in before.items():
                setattr(run, name, value)
            raise
        self._emit_object(state, f"thread.run.{status}", run)

    def _emit_object(self, state: _RunState, event: str, obj: BaseModel) -> None:
        raw = self._store.get_raw(type(obj), obj.id)  # type: ignore[attr-defined]
        data = raw[1] if raw is not None else obj.model_dump_json().encode()
        full = sse_frame(event, data)
        frame: bytes | tuple[bytes, bytes] = full
        if isinstance(obj, RunStep) and _has_file_search(obj):
            stripped = strip_file_search_content(obj)
            if stripped is not None:
                frame = (sse_frame(event, stripped), full)
        self._append(state, event, frame)

    def _emit_delta(self, state: _RunState, event: str, data: dict[str, Any]) -> None:
        self._append(state, event, sse_frame(event, encode_json(data)))

    def _emit_step_delta(self, state: _RunState, step: RunStep, entry: dict[str, Any]) -> None:
        self._emit_delta(
            state,
            "thread.run.step.delta",
            {
                "id": step.id,
                "object": "thread.run.step.delta",
                "delta": {"step_details": {"type": "tool_calls", "tool_calls": [entry]}},
            },
        )

    def _append(self, state: _RunState, event: str, frame: bytes | tuple[bytes, bytes]) -> None:
        """Hand a frame to the run's log (and so to its streams, at once); listeners hear of it first."""
        if self.listeners:
            sequence = len(state.log)
            for listener in self.listeners:
                listener(state.run.id, sequence, event)
        state.log.append(frame)

    def _new_log(self, run_id: str) -> EventLog:
        log = EventLog()
        self._logs[run_id] = log
        self._logs.move_to_end(run_id)
        return log

    def _trim_logs(self) -> None:
        excess = len(self._logs) - self._kept_logs - len(self._states)
        if excess <= 0:
            return
        for run_id in list(self._logs):
            if excess <= 0:
                break
            if run_id not in self._states:
                del self._logs[run_id]
                excess -= 1


async def _next_item(agen: AsyncIterator[EngineItem], log: EventLog) -> EngineItem:
    """The engine's next item. The log stays held while the engine produces without waiting; when
    it waits, the log is released first (what it made so far goes out now), and held again after."""
    item, rest = start_now(agen.__anext__())
    if rest is None:
        return item  # type: ignore[return-value]
    log.release()
    try:
        return await rest
    finally:
        log.hold()


def _mended(item: EngineItem) -> EngineItem:
    """The item with any text that is not Unicode mended (engines pass on what remote models send;
    an unpaired surrogate would make the run impossible to save)."""
    if isinstance(item, TextDelta):
        if not is_unicode(item.text):
            return TextDelta(to_unicode(item.text))
    elif isinstance(item, FunctionCallDelta):
        if not (is_unicode(item.name or "") and is_unicode(item.arguments)):
            name = to_unicode(item.name) if item.name is not None else None
            return replace(item, name=name, arguments=to_unicode(item.arguments))
    elif isinstance(item, CodeInterpreterCall):
        texts = [item.input, *(o.text if isinstance(o, CodeLogs) else o.filename for o in item.outputs)]
        if not all(is_unicode(text) for text in texts):
            outputs = tuple(
                CodeLogs(to_unicode(o.text))
                if isinstance(o, CodeLogs)
                else replace(o, filename=to_unicode(o.filename))
                for o in item.outputs
            )
            return replace(item, input=to_unicode(item.input), outputs=outputs)
    elif isinstance(item, FileSearchCall):
        texts = [text for hit in item.results for text in (hit.file_id, hit.file_name, hit.content)]
        if not all(is_unicode(text) for text in texts):
            hits = tuple(
                replace(
                    hit,
                    file_id=to_unicode(hit.file_id),
                    file_name=to_unicode(hit.file_name),
                    content=to_unicode(hit.content),
                )
                for hit in item.results
            )
            return replace(item, results=hits)
    return item


def _has_file_search(step: RunStep) -> bool:
    details = step.step_details
    return isinstance(details, ToolCallsStepDetails) and any(
        isinstance(call, FileSearchToolCall) for call in details.tool_calls
    )


_RUN_FIELD_MODELS: dict[str, type[BaseModel]] = {
    "required_action": RequiredAction,
    "last_error": LastError,
    "incomplete_details": IncompleteDetails,
    "usage": UsageModel,
}


def _step_written_tokens(step: RunStep) -> int:
    """Tokens of what the assistant wrote in a tool calls step: names, arguments, code."""
    details = step.step_details
    if not isinstance(details, ToolCallsStepDetails):
        return 0
    total = 0
    for call in details.tool_calls:
        if isinstance(call, FunctionToolCall):
            total += count_tokens(call.function.name) + count_tokens(call.function.arguments)
        elif isinstance(call, CodeInterpreterToolCall):
            total += count_tokens(call.code_interpreter.input)
    return total


def _step_io_tokens(step: RunStep) -> int:
    """Tokens a later model call reads back from a tool calls step: what was written and returned."""
    details = step.step_details
    if not isinstance(details, ToolCallsStepDetails):
        return 0
    total = _step_written_tokens(step)
    for call in details.tool_calls:
        if isinstance(call, FunctionToolCall) and call.function.output:
            total += count_tokens(call.function.output)
        elif isinstance(call, CodeInterpreterToolCall):
            for output in call.code_interpreter.outputs:
                if isinstance(output, CodeInterpreterLogsOutput):
                    total += count_tokens(output.logs)
        elif isinstance(call, FileSearchToolCall) and not isinstance(call.file_search, dict):
            for result in call.file_search.results or []:
                total += count_tokens(result.file_name)
                total += sum(count_tokens(part.text or "") for part in result.content or [])
    return total
