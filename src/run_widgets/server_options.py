"""The ``serve`` options (DESIGN's CLI contract), shared by ``run-widgets serve`` and ``python -m run_widgets.server``."""

from __future__ import annotations

import argparse


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1, loopback only)"
    )
    parser.add_argument("--port", type=int, default=0, help="port to bind (default: a free port)")
    parser.add_argument(
        "--db",
        default=None,
        help="SQLite file to keep threads and runs in (default: in the user data directory; ':memory:' keeps nothing)",
    )
    parser.add_argument(
        "--engine",
        choices=["scripted", "chat"],
        default="scripted",
        help="what answers: the deterministic scripted assistant (default) or a Chat Completions backend",
    )
    parser.add_argument(
        "--api-key",
        default=None,
        help="the key clients must send as 'Authorization: Bearer KEY' (default: a random key, printed at start)",
    )
    parser.add_argument(
        "--chat-base-url", default=None, help="Chat Completions backend base URL (for --engine chat)"
    )
    parser.add_argument(
        "--chat-model", default=None, help="model name to ask the backend for (for --engine chat)"
    )
    parser.add_argument(
        "--chat-api-key",
        default=None,
        help="key for the Chat Completions backend, if it needs one (default: the RUN_WIDGETS_CHAT_API_KEY "
        "environment variable, which keeps it out of the process list and shell history)",
    )
    parser.add_argument(
        "--chat-option",
        action="append",
        type=_key_value,
        metavar="NAME=VALUE",
        help="a further chat engine option (repeatable): timeout=SECONDS, connect_timeout=SECONDS, "
        "stream_tools=auto|on|off, max_tokens_field=max_completion_tokens|max_tokens|both, "
        "extra_body=JSON, max_tool_rounds=N",
    )
    parser.add_argument(
        "--requires-action-timeout",
        type=float,
        default=600.0,
        help="seconds a run may wait for tool outputs before it expires (default: 600; 0 waits forever)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=None,
        help="make ids and timestamps reproducible (the same requests give byte-identical objects)",
    )
    parser.add_argument(
        "--words-per-second",
        type=float,
        default=20.0,
        help="how fast the scripted assistant streams its replies (default: 20; 0 is full speed)",
    )
    parser.add_argument(
        "--cors-origin",
        action="append",
        metavar="ORIGIN",
        help="allow browser pages from ORIGIN to call the API (repeatable; default: no CORS)",
    )
    parser.add_argument(
        "--allow-host",
        action="append",
        metavar="HOST",
        help="also accept requests whose Host header names HOST (repeatable; loopback names always work)",
    )


def _key_value(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, like timeout=60; got {text!r}")
    return name.strip(), value.strip()
