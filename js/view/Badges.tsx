// Status badges: colour (CSS, by data-status), icon and word for every run and step status.

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

/** A step's status: an icon, with its word for screen readers and as a tooltip. */
export function StepStatus({ status }: { status: string }) {
  const look = statusLook(status);
  return (
    <span class="rw-step-status" data-status={statusKey(status)} title={look.word}>
      <span class={`rw-i rw-i-${look.icon}`} aria-hidden="true" />
      <span class="rw-sr">{look.word}</span>
    </span>
  );
}
