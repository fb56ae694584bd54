// One polite live region per card that tells screen readers how the steps move on: "Step 3,
// get_weather: completed". Steps already there when the card appears are not read out. A burst (a
// step that starts and ends at once, many steps replayed) is merged: at most one announcement per
// GAP_MS, the latest status of each step, and past a few steps a summary instead of a list.
//
// The region is written directly (textContent), so announcing never re-renders the card.

import { useEffect, useRef } from "preact/hooks";
import type { StepView } from "../protocol";
import { statusLook, stepTypeLook } from "../status";

/** Changes closer together than this are read out together (ms). */
export const MERGE_MS = 400;
/** At most one announcement in this long (ms). */
export const GAP_MS = 1500;
/** More changed steps than this are summarised. */
const LIST_MAX = 3;

interface Change {
  n: number;
  label: string;
  status: string;
}

/** How a step is named: its function names, else its kind ("message", "code interpreter"). */
export function stepLabel(step: StepView): string {
  const names = (step.tool_calls ?? [])
    .filter((c) => c.type === "function" && c.name)
    .map((c) => c.name as string);
  if (names.length) return [...new Set(names)].join(", ");
  return stepTypeLook(step.type, step.tool_calls?.[0]?.type).word.toLowerCase();
}

export function describeChanges(changes: readonly Change[]): string {
  const say = (c: Change): string => `Step ${c.n}, ${c.label}: ${statusLook(c.status).word.toLowerCase()}.`;
  if (changes.length <= LIST_MAX) return changes.map(say).join(" ");
  const counts = new Map<string, number>();
  for (const c of changes) {
    const word = statusLook(c.status).word.toLowerCase();
    counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  const summary = [...counts].map(([word, n]) => `${n} ${word}`).join(", ");
  return `${changes.length} steps changed: ${summary}. Latest: ${say(changes[changes.length - 1])}`;
}

class Announcer {
  private seen: readonly StepView[] | null = null;
  private statuses = new Map<string, string>();
  private pending = new Map<string, Change>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastSaid = 0;

  constructor(private readonly say: (text: string) => void) {}

  /** The steps now: queue what changed since the last call (nothing on the first). */
  update(steps: readonly StepView[]): void {
    const before = this.seen;
    this.seen = steps;
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i];
      if (before !== null && before[i] === step) continue; // the store keeps unchanged steps' objects
      const old = this.statuses.get(step.id);
      if (old === step.status) continue;
      this.statuses.set(step.id, step.status);
      if (before === null) continue;
      this.pending.delete(step.id); // re-queued at the end: the latest change is said last
      this.pending.set(step.id, { n: i + 1, label: stepLabel(step), status: step.status });
    }
    if (this.pending.size && this.timer === null) {
      const wait = Math.max(MERGE_MS, this.lastSaid + GAP_MS - Date.now());
      this.timer = setTimeout(() => this.flush(), wait);
    }
  }

  private flush(): void {
    this.timer = null;
    const changes = [...this.pending.values()];
    this.pending.clear();
    if (!changes.length) return;
    this.lastSaid = Date.now();
    this.say(describeChanges(changes));
  }

  dispose(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}

export function StepAnnouncer({ steps }: { steps: readonly StepView[] }) {
  const region = useRef<HTMLDivElement>(null);
  const announcer = useRef<Announcer | null>(null);
  if (announcer.current === null) {
    announcer.current = new Announcer((text) => {
      if (region.current) region.current.textContent = text;
    });
  }
  useEffect(() => announcer.current?.update(steps), [steps]);
  useEffect(() => () => announcer.current?.dispose(), []);
  return <div ref={region} class="rw-sr" role="status" aria-live="polite" data-testid="step-announcer" />;
}
