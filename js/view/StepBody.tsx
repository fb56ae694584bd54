// A step's details, mounted only while the step is open: its message (markdown) or its tool calls,
// its error, and when the synced state capped it, the full step fetched from the kernel. A running
// step shows its live texts (the store's), which go past the cap; once it ended they stay on screen
// until the full step arrives.

import { useEffect } from "preact/hooks";
import type { Actions } from "../actions";
import { isLive } from "../live";
import { type StepView, stepEnd } from "../protocol";
import { statusLook } from "../status";
import type { DetailEntry } from "../store";
import { formatCount, formatTime } from "../util/format";
import { CopyButton } from "./CopyButton";
import { ErrorBlock } from "./ErrorBlock";
import { ImageView } from "./Images";
import { Markdown } from "./Markdown";
import { ToolCall } from "./ToolCall";

interface Props {
  id: string;
  step: StepView;
  detail: DetailEntry | undefined;
  pending: boolean;
  readonly: boolean;
  textCap: number;
  actions: Actions;
}

export function StepBody({ id, step, detail, pending, readonly, textCap, actions }: Props) {
  useEffect(() => actions.ensureDetail(step), [step, actions]);
  const full = detail?.state === "ready" && detail.base === step ? detail.full : null;
  const shown = full ?? step;
  const live = isLive(step) && stepEnd(step) === null;
  const message = shown.message;
  return (
    <div class="rw-step-body" id={id} role="region" aria-label={`Details of step ${step.id}`}>
      <div class="rw-step-tools">
        <span class="rw-muted">step</span>
        <code class="rw-step-id">{step.id}</code>
        {typeof step.created_at === "number" ? <span class="rw-muted">{formatTime(step.created_at)}</span> : null}
        {step.usage ? (
          <span class="rw-muted" title="prompt + completion = total tokens">
            {formatCount(step.usage.prompt_tokens)} + {formatCount(step.usage.completion_tokens)} ={" "}
            {formatCount(step.usage.total_tokens)} tokens
          </span>
        ) : null}
        <span class="rw-spacer" />
        <CopyButton label="Copy this step as JSON" text="Step JSON" testid="copy-step-json" copy={() => actions.copyJson(step.id)} />
      </div>
      {step.last_error ? (
        <ErrorBlock title={`Step ${statusLook(step.status).word.toLowerCase()}`} error={step.last_error} />
      ) : null}
      {message ? (
        <div class="rw-message">
          {message.text || message.status !== "in_progress" ? (
            <Markdown text={message.text} streaming={message.status === "in_progress"} />
          ) : (
            <div class="rw-typing" aria-label="Writing">
              <span />
              <span />
              <span />
            </div>
          )}
          {message.images?.length ? (
            <div class="rw-images">
              {message.images.map((image, i) => (
                <ImageView key={i} image={image} />
              ))}
            </div>
          ) : null}
          {message.incomplete_reason ? (
            <div class="rw-note rw-note-warn">Message incomplete: {message.incomplete_reason.replace(/_/g, " ")}</div>
          ) : null}
        </div>
      ) : null}
      {shown.tool_calls?.map((call) => (
        <ToolCall key={call.id} call={call} actions={actions} pending={pending && typeof call.output !== "string"} />
      ))}
      {step.truncated && !full && !live ? (
        <Truncation step={step} detail={detail} textCap={textCap} actions={actions} />
      ) : null}
      {full?.truncated ? (
        <div class="rw-note rw-truncated" data-testid="truncated">
          {readonly ? "The full text was not saved with this page" : "The kernel sent a shortened step"} (cut at{" "}
          {formatCount(textCap)} characters).
        </div>
      ) : null}
    </div>
  );
}

function Truncation({ step, detail, textCap, actions }: Omit<Props, "id" | "pending" | "readonly">) {
  const cap = formatCount(textCap);
  let text: string;
  let retry = false;
  if (detail?.state === "loading") text = "Loading the full step…";
  else if (detail?.state === "error") {
    text = `Could not load the full step: ${detail.error}`;
    retry = true;
  } else if (stepEnd(step) === null) text = `Cut at ${cap} characters while it runs; the full step loads when it ends.`;
  else {
    text = `Cut at ${cap} characters.`;
    retry = true;
  }
  return (
    <div class="rw-note rw-truncated" data-testid="truncated">
      {text}
      {retry ? (
        <button type="button" class="rw-link" onClick={() => void actions.fetchDetail(step)}>
          Load the full step
        </button>
      ) : null}
    </div>
  );
}
