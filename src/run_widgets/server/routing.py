"""A router that finds a route by walking the path's segments in a tree: a few dictionary lookups,
whatever the number of routes, instead of Starlette's scan of one regular expression per route.

It takes Starlette ``Route`` objects (their endpoints, ``Request`` and exception handling stay as
they are) and behaves like Starlette's router: 404 for an unknown path, 405 for a known path with
another method; literal segments win over ``{parameters}``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.exceptions import HTTPException
from starlette.routing import Route, Router
from starlette.types import Receive, Scope, Send


@dataclass
class _Node:
    literals: dict[str, _Node] = field(default_factory=dict)
    parameter: tuple[str, _Node] | None = None
    methods: dict[str, Route] = field(default_factory=dict)


class SegmentRouter(Router):
    """Starlette's ``Router`` (lifespan included) with segment-tree dispatch for HTTP requests."""

    def __init__(self, routes: list[Route], **kwargs: Any) -> None:
        super().__init__(routes=list(routes), **kwargs)
        self._root = _Node()
        for route in routes:
            node = self._root
            for segment in route.path.strip("/").split("/"):
                if segment.startswith("{") and segment.endswith("}"):
                    name = segment[1:-1]
                    if node.parameter is None:
                        node.parameter = (name, _Node())
                    elif node.parameter[0] != name:
                        raise ValueError(
                            f"{route.path}: parameter {name!r} clashes with {node.parameter[0]!r}"
                        )
                    node = node.parameter[1]
                else:
                    node = node.literals.setdefault(segment, _Node())
            for method in route.methods or ():
                node.methods[method] = route

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().app(scope, receive, send)
            return
        segments = scope["path"].strip("/").split("/")
        params: dict[str, str] = {}
        found = _find(self._root, segments, 0, params, scope["method"])
        if found is None:
            raise HTTPException(status_code=404)
        route, allowed = found
        if route is None:
            raise HTTPException(status_code=405, headers={"Allow": ", ".join(sorted(allowed))})
        scope["path_params"] = params
        scope["endpoint"] = route.endpoint
        scope.setdefault("router", self)
        await route.app(scope, receive, send)


def _find(
    node: _Node, segments: list[str], index: int, params: dict[str, str], method: str
) -> tuple[Route | None, set[str]] | None:
    """The route for ``method`` (or None with the methods the path allows), or None if no path matches."""
    if index == len(segments):
        if not node.methods:
            return None
        route = node.methods.get(method)
        return route, set(node.methods)
    segment = segments[index]
    partial: tuple[Route | None, set[str]] | None = None
    child = node.literals.get(segment)
    if child is not None:
        found = _find(child, segments, index + 1, params, method)
        if found is not None:
            if found[0] is not None:
                return found
            partial = found
    if node.parameter is not None and segment:
        name, child = node.parameter
        params[name] = segment
        found = _find(child, segments, index + 1, params, method)
        if found is not None and found[0] is not None:
            return found
        del params[name]
        partial = partial or found
    return partial
