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

/**
 * Where the axis starts and how long it is, for this run at time `now` (unix seconds). Steps come in
 * creation order, so the first and last steps bound them; only a run with no end of its own needs a
 * look at every step.
 */
export function axisFor(run: RunView | null, steps: readonly StepView[], now: number): Axis {
  let start = run?.created_at ?? null;
  const first = steps.length ? steps[0].created_at : null;
  if (typeof first === "number" && (start === null || first < start)) start = first;
  if (start === null) return { start: null, span: 1 };
  const active = runIsActive(run);
  let end = active ? now : run ? runEnd(run) : null;
  if (end === null) {
    end = start;
    for (const step of steps) end = Math.max(end, stepEnd(step) ?? step.created_at ?? end);
  } else if (steps.length) {
    const last = steps[steps.length - 1];
    end = Math.max(end, stepEnd(last) ?? last.created_at ?? end);
  }
  return { start, span: Math.max(1, end - start) };
}

/** The latest timestamp in the state: "now" for a saved card. */
export function lastKnownTime(run: RunView | null, steps: readonly StepView[]): number {
  let latest = 0;
  const see = (t: number | null | undefined): void => {
    if (typeof t === "number" && t > latest) latest = t;
  };
  if (run) for (const t of [run.created_at, run.started_at, run.completed_at, run.failed_at, run.cancelled_at]) see(t);
  for (const step of steps) {
    see(step.created_at);
    see(stepEnd(step));
  }
  return latest;
}
