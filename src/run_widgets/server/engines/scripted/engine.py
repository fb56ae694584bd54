"""The scripted assistant: deterministic replies, function calls on demand, every status on demand.

The same thread always gets the same texts. See ``docs/server.md`` for the directives.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable

from ....models import Message
from ..base import (
    Engine,
    EngineError,
    EngineItem,
    EngineSettings,
    ExpiresIn,
    FunctionCallDelta,
    Incomplete,
    RequestCancel,
    RunContext,
    TextDelta,
    ToolRound,
)
from .demo import code_interpreter_call, file_search_call
from .script import DIRECTIVES, Script, parse

_CHUNK = re.compile(r"\s*\S+\s*")
_ARGUMENT_PIECE = 12
EFFECT_AFTER_WORDS = 3
"""How many words of a reply stream before /fail, /cancel, /expire or /incomplete take effect."""
QUOTE_LIMIT = 2_000
FULL_SPEED_BATCH = 16
"""At full speed, words go out in batches of this many between yields to the event loop."""


class ScriptedEngine(Engine):
    """Answers runs from the thread's last user message; nothing random, nothing remote."""

    name = "scripted"

    def __init__(
        self, settings: EngineSettings, *, sleep: Callable[[float], Awaitable[None]] | None = None
    ) -> None:
        self._words_per_second = max(0.0, settings.words_per_second)
        self._sleep = sleep or asyncio.sleep

    async def _pause(self, words_per_second: float, words: int = 1) -> None:
        await self._sleep(words / words_per_second if words_per_second > 0 else 0)

    async def run(self, ctx: RunContext) -> AsyncIterator[EngineItem]:
        user_text = _last_user_text(ctx.messages)
        script = parse(user_text)
        pace = self._words_per_second if script.pace is None else script.pace
        rounds = ctx.tool_rounds()
        if rounds and all(call.output is not None for call in rounds[-1]):
            async for item in self._reply(ctx, script, _outputs_reply(rounds[-1]), pace):
                yield item
            return

        if script.expire is not None:
            yield ExpiresIn(script.expire)
        if script.wait is not None:
            await self._sleep(script.wait)
        elif script.wait_forever:
            await _forever()

        notes: list[str] = list(script.problems)
        for action, argument in script.actions:
            tool = "code_interpreter" if action == "code" else "file_search"
            if not ctx.has_tool(tool):
                notes.append(
                    f'/{action} needs the {tool} tool: add {{"type": "{tool}"}} to the assistant\'s '
                    "or the run's tools."
                )
                continue
            await self._pause(pace, 4)
            if action == "code":
                yield code_interpreter_call(argument)
                notes.append(
                    "I showed your code in the code interpreter (the scripted assistant does not run code)."
                    if argument
                    else "I ran a short program in the code interpreter: it printed the squares of 1 to 8 "
                    "(their sum is 204) and drew them as a bar chart."
                )
            else:
                query = argument or script.prose or "runs"
                search = file_search_call(query)
                yield search
                found = ", ".join(f"{hit.file_name} ({hit.score:.2f})" for hit in search.results)
                notes.append(f"I searched the files for “{query}” and found: {found}.")

        if script.calls and not script.help:
            available = ctx.function_tools()
            missing = [call.name for call in script.calls if call.name not in available]
            if not missing:
                for index, call in enumerate(script.calls):
                    yield FunctionCallDelta(index, call.name, "")
                    for start in range(0, len(call.arguments), _ARGUMENT_PIECE):
                        await self._pause(pace)
                        yield FunctionCallDelta(
                            index, arguments=call.arguments[start : start + _ARGUMENT_PIECE]
                        )
                return  # the run requires action (and, with /expire, lets its deadline pass)
            names = ", ".join(sorted(available)) or "none"
            notes.append(
                "I can't call "
                + ", ".join(f"`{name}`" for name in dict.fromkeys(missing))
                + f": this run has no function tool by that name (its function tools: {names}). "
                "Add the tool to the assistant or the run, then ask again."
            )

        text = _help_reply() if script.help else _default_reply(script.prose, user_text, notes)
        async for item in self._reply(ctx, script, text, pace):
            yield item

    async def _reply(
        self, ctx: RunContext, script: Script, text: str, pace: float
    ) -> AsyncIterator[EngineItem]:
        """Stream ``text`` word by word, applying /fail, /cancel, /expire or /incomplete on the way."""
        effect = script.fail is not None or script.cancel or script.incomplete or script.expire is not None
        if script.incomplete:
            text = _long_enough(text, ctx.run.max_completion_tokens)
        for count, chunk in enumerate(_CHUNK.findall(text)):
            if effect and count == EFFECT_AFTER_WORDS:
                if script.fail is not None:
                    code, message = script.fail
                    raise EngineError(message, code=code)  # type: ignore[arg-type]
                if script.cancel:
                    yield RequestCancel()
                    return
                if script.expire is not None:
                    await _forever()
                if script.incomplete and ctx.run.max_completion_tokens is None:
                    yield Incomplete("max_completion_tokens")
                    return
            if count and (pace > 0 or count % FULL_SPEED_BATCH == 0):
                await self._pause(pace)
            yield TextDelta(chunk)


def _last_user_text(messages: tuple[Message, ...]) -> str:
    for message in reversed(messages):
        if message.role == "user":
            return message.text
    return ""


def _quote(text: str) -> str:
    text = text.strip()
    return text if len(text) <= QUOTE_LIMIT else text[:QUOTE_LIMIT].rstrip() + " …"


def _default_reply(prose: str, user_text: str, notes: list[str]) -> str:
    if prose:
        opening = f"You said: “{_quote(prose)}”."
    elif user_text.strip():
        opening = "You sent only directives."
    else:
        opening = "There is no user message with text in this thread yet."
    parts = [opening, *notes]
    parts.append(
        "I am the scripted assistant: my replies are deterministic and need no model and no key. "
        "Write `call NAME {json}` on a line to make me call a function, or send /help to see what else I can do."
    )
    return "\n\n".join(parts)


def _help_reply() -> str:
    lines = [
        "I am the scripted assistant. Lines of your message that I understand:",
        "",
        "- call NAME {json} — call the function tool NAME with these arguments (one line per call; "
        "several lines make parallel calls); I answer once you submit the outputs",
        *(f"- {text}" for text in DIRECTIVES.values()),
        "",
        "Anything else I quote back to you.",
    ]
    return "\n".join(lines)


def _outputs_reply(calls: list[ToolRound]) -> str:
    lines = ["Thanks! The tools returned:", ""]
    for call in calls:
        lines.append(f"- {call.name}({call.arguments}) returned: “{_quote(call.output or '')}”")
    return "\n".join(lines)


def _long_enough(text: str, limit: int | None) -> str:
    """Repeat the reply until it is longer than the run's token limit (so the limit cuts it)."""
    if limit is None:
        return text
    from ...tokens import count_tokens

    out = text
    while count_tokens(out) <= limit:
        out += "\n\n" + text
    return out


async def _forever() -> None:
    await asyncio.Event().wait()
