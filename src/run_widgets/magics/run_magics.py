"""``RunMagics``: ``%run_create``, ``%%run_stream``, ``%run_show``, ``%run_list``, ``%run_cancel``.

Thin: each magic parses its flags, calls the same-named function of ``run_widgets.session`` and
shows the card. Its traits are the configuration (``%config RunMagics.base_url = ...``, or
``c.RunMagics.base_url`` in ``ipython_config.py``); they write into the default session's settings.

Keys (``api_key``, ``chat_api_key``) can be set through ``%config`` but are never kept in a trait:
the trait holds ``"(hidden)"``, the key goes to the session's settings, and the shell's configuration
object is scrubbed after every cell.

Importing this module is light: the client, the card and the server load on the first magic call.
"""

from __future__ import annotations

import argparse
import contextlib
import shlex
from typing import TYPE_CHECKING, Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from traitlets import Bool, Dict, Enum, Float, Int, Unicode, observe, validate

from ..session import SessionError, default_session, default_settings, wait_for
from ..session.settings import HIDDEN
from . import arguments, values
from ._typed import argument, magic_arguments
from .arguments import RUN_ARGUMENTS
from .message import format_message

if TYPE_CHECKING:
    from ..widget import RunCard

_KEYS = ("api_key", "chat_api_key")
_SETTINGS = (
    "base_url",
    "api_key_env",
    "assistant",
    "mode",
    "wait",
    "auto_tools",
    "poll_interval",
    "engine",
    "chat_base_url",
    "chat_model",
    "chat_options",
    "words_per_second",
    "seed",
    "requires_action_timeout",
)


