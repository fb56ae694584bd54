// The card's header: status, ids with copy buttons, model, time (elapsed while running, duration
// after, the countdown while tool outputs are due), token usage, cancel and JSON actions.

import { Fragment } from "preact";
import type { Actions } from "../actions";
import { CANCELLABLE_RUN_STATUSES, type RunView, runEnd, type Usage } from "../protocol";
import type { CardUi } from "../store";
import { runIsActive } from "../timeline";
import { formatClock, formatCount, formatDuration, formatTime, shortId } from "../util/format";
import { StatusBadge } from "./Badges";
import { CopyButton } from "./CopyButton";
import { useFlash } from "./hooks";
import { memo } from "./memo";

interface Props {
  run: RunView;
  following: boolean;
  readonly: boolean;
  cancel: CardUi["cancel"];
  /** When the last step ended: the run's end when its own timestamps do not say. */
  lastStepEnd: number | null;
  actions: Actions;
  /** Unix seconds while the run is active (0 otherwise, so a finished header never re-renders). */
  now: number;
}

/** Memoised: patches that only touch steps leave the header alone. */
export const Header = memo(function Header({ run, following, readonly, cancel, lastStepEnd, actions, now }: Props) {
  const active = runIsActive(run);
  const cancellable = CANCELLABLE_RUN_STATUSES.has(run.status) && !readonly;
  return (
    <header class="rw-head">
      <div class="rw-head-main">
        <StatusBadge status={run.status} />
        <div class="rw-head-title">
          <span class="rw-head-label">Run</span>
          <IdChip id={run.id} what="run id" actions={actions} full />
        </div>
        <div class="rw-head-side">
          {active && following && !readonly ? (
            <span class="rw-live" title="The kernel is following this run">
              live
            </span>
          ) : null}
          <Timing run={run} lastStepEnd={lastStepEnd} now={now} readonly={readonly} />
          {cancellable ? (
            <button
              type="button"
              class="rw-btn rw-btn-danger"
              data-testid="cancel"
              disabled={cancel.busy}
              onClick={() => void actions.cancel()}
            >
              <span class="rw-i rw-i-stop" aria-hidden="true" />
              <span>{cancel.busy ? "Cancelling…" : "Cancel"}</span>
            </button>
          ) : null}
          <CopyButton label="Copy the run as JSON" text="JSON" testid="copy-run-json" copy={() => actions.copyJson()} />
          <ExportButton actions={actions} />
        </div>
      </div>
      <div class="rw-head-meta">
        {run.model ? <span class="rw-model" title="Model">{run.model}</span> : null}
        {run.thread_id ? (
          <span class="rw-meta-item">
            <span class="rw-meta-label">thread</span>
            <IdChip id={run.thread_id} what="thread id" actions={actions} />
          </span>
        ) : null}
        {run.assistant_id ? (
          <span class="rw-meta-item">
            <span class="rw-meta-label">assistant</span>
            <IdChip id={run.assistant_id} what="assistant id" actions={actions} />
          </span>
        ) : null}
        <UsageView usage={run.usage} />
        {run.status === "requires_action" && typeof run.expires_at === "number" ? (
          <Countdown expiresAt={run.expires_at} now={now} readonly={readonly} />
        ) : null}
        {readonly ? (
          <span class="rw-chip" title="This card was saved; it is not connected to a kernel">
            saved view
          </span>
        ) : null}
      </div>
      {cancel.error ? (
        <div class="rw-inline-error" role="alert">
          Could not cancel: {cancel.error}
        </div>
      ) : null}
      <RunMore run={run} />
    </header>
  );
});

function IdChip({ id, what, actions, full }: { id: string; what: string; actions: Actions; full?: boolean }) {
  return (
    <span class="rw-id">
      <code title={id}>{full ? id : shortId(id)}</code>
      <CopyButton label={`Copy the ${what}`} copy={() => actions.copy(id)} />
    </span>
  );
}

