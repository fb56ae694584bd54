"""The ``/v1`` routes, one module per resource."""

from __future__ import annotations

from starlette.routing import Route

from ..core import Core
from . import assistants, files, messages, runs, steps, threads


def build_routes(core: Core) -> list[Route]:
    # Literal segments win over parameters: POST /threads/runs is not POST /threads/{thread_id}.
    return [
        *assistants.routes(core),
        *runs.thread_and_run_routes(core),
        *threads.routes(core),
        *messages.routes(core),
        *runs.routes(core),
        *steps.routes(core),
        *files.routes(core),
    ]
