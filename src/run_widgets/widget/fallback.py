"""The card as static HTML: what GitHub, nbviewer and nbconvert show when no widget manager runs.

Plain semantic HTML, every text escaped, inline ``style`` attributes only (no script, no stylesheet,
no external resource), and a size cap. It is built from the same capped views the traits hold.
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape

from . import limits
from .views import RunView, StepView

_MARKS = {
    "completed": "✅",
    "failed": "❌",
    "cancelled": "🚫",
    "cancelling": "🚫",
    "expired": "⌛",
    "incomplete": "⚠️",
    "requires_action": "⏸️",
    "in_progress": "⏳",
    "queued": "🕒",
}
_MAX_STEPS_SHOWN = 200
_FINAL_TEXT_CAP = 8_000


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def status_label(status: str) -> str:
    return f"{_MARKS.get(status, '•')} {status}"


def _when(seconds: int | None) -> str:
    if seconds is None:
        return ""
    return datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _duration(run: RunView) -> str:
    start = run["started_at"] or run["created_at"]
    end = run["completed_at"] or run["failed_at"] or run["cancelled_at"]
    if start is None or end is None or end < start:
        return ""
    return f"{end - start} s"


def render_fallback(
    run: RunView | None,
    steps: list[StepView],
    *,
    final_text: str = "",
    notice: dict[str, str] | None = None,
    max_chars: int = limits.FALLBACK_MAX_CHARS,
) -> str:
    """The escaped, size-capped HTML of a card."""
    out: list[str] = [
        '<div class="rw-static" data-rw-static="1" style="font-family:system-ui,sans-serif;'
        'border:1px solid #d0d7de;border-radius:6px;padding:8px 12px;max-width:960px">'
    ]
    if run is None:
        out.append("<div><strong>Run</strong> (no events yet)</div></div>")
        return "".join(out)

    facts = [
        f"<strong>Run</strong> <code>{_e(run['id'])}</code>",
        f"<strong>{_e(status_label(run['status']))}</strong>",
    ]
    if run["model"]:
        facts.append(f"model <code>{_e(run['model'])}</code>")
    facts.append(f"{len(steps)} step{'s' if len(steps) != 1 else ''}")
    duration = _duration(run)
    if duration:
        facts.append(duration)
    if run["usage"]:
        facts.append(f"{run['usage']['total_tokens']:,} tokens")
    out.append(f"<div>{' · '.join(facts)}</div>")
    out.append(
        '<div style="color:#57606a;font-size:smaller">'
        f"thread <code>{_e(run['thread_id'])}</code> · assistant <code>{_e(run['assistant_id'])}</code>"
        f"{' · created ' + _e(_when(run['created_at'])) if run['created_at'] else ''}</div>"
    )
    if notice:
        out.append(f'<div style="color:#9a6700">{_e(notice.get("text", ""))}</div>')
    if run["last_error"]:
        error = run["last_error"]
        out.append(f'<div style="color:#cf222e">Error ({_e(error["code"])}): {_e(error["message"])}</div>')
    if run["incomplete_details"] and run["incomplete_details"].get("reason"):
        out.append(f'<div style="color:#9a6700">Incomplete: {_e(run["incomplete_details"]["reason"])}</div>')
    if run["required_action"]:
        calls = "".join(
            f"<li><code>{_e(call['name'])}</code> <code>{_e(call['arguments'][:200])}</code></li>"
            for call in run["required_action"]
        )
        out.append(f"<div>Waiting for tool outputs:</div><ul>{calls}</ul>")

    final = final_text[:_FINAL_TEXT_CAP] + ("…" if len(final_text) > _FINAL_TEXT_CAP else "")
    final_html = (
        '<div style="white-space:pre-wrap;border-top:1px solid #d0d7de;margin-top:6px;padding-top:6px">'
        f"{_e(final)}</div>"
        if final
        else ""
    )
    closing = "</div>"
    budget = max_chars - sum(map(len, out)) - len(final_html) - len(closing)
    if steps:
        out.append(_step_list(steps, budget))
    out.append(final_html)
    # The header alone can outgrow the cap (a long error, many pending calls): drop whole pieces from
    # the end rather than cutting through a tag.
    while len(out) > 1 and sum(map(len, out)) + len(closing) > max_chars:
        out.pop()
    out.append(closing)
    return "".join(out)


def _step_item(step: StepView, number: int, *, numbered: bool) -> str:
    value = f' value="{number}"' if numbered else ""
    item = f"<li{value}>{_e(status_label(step['status']))} <code>{_e(step['title'])}</code>"
    if step["last_error"]:
        item += f' <span style="color:#cf222e">{_e(step["last_error"]["message"][:200])}</span>'
    return item + "</li>"


def _step_list(steps: list[StepView], budget: int) -> str:
    """The steps as an ordered list within ``budget`` characters: the first and the last ones (a reader
    of a long run wants how it began and how it ended), with one line for those left out, where they
    were left out. Every item keeps its step's number."""
    opening, closing = '<ol style="margin:6px 0;padding-left:24px">', "</ol>"
    budget -= len(opening) + len(closing) + 60  # room for the line that counts the left-out steps
    head: list[str] = []
    tail: list[int] = []  # indexes: their items are made once it is known whether they need numbers
    front, back = 0, len(steps) - 1
    take_front = True
    while front <= back and len(head) + len(tail) < _MAX_STEPS_SHOWN:
        index = front if take_front else back
        item = _step_item(steps[index], index + 1, numbered=not take_front)  # sized as the longest form
        if len(item) > budget:
            break
        budget -= len(item)
        if take_front:
            head.append(item)
            front += 1
        else:
            tail.append(index)
            back -= 1
        take_front = not take_front
    omitted = back - front + 1
    gap = (
        f'<li style="list-style:none;color:#57606a">… {omitted} step{"s" if omitted != 1 else ""} '
        f"({front + 1} to {back + 1}) not shown</li>"
        if omitted > 0
        else ""
    )
    numbered = omitted > 0  # after a gap, items say their own numbers
    end = "".join(_step_item(steps[i], i + 1, numbered=numbered) for i in reversed(tail))
    return opening + "".join(head) + gap + end + closing
