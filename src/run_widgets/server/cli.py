"""``run-widgets serve`` and ``python -m run_widgets.server``."""

from __future__ import annotations

import argparse
import sys

from .config import ServerConfig, default_db_path


def serve(args: argparse.Namespace) -> int:
    """Serve until interrupted. Prints one line with the base URL (and the key, when generated)."""
    import logging

    from .app import build_core, create_app
    from .engines import EngineUnavailable
    from .ids import new_api_key
    from .runner import Server, base_url, bind, settle_garbage_collector, uvicorn_config

    logging.basicConfig(
        level=logging.WARNING, format="run-widgets serve: %(levelname)s %(name)s: %(message)s"
    )
    generated = not args.api_key
    config = ServerConfig(
        api_key=args.api_key or new_api_key(),
        host=args.host,
        port=args.port,
        db=str(args.db or default_db_path()),
        engine=args.engine,
        seed=args.seed,
        words_per_second=args.words_per_second,
        requires_action_timeout=args.requires_action_timeout,
        chat_base_url=args.chat_base_url,
        chat_model=args.chat_model,
        chat_api_key=args.chat_api_key,
        chat_options=dict(args.chat_option or ()),
        cors_origins=tuple(args.cors_origin or ()),
        allowed_hosts=tuple(args.allow_host or ()),
    )
    try:
        core = build_core(config)
    except EngineUnavailable as exc:
        print(f"run-widgets serve: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a database that cannot be opened, mostly
        print(f"run-widgets serve: cannot open the database {config.db!r}: {exc}", file=sys.stderr)
        return 2
    try:
        sock = bind(config.host, config.port)
    except OSError as exc:
        print(
            f"run-widgets serve: cannot listen on {config.host}:{config.port}: {exc.strerror or exc}",
            file=sys.stderr,
        )
        return 2
    config.port = sock.getsockname()[1]
    url = base_url(config.host, config.port)
    line = f"run-widgets serving at {url}" + (f" (api key: {config.api_key})" if generated else "")

    def announce(_loop: object) -> None:
        settle_garbage_collector()
        print(line, flush=True)

    server = Server(uvicorn_config(create_app(config, core), config), announce)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # Ctrl-C: uvicorn has shut down cleanly and re-raised the signal
        pass
    finally:
        sock.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    from ..server_options import add_serve_arguments

    parser = argparse.ArgumentParser(
        prog="python -m run_widgets.server",
        description="Run the Assistants-compatible server (routes under /v1).",
    )
    add_serve_arguments(parser)
    return serve(parser.parse_args(argv))
