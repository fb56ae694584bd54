// Errors: a step's `last_error`, and the run's error block (last_error, incomplete_details) that names
// the step that failed and can open it.

import type { Actions } from "../actions";
import type { ErrorView, RunView, StepView } from "../protocol";
import { statusLook } from "../status";

export function ErrorBlock({ title, error }: { title: string; error: ErrorView }) {
  return (
    <div class="rw-error" data-testid="step-error">
      <span class="rw-i rw-i-alert" aria-hidden="true" />
      <div class="rw-error-text">
        <div class="rw-error-title">
          {title}
          {error.code ? <code class="rw-error-code">{error.code}</code> : null}
        </div>
        {error.message ? <div class="rw-error-msg">{error.message}</div> : null}
      </div>
    </div>
  );
}

const INCOMPLETE_REASONS: Record<string, string> = {
  max_completion_tokens: "the answer reached max_completion_tokens",
  max_prompt_tokens: "the prompt reached max_prompt_tokens",
};

export function RunProblems({ run, steps, actions }: { run: RunView; steps: readonly StepView[]; actions: Actions }) {
  const error = run.last_error;
  const incomplete = run.incomplete_details;
  const expired = run.status === "expired" && !error;
  if (!error && !incomplete && !expired) return null;
  const failing =
    (run.failed_step_id ? steps.find((s) => s.id === run.failed_step_id) : undefined) ??
    steps.find((s) => s.status === "failed");
  const reveal = (event: MouseEvent, step: StepView): void => {
    const card = (event.currentTarget as HTMLElement).closest(".rw-card");
    actions.setOpen(step.id, true);
    requestAnimationFrame(() => {
      const row = card?.querySelector(`[data-step-id="${CSS.escape(step.id)}"]`);
      row?.scrollIntoView({ block: "nearest" });
      (row?.querySelector(".rw-step-head") as HTMLElement | null)?.focus();
    });
  };
  const word = statusLook(run.status).word;
  return (
    <div class="rw-error rw-run-error" role="alert" data-testid="run-error">
      <span class="rw-i rw-i-alert" aria-hidden="true" />
      <div class="rw-error-text">
        <div class="rw-error-title">
          {error ? `Run ${word.toLowerCase()}` : expired ? "Run expired" : "Run incomplete"}
          {error?.code ? <code class="rw-error-code">{error.code}</code> : null}
        </div>
        {error?.message ? <div class="rw-error-msg">{error.message}</div> : null}
        {expired ? (
          <div class="rw-error-msg">Its tool outputs were not submitted before it expired.</div>
        ) : null}
        {incomplete ? (
          <div class="rw-error-msg">
            Stopped early: {INCOMPLETE_REASONS[incomplete.reason ?? ""] ?? incomplete.reason ?? "no reason given"}.
          </div>
        ) : null}
        {failing ? (
          <div class="rw-error-step">
            Failing step:{" "}
            <button type="button" class="rw-link" data-testid="failing-step" onClick={(e) => reveal(e, failing)}>
              {failing.title || failing.id}
            </button>{" "}
            <code>{failing.id}</code>
          </div>
        ) : null}
      </div>
    </div>
  );
}
