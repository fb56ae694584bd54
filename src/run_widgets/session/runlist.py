"""``RunList``: a thread's runs, shown as a small table (HTML in a notebook, text elsewhere)."""

from __future__ import annotations

import html
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, overload

if TYPE_CHECKING:
    from ..models import Run

_COLUMNS = ("run", "status", "created", "assistant", "model", "tokens", "problem")


class RunList(Sequence["Run"]):
    """The runs of one thread, newest first; a sequence of ``Run`` objects that displays as a table."""

    def __init__(self, thread_id: str, runs: Sequence[Run], *, url: str = "", more: bool = False) -> None:
        self.thread_id = thread_id
        self.url = url
        self.more = more
        """Whether the thread has older runs than these."""
        self._runs = list(runs)

    @overload
    def __getitem__(self, index: int) -> Run: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Run]: ...
    def __getitem__(self, index: int | slice) -> Run | Sequence[Run]:
        return self._runs[index]

    def __len__(self) -> int:
        return len(self._runs)

    def __iter__(self) -> Iterator[Run]:
        return iter(self._runs)

    def rows(self) -> list[dict[str, str]]:
        """One dict of display strings per run (the table's cells)."""
        return [_row(run) for run in self._runs]

    def _title(self) -> str:
        count = len(self._runs)
        noun = "run" if count == 1 else "runs"
        more = ", older ones not shown" if self.more else ""
        return f"{count} {noun} on thread {self.thread_id}{more}"

    def __repr__(self) -> str:
        rows = self.rows()
        if not rows:
            return f"No runs on thread {self.thread_id} yet."
        widths = {c: max(len(c), *(len(r[c]) for r in rows)) for c in _COLUMNS}
        lines = [self._title(), "  ".join(c.ljust(widths[c]) for c in _COLUMNS).rstrip()]
        lines += ["  ".join(r[c].ljust(widths[c]) for c in _COLUMNS).rstrip() for r in rows]
        return "\n".join(lines)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))

    def _repr_html_(self) -> str:
        esc = html.escape
        if not self._runs:
            return f"<p>No runs on thread <code>{esc(self.thread_id)}</code> yet.</p>"
        head = "".join(f"<th style='text-align:left'>{esc(c)}</th>" for c in _COLUMNS)
        body = "".join(
            "<tr>"
            + "".join(
                f"<td><code>{esc(r[c])}</code></td>" if c == "run" else f"<td>{esc(r[c])}</td>"
                for c in _COLUMNS
            )
            + "</tr>"
            for r in self.rows()
        )
        return (
            f"<div class='rw-run-list'><p>{esc(self._title())}; show one with "
            f"<code>%run_show RUN_ID</code>.</p><table><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table></div>"
        )


def _row(run: Run) -> dict[str, str]:
    usage = run.usage
    problem = ""
    if run.last_error is not None:
        problem = f"{run.last_error.code}: {run.last_error.message}"
    elif run.incomplete_details is not None:
        problem = f"incomplete: {run.incomplete_details.reason or 'no reason given'}"
    elif run.status == "requires_action":
        problem = "waiting for " + ", ".join(call.function.name for call in run.pending_tool_calls)
    return {
        "run": run.id,
        "status": str(run.status),
        "created": _when(run.created_at),
        "assistant": run.assistant_id or "",
        "model": run.model or "",
        "tokens": str(usage.total_tokens) if usage is not None else "",
        "problem": problem[:120],
    }


def _when(value: Any) -> str:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, int | float):
        moment = datetime.fromtimestamp(value, UTC)
    else:
        return ""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
