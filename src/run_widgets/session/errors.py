"""One short line for everything that can go wrong before a run starts, saying what to do.

The magics show these as a ``UsageError`` (no traceback); scripts get a ``SessionError``. The client's
typed errors are translated here, with the context only the session knows (which thread, which
assistant, where the base URL came from). Keys never appear: the client scrubs its own, and every
message passes through ``redact`` with the session's secrets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .settings import BASE_URL_ENV, Target

_NO_SUCH = re.compile(r"\bNo (thread|assistant|run)\b.*? with id '([^']+)'", re.IGNORECASE)
_ACTIVE_RUN = re.compile(
    r"already has an active run:?\s+([\w-]+)|while a run\s+([\w-]+)\s+is active", re.IGNORECASE
)
"""The wording of the API (and the embedded server) for a thread busy with a run."""


class SessionError(Exception):
    """Something the user can fix; ``str()`` is one line that says how.

    ``param`` names the request field at fault, when one is (``temperature``, ``tools[0]``).
    """

    def __init__(self, message: str, *, param: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param


@dataclass
class Context:
    """What was being asked when a request failed."""

    url: str
    target: Target
    thread_id: str | None = None
    thread_given: bool = False
    assistant_id: str | None = None
    run_id: str | None = None
    key_source: str = "no key was sent"
    """Where the key came from, as a phrase for messages."""


def redact(text: str, secrets: Iterable[str]) -> str:
    for value in secrets:
        if value and len(value) >= 4:
            text = text.replace(value, "[redacted]")
    return text


def explain(exc: BaseException, ctx: Context, secrets: Iterable[str] = ()) -> SessionError:
    """The ``SessionError`` for a failed request (or a refused argument)."""
    from ..client import errors as api
    from ..models import RequestValidationError
    from ..tools import ToolDefinitionError

    url = ctx.url
    if isinstance(exc, SessionError | RequestValidationError):
        line, param = exc.message, exc.param
    elif isinstance(exc, ToolDefinitionError | api.ConfigurationError):
        line, param = str(exc), None
    elif isinstance(exc, api.APITimeoutError):
        line, param = f"{url} did not answer in time. {ctx.target.how_to_leave()}", None
    elif isinstance(exc, api.APIConnectionError):
        line = f"Cannot reach {url}: is the server running? {ctx.target.how_to_leave()}"
        param = None
    elif isinstance(exc, api.AuthenticationError):
        line, param = _refused_key(ctx), None
    elif isinstance(exc, api.PermissionDeniedError):
        line, param = f"The server at {url} accepted the API key but does not allow this: {exc.message}", None
    elif isinstance(exc, api.NotFoundError):
        line, param = _not_found(exc, ctx), None
    elif isinstance(exc, api.BadRequestError) and (run_id := active_run_of(exc)) is not None:
        line, param = thread_busy(ctx, run_id), None
    elif isinstance(exc, api.APIStatusError):
        status = exc.status_code
        prefix = "The server refused the request" if status < 500 else f"The server at {url} failed"
        line, param = f"{prefix} (HTTP {status}): {_sentence(exc.message)}", exc.param
        if status >= 500:
            line += " Try again; if it keeps failing, check the server's log."
    elif isinstance(exc, api.APIResponseValidationError):
        line = (
            f"{url} answered with something that is not the Assistants API ({_sentence(exc.message)}) "
            "Check that the base URL is the API's root; it usually ends in /v1."
        )
        param = None
    elif isinstance(exc, api.APIError):
        line, param = _sentence(exc.message), None
    else:
        line = f"{type(exc).__name__}: {exc}".strip()
        param = None
    return SessionError(" ".join(redact(line, secrets).split()), param=param)


def _sentence(text: str) -> str:
    text = " ".join(str(text).split())
    return text if text.endswith((".", "!", "?", ")")) else text + "."


def _refused_key(ctx: Context) -> str:
    if ctx.target.embedded:
        return (
            f"The embedded server at {ctx.url} refused the session's key; "
            "start it again with run_widgets.default_session().close()."
        )
    return (
        f"The server at {ctx.url} refused the API key ({ctx.key_source}): set RUN_WIDGETS_API_KEY "
        "(or %config RunMagics.api_key_env = 'YOUR_VARIABLE'), then run the cell again."
    )


def _not_found(exc: BaseException, ctx: Context) -> str:
    message = " ".join(str(getattr(exc, "message", exc)).split())
    kind, found = _missing_object(message, ctx)
    if kind == "thread":
        if ctx.thread_given:
            return (
                f"Thread {found} not found on {ctx.url}: check --thread, "
                "or omit it to use the notebook's current thread."
            )
        return (
            f"Thread {found} not found on {ctx.url} (the server may have restarted): "
            "start a new one with --new-thread."
        )
    if kind == "assistant":
        hint = (
            "omit it to use the embedded server's scripted assistant"
            if ctx.target.embedded
            else "list them with run_widgets.Client().assistants.list()"
        )
        return f"Assistant {found} not found on {ctx.url}: check --assistant, or {hint}."
    if kind == "run":
        return f"Run {found} not found on thread {ctx.thread_id} at {ctx.url}: check the run id and --thread."
    return (
        f"{ctx.url} answered 404 ({_sentence(message)}) "
        "Check that the base URL is the API's root; it usually ends in /v1."
    )


def _missing_object(message: str, ctx: Context) -> tuple[str | None, str | None]:
    """Which object a 404 is about: from the API's wording ("No thread found with id 'x'."), else
    from which of the request's ids the message names."""
    match = _NO_SUCH.search(message)
    if match:
        return match.group(1).lower(), match.group(2)
    for kind, object_id in (("run", ctx.run_id), ("thread", ctx.thread_id), ("assistant", ctx.assistant_id)):
        if object_id and object_id in message:
            return kind, object_id
    return None, None


