"""The engine interface: what answers a run, and nothing else.

An engine is the "model" behind a run. It reads a ``RunContext`` and yields content items; the
executor (``run_widgets.server.executor``) owns everything else: ids, timestamps, statuses, steps,
messages, persistence, usage totals, token limits, cancellation, expiry and the SSE events. So an
engine cannot break the wire rules, and a new engine only adds a module and a registry entry
(``engines/__init__.py``).

What an engine receives (``RunContext``)
    ``run``        the Run as this segment starts: model, instructions (with additional
                   instructions appended), tools, tool_choice, temperature, top_p,
                   max_prompt_tokens, max_completion_tokens, truncation_strategy,
                   response_format, parallel_tool_calls, metadata. Run fields already override
                   the assistant's.
    ``assistant``  the assistant's own settings (name, description, ...), for engines that want them.
    ``messages``   the thread's messages, oldest first, up to now: earlier runs' replies, the
                   run's ``additional_messages`` and messages this run already wrote.
                   ``truncated_messages()`` applies the run's ``truncation_strategy``.
    ``steps``      this run's steps so far, oldest first. Function calls carry their ``output``
                   once submitted; ``tool_rounds()`` pairs them for replay.
    ``cancelled``  an ``asyncio.Event`` set when the run is being cancelled or expires. The
                   executor also stops reading and closes the generator, so engines only need it
                   for work they do outside their own ``await``s.

What an engine yields (``EngineItem``), in the order the assistant "writes" them
    ``TextDelta(text)``                  a piece of the assistant's message. Consecutive pieces
                                         form one message (one ``message_creation`` step).
    ``FunctionCallDelta(index, name, arguments)``
                                         a function call (or a fragment of one). The first
                                         fragment of each ``index`` names the function; later
                                         ones append to ``arguments``. Indexes start at 0 and are
                                         contiguous within a segment; several indexes are
                                         parallel calls in one ``tool_calls`` step. The run then
                                         goes to ``requires_action`` when the generator ends.
    ``CodeInterpreterCall(input, outputs)``
                                         a finished code interpreter call (logs and images).
    ``FileSearchCall(results, ranking_options)``
                                         a finished file search call.
    ``Usage(prompt_tokens, completion_tokens)``
                                         what producing the latest step cost. Without it the
                                         executor estimates (see ``run_widgets.server.tokens``).
    ``Incomplete(reason)``               stop here: the run ends ``incomplete``
                                         (``max_completion_tokens``, ``max_prompt_tokens``, or
                                         ``None``: a limit of the model's own, no reason given).
    ``ExpiresIn(seconds)``, ``RequestCancel()``
                                         control items for demonstrations (the scripted
                                         assistant's ``/expire`` and ``/cancel``): bring the run's
                                         deadline closer, or act as if the client had asked to
                                         cancel. Other engines need not use them.
    To fail the run, raise ``EngineError(message, code)``: the run ends ``failed`` with that
    ``last_error``. Any other exception fails the run with ``server_error`` (and is logged).

Segments
    ``Engine.run`` is called once per segment: when the run starts, and again after each
    ``submit_tool_outputs`` (with the outputs in ``ctx.steps``). A segment that yielded function
    calls ends in ``requires_action``; any other segment ends the run ``completed``. An engine that
    wraps Chat Completions therefore makes one (streamed) completion call per segment, with the
    thread's messages, this run's tool calls and outputs replayed, and the run's tools,
    tool_choice, temperature and token limits.
"""

from __future__ import annotations

import abc
import asyncio
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from ...models import Assistant, FunctionTool, FunctionToolCall, Message, Run, RunStep, ToolCallsStepDetails

# --- what an engine yields -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TextDelta:
    """A piece of the assistant's message text, appended to what came before."""

    text: str


@dataclass(frozen=True, slots=True)
class FunctionCallDelta:
    """A function call, whole or in fragments: the first fragment of an ``index`` carries ``name``."""

    index: int
    name: str | None = None
    arguments: str = ""


@dataclass(frozen=True, slots=True)
class CodeLogs:
    """Text the code printed."""

    text: str


@dataclass(frozen=True, slots=True)
class CodeImage:
    """An image the code made; the executor stores it as a file and refers to it by ``file_id``."""

    data: bytes
    filename: str = "image.png"
    media_type: str = "image/png"


@dataclass(frozen=True, slots=True)
class CodeInterpreterCall:
    """A finished code interpreter call: the code and what it produced."""

    input: str
    outputs: tuple[CodeLogs | CodeImage, ...] = ()


