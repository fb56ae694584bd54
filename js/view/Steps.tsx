// The steps, in order, keyed by id, on a shared time axis. Rows are memoised: the store replaces only
// the steps that changed, so a patch re-renders one row, not a thousand. Details mount on expand.

import type { Actions } from "../actions";
import { type RunView, type StepView, stepEnd } from "../protocol";
import { statusKey, stepTypeLook } from "../status";
import type { CardData, CardUi, DetailEntry } from "../store";
import { axisFor, runIsActive, stepDrawEnd } from "../timeline";
import { formatDuration } from "../util/format";
import { StepStatus } from "./Badges";
import { memo } from "./memo";
import { StepBody } from "./StepBody";

interface Props {
  run: RunView;
  data: CardData;
  ui: CardUi;
  actions: Actions;
  now: number;
  uid: string;
}

/** Steps open by default: the latest message (so streaming text shows) and the failing step. */
function defaultOpen(steps: readonly StepView[], run: RunView): Set<string> {
  const open = new Set<string>();
  for (let i = steps.length - 1; i >= 0; i--) {
    if (steps[i].type === "message_creation") {
      open.add(steps[i].id);
      break;
    }
  }
  if (run.failed_step_id) open.add(run.failed_step_id);
  return open;
}

export function Steps({ run, data, ui, actions, now, uid }: Props) {
  const { steps } = data;
  const axis = axisFor(run, steps, now);
  const opened = defaultOpen(steps, run);
  const pendingIds = new Set(run.status === "requires_action" ? (run.required_action ?? []).map((c) => c.id) : []);
  return (
    <div class={`rw-steps-wrap${steps.length > 40 ? " rw-steps-many" : ""}`}>
      <div class="rw-steps-head">
        <span class="rw-steps-label">
          Steps <span class="rw-count">{steps.length}</span>
        </span>
        {axis.start !== null && steps.length ? (
          <span class="rw-axis" aria-hidden="true">
            <span>0 s</span>
            <span>{formatDuration(axis.span)}</span>
          </span>
        ) : null}
      </div>
      {steps.length === 0 ? (
        <div class="rw-empty" data-testid="no-steps">
          {runIsActive(run) ? "Waiting for the first step…" : "No steps."}
        </div>
      ) : (
        <ol
          class="rw-steps"
          style={{ "--rw-span": String(axis.span) }}
          data-testid="steps"
        >
          {steps.map((step) => {
            const open = ui.expanded.get(step.id) ?? opened.has(step.id);
            return (
              <StepRow
                key={step.id}
                step={step}
                open={open}
                start={axis.start}
                end={stepDrawEnd(step, run, now)}
                detail={open ? ui.details.get(step.id) : undefined}
                pending={open && step.tool_calls?.some((c) => pendingIds.has(c.id)) === true}
                readonly={data.readonly}
                textCap={data.caps.text}
                actions={actions}
                uid={uid}
              />
            );
          })}
        </ol>
      )}
    </div>
  );
}

interface RowProps {
  step: StepView;
  open: boolean;
  start: number | null;
  end: number | null;
  detail: DetailEntry | undefined;
  pending: boolean;
  readonly: boolean;
  textCap: number;
  actions: Actions;
  uid: string;
}

function fallbackTitle(step: StepView): string {
  if (step.message) return step.message.text.slice(0, 100).replace(/\s+/g, " ").trim() || "(empty message)";
  if (step.tool_calls?.length) {
    return step.tool_calls.map((c) => (c.type === "function" ? `${c.name ?? "?"}(…)` : c.type.replace(/_/g, " "))).join(", ");
  }
  return step.type.replace(/_/g, " ");
}

const StepRow = memo(function StepRow({ step, open, start, end, detail, pending, readonly, textCap, actions, uid }: RowProps) {
  const type = stepTypeLook(step.type, step.tool_calls?.[0]?.type);
  const bodyId = `${uid}-step-${step.id.replace(/[^\w-]/g, "_")}`;
  const created = typeof step.created_at === "number" ? step.created_at : null;
  const offset = start !== null && created !== null ? created - start : null;
  const length = created !== null && end !== null ? Math.max(0, end - created) : null;
  const ended = stepEnd(step) !== null;
  return (
    <li class="rw-step" data-step-id={step.id} data-status={statusKey(step.status)} data-type={step.type}>
      <button
        type="button"
        class="rw-step-head"
        aria-expanded={open}
        aria-controls={open ? bodyId : undefined}
        onClick={() => actions.setOpen(step.id, !open)}
      >
        <span class="rw-i rw-i-chevron rw-chev" aria-hidden="true" />
        <span class={`rw-i rw-i-${type.icon} rw-type`} aria-hidden="true" title={type.word} />
        <span class="rw-sr">{type.word}: </span>
        <StepStatus status={step.status} />
        <span class="rw-step-title" data-testid="step-title">
          {step.title || fallbackTitle(step)}
        </span>
        <span class="rw-track" aria-hidden="true">
          {offset !== null && length !== null ? (
            <span class="rw-bar" style={{ "--rw-s": String(offset), "--rw-d": String(length) }} />
          ) : null}
        </span>
        <span class="rw-step-dur">{length !== null && (ended || length > 0) ? formatDuration(length) : ""}</span>
      </button>
      {open ? (
        <StepBody
          id={bodyId}
          step={step}
          detail={detail}
          pending={pending}
          readonly={readonly}
          textCap={textCap}
          actions={actions}
        />
      ) : null}
    </li>
  );
});
