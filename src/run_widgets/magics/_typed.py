"""IPython's magic-argument decorators, with types (IPython ships them untyped)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar, cast

from IPython.core import magic_arguments as _ma

F = TypeVar("F", bound=Callable[..., Any])


class Decorator(Protocol):
    """Returns the function it decorates (with argparse information attached)."""

    def __call__(self, func: F, /) -> F: ...


def magic_arguments() -> Decorator:
    """Build the magic's argparse parser from the ``argument`` decorators below it (its help too)."""
    return cast("Decorator", _ma.magic_arguments())  # type: ignore[no-untyped-call]


def argument(*args: Any, **kwargs: Any) -> Decorator:
    """One flag, as ``ArgumentParser.add_argument`` takes it."""
    return cast("Decorator", _ma.argument(*args, **kwargs))  # type: ignore[no-untyped-call]


def argument_group(title: str) -> Decorator:
    """Start a titled group of flags in the help."""
    return cast("Decorator", _ma.argument_group(title))  # type: ignore[no-untyped-call]
