// The run's status badge: colour (CSS, by data-status), icon and word. Step statuses are drawn by
// their rows (Steps.tsx) and announced by StepAnnouncer.

import { statusKey, statusLook } from "../status";

/** The run's status, announced politely to screen readers when it changes. */
export function StatusBadge({ status }: { status: string }) {
  const look = statusLook(status);
  return (
    <span class="rw-badge" data-status={statusKey(status)} data-testid="run-status" role="status" aria-atomic="true">
      <span class={`rw-i rw-i-${look.icon}`} aria-hidden="true" />
      <span class="rw-sr">Run status: </span>
      <span class="rw-badge-word">{look.word}</span>
    </span>
  );
}