@magics_class
class RunMagics(Magics):
    """Assistants runs as live cards: ``%run_create``, ``%%run_stream``, ``%run_show``, ``%run_list``,
    ``%run_cancel``. Configure with ``%config RunMagics.<name> = value``."""

    base_url = Unicode(
        None,
        allow_none=True,
        help="The server's base URL (e.g. http://127.0.0.1:8000/v1), or 'embedded'. "
        "None: RUN_WIDGETS_BASE_URL, OPENAI_BASE_URL, else the embedded server.",
    ).tag(config=True)
    api_key = Unicode(
        None,
        allow_none=True,
        help="The key for base_url's server. Never shown or kept here (reads '(hidden)'); "
        "prefer api_key_env. None: RUN_WIDGETS_API_KEY, then OPENAI_API_KEY.",
    ).tag(config=True)
    api_key_env = Unicode(
        None,
        allow_none=True,
        help="The environment variable holding the key (instead of RUN_WIDGETS_API_KEY).",
    ).tag(config=True)
    assistant = Unicode(
        None,
        allow_none=True,
        help="The assistant runs use unless --assistant says otherwise (the embedded server has a default).",
    ).tag(config=True)
    mode = Enum(["stream", "poll"], "stream", help="Follow runs by streaming (default) or polling.").tag(
        config=True
    )
    wait = Bool(False, help="Block each cell until its run ends (as --wait).").tag(config=True)
    auto_tools = Bool(False, help="Run Python tools and submit without a click (as --auto-tools).").tag(
        config=True
    )
    poll_interval = Float(0.5, help="Seconds between polls when following a run by polling.").tag(config=True)
    engine = Enum(
        ["scripted", "chat"],
        "scripted",
        help="The embedded server's engine: the scripted assistant, or chat.",
    ).tag(config=True)
    chat_base_url = Unicode(
        None, allow_none=True, help="For engine 'chat': the Chat Completions server's base URL."
    ).tag(config=True)
    chat_model = Unicode(None, allow_none=True, help="For engine 'chat': the model to ask for.").tag(
        config=True
    )
    chat_api_key = Unicode(
        None, allow_none=True, help="For engine 'chat': the backend's key. Never shown or kept here."
    ).tag(config=True)
    chat_options = Dict(
        None,
        allow_none=True,
        help="For engine 'chat': more options for the backend (docs/chat-engine.md), e.g. {'timeout': 600}.",
    ).tag(config=True)
    words_per_second = Float(
        20.0, help="How fast the embedded scripted assistant streams its replies (0: full speed)."
    ).tag(config=True)
    seed = Int(None, allow_none=True, help="Make the embedded server's ids and timestamps reproducible.").tag(
        config=True
    )
    requires_action_timeout = Float(
        600.0, help="Seconds an embedded run waits for tool outputs before it expires (0: forever)."
    ).tag(config=True)
    preload = Bool(
        True,
        help="At %load_ext, import the client and the card in a background thread, so the first run starts sooner.",
    ).tag(config=True)

    def __init__(self, shell: Any = None, **kwargs: Any) -> None:
        self._settings = default_settings()
        super().__init__(shell=shell, **kwargs)
        configured = set(self.config.RunMagics) if "RunMagics" in self.config else set()
        for name in _SETTINGS:
            if name not in configured:  # show what the settings hold (configure() may have run first)
                self.set_trait(name, getattr(self._settings, name))
        for name in _KEYS:
            if name not in configured and getattr(self._settings, name) is not None:
                self.set_trait(name, HIDDEN)

    # --- configuration ----------------------------------------------------------------------------------

    @validate(*_KEYS)
    def _keep_key_out_of_the_trait(self, proposal: Any) -> str | None:
        name, value = proposal["trait"].name, proposal["value"]
        if value == HIDDEN:
            return HIDDEN  # setting what the trait shows changes nothing
        self._settings.update(**{name: value or None})
        self.scrub_keys()
        return HIDDEN if value else None

    @observe(*_SETTINGS)
    def _setting_changed(self, change: Any) -> None:
        self._settings.update(**{change["name"]: change["new"]})

    def scrub_keys(self, *_: Any) -> None:
        """Replace keys in the configuration objects by ``"(hidden)"`` (``%config`` merges them there)."""
        configs = [self.config]
        if self.shell is not None:
            configs.append(self.shell.config)
        for config in configs:
            if "RunMagics" not in config:
                continue
            section = config.RunMagics
            for name in _KEYS:
                if name in section and section[name] not in (None, HIDDEN):
                    section[name] = HIDDEN

    # --- the magics -------------------------------------------------------------------------------------

    @magic_arguments()
    @argument(
        "--message",
        metavar="TEXT",
        help="add this user message to the thread before the run (plain text)",
    )
    @RUN_ARGUMENTS
    @line_magic
    def run_create(self, line: str) -> None:
        """Create a run on a thread and show it as a live card; the cell returns at once.

        Examples::

            %run_create --message "Hello!"
            %run_create --thread thread_abc --assistant asst_123 --temperature 0.2 --wait -o card
            %run_create --message "call get_weather {\\"city\\": \\"Oslo\\"}" --tools get_weather --auto-tools

        On the embedded server (the default when nothing is configured) the scripted assistant
        answers: ``call NAME {json}`` lines call tools, ``/help`` lists its directives. ``{var}`` and
        ``$var`` in the line are replaced by the notebook's variables, as in every magic.
        """
        args = self._parse("run_create", line)
        with self._errors("run_create"):
            kwargs = arguments.run_kwargs(args, self._namespace)
            card = default_session().run_create(message=args.message, display=True, **self._no_wait(kwargs))
            self._follow_up(card, args)

    @magic_arguments()
    @argument(
        "--format",
        action="store_true",
        help="replace {name} in the message by the notebook's variable, as str.format does "
        "({price:.2f}, {row[0]}; {{ and }} are braces); $ is never replaced",
    )
    @RUN_ARGUMENTS
    @cell_magic
    def run_stream(self, line: str, cell: str) -> None:
        """The cell is the user's message: add it to the thread and stream the run into a live card.

        Examples::

            %%run_stream
            Hello! What can you do?

            %%run_stream --tools get_weather --auto-tools
            call get_weather {"city": "Paris"}

            %%run_stream --new-thread --wait -o card
            /code

            %%run_stream --format
            Summarise these {n_rows} rows for {audience}.

        Without --thread the notebook's current thread is used (made on first use; --new-thread
        starts another). The message is sent as written: "$5", "$x^2$", "$HOME" and JSON stay as
        they are. With --format, ``{name}`` is replaced by the notebook's variable (``{{`` and ``}}``
        are braces). ``{var}`` and ``$var`` in the line are replaced as in every magic. Every
        %run_create option applies.
        """
        args = self._parse("run_stream", line)
        body = cell.rstrip().lstrip("\n")  # IPython hands over the cell with its final newline
        message = format_message(body, self._namespace) if args.format else body
        with self._errors("run_stream"):
            kwargs = arguments.run_kwargs(args, self._namespace)
            card = default_session().run_stream(message, display=True, **self._no_wait(kwargs))
            self._follow_up(card, args)

    @magic_arguments()
    @argument("run_id", metavar="RUN_ID", help="the run to show")
    @argument(
        "-t", "--thread", metavar="THREAD_ID", help="its thread (default: the notebook's current thread)"
    )
    @argument("--base-url", metavar="URL", help="the server (default: as for %%run_create)")
    @argument(
        "--tools", action="append", metavar="NAMES", help="Python functions that may answer its tool calls"
    )
    @argument(
        "--auto-tools",
        dest="auto_tools",
        action="store_const",
        const=True,
        help="answer them without a click",
    )
    @argument("--wait", dest="wait", action="store_const", const=True, help="block until the run ends")
    @argument("--timeout", type=float, metavar="SECONDS", help="with --wait: stop waiting after SECONDS")
    @argument("-o", "--out", metavar="NAME", help="bind the card to this variable")
    @line_magic
    def run_show(self, line: str) -> None:
        """Show a card for a run that exists; it follows the run if it is still going.

        Example: ``%run_show run_abc --thread thread_xyz``
        """
        args = self._parse("run_show", line)
        with self._errors("run_show"):
            tools = values.tools(args.tools, self._namespace) if args.tools else None
            card = default_session().run_show(
                args.run_id,
                thread=args.thread,
                base_url=args.base_url,
                tools=tools,
                auto_tools=args.auto_tools,
                wait=False,
                display=True,
            )
            self._follow_up(card, args, cancel=False)

    @magic_arguments()
    @argument(
        "-t", "--thread", metavar="THREAD_ID", help="the thread (default: the notebook's current thread)"
    )
    @argument("--limit", type=int, default=20, metavar="N", help="at most N runs, newest first (default: 20)")
    @argument("--base-url", metavar="URL", help="the server (default: as for %%run_create)")
    @argument(
        "-o", "--out", metavar="NAME", help="bind the list to this variable (a sequence of Run objects)"
    )
    @line_magic
    def run_list(self, line: str) -> Any:
        """List a thread's runs, newest first: id, status, created, assistant, model, tokens, problems.

        Example: ``%run_list`` (the current thread) or ``%run_list --thread thread_xyz --limit 5``
        """
        args = self._parse("run_list", line)
        with self._errors("run_list"):
            runs = default_session().run_list(thread=args.thread, limit=args.limit, base_url=args.base_url)
        if args.out:
            self._namespace[values.output_name(args.out)] = runs
        return runs

    @magic_arguments()
    @argument(
        "run_id", nargs="?", metavar="RUN_ID", help="the run (default: the last run this notebook started)"
    )
    @argument(
        "-t", "--thread", metavar="THREAD_ID", help="its thread (default: the notebook's current thread)"
    )
    @argument("--base-url", metavar="URL", help="the server (default: as for %%run_create)")
    @argument("--wait", action="store_true", help="block until the run has stopped")
    @argument("--timeout", type=float, metavar="SECONDS", help="with --wait: stop waiting after SECONDS")
    @line_magic
    def run_cancel(self, line: str) -> None:
        """Cancel a run: the last one this notebook started, or RUN_ID. Its card shows it end.

        Example: ``%run_cancel`` or ``%run_cancel run_abc --thread thread_xyz``
        """
        args = self._parse("run_cancel", line)
        with self._errors("run_cancel"):
            run = default_session().run_cancel(
                args.run_id, thread=args.thread, base_url=args.base_url, wait=args.wait, timeout=args.timeout
            )
        if run is not None:
            print(f"{run.id} is {run.status}.")

    # --- helpers ------------------------------------------------------------------------------------------

    @property
    def _namespace(self) -> dict[str, Any]:
        """The notebook's variables."""
        assert self.shell is not None
        return self.shell.user_ns  # type: ignore[no-any-return]

    def _parse(self, name: str, line: str) -> argparse.Namespace:
        """The flags, split as a POSIX shell does (IPython's ``parse_argstring`` keeps the quotes)."""
        parser: argparse.ArgumentParser = getattr(type(self), name).parser
        try:
            return parser.parse_args(shlex.split(line))
        except UsageError as exc:
            raise UsageError(f"%{name}: {exc}. See %{name}? for the options.") from None
        except ValueError as exc:  # an unclosed quote
            raise UsageError(f"%{name}: {exc} in the line; check its quotes.") from None

    @contextlib.contextmanager
    def _errors(self, name: str) -> Any:
        """A ``SessionError`` becomes a one-line ``UsageError`` naming the flag; Ctrl-C cancels the run."""
        before = default_session().last_card
        try:
            yield
        except SessionError as exc:
            raise UsageError(_with_flag(exc)) from None
        except KeyboardInterrupt:
            card = default_session().last_card
            run = card.current_run if card is not None and card is not before else None
            if name in ("run_create", "run_stream") and run is not None:
                raise UsageError(
                    f"Interrupted: asked the server to cancel {run.id}; the card shows how it ends."
                ) from None
            raise UsageError("Interrupted: stopped waiting; the run goes on.") from None
        except Exception as exc:
            from ..tools import ToolDefinitionError

            if isinstance(exc, ToolDefinitionError):
                raise UsageError(f"--tools: {exc}") from None
            raise

    @staticmethod
    def _no_wait(kwargs: dict[str, Any]) -> dict[str, Any]:
        """The session call returns at once; the magic waits itself, once ``-o`` is bound."""
        kwargs.pop("timeout", None)
        return {**kwargs, "wait": False}

    def _follow_up(self, card: RunCard, args: argparse.Namespace, *, cancel: bool = True) -> None:
        """Bind ``-o``, then wait if asked (Ctrl-C cancels a run this cell started) and say what next."""
        out = getattr(args, "out", None)
        if out:
            self._namespace[values.output_name(out)] = card
        if not (args.wait if args.wait is not None else self._settings.wait):
            return
        wait_for(card, args.timeout, cancel=cancel)
        run = card.current_run
        if card.following:
            after = f" after {args.timeout:g} s" if args.timeout else ""
            print(f"Still running{after}; the card keeps following it.")
        elif run is not None and run.status == "requires_action":
            print(_answer_hint(card, out))


def _with_flag(exc: SessionError) -> str:
    """The message with the request field written as the flag that sets it."""
    message = exc.message
    if exc.param:
        flag = arguments.flag_for(exc.param)
        shown = flag if flag == "--" + exc.param.replace("_", "-") else f"{flag} ({exc.param})"
        message = message.replace(f"'{exc.param}'", shown)
        if flag not in message:
            message = f"{flag}: {message}"
    return message


def _answer_hint(card: RunCard, out: str | None) -> str:
    run = card.current_run
    assert run is not None
    calls = run.pending_tool_calls
    listed = ", ".join(f"{call.function.name} ({call.id})" for call in calls)
    name = out or "run_widgets.default_session().last_card"
    example = ", ".join(f"{call.id!r}: '...'" for call in calls[:2])
    tip = (
        " Its Python tools can answer: click Run and submit, or use --auto-tools."
        if card.python_tools
        else " Python functions can answer too: --tools NAME --auto-tools."
    )
    return (
        f"{run.id} is waiting for tool outputs: {listed}. Answer in the card's form, "
        f"or in Python: {name}.submit_tool_outputs({{{example}}}).{tip}"
    )
