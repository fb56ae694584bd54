"""The ``run-widgets`` command line."""

from __future__ import annotations

import argparse
import sys

from . import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="run-widgets",
        description="Assistants runs, live in the notebook. Serve an Assistants-compatible API locally.",
    )
    parser.add_argument("--version", action="version", version=f"run-widgets {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve = commands.add_parser(
        "serve",
        help="run the embedded Assistants-compatible server",
        description="Run the Assistants-compatible server (routes under /v1).",
    )
    from .server_options import add_serve_arguments

    add_serve_arguments(serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    if args.command == "serve":
        from .server.cli import serve

        return serve(args)
    parser.error(f"unknown command {args.command!r}")  # pragma: no cover - argparse rejects first
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
