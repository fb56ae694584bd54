"""The magics' flags, shared by ``%run_create`` and ``%%run_stream``, and their translation into the
keyword arguments of ``Session.run_create`` / ``Session.run_stream``.

The help each flag carries is what ``%run_create?`` shows, so it says what the value looks like.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from . import values
from ._typed import Decorator, argument, argument_group

F = TypeVar("F", bound=Callable[..., Any])

REASONING_EFFORTS = ["none", "minimal", "low", "medium", "high", "xhigh", "max"]
"""The wire's ``reasoning_effort`` values (``models.requests.ReasoningEffortParam``; a test keeps them equal).
Written out so that ``%load_ext`` need not load the models."""


class _Stack:
    """Stack argument decorators so that help lists them in the order written here."""

    def __init__(self, decorators: list[Decorator]) -> None:
        self._decorators = decorators

    def __call__(self, func: F, /) -> F:
        for decorator in reversed(self._decorators):
            func = decorator(func)
        return func


WHERE: list[Decorator] = [
    argument_group("Where the run goes"),
    argument(
        "-t",
        "--thread",
        metavar="THREAD_ID",
        help="run on this thread (default: the notebook's current thread, made on first use)",
    ),
    argument(
        "--new-thread",
        action="store_true",
        help="start a new thread and make it the notebook's current thread",
    ),
    argument(
        "-a",
        "--assistant",
        metavar="ASSISTANT_ID",
        help="the assistant to run (default: %%config RunMagics.assistant, else the embedded server's scripted assistant)",
    ),
    argument(
        "--base-url",
        metavar="URL",
        help="the server, e.g. http://127.0.0.1:8000/v1, or 'embedded' (default: %%config RunMagics.base_url, "
        "RUN_WIDGETS_BASE_URL, OPENAI_BASE_URL, else the embedded server)",
    ),
]

HOW: list[Decorator] = [
    argument_group("How the cell follows the run"),
    argument(
        "--stream",
        dest="mode",
        action="store_const",
        const="stream",
        help="stream the run's events into the card (the default)",
    ),
    argument(
        "--poll",
        dest="mode",
        action="store_const",
        const="poll",
        help="create the run, then poll it (for servers without streaming)",
    ),
    argument(
        "--wait",
        dest="wait",
        action="store_const",
        const=True,
        help="block until the run ends; stops at requires_action unless Python tools answer (Ctrl-C cancels the run)",
    ),
    argument(
        "--no-wait",
        dest="wait",
        action="store_const",
        const=False,
        help="return at once even if %%config RunMagics.wait is True",
    ),
    argument("--timeout", type=float, metavar="SECONDS", help="with --wait: stop waiting after SECONDS"),
    argument(
        "-o",
        "--out",
        metavar="NAME",
        help="bind the run's card to this variable (it has .current_run, .wait(), .submit_tool_outputs(), .cancel())",
    ),
]

TOOLS: list[Decorator] = [
    argument_group("Tools"),
    argument(
        "--tools",
        action="append",
        metavar="NAMES",
        help="functions in the notebook (--tools get_weather,add), code_interpreter, file_search, or JSON tool "
        "objects; added to the assistant's tools",
    ),
    argument(
        "--replace-tools",
        action="store_true",
        help="use only the --tools given, not the assistant's own (the wire's meaning of a run's tools)",
    ),
    argument(
        "--auto-tools",
        dest="auto_tools",
        action="store_const",
        const=True,
        help="run the Python tools and submit their outputs without a click",
    ),
    argument(
        "--no-auto-tools",
        dest="auto_tools",
        action="store_const",
        const=False,
        help="wait for a click even if %%config RunMagics.auto_tools is True",
    ),
    argument(
        "--tool-choice",
        metavar="CHOICE",
        help="none, auto, required, code_interpreter, file_search, a function's name, or the JSON object",
    ),
    argument(
        "--parallel-tool-calls",
        type=values.boolean,
        metavar="true|false",
        help="whether the model may call several functions at once",
    ),
]

RUN: list[Decorator] = [
    argument_group("Run options (CreateRunRequest)"),
    argument("--model", metavar="MODEL", help="override the assistant's model"),
    argument("--instructions", metavar="TEXT", help="override the assistant's instructions"),
    argument(
        "--additional-instructions", metavar="TEXT", help="append to the instructions for this run only"
    ),
    argument(
        "--additional-messages",
        action="append",
        metavar="MESSAGE",
        help="add a message to the thread before the run: plain text (a user message), a JSON message "
        "object or a JSON list of them; repeatable",
    ),
    argument(
        "--metadata",
        action="append",
        metavar="KEY=VALUE",
        help="a metadata pair (repeatable), or a JSON object",
    ),
    argument("--temperature", type=float, metavar="T", help="sampling temperature, 0 to 2"),
    argument("--top-p", type=float, metavar="P", help="nucleus sampling, 0 to 1"),
    argument("--reasoning-effort", choices=REASONING_EFFORTS, help="for reasoning models"),
    argument(
        "--max-prompt-tokens", type=int, metavar="N", help="at most N prompt tokens over the run (>= 256)"
    ),
    argument(
        "--max-completion-tokens",
        type=int,
        metavar="N",
        help="at most N completion tokens over the run (>= 256)",
    ),
    argument(
        "--truncation",
        metavar="STRATEGY",
        help="auto, a number of last messages (5, or last_messages=5), or the JSON object",
    ),
    argument(
        "--response-format",
        metavar="FORMAT",
        help="auto, text, json_object, a JSON object, or a pydantic model in the notebook",
    ),
    argument(
        "--json-schema",
        metavar="SCHEMA",
        help="answer in JSON following this schema: inline JSON, a .json file, or a dict or pydantic model in "
        "the notebook (sets the response format)",
    ),
    argument(
        "--include",
        action="append",
        metavar="FIELD",
        help="extra fields in the steps, e.g. step_details.tool_calls[*].file_search.results[*].content",
    ),
]

RUN_ARGUMENTS = _Stack(WHERE + HOW + TOOLS + RUN)
"""Every flag of ``%run_create`` and ``%%run_stream``."""

FLAGS = {
    "top_p": "--top-p",
    "max_prompt_tokens": "--max-prompt-tokens",
    "max_completion_tokens": "--max-completion-tokens",
    "truncation_strategy": "--truncation",
    "additional_instructions": "--additional-instructions",
    "additional_messages": "--additional-messages",
    "reasoning_effort": "--reasoning-effort",
    "tool_choice": "--tool-choice",
    "parallel_tool_calls": "--parallel-tool-calls",
    "response_format": "--response-format",
    "assistant_id": "--assistant",
    "thread_id": "--thread",
}
"""Request fields whose flag is not simply ``--`` + the name."""


def flag_for(param: str) -> str:
    """The flag that sets a request field (``tools[0].function.name`` -> ``--tools``)."""
    head = param.split(".")[0].split("[")[0]
    return FLAGS.get(head, "--" + head.replace("_", "-"))


def run_kwargs(args: argparse.Namespace, namespace: Mapping[str, Any]) -> dict[str, Any]:
    """``Session.run_create`` keyword arguments from the parsed flags (only those given)."""
    kwargs: dict[str, Any] = {
        "thread": args.thread,
        "new_thread": args.new_thread,
        "assistant": args.assistant,
        "base_url": args.base_url,
        "mode": args.mode,
        "wait": args.wait,
        "timeout": args.timeout,
        "auto_tools": args.auto_tools,
        "replace_tools": args.replace_tools,
    }
    if args.tools:
        kwargs["tools"] = values.tools(args.tools, namespace)
    simple = {
        "model": args.model,
        "instructions": args.instructions,
        "additional_instructions": args.additional_instructions,
        "temperature": args.temperature,
        "top_p": args.top_p,
        "reasoning_effort": args.reasoning_effort,
        "max_prompt_tokens": args.max_prompt_tokens,
        "max_completion_tokens": args.max_completion_tokens,
        "parallel_tool_calls": args.parallel_tool_calls,
        "include": args.include,
    }
    kwargs.update({name: value for name, value in simple.items() if value is not None})
    if args.additional_messages:
        kwargs["additional_messages"] = values.additional_messages(args.additional_messages)
    if args.metadata:
        kwargs["metadata"] = values.metadata(args.metadata)
    if args.truncation is not None:
        kwargs["truncation_strategy"] = values.truncation(args.truncation)
    if args.tool_choice is not None:
        kwargs["tool_choice"] = values.tool_choice(args.tool_choice)
    if args.response_format is not None:
        kwargs["response_format"] = values.response_format(args.response_format, namespace)
    if args.json_schema is not None:
        kwargs["json_schema"] = values.json_schema(args.json_schema, namespace)
    return kwargs
