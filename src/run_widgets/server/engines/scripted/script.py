"""Reading a user message as a script: ``call NAME {json}`` lines, ``/directives`` and prose."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field

_CALL = re.compile(r"^call\s+(\S+)\s*(.*)$", re.DOTALL)
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_DIRECTIVE = re.compile(r"^/([A-Za-z][\w-]*)(?:\s+(.*))?$")

FAIL_CODES = ("server_error", "rate_limit_exceeded", "invalid_prompt")

DIRECTIVES = {
    "help": "/help — list these directives",
    "pace": "/pace N — stream this reply at N words per second (0: full speed)",
    "wait": "/wait [SECONDS] — think before answering (no number: until cancelled or expired)",
    "code": "/code [CODE] — run a code interpreter step (logs and a chart), then answer",
    "search": "/search [QUERY] — run a file search step over the demo files, then answer",
    "fail": "/fail [CODE] [MESSAGE] — start answering, then fail the run (CODE: server_error, rate_limit_exceeded or invalid_prompt)",
    "cancel": "/cancel — start answering, then cancel the run as if you had asked",
    "expire": "/expire [SECONDS] — bring the run's deadline to SECONDS from now (default 2) and let it pass",
    "incomplete": "/incomplete — answer past the token limit, so the run ends incomplete",
}


@dataclass
class Call:
    name: str
    arguments: str


@dataclass
class Script:
    """What a user message asks of the scripted assistant."""

    prose: str = ""
    calls: list[Call] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    actions: list[tuple[str, str]] = field(default_factory=list)
    pace: float | None = None
    wait: float | None = None
    wait_forever: bool = False
    fail: tuple[str, str] | None = None
    cancel: bool = False
    expire: float | None = None
    incomplete: bool = False
    help: bool = False


def parse(text: str) -> Script:
    """Split a message into calls, directives and prose (the lines that are neither)."""
    script = Script()
    prose: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        call = _CALL.match(stripped)
        if call and stripped.startswith("call "):
            _parse_call(script, call.group(1), call.group(2).strip(), stripped)
            continue
        directive = _DIRECTIVE.match(stripped)
        if directive and directive.group(1).lower() in DIRECTIVES:
            _parse_directive(script, directive.group(1).lower(), (directive.group(2) or "").strip())
            continue
        prose.append(line)
    script.prose = "\n".join(prose).strip()
    return script


def _parse_call(script: Script, name: str, raw: str, line: str) -> None:
    if not _NAME.match(name):
        script.problems.append(
            f"`{line}` is not a call I can make: a function name has only letters, digits, '_' and '-'."
        )
        return
    try:
        arguments = json.loads(raw or "{}")
    except json.JSONDecodeError as exc:
        script.problems.append(f"The arguments of `{line}` are not valid JSON ({exc.msg}).")
        return
    if not isinstance(arguments, dict):
        script.problems.append(f'The arguments of `{line}` must be a JSON object, like {{"city": "Paris"}}.')
        return
    script.calls.append(Call(name, json.dumps(arguments, ensure_ascii=False, separators=(",", ":"))))


def _number(raw: str) -> float | None:
    try:
        value = float(raw.split()[0])
    except (ValueError, IndexError):
        return None
    return value if math.isfinite(value) and value >= 0 else None


def _parse_directive(script: Script, name: str, argument: str) -> None:
    if name == "help":
        script.help = True
    elif name == "pace":
        pace = _number(argument)
        if pace is None:
            script.problems.append(
                "/pace needs a number of words per second, like `/pace 5` (0: full speed)."
            )
        else:
            script.pace = pace
    elif name == "wait":
        seconds = _number(argument) if argument else None
        if argument and seconds is None:
            script.problems.append("/wait takes a number of seconds, like `/wait 3`.")
        script.wait, script.wait_forever = seconds, seconds is None and not argument
    elif name in ("code", "search"):
        script.actions.append((name, argument))
    elif name == "fail":
        code, _, message = argument.partition(" ")
        if code not in FAIL_CODES:
            code, message = "server_error", argument
        script.fail = (code, message.strip() or "The scripted assistant failed on purpose (/fail).")
    elif name == "cancel":
        script.cancel = True
    elif name == "expire":
        seconds = _number(argument) if argument else 2.0
        script.expire = 2.0 if seconds is None else seconds
    elif name == "incomplete":
        script.incomplete = True
