// The shared time axis: every step's bar is placed by its start and end relative to the run's start.
// Positions are in seconds, set as CSS variables; the list holds the span, so a tick of the clock
// re-renders only the rows that are still running.

import type { RunView, StepView } from "./protocol";
import { ACTIVE_RUN_STATUSES, runEnd, stepEnd } from "./protocol";

export interface Axis {
  /** Unix seconds at the left edge (null: no timestamps at all). */
  start: number | null;
  /** Seconds from the left edge to the right edge (≥ 1). */
  span: number;
}

export function runIsActive(run: RunView | null): boolean {
  return run !== null && ACTIVE_RUN_STATUSES.has(run.status);
}

/** Where the axis starts and how long it is, for this run at time `now` (unix seconds). */
export function axisFor(run: RunView | null, steps: readonly StepView[], now: number): Axis {
  let start = run?.created_at ?? null;
  for (const step of steps) {
    if (typeof step.created_at === "number" && (start === null || step.created_at < start)) start = step.created_at;
  }
  if (start === null) return { start: null, span: 1 };
  let end = run && !runIsActive(run) ? runEnd(run) : null;
  if (end === null) end = run && runIsActive(run) ? now : start;
  for (const step of steps) {
    const e = stepEnd(step) ?? step.created_at;
    if (typeof e === "number" && e > end) end = e;
  }
  return { start, span: Math.max(1, end - start) };
}

/** When a step stopped, or the time to draw it up to while it runs (null: not drawable). */
export function stepDrawEnd(step: StepView, run: RunView | null, now: number): number | null {
  const end = stepEnd(step);
  if (end !== null) return end;
  if (typeof step.created_at !== "number") return null;
  if (runIsActive(run)) return Math.max(step.created_at, now);
  // The run stopped and left this step open: draw it up to the run's end.
  const stopped = run ? runEnd(run) : null;
  return stopped !== null ? Math.max(step.created_at, stopped) : step.created_at;
}