@dataclass(frozen=True, slots=True)
class FileSearchHit:
    """One file search result; ``content`` is sent only when the client asks for it (``include[]``)."""

    file_id: str
    file_name: str
    score: float
    content: str = ""


@dataclass(frozen=True, slots=True)
class FileSearchCall:
    """A finished file search call and its ranked results."""

    results: tuple[FileSearchHit, ...] = ()
    ranking_options: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Usage:
    """Tokens spent producing the latest step."""

    prompt_tokens: int
    completion_tokens: int


@dataclass(frozen=True, slots=True)
class Incomplete:
    """Stop: the run ends ``incomplete`` for this reason."""

    reason: Literal["max_completion_tokens", "max_prompt_tokens"] | None = "max_completion_tokens"
    """``None``: a limit that is none of the run's own (a backend's output cap); none is claimed."""


@dataclass(frozen=True, slots=True)
class ExpiresIn:
    """Bring the run's deadline to at most ``seconds`` from now (never later than it was)."""

    seconds: float


@dataclass(frozen=True, slots=True)
class RequestCancel:
    """Act as if the client had called cancel on this run."""


EngineItem = (
    TextDelta
    | FunctionCallDelta
    | CodeInterpreterCall
    | FileSearchCall
    | Usage
    | Incomplete
    | ExpiresIn
    | RequestCancel
)


class EngineError(Exception):
    """Raised by an engine to fail the run with this ``last_error`` (the message is shown to users)."""

    def __init__(
        self,
        message: str,
        code: Literal["server_error", "rate_limit_exceeded", "invalid_prompt"] = "server_error",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


# --- what an engine receives -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ToolRound:
    """One function call of this run and its submitted output (``None`` if not answered yet)."""

    call_id: str
    name: str
    arguments: str
    output: str | None


@dataclass(frozen=True)
class RunContext:
    """Everything an engine may read to answer one segment of a run (see the module docstring)."""

    run: Run
    assistant: Assistant
    messages: tuple[Message, ...]
    steps: tuple[RunStep, ...]
    cancelled: asyncio.Event = field(default_factory=asyncio.Event)

    def truncated_messages(self) -> tuple[Message, ...]:
        """The messages the run's ``truncation_strategy`` keeps (``last_messages`` N, or all)."""
        strategy = self.run.truncation_strategy
        if strategy is not None and strategy.type == "last_messages" and strategy.last_messages:
            return self.messages[-strategy.last_messages :]
        return self.messages

    def function_tools(self) -> dict[str, FunctionTool]:
        """The run's function tools by name."""
        return {tool.function.name: tool for tool in self.run.tools if isinstance(tool, FunctionTool)}

    def has_tool(self, tool_type: str) -> bool:
        """Whether the run has a tool of this type (``code_interpreter``, ``file_search``, ``function``)."""
        return any(tool.type == tool_type for tool in self.run.tools)

    def tool_rounds(self) -> list[list[ToolRound]]:
        """This run's function calls, one list per ``tool_calls`` step, with their outputs."""
        rounds: list[list[ToolRound]] = []
        for step in self.steps:
            details = step.step_details
            if not isinstance(details, ToolCallsStepDetails):
                continue
            calls = [
                ToolRound(call.id, call.function.name, call.function.arguments, call.function.output)
                for call in details.tool_calls
                if isinstance(call, FunctionToolCall)
            ]
            if calls:
                rounds.append(calls)
        return rounds


# --- the engine ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EngineSettings:
    """Server options an engine may use; each engine reads what concerns it."""

    words_per_second: float = 20.0
    seed: int | None = None
    chat_base_url: str | None = None
    chat_model: str | None = None
    chat_api_key: str | None = field(default=None, repr=False)
    chat_options: Mapping[str, Any] = field(default_factory=dict)
    """The chat engine's further options (timeouts, backend quirks; see ``docs/chat-engine.md``)."""
    extra: Mapping[str, Any] = field(default_factory=dict)


class Engine(abc.ABC):
    """Produces a run's content. Subclasses implement ``run`` as an async generator."""

    name: ClassVar[str]

    @abc.abstractmethod
    def run(self, ctx: RunContext) -> AsyncIterator[EngineItem]:
        """Yield the content of one segment of the run (see the module docstring)."""

    async def aclose(self) -> None:  # noqa: B027 - optional hook, nothing to do by default
        """Release what the engine holds (HTTP clients, ...) when the server stops."""
