"""``RunCard.to_html()``: one self-contained page that renders the card offline, read-only.

The page inlines the card's bundle, its CSS and its state, plus a tiny read-only model host
(get/set/on/off/send/save_changes) that mounts the bundle's default export, as anywidget would. The
model carries ``readonly: true`` (docs/card-protocol.md, "Static renderings"); requests are answered
by the page itself: ``detail`` and ``export`` from the full data embedded at export time, anything
else with "not connected to a kernel". Until the bundle mounts (or if scripts are off) the page shows
the static HTML fallback.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import limits
from .fallback import render_fallback, status_label
from .views import to_json

if TYPE_CHECKING:
    from .card import RunCard

_STATIC = Path(__file__).resolve().parent.parent / "static"
_DETAILS_MAX_BYTES = 8_000_000

_HOST = r"""
const byId = (id) => document.getElementById(id);
const data = JSON.parse(byId("rw-data").textContent);
const NOT_CONNECTED = "Not connected to a kernel: this is a saved page (read-only).";
class ReadOnlyModel {
  constructor(state) { this.state = state; this.listeners = new Map(); }
  get(key) { return this.state[key]; }
  set(key, value) { this.state[key] = value; this.emit(`change:${key}`, value); }
  save_changes() {}
  on(name, cb) { if (!this.listeners.has(name)) this.listeners.set(name, []); this.listeners.get(name).push(cb); }
  off(name, cb) {
    if (!name) { this.listeners.clear(); return; }
    if (!cb) { this.listeners.delete(name); return; }
    const list = this.listeners.get(name) || []; const i = list.indexOf(cb); if (i >= 0) list.splice(i, 1);
  }
  emit(name, ...args) { for (const cb of [...(this.listeners.get(name) || [])]) cb(...args); }
  reply(msg) { setTimeout(() => this.emit("msg:custom", msg, []), 0); }
  send(content) {
    const req = content || {}; const ack = (ok, extra) => this.reply({ type: "ack", req_id: req.req_id, ok, ...extra });
    if (req.type === "detail" && data.details[req.step_id]) return ack(true, { step: data.details[req.step_id] });
    if (req.type === "detail") {
      const step = (this.state.steps || []).find((s) => s.id === req.step_id);
      return step ? ack(true, { step }) : ack(false, { error: "There is no such step in this run." });
    }
    if (req.type === "export" && data.export !== null) {
      if (!req.step_id) return ack(true, { json: data.export });
      const full = JSON.parse(data.export); const step = (full.steps || []).find((s) => s.id === req.step_id);
      if (!step) return ack(false, { error: "There is no such step in this run." });
      const out = { step }; const mc = step.step_details && step.step_details.message_creation;
      const message = mc && (full.messages || []).find((m) => m.id === mc.message_id);
      if (message) out.message = message;
      return ack(true, { json: JSON.stringify(out, null, 2) });
    }
    if (req.type === "resync") {
      const s = this.state;
      this.reply({ type: "snapshot", seq: s.seq, run: s.run, steps: s.steps, following: false, notice: s.notice });
      return ack(true, {});
    }
    return ack(false, { error: NOT_CONNECTED });
  }
}
const model = new ReadOnlyModel(data.state);
const experimental = { invoke: () => Promise.reject(new Error(NOT_CONNECTED)) };
try {
  const source = JSON.parse(byId("rw-bundle").textContent);
  const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  const mod = await import(url);
  const widget = typeof mod.default === "function" ? await mod.default() : mod.default;
  if (widget.initialize) await widget.initialize({ model, experimental });
  const el = document.createElement("div");
  const root = byId("rw-root");
  root.replaceChildren(el);
  await widget.render({ model, el, experimental });
  root.dataset.mounted = "1";
} catch (err) {
  byId("rw-root").dataset.mountError = String(err && err.message || err);
}
"""


def _css_safe(css: str) -> str:
    """CSS that cannot end its ``<style>`` element (``\\/`` is ``/`` to CSS)."""
    return css.replace("</", "<\\/")


def _json_script_safe(value: Any) -> str:
    """JSON for a ``<script type="application/json">``: every ``<`` escaped, so nothing in it can end
    the element or open a comment, and ``JSON.parse`` gives the exact text back. (Escaping ``</`` in
    JavaScript itself is not safe: ``/^</`` is a regular expression.)"""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def page_data(card: RunCard) -> dict[str, Any]:
    """The state the page's model starts from, full step details, and the export JSON."""
    with card._lock:
        views = card._views
        run, steps = views.fresh_views()
        state = {
            "protocol": card.protocol,
            "seq": views.seq,
            "run": run,
            "steps": steps,
            "following": False,
            "notice": card._notice,
            "python_tools": list(card.python_tools),
            "auto_tools": False,
            "caps": views.caps,
            "readonly": True,
        }
        details: dict[str, Any] = {}
        budget = _DETAILS_MAX_BYTES
        for view in steps:
            if not view["truncated"]:
                continue
            full = views.detail(view["id"])
            if full is None:
                continue
            size = len(to_json(full).encode())
            if size > budget:
                continue
            budget -= size
            details[view["id"]] = full
        export = views.export()
        if export is not None and len(export.encode()) > limits.EXPORT_MAX_BYTES:
            export = None
        fallback = render_fallback(run, steps, final_text=views.final_text(), notice=card._notice)
    return {"state": state, "details": details, "export": export, "fallback": fallback}


def card_page(card: RunCard, *, bundle: str | None = None) -> str:
    """The whole page as text (``bundle``: another front-end module to mount, for tests)."""
    data = page_data(card)
    run = data["state"]["run"]
    title = f"Run {run['id']} · {status_label(run['status'])}" if run else "Run"
    if bundle is None:
        bundle = (_STATIC / "widget.js").read_text(encoding="utf-8")
    css = (_STATIC / "widget.css").read_text(encoding="utf-8") if (_STATIC / "widget.css").exists() else ""
    fallback = data.pop("fallback")
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title>"
        f"<style>{_css_safe(css)}</style>"
        "<style>body{margin:16px;font-family:system-ui,sans-serif}</style>"
        "</head><body>\n"
        f'<div id="rw-root">{fallback}</div>\n'
        f'<script type="application/json" id="rw-data">{_json_script_safe(data)}</script>\n'
        f'<script type="application/json" id="rw-bundle">{_json_script_safe(bundle)}</script>\n'
        f'<script type="module">{_HOST}</script>\n'
        "</body></html>\n"
    )