def active_run_of(exc: BaseException) -> str | None:
    """The run a 400 says keeps the thread busy ("Thread x already has an active run run_y."), if any."""
    match = _ACTIVE_RUN.search(str(getattr(exc, "message", exc)))
    if match is None:
        return None
    return match.group(1) or match.group(2)


def thread_busy(ctx: Context, run_id: str, status: str | None = None) -> str:
    """What to do when the thread already has an active run: answer it, cancel it, or go elsewhere."""
    cancel = f"%run_cancel {run_id}"
    if ctx.thread_given and ctx.thread_id:
        cancel += f" --thread {ctx.thread_id}"
    if ctx.target.source == "option":
        cancel += f" --base-url {ctx.url}"
    where = f"Thread {ctx.thread_id}" if ctx.thread_id else "The thread"
    if status == "requires_action":
        state, first = "waiting for tool outputs", "answer them in its card"
    else:
        state = status or "still going"
        first = "answer it in its card if it waits for tool outputs, or wait for it to end"
    return (
        f"{where} already has an active run, {run_id} ({state}): {first}, cancel it with {cancel}, "
        "or run this cell on another thread with --new-thread (new_thread=True)."
    )


def no_default_assistant(ctx: Context) -> str:
    """Which assistant to run, on a server that is not the embedded one, and where that server came from."""
    source = ctx.target.source
    if source == "option":
        origin, back = "--base-url", "leave out --base-url to use the embedded server"
    elif source == "config":
        origin = "%config RunMagics.base_url"
        back = "set %config RunMagics.base_url = 'embedded' to use the embedded server"
    elif source in BASE_URL_ENV:
        origin = f"the environment variable {source}"
        back = f"use the embedded server: %config RunMagics.base_url = 'embedded' (or unset {source})"
    else:  # a client given to the session
        origin = "the client given to run_widgets.use_client()"
        back = "call run_widgets.use_client(None) to use the embedded server"
    return (
        f"Which assistant should run? {ctx.url} (from {origin}) is not the embedded server, so there is "
        "no default assistant: pass --assistant ASSISTANT_ID (assistant=...), set "
        f"%config RunMagics.assistant = 'asst_...', or {back}."
    )
