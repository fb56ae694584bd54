"""The Chromium half of the card benchmark: first render of a large run, and the cost of one delta.

Targets (from the issue): a 1,000-step run renders for the first time in under 200 ms (judged at the
first painted frame, with the first 100 rows in it; the time until all rows are in is printed too); applying one
delta (a ``patch`` message with one changed step) takes under 2 ms. Both are measured inside the page
with ``performance.now()``: "layout" stops once style and layout are done (the card is on screen as far
as the DOM goes), "paint" once the next frame has been produced. A long list renders its first 100
rows at once and the rest while the browser is idle; "all rows" says when the last one is in.

``benchmarks/bench_card.py`` imports ``measure`` and prints these figures next to the kernel-side ones;
``python benchmarks/card_browser.py`` runs this half alone.
"""

from __future__ import annotations

import statistics
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.browser.harness import CardPage, card_page_missing  # noqa: E402
from tests.chromium import launched_chromium  # noqa: E402

TARGET_FIRST_RENDER_MS = 200.0
TARGET_DELTA_MS = 2.0


@contextmanager
def card_page() -> Iterator[CardPage]:
    """A Chromium page with the card's bundle loaded (no network)."""
    reason = card_page_missing()
    if reason:
        raise RuntimeError(reason)
    with launched_chromium() as browser:
        yield CardPage(browser.new_context(viewport={"width": 1000, "height": 800}))


def first_render(page: CardPage, state: dict[str, Any], repeats: int = 7) -> list[dict[str, float]]:
    """Mount ``state`` on a fresh model ``repeats`` times; one timing dict per mount."""
    results = []
    for _ in range(repeats):
        result: dict[str, float] = page.page.evaluate("state => host.benchFirstRender(state)", state)
        results.append(result)
    return results


def apply_patches(page: CardPage, patches: list[dict[str, Any]]) -> list[float]:
    """Fold ``patches`` one by one into the mounted card; milliseconds for each."""
    timings: list[float] = []
    for patch in patches:
        timings.append(page.page.evaluate("patch => host.benchPatch(patch)", patch))
    return timings


def measure(state: dict[str, Any], patches: list[dict[str, Any]], repeats: int = 7) -> dict[str, Any]:
    """Both figures for one state (e.g. 1,000 steps) and a list of one-delta patches that follow it."""
    with card_page() as page:
        renders = first_render(page, state, repeats)
        # The last mount stays up: the patches apply to it.
        deltas = apply_patches(page, patches)
        if page.errors:
            raise RuntimeError(f"the card reported errors: {page.errors}")
    layout = [r["layout"] for r in renders]
    paint = [r["paint"] for r in renders]
    complete = [r["complete"] for r in renders]
    return {
        "rows": int(renders[-1]["rows"]),
        "first_render_layout_ms": statistics.median(layout),
        "first_render_paint_ms": statistics.median(paint),
        "all_rows_ms": statistics.median(complete),
        "first_render_cold_ms": layout[0],
        "first_render_best_ms": min(layout),
        "delta_median_ms": statistics.median(deltas),
        "delta_p95_ms": sorted(deltas)[max(0, int(len(deltas) * 0.95) - 1)],
        "delta_best_ms": min(deltas),
        "deltas": len(deltas),
    }


def thousand_step_case(n: int = 1000, deltas: int = 60) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A running ``n``-step run, then ``deltas`` patches that each add one word to its last message."""
    from tests.browser import streams
    from tests.browser.states import streamed

    script = streams.many_steps_run(n - 1)
    before = len(script.events)
    words = " ".join(f"word{i}" for i in range(deltas))
    script.message(words, finish=False)
    # Split after the new message's first delta: the state holds n steps; each later event is one delta.
    first_delta = next(
        i for i in range(before, len(script.events)) if script.events[i]["event"] == "thread.message.delta"
    )
    state, patches, _ = streamed(script, first_delta + 1)
    return state, patches


def report(figures: dict[str, Any]) -> str:
    def verdict(value: float, target: float) -> str:
        return "ok" if value < target else "OVER"

    return "\n".join(
        [
            f"card in Chromium, {figures['rows']} steps",
            f"  first render (to layout), median   {figures['first_render_layout_ms']:8.1f} ms",
            f"  first render (to paint), median    {figures['first_render_paint_ms']:8.1f} ms   target < {TARGET_FIRST_RENDER_MS:.0f} ms  {verdict(figures['first_render_paint_ms'], TARGET_FIRST_RENDER_MS)}",
            f"  all {figures['rows']} rows in the page, median {figures['all_rows_ms']:8.1f} ms   (later rows render while idle)",
            f"  first render, first of the runs    {figures['first_render_cold_ms']:8.1f} ms",
            f"  first render, best of the runs     {figures['first_render_best_ms']:8.1f} ms",
            f"  one delta, median of {figures['deltas']:<3}           {figures['delta_median_ms']:8.2f} ms   target < {TARGET_DELTA_MS:.0f} ms    {verdict(figures['delta_median_ms'], TARGET_DELTA_MS)}",
            f"  one delta, p95                     {figures['delta_p95_ms']:8.2f} ms",
            f"  one delta, best                    {figures['delta_best_ms']:8.2f} ms",
        ]
    )


def main() -> None:
    state, patches = thousand_step_case()
    print(report(measure(state, patches, repeats=9)))


if __name__ == "__main__":
    main()