function ExportButton({ actions }: { actions: Actions }) {
  const [flash, setFlash] = useFlash(4000);
  const onClick = async (): Promise<void> => {
    const result = await actions.exportRun();
    setFlash(result.ok ? (result.note ?? null) : result.error);
  };
  return (
    <button
      type="button"
      class="rw-btn rw-btn-ghost"
      title={flash ?? "Download the whole run as a JSON file"}
      data-testid="export-json"
      onClick={() => void onClick()}
    >
      <span class="rw-i rw-i-download" aria-hidden="true" />
      <span>Export</span>
      <span class="rw-sr" aria-live="polite">
        {flash ?? ""}
      </span>
    </button>
  );
}

/** Elapsed time while the run is active, its duration once it stopped. */
function Timing({ run, lastStepEnd, now, readonly }: { run: RunView; lastStepEnd: number | null; now: number; readonly: boolean }) {
  const since = run.started_at ?? run.created_at;
  if (typeof since !== "number") return null;
  if (runIsActive(run) && readonly) {
    return (
      <span class="rw-timing" data-testid="started" title="Started">
        <span class="rw-i rw-i-clock" aria-hidden="true" />
        started {formatTime(since)}
      </span>
    );
  }
  if (runIsActive(run)) {
    const queued = run.status === "queued";
    return (
      <span class="rw-timing" data-testid="elapsed" title={queued ? "Waiting to start" : "Elapsed"}>
        <span class="rw-i rw-i-clock" aria-hidden="true" />
        {queued ? "queued " : ""}
        {formatClock(now - since)}
      </span>
    );
  }
  const end = runEnd(run) ?? (run.status === "expired" ? (run.expires_at ?? null) : null) ?? lastStepEnd;
  if (end === null) return null;
  return (
    <span class="rw-timing" data-testid="duration" title={`Duration (${formatTime(since)} → ${formatTime(end)})`}>
      <span class="rw-i rw-i-clock" aria-hidden="true" />
      {formatDuration(end - since)}
    </span>
  );
}

function UsageView({ usage }: { usage: Usage | null | undefined }) {
  if (!usage) return null;
  return (
    <span class="rw-usage" data-testid="usage" title="Token usage: prompt + completion = total">
      <span class="rw-meta-label">tokens</span>
      <span>{formatCount(usage.prompt_tokens)}</span>
      <span class="rw-muted"> prompt + </span>
      <span>{formatCount(usage.completion_tokens)}</span>
      <span class="rw-muted"> completion = </span>
      <strong>{formatCount(usage.total_tokens)}</strong>
    </span>
  );
}

function Countdown({ expiresAt, now, readonly }: { expiresAt: number; now: number; readonly: boolean }) {
  if (readonly) {
    return (
      <span class="rw-countdown" data-testid="countdown">
        <span class="rw-i rw-i-hourglass" aria-hidden="true" />
        expires {formatTime(expiresAt)}
      </span>
    );
  }
  const left = expiresAt - now;
  return (
    <span class={`rw-countdown${left < 60 ? " rw-urgent" : ""}`} data-testid="countdown" title="The run expires unless tool outputs are submitted before then">
      <span class="rw-i rw-i-hourglass" aria-hidden="true" />
      {left > 0 ? `expires in ${formatClock(left)}` : "expiring now"}
    </span>
  );
}

/** Instructions, tools, sampling and metadata, folded away. */
function RunMore({ run }: { run: RunView }) {
  const rows: [string, string][] = [];
  if (run.tools?.length) rows.push(["tools", run.tools.join(", ")]);
  if (typeof run.temperature === "number") rows.push(["temperature", String(run.temperature)]);
  if (typeof run.top_p === "number") rows.push(["top_p", String(run.top_p)]);
  if (typeof run.created_at === "number") rows.push(["created", formatTime(run.created_at)]);
  for (const [key, value] of Object.entries(run.metadata ?? {})) rows.push([`metadata.${key}`, String(value)]);
  if (!rows.length && !run.instructions) return null;
  return (
    <details class="rw-more">
      <summary>Run details</summary>
      <dl class="rw-dl">
        {rows.map(([key, value]) => (
          <Fragment key={key}>
            <dt>{key}</dt>
            <dd>{value}</dd>
          </Fragment>
        ))}
      </dl>
      {run.instructions ? (
        <div class="rw-block">
          <div class="rw-block-head">
            <span class="rw-block-label">Instructions</span>
          </div>
          <pre class="rw-code rw-wrap">{run.instructions}</pre>
        </div>
      ) : null}
    </details>
  );
}
